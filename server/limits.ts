// Per-request limits (clamped to the policy: a client may tighten, never widen) and the JSON form
// of a run result (a completion value is structured-clone data, which JSON cannot always carry).
import type { Limits } from '../policy/index.js';
import type { RunResult } from '../executor/types.js';

const LIMIT_KEYS: readonly (keyof Limits)[] = ['maxSourceBytes', 'maxAstNodes', 'timeoutMs', 'memoryMb', 'maxOutputBytes', 'maxModules'];

/**
 * The limits of one run: each requested value, but never above the policy's. Returns the names of
 * the requested values that were above the policy's and so were lowered (the response says which).
 */
export function clampLimits(policy: Limits, requested: Partial<Limits> | undefined): { limits: Limits; clamped: (keyof Limits)[] } {
  const limits: Limits = { ...policy };
  const clamped: (keyof Limits)[] = [];
  if (requested === undefined) return { limits, clamped };
  for (const key of LIMIT_KEYS) {
    const value = requested[key];
    if (typeof value !== 'number' || !Number.isFinite(value)) continue;
    if (value > policy[key]) clamped.push(key);
    limits[key] = Math.min(value, policy[key]);
  }
  return { limits, clamped };
}

const MAX_DEPTH = 64;

/**
 * The result with a value JSON can carry faithfully. A value that is JSON already (null, booleans,
 * finite numbers, strings, plain arrays and objects, not too deep) is kept; anything else (undefined,
 * BigInt, NaN, Map, Date, cycles...) becomes `value: null` with `valueDescription` saying what it was.
 */
export function jsonSafeResult(result: RunResult): RunResult {
  const out: RunResult = { ...result };
  if (!isJsonFaithful(result.value, 0, new Set())) {
    out.value = null;
    out.valueDescription = result.valueDescription ?? describe(result.value);
  }
  return out;
}

function isJsonFaithful(value: unknown, depth: number, seen: Set<object>): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (typeof value !== 'object' || depth > MAX_DEPTH) return false;
  if (seen.has(value)) return false;
  seen.add(value);
  try {
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        if (!(i in value) || !isJsonFaithful(value[i], depth + 1, seen)) return false;
      }
      return Object.keys(value).length === value.length;
    }
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) return false;
    if (Object.getOwnPropertySymbols(value).length > 0) return false;
    for (const key of Object.keys(value)) {
      if (!isJsonFaithful((value as Record<string, unknown>)[key], depth + 1, seen)) return false;
    }
    return true;
  } finally {
    seen.delete(value);
  }
}

function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'symbol' || typeof value === 'function') return `[${typeof value}]`;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  if (value instanceof Map) return `[Map(${value.size})]`;
  if (value instanceof Set) return `[Set(${value.size})]`;
  if (Array.isArray(value)) return '[Array]';
  const tag = Object.prototype.toString.call(value);
  return tag === '[object Object]' ? '[Object]' : tag;
}
