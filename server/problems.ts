// Errors of the HTTP API as RFC 9457 problem details (`application/problem+json`): every non-2xx
// answer has `type`, `title`, `status`, `detail` and a stable `code`. The codes the executor and the
// library share come from executor/types.ts; the few that only exist at the HTTP layer live here.
import type { FastifyReply } from 'fastify';
import { ERROR_CODES } from '../executor/types.js';

/** Error codes that only the HTTP API produces (documented in docs/server.md). */
export const HTTP_ERROR_CODES = {
  /** No bearer token, or one that matches no configured token. */
  UNAUTHORIZED: 'AIRLOCK_UNAUTHORIZED',
  /** The token is valid but may not use the policy it asked for. */
  FORBIDDEN: 'AIRLOCK_FORBIDDEN',
  /** The request body is larger than the server's body limit. */
  BODY_TOO_LARGE: 'AIRLOCK_BODY_TOO_LARGE',
  /** The request body is not `application/json`. */
  UNSUPPORTED_MEDIA_TYPE: 'AIRLOCK_UNSUPPORTED_MEDIA_TYPE',
  /** The client spent its request budget; retry after `Retry-After` seconds. */
  RATE_LIMITED: 'AIRLOCK_RATE_LIMITED',
  /** No such route. */
  NOT_FOUND: 'AIRLOCK_NOT_FOUND',
  /** The server cannot run code right now (no executor, or it is not ready). */
  UNAVAILABLE: 'AIRLOCK_UNAVAILABLE',
  /** A bug in the server; the detail is deliberately vague and the log has the request id. */
  INTERNAL: 'AIRLOCK_INTERNAL',
} as const;

/** Every code a problem response can carry. */
export type ProblemCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES] | (typeof HTTP_ERROR_CODES)[keyof typeof HTTP_ERROR_CODES];

/** The body of every error response. */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ProblemCode;
  /** The request id, to find the matching log line. */
  instance?: string;
  /** Schema validation failures: where and what. */
  errors?: { path: string; message: string }[];
}

const TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

/** The problem type URI of a code: a stable URN, documented in docs/server.md. */
export function problemType(code: ProblemCode): string {
  return `urn:airlock:error:${code}`;
}

/** An error that the server's error handler turns into a problem response. */
export class HttpProblem extends Error {
  override name = 'HttpProblem';
  readonly status: number;
  readonly code: ProblemCode;
  /** Seconds, sent as `Retry-After` (429 and 503). */
  readonly retryAfter: number | undefined;
  readonly errors: { path: string; message: string }[] | undefined;
  /** Extra response headers (`WWW-Authenticate` for 401). */
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    status: number,
    code: ProblemCode,
    detail: string,
    extra: { retryAfter?: number; errors?: { path: string; message: string }[]; headers?: Record<string, string> } = {},
  ) {
    super(detail);
    this.status = status;
    this.code = code;
    this.retryAfter = extra.retryAfter;
    this.errors = extra.errors;
    this.headers = extra.headers ?? {};
  }

  /** The response body. */
  body(requestId?: string): ProblemBody {
    const body: ProblemBody = {
      type: problemType(this.code),
      title: TITLES[this.status] ?? 'Error',
      status: this.status,
      detail: this.message,
      code: this.code,
    };
    if (requestId !== undefined) body.instance = `urn:airlock:request:${requestId}`;
    if (this.errors !== undefined) body.errors = this.errors;
    return body;
  }
}

/** Sends a problem response (sets the status, media type, Retry-After and extra headers). */
export function sendProblem(reply: FastifyReply, problem: HttpProblem): FastifyReply {
  reply.code(problem.status).type(PROBLEM_CONTENT_TYPE);
  if (problem.retryAfter !== undefined) reply.header('retry-after', String(Math.max(1, Math.ceil(problem.retryAfter))));
  for (const [name, value] of Object.entries(problem.headers)) reply.header(name, value);
  return reply.send(problem.body(String(reply.request.id)));
}

/** Shorthands for the problems the routes raise. */
export const problems = {
  badRequest: (detail: string, errors?: { path: string; message: string }[]) =>
    new HttpProblem(400, ERROR_CODES.BAD_REQUEST, detail, errors === undefined ? {} : { errors }),
  badPolicy: (detail: string) => new HttpProblem(400, ERROR_CODES.BAD_POLICY, detail),
  unauthorized: (detail: string) =>
    new HttpProblem(401, HTTP_ERROR_CODES.UNAUTHORIZED, detail, { headers: { 'www-authenticate': 'Bearer realm="airlock"' } }),
  forbidden: (detail: string) => new HttpProblem(403, HTTP_ERROR_CODES.FORBIDDEN, detail),
  notFound: (detail: string) => new HttpProblem(404, HTTP_ERROR_CODES.NOT_FOUND, detail),
  bodyTooLarge: (limit: number) =>
    new HttpProblem(413, HTTP_ERROR_CODES.BODY_TOO_LARGE, `the request body is larger than the limit of ${limit} bytes`),
  unsupportedMediaType: (got: string | undefined) =>
    new HttpProblem(
      415,
      HTTP_ERROR_CODES.UNSUPPORTED_MEDIA_TYPE,
      `the request body must be application/json${got ? `, not ${truncate(got, 80)}` : ' (no Content-Type was sent)'}`,
    ),
  rateLimited: (retryAfter: number) =>
    new HttpProblem(429, HTTP_ERROR_CODES.RATE_LIMITED, 'too many requests from this client; retry later', { retryAfter }),
  queueFull: (retryAfter: number, detail = 'the run queue is full; retry later') =>
    new HttpProblem(503, ERROR_CODES.QUEUE_FULL, detail, { retryAfter }),
  closing: (retryAfter: number) =>
    new HttpProblem(503, ERROR_CODES.CLOSED, 'the server is shutting down; retry on another instance or later', { retryAfter }),
  unavailable: (detail: string, retryAfter = 5) => new HttpProblem(503, HTTP_ERROR_CODES.UNAVAILABLE, detail, { retryAfter }),
  internal: () => new HttpProblem(500, HTTP_ERROR_CODES.INTERNAL, 'internal server error; the server log has the details under this request id'),
};

/** Cuts a client-supplied string before echoing it. */
export function truncate(text: string, max: number): string {
  const clean = text.replace(/[\u0000-\u001f\u007f]/g, '?');
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

/** The JSON Schema of a problem body, for the route schemas and /openapi.json. */
export const problemSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'title', 'status', 'detail', 'code'],
  properties: {
    type: { type: 'string', description: 'urn:airlock:error:<code>' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    code: { type: 'string', enum: [...Object.values(ERROR_CODES), ...Object.values(HTTP_ERROR_CODES)] },
    instance: { type: 'string', description: 'urn:airlock:request:<request id>' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['path', 'message'],
        properties: { path: { type: 'string' }, message: { type: 'string' } },
      },
    },
  },
} as const;
