import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import rule from '../../rules/no-intrinsic-mutation.js';
import { ruleTester } from '../rule-tester.js';
import { analyze } from '../../analyzer/engine.js';

ruleTester(rule, {
  valid: [
    // React's createElement reuses a loop's array variable for Error.stackTraceLimit after the
    // loop: the write in the loop cannot see that later value.
    'function createElement(n) { for (var childArray = Array(n), _i = 0; _i < n; _i++) childArray[_i] = arguments[_i + 2]; use(childArray); childArray = Error.stackTraceLimit; Error.stackTraceLimit = 10; make(); Error.stackTraceLimit = childArray; }',
    // User-defined classes, constructor functions and objects.
    'class Foo {} Foo.prototype.bar = 1;',
    'function Bar() {} Bar.prototype.baz = function () {}; Bar.prototype.constructor = Bar;',
    'const proto = {}; proto.x = 1; Object.defineProperty(proto, "y", { value: 2 });',
    'Object.setPrototypeOf(child, Array.prototype);',
    'Object.assign(target, Array.prototype, { a: 1 });',
    'const copy = Object.defineProperty({}, "k", { value: 1 });',
    // Hardening is not mutation.
    'Object.freeze(Array.prototype); Object.freeze(Object.prototype);',
    // Globals of a library are not built-ins; stack-trace APIs are another rule's.
    'MyLib.prototype.extra = 1; jQuery.fn.plugin = function () {};',
    'Error.stackTraceLimit = 50; Error.prepareStackTrace = undefined;',
    // Shadowed names are local values.
    'function f(Array) { Array.prototype.x = 1; }',
    'const Object = makeThing(); Object.prototype.y = 2;',
    // Reads, strings and comments.
    'const map = Array.prototype.map; const s = "Array.prototype.x = 1"; // Object.prototype.y = 2',
    'const x = Array.prototype.slice.call(arguments);',
    // Calls produce new objects; writing to them is not a built-in mutation.
    'Array.from(x)[0] = 1; Object.keys(o).foo = 2;',
    // A constructor function extending its own prototype through this.constructor.
    'function Request() { for (const fn of keys) { this.constructor.prototype[fn] = Base.prototype[fn]; } }',
  ],
  invalid: [
    { code: 'Array.prototype.last = function () { return this[this.length - 1]; };', errors: [{ messageId: 'mutate', column: 1, message: '`Array.prototype` (its `last`)' }] },
    { code: 'Object.prototype.polluted = true;', errors: [{ messageId: 'mutate', column: 1 }] },
    { code: "''.constructor.prototype.shout = function () {};", errors: [{ messageId: 'mutate', column: 1, message: 'String.prototype' }] },
    { code: '[].__proto__.z = 3;', errors: [{ messageId: 'mutate', column: 1, message: 'Array.prototype' }] },
    { code: 'Object.getPrototypeOf([]).flat = f;', errors: [{ messageId: 'mutate', column: 1, message: 'Array.prototype' }] },
    { code: "Array.prototype['ma' + 'p'] = f;", errors: [{ messageId: 'mutate', column: 1, message: '`map`' }] },
    { code: 'Object.prototype[key] = value;', errors: [{ messageId: 'mutate', column: 1, message: 'cannot be resolved' }] },
    { code: 'const AP = Array.prototype;\nAP.q = 1;', errors: [{ messageId: 'mutate', line: 2, column: 1 }] },
    { code: 'Function.prototype.call = function () {};', errors: [{ messageId: 'mutate', column: 1 }] },
    { code: 'delete Promise.prototype.then;', errors: [{ messageId: 'mutate', column: 1, message: 'deletes' }] },
    { code: 'Array.prototype.count++;', errors: [{ messageId: 'mutate', column: 1 }] },
    { code: '[Array.prototype.map] = [f];', errors: [{ messageId: 'mutate', column: 2 }] },
    { code: "Object.defineProperty(Array.prototype, 'last', { get() { return 1; } });", errors: [{ messageId: 'mutate', column: 1, message: 'Object.defineProperty' }] },
    { code: 'Object.defineProperties(String.prototype, { a: { value: 1 } });', errors: [{ messageId: 'mutate', column: 1 }] },
    { code: 'Object.setPrototypeOf(Array.prototype, null);', errors: [{ messageId: 'mutate', column: 1, message: 're-parents' }] },
    { code: 'Object.assign(Array.prototype, { a: 1 });', errors: [{ messageId: 'mutate', column: 1 }] },
    { code: "Reflect.set(Array.prototype, 'x', 1);", errors: [{ messageId: 'mutate', column: 1 }] },
    { code: "Reflect.deleteProperty(Object.prototype, 'toString');", errors: [{ messageId: 'mutate', column: 1 }] },
    {
      code: "Reflect.apply(Object.defineProperty, null, [Object.prototype, 'get', { get() {} }]);",
      errors: [{ messageId: 'mutate', column: 1 }],
    },
    { code: "Array.prototype.__defineGetter__('x', f);", errors: [{ messageId: 'mutate', column: 1 }] },
    { code: "Object.prototype.__defineGetter__.call(Array.prototype, 'x', f);", errors: [{ messageId: 'mutate', column: 1 }] },
    { code: 'Object.getPrototypeOf(async function () {}).constructor.prototype.z = 1;', errors: [{ messageId: 'mutate', column: 1, message: 'AsyncFunction.prototype' }] },
    { code: 'Array = function () {};', errors: [{ messageId: 'replace', column: 1 }] },
    { code: 'globalThis.Promise = FakePromise;', errors: [{ messageId: 'replace', column: 1 }] },
    { code: 'window["Sym" + "bol"] = fake;', errors: [{ messageId: 'replace', column: 1, message: '`Symbol`' }] },
    {
      name: 'vm2: proxy traps inherited from a polluted Object.prototype',
      code: "Object.prototype.has = function (target) { stolen = target; return false; };\n'key' in hostProxy;",
      errors: [{ messageId: 'mutate', column: 1 }],
    },
    {
      name: 'vm2: getter on Object.prototype intercepting descriptor copies',
      code: "Object.defineProperty(Object.prototype, 'get', { get() { grab(this); return undefined; } });",
      errors: [{ messageId: 'mutate', column: 1 }],
    },
    {
      name: 'vm2: Function.prototype.__proto__ cut',
      code: 'Function.prototype.__proto__ = null;',
      errors: [{ messageId: 'mutate', column: 1 }],
    },
    {
      name: 'vm2: Symbol.hasInstance planted on a built-in',
      code: 'Object.defineProperty(Object.getPrototypeOf([]), Symbol.hasInstance, { value: () => false });',
      errors: [{ messageId: 'mutate', column: 1, message: 'cannot be resolved' }],
    },
    {
      name: 'vm2: bridge state leaked through an Array.prototype index setter',
      code: "Object.defineProperty(Array.prototype, 0, { set(v) { grab(v); } });",
      errors: [{ messageId: 'mutate', column: 1 }],
    },
    { code: 'Object.defineProperties(Function.prototype, { call: desc, apply: desc });', errors: [{ messageId: 'mutate', column: 1 }] },
    { code: 'function merge(t, k, v) { t.constructor.prototype[k] = v; }', errors: [{ messageId: 'indirect', column: 27 }] },
    { code: 'function pollute(o) { o.__proto__.isAdmin = true; }', errors: [{ messageId: 'indirect', column: 23 }] },
    { code: 'const o = {}; o.__proto__.isAdmin = true;', errors: [{ messageId: 'mutate', column: 15, message: 'Object.prototype' }] },
    { code: 'if (!Array.prototype.at) {\n  Array.prototype.at = function (i) { return this[i]; };\n}', errors: [{ messageId: 'polyfill', line: 2, column: 3 }] },
    { code: 'String.prototype.trimStart = String.prototype.trimStart || function () {};', errors: [{ messageId: 'polyfill', column: 1 }] },
    { code: 'Array.prototype.flat ??= function () {};', errors: [{ messageId: 'polyfill', column: 1 }] },
    { code: 'Array.prototype.x = 1;', profile: 'recommended', errors: [{ messageId: 'mutate', severity: 'error' }] },
    {
      name: 'vm2: a built-in reached through a symbol key',
      code: 'Object[Symbol.hasInstance].call = () => true;',
      errors: [{ messageId: 'mutate', column: 1 }],
    },
    {
      name: 'the globalThis polyfill that removes itself',
      code: [
        'function getGlobal() {',
        "  if (typeof globalThis !== 'undefined') return globalThis;",
        "  Object.defineProperty(Object.prototype, 'globalThis', {",
        '    get() { delete Object.prototype.globalThis; return (this.globalThis = this); },',
        '    configurable: true,',
        '  });',
        '}',
      ].join('\n'),
      errors: [
        { messageId: 'polyfill', line: 3, column: 3 },
        { messageId: 'polyfill', line: 4, column: 13 },
      ],
    },
    { code: '(Array.prototype as any).x = 1;', filename: 'a.ts', errors: [{ messageId: 'mutate', column: 1 }] },
  ],
});

describe('no-intrinsic-mutation severities by profile', () => {
  const severities = (code: string, profile: 'strict' | 'audit' | 'recommended') =>
    analyze(code, { filename: 'x.js', policy: { profile } }).findings.filter((f) => f.ruleId === 'no-intrinsic-mutation').map((f) => f.severity);
  it('keeps prototype writes errors everywhere', () => {
    for (const profile of ['strict', 'audit', 'recommended'] as const) assert.deepEqual(severities('Array.prototype.x = 1;', profile), ['error']);
  });
  it('lowers guarded polyfills and stubbed static helpers to warnings outside strict', () => {
    assert.deepEqual(severities('if (!Array.prototype.at) Array.prototype.at = f;', 'audit'), ['warn']);
    assert.deepEqual(severities('Date.now = () => 0;', 'audit'), ['warn']);
    assert.deepEqual(severities('Date.now = () => 0;', 'strict'), ['error']);
    assert.deepEqual(severities('Object.create = f;', 'audit'), ['error']);
  });
});
