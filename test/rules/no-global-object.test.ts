import rule from '../../rules/no-global-object.js';
import { ruleTester } from '../rule-tester.js';

ruleTester(rule, {
  valid: [
    // Ordinary globals used by name.
    "Math.max(1, 2); JSON.parse('{}'); console.log('x'); setTimeout(run, 10);",
    // Feature tests read only a type string.
    "if (typeof window !== 'undefined') { render(); }",
    "const isNode = typeof global === 'object' && typeof globalThis === 'object';",
    // Shadowed names and look-alike properties.
    'function draw(window) { return window.width; }',
    'const self = this; export default self;',
    'const top = 10; const parent = node.parent; const frames = [];',
    'obj.window = 1; obj.global.x = 2; state.self = state;',
    "const s = 'globalThis.process'; // window.fetch",
    // `this` in modules, methods, classes, strict functions and arrows inside them.
    { code: 'export const f = () => this;', filename: 'a.mjs' },
    'const o = { m() { return this.x; } }; class A { m() { return this; } }',
    "function Ctor() { this.x = 1; } (function () { 'use strict'; return this; })();",
    '(function () { return this; }).call(obj);',
    // A named sloppy function only ever constructed or called as a method keeps its own `this`.
    'function Point(x) { this.x = x; } const p = new Point(1); Point.prototype.get = function () { return this.x; };',
    "function f() { 'use strict'; return this; } f();",
    'const o = { f() { return this.x; } }; o.f(); const b = o.f.bind(o); b();',
    // Callbacks given a receiver (thisArg), or handed to libraries that choose one (jQuery).
    "$('input').filter(function () { return this.checked; }); [1, 2].map(function (x) { return x * this.k; }, { k: 2 });",
    // A Function body that does not return the global object.
    "const f = Function('a', 'return a + 1'); f(2);",
  ],
  invalid: [
    { code: 'globalThis.fetch(url);', errors: [{ messageId: 'name', column: 1 }] },
    { code: 'const d = window.document;', errors: [{ messageId: 'name', column: 11 }] },
    { code: 'self.postMessage(1);', errors: [{ messageId: 'name', column: 1 }] },
    { code: "global['pro' + 'cess'];", errors: [{ messageId: 'name', column: 1 }] },
    { code: 'const g = frames; const t = top; const p = parent;', errors: [{ messageId: 'name', column: 11 }, { messageId: 'name', column: 29 }, { messageId: 'name', column: 44 }] },
    { code: 'const g = window?.self;', errors: [{ messageId: 'name', column: 11 }] },
    { code: 'this.leak = secret;', errors: [{ messageId: 'this', column: 1, message: 'top level' }] },
    { code: '(function (root) { root.Lib = 1; })(this);', errors: [{ messageId: 'this', column: 37 }] },
    { code: 'const g = (function () { return this; })();', errors: [{ messageId: 'this', column: 33, message: 'sloppy-mode' }] },
    { code: 'const g = (function () { return this; }).call(null);', errors: [{ messageId: 'this', column: 33 }] },
    { code: "const g = Function('return this')();", errors: [{ messageId: 'result', column: 11 }] },
    // A named sloppy function called without a receiver anywhere: its `this` is the global object.
    { code: 'function f() { return this; }\nconst g = f();', errors: [{ messageId: 'this', line: 1, column: 23, message: 'sloppy-mode' }] },
    { code: 'const f = function () { return this.process; };\n(0, f)();', errors: [{ messageId: 'this', line: 1, column: 32 }] },
    { code: 'const f = function () { return this; };\nf.call(undefined);', errors: [{ messageId: 'this', line: 1, column: 32 }] },
    { code: 'const g = Reflect.apply(function () { return this; }, undefined, []);', errors: [{ messageId: 'this', column: 46 }] },
    { code: 'function f() { const get = () => this; return get(); }\nf();', errors: [{ messageId: 'this', line: 1, column: 34 }] },
    // Callbacks that built-ins call without a receiver.
    { code: '[1].map(function () { return this; })[0].process;', errors: [{ messageId: 'this', column: 30 }] },
    { code: "Promise.resolve().then(function () { return this; });\n'abc'.replace(/b/, function () { return this; });", errors: [{ messageId: 'this', line: 1, column: 45 }, { messageId: 'this', line: 2, column: 41 }] },
    // A sloppy method taken off its object and called bare.
    { code: 'const o = { f() { return this; } };\nconst h = o.f;\nh().process;', errors: [{ messageId: 'this', line: 1, column: 26 }] },
    { code: 'const o = { f: function () { return this; } };\nconst { f } = o;\nf();', errors: [{ messageId: 'this', line: 1, column: 37 }] },
    { code: 'const o = { f() { return this; } };\n(0, o.f)();', errors: [{ messageId: 'this', line: 1, column: 26 }] },
    { code: "const g = new Function('return globalThis')();", errors: [{ messageId: 'result', column: 11 }] },
    { code: "const make = Function('return this');\nconst g = make();", errors: [{ messageId: 'result', line: 2, column: 11 }] },
    { code: "const g = Function('return this').call();", errors: [{ messageId: 'result', column: 11 }] },
    { code: "const g = (0, eval)('this');", errors: [{ messageId: 'result', column: 11 }] },
    {
      name: 'vm2: global climb through __proto__',
      code: "global.__proto__.constructor.constructor('return this')();",
      errors: [{ messageId: 'result', column: 1 }, { messageId: 'name', column: 1 }],
    },
    { code: 'const g = (globalThis as any).x;', filename: 'a.ts', errors: [{ messageId: 'name', column: 12 }] },
  ],
});
