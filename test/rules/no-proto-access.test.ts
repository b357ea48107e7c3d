import rule from '../../rules/no-proto-access.js';
import { ruleTester } from '../rule-tester.js';

ruleTester(rule, {
  valid: [
    'const dict = { __proto__: null, a: 1 };',
    'const o = { __proto__: { greet() {} } };',
    'const list = { __proto__: [] };',
    'const p = Object.getPrototypeOf(x); Object.setPrototypeOf(y, p);',
    'const o = Object.create(null);',
    // The shorthand and computed forms create an own property named __proto__, not a prototype.
    'const __proto__ = 1; const o = { __proto__ };',
    // Compiler helpers: get/setPrototypeOf fallbacks acting on their own parameters.
    'var extendStatics = Object.setPrototypeOf || ({ __proto__: [] } instanceof Array && function (d, b) { d.__proto__ = b; });',
    'function _getPrototypeOf(o) { return o.__proto__ || Object.getPrototypeOf(o); }',
    // Look-alikes: strings, comments, other names, guards against pollution keys.
    "for (const key in src) { if (key === '__proto__' || key === 'constructor') continue; dst[key] = src[key]; }",
    "const s = 'obj.__proto__'; // x.__defineGetter__('y')",
    'obj.proto = 1; obj.__protoCount = 2; obj._proto_ = 3;',
    'function f(__lookupGetter__) { return __lookupGetter__(1); }',
    'obj[key];',
    // Feature tests that only compare.
    'const hasProto = [].__proto__ === Array.prototype;',
  ],
  invalid: [
    { code: 'const hp = obj.__proto__.__proto__;', errors: [{ messageId: 'proto', column: 12, message: 'reads' }] },
    { code: 'x.__proto__ = evil;', errors: [{ messageId: 'proto', column: 1, message: 'sets' }] },
    { code: 'Function.prototype.__proto__ = null;', errors: [{ messageId: 'proto', column: 1 }] },
    { code: "x['__pro' + 'to__'] = y;", errors: [{ messageId: 'proto', column: 1, message: "folds to '__proto__'" }] },
    { code: 'const p = obj?.__proto__;', errors: [{ messageId: 'proto', column: 11 }] },
    { code: 'const p = (obj as any).__proto__;', filename: 'a.ts', errors: [{ messageId: 'proto', column: 11 }] },
    {
      name: 'vm2: __proto__ getter extracted and applied to host objects',
      code: "const lookup = Object.prototype.__lookupGetter__;\nconst protoOf = Reflect.apply(lookup, hostValue, ['__proto__']);\nconst hostProto = protoOf.call(hostFn);",
      errors: [{ messageId: 'accessor', line: 1, column: 16 }],
    },
    {
      name: 'vm2: getter planted on a host prototype',
      code: "Buffer.prototype.__defineGetter__('readUInt8', () => hook);",
      errors: [{ messageId: 'accessor', column: 1 }],
    },
    {
      name: 'vm2: Symbol.hasInstance planted with __defineGetter__',
      code: 'Object.__defineGetter__(Symbol.hasInstance, function () { return alwaysTrue; });',
      errors: [{ messageId: 'accessor', column: 1 }],
    },
    { code: "x.__lookupSetter__('y');", errors: [{ messageId: 'accessor', column: 1 }] },
    {
      code: "Object.prototype.__lookupGetter__.call(target, '__proto__');",
      errors: [{ messageId: 'accessor', column: 1 }],
    },
    { code: "__lookupGetter__('__proto__');", errors: [{ messageId: 'global', column: 1 }] },
    { code: 'const p = __proto__;', errors: [{ messageId: 'global', column: 11 }] },
    { code: 'const { __proto__: p } = x;', errors: [{ messageId: 'destructure', column: 9 }] },
    { code: 'const { __defineSetter__: ds } = {};', errors: [{ messageId: 'destructure', column: 9 }] },
    { code: 'const r = { __proto__: Base };', errors: [{ messageId: 'literal', column: 13 }] },
    { code: "const r = { '__proto__': Array.prototype };", errors: [{ messageId: 'literal', column: 13 }] },
    {
      code: "Object.getOwnPropertyDescriptor(Object.prototype, '__proto__').get.call(x);",
      errors: [{ messageId: 'reflect', column: 1 }],
    },
    { code: "Reflect.get(x, '__proto__');", errors: [{ messageId: 'reflect', column: 1 }] },
    { code: "Reflect.set(x, '__pro' + 'to__', evil);", errors: [{ messageId: 'reflect', column: 1 }] },
    {
      name: 'a setter polyfill shape that writes something other than its parameter',
      code: 'function f(d, b) { d.__proto__ = Function.prototype; }',
      errors: [{ messageId: 'proto', column: 20 }],
    },
  ],
});
