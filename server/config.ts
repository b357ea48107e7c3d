// The server's configuration: named policies, bearer tokens and operational limits, from a JSON or
// JS config file, the environment (AIRLOCK_TOKENS) and CLI flags, validated with zod and resolved
// once at start. Served policies never honour inline suppressions, whatever the file says: the code
// comes from untrusted submitters, who must not be able to switch their own checks off.
import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { PROFILE_NAMES, type ProfileName } from '../analyzer/types.js';
import { formatIssues, policyInputSchema, PolicyError, resolvePolicy, type Policy, type PolicyInput } from '../policy/index.js';

/** Names of policies and tokens: short, printable, safe in logs and headers. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const nameSchema = z.string().regex(NAME, 'must be 1-64 letters, digits, dots, dashes or underscores, starting with a letter or digit');

/** Shortest accepted bearer token: long enough that guessing is hopeless. */
export const MIN_TOKEN_LENGTH = 16;
const TOKEN_CHARS = /^[\x21-\x7e]+$/;

const tokenSchema = z
  .object({
    name: nameSchema,
    /** The token itself. */
    token: z.string().min(MIN_TOKEN_LENGTH).regex(TOKEN_CHARS, 'must be printable ASCII without spaces').optional(),
    /** Or its SHA-256 in hex, so that the config file holds no secret. */
    sha256: z.string().regex(/^[0-9a-f]{64}$/i, 'must be 64 hex digits').optional(),
    /** Policies this token may use (default: every served policy). */
    policies: z.array(nameSchema).min(1).optional(),
  })
  .strict()
  .refine((t) => (t.token === undefined) !== (t.sha256 === undefined), { message: 'give exactly one of token or sha256' });

const rateLimitSchema = z
  .object({
    /** Sustained requests per second per client. */
    perSecond: z.number().positive(),
    /** Bucket size: requests a client may make at once. */
    burst: z.number().int().positive(),
  })
  .strict();

const serverSchema = z
  .object({
    host: z.string().min(1).optional(),
    port: z.number().int().min(0).max(65535).optional(),
    /** Worker pool size = runs executing at once. */
    workers: z.number().int().min(1).max(256).optional(),
    /** Runs waiting for a worker before new ones get 503. */
    queue: z.number().int().min(0).max(100_000).optional(),
    /** Threads that run POST /v1/analyze off the event loop (0: on the main thread). */
    analysisThreads: z.number().int().min(0).max(64).optional(),
    /** Longest one analysis may take on a thread; past it the answer is a reject (fail closed). */
    analysisTimeoutMs: z.number().int().positive().optional(),
    /** Runs one client may have waiting (default: half the queue). */
    queuePerClient: z.number().int().min(1).max(100_000).optional(),
    /** Longest a run waits in the queue before it gets 503. */
    queueTimeoutMs: z.number().int().positive().optional(),
    /** Largest request body, in bytes. */
    bodyLimit: z.number().int().min(1024).max(64 * 1024 * 1024).optional(),
    /** Time to receive a whole request (slow clients are cut). */
    requestTimeoutMs: z.number().int().positive().optional(),
    /** Socket inactivity timeout. */
    connectionTimeoutMs: z.number().int().positive().optional(),
    /** Idle keep-alive connections are closed after this. */
    keepAliveTimeoutMs: z.number().int().positive().optional(),
    /** Per-client token bucket; `false` turns it off. */
    rateLimit: z.union([rateLimitSchema, z.literal(false)]).optional(),
    /** Time a graceful shutdown waits for in-flight runs. */
    shutdownGraceMs: z.number().int().nonnegative().optional(),
  })
  .strict();

/** What a server config file may hold. */
export const serverConfigSchema = z
  .object({
    $schema: z.string().optional(),
    /** The policy used when a request names none (default `strict`). */
    defaultPolicy: nameSchema.optional(),
    /** Served policies by name, on top of the built-ins strict / recommended / audit. */
    policies: z.record(nameSchema, policyInputSchema).optional(),
    /** Whether the built-in profiles are served as policies too (default true). */
    builtinPolicies: z.boolean().optional(),
    tokens: z.array(tokenSchema).optional(),
    server: serverSchema.optional(),
  })
  .strict();

export type ServerConfigInput = z.input<typeof serverConfigSchema>;

/** A configured token, kept as a digest only. */
export interface TokenEntry {
  name: string;
  /** SHA-256 of the token. */
  digest: Buffer;
  /** Policy names it may use; null: all. */
  policies: readonly string[] | null;
}

export interface RateLimitSettings {
  perSecond: number;
  burst: number;
}

/** The resolved configuration the server runs with. */
export interface ServerSettings {
  host: string;
  port: number;
  workers: number;
  queue: number;
  queuePerClient: number | undefined;
  analysisThreads: number;
  analysisTimeoutMs: number;
  queueTimeoutMs: number;
  bodyLimit: number;
  requestTimeoutMs: number;
  connectionTimeoutMs: number;
  keepAliveTimeoutMs: number;
  rateLimit: RateLimitSettings | null;
  shutdownGraceMs: number;
}

export interface ResolvedServerConfig {
  policies: ReadonlyMap<string, Policy>;
  defaultPolicy: string;
  tokens: readonly TokenEntry[];
  settings: ServerSettings;
  /** Warnings to print at start (e.g. a policy with analysis off). */
  warnings: string[];
}

/** A config file, environment variable or flag that does not validate. */
export class ServerConfigError extends Error {
  override name = 'ServerConfigError';
  readonly code = 'AIRLOCK_BAD_POLICY';
}

/** Defaults of the operational settings. */
export function defaultSettings(): ServerSettings {
  return {
    host: '127.0.0.1',
    port: 8787,
    workers: Math.max(1, availableParallelism()),
    queue: 64,
    queuePerClient: undefined,
    analysisThreads: 1,
    analysisTimeoutMs: 10_000,
    queueTimeoutMs: 10_000,
    bodyLimit: 1024 * 1024,
    requestTimeoutMs: 10_000,
    connectionTimeoutMs: 60_000,
    keepAliveTimeoutMs: 5_000,
    rateLimit: { perSecond: 50, burst: 100 },
    shutdownGraceMs: 30_000,
  };
}

/** Overrides from CLI flags. */
export type SettingsOverrides = Partial<Pick<ServerSettings, 'host' | 'port' | 'workers' | 'queue'>>;

/**
 * Validates a config object and resolves it: policies (built-ins plus the file's, suppressions off),
 * tokens from the file and from `AIRLOCK_TOKENS`, settings from the file then the flags.
 */
export function resolveServerConfig(raw: unknown = {}, env: NodeJS.ProcessEnv = {}, overrides: SettingsOverrides = {}): ResolvedServerConfig {
  const parsed = serverConfigSchema.safeParse(raw ?? {});
  if (!parsed.success) throw new ServerConfigError(`invalid server config: ${formatIssues(parsed.error)}`);
  const config = parsed.data;
  const warnings: string[] = [];

  const policies = new Map<string, Policy>();
  if (config.builtinPolicies !== false) {
    for (const profile of PROFILE_NAMES) policies.set(profile, servedPolicy(profile, { profile }));
  }
  for (const [name, input] of Object.entries(config.policies ?? {})) {
    if (input.allowInlineSuppressions === true) {
      warnings.push(`policy '${name}': allowInlineSuppressions is ignored by the server (submitted code may not switch its own checks off)`);
    }
    const policy = servedPolicy(name, input);
    if (policy.analysis !== 'enforce') {
      warnings.push(`policy '${name}': analysis is '${policy.analysis}', so code gate 1 rejects still runs (in the sandbox)`);
    }
    policies.set(name, policy);
  }
  if (policies.size === 0) throw new ServerConfigError('invalid server config: no policies to serve (builtinPolicies is false and policies is empty)');

  const defaultPolicy = config.defaultPolicy ?? (policies.has('strict') ? 'strict' : [...policies.keys()][0]!);
  if (!policies.has(defaultPolicy)) {
    throw new ServerConfigError(`invalid server config: defaultPolicy '${defaultPolicy}' is not a served policy (${[...policies.keys()].join(', ')})`);
  }

  const tokens: TokenEntry[] = [];
  for (const entry of config.tokens ?? []) {
    for (const name of entry.policies ?? []) {
      if (!policies.has(name)) throw new ServerConfigError(`invalid server config: token '${entry.name}' names unknown policy '${name}'`);
    }
    const digest = entry.token !== undefined ? sha256(entry.token) : Buffer.from(entry.sha256!, 'hex');
    tokens.push({ name: entry.name, digest, policies: entry.policies ?? null });
  }
  tokens.push(...tokensFromEnv(env.AIRLOCK_TOKENS, policies));
  const names = new Set<string>();
  for (const token of tokens) {
    if (names.has(token.name)) throw new ServerConfigError(`invalid server config: two tokens are named '${token.name}'`);
    names.add(token.name);
  }

  const settings = defaultSettings();
  const file = config.server ?? {};
  for (const key of Object.keys(file) as (keyof typeof file)[]) {
    const value = file[key];
    if (value === undefined) continue;
    if (key === 'rateLimit') settings.rateLimit = value === false ? null : (value as RateLimitSettings);
    else (settings as unknown as Record<string, unknown>)[key] = value;
  }
  for (const [key, value] of Object.entries(overrides)) if (value !== undefined) (settings as unknown as Record<string, unknown>)[key] = value;

  return { policies, defaultPolicy, tokens, settings, warnings };
}

/** Resolves one served policy: named after its key, inline suppressions always off. */
export function servedPolicy(name: string, input: PolicyInput): Policy {
  try {
    return resolvePolicy({ ...input, name, allowInlineSuppressions: false });
  } catch (error) {
    if (error instanceof PolicyError) throw new ServerConfigError(`invalid server config: policy '${name}': ${error.message.replace(/^invalid policy: /, '')}`);
    throw error;
  }
}

/**
 * Tokens from `AIRLOCK_TOKENS`: either a comma-separated list of tokens (named env-1, env-2...; each
 * may use every policy) or a JSON array of `{ name, token | sha256, policies? }` like the config's.
 */
export function tokensFromEnv(value: string | undefined, policies: ReadonlyMap<string, Policy>): TokenEntry[] {
  if (value === undefined || value.trim() === '') return [];
  const text = value.trim();
  if (text.startsWith('[')) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new ServerConfigError('AIRLOCK_TOKENS: not valid JSON (give a JSON array of { name, token, policies? } or comma-separated tokens)');
    }
    const parsed = z.array(tokenSchema).safeParse(json);
    if (!parsed.success) throw new ServerConfigError(`AIRLOCK_TOKENS: ${formatIssues(parsed.error)}`);
    return parsed.data.map((entry) => {
      for (const name of entry.policies ?? []) {
        if (!policies.has(name)) throw new ServerConfigError(`AIRLOCK_TOKENS: token '${entry.name}' names unknown policy '${name}'`);
      }
      return { name: entry.name, digest: entry.token !== undefined ? sha256(entry.token) : Buffer.from(entry.sha256!, 'hex'), policies: entry.policies ?? null };
    });
  }
  return text
    .split(',')
    .map((token) => token.trim())
    .filter((token) => token !== '')
    .map((token, index) => {
      if (token.length < MIN_TOKEN_LENGTH || !TOKEN_CHARS.test(token)) {
        throw new ServerConfigError(`AIRLOCK_TOKENS: token ${index + 1} must be at least ${MIN_TOKEN_LENGTH} printable characters without spaces`);
      }
      return { name: `env-${index + 1}`, digest: sha256(token), policies: null };
    });
}

/** SHA-256 of a string (UTF-8). */
export function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** Reads a config file: `.json`, or `.js`/`.mjs` whose default export is the config. */
export async function loadServerConfigFile(path: string, cwd: string = process.cwd()): Promise<unknown> {
  const full = resolve(cwd, path);
  const extension = extname(full);
  if (extension === '.js' || extension === '.mjs') {
    try {
      const module = (await import(pathToFileURL(full).href)) as { default?: unknown };
      return module.default ?? module;
    } catch (error) {
      throw new ServerConfigError(`config ${path}: could not load (${(error as Error).message})`);
    }
  }
  let text: string;
  try {
    text = await readFile(full, 'utf8');
  } catch {
    throw new ServerConfigError(`config file not found: ${path}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ServerConfigError(`config ${path}: invalid JSON (${(error as Error).message})`);
  }
}

/** True for a loopback host name or address (the only binding allowed without tokens). */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || /^::ffff:127\./.test(h);
  return false;
}

/** The profile a policy name stands for, when it is a built-in one. */
export function builtinProfile(name: string): ProfileName | null {
  return (PROFILE_NAMES as readonly string[]).includes(name) ? (name as ProfileName) : null;
}
