import rule from '../../rules/no-constructor-escape.js';
import { ruleTester } from '../rule-tester.js';

ruleTester(rule, {
  valid: [
    // Inert uses: compared, tested or named, never called or passed on.
    'if (value.constructor === Object) {}',
    'const isArr = a.constructor !== Array;',
    'const same = b instanceof a.constructor;',
    'console.log(err.constructor.name);',
    'const kind = typeof thing.constructor;',
    'if (x.constructor) {}',
    'const n = x.constructor && x.constructor.name;',
    'switch (node.constructor) { case Foo: break; default: break; }',
    'const ok = Object.getPrototypeOf(x) === x.constructor.prototype;',
    'const C = v.constructor; if (C === Object || C.name === "Plain") {}',
    {
      code: 'function isPlain(v) { const proto = Object.getPrototypeOf(v); const Ctor = proto.constructor; return typeof Ctor == "function" && Ctor instanceof Ctor; }',
      name: 'lodash-style plain-object check',
    },
    'const t = x?.constructor?.name;',
    // Definitions are not reads.
    'class A { constructor(a) { this.a = a; } }',
    'class B extends A { constructor() { super(1); } }',
    'const proto = { constructor: Foo, method() {} };',
    'Child.prototype = Object.create(Parent.prototype, { constructor: { value: Child } });',
    'Child.prototype.constructor = Child;',
    'function __() { this.constructor = d; } __.prototype = b.prototype;',
    // Class code making "another one of me" or reading its own statics.
    'class List { clone() { return new this.constructor(this.items); } }',
    'class Model { get table() { return this.constructor.tableName; } }',
    'class Model { save() { return this.constructor.db.insert(this); } }',
    'class A { #cache = this.constructor.defaults; }',
    // Words in strings and comments; other property names; a local named constructor.
    "const s = 'x.constructor.constructor'; // constructor.constructor",
    'obj.constructorName = 1; obj.constructors.push(x);',
    'function f(constructor) { return constructor(1); }',
    "const key = 'construct' + 'ion'; obj[key];",
    'obj[k];',
    // Reading Symbol.species is not defining it.
    'const S = Array[Symbol.species];',
  ],
  invalid: [
    {
      code: "const F = x.constructor.constructor;\nF('return process')();",
      errors: [{ messageId: 'read', line: 1, column: 11 }],
    },
    {
      name: 'the classic global climb',
      code: "this.constructor.constructor('return process')().mainModule.require('child_process');",
      errors: [{ messageId: 'read', line: 1, column: 1 }],
    },
    {
      name: 'vm2 #2: climbing a caught host error',
      code: "try { boom(); } catch (e) { const F = e.constructor.constructor; F('return process')(); }",
      errors: [{ messageId: 'read', column: 39 }],
    },
    {
      name: 'CVE-2023-30547: destructured constructor from a caught proxy',
      code: [
        'const bait = new Proxy({}, { getPrototypeOf() { return exhaustStack(); } });',
        'try { throw bait; } catch ({ constructor: Ctor }) { Ctor.constructor("return process")(); }',
      ].join('\n'),
      errors: [{ messageId: 'destructure', line: 2, column: 30 }],
    },
    {
      name: 'CVE-2023-29017: prepareStackTrace frames climbed',
      code: "Error.prepareStackTrace = (err, frames) => frames.constructor.constructor('return process')();\nasync function go() { null.x; }\ngo();",
      errors: [{ messageId: 'read', line: 1, column: 44 }],
    },
    {
      name: 'CVE-2023-32314: proxy apply trap climbs its arguments array',
      code: [
        'const err = new Error();',
        'err.name = { toString: new Proxy(() => "", { apply(t, self, list) { return list.constructor.constructor("return process")(); } }) };',
        'try { err.stack; } catch (out) { out; }',
      ].join('\n'),
      errors: [{ messageId: 'read', line: 2, column: 76 }],
    },
    {
      name: 'CVE-2023-37903: custom inspect receives a host inspect function',
      code: "const sym = Symbol.for('nodejs.util.inspect.custom');\nconst o = { [sym](depth, opts, insp) { return insp.constructor('return process')(); } };",
      errors: [{ messageId: 'read', line: 2, column: 47 }],
    },
    {
      name: 'CVE-2026-22709: rejected host error climbed in a catch callback',
      code: "async function f() { const e = new Error(); e.name = Symbol(); return e.stack; }\nf().catch((h) => h.constructor.constructor('return process')());",
      errors: [{ messageId: 'read', line: 2, column: 18 }],
    },
    {
      name: 'dynamic import promise climbed',
      code: "import('x').constructor.constructor('return process')();",
      filename: 'a.mjs',
      errors: [{ messageId: 'read', column: 1 }],
    },
    { code: "x['con' + 'structor']['constructor']('y');", errors: [{ messageId: 'read', column: 1, message: "folds to 'constructor'" }] },
    { code: "const k = ['con', 'struc', 'tor'].join('');\nconst F = f[k][k];", errors: [{ messageId: 'read', line: 2, column: 11 }] },
    { code: "const k = cond ? 'constructor' : 'name';\nf[k];", errors: [{ messageId: 'read', line: 2, column: 1 }] },
    { code: 'const o = x?.constructor?.constructor;', errors: [{ messageId: 'read', column: 11 }] },
    { code: 'const F = (x as any).constructor.constructor;', filename: 'a.ts', errors: [{ messageId: 'read', column: 11 }] },
    { code: 'const C = v.constructor;\nC("return this")();', errors: [{ messageId: 'read', line: 1, column: 11 }] },
    { code: 'const { constructor: C } = fn;', errors: [{ messageId: 'destructure', column: 9 }] },
    { code: 'const { constructor: { constructor: F } } = fn;', errors: [{ messageId: 'destructure', column: 9 }] },
    { code: 'let C; ({ constructor: C } = fn);', errors: [{ messageId: 'destructure', column: 11 }] },
    { code: "const { ['const' + 'ructor']: C } = fn;", errors: [{ messageId: 'destructure', column: 9 }] },
    { code: 'function f({ constructor: c }) { return c; }', errors: [{ messageId: 'destructure', column: 14 }] },
    { code: "Reflect.get(fn, 'constructor')('return process')();", errors: [{ messageId: 'reflect', column: 1 }] },
    { code: "Reflect.apply(Reflect.get, null, [fn, 'constructor']);", errors: [{ messageId: 'reflect', column: 1, message: 'Reflect.apply' }] },
    {
      code: "Object.getOwnPropertyDescriptor(Function.prototype, 'constructor').value('return process')();",
      errors: [{ messageId: 'reflect', column: 1 }],
    },
    {
      name: 'descriptor extraction through Object.entries',
      code: "const d = Object.getOwnPropertyDescriptors(Function.prototype);\nconst F = Object.entries(d).find((e) => e[0] === 'constructor');",
      errors: [{ messageId: 'descriptors', line: 1, column: 11 }],
    },
    { code: "constructor.constructor('return this')();", errors: [{ messageId: 'global', column: 1 }] },
    {
      name: 'a class method climbing further than its own statics',
      code: 'class A { m() { return this.constructor.constructor; } }',
      errors: [{ messageId: 'read', column: 24 }],
    },
    { code: 'class A { m() { return this.constructor.call; } }', errors: [{ messageId: 'read', column: 24 }] },
    { code: 'class A { static s() { return this.constructor; } }', errors: [{ messageId: 'read', column: 31 }] },
    { code: 'function g() { return new this.constructor("return 1"); }', errors: [{ messageId: 'read', column: 27 }] },
    {
      name: 'CVE-2023-37466: promise species hijack',
      code: [
        'const p = work();',
        'p.constructor = {',
        '  [Symbol.species]: class Fake { constructor(run) { run((v) => v, (e) => e); } },',
        '};',
        'p.then();',
      ].join('\n'),
      errors: [
        { messageId: 'write', line: 2, column: 1 },
        { messageId: 'species', line: 3, column: 3 },
      ],
    },
    {
      name: 'species getter on a Promise subclass',
      code: 'class X extends Promise { static get [Symbol.species]() { return Fake; } }',
      errors: [{ messageId: 'species', column: 27 }],
    },
    {
      name: 'array species self-return',
      code: 'function x() { return r; }\nx[Symbol.species] = x;\nr.constructor = x;',
      errors: [
        { messageId: 'species', line: 2, column: 1 },
        { messageId: 'write', line: 3, column: 1 },
      ],
    },
    {
      name: 'constructor getter TOCTOU',
      code: "Object.defineProperty(p, 'constructor', { get() { return next(); } });",
      errors: [{ messageId: 'write', column: 1 }],
    },
    {
      code: 'Object.defineProperty(C, Symbol.species, { get: () => Fake });',
      errors: [{ messageId: 'species', column: 1 }],
    },
    { code: "const S = Symbol.species;\nconst o = { [S]: Fake };", errors: [{ messageId: 'species', line: 2, column: 13 }] },
  ],
});
