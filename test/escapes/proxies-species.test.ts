// Escapes through proxies, getters and Symbol.species handed to realm services (console, timers,
// require, the final value's await): every trap and getter runs realm-side with realm arguments,
// and the run's promise is awaited inside the realm, so nothing of the host is ever handed over.
import { escapeSuite } from './escape-harness.js';

escapeSuite('proxies, getters and Symbol.species', [
  {
    name: 'a thenable final value receives resolve functions',
    body: `return { then: function (resolve, reject) { resolve([resolve.constructor.constructor('return process')(), reject]); } };`,
  },
  {
    name: 'Symbol.species on a Promise subclass',
    body: `class P extends Promise { static get [Symbol.species]() { return function (executor) { executor(function () {}, function () {}); }; } }
var got = []; var p = P.resolve(1); p.then(function (v) { got.push(v); }); return Promise.resolve(p).then(function () { return got; });`,
  },
  {
    name: 'a Proxy given to console.log records every trap argument',
    body: `var got = [];
var handler = { get: function (t, k, r) { got.push(t, r); return undefined; }, getOwnPropertyDescriptor: function (t, k) { got.push(t); return undefined; },
  ownKeys: function (t) { got.push(t); return []; }, getPrototypeOf: function (t) { got.push(t); return null; }, has: function (t) { got.push(t); return false; } };
var p = new Proxy({}, handler); console.log(p); console.log('%o %s %d %j', p, p, p, p); console.error(p); console.dir(p); console.table(p);
return got;`,
  },
  {
    name: 'getters on logged objects see only realm values',
    body: `var got = []; var o = { get a() { got.push(arguments.callee.caller, this); return 1; } }; console.log(o); console.log(JSON.stringify(o)); return got;`,
  },
  {
    name: 'a Proxy as a timer callback',
    body: `return new Promise(function (resolve) { setTimeout(new Proxy(function () {}, { apply: function (t, self, args) { resolve([self, args, t]); } }), 0, 'a'); });`,
  },
  {
    name: 'Symbol.toPrimitive on a timer delay and a require specifier',
    body: `var got = []; var evil = { [Symbol.toPrimitive]: function (hint) { got.push(this, hint); return 1; } };
clearTimeout(setTimeout(function () {}, evil)); try { require(evil); } catch (e) { got.push(e); } return got;`,
  },
  {
    name: 'a thrown Proxy as the run error',
    body: `throw new Proxy(new Error('x'), { get: function (t, k, r) { return k === 'constructor' ? Function : t[k]; } });`,
  },
  {
    name: 'Function.prototype.call and apply hijacked before using services',
    body: `var got = []; var call = Function.prototype.call; Function.prototype.call = function () { got.push(this, arguments); return call.apply(this, arguments); };
Function.prototype.apply = function (self, args) { got.push(this, self, args); return undefined; };
console.log('x'); setTimeout(function () {}, 0); try { require('path'); } catch (e) { got.push(e); } return got;`,
  },
  {
    name: 'Symbol.hasInstance and Reflect hijacked',
    body: `var got = []; Object.defineProperty(Function.prototype, Symbol.hasInstance, { value: function (v) { got.push(this, v); return false; }, configurable: true });
Reflect.apply = function (f, self, args) { got.push(f, self, args); return undefined; }; console.log(new Error('e')); return got;`,
  },
  {
    name: 'Array species on values the realm formats',
    body: `var got = []; class A extends Array { static get [Symbol.species]() { return function () { got.push(arguments); return []; }; } }
var a = A.from([1, 2, 3]); console.log(a, a.map(function (x) { return x; })); return got;`,
  },
]);
