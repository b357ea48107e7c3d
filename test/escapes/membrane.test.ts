// Escapes through near-membrane's own code in the realm. The membrane replaces the realm's reflective
// functions (Reflect.defineProperty, Reflect/Object.getOwnPropertyDescriptor(s), __define/lookup
// Getter/Setter__) with proxies that ask the host side about lazily remapped properties, through
// WeakMaps whose `get` is read from the realm's WeakMap.prototype at call time. A guest that
// replaced it saw every object the prelude inspected and, by answering with a function, had the host
// side call guest code as a membrane "pointer". With an empty global shape nothing is remapped, so
// the worker puts the original functions back before the prelude runs.
import { escapeSuite } from './escape-harness.js';

/** Returns a process-like object (which the detector reports) when a hook saw membrane traffic. */
const HOOKED = `if (calls > 0) return { pid: calls, seen: seen };`;

escapeSuite('near-membrane internals in the realm', [
  {
    name: 'WeakMap.prototype.get answers the membrane with a pointer function',
    body: `var RA = Reflect.apply, orig = WeakMap.prototype.get, calls = 0, seen = [], M = {};
function ptr() { calls++; seen.push(this, ptr.caller); }
WeakMap.prototype.get = function (k) { calls++; seen.push(this, k); return k === M ? ptr : RA(orig, this, [k]); };
Object.getOwnPropertyDescriptor(M, 'x'); Reflect.getOwnPropertyDescriptor(M, 'x'); Object.getOwnPropertyDescriptors(M); Reflect.defineProperty(M, 'y', { value: 1 });
M.__lookupGetter__('x'); M.__lookupSetter__('x'); M.__defineGetter__('g', function () {}); M.__defineSetter__('s', function () {});
console.log(M, new Error('e')); try { require('fs'); } catch (e) {} queueMicrotask(function () {});
WeakMap.prototype.get = orig; ${HOOKED} return seen;`,
  },
  {
    name: 'WeakMap, WeakSet and Map methods replaced while the prelude encodes and reports',
    body: `var calls = 0, seen = []; var spy = function () { calls++; seen.push(this, arguments[0]); return undefined; };
['get', 'set', 'has', 'delete'].forEach(function (k) { WeakMap.prototype[k] = spy; Map.prototype[k] = spy; }); ['add', 'has', 'delete'].forEach(function (k) { WeakSet.prototype[k] = spy; Set.prototype[k] = spy; });
var o = { a: [1, 2], e: new Error('x') }; Object.getOwnPropertyDescriptor(o, 'a'); console.log(o); clearTimeout(setTimeout(function () {}, 1)); try { require('nope'); } catch (e) {}
${HOOKED} return [o, seen];`,
  },
  {
    name: 'the global reflective functions are the realm\u2019s own, not membrane proxies reaching the host',
    body: `var fns = [Object.getOwnPropertyDescriptor, Reflect.getOwnPropertyDescriptor, Object.getOwnPropertyDescriptors, Reflect.defineProperty, ({}).__lookupGetter__, ({}).__lookupSetter__, ({}).__defineGetter__, ({}).__defineSetter__];
return fns.map(function (f) { return [f, f.constructor, Object.getPrototypeOf(f), f.call, Function.prototype.toString.call(f)]; });`,
  },
]);
