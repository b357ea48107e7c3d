// The HTTP pre-execution API on fastify: builds the instance with its dependencies injected (config,
// run backend, log stream, clock), so that tests drive it with inject() or on a real socket alike.
// Order of a /v1 request: request id → draining? 503 → bearer auth 401 → rate limit 429 → body
// (415/413/400) → schema 400 → policy 400/403 → handler. Every error is a problem+json document.
import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Language, SourceType } from '../analyzer/types.js';
import { RULES } from '../rules/index.js';
import { ERROR_CODES, type RunResult } from '../executor/types.js';
import type { Limits, Policy } from '../policy/index.js';
import { authenticate, defaultPolicyFor, mayUsePolicy, type Client } from './auth.js';
import { isLoopbackHost, resolveServerConfig, type ResolvedServerConfig } from './config.js';
import { HttpProblem, PROBLEM_CONTENT_TYPE, problemType, problems, sendProblem, truncate } from './problems.js';
import { RateLimiter } from './rate-limit.js';
import { GateError, RunGate, type Release } from './run-gate.js';
import type { BackendRunOutcome, RunBackend } from './backend.js';
import { createExecutorBackend } from './executor-backend.js';
import { AnalysisQueueFull, createAnalysisService } from './analysis.js';
import { buildOpenApi, type RouteRecord } from './openapi.js';
import {
  analyzeBodySchema,
  analyzeResponseSchema,
  healthResponseSchema,
  policiesResponseSchema,
  problemResponses,
  readyResponseSchema,
  rulesResponseSchema,
  runBodySchema,
  runResponseSchema,
} from './schemas.js';
import { clampLimits, jsonSafeResult } from './limits.js';

/** Where structured log lines go (one JSON document per write). */
export interface LogStream {
  write(line: string): void;
}

export interface CreateServerOptions {
  /** The resolved config (default: built-in policies, no tokens, default settings). */
  config?: ResolvedServerConfig;
  /**
   * What runs code. Default: the executor's Runner (a pool of warm workers), sized `settings.workers`.
   * `null`: no runs; /v1/run answers 503 AIRLOCK_UNAVAILABLE and /readyz is not ready (an
   * analysis-only server).
   */
  backend?: RunBackend | null;
  /** Logging: false for none; default info-level JSON lines on stdout. */
  logger?: false | { level?: string; stream?: LogStream };
  /** The rate limiter's clock in ms (tests). */
  now?: () => number;
  /** Extra time a run may take past its own limit before the server gives up waiting (default 10 s). */
  runGraceMs?: number;
}

/** A built server: the fastify instance plus its lifecycle. */
export interface AirlockServer {
  readonly app: FastifyInstance;
  readonly config: ResolvedServerConfig;
  readonly gate: RunGate;
  readonly backend: RunBackend | null;
  /** True once drain() or close() began: new requests get 503. */
  readonly draining: boolean;
  /** Listens (host and port default to the config's); refuses a non-loopback host without tokens. Returns the URL. */
  listen(options?: { host?: string; port?: number }): Promise<string>;
  /** Stops admitting requests (503 + Retry-After) and waits for in-flight runs, at most `graceMs`. */
  drain(graceMs?: number): Promise<{ drained: boolean }>;
  /** drain(), then closes the listener and the worker pool. */
  close(graceMs?: number): Promise<{ drained: boolean }>;
}

/** What the server records about a request for its one log line. */
interface RequestNote {
  client?: string;
  policy?: string;
  verdict?: string;
  runStatus?: string;
  errorCode?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    airlockNote: RequestNote | null;
    airlockClient: Client | null;
    /** Rate-limit and fair-share key: the token's name, or the address without tokens. */
    airlockKey: string;
  }
  interface FastifyContextConfig {
    /** Route requires bearer auth and counts against the client's rate limit. */
    airlockAuth?: boolean;
    /** Route left out of /openapi.json. */
    airlockHidden?: boolean;
  }
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;
const LOG_REDACT = ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization', 'headers.cookie', 'authorization'];

/** Builds the server. Nothing listens until listen(). */
export async function createServer(options: CreateServerOptions = {}): Promise<AirlockServer> {
  const config = options.config ?? resolveServerConfig({});
  const settings = config.settings;
  const analysis = createAnalysisService({
    threads: settings.analysisThreads,
    timeoutMs: settings.analysisTimeoutMs,
    maxQueue: Math.max(16, settings.queue * 4),
    policies: config.policies,
    onThreadError: (error) => app.log.warn({ err: error }, 'analysis thread stopped and was replaced'),
  });
  // Gate 1 of /v1/run goes to the same analysis threads as /v1/analyze: a large submission is parsed
  // off the event loop that every request and every run's orchestration share.
  const backend =
    options.backend === undefined
      ? createExecutorBackend({ workers: settings.workers, policy: config.policies.get(config.defaultPolicy)!, analysis })
      : options.backend;
  const gate = new RunGate({
    concurrency: backend?.concurrency ?? settings.workers,
    queue: settings.queue,
    queuePerClient: settings.queuePerClient,
    queueTimeoutMs: settings.queueTimeoutMs,
  });
  const limiter = settings.rateLimit === null ? null : new RateLimiter({ ...settings.rateLimit, ...(options.now ? { now: options.now } : {}) });
  const runGraceMs = options.runGraceMs ?? 10_000;
  let draining = false;
  let closing: Promise<void> | null = null;
  const routes: RouteRecord[] = [];

  const app = Fastify({
    logger: loggerOptions(options.logger),
    // One line per request is written by the onResponse hook below instead of fastify's two.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'reqId' }),
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    bodyLimit: settings.bodyLimit,
    connectionTimeout: settings.connectionTimeoutMs,
    keepAliveTimeout: settings.keepAliveTimeoutMs,
    requestTimeout: settings.requestTimeoutMs,
    // Requests arriving during close() go through onRequest, which answers a problem+json 503.
    return503OnClosing: false,
    clientErrorHandler: rawClientError,
    frameworkErrors: (error, request, reply) => {
      sendProblem(reply, problems.badRequest(`malformed request: ${truncate(error.message, 120)}`));
    },
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: false, allErrors: false } },
  });

  // Responses are plain JSON.stringify: the response schemas document the API (and tests check the
  // answers against them), but fast-json-stringify would silently drop or coerce fields.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  // JSON only: fastify's text/plain parser would turn a wrong media type into a schema error.
  app.removeContentTypeParser('text/plain');
  app.decorateRequest('airlockNote', null);
  app.decorateRequest('airlockClient', null);
  app.decorateRequest('airlockKey', '');

  app.addHook('onRoute', (route) => {
    routes.push({ method: route.method, url: route.url, schema: route.schema as Record<string, unknown> | undefined, auth: route.config?.airlockAuth === true, hidden: route.config?.airlockHidden === true });
  });

  app.addHook('onRequest', async (request, reply) => {
    request.airlockNote = {};
    reply.header('x-request-id', String(request.id));
    reply.header('cache-control', 'no-store');
    reply.header('x-content-type-options', 'nosniff');
    const auth = request.routeOptions.config?.airlockAuth === true;
    if (draining && (auth || request.routeOptions.url === '/readyz')) {
      reply.header('connection', 'close');
      throw problems.closing(Math.max(1, Math.ceil(settings.shutdownGraceMs / 1000)));
    }
    if (!auth) return;
    const result = authenticate(request.headers.authorization, config.tokens);
    if (!result.ok) throw problems.unauthorized(result.reason);
    request.airlockClient = result.client;
    request.airlockNote.client = result.client.name;
    request.airlockKey = config.tokens.length > 0 ? `token:${result.client.name}` : `ip:${request.ip}`;
    if (limiter !== null) {
      const decision = limiter.take(request.airlockKey);
      if (!decision.allowed) throw problems.rateLimited(decision.retryAfter);
      reply.header('ratelimit-remaining', String(decision.remaining));
    }
  });

  app.addHook('onResponse', async (request, reply) => {
    const note = request.airlockNote ?? {};
    request.log.info(
      {
        route: request.routeOptions.url ?? null,
        method: request.method,
        status: reply.statusCode,
        durationMs: Math.round(reply.elapsedTime * 100) / 100,
        ...note,
      },
      'request',
    );
  });

  app.setErrorHandler((error: FastifyError | HttpProblem, request, reply) => {
    const problem = toProblem(error, settings.bodyLimit, request);
    if (problem.status >= 500 && !(error instanceof HttpProblem)) {
      request.log.error({ err: error }, 'internal error');
    }
    if (request.airlockNote) request.airlockNote.errorCode = problem.code;
    return sendProblem(reply, problem);
  });

  app.setNotFoundHandler((request, reply) => {
    if (request.airlockNote) request.airlockNote.errorCode = 'AIRLOCK_NOT_FOUND';
    sendProblem(reply, problems.notFound(`no route ${request.method} ${truncate(request.url.split('?')[0] ?? '', 200)}`));
  });

  // --- routes ---------------------------------------------------------------------------------

  const v1Problems = problemResponses(400, 401, 403, 413, 415, 429, 503);

  app.post(
    '/v1/analyze',
    {
      config: { airlockAuth: true },
      schema: {
        summary: 'May this code run? Gate 1 only: a verdict and findings.',
        body: analyzeBodySchema,
        response: { 200: analyzeResponseSchema, ...v1Problems },
      },
    },
    async (request) => {
      const body = request.body as AnalyzeBody;
      const policy = selectPolicy(request, body.policy);
      let outcome;
      try {
        outcome = await analysis.analyze({
          source: body.code,
          filename: body.filename ?? defaultFilename('input', body.language),
          policy: policy.name,
          ...(body.language !== undefined ? { language: body.language } : {}),
          ...(body.sourceType !== undefined ? { sourceType: body.sourceType } : {}),
        });
      } catch (error) {
        if (error instanceof AnalysisQueueFull) throw problems.queueFull(1, 'the analysis queue is full; retry later');
        throw error;
      }
      request.airlockNote!.verdict = outcome.verdict;
      return { verdict: outcome.verdict, findings: outcome.findings, durationMs: outcome.durationMs, policy: policy.name };
    },
  );

  app.post(
    '/v1/run',
    {
      config: { airlockAuth: true },
      schema: {
        summary: 'Run the code in a fresh sandboxed realm within the policy\'s limits (gate 1, then gate 2).',
        body: runBodySchema,
        response: { 200: runResponseSchema, ...v1Problems },
      },
    },
    async (request, reply) => {
      const body = request.body as RunBody;
      const policy = selectPolicy(request, body.policy);
      const { limits, clamped } = clampLimits(policy.limits, body.limits);
      reply.header('airlock-limits', Object.entries(limits).map(([k, v]) => `${k}=${v}`).join(', '));
      if (clamped.length > 0) reply.header('airlock-limits-clamped', clamped.join(', '));
      if (backend === null) throw problems.unavailable('this server has no executor: /v1/run is unavailable (POST /v1/analyze works)', 60);

      const abort = new AbortController();
      const onClose = () => {
        if (!reply.raw.writableFinished) abort.abort();
      };
      reply.raw.once('close', onClose);
      let release: Release;
      try {
        release = await gate.acquire(abort.signal, request.airlockKey);
      } catch (error) {
        if (error instanceof GateError) {
          if (error.reason === 'closed') throw problems.closing(error.retryAfter);
          if (error.reason === 'aborted') throw problems.badRequest('the client went away while the run was queued');
          throw problems.queueFull(error.retryAfter, error.message);
        }
        throw error;
      }
      let result: RunResult;
      try {
        result = await withWatchdog(
          backend.run({
            source: body.code,
            filename: body.filename ?? defaultFilename('main', body.language),
            ...(body.language !== undefined ? { language: body.language } : {}),
            ...(body.sourceType !== undefined ? { sourceType: body.sourceType } : {}),
            policy: { ...policy, limits },
            limits,
            ...(body.modules !== undefined ? { modules: body.modules } : {}),
            ...('input' in body ? { input: { value: body.input } } : {}),
            signal: abort.signal,
          }),
          limits.timeoutMs + runGraceMs,
          release,
        );
      } finally {
        reply.raw.off('close', onClose);
      }
      const note = request.airlockNote!;
      note.runStatus = result.status;
      if (result.error) note.errorCode = result.error.code;
      // Errors of the caller or of the service (not of the guest) are problems, not results.
      if (result.error?.code === ERROR_CODES.QUEUE_FULL) throw problems.queueFull(gate.retryAfter(), result.error.message);
      if (result.error?.code === ERROR_CODES.CLOSED) throw problems.closing(5);
      if (result.error?.code === ERROR_CODES.BAD_REQUEST) throw problems.badRequest(result.error.message);
      if (result.error?.code === ERROR_CODES.BAD_POLICY) throw problems.badPolicy(result.error.message);
      return jsonSafeResult(result);
    },
  );

  app.get(
    '/v1/rules',
    {
      config: { airlockAuth: true },
      schema: { summary: 'The rule registry with each profile\'s severity.', response: { 200: rulesResponseSchema, ...problemResponses(401, 429, 503) } },
    },
    async () => ({
      rules: RULES.map((rule) => ({
        id: rule.id,
        type: rule.meta.type,
        category: rule.meta.category,
        description: rule.meta.description,
        defaults: { strict: rule.meta.defaults.strict, recommended: rule.meta.defaults.recommended, audit: rule.meta.defaults.audit },
        messages: { ...rule.meta.messages },
      })),
    }),
  );

  app.get(
    '/v1/policies',
    {
      config: { airlockAuth: true },
      schema: { summary: 'The served policies this client may use: names, limits and rule severities.', response: { 200: policiesResponseSchema, ...problemResponses(401, 429, 503) } },
    },
    async (request) => {
      const client = request.airlockClient!;
      const listed = [...config.policies.values()].filter((policy) => mayUsePolicy(client, policy.name));
      return { default: defaultPolicyFor(client, config.defaultPolicy), policies: listed.map(describePolicy) };
    },
  );

  app.get('/healthz', { schema: { summary: 'Liveness: the process answers.', response: { 200: healthResponseSchema } } }, async () => ({ status: 'ok' }));

  app.get(
    '/readyz',
    { schema: { summary: 'Readiness: the worker pool is warm and the server is not draining.', response: { 200: readyResponseSchema, 503: problemResponses(503)[503] } } },
    async () => {
      if (backend === null) throw problems.unavailable('no executor: runs are unavailable', 60);
      if (!backend.ready()) throw problems.unavailable('the worker pool is warming up', 1);
      return { status: 'ready', workers: gate.concurrency, running: gate.active, queued: gate.queued };
    },
  );

  let openApiDocument: unknown = null;
  app.get('/openapi.json', { config: { airlockHidden: true } }, async () => (openApiDocument ??= buildOpenApi(routes)));

  function selectPolicy(request: FastifyRequest, name: string | undefined): Policy {
    const client = request.airlockClient!;
    const chosen = name ?? defaultPolicyFor(client, config.defaultPolicy);
    const policy = config.policies.get(chosen);
    if (policy === undefined) throw problems.badPolicy(`unknown policy '${chosen}' (GET /v1/policies lists them)`);
    if (!mayUsePolicy(client, chosen)) throw problems.forbidden(`this token may not use policy '${chosen}'`);
    request.airlockNote!.policy = chosen;
    return policy;
  }

  const server: AirlockServer = {
    app,
    config,
    gate,
    backend,
    get draining() {
      return draining;
    },
    async listen(listenOptions = {}) {
      const host = listenOptions.host ?? settings.host;
      const port = listenOptions.port ?? settings.port;
      if (config.tokens.length === 0 && !isLoopbackHost(host)) {
        throw new HttpServerError(`refusing to listen on ${host} without bearer tokens: set AIRLOCK_TOKENS or tokens in the config, or bind to 127.0.0.1`);
      }
      return app.listen({ host, port });
    },
    async drain(graceMs = settings.shutdownGraceMs) {
      draining = true;
      let timer: NodeJS.Timeout | undefined;
      const drained = await Promise.race([
        gate.close().then(() => true),
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), graceMs))),
      ]);
      clearTimeout(timer);
      return { drained };
    },
    async close(graceMs = settings.shutdownGraceMs) {
      const result = await server.drain(graceMs);
      closing ??= (async () => {
        // Drained: nothing runs, close the listener then the pool. Not drained: stop the pool first,
        // which ends the runs still in flight, so that their requests finish and the listener can close.
        if (!result.drained && backend !== null) await backend.close();
        await app.close();
        if (result.drained && backend !== null) await backend.close();
        await analysis.close();
      })();
      await closing;
      return result;
    },
  };
  await app.ready();
  return server;
}

/** A server that cannot start as asked (e.g. a public address without tokens). */
export class HttpServerError extends Error {
  override name = 'HttpServerError';
}

interface AnalyzeBody {
  code: string;
  filename?: string;
  language?: Language;
  sourceType?: SourceType | 'unambiguous';
  policy?: string;
}

interface RunBody extends AnalyzeBody {
  modules?: Record<string, string>;
  input?: unknown;
  limits?: Partial<Limits>;
}

const EXTENSIONS: Readonly<Record<Language, string>> = { js: '.js', ts: '.ts', jsx: '.jsx', tsx: '.tsx' };

function defaultFilename(stem: string, language: Language | undefined): string {
  return `${stem}${EXTENSIONS[language ?? 'js']}`;
}

/** What /v1/policies tells a client about a policy: limits and settings, nothing secret. */
function describePolicy(policy: Policy) {
  const rules: Record<string, string> = {};
  for (const [id, setting] of Object.entries(policy.rules)) rules[id] = setting.severity;
  return {
    name: policy.name,
    profile: policy.profile,
    analysis: policy.analysis,
    limits: { ...policy.limits },
    modules: { allow: [...policy.modules.allow], trusted: [...policy.modules.trusted] },
    globals: [...policy.globals],
    allowExit: policy.allowExit,
    rules,
  };
}

/** Maps anything thrown in the request cycle to a problem. */
function toProblem(error: FastifyError | HttpProblem, bodyLimit: number, request: FastifyRequest): HttpProblem {
  if (error instanceof HttpProblem) return error;
  const fe = error as FastifyError & { validation?: { instancePath?: string; message?: string; params?: Record<string, unknown> }[]; validationContext?: string };
  if (fe.validation !== undefined) {
    const errors = fe.validation.map((v) => {
      let path = v.instancePath && v.instancePath !== '' ? v.instancePath : '/';
      let message = v.message ?? 'is invalid';
      const params = v.params ?? {};
      if (typeof params.additionalProperty === 'string') {
        path = `${path === '/' ? '' : path}/${params.additionalProperty}`;
        message = 'is not a known field';
      }
      return { path: `${fe.validationContext ?? 'body'}${path}`, message };
    });
    return problems.badRequest(`the request ${fe.validationContext ?? 'body'} does not match the schema: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`, errors);
  }
  switch (fe.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return problems.bodyTooLarge(bodyLimit);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return problems.unsupportedMediaType(request.headers['content-type']);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return problems.badRequest('the request body is empty; send a JSON object');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return problems.badRequest('the request body is not valid JSON');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return problems.badRequest('the Content-Length does not match the body');
    default:
      break;
  }
  if (error instanceof SyntaxError || (fe.statusCode === 400 && /JSON|prototype|constructor/i.test(fe.message))) {
    // secure-json-parse refuses __proto__ / constructor.prototype keys; JSON.parse errors land here too.
    return problems.badRequest(/proto|constructor/i.test(fe.message) ? 'the request body has a forbidden __proto__ or constructor.prototype key' : 'the request body is not valid JSON');
  }
  if (typeof fe.statusCode === 'number' && fe.statusCode === 413) return problems.bodyTooLarge(bodyLimit);
  if (typeof fe.statusCode === 'number' && fe.statusCode === 415) return problems.unsupportedMediaType(request.headers['content-type']);
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) return problems.badRequest('bad request');
  return problems.internal();
}

/**
 * Waits for a run, but not forever: past its own limit plus a grace the executor is presumed stuck
 * and the client gets 503. The slot is given back only when the run really ends (the worker is busy
 * until then), and then only once that worker is ready again.
 */
async function withWatchdog(run: Promise<BackendRunOutcome>, ms: number, release: Release): Promise<RunResult> {
  let timer: NodeJS.Timeout | undefined;
  run.then(
    (outcome) => release(outcome.workerReady),
    () => release(),
  );
  try {
    const outcome = await Promise.race([
      run,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(problems.unavailable(`the executor did not finish the run within ${ms} ms`, 5)), ms);
      }),
    ]);
    return outcome.result;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Answers what Node's HTTP parser refuses before fastify sees a request (malformed request line,
 * headers too large, request timeout) with a problem document, then closes the socket.
 */
function rawClientError(error: Error & { code?: string }, socket: import('node:stream').Duplex): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const [status, title, detail] =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'Request Timeout', 'the request was not received in time']
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'Request Header Fields Too Large', 'the request headers are too large']
        : [400, 'Bad Request', 'the request is not valid HTTP'];
  const body = JSON.stringify({ type: problemType(ERROR_CODES.BAD_REQUEST), title, status, detail, code: ERROR_CODES.BAD_REQUEST });
  socket.end(
    `HTTP/1.1 ${status} ${title}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

function loggerOptions(option: CreateServerOptions['logger']): false | Record<string, unknown> {
  if (option === false) return false;
  const out: Record<string, unknown> = {
    level: option?.level ?? 'info',
    redact: { paths: LOG_REDACT, censor: '[redacted]' },
    serializers: {
      // No headers, no query string, no body: only what identifies the request.
      req: (req: { method?: string; url?: string; ip?: string }) => ({ method: req.method, url: (req.url ?? '').split('?')[0], remoteAddress: req.ip }),
      res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
    },
  };
  if (option?.stream !== undefined) out.stream = option.stream;
  return out;
}

/** For the CLI: whether a host is loopback-only. */
export { isLoopbackHost };
export type { FastifyReply };
