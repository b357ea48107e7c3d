// /openapi.json: an OpenAPI 3.1 document generated from the schemas the routes are registered with,
// so the document and the validation can never disagree.
import { packageVersion } from '../cli/package.js';
import { problemSchema } from './problems.js';

/** What the server records of each route as it is registered. */
export interface RouteRecord {
  method: string | string[];
  url: string;
  schema: Record<string, unknown> | undefined;
  /** Needs a bearer token. */
  auth: boolean;
  /** Left out of the document. */
  hidden: boolean;
}

const DESCRIPTIONS: Readonly<Record<string, string>> = {
  '200': 'OK',
  '400': 'Invalid JSON, a body that does not match the schema, or an unknown policy',
  '401': 'Missing or invalid bearer token',
  '403': 'The token may not use the policy asked for',
  '413': 'The body is larger than the server\'s limit',
  '415': 'The body is not application/json',
  '429': 'Rate limited; see Retry-After',
  '503': 'Run queue full, shutting down or not ready; see Retry-After',
};

/** Builds the document from the recorded routes (HEAD routes and hidden ones are left out). */
export function buildOpenApi(routes: readonly RouteRecord[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const schema = route.schema ?? {};
    if (route.hidden) continue;
    for (const method of [route.method].flat()) {
      if (method === 'HEAD') continue;
      const operation: Record<string, unknown> = {};
      if (typeof schema.summary === 'string') operation.summary = schema.summary;
      operation.operationId = operationId(method, route.url);
      if (schema.body !== undefined) {
        operation.requestBody = { required: true, content: { 'application/json': { schema: refs(schema.body) } } };
      }
      const responses: Record<string, unknown> = {};
      for (const [status, body] of Object.entries((schema.response ?? {}) as Record<string, unknown>)) {
        const ok = status.startsWith('2');
        const entry: Record<string, unknown> = {
          description: DESCRIPTIONS[status] ?? 'Response',
          content: { [ok ? 'application/json' : 'application/problem+json']: { schema: refs(body) } },
        };
        if (status === '429' || status === '503') {
          entry.headers = { 'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer' } } };
        }
        responses[status] = entry;
      }
      operation.responses = responses;
      operation.security = route.auth ? [{ bearer: [] }] : [];
      (paths[route.url] ??= {})[method.toLowerCase()] = operation;
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'airlock pre-execution API',
      version: packageVersion(),
      description: 'Vet untrusted JavaScript/TypeScript (POST /v1/analyze) and run it in a sandbox within a named policy\'s limits (POST /v1/run). Errors are application/problem+json with a stable code.',
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: { Problem: problemSchema },
    },
    paths,
  };
}

/** Replaces the shared problem schema by a $ref (identity), everything else as is. */
function refs(schema: unknown): unknown {
  if (schema === problemSchema) return { $ref: '#/components/schemas/Problem' };
  return schema;
}

function operationId(method: string, url: string): string {
  const words = url.split(/[^A-Za-z0-9]+/).filter((w) => w !== '' && w !== 'v1');
  return [method.toLowerCase(), ...words.map((w) => w[0]!.toUpperCase() + w.slice(1))].join('');
}
