// The HTTP layer through fastify.inject(): every endpoint, every error status as problem+json,
// strict validation (no coercion, no dropped fields), auth, policy choice, limit clamping, rate
// limiting, queue bounds, the drain, logs without code or tokens, and answers that match the
// documented schemas. Runs here go to a scripted backend; the real executor is in run.test.ts.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Ajv } from 'ajv';
import type { LightMyRequestResponse } from 'fastify';
import { RULES } from '../../rules/index.js';
import { ADMIN_TOKEN, CI_TOKEN, ScriptedBackend, auth, testServer } from './server-helpers.js';
import { problemSchema } from '../../server/problems.js';
import { analyzeResponseSchema, policiesResponseSchema, rulesResponseSchema, runResponseSchema } from '../../server/schemas.js';

const ajv = new Ajv({ strict: false, allErrors: true });
const validators = {
  problem: ajv.compile(problemSchema),
  analyze: ajv.compile(analyzeResponseSchema),
  run: ajv.compile(runResponseSchema),
  rules: ajv.compile(rulesResponseSchema),
  policies: ajv.compile(policiesResponseSchema),
};

/** Asserts a problem response: status, media type, the five members, the code, and the schema. */
function assertProblem(response: LightMyRequestResponse, status: number, code: string): Record<string, unknown> {
  assert.equal(response.statusCode, status, response.body);
  assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
  const body = response.json() as Record<string, unknown>;
  assert.equal(body.status, status);
  assert.equal(body.code, code);
  assert.equal(body.type, `urn:airlock:error:${code}`);
  assert.equal(typeof body.title, 'string');
  assert.equal(typeof body.detail, 'string');
  assert.ok(validators.problem(body), JSON.stringify(validators.problem.errors));
  return body;
}

function assertValid(kind: keyof typeof validators, body: unknown): void {
  assert.ok(validators[kind](body), `${kind}: ${JSON.stringify(validators[kind].errors)}`);
}

describe('HTTP API (inject)', () => {
  let server: Awaited<ReturnType<typeof testServer>>;
  let backend: ScriptedBackend;

  before(async () => {
    backend = new ScriptedBackend({ concurrency: 2 });
    server = await testServer({ backend, config: { server: { bodyLimit: 4096, rateLimit: false } } });
  });
  after(async () => {
    await server.close(0);
  });

  const post = (url: string, payload: unknown, headers: Record<string, string> = auth()) =>
    server.app.inject({ method: 'POST', url, headers, payload: payload as object });

  describe('health, readiness and the OpenAPI document', () => {
    it('GET /healthz answers without a token', async () => {
      const response = await server.app.inject('/healthz');
      assert.equal(response.statusCode, 200);
      assert.deepEqual(response.json(), { status: 'ok' });
      assert.ok(response.headers['x-request-id']);
    });

    it('GET /readyz is ready when the pool is warm, 503 with Retry-After when not', async () => {
      const ready = await server.app.inject('/readyz');
      assert.equal(ready.statusCode, 200);
      assert.deepEqual(ready.json(), { status: 'ready', workers: 2, running: 0, queued: 0 });
      backend.isReady = false;
      try {
        const notReady = await server.app.inject('/readyz');
        assertProblem(notReady, 503, 'AIRLOCK_UNAVAILABLE');
        assert.equal(notReady.headers['retry-after'], '1');
      } finally {
        backend.isReady = true;
      }
    });

    it('GET /openapi.json documents every route from its schemas, all closed', async () => {
      const response = await server.app.inject('/openapi.json');
      assert.equal(response.statusCode, 200);
      const doc = response.json() as { openapi: string; paths: Record<string, Record<string, any>>; components: any };
      assert.equal(doc.openapi, '3.1.0');
      assert.deepEqual(Object.keys(doc.paths).sort(), ['/healthz', '/readyz', '/v1/analyze', '/v1/policies', '/v1/rules', '/v1/run']);
      for (const path of ['/v1/analyze', '/v1/run']) {
        const op = doc.paths[path]!.post;
        assert.deepEqual(op.security, [{ bearer: [] }]);
        assert.ok(op.requestBody.content['application/json'].schema);
        for (const status of ['400', '401', '403', '413', '415', '429', '503']) {
          assert.deepEqual(op.responses[status].content['application/problem+json'].schema, { $ref: '#/components/schemas/Problem' }, `${path} ${status}`);
        }
        assertClosed(op.requestBody.content['application/json'].schema, `${path} body`);
        assertClosed(op.responses['200'].content['application/json'].schema, `${path} 200`);
      }
      assert.deepEqual(doc.paths['/healthz']!.get.security, []);
      assert.deepEqual(doc.components.securitySchemes.bearer, { type: 'http', scheme: 'bearer' });
    });
  });

  describe('GET /v1/rules and /v1/policies', () => {
    it('lists the rule registry', async () => {
      const response = await server.app.inject({ url: '/v1/rules', headers: auth() });
      assert.equal(response.statusCode, 200);
      const body = response.json() as { rules: { id: string }[] };
      assert.deepEqual(body.rules.map((r) => r.id), RULES.map((r) => r.id));
      assertValid('rules', body);
    });

    it('lists the policies a token may use, with limits and no secrets', async () => {
      const admin = await server.app.inject({ url: '/v1/policies', headers: auth() });
      assert.equal(admin.statusCode, 200);
      const body = admin.json() as { default: string; policies: { name: string; limits: { timeoutMs: number } }[] };
      assertValid('policies', body);
      assert.equal(body.default, 'quick');
      assert.deepEqual(body.policies.map((p) => p.name).sort(), ['audit', 'quick', 'recommended', 'strict']);
      assert.equal(body.policies.find((p) => p.name === 'quick')!.limits.timeoutMs, 400);
      const ci = (await server.app.inject({ url: '/v1/policies', headers: auth(CI_TOKEN) })).json() as typeof body;
      assert.deepEqual(ci.policies.map((p) => p.name), ['quick']);
      for (const text of [admin.body, JSON.stringify(ci)]) {
        assert.ok(!text.includes(ADMIN_TOKEN) && !text.includes(CI_TOKEN) && !/token|sha256/i.test(text), 'no token material');
      }
    });
  });

  describe('POST /v1/analyze', () => {
    it('accepts benign code', async () => {
      const response = await post('/v1/analyze', { code: 'const x = [1, 2].map((n) => n * 2);\nx;' });
      assert.equal(response.statusCode, 200);
      const body = response.json() as { verdict: string; findings: unknown[]; durationMs: number; policy: string };
      assert.equal(body.verdict, 'accept');
      assert.deepEqual(body.findings, []);
      assert.equal(body.policy, 'quick');
      assert.equal(typeof body.durationMs, 'number');
      assertValid('analyze', body);
    });

    it('rejects dangerous code with findings', async () => {
      const response = await post('/v1/analyze', { code: 'const e = eval; e("process.exit()")' });
      const body = response.json() as { verdict: string; findings: { ruleId: string; line: number }[] };
      assert.equal(body.verdict, 'reject');
      assert.ok(body.findings.some((f) => f.ruleId === 'no-eval' && f.line === 1), JSON.stringify(body.findings));
      assertValid('analyze', body);
    });

    it('answers a syntax error with a reject and a fatal finding, not an HTTP error', async () => {
      const response = await post('/v1/analyze', { code: 'function (' });
      assert.equal(response.statusCode, 200);
      const body = response.json() as { verdict: string; findings: { fatal?: boolean; ruleId: string }[] };
      assert.equal(body.verdict, 'reject');
      assert.ok(body.findings.some((f) => f.fatal === true && f.ruleId === 'parse-failure'));
      assertValid('analyze', body);
    });

    it('ignores inline suppression comments in submitted code', async () => {
      const code = '// airlock-disable-next-line no-eval -- trust me\neval("1");';
      for (const policy of ['quick', 'strict', 'recommended', 'audit']) {
        const response = await post('/v1/analyze', { code, policy });
        const body = response.json() as { verdict: string; findings: { ruleId: string; suppressed?: unknown }[] };
        const evalFinding = body.findings.find((f) => f.ruleId === 'no-eval');
        assert.ok(evalFinding !== undefined && evalFinding.suppressed === undefined, `${policy}: ${JSON.stringify(body.findings)}`);
      }
      const lax = await testServer({ backend: null, config: { policies: { lax: { profile: 'recommended', allowInlineSuppressions: true } } } });
      try {
        const body = (await lax.app.inject({ method: 'POST', url: '/v1/analyze', headers: auth(), payload: { code, policy: 'lax' } })).json() as {
          verdict: string;
          findings: { ruleId: string; suppressed?: unknown }[];
        };
        assert.equal(body.verdict, 'reject');
        assert.ok(body.findings.some((f) => f.ruleId === 'no-eval' && f.suppressed === undefined));
      } finally {
        await lax.close(0);
      }
    });

    it('takes TypeScript by language or file name, and module or script', async () => {
      const ts = 'const n: number = 1; export default n as number;';
      for (const payload of [{ code: ts, language: 'ts' }, { code: ts, filename: 'x.ts' }, { code: ts, filename: 'x.ts', sourceType: 'module' }]) {
        const body = (await post('/v1/analyze', payload)).json() as { verdict: string };
        assert.equal(body.verdict, 'accept', JSON.stringify(payload));
      }
      const asJs = (await post('/v1/analyze', { code: ts, language: 'js' })).json() as { verdict: string };
      assert.equal(asJs.verdict, 'reject', 'type annotations are a syntax error in JavaScript');
    });

    it('picks a policy by name; unknown names are 400, names outside a token\'s list 403', async () => {
      const strict = (await post('/v1/analyze', { code: '1', policy: 'strict' })).json() as { policy: string };
      assert.equal(strict.policy, 'strict');
      assertProblem(await post('/v1/analyze', { code: '1', policy: 'no-such-policy' }), 400, 'AIRLOCK_BAD_POLICY');
      assertProblem(await post('/v1/analyze', { code: '1', policy: 'strict' }, auth(CI_TOKEN)), 403, 'AIRLOCK_FORBIDDEN');
      const ci = (await post('/v1/analyze', { code: '1' }, auth(CI_TOKEN))).json() as { policy: string };
      assert.equal(ci.policy, 'quick');
    });
  });

  describe('POST /v1/run (HTTP layer)', () => {
    it('hands the backend the policy, clamped limits, modules and input, and says what it clamped', async () => {
      backend.requests.length = 0;
      const response = await post('/v1/run', {
        code: 'input.n + 1',
        input: { n: 41 },
        modules: { 'lib/a.js': 'module.exports = 1' },
        limits: { timeoutMs: 60_000, memoryMb: 16, maxOutputBytes: 10 },
      });
      assert.equal(response.statusCode, 200, response.body);
      assertValid('run', response.json());
      const seen = backend.requests[0]!;
      assert.equal(seen.policy.name, 'quick');
      assert.equal(seen.limits.timeoutMs, 400, 'widening is clamped to the policy');
      assert.equal(seen.limits.memoryMb, 16, 'tightening is kept');
      assert.equal(seen.limits.maxOutputBytes, 10);
      assert.equal(seen.policy.limits.timeoutMs, 400);
      assert.equal(seen.policy.allowInlineSuppressions, false);
      assert.deepEqual(seen.input, { value: { n: 41 } });
      assert.deepEqual(seen.modules, { 'lib/a.js': 'module.exports = 1' });
      assert.equal(seen.filename, 'main.js');
      assert.equal(response.headers['airlock-limits-clamped'], 'timeoutMs');
      assert.match(String(response.headers['airlock-limits']), /timeoutMs=400/);
    });

    it('passes `input: null` as a value and no input as none', async () => {
      backend.requests.length = 0;
      await post('/v1/run', { code: '1', input: null });
      await post('/v1/run', { code: '1' });
      assert.deepEqual(backend.requests[0]!.input, { value: null });
      assert.equal(backend.requests[1]!.input, undefined);
    });

    it('gives values JSON cannot carry as null plus a description', async () => {
      backend.result = { value: 10n };
      try {
        const body = (await post('/v1/run', { code: '10n' })).json() as { value: unknown; valueDescription: string };
        assert.equal(body.value, null);
        assert.equal(body.valueDescription, '10n');
      } finally {
        backend.result = {};
      }
    });

    it('answers limit results with 200 and service errors as problems', async () => {
      backend.result = { status: 'timeout', value: undefined, error: { code: 'AIRLOCK_TIMEOUT', name: 'TimeoutError', message: 'past 400 ms' } };
      const timeout = await post('/v1/run', { code: 'while (true) {}' });
      assert.equal(timeout.statusCode, 200);
      assert.equal((timeout.json() as { status: string }).status, 'timeout');
      assertValid('run', timeout.json());
      backend.result = { status: 'error', error: { code: 'AIRLOCK_QUEUE_FULL', name: 'QueueFull', message: 'pool queue full' } };
      const full = await post('/v1/run', { code: '1' });
      assertProblem(full, 503, 'AIRLOCK_QUEUE_FULL');
      assert.ok(Number(full.headers['retry-after']) >= 1);
      backend.result = { status: 'error', error: { code: 'AIRLOCK_BAD_REQUEST', name: 'HookError', message: "memory: '../x' is not a file path" } };
      assertProblem(await post('/v1/run', { code: '1', modules: { '../x': '' } }), 400, 'AIRLOCK_BAD_REQUEST');
      backend.result = {};
    });
  });

  describe('errors', () => {
    it('400: invalid JSON, an empty body, __proto__ keys', async () => {
      for (const payload of ['{"code": ', '{code: 1}', "{'code':'1'}", '[1', '']) {
        assertProblem(await server.app.inject({ method: 'POST', url: '/v1/analyze', headers: { ...auth(), 'content-type': 'application/json' }, payload }), 400, 'AIRLOCK_BAD_REQUEST');
      }
      const proto = await server.app.inject({
        method: 'POST',
        url: '/v1/run',
        headers: { ...auth(), 'content-type': 'application/json' },
        payload: '{"code":"1","input":{"__proto__":{"polluted":true}}}',
      });
      assertProblem(proto, 400, 'AIRLOCK_BAD_REQUEST');
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
    });

    it('400: no type coercion and no dropped fields', async () => {
      const cases: [string, unknown, RegExp][] = [
        ['/v1/analyze', { code: 123 }, /body\/code/],
        ['/v1/analyze', { code: ['x'] }, /body\/code/],
        ['/v1/analyze', { code: null }, /body\/code/],
        ['/v1/analyze', {}, /code/],
        ['/v1/analyze', [], /body/],
        ['/v1/analyze', 'just a string', /body/],
        ['/v1/analyze', { code: '1', extra: true }, /body\/extra is not a known field/],
        ['/v1/analyze', { code: '1', language: 'python' }, /language/],
        ['/v1/analyze', { code: '1', policy: 'a b' }, /policy/],
        ['/v1/analyze', { code: '1', filename: 'a\u0000.js' }, /filename/],
        ['/v1/analyze', { code: '1', modules: {} }, /modules is not a known field/],
        ['/v1/run', { code: '1', limits: { timeoutMs: '100' } }, /timeoutMs/],
        ['/v1/run', { code: '1', limits: { timeoutMs: 1.5 } }, /timeoutMs/],
        ['/v1/run', { code: '1', limits: { timeoutMs: 0 } }, /timeoutMs/],
        ['/v1/run', { code: '1', limits: { memoryMb: 4 } }, /memoryMb/],
        ['/v1/run', { code: '1', limits: { cpu: 1 } }, /limits\/cpu is not a known field/],
        ['/v1/run', { code: '1', modules: { 'a.js': 1 } }, /modules/],
        ['/v1/run', { code: '1', modules: { 'a.js': true } }, /modules/],
        ['/v1/run', { code: '1', policy: 1 }, /policy/],
        ['/v1/run', { code: true }, /code/],
      ];
      for (const [url, payload, detail] of cases) {
        const response = await server.app.inject({ method: 'POST', url, headers: { ...auth(), 'content-type': 'application/json' }, payload: JSON.stringify(payload) });
        const body = assertProblem(response, 400, 'AIRLOCK_BAD_REQUEST');
        assert.match(String(body.detail), detail, `${url} ${JSON.stringify(payload)}`);
      }
    });

    it('401: missing, malformed and wrong bearer tokens, with WWW-Authenticate', async () => {
      for (const headers of [{}, { authorization: ADMIN_TOKEN }, { authorization: `Basic ${ADMIN_TOKEN}` }, { authorization: `Bearer ${ADMIN_TOKEN}x` }, { authorization: 'Bearer ' }]) {
        for (const request of [
          { method: 'POST' as const, url: '/v1/analyze', payload: { code: '1' } },
          { method: 'POST' as const, url: '/v1/run', payload: { code: '1' } },
          { method: 'GET' as const, url: '/v1/rules' },
          { method: 'GET' as const, url: '/v1/policies' },
        ]) {
          const response = await server.app.inject({ ...request, headers });
          assertProblem(response, 401, 'AIRLOCK_UNAUTHORIZED');
          assert.equal(response.headers['www-authenticate'], 'Bearer realm="airlock"');
        }
      }
    });

    it('401 comes before the body is looked at', async () => {
      const response = await server.app.inject({ method: 'POST', url: '/v1/analyze', headers: { 'content-type': 'text/plain' }, payload: 'x'.repeat(10_000) });
      assertProblem(response, 401, 'AIRLOCK_UNAUTHORIZED');
    });

    it('403: a valid token asking for a policy outside its list (run too)', async () => {
      assertProblem(await post('/v1/run', { code: '1', policy: 'recommended' }, auth(CI_TOKEN)), 403, 'AIRLOCK_FORBIDDEN');
    });

    it('404: unknown routes and methods', async () => {
      assertProblem(await server.app.inject('/v2/analyze'), 404, 'AIRLOCK_NOT_FOUND');
      assertProblem(await server.app.inject({ method: 'GET', url: '/v1/analyze', headers: auth() }), 404, 'AIRLOCK_NOT_FOUND');
    });

    it('413: a body over the limit', async () => {
      const response = await post('/v1/analyze', { code: `// ${'x'.repeat(5000)}` });
      const body = assertProblem(response, 413, 'AIRLOCK_BODY_TOO_LARGE');
      assert.match(String(body.detail), /4096 bytes/);
    });

    it('415: anything but application/json', async () => {
      for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/jsonx']) {
        const response = await server.app.inject({ method: 'POST', url: '/v1/analyze', headers: { ...auth(), 'content-type': type }, payload: '{"code":"1"}' });
        assertProblem(response, 415, 'AIRLOCK_UNSUPPORTED_MEDIA_TYPE');
      }
      const none = await server.app.inject({ method: 'POST', url: '/v1/analyze', headers: auth(), payload: '{"code":"1"}' });
      assertProblem(none, 415, 'AIRLOCK_UNSUPPORTED_MEDIA_TYPE');
      const charset = await server.app.inject({ method: 'POST', url: '/v1/analyze', headers: { ...auth(), 'content-type': 'application/json; charset=utf-8' }, payload: '{"code":"1"}' });
      assert.equal(charset.statusCode, 200);
    });

    it('500: an internal failure is a vague problem, logged with the request id', async () => {
      const original = backend.run.bind(backend);
      backend.run = async () => {
        throw new Error('backend exploded');
      };
      try {
        const response = await post('/v1/run', { code: '1' });
        const body = assertProblem(response, 500, 'AIRLOCK_INTERNAL');
        assert.doesNotMatch(String(body.detail), /exploded/);
        const id = String(response.headers['x-request-id']);
        assert.ok(server.logs.entries.some((e) => e.reqId === id && e.level === 50), 'error logged under the request id');
      } finally {
        backend.run = original;
      }
    });
  });

  describe('request ids and logs', () => {
    it('echoes a safe client request id and replaces an unsafe one', async () => {
      const safe = await server.app.inject({ url: '/healthz', headers: { 'x-request-id': 'abc-123' } });
      assert.equal(safe.headers['x-request-id'], 'abc-123');
      const unsafe = await server.app.inject({ url: '/healthz', headers: { 'x-request-id': 'a\nb"c' } });
      assert.notEqual(unsafe.headers['x-request-id'], 'a\nb"c');
    });

    it('logs one structured line per request, never the code or the token', async () => {
      const marker = 'SECRET_CODE_MARKER_7f3a';
      const before = server.logs.raw.length;
      await post('/v1/analyze', { code: `const ${marker} = 1;` });
      await post('/v1/run', { code: `"${marker}"`, input: marker, modules: { [`${marker}.js`]: marker } });
      await post('/v1/analyze', { code: `eval("${marker}")` }, { authorization: `Bearer ${marker}-wrong-token` });
      await post('/v1/analyze', `{"code": "${marker}`, { ...auth(), 'content-type': 'application/json' });
      const lines = server.logs.raw.slice(before);
      const text = lines.join('');
      assert.equal(text.includes(marker), false, text);
      assert.equal(text.includes(ADMIN_TOKEN), false);
      const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((e) => e.msg === 'request');
      assert.equal(entries.length, 4);
      const [analyzed, ran, unauthorized, badJson] = entries as Record<string, unknown>[];
      assert.equal(analyzed!.route, '/v1/analyze');
      assert.equal(analyzed!.verdict, 'accept');
      assert.equal(analyzed!.status, 200);
      assert.equal(analyzed!.client, 'admin');
      assert.equal(analyzed!.policy, 'quick');
      assert.equal(typeof analyzed!.durationMs, 'number');
      assert.equal(typeof analyzed!.reqId, 'string');
      assert.equal(ran!.runStatus, 'ok');
      assert.equal(unauthorized!.status, 401);
      assert.equal(unauthorized!.errorCode, 'AIRLOCK_UNAUTHORIZED');
      assert.equal(badJson!.status, 400);
    });

    it('redacts the Authorization header even where a log call includes it', async () => {
      server.app.log.info({ req: { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } }, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } }, 'probe');
      const last = server.logs.raw.at(-1)!;
      assert.match(last, /probe/);
      assert.equal(last.includes(ADMIN_TOKEN), false, last);
    });
  });
});

describe('rate limiting, queue bounds and the drain (inject)', () => {
  it('429 with Retry-After once a client spends its burst; other clients are unaffected', async () => {
    let now = 0;
    const server = await testServer({ backend: null, now: () => now, config: { server: { rateLimit: { perSecond: 1, burst: 2 } } } });
    try {
      const call = (token: string) => server.app.inject({ url: '/v1/rules', headers: auth(token) });
      assert.equal((await call(ADMIN_TOKEN)).statusCode, 200);
      assert.equal((await call(ADMIN_TOKEN)).statusCode, 200);
      const limited = await call(ADMIN_TOKEN);
      assertProblem(limited, 429, 'AIRLOCK_RATE_LIMITED');
      assert.equal(limited.headers['retry-after'], '1');
      assert.equal((await call(CI_TOKEN)).statusCode, 200, 'per-client buckets');
      assert.equal((await server.app.inject('/healthz')).statusCode, 200, 'probes are not limited');
      now += 1000;
      assert.equal((await call(ADMIN_TOKEN)).statusCode, 200);
    } finally {
      await server.close(0);
    }
  });

  it('503 with Retry-After when every worker is busy and the queue is full', async () => {
    const backend = new ScriptedBackend({ concurrency: 1, delayMs: 200 });
    const server = await testServer({ backend, settings: { queue: 1 }, config: { server: { rateLimit: false } } });
    try {
      const run = () => server.app.inject({ method: 'POST', url: '/v1/run', headers: auth(), payload: { code: '1' } });
      const responses = await Promise.all([run(), run(), run(), run()]);
      const statuses = responses.map((r) => r.statusCode).sort();
      assert.deepEqual(statuses, [200, 200, 503, 503]);
      for (const response of responses.filter((r) => r.statusCode === 503)) {
        assertProblem(response, 503, 'AIRLOCK_QUEUE_FULL');
        assert.ok(Number(response.headers['retry-after']) >= 1);
      }
    } finally {
      await server.close(0);
    }
  });

  it('503 when a queued run waits past the queue timeout', async () => {
    const backend = new ScriptedBackend({ concurrency: 1, delayMs: 300 });
    const server = await testServer({ backend, config: { server: { rateLimit: false, queueTimeoutMs: 50 } } });
    try {
      const run = () => server.app.inject({ method: 'POST', url: '/v1/run', headers: auth(), payload: { code: '1' } });
      const [first, second] = await Promise.all([run(), run()]);
      assert.equal(first!.statusCode, 200);
      assertProblem(second!, 503, 'AIRLOCK_QUEUE_FULL');
    } finally {
      await server.close(0);
    }
  });

  it('drains: close() lets an in-flight run finish while new requests get 503', async () => {
    const backend = new ScriptedBackend({ concurrency: 1, delayMs: 400 });
    const server = await testServer({ backend, config: { server: { rateLimit: false } } });
    const inFlight = server.app.inject({ method: 'POST', url: '/v1/run', headers: auth(), payload: { code: 'slow()' } });
    while (backend.running === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const closed = server.close(5000);
    assert.equal(server.draining, true);
    const refused = await server.app.inject({ method: 'POST', url: '/v1/run', headers: auth(), payload: { code: '1' } });
    assertProblem(refused, 503, 'AIRLOCK_CLOSED');
    assert.ok(Number(refused.headers['retry-after']) >= 1);
    assert.equal(refused.headers.connection, 'close');
    assertProblem(await server.app.inject({ method: 'POST', url: '/v1/analyze', headers: auth(), payload: { code: '1' } }), 503, 'AIRLOCK_CLOSED');
    assertProblem(await server.app.inject('/readyz'), 503, 'AIRLOCK_CLOSED');
    assert.equal((await server.app.inject('/healthz')).statusCode, 200, 'still alive while draining');
    const finished = await inFlight;
    assert.equal(finished.statusCode, 200);
    assert.equal((finished.json() as { status: string }).status, 'ok');
    assert.deepEqual(await closed, { drained: true });
    assert.equal(backend.closed, true);
    assert.equal(backend.requests.length, 1, 'the refused run never reached the backend');
  });

  it('a drain that outlasts its grace period reports it and still closes', async () => {
    const backend = new ScriptedBackend({ concurrency: 1, delayMs: 300 });
    const server = await testServer({ backend, config: { server: { rateLimit: false } } });
    const inFlight = server.app.inject({ method: 'POST', url: '/v1/run', headers: auth(), payload: { code: '1' } });
    while (backend.running === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.deepEqual(await server.close(20), { drained: false });
    assert.equal(backend.closed, true);
    await inFlight;
  });

  it('no executor: /v1/run is 503 (never a made-up result) and /readyz is not ready', async () => {
    const server = await testServer({ backend: null });
    try {
      assertProblem(await server.app.inject({ method: 'POST', url: '/v1/run', headers: auth(), payload: { code: '1' } }), 503, 'AIRLOCK_UNAVAILABLE');
      assertProblem(await server.app.inject('/readyz'), 503, 'AIRLOCK_UNAVAILABLE');
      assert.equal((await server.app.inject({ method: 'POST', url: '/v1/analyze', headers: auth(), payload: { code: '1' } })).statusCode, 200);
    } finally {
      await server.close(0);
    }
  });

  it('refuses to listen on a public address without tokens', async () => {
    const { createServer } = await import('../../server/app.js');
    const { resolveServerConfig } = await import('../../server/config.js');
    const server = await createServer({ config: resolveServerConfig({}), backend: null, logger: false });
    try {
      await assert.rejects(server.listen({ host: '0.0.0.0', port: 0 }), /without bearer tokens/);
    } finally {
      await server.close(0);
    }
  });
});

/** Every object schema is closed: additionalProperties false, or a schema for map-like data. */
function assertClosed(schema: any, where: string): void {
  if (schema === null || typeof schema !== 'object') return;
  if (schema.type === 'object' || schema.properties !== undefined) {
    assert.ok(schema.additionalProperties === false || typeof schema.additionalProperties === 'object', `${where}: open object`);
  }
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'enum' || key === 'required') continue;
    if (Array.isArray(value)) value.forEach((v, i) => assertClosed(v, `${where}.${key}[${i}]`));
    else if (typeof value === 'object') assertClosed(value, `${where}.${key}`);
  }
}
