// The Executor (RExec) and Runner APIs: persistent state, results as structured-clone data, console
// capture, exit, errors as data, TypeScript and ES modules, r_import and r_execfile through hooks,
// reset and close, gate 1 before every call, one-shot runs with a fresh realm each.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Executor, Runner, run, closeSharedRunners } from '../../executor/executor.js';
import { MemoryHooks } from '../../executor/hooks/index.js';

const OFF = { profile: 'strict', analysis: 'off' } as const;

describe('Executor: one persistent realm', () => {
  const executor = new Executor({
    policy: OFF,
    limits: { timeoutMs: 3000 },
    isolation: 'worker',
    hooks: new MemoryHooks({
      'data.js': "module.exports = { answer: 42, list: [1, 2] };",
      'lib/helper.ts': "export function twice(n: number): number { return n * 2; }\nexport const name: string = 'helper';",
      'lib/main.js': "const { twice } = require('./helper'); console.log('main ran'); twice(21);",
      'cycle-a.js': "exports.a = 1; const b = require('./cycle-b'); exports.fromB = b.b;",
      'cycle-b.js': "const a = require('./cycle-a'); exports.b = 2; exports.sawA = a.a;",
      'broken.js': "throw new Error('broken at load');",
      'config.json': '{"mode": "test", "__proto__": {"polluted": true}}',
    }),
  });
  after(() => executor.close());

  it('shares state between calls', async () => {
    assert.equal((await executor.exec('var counter = 40; function bump() { return ++counter; }')).status, 'ok');
    assert.equal((await executor.eval('bump()')).value, 41);
    assert.equal((await executor.eval('bump() + 0')).value, 42);
  });

  it('evaluates an object literal expression as an object', async () => {
    assert.deepEqual((await executor.eval('{ a: 1, b: [2] }')).value, { a: 1, b: [2] });
  });

  it('returns structured-clone data', async () => {
    const result = await executor.eval(`(() => {
      const o = { n: NaN, neg: -0, big: 2n ** 70n, u: undefined, d: new Date(0), r: /a+/gi, m: new Map([[1, 'x']]), s: new Set(['y']),
        t: new Uint16Array([1, 2]), e: new RangeError('bad'), sparse: [1, , 3], nested: { deep: { deeper: [true] } } };
      o.self = o;
      return o;
    })()`);
    assert.equal(result.status, 'ok', JSON.stringify(result.error));
    const v = result.value as Record<string, unknown>;
    assert.ok(Number.isNaN(v.n));
    assert.ok(Object.is(v.neg, -0));
    assert.equal(v.big, 2n ** 70n);
    assert.ok('u' in v && v.u === undefined);
    assert.ok(v.d instanceof Date && (v.d as Date).getTime() === 0);
    assert.ok(v.r instanceof RegExp && (v.r as RegExp).flags === 'gi');
    assert.deepEqual(v.m, new Map([[1, 'x']]));
    assert.deepEqual(v.s, new Set(['y']));
    assert.ok(v.t instanceof Uint16Array && (v.t as Uint16Array)[1] === 2);
    assert.ok(v.e instanceof RangeError && (v.e as Error).message === 'bad');
    assert.equal((v.sparse as unknown[]).length, 3);
    assert.ok(!(1 in (v.sparse as unknown[])));
    assert.equal(v.self, v);
    assert.deepEqual(v.nested, { deep: { deeper: [true] } });
  });

  it('describes what cannot be cloned instead of losing it', async () => {
    const fn = await executor.eval('function namedThing() {}; namedThing');
    assert.equal(fn.status, 'ok');
    assert.equal(fn.value, undefined);
    assert.equal(fn.valueDescription, '[Function: namedThing]');
    const mixed = await executor.eval("({ a: 1, f() {}, s: Symbol('q') })");
    assert.match(mixed.valueDescription ?? '', /a: 1.*f: \[Function: f\].*Symbol\(q\)/s);
    const promise = await executor.eval('({ p: Promise.resolve(1) })');
    assert.match(promise.valueDescription ?? '', /Promise/);
  });

  it('decodes keys like __proto__ as plain keys', async () => {
    const result = await executor.eval('JSON.parse(\'{"__proto__": {"polluted": true}, "x": 1}\')');
    const v = result.value as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(v), Object.prototype);
    assert.deepEqual(Object.getOwnPropertyDescriptor(v, '__proto__')?.value, { polluted: true });
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('awaits a final promise inside the realm', async () => {
    const result = await executor.eval("new Promise((resolve) => setTimeout(() => resolve('late'), 20)).then((v) => v + '!')");
    assert.equal(result.value, 'late!');
    const thenable = await executor.eval('({ then(resolve) { resolve(7); } })');
    assert.equal(thenable.value, 7);
  });

  it('captures console output, formatted as Node does', async () => {
    const result = await executor.exec(`console.log('a %s b %d c %i %o', 'str', 4.5, 4.5, { k: [1] });
console.error('to', 'stderr'); console.warn({ nested: { x: new Map([[1, 2]]) } });
console.group('g'); console.info('inner'); console.groupEnd(); console.log([1, 'two', null, undefined]);
console.count(); console.count(); console.assert(false, 'nope'); console.log(new Error('shown').message);`);
    assert.equal(result.status, 'ok');
    assert.equal(
      result.stdout,
      "a str b 4.5 c 4 { k: [ 1 ] }\ng\n  inner\n[ 1, 'two', null, undefined ]\ndefault: 1\ndefault: 2\nshown\n",
    );
    assert.equal(result.stderr, "to stderr\n{ nested: { x: Map(1) { 1 => 2 } } }\nAssertion failed: nope\n");
  });

  it('reports guest errors as data with their name and message', async () => {
    const typeError = await executor.eval('null.prop');
    assert.equal(typeError.status, 'error');
    assert.deepEqual(typeError.error?.code, 'AIRLOCK_GUEST_ERROR');
    assert.equal(typeError.error?.name, 'TypeError');
    assert.match(typeError.error!.message, /null/);
    const custom = await executor.eval("(() => { class MyError extends Error { name = 'MyError'; } throw new MyError('mine'); })()");
    assert.deepEqual([custom.error?.name, custom.error?.message], ['MyError', 'mine']);
    const primitive = await executor.eval("(() => { throw 'just a string'; })()");
    assert.equal(primitive.error?.name, 'Error');
    assert.match(primitive.error!.message, /just a string/);
    const rejected = await executor.eval("Promise.reject(new SyntaxError('async bad'))");
    assert.deepEqual([rejected.error?.name, rejected.error?.message], ['SyntaxError', 'async bad']);
    const tricky = await executor.eval("(() => { throw { get name() { throw new Error('no'); }, message: 42 }; })()");
    assert.equal(tricky.status, 'error');
    assert.equal(typeof tricky.error?.name, 'string');
    assert.equal(tricky.error?.message, '42');
  });

  it('runs TypeScript and ES modules; the value of a module is its default export', async () => {
    const ts = await executor.exec('const n: number = 20; interface P { x: number }\nconst p: P = { x: 22 };\nn + p.x', { filename: 'calc.ts' });
    assert.equal(ts.status, 'ok', JSON.stringify(ts.error));
    assert.equal(ts.value, 42);
    const esm = await executor.exec("import { join } from 'path';\nimport { twice } from './lib/helper';\nexport default { joined: join('a', 'b'), n: twice(4) };", { filename: 'entry.mjs' });
    assert.equal(esm.status, 'ok', JSON.stringify(esm.error));
    assert.deepEqual(esm.value, { joined: 'a/b', n: 8 });
    const named = await executor.exec('export const a = 1; export const b = 2;', { filename: 'named.mjs' });
    assert.deepEqual(named.value, { a: 1, b: 2 });
    const tla = await executor.exec("const v = await Promise.resolve(5);\nv * 2", { filename: 'top.mjs' });
    assert.equal(tla.status, 'ok', JSON.stringify(tla.error));
  });

  it('import(): r_import through the hooks, JSON and cycles included', async () => {
    const data = await executor.import('./data.js');
    assert.deepEqual(data.value, { answer: 42, list: [1, 2] });
    const json = await executor.import('./config.json');
    assert.equal((json.value as { mode: string }).mode, 'test');
    assert.equal(Object.getPrototypeOf(json.value), Object.prototype);
    const cycle = await executor.import('./cycle-a.js');
    assert.deepEqual(cycle.value, { a: 1, fromB: 2 });
    const again = await executor.eval("require('./cycle-b').sawA");
    assert.equal(again.value, 1);
  });

  it('a module that throws at load throws again on the next require', async () => {
    const first = await executor.eval("require('./broken')");
    assert.equal(first.error?.message, 'broken at load');
    const second = await executor.eval("(() => { try { require('./broken'); } catch (e) { return e.message; } })()");
    assert.equal(second.value, 'broken at load');
  });

  it('execFile(): reads through the hooks; requires resolve next to the file', async () => {
    const result = await executor.execFile('lib/main.js');
    assert.equal(result.status, 'ok', JSON.stringify(result.error));
    assert.equal(result.value, 42);
    assert.equal(result.stdout, 'main ran\n');
    const missing = await executor.execFile('nope.js');
    assert.equal(missing.error?.code, 'AIRLOCK_MODULE_NOT_FOUND');
  });

  it('reset() starts from a fresh realm', async () => {
    await executor.exec('var keepMe = 1');
    assert.equal((await executor.eval('typeof keepMe')).value, 'number');
    await executor.reset();
    assert.equal((await executor.eval('typeof keepMe')).value, 'undefined');
    assert.equal((await executor.eval("require('./data.js').answer")).value, 42);
  });

  it('exit() is not there unless the policy grants it', async () => {
    const result = await executor.eval('typeof exit');
    assert.equal(result.value, 'undefined');
  });
});

describe('Executor: gate 1 first, exit, limits of the request', () => {
  const enforced = new Executor({ policy: { profile: 'strict' }, isolation: 'worker' });
  const exiting = new Executor({ policy: { profile: 'strict', analysis: 'off', allowExit: true }, limits: { timeoutMs: 2000 }, isolation: 'worker' });
  const warn = new Executor({ policy: { profile: 'strict', analysis: 'warn' }, isolation: 'worker' });
  after(() => Promise.all([enforced.close(), exiting.close(), warn.close()]));

  it('a rejected call never reaches the realm', async () => {
    const result = await enforced.exec("console.log('ran'); eval('1 + 1')");
    assert.equal(result.status, 'rejected');
    assert.equal(result.error?.code, 'AIRLOCK_REJECTED');
    assert.equal(result.stdout, '');
    assert.ok(result.findings.some((f) => f.ruleId === 'no-eval'));
  });

  it('analysis warn runs the code and reports the findings', async () => {
    const result = await warn.exec("console.log('ran'); eval('1 + 1')");
    assert.equal(result.status, 'ok');
    assert.equal(result.value, 2);
    assert.equal(result.stdout, 'ran\n');
    assert.ok(result.findings.some((f) => f.ruleId === 'no-eval'));
  });

  it('source past maxSourceBytes is refused before analysis', async () => {
    const small = new Executor({ policy: { profile: 'strict' }, limits: { maxSourceBytes: 100 }, isolation: 'worker' });
    try {
      const result = await small.exec(`// ${'x'.repeat(200)}\n1`);
      assert.equal(result.status, 'rejected');
      assert.equal(result.error?.code, 'AIRLOCK_SOURCE_TOO_LARGE');
    } finally {
      await small.close();
    }
  });

  it('exit(code) ends the run with status exit and keeps the output before it', async () => {
    const result = await exiting.exec("console.log('before'); exit(3); console.log('after');");
    assert.equal(result.status, 'exit');
    assert.equal(result.exitCode, 3);
    assert.equal(result.error?.code, 'AIRLOCK_EXIT');
    assert.equal(result.stdout, 'before\n');
    const later = await exiting.eval("new Promise((r) => setTimeout(() => { exit(0); r('no'); }, 5))");
    assert.deepEqual([later.status, later.exitCode], ['exit', 0]);
    const caught = await exiting.eval('(() => { try { exit(4); } catch (e) {} for (;;) {} })()');
    assert.deepEqual([caught.status, caught.exitCode], ['exit', 4]);
    assert.ok(caught.durationMs < 1500, `exit ended the run in ${caught.durationMs} ms`);
    assert.equal((await exiting.eval('1 + 1')).value, 2);
  });
});

describe('Runner: a fresh realm per run', () => {
  const runner = new Runner({ policy: OFF, size: 2, isolation: 'worker', limits: { timeoutMs: 3000 } });
  after(() => runner.close());

  it('nothing leaks from one run to the next', async () => {
    const first = await runner.run("globalThis.leaked = 'secret'; Object.prototype.polluted = 1; 'set'");
    assert.equal(first.value, 'set');
    for (let i = 0; i < 4; i++) {
      const next = await runner.run("[typeof leaked, typeof ({}).polluted]");
      assert.deepEqual(next.value, ['undefined', 'undefined']);
    }
  });

  it('hands JSON input to the run as the global input', async () => {
    const result = await runner.run('input.items.map((n) => n * 2).concat(input.name.length)', { input: { items: [1, 2], name: 'abc' } });
    assert.deepEqual(result.value, [2, 4, 3]);
    assert.equal((await runner.run('typeof input')).value, 'undefined');
    await assert.rejects(runner.run('1', { input: { big: 1n } }), { code: 'AIRLOCK_BAD_REQUEST' });
  });

  it('serves concurrent runs from the pool', async () => {
    const results = await Promise.all(Array.from({ length: 24 }, (_, i) => runner.run(`${i} * 2`)));
    assert.deepEqual(
      results.map((r) => r.value),
      Array.from({ length: 24 }, (_, i) => i * 2),
    );
  });

  it('a run past its limit does not disturb the others', async () => {
    const [slow, fast] = await Promise.all([runner.run('while (true) {}', { limits: { timeoutMs: 300 } }), runner.run("'fine'")]);
    assert.equal(slow.status, 'timeout');
    assert.equal(fast.value, 'fine');
    assert.equal((await runner.run('1')).value, 1);
  });

  it('refuses runs past the queue bound', async () => {
    const tiny = new Runner({ policy: OFF, size: 1, maxQueue: 0, isolation: 'worker', limits: { timeoutMs: 1000 } });
    try {
      await tiny.warm();
      const [busy, refused] = await Promise.all([tiny.run('let i = 0; while (i < 5e6) i++; i'), tiny.run('1')]);
      assert.equal(busy.status, 'ok');
      assert.equal(refused.error?.code, 'AIRLOCK_QUEUE_FULL');
    } finally {
      await tiny.close();
    }
  });

  it('run() uses a shared pool (process isolation by default)', async () => {
    try {
      const result = await run("require('path').posix.join('x', 'y')");
      assert.equal(result.status, 'ok', JSON.stringify(result.error));
      assert.equal(result.value, 'x/y');
      assert.equal(typeof result.durationMs, 'number');
    } finally {
      await closeSharedRunners();
    }
  });

  it('a closed executor answers AIRLOCK_CLOSED', async () => {
    const executor = new Executor({ policy: OFF, isolation: 'worker' });
    await executor.close();
    const result = await executor.eval('1');
    assert.equal(result.error?.code, 'AIRLOCK_CLOSED');
  });
});

describe('hostile options are refused, never weakened', () => {
  it('an unknown per-run isolation is a bad request, not a worker thread', async () => {
    const runner = new Runner({ policy: OFF, size: 1, isolation: 'worker' });
    try {
      for (const isolation of ['Process', 'bogus', 'thread']) {
        await assert.rejects(runner.run('1', { isolation: isolation as 'process' }), (e: Error & { code?: string }) => e.code === 'AIRLOCK_BAD_REQUEST');
      }
      assert.equal((await runner.run('1')).value, 1);
    } finally {
      await runner.close();
    }
  });

  it('a policy that looks resolved has its limits checked: Infinity or NaN would switch a limit off', async () => {
    const runner = new Runner({ policy: OFF, size: 1, isolation: 'worker' });
    try {
      const base = runner.policy;
      for (const limits of [{ memoryMb: Infinity }, { timeoutMs: Number.NaN }, { maxOutputBytes: -1 }, { timeoutMs: 1.5 }, { maxModules: Number.NaN }]) {
        const policy = { ...base, limits: { ...base.limits, ...limits } };
        await assert.rejects(runner.run('1', { policy }), (e: Error & { code?: string }) => e.code === 'AIRLOCK_BAD_POLICY', JSON.stringify(limits));
        assert.throws(() => new Executor({ policy, isolation: 'worker' }), (e: Error & { code?: string }) => e.code === 'AIRLOCK_BAD_POLICY');
      }
    } finally {
      await runner.close();
    }
  });
});

describe('aborting a call through its signal', () => {
  it('stops a running call where it is; the next call runs in a fresh realm', async () => {
    const executor = new Executor({ policy: OFF, limits: { timeoutMs: 20000 }, isolation: 'worker' });
    try {
      assert.equal((await executor.exec('var kept = 1;')).status, 'ok');
      const controller = new AbortController();
      const started = performance.now();
      setTimeout(() => controller.abort(), 150);
      const aborted = await executor.exec("console.log('before'); for (;;) {}", { signal: controller.signal });
      assert.equal(aborted.status, 'error');
      assert.equal(aborted.error?.code, 'AIRLOCK_ABORTED');
      assert.equal(aborted.stdout, 'before\n', 'output written before the abort is kept');
      assert.ok(performance.now() - started < 10000, 'stopped long before the time limit');
      const next = await executor.eval('typeof kept');
      assert.equal(next.status, 'ok');
      assert.equal(next.value, 'undefined', 'the worker was replaced, so the realm is fresh');
    } finally {
      await executor.close();
    }
  });

  it('a call aborted while queued behind another never starts', async () => {
    const executor = new Executor({ policy: OFF, limits: { timeoutMs: 5000 }, isolation: 'worker' });
    try {
      const controller = new AbortController();
      const first = executor.exec('const end = Date.now() + 300; while (Date.now() < end) {} 1');
      const second = executor.exec("console.log('ran'); 2", { signal: controller.signal });
      controller.abort();
      const [one, two] = await Promise.all([first, second]);
      assert.equal(one.value, 1);
      assert.equal(two.error?.code, 'AIRLOCK_ABORTED');
      assert.equal(two.stdout, '');
    } finally {
      await executor.close();
    }
  });

  it('an already aborted signal ends the call before gate 1', async () => {
    const executor = new Executor({ policy: { profile: 'strict' }, isolation: 'worker' });
    try {
      const result = await executor.exec('eval("1")', { signal: AbortSignal.abort() });
      assert.equal(result.error?.code, 'AIRLOCK_ABORTED');
      assert.deepEqual(result.findings, []);
    } finally {
      await executor.close();
    }
  });

  it('Runner: a run waiting for a worker leaves the queue; a running one frees its worker', async () => {
    const runner = new Runner({ policy: OFF, limits: { timeoutMs: 20000 }, isolation: 'worker', size: 1 });
    try {
      await runner.warm();
      const running = new AbortController();
      const waiting = new AbortController();
      const long = runner.run('for (;;) {}', { signal: running.signal });
      const queued = runner.run('2', { signal: waiting.signal });
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(runner.stats().queued, 1);
      waiting.abort();
      const gaveUp = await queued;
      assert.equal(gaveUp.error?.code, 'AIRLOCK_ABORTED');
      assert.equal(runner.stats().queued, 0);
      running.abort();
      assert.equal((await long).error?.code, 'AIRLOCK_ABORTED');
      const after = await runner.run('3');
      assert.equal(after.value, 3, 'the replaced worker takes the next run');
    } finally {
      await runner.close();
    }
  });
});

describe('Runner with gate 1 elsewhere (the analyzer option)', () => {
  it('uses the external analyzer\u2019s verdict and findings, and still runs what it accepts', async () => {
    const seen: { source: string; filename: string; profile: string }[] = [];
    const runner = new Runner({
      policy: { profile: 'strict' },
      isolation: 'worker',
      size: 1,
      analyzer: async (source, { filename, policy }) => {
        seen.push({ source, filename, profile: policy.profile });
        const { analyze } = await import('../../analyzer/engine.js');
        return analyze(source, { filename, policy });
      },
    });
    try {
      const ok = await runner.run('6 * 7', { filename: 'formula.js' });
      assert.equal(ok.value, 42);
      const rejected = await runner.run("eval('1')");
      assert.equal(rejected.status, 'rejected');
      assert.ok(rejected.findings.some((f) => f.ruleId === 'no-eval'));
      assert.deepEqual(seen.map((s) => [s.source, s.filename, s.profile]), [['6 * 7', 'formula.js', 'strict'], ["eval('1')", 'run.js', 'strict']]);
    } finally {
      await runner.close();
    }
  });

  it('a reject from the external analyzer never reaches the realm; its failure is the caller\u2019s', async () => {
    const runner = new Runner({
      policy: { profile: 'strict' },
      isolation: 'worker',
      size: 1,
      analyzer: async (source) => {
        if (source.includes('boom')) throw new Error('analysis service down');
        return { verdict: 'reject', findings: [] };
      },
    });
    try {
      const result = await runner.run("console.log('never'); 1");
      assert.equal(result.status, 'rejected');
      assert.equal(result.stdout, '');
      await assert.rejects(runner.run('boom'), /analysis service down/);
      const off = await runner.run('2', { policy: { profile: 'strict', analysis: 'off' } });
      assert.equal(off.value, 2, 'analysis off skips the analyzer');
    } finally {
      await runner.close();
    }
  });
});
