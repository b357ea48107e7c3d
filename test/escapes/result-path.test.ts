// The result path: what a run hands back (a returned or thrown value, a rejection reason) is encoded
// inside the realm and decoded by the host as plain data, or described. The host never runs guest
// code (no getter, trap, toJSON or toString runs on the worker's side), and nothing a run returns
// costs the host more than the run paid for it: names, messages, descriptions and encoded values are
// bounded, and an array's holes count against the encoding's budget.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Runner } from '../../executor/executor.js';
import { assertNoCanary, escapeSuite } from './escape-harness.js';

const CALLER = `function () { return arguments.callee.caller; }`;

escapeSuite('the result path', [
  {
    name: 'a returned proxy whose traps record their arguments',
    body: `var got = []; var p = new Proxy([1, 2], { get: function (t, k, r) { got.push(arguments.callee.caller, r); return Reflect.get(t, k, r); }, ownKeys: function (t) { got.push(arguments.callee.caller); return Reflect.ownKeys(t); },
  getOwnPropertyDescriptor: function (t, k) { got.push(arguments.callee.caller); return Reflect.getOwnPropertyDescriptor(t, k); }, getPrototypeOf: function (t) { got.push(arguments.callee.caller); return Array.prototype; } });
return new Promise(function (r) { setTimeout(function () { r(got); }, 1); }).then(function () { return [p, got]; });`,
  },
  {
    name: 'getters, toJSON and toString on the returned value',
    body: `var o = { toJSON: ${CALLER}, toString: ${CALLER}, valueOf: ${CALLER}, [Symbol.toPrimitive]: ${CALLER} };
Object.defineProperty(o, 'g', { enumerable: true, get: ${CALLER} }); Object.defineProperty(o, 't', { enumerable: true, get: function () { throw new Proxy({}, {}); } }); return o;`,
  },
  {
    name: 'a thenable final value chains thenables that look for their caller',
    body: `return { then: function (r) { r({ then: function (r2) { r2([arguments.callee.caller, r2]); } }); } };`,
  },
  { name: 'toJSON that throws a constructor chain', body: `return { toJSON: function () { throw this.constructor.constructor('return process')(); } };` },
  { name: 'a revoked proxy returned', body: `var r = Proxy.revocable({}, {}); r.revoke(); return [r.proxy];` },
  { name: 'a revoked proxy thrown', body: `var r = Proxy.revocable({}, {}); r.revoke(); throw r.proxy;` },
  {
    name: 'a thrown proxy whose traps return functions',
    body: `throw new Proxy({}, { get: function (t, k) { return k === 'name' ? 'N' : k === 'message' ? { toString: ${CALLER} } : undefined; }, getPrototypeOf: function () { return Error.prototype; } });`,
  },
  {
    name: 'a thrown proxy whose getPrototypeOf trap throws (read by the host before the fix)',
    body: `throw new Proxy({}, { getPrototypeOf: function () { throw new Error(String(arguments.callee.caller)); } });`,
  },
  {
    name: 'an unhandled rejection with a proxy reason',
    body: `Promise.reject(new Proxy({}, { getPrototypeOf: function () { throw new Error('trap ran'); }, get: ${CALLER} })); return 1;`,
  },
  {
    name: 'error names, messages and causes that are getters',
    body: `var e = new Error('x'); Object.defineProperty(e, 'name', { get: ${CALLER} }); Object.defineProperty(e, 'message', { get: ${CALLER} }); Object.defineProperty(e, 'cause', { get: ${CALLER} }); return [e, new Error('y', { cause: e })];`,
  },
  {
    name: 'a thrown object with Symbol.toPrimitive and a getter name',
    body: `throw { [Symbol.toPrimitive]: ${CALLER}, get name() { return { toString: ${CALLER} }; }, get message() { throw new Proxy({}, {}); } };`,
  },
  {
    name: 'inspect.custom on the thrown and returned value',
    body: `var got = []; var o = {}; o[Symbol.for('nodejs.util.inspect.custom')] = function (depth, options, inspect) { got.push(options, inspect, this); return 'x'; }; console.log(o); console.dir(o); return [o, got, function () {}];`,
  },
  { name: 'a cyclic structure through a Map and a Set', body: `var m = new Map(); var s = new Set([m]); m.set(s, m); m.set('self', [m, s]); return m;` },
  { name: 'a boxed Symbol and a SharedArrayBuffer view', body: `return [Object(Symbol('x')), new Int32Array(new SharedArrayBuffer(8))];` },
  { name: 'stack overflow in a getter during encoding', body: `return [{ get x() { function r() { return r(); } return r(); } }];` },
]);

describe('what a run returns is bounded before it reaches the host', () => {
  const runner = new Runner({ isolation: 'worker', size: 1, warmRealms: 1, policy: { profile: 'strict', analysis: 'off', limits: { memoryMb: 32 } }, limits: { timeoutMs: 3000 } });
  after(() => runner.close());

  it('an error message built as a rope of repeats reaches the host cut, never copied whole', async () => {
    for (const [code, pattern] of [
      [`throw new RangeError('y'.repeat(2 ** 28))`, /^\[a string of 268435456 characters\]$/],
      [`throw new RangeError('y'.repeat(2 ** 20))`, /^y{100000}\.\.\. \(948576 more characters\)$/],
    ] as const) {
      const result = await runner.run(code);
      assertNoCanary(result);
      assert.equal(result.status, 'error');
      assert.equal(result.error!.name, 'RangeError');
      assert.match(result.error!.message, pattern);
    }
  });

  it('output far past the limit is dropped, not copied, and the limit is reported', async () => {
    const result = await runner.run(`console.log('a'); console.log('\u2603'.repeat(2 ** 23)); 1`, { limits: { maxOutputBytes: 1000 } });
    assert.equal(result.status, 'error');
    assert.equal(result.error!.code, 'AIRLOCK_OUTPUT_LIMIT');
    assert.equal(result.stdout, 'a\n');
  });

  it('a require specifier longer than any path is refused before the host sees it', async () => {
    const result = await runner.run(`const s = 'x'.repeat(2 ** 22); let n = 0; for (let i = 0; i < 5; i++) { try { require(s); } catch (e) { if (/longer than/.test(e.message)) n++; } } n`);
    assert.equal(result.status, 'ok', JSON.stringify(result.error));
    assert.equal(result.value, 5);
  });

  it('a sparse array of 2 ** 32 - 1 holes is described, not walked or rebuilt on the host', async () => {
    const result = await runner.run(`const a = []; a.length = 2 ** 32 - 1; a[7] = 'x'; a`);
    assert.equal(result.status, 'ok', JSON.stringify(result.error));
    assert.equal(result.value, undefined);
    assert.match(String(result.valueDescription), /Array|\[/);
    assert.ok(result.durationMs < 2000);
  });

  it('a value whose encoding passes the budget (one string, many references) is described', async () => {
    const result = await runner.run(`const s = 'x'.repeat(2 ** 20); const a = []; for (let i = 0; i < 64; i++) a.push(s); a`);
    assert.equal(result.status, 'ok', JSON.stringify(result.error));
    assert.equal(result.value, undefined);
    assert.ok(String(result.valueDescription).length <= 1_100_000, `description of ${String(result.valueDescription).length}`);
  });

  it('the description of a wide, deep value is bounded', async () => {
    const result = await runner.run(`const leaf = 'z'.repeat(10000); const mk = (d) => { const o = {}; for (let i = 0; i < 50; i++) o['k' + i] = d === 0 ? leaf : mk(d - 1); return o; };
const v = mk(2); v.f = () => 1; v`);
    assert.equal(result.status, 'ok', JSON.stringify(result.error));
    assert.ok(String(result.valueDescription).length <= 1_100_000, `description of ${String(result.valueDescription).length}`);
  });

  it('an error message and name that are huge symbols or ropes are cut', async () => {
    const result = await runner.run(`const e = new Error('m'); e.name = 'N'.repeat(2 ** 24); throw e`);
    assert.equal(result.status, 'error');
    assert.ok(result.error!.name.length < 2000);
  });

  it('a thrown or rejected proxy is never inspected on the host side (its traps do not run there)', async () => {
    const trap = `new Proxy({}, { getPrototypeOf() { throw new Error('trap ran'); }, get() { throw new Error('trap ran'); }, getOwnPropertyDescriptor() { throw new Error('trap ran'); } })`;
    for (const code of [`throw ${trap}`, `Promise.reject(${trap}); 1`, `setTimeout(() => { throw ${trap}; }, 1); 1`, `queueMicrotask(() => { throw ${trap}; }); 1`]) {
      const result = await runner.run(code);
      assertNoCanary(result);
      assert.equal(result.status, 'error', code);
      assert.doesNotMatch(result.error!.message, /trap ran/, code);
    }
  });

  it('nesting deeper than the host decodes comfortably is described; moderate nesting round-trips', async () => {
    const nest = (depth: number) => `let o = []; let cur = o; for (let i = 0; i < ${depth}; i++) { const n = [i]; cur.push(n); cur = n; } o`;
    const deep = await runner.run(nest(4000));
    assert.equal(deep.status, 'ok', JSON.stringify(deep.error));
    assert.equal(deep.value, undefined);
    assert.match(String(deep.valueDescription), /^\[ \[/);
    const moderate = await runner.run(nest(500));
    assert.equal(moderate.status, 'ok', JSON.stringify(moderate.error));
    assert.ok(Array.isArray(moderate.value));
  });

  it('a caught airlock error whose code is rewritten does not make the host report a limit', async () => {
    for (const code of ['AIRLOCK_MEMORY_LIMIT', 'AIRLOCK_OUTPUT_LIMIT', 'AIRLOCK_TIMEOUT']) {
      const result = await runner.run(`try { require('fs'); } catch (e) { e.code = '${code}'; throw e; }`);
      assert.equal(result.status, 'error', code);
      assert.notEqual(result.error!.code, code);
    }
  });

  it('normal values still round-trip', async () => {
    const result = await runner.run(`[1, 'two', { three: [3, undefined, NaN, -0] }, new Map([[1, new Set([2])]]), 10n, new Date(0), /x/g, new Uint8Array([1, 2]), new Error('e')]`);
    assert.equal(result.status, 'ok', JSON.stringify(result.error));
    const v = result.value as unknown[];
    assert.equal(v.length, 9);
    assert.deepEqual(v[3], new Map([[1, new Set([2])]]));
    assert.equal(v[4], 10n);
  });
});
