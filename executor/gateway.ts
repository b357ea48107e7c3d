// The import gateway (host side): every `require` made inside a realm comes here. It decides whether
// the policy grants the specifier, resolves and loads it through the user's ModuleHooks (or airlock's
// realm-side built-ins), runs gate 1 on the module text under the policy (trusted packages under the
// trusted profile), transforms it (TypeScript, ES modules, JSON → a CommonJS function body) and answers
// the worker with code to evaluate inside the realm. Nothing here ever reaches Node's own loader.
import { createHash } from 'node:crypto';
import { analyze } from '../analyzer/engine.js';
import type { Finding, Severity } from '../analyzer/types.js';
import { resolvePolicy } from '../policy/index.js';
import type { Policy } from '../policy/index.js';
import { builtinHooks, builtinModule, normalizeBuiltinName } from './builtins/index.js';
import { isHookError } from './hooks/errors.js';
import { prepareModule, wrapModuleCode } from './transform.js';
import type { RequireReply } from './sandbox.js';
import { ERROR_CODES } from './types.js';
import type { ErrorCode, GatewayEvent, ModuleHooks, ModuleSource } from './types.js';

/** Receives each gateway decision when `verbose` is on. */
export type GatewayLogger = (event: GatewayEvent, line: string) => void;

/** A module the realm has loaded, and where its own requires resolve. */
interface ModuleRecord {
  location: string;
  hooks: ModuleHooks;
  /** The policy grant that brought it in (a package or built-in name), inherited by what it loads. */
  grant: string | null;
  trusted: boolean;
  /** Requires from it resolve against this referrer in its hooks (null: the hooks' root). */
  referrer: string | null;
}

/** The gateway's state for one realm: what it loaded, how many, and the findings on the way. */
export class GatewaySession {
  readonly records = new Map<string, ModuleRecord>();
  /** Modules loaded during the current call (limits.maxModules). */
  loadedThisCall = 0;
  /** Requests of the current call the gateway refused or could not serve (see MIN_FAILED_REQUESTS). */
  failedThisCall = 0;
  /** Findings of modules loaded during the current call. */
  findings: Finding[] = [];

  beginCall(): void {
    this.loadedThisCall = 0;
    this.failedThisCall = 0;
    this.findings = [];
  }
}

export interface GatewayOptions {
  policy: Policy;
  hooks: ModuleHooks;
  logger?: GatewayLogger | null;
}

class GatewayRefusal extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly errorName = 'Error',
  ) {
    super(message);
  }
}

const SUBSTITUTE_PREFIX = 'airlock:substitute/';
/**
 * Failed requests (not found, denied, hook errors) one call may send the hooks: at least this many,
 * or limits.maxModules if larger. A miss costs the host a resolution (a bare name walks every
 * node_modules folder up to the root, ~1 ms) while the guest's clock is paused, and misses load
 * nothing, so maxModules alone did not bound them: 10 000 of them stretched a 1 s run to 10 s.
 */
const MIN_FAILED_REQUESTS = 64;
const ANALYSIS_CACHE_LIMIT = 512;

/** Gate 1 verdicts on module texts, by what of the policy analysis reads, trust and content. */
const analysisCache = new Map<string, { reject: boolean; findings: Finding[] }>();
const policyKeys = new WeakMap<Policy, string>();

/** A key for the parts of a policy gate 1 reads (equal policies share cached verdicts). */
function analysisKeyOf(policy: Policy): string {
  let key = policyKeys.get(policy);
  if (key === undefined) {
    const { timeoutMs: _t, memoryMb: _m, maxOutputBytes: _o, maxModules: _n, ...limits } = policy.limits;
    key = sha1(JSON.stringify([policy.profile, policy.rules, policy.allowInlineSuppressions, limits, policy.modules, policy.globals]));
    policyKeys.set(policy, key);
  }
  return key;
}
const trustedPolicies = new WeakMap<Policy, Policy>();
const builtinPolicies = new WeakMap<Policy, Policy>();

/**
 * The policy trusted packages are analysed under: the trusted profile's rule defaults, with the user's
 * explicit rule settings (which speak for all code) and the policy's limits and stance kept.
 */
export function trustedPolicyOf(policy: Policy): Policy {
  let trusted = trustedPolicies.get(policy);
  if (trusted === undefined) {
    trusted = policy.modules.trustedProfile === policy.profile ? policy : derivePolicy(policy, policy.modules.trustedProfile, true);
    trustedPolicies.set(policy, trusted);
  }
  return trusted;
}

/**
 * The policy airlock's own realm-side built-in implementations are analysed under: `audit`, which
 * still rejects what looks malicious (a tampered node_modules) but not the eval-based feature
 * detection some of them do (get-intrinsic), which the realm contains.
 */
export function builtinPolicyOf(policy: Policy): Policy {
  let derived = builtinPolicies.get(policy);
  if (derived === undefined) {
    derived = derivePolicy(policy, 'audit', false);
    builtinPolicies.set(policy, derived);
  }
  return derived;
}

function derivePolicy(policy: Policy, profile: Policy['profile'], keepExplicit: boolean): Policy {
  const rules: Record<string, RuleInput> = {};
  if (keepExplicit) {
    for (const [id, setting] of Object.entries(policy.rules)) {
      if (setting.explicit === true) rules[id] = [setting.severity, { ...setting.options }];
    }
  }
  return resolvePolicy({
    profile,
    rules,
    limits: { ...policy.limits },
    analysis: policy.analysis,
    allowInlineSuppressions: policy.allowInlineSuppressions,
    modules: { allow: [...policy.modules.allow], trusted: [...policy.modules.trusted], trustedProfile: policy.modules.trustedProfile },
    globals: [...policy.globals],
    allowExit: policy.allowExit,
  });
}

type RuleInput = [Severity, Record<string, unknown>];

/** The package name of a bare specifier (`lodash/fp` → `lodash`, `@s/p/x` → `@s/p`). */
export function packageNameOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

function isBareSpecifier(specifier: string): boolean {
  if (specifier.startsWith('./') || specifier.startsWith('../') || specifier === '.' || specifier === '..' || specifier.startsWith('/')) return false;
  if (/^[a-zA-Z][a-zA-Z\d+.-]*:/.test(specifier)) return false;
  return true;
}

/** Whether an allow-list entry grants a bare specifier: exact, `name/*` (subpaths), or `*`. */
export function allowListGrants(allow: readonly string[], specifier: string): string | null {
  const pkg = packageNameOf(specifier);
  for (const entry of allow) {
    if (entry === '*') return pkg;
    if (entry === specifier) return pkg;
    if (entry.endsWith('/*') && (specifier === entry.slice(0, -2) || specifier.startsWith(entry.slice(0, -1)))) return pkg;
  }
  return null;
}

/** Whether the policy grants a built-in module by name (`fs`, `node:fs`). */
function builtinGranted(allow: readonly string[], name: string): boolean {
  return allow.includes(name) || allow.includes(`node:${name}`);
}

/**
 * A log line as one line of plain text: specifiers come from guest code, and a newline or a terminal
 * escape in one would forge gateway decisions or drive the terminal of whoever reads `--verbose`.
 */
function printable(line: string): string {
  return line.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function sha1(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

/** The import gateway of one executor (policy, hooks, logger); sessions hold per-realm state. */
export class ImportGateway {
  readonly policy: Policy;
  readonly hooks: ModuleHooks;
  readonly #logger: GatewayLogger | null;

  constructor(options: GatewayOptions) {
    this.policy = options.policy;
    this.hooks = options.hooks;
    this.#logger = options.logger ?? null;
  }

  #log(event: GatewayEvent): void {
    if (this.#logger === null) return;
    const parts = [`airlock gateway: ${event.kind}`];
    if (event.specifier !== undefined) parts.push(`'${event.specifier}'`);
    if (event.referrer) parts.push(`from ${event.referrer}`);
    if (event.location !== undefined && event.location !== event.specifier) parts.push(`-> ${event.location}`);
    if (event.detail) parts.push(`(${event.detail})`);
    try {
      this.#logger(event, printable(parts.join(' ')));
    } catch {
      // a logger's failure is not the run's
    }
  }

  /** Answers one `require(specifier)` made by code at `referrer` (null: the entry). Never throws. */
  async require(session: GatewaySession, specifier: string, referrer: string | null): Promise<RequireReply> {
    const maxFailed = Math.max(MIN_FAILED_REQUESTS, this.policy.limits.maxModules);
    if (session.failedThisCall >= maxFailed) {
      const message = `Cannot load '${specifier}': more than ${maxFailed} failed requires in one call (limits.maxModules)`;
      this.#log({ kind: 'denied', specifier, referrer, detail: message });
      return { ok: false, code: ERROR_CODES.MODULE_LIMIT, name: 'Error', message };
    }
    try {
      return await this.#require(session, specifier, referrer);
    } catch (error) {
      session.failedThisCall++;
      if (error instanceof GatewayRefusal) {
        this.#log({ kind: error.code === ERROR_CODES.MODULE_NOT_FOUND || error.code === ERROR_CODES.HOOK_ERROR ? 'error' : 'denied', specifier, referrer, detail: error.message });
        return { ok: false, code: error.code, name: error.errorName, message: error.message };
      }
      if (isHookError(error)) {
        this.#log({ kind: 'error', specifier, referrer, detail: error.message });
        return { ok: false, code: error.code, name: 'Error', message: `Cannot load '${specifier}': ${error.message}` };
      }
      const message = `Cannot load '${specifier}': hook error (${(error as Error)?.message ?? String(error)})`;
      this.#log({ kind: 'error', specifier, referrer, detail: message });
      return { ok: false, code: ERROR_CODES.HOOK_ERROR, name: 'Error', message };
    }
  }

  async #require(session: GatewaySession, specifier: string, referrer: string | null): Promise<RequireReply> {
    const from = referrer === null ? null : session.records.get(referrer);
    if (referrer !== null && from === undefined) {
      throw new GatewayRefusal(ERROR_CODES.HOOK_ERROR, `Cannot load '${specifier}': unknown referrer`);
    }
    const builtins = builtinHooks();
    const insideBuiltins = from !== undefined && from !== null && from.hooks === builtins;
    const builtinName = normalizeBuiltinName(specifier);

    let hooks: ModuleHooks;
    let grant: string | null;
    let trusted: boolean;
    let resolveReferrer: string | null;
    let location: string | null;
    let substitute: ModuleSource | null = null;

    if (builtinName !== null) {
      // A Node built-in: never Node's own. A substitute from the user's hooks, or airlock's realm-side
      // implementation where the policy grants it (or where another granted built-in needs it).
      const sub = !insideBuiltins && typeof this.hooks.builtin === 'function' ? await this.hooks.builtin(builtinName) : null;
      if (sub !== null && sub !== undefined) {
        checkModuleSource(this.hooks, builtinName, sub);
        location = `${SUBSTITUTE_PREFIX}${builtinName}`;
        hooks = this.hooks;
        grant = builtinName;
        trusted = false;
        resolveReferrer = null;
        substitute = sub;
        this.#log({ kind: 'granted', specifier, referrer, location, detail: `substitute supplied by ${this.hooks.name}` });
      } else {
        const implementation = builtinModule(builtinName);
        const granted = builtinGranted(this.policy.modules.allow, builtinName) || (implementation !== null && builtinGranted(this.policy.modules.allow, implementation.grant)) || insideBuiltins;
        if (!granted) {
          throw new GatewayRefusal(ERROR_CODES.IMPORT_DENIED, `Cannot load '${specifier}': the policy does not grant the built-in module '${builtinName}'`);
        }
        if (implementation === null) {
          throw new GatewayRefusal(
            ERROR_CODES.IMPORT_DENIED,
            `Cannot load '${specifier}': airlock has no realm-side implementation of '${builtinName}' (the host's is never used; hooks.builtin('${builtinName}') may supply a substitute)`,
          );
        }
        hooks = implementation.hooks;
        location = implementation.location;
        grant = implementation.grant;
        trusted = true;
        resolveReferrer = null;
        this.#log({ kind: 'granted', specifier, referrer, location, detail: `built-in, ${implementation.implementation}` });
      }
    } else {
      hooks = from ? from.hooks : this.hooks;
      resolveReferrer = from ? from.referrer : null;
      grant = from ? from.grant : null;
      trusted = from ? from.trusted : false;
      let grantReason: string | null = null;
      if (isBareSpecifier(specifier) && !insideBuiltins) {
        const granted = allowListGrants(this.policy.modules.allow, specifier);
        if (granted !== null) {
          grant = granted;
          trusted = this.policy.modules.trusted.includes(granted) || this.policy.modules.trusted.includes(specifier);
          grantReason = `granted by the policy${trusted ? `, trusted (analysed under ${this.policy.modules.trustedProfile})` : ''}`;
        } else if (from && from.grant !== null) {
          grantReason = `dependency of granted '${from.grant}'`;
        }
      }
      location = await hooks.resolve(specifier, resolveReferrer);
      this.#log({ kind: 'resolve', specifier, referrer, ...(location !== null ? { location } : {}), detail: `${hooks.name}` });
      if (location !== null && typeof location !== 'string') {
        throw new GatewayRefusal(ERROR_CODES.HOOK_ERROR, `Cannot load '${specifier}': ${hooks.name}.resolve returned ${typeof location}, not a location string`);
      }
      if (location === null) {
        throw new GatewayRefusal(ERROR_CODES.MODULE_NOT_FOUND, `Cannot find module '${specifier}'${referrer ? ` from ${referrer}` : ''} (${hooks.name})`);
      }
      if (isBareSpecifier(specifier) && !insideBuiltins && grantReason === null) {
        // A bare name the policy does not grant: allowed only when the hooks serve it as the user's
        // own file (outside any node_modules), never as a package.
        if (/(^|[/\\])node_modules([/\\]|$)/.test(location)) {
          throw new GatewayRefusal(ERROR_CODES.IMPORT_DENIED, `Cannot load '${specifier}': the policy does not grant the package '${packageNameOf(specifier)}' (policy.modules.allow)`);
        }
      }
      if (grantReason !== null) this.#log({ kind: 'granted', specifier, referrer, location, detail: grantReason });
    }

    if (session.records.has(location)) return { ok: true, location };
    if (session.loadedThisCall >= this.policy.limits.maxModules) {
      throw new GatewayRefusal(ERROR_CODES.MODULE_LIMIT, `Cannot load '${specifier}': more than ${this.policy.limits.maxModules} modules (limits.maxModules)`);
    }

    const loaded = substitute ?? (await hooks.load(location));
    if (loaded === null || loaded === undefined) {
      throw new GatewayRefusal(ERROR_CODES.MODULE_NOT_FOUND, `Cannot find module '${specifier}': ${hooks.name} has nothing at ${location}`);
    }
    checkModuleSource(hooks, location, loaded);
    const filename = substitute !== null ? location : loaded.filename;
    this.#log({ kind: 'load', specifier, referrer, location, detail: `${Buffer.byteLength(loaded.source, 'utf8')} bytes from ${hooks.name}` });
    if (Buffer.byteLength(loaded.source, 'utf8') > this.policy.limits.maxSourceBytes) {
      throw new GatewayRefusal(ERROR_CODES.SOURCE_TOO_LARGE, `Cannot load '${specifier}': ${location} is larger than limits.maxSourceBytes (${this.policy.limits.maxSourceBytes})`);
    }

    session.loadedThisCall++;
    if (this.policy.analysis !== 'off') {
      const trust: Trust = hooks === builtins ? 'builtin' : trusted ? 'trusted' : 'untrusted';
      const verdict = analyseModule(this.policy, trust, loaded.source, filename);
      for (const finding of verdict.findings) session.findings.push({ ...finding, data: { ...(finding.data ?? {}), module: location } });
      const errors = verdict.findings.filter((f) => f.severity === 'error' && f.suppressed === undefined).length;
      this.#log({
        kind: 'analysed',
        specifier,
        referrer,
        location,
        detail: `${verdict.reject ? 'rejected' : 'accepted'} under ${trust === 'builtin' ? 'audit (built-in)' : trust === 'trusted' ? this.policy.modules.trustedProfile : this.policy.profile}: ${verdict.findings.length} finding${verdict.findings.length === 1 ? '' : 's'}`,
      });
      if (verdict.reject && this.policy.analysis === 'enforce') {
        const first = verdict.findings.find((f) => f.severity === 'error' && f.suppressed === undefined) ?? verdict.findings[0];
        throw new GatewayRefusal(
          ERROR_CODES.REJECTED,
          `Cannot load '${specifier}': gate 1 rejected ${location} (${errors} error${errors === 1 ? '' : 's'}${first ? `; first: ${first.ruleId} at ${first.line}:${first.column}: ${first.message}` : ''})`,
        );
      }
    }

    const prepared = prepareModule({ source: loaded.source, filename });
    if (!prepared.ok) {
      throw new GatewayRefusal(ERROR_CODES.GUEST_ERROR, prepared.error.message, prepared.error.name);
    }
    session.records.set(location, { location, hooks, grant, trusted, referrer: substitute !== null ? null : location });
    return {
      ok: true,
      location,
      module: { wrapped: wrapModuleCode(prepared.code), filename, format: prepared.format, async: prepared.async },
    };
  }
}

function checkModuleSource(hooks: ModuleHooks, what: string, value: unknown): asserts value is ModuleSource {
  const v = value as Partial<ModuleSource> | null;
  if (typeof v !== 'object' || v === null || typeof v.source !== 'string' || typeof v.filename !== 'string') {
    throw new GatewayRefusal(ERROR_CODES.HOOK_ERROR, `Cannot load '${what}': ${hooks.name} returned something other than { source, filename }`);
  }
}

type Trust = 'untrusted' | 'trusted' | 'builtin';

/** Gate 1 on a module's text, cached by policy, trust and content. */
function analyseModule(policy: Policy, trust: Trust, source: string, filename: string): { reject: boolean; findings: Finding[] } {
  const effective = trust === 'builtin' ? builtinPolicyOf(policy) : trust === 'trusted' ? trustedPolicyOf(policy) : policy;
  const cache = analysisCache;
  const key = `${analysisKeyOf(policy)}:${trust}:${filename}:${sha1(source)}`;
  const hit = cache.get(key);
  if (hit !== undefined) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const report = analyze(source, { filename, policy: effective });
  const verdict = { reject: report.verdict === 'reject', findings: report.findings };
  cache.set(key, verdict);
  if (cache.size > ANALYSIS_CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  return verdict;
}
