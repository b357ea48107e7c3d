// The escape suite's harness. Every case is an attack written as a function body that tries to
// obtain something of the host (its `process`, a host Function, a host module) and returns it. Each
// case is checked twice:
// - gate 1 (analysis enforced, strict profile) must reject it, so it never reaches a realm;
// - with analysis off, the realm alone must contain it: a detector (below) inspects whatever the
//   attack obtained (or threw) and reports `ESCAPED:` when it is the host's.
// A canary secret is set in this (host) process's environment; it must never appear in any result.
// The detector itself is checked: the same attacks run in a plain `vm` context, which does not
// contain them, must be reported as escapes (test/escapes/detector.test.ts).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { Runner } from '../../executor/executor.js';
import type { RunnerOptions } from '../../executor/executor.js';
import type { RunResult } from '../../executor/types.js';

/** A secret only the host knows. */
export const CANARY = `airlock-canary-${randomBytes(12).toString('hex')}`;
process.env.AIRLOCK_ESCAPE_CANARY = CANARY;

export interface EscapeCase {
  name: string;
  /** A function body (sloppy mode) returning what it obtained; it may return a promise. */
  body: string;
  /**
   * Gate 1 must reject it (default). `todo: <why>` marks a case the current rules do not flag (the
   * realm still has to contain it).
   */
  gate1?: 'reject' | { todo: string };
  /** Extra check of the contained result. */
  check?(result: RunResult): void;
  /** Time limit for the contained run (default 2000 ms). */
  timeoutMs?: number;
}

/**
 * Realm-side detector, prepended to each attack when analysis is off. `__verdict` looks at a value
 * the attack obtained: the host's `process` (pid, versions, env with entries, binding), a host
 * Function (compiling `return process` yields a process), a host module (`readFileSync`,
 * `execSync`), or anything whose prototype chain does not end in this realm's Object.prototype.
 */
export const DETECTOR = String.raw`
var __OP = Object.getPrototypeOf({});
var __F = (function () {}).constructor;
function __isProcess(p) {
  try {
    return p !== null && typeof p === 'object' && (typeof p.pid === 'number' || typeof p.binding === 'function' || typeof p.dlopen === 'function' || (p.versions && typeof p.versions.node === 'string') || (p.env && Object.keys(p.env).length > 0));
  } catch (e) { return false; }
}
function __foreign(v) {
  if (v === null || (typeof v !== 'object' && typeof v !== 'function')) return false;
  var p = v;
  for (var i = 0; i < 100; i++) {
    var n;
    try { n = Object.getPrototypeOf(p); } catch (e) { return false; }
    if (n === null) return p !== __OP && p !== v;
    p = n;
  }
  return false;
}
function __verdict(v, how, depth) {
  try {
    if (Array.isArray(v) && (depth || 0) < 2) {
      for (var k = 0; k < v.length && k < 200; k++) {
        var inner = __verdict(v[k], how + '[' + k + ']', (depth || 0) + 1);
        if (inner.indexOf('ESCAPED') === 0) return inner;
      }
    }
    if (__isProcess(v)) return 'ESCAPED:' + how + ':process';
    if (v && (typeof v.readFileSync === 'function' || typeof v.execSync === 'function' || typeof v.createRequire === 'function')) return 'ESCAPED:' + how + ':module';
    if (__foreign(v)) return 'ESCAPED:' + how + ':foreign-object';
    if (typeof v === 'function' && v !== __F) {
      try {
        var made = v('return typeof process === "object" ? process : undefined');
        if (typeof made === 'function' && __isProcess(made())) return 'ESCAPED:' + how + ':host-function';
      } catch (e) {}
    }
    if (v !== null && (typeof v === 'object' || typeof v === 'function')) {
      var c;
      try { c = v.constructor; } catch (e) {}
      if (typeof c === 'function') {
        try {
          var cc = c.constructor;
          if (typeof cc === 'function') {
            var f = cc('return typeof process === "object" ? process : undefined');
            if (typeof f === 'function' && __isProcess(f())) return 'ESCAPED:' + how + ':constructor-chain';
          }
        } catch (e) {}
      }
    }
  } catch (e) {}
  return 'contained:' + how;
}
`;

/** The program run with analysis off: the detector, the attack, and a verdict on its loot. */
export function containedProgram(body: string): string {
  return `${DETECTOR}
(function () {
  var loot;
  try {
    loot = (function () {
${body}
    }).call(this);
  } catch (thrown) {
    return __verdict(thrown, 'thrown');
  }
  if (loot !== null && (typeof loot === 'object' || typeof loot === 'function')) {
    var then;
    try { then = loot.then; } catch (e) {}
    if (typeof then === 'function') {
      return Promise.resolve(loot).then(function (v) { return __verdict(v, 'resolved'); }, function (e) { return __verdict(e, 'rejected'); });
    }
  }
  return __verdict(loot, 'returned');
}).call(this);
`;
}

/** The program gate 1 sees: the attack alone. */
export function attackProgram(body: string): string {
  return `(function () {\n${body}\n}).call(this);\n`;
}

/** Fails when the canary shows anywhere in a result. */
export function assertNoCanary(result: RunResult): void {
  const text = JSON.stringify(result, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v));
  assert.ok(!text.includes(CANARY), `the host's canary secret leaked: ${text.slice(0, 300)}`);
}

/** Fails when the contained run reported an escape (or did not finish as expected). */
export function assertContained(result: RunResult, name: string): void {
  assertNoCanary(result);
  const text = JSON.stringify(result.value ?? result.valueDescription ?? result.error);
  assert.ok(!/ESCAPED/.test(text), `${name}: ${text}`);
  assert.ok(['ok', 'error', 'timeout'].includes(result.status), `${name}: unexpected status ${result.status} ${JSON.stringify(result.error)}`);
  if (result.status === 'ok' && typeof result.value === 'string') assert.match(result.value, /^contained:/, `${name}: ${result.value}`);
  if (result.error !== null) assert.equal(typeof result.error.message, 'string');
}

export interface SuiteOptions {
  /** Extra runner options for the contained runs (modules, hooks). */
  runner?: RunnerOptions;
}

/**
 * Registers a describe() block for one technique family: every case rejected by gate 1 (enforced)
 * and contained by the realm (analysis off); afterwards the host still runs code.
 */
export function escapeSuite(family: string, cases: readonly EscapeCase[], options: SuiteOptions = {}): void {
  describe(family, () => {
    // Worker isolation: the realm is the wall under test (process isolation adds the OS wall and is
    // exercised in test/executor/isolation.test.ts).
    const base: RunnerOptions = { isolation: 'worker', ...(options.runner ?? {}) };
    const enforced = new Runner({ ...base, size: 1, warmRealms: 1, policy: { ...(typeof base.policy === 'object' ? base.policy : {}), profile: 'strict', analysis: 'enforce' } });
    const off = new Runner({ ...base, size: 1, warmRealms: 1, policy: { ...(typeof base.policy === 'object' ? base.policy : {}), profile: 'strict', analysis: 'off' }, limits: { timeoutMs: 2000 } });
    after(async () => {
      await Promise.all([enforced.close(), off.close()]);
    });

    for (const c of cases) {
      const gate1 = c.gate1 ?? 'reject';
      it(`${c.name}: gate 1 rejects it`, gate1 === 'reject' ? {} : { todo: gate1.todo }, async () => {
        const result = await enforced.run(attackProgram(c.body), { filename: 'attack.js' });
        assertNoCanary(result);
        assert.equal(result.status, 'rejected', `${c.name}: ${JSON.stringify(result.error ?? result.value)}`);
        assert.equal(result.error?.code, 'AIRLOCK_REJECTED');
        assert.ok(result.findings.some((f) => f.severity === 'error'));
      });
      it(`${c.name}: the realm contains it with analysis off`, async () => {
        const result = await off.run(containedProgram(c.body), { filename: 'attack.js', limits: { timeoutMs: c.timeoutMs ?? 2000 } });
        assertContained(result, c.name);
        c.check?.(result);
      });
    }

    it('the host lives on and the next run works', async () => {
      const result = await off.run('6 * 7');
      assert.equal(result.status, 'ok');
      assert.equal(result.value, 42);
    });
  });
}
