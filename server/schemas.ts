// JSON Schemas of the API's requests and responses. Fastify validates requests against them (with
// Ajv set to neither coerce types nor drop unknown fields) and /openapi.json is generated from them.
// Every object is closed (`additionalProperties: false`) except the free-form `input` value and
// finding `data`, which are data rather than fields.
import { ERROR_CODES } from '../executor/types.js';
import { problemSchema } from './problems.js';

/** Policy and token names (see server/config.ts). */
export const NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$';

const filename = {
  type: 'string',
  minLength: 1,
  maxLength: 255,
  // No control characters, no backslashes: it names the file in findings and module resolution.
  pattern: '^[^\\u0000-\\u001f\\u007f\\\\]+$',
  description: 'Decides the language by extension (default `main.js` for runs, `input.js` for analysis).',
} as const;

const analyzeProperties = {
  code: { type: 'string', description: 'The source text to check.' },
  filename,
  language: { type: 'string', enum: ['js', 'ts', 'jsx', 'tsx'], description: 'Overrides the language implied by the file name.' },
  sourceType: { type: 'string', enum: ['module', 'script', 'unambiguous'], description: 'Overrides module/script detection.' },
  policy: { type: 'string', pattern: NAME_PATTERN, description: 'A served policy by name (GET /v1/policies); default: the server default.' },
} as const;

export const analyzeBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['code'],
  properties: analyzeProperties,
} as const;

/** Limits a request may ask for: each is clamped to the policy's (tightened, never widened). */
export const requestLimitsSchema = {
  type: 'object',
  additionalProperties: false,
  description: 'Tighter limits for this run. A value above the policy\'s is clamped to the policy\'s.',
  properties: {
    timeoutMs: { type: 'integer', minimum: 1 },
    memoryMb: { type: 'integer', minimum: 8 },
    maxOutputBytes: { type: 'integer', minimum: 0 },
    maxModules: { type: 'integer', minimum: 0 },
    maxSourceBytes: { type: 'integer', minimum: 1 },
    maxAstNodes: { type: 'integer', minimum: 1 },
  },
} as const;

export const runBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['code'],
  properties: {
    ...analyzeProperties,
    modules: {
      type: 'object',
      description: 'Modules the code may import, by path or package name (`lib/util.js`, `left-pad`), served through MemoryHooks.',
      maxProperties: 4096,
      propertyNames: { type: 'string', minLength: 1, maxLength: 1024 },
      additionalProperties: { type: 'string' },
    },
    input: { description: 'Any JSON value, handed to the script as the global `input`.' },
    limits: requestLimitsSchema,
  },
} as const;

const findingSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['ruleId', 'messageId', 'message', 'severity', 'line', 'column', 'endLine', 'endColumn', 'fingerprint'],
  properties: {
    ruleId: { type: 'string' },
    messageId: { type: 'string' },
    message: { type: 'string' },
    severity: { type: 'string', enum: ['info', 'warn', 'error'] },
    line: { type: 'integer' },
    column: { type: 'integer' },
    endLine: { type: 'integer' },
    endColumn: { type: 'integer' },
    fatal: { type: 'boolean' },
    suppressed: {
      type: 'object',
      additionalProperties: false,
      required: ['kind', 'justification'],
      properties: { kind: { type: 'string' }, justification: { type: 'string' } },
    },
    fingerprint: { type: 'string' },
    data: {
      type: 'object',
      description: 'Values that justified the finding; on findings of an imported module, `module` is its location.',
      additionalProperties: { type: ['string', 'number'] },
    },
  },
} as const;

export const analyzeResponseSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['verdict', 'findings', 'durationMs', 'policy'],
  properties: {
    verdict: { type: 'string', enum: ['accept', 'reject'] },
    findings: { type: 'array', items: findingSchema },
    durationMs: { type: 'number' },
    policy: { type: 'string', description: 'The policy the code was checked under.' },
  },
} as const;

export const runResponseSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['status', 'value', 'stdout', 'stderr', 'findings', 'error', 'durationMs'],
  properties: {
    status: { type: 'string', enum: ['ok', 'rejected', 'error', 'timeout', 'memory-limit', 'exit'] },
    value: { description: 'The completion value as JSON; null with valueDescription when it has no faithful JSON form.' },
    valueDescription: { type: 'string' },
    stdout: { type: 'string' },
    stderr: { type: 'string' },
    findings: { type: 'array', items: findingSchema },
    error: {
      oneOf: [
        { type: 'null' },
        {
          type: 'object',
          additionalProperties: false,
          required: ['code', 'name', 'message'],
          properties: {
            code: { type: 'string', enum: Object.values(ERROR_CODES) },
            name: { type: 'string' },
            message: { type: 'string' },
          },
        },
      ],
    },
    exitCode: { type: 'integer' },
    durationMs: { type: 'number' },
  },
} as const;

const severityEnum = { type: 'string', enum: ['off', 'info', 'warn', 'error'] } as const;

export const rulesResponseSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['rules'],
  properties: {
    rules: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'type', 'category', 'description', 'defaults', 'messages'],
        properties: {
          id: { type: 'string' },
          type: { type: 'string', enum: ['problem', 'suggestion'] },
          category: { type: 'string' },
          description: { type: 'string' },
          defaults: {
            type: 'object',
            additionalProperties: false,
            required: ['strict', 'recommended', 'audit'],
            properties: { strict: severityEnum, recommended: severityEnum, audit: severityEnum },
          },
          messages: { type: 'object', additionalProperties: { type: 'string' } },
        },
      },
    },
  },
} as const;

const limitsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['maxSourceBytes', 'maxAstNodes', 'timeoutMs', 'memoryMb', 'maxOutputBytes', 'maxModules'],
  properties: {
    maxSourceBytes: { type: 'integer' },
    maxAstNodes: { type: 'integer' },
    timeoutMs: { type: 'integer' },
    memoryMb: { type: 'integer' },
    maxOutputBytes: { type: 'integer' },
    maxModules: { type: 'integer' },
  },
} as const;

export const policiesResponseSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['default', 'policies'],
  properties: {
    default: { type: 'string', description: 'The policy used when a request names none.' },
    policies: {
      type: 'array',
      description: 'The policies this client may use.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'profile', 'analysis', 'limits', 'modules', 'globals', 'allowExit', 'rules'],
        properties: {
          name: { type: 'string' },
          profile: { type: 'string', enum: ['strict', 'recommended', 'audit'] },
          analysis: { type: 'string', enum: ['enforce', 'warn', 'off'] },
          limits: limitsSchema,
          modules: {
            type: 'object',
            additionalProperties: false,
            required: ['allow', 'trusted'],
            properties: { allow: { type: 'array', items: { type: 'string' } }, trusted: { type: 'array', items: { type: 'string' } } },
          },
          globals: { type: 'array', items: { type: 'string' } },
          allowExit: { type: 'boolean' },
          rules: { type: 'object', description: 'Rule id to severity.', additionalProperties: severityEnum },
        },
      },
    },
  },
} as const;

export const healthResponseSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['status'],
  properties: { status: { type: 'string', enum: ['ok'] } },
} as const;

export const readyResponseSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['status', 'workers', 'running', 'queued'],
  properties: {
    status: { type: 'string', enum: ['ready'] },
    workers: { type: 'integer' },
    running: { type: 'integer' },
    queued: { type: 'integer' },
  },
} as const;

/** Problem responses by status, for route schemas. */
export function problemResponses(...statuses: number[]): Record<number, typeof problemSchema> {
  const out: Record<number, typeof problemSchema> = {};
  for (const status of statuses) out[status] = problemSchema;
  return out;
}
