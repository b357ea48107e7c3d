// Escapes through constructor chains: from anything the realm can reach, `.constructor.constructor`
// is a Function constructor; it must always be the realm's own, never the host's.
import { escapeSuite } from './escape-harness.js';

escapeSuite('constructor chains', [
  { name: 'this.constructor.constructor', body: `return this.constructor.constructor('return process')();` },
  { name: 'globalThis.constructor.constructor', body: `return globalThis.constructor.constructor('return process')();` },
  { name: 'bare inherited name on the global', body: `return constructor.constructor('return process')();` },
  { name: 'bare toString on the global', body: `return toString.constructor('return process')();` },
  { name: 'valueOf() of the global', body: `return valueOf.call(this).constructor.constructor('return process')();` },
  { name: 'console.log.constructor', body: `return console.log.constructor('return process')();` },
  { name: 'console object constructor chain', body: `return console.constructor.constructor('return process')();` },
  { name: 'setTimeout.constructor', body: `return setTimeout.constructor('return process')();` },
  { name: 'a timer handle', body: `var h = setTimeout(function () {}, 0); clearTimeout(h); return h.constructor.constructor('return process')();` },
  { name: 'queueMicrotask.constructor', body: `return queueMicrotask.constructor('return process')();` },
  { name: 'require.constructor', body: `return require.constructor('return process')();` },
  { name: 'an import gateway error', body: `try { require('fs'); } catch (e) { return e.constructor.constructor('return process')(); }` },
  { name: 'the async function constructor', body: `return (async function () {}).constructor('return process')();` },
  { name: 'the generator function constructor', body: `return Object.getPrototypeOf(function* () {}).constructor('return process')().next().value;` },
  { name: 'Reflect.construct(Function)', body: `return Reflect.construct(Function, ['return process'])();` },
  { name: 'Function through bind', body: `return Function.prototype.bind.call(Function, null, 'return process')()();` },
  { name: 'the Function constructor from a method', body: `return [].map.constructor('return process')();` },
  { name: 'inherited names after deleting the shadows', body: `delete this.constructor; delete this.toString; return this.constructor.constructor('return process')();` },
  { name: 'a with statement over the global', body: `with (this) { return constructor.constructor('return process')(); }` },
  { name: '__lookupGetter__ on the global', body: `return __lookupGetter__('__proto__').call(this).constructor.constructor('return process')();` },
  { name: 'Function with a computed key', body: `var k = 'const' + 'ructor'; return this[k][k]('return process')();` },
]);
