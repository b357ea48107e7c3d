// Escapes through prototypes and `__proto__`: walking up from the global object and from realm
// services, and poisoning the prototypes the realm's own services use (their internals must not
// surface, and nothing they reach may be the host's).
import { escapeSuite } from './escape-harness.js';

escapeSuite('prototypes and __proto__', [
  { name: 'this.__proto__.__proto__', body: `return this.__proto__.__proto__.constructor.constructor('return process')();` },
  {
    name: 'the top of the global prototype chain',
    body: `var o = this, top = o; while (o) { top = o; o = Object.getPrototypeOf(o); } return top.constructor.constructor('return process')();`,
  },
  { name: 'the __proto__ accessor on console', body: `return Object.getOwnPropertyDescriptor(this, '__proto__').get.call(console).constructor.constructor('return process')();` },
  { name: 'a null-prototype global', body: `Object.setPrototypeOf(this, null); return constructor.constructor('return process')();` },
  {
    name: 'array index setters capture internal lists',
    body: `var leaked = []; Object.defineProperty(Array.prototype, '0', { set: function (v) { leaked.push(this); }, configurable: true });
Object.defineProperty(Array.prototype, '1', { set: function (v) { leaked.push(this); }, configurable: true });
console.log('a', { b: 1 }, [2]); setTimeout(function () {}, 0, 'x', 'y'); try { Function('a', 'b', 'return 1'); } catch (e) {}
return leaked;`,
  },
  {
    name: 'Object.prototype accessor keys turn descriptors into accessors',
    body: `var seen = []; Object.defineProperty(Object.prototype, 'get', { get: function () { seen.push(this); return undefined; }, configurable: true });
Object.defineProperty(Object.prototype, 'value', { get: function () { seen.push(this); return undefined; }, configurable: true });
console.log({ a: 1 }); try { require('nope'); } catch (e) { seen.push(e); } return seen;`,
  },
  {
    name: 'Object.prototype.then makes internal records thenable',
    body: `var caught = []; Object.defineProperty(Object.prototype, 'then', { get: function () { caught.push(this); return undefined; }, configurable: true });
return Promise.resolve(1).then(function () { return caught; });`,
  },
  {
    name: 'toJSON on Array.prototype during value encoding',
    body: `var grabbed = []; Array.prototype.toJSON = function () { grabbed.push(this); return []; }; BigInt.prototype.toJSON = function () { grabbed.push(this); return 1; };
console.log([1n]); return grabbed;`,
  },
  {
    name: 'String.prototype Symbol.split and replace hooks',
    body: `var got = []; String.prototype[Symbol.split] = function () { got.push(this); return []; }; RegExp.prototype.exec = function () { got.push(this); return null; };
console.log('a\\nb', { 'x-y': 'q"z' }); console.group('g'); console.log('in\\nside'); console.groupEnd(); return got;`,
  },
]);
