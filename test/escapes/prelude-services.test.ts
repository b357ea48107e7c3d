// Escapes through what the prelude provides inside the realm: console (format strings, objects with
// toString / Symbol.toPrimitive / getters / proxies), timers (proxy or string callbacks, odd delays,
// handles), require (odd specifiers, objects and proxies as specifiers), exit, input, module objects,
// the errors the gateway throws into the realm, the channel to the host, and realm intrinsics guest
// code replaces before the prelude's own code runs again (it must not rely on them at run time).
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Executor, Runner } from '../../executor/executor.js';
import { assertNoCanary, escapeSuite } from './escape-harness.js';

const CALLER = `function () { got.push(arguments.callee.caller, this); }`;

escapeSuite('prelude services', [
  {
    name: 'the channel key left on the global object',
    body: `return Reflect.ownKeys(globalThis).filter(function (k) { return typeof k === 'string' && /airlock|channel/i.test(k); }).map(function (k) { return globalThis[k]; });`,
  },
  {
    name: 'membrane registry symbols on the global and the intrinsics',
    body: `var out = []; ['@@lockerNearMembrane', '@@lockerNearMembraneSerializedValue', '@@lockerNearMembraneUndefinedValue', '@@lockerDebugMode', '@@lockerLiveValue'].forEach(function (k) {
  var s = Symbol.for(k); [globalThis, Object.prototype, Function.prototype, Array.prototype, Error.prototype].forEach(function (o) { try { out.push(o[s]); } catch (e) { out.push(e); } }); });
return out;`,
  },
  {
    name: 'console format directives with toPrimitive, toString and getters',
    body: `var got = []; var o = { [Symbol.toPrimitive]: ${CALLER}, toString: ${CALLER}, valueOf: ${CALLER}, toJSON: ${CALLER}, get a() { got.push(arguments.callee.caller); return 1; } };
console.log('%s %d %i %f %j %o %O %c %%', o, o, o, o, o, o, o, o); console.log(o, String(Object(Symbol('s')))); console.info('%s', Object.create(null)); return got;`,
  },
  {
    name: 'console labels, groups, asserts and traces with proxies',
    body: `var got = []; var p = new Proxy(function () {}, { get: function (t, k, r) { got.push(t, r); return k === Symbol.toPrimitive ? function () { got.push(arguments.callee.caller); return 'l'; } : undefined; }, apply: ${CALLER} });
console.count(p); console.countReset(p); console.time(p); console.timeLog(p, p); console.timeEnd(p); console.group(p); console.groupEnd(); console.assert(false, p); console.trace(p); console.dir(p); console.table(p); console.dirxml(p); return got;`,
  },
  {
    name: 'console methods called with hostile receivers',
    body: `var got = []; var methods = Object.keys(console); methods.forEach(function (m) { try { got.push(console[m].call(new Proxy({}, { get: ${CALLER} }), 'x')); } catch (e) { got.push(e); } }); return got;`,
  },
  {
    name: 'timer callbacks that are strings, proxies or bound host-looking functions',
    body: `var got = []; try { setTimeout('return process', 1); } catch (e) { got.push(e); } try { setInterval({ call: ${CALLER} }, 1); } catch (e) { got.push(e); }
return new Promise(function (resolve) { setTimeout(new Proxy(function () {}, { apply: function (t, self, args) { resolve([self, args, t, got]); } }), 0, 'a'); });`,
  },
  {
    name: 'timer delays and ids that are objects, huge, negative or NaN',
    body: `var got = []; var evil = { valueOf: ${CALLER}, [Symbol.toPrimitive]: ${CALLER} };
var hs = [setTimeout(function () {}, evil), setTimeout(function () {}, 1e300), setTimeout(function () {}, -1), setTimeout(function () {}, NaN), setInterval(function () {}, 2 ** 31)];
hs.forEach(function (h) { clearTimeout(h); clearInterval(+h); clearImmediate(String(+h)); clearTimeout(evil); });
var proto = Object.getPrototypeOf(hs[0]); got.push(proto, proto.ref.call(evil), proto.refresh.call(evil), proto.hasRef.call(null), proto[Symbol.toPrimitive].call(evil)); return got;`,
  },
  {
    name: 'thousands of timers and a recursive setImmediate',
    body: `var n = 0; for (var i = 0; i < 5000; i++) setTimeout(function () { n++; }, 1);
return new Promise(function (resolve) { var k = 0; (function again() { if (++k < 200) setImmediate(again); else setTimeout(function () { resolve(n + k); }, 5); })(); });`,
  },
  {
    name: 'require with objects, proxies and odd strings as specifiers',
    body: `var got = []; var specs = [{ toString: function () { return 'fs'; } }, new Proxy({}, { get: ${CALLER} }), Object('fs'), '', '\\u0000fs', 'node:', '..', '/', 'fs\\u0000x', '%2e%2e/%2e%2e/etc/passwd', 'file:///etc/passwd', 'data:text/javascript,export default 1', 'x'.repeat(100000), 'node:fs?x', 'FS', 'node:FS'];
specs.forEach(function (s) { try { got.push(require(s)); } catch (e) { got.push(e, Object.getPrototypeOf(e), e.constructor); } }); return got;`,
  },
  {
    name: 'module objects and module.require',
    body: `var m = require('path'); var got = [m, m.constructor, Object.getPrototypeOf(m)]; try { got.push(module); } catch (e) { got.push(e); } return got;`,
  },
  {
    name: 'exit with objects as the code',
    body: `var got = []; try { exit({ valueOf: ${CALLER}, [Symbol.toPrimitive]: ${CALLER} }); } catch (e) { got.push(e); } try { exit(Symbol('x')); } catch (e) { got.push(e); } return got;`,
  },
  {
    name: 'JSON with __proto__ and constructor keys (the input path)',
    body: `var i = JSON.parse('{"__proto__": {"polluted": 1}, "constructor": {"prototype": {"x": 1}}}'); var got = [i, i.__proto__, ({}).polluted, typeof input === 'undefined' ? null : input];
try { got.push(input.constructor.constructor('return process')()); } catch (e) { got.push(e); } return got;`,
  },
  {
    name: 'realm intrinsics replaced before the prelude formats, schedules and encodes',
    body: `var got = []; var spy = ${CALLER};
Array.prototype.push = spy; Array.prototype.join = spy; Array.prototype[Symbol.iterator] = spy; Object.defineProperty = spy; Object.keys = spy; Reflect.ownKeys = spy; Reflect.apply = spy;
JSON.stringify = spy; JSON.parse = spy; String.prototype.slice = spy; String.prototype.indexOf = spy; Map.prototype.get = spy; Map.prototype.set = spy; WeakMap.prototype.get = spy;
Promise.prototype.then = spy; Promise.resolve = spy; Function.prototype.call = spy; Function.prototype.apply = spy; Symbol.prototype.toString = spy; Error.prototype.toString = spy; Number.prototype.toString = spy;
console.log('x %s', 1, { a: [1, 2] }, new Map([[1, 2]])); clearTimeout(setTimeout(spy, 1)); try { require('path'); } catch (e) { got[got.length] = e; }
return [got, 1, 'two', { three: [3] }, new Map([[4, new Set([5])]]), new Error('six'), new Uint8Array([7])];`,
  },
  {
    name: 'Object.prototype accessors named like internal record fields',
    body: `var got = []; ['fn', 'args', 'ms', 'ref', 'repeat', 'kind', 'value', 'ok', 'location', 'state', 'module', 'exports', 'code', 'name', 'message', 'get', 'set', 'then'].forEach(function (k) {
  Object.defineProperty(Object.prototype, k, { get: function () { got.push(this, arguments.callee.caller); return undefined; }, set: ${CALLER}, configurable: true }); });
console.log({ a: 1 }); setTimeout(function () {}, 1); try { require('nope'); } catch (e) { got.push(e); }
var r = []; for (var i = 0; i < got.length; i++) r[i] = got[i]; return r;`,
  },
  {
    name: 'the global object made hostile: accessors, unscopables, a proxy prototype, frozen, intrinsics deleted',
    body: `var got = []; Object.defineProperty(globalThis, 'acc', { get: function () { got.push(this, arguments.callee.caller); return 1; }, configurable: true });
globalThis[Symbol.unscopables] = new Proxy({}, { get: function (t, k) { got.push(k); return false; } });
try { Object.setPrototypeOf(globalThis, new Proxy(Object.getPrototypeOf(globalThis), { get: function (t, k, r) { got.push(r, arguments.callee.caller); return Reflect.get(t, k, r); } })); } catch (e) { got.push(e); }
['Object', 'Array', 'JSON', 'Promise', 'Map', 'Set', 'WeakMap', 'Reflect', 'Symbol', 'String', 'Number', 'Math', 'Proxy'].forEach(function (k) { try { delete globalThis[k]; } catch (e) {} });
try { Object.freeze(globalThis); } catch (e) { got.push(e); }
console.log({ a: 1 }, acc); clearTimeout(setTimeout(function () {}, 1)); try { require('path'); } catch (e) { got.push(e); } try { notDefinedAnywhere; } catch (e) { got.push(e); }
got.push(Object.getOwnPropertyDescriptors(globalThis)); return got;`,
  },
]);

const atTheEdge = (call: string): string =>
  `var caught = []; function r(d) { try { r(d + 1); } catch (x) { try { ${call} } catch (y) { if (caught.length < 50) caught.push(y); } } } r(0); return caught;`;

escapeSuite(
  'every realm service called at stack exhaustion',
  [
    ['queueMicrotask', `queueMicrotask(function () {});`],
    ['clearTimeout', `clearTimeout(1);`],
    ['console.count', `console.count('x');`],
    ['console.log of objects and errors', `console.log({ a: [1, { b: 2 }] }, new Error('e'));`],
    ['eval', `eval('1');`],
    ['Function', `Function('return 1')();`],
    ['a metered typed array', `new Uint8Array([1, 2]);`],
    ['a metered ArrayBuffer slice', `new ArrayBuffer(4).slice(0);`],
    ['error stacks', `new Error('x').stack;`],
    ['promise reactions', `Promise.resolve(1).then(function () {});`],
  ].map(([name, call]) => ({ name: `${name} at stack exhaustion`, body: atTheEdge(call!) })),
);

describe('prelude services keep working after guest code breaks realm intrinsics', () => {
  const runner = new Runner({ isolation: 'worker', size: 1, warmRealms: 1, policy: { profile: 'strict', analysis: 'off' }, limits: { timeoutMs: 2000 } });
  after(() => runner.close());

  it('a hostile Promise species does not reach the prelude\u2019s own promises', async () => {
    const result = await runner.run(`Object.defineProperty(Promise.prototype, 'constructor', { get() { throw new Error('species read'); }, configurable: true });
Object.defineProperty(Promise, Symbol.species, { get() { throw new Error('species read'); }, configurable: true });
const out = []; queueMicrotask(() => out.push('micro'));
({ then(resolve) { setTimeout(() => resolve(out.join() + ':done'), 1); } })`);
    assertNoCanary(result);
    assert.equal(result.status, 'ok', JSON.stringify(result.error));
    assert.equal(result.value, 'micro:done');
  });

  it('a require loop does not hold the host past the time limit (repeats are answered in the worker)', async () => {
    const lines: string[] = [];
    const counted = new Runner({ isolation: 'worker', size: 1, warmRealms: 1, policy: { profile: 'strict', analysis: 'off' }, limits: { timeoutMs: 5000 }, verbose: (line: string) => lines.push(line) });
    try {
      const result = await counted.run(`let n = 0; for (let i = 0; i < 2000; i++) { try { require('fs'); } catch (e) { n++; } try { require('nope' + (i % 3)); } catch (e) { n++; } } n`);
      assert.equal(result.status, 'ok', JSON.stringify(result.error));
      assert.equal(result.value, 4000);
      assert.ok(lines.length <= 8, `the host served ${lines.length} requests`);
    } finally {
      await counted.close();
    }
  });

  it('replaced Array, JSON, Map and Reflect methods do not change what the host receives', async () => {
    const result = await runner.run(`Array.prototype.push = () => { throw new Error('push'); }; JSON.stringify = () => { throw new Error('stringify'); };
Map.prototype.forEach = () => { throw new Error('forEach'); }; Reflect.ownKeys = () => []; Object.prototype.toJSON = () => 'polluted';
console.log('out', [1]); [1, { a: 'b' }, new Map([[1, 2]])]`);
    assert.equal(result.status, 'ok', JSON.stringify(result.error));
    assert.deepEqual(result.value, [1, { a: 'b' }, new Map([[1, 2]])]);
    assert.equal(result.stdout, 'out [ 1 ]\n');
  });
});

describe('a kept realm: guest code of one call cannot change the settings of the next', () => {
  it('a replaced JSON.parse never sees the run settings (exit, granted globals, memory budget)', async () => {
    const executor = new Executor({ policy: { profile: 'strict', analysis: 'off' }, limits: { timeoutMs: 2000 }, isolation: 'worker' });
    try {
      const first = await executor.exec(`const realParse = JSON.parse; globalThis.seen = [];
JSON.parse = function (text) { seen.push(String(text)); const v = realParse(text); if (v && typeof v === 'object') { v.allowExit = true; v.globals = ['WebAssembly', 'FinalizationRegistry', 'process']; v.externalBytes = 1e15; v.ok = true; } return v; }; 1`);
      assert.equal(first.status, 'ok', JSON.stringify(first.error));
      const second = await executor.exec(`[typeof exit, typeof WebAssembly, typeof FinalizationRegistry, typeof process, seen.length]`);
      assertNoCanary(second);
      assert.equal(second.status, 'ok', JSON.stringify(second.error));
      assert.deepEqual(second.value, ['undefined', 'undefined', 'undefined', 'undefined', 0]);
      const third = await executor.exec(`try { new Uint8Array(80 * 1024 * 1024).length } catch (e) { e.code }`);
      assert.equal(third.status, 'memory-limit');
    } finally {
      await executor.close();
    }
  });
});
