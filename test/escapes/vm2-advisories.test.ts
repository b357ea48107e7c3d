// The shapes of vm2's published sandbox escapes (GHSA advisories and issues, 2019-2023), written
// anew against airlock: each tries to turn something the sandbox hands back (an error, a promise, a
// call site, an inspect hook, a prototype method the sandbox relies on) into the host's Function.
import { escapeSuite } from './escape-harness.js';

escapeSuite('vm2 advisory shapes', [
  {
    name: 'CVE-2023-37466: Promise species with a stack overflow in an async function',
    body: `async function fn() { (function stack() { new Error().stack; stack(); })(); }
var got = 'none'; var p = fn();
p.constructor = { [Symbol.species]: class FakePromise { constructor(executor) { executor(function (x) { return x; }, function (err) { got = err.constructor.constructor('return process')(); }); } } };
p.then(); return new Promise(function (r) { setTimeout(function () { r(got); }, 20); });`,
    timeoutMs: 15000,
  },
  {
    name: 'CVE-2023-37903: a custom inspect function receives the host inspect options',
    body: `var got = []; var o = {}; o[Symbol.for('nodejs.util.inspect.custom')] = function (depth, options, inspect) { got.push(options, inspect); return 'x'; };
console.log(o); console.log(require('util').inspect(o)); return got;`,
  },
  {
    name: 'CVE-2023-32314: a Symbol error name read in an async function',
    body: `var err = new Error('x'); err.name = Symbol(); var f = async function () { return err.stack; };
return f().then(function (v) { return v; }, function (e) { return e.constructor.constructor('return process')(); });`,
  },
  {
    name: 'CVE-2023-30547: an exception raised from a name toString proxy',
    body: `var err = new Error(); err.name = { toString: new Proxy(function () { return ''; }, { apply: function (target, thiz, args) { throw args.constructor.constructor('return process')(); } }) };
try { err.stack; return 'no throw'; } catch (stk) { return stk; }`,
  },
  {
    name: 'CVE-2023-29199: a destructuring catch clause',
    body: `try { null.f(); } catch ({ constructor: c }) { return c.constructor('return process')(); }`,
  },
  {
    name: 'CVE-2023-29017: prepareStackTrace reached from an async function',
    body: `var frames; try { Error.prepareStackTrace = function (e, f) { frames = f; return ''; }; } catch (x) {}
async function aa() { eval('1=1'); }
return aa().catch(function () { return frames ? frames.constructor.constructor('return process')() : 'no frames'; });`,
  },
  {
    name: 'CVE-2022-36067: overriding the global Error object',
    body: `globalThis.OldError = globalThis.Error; try { globalThis.Error = {}; } catch (x) {}
var got; try { Error.prepareStackTrace = function (e, sst) { got = sst[0].getThis(); return ''; }; } catch (x) {}
try { null.x; } catch (e) { e.stack; } return got;`,
  },
  {
    name: 'CVE-2022-25893: WeakMap and Map methods the sandbox uses internally',
    body: `var got = []; var wset = WeakMap.prototype.set, wget = WeakMap.prototype.get, mset = Map.prototype.set, mget = Map.prototype.get;
WeakMap.prototype.set = function (k, v) { got.push(k, v); return wset.call(this, k, v); }; WeakMap.prototype.get = function (k) { got.push(k); return wget.call(this, k); };
Map.prototype.set = function (k, v) { got.push(k, v); return mset.call(this, k, v); }; Map.prototype.get = function (k) { got.push(k); return mget.call(this, k); };
var h = setTimeout(function () {}, 5); clearTimeout(h); console.count('c'); console.time('t'); console.timeEnd('t'); try { require('fs'); } catch (e) { got.push(e); }
return got;`,
  },
  {
    name: 'CVE-2021-23449: import() in the sandbox',
    body: `return import('./foo.js').then(function () { return 'loaded'; }, function (e) { return e.constructor.constructor('return process')(); });`,
  },
  {
    name: 'CVE-2019-10761: a host exception from a stack overflow at the boundary',
    body: `function f() { try { f(); } catch (e) { try { console.log(e); } catch (x) { return x; } } return undefined; }
var x = f(); return x === undefined ? 'none' : x.constructor.constructor('return process')();`,
  },
  {
    name: 'issue #186: this.constructor.constructor from the sandbox global',
    body: `return this.constructor.constructor('return this.process')();`,
  },
  {
    name: 'arguments.callee.caller walking up to host frames',
    body: `return new Promise(function (resolve) { setTimeout(function f() { resolve([f.caller, arguments.callee.caller]); }, 0); });`,
  },
  {
    name: 'a sandbox Buffer used as a constructor chain',
    body: `var B = require('buffer').Buffer; return B.from('x').constructor.constructor('return process')();`,
  },
  {
    name: '__defineGetter__ on Object.prototype to catch host receivers',
    body: `var got = []; Object.prototype.__defineGetter__('stack', function () { got.push(this); return ''; }); console.trace('t'); try { require('fs'); } catch (e) { got.push(e.stack); } return got;`,
  },
]);
