import rule from '../../rules/no-host-callback-introspection.js';
import { ruleTester } from '../rule-tester.js';

ruleTester(rule, {
  valid: [
    // Ordinary proxy handlers forward to Reflect and call their target.
    'const p = new Proxy(target, { get(t, k, r) { return Reflect.get(t, k, r); }, apply(t, self, args) { return t(...args); } });',
    // Inert uses of a parameter's constructor.
    'promise.catch((err) => { if (err.constructor === TypeError) retry(); });',
    "try { run(); } catch (e) { console.log(e.constructor.name); }",
    "const o = { toJSON(key) { return key.constructor === String ? 'k' : 'x'; } };",
    // Documented custom inspect usage: calling the provided inspect and options.
    "const { inspect } = require('util');\nclass Box { [inspect.custom](depth, options, insp) { return insp(this.value, options); } }",
    // A plain function (not a host-invoked hook); constructor reads are no-constructor-escape's.
    'function plain(a) { return a.constructor.constructor; }',
    'items.map((x) => x.constructor.constructor);',
    // Methods named like traps on objects that are not proxy handlers.
    'const api = { get(url) { return url.constructor; }, apply(a) { return a.constructor; } };',
    // A stylize option that does not touch its `this`.
    'const theme = { stylize(text, style) { return colors[style](text); } };',
    // Getters that call their own helpers.
    'const o = { get total() { return sum(this.items); }, toString() { return format(this); } };',
  ],
  invalid: [
    {
      name: 'CVE-2023-32313: inspect context read through a stylize callback',
      code: [
        "const duck = { hexSlice() { return ''; }, slice: Buffer.prototype.slice, subarray: Buffer.prototype.inspect };",
        'duck.slice(0, { showProxy: true, stylize(s) { exfil(this.seen); return s; } });',
      ].join('\n'),
      errors: [{ messageId: 'hostThis', line: 2, column: 53 }],
    },
    {
      name: 'CVE-2023-32314: proxy apply trap receives the host argument list',
      code: [
        'const err = new Error();',
        'err.name = { toString: new Proxy(() => "", { apply(t, self, list) { return list.constructor.constructor("return process")(); } }) };',
        'try { err.stack; } catch (e) {}',
      ].join('\n'),
      errors: [{ messageId: 'climb', line: 2, column: 76 }],
    },
    {
      name: 'CVE-2023-37903: custom inspect method receives host inspect',
      code: "const sym = Symbol.for('nodejs.util.inspect.custom');\nconst o = { [sym](depth, opts, insp) { return insp.constructor('return process')(); } };",
      errors: [{ messageId: 'climb', line: 2, column: 47 }],
    },
    {
      code: "const { inspect } = require('util');\nconst o = { [inspect.custom](d, options) { return options.constructor.constructor; } };",
      errors: [{ messageId: 'climb', line: 2, column: 51 }],
    },
    {
      name: 'CVE-2023-29017: prepareStackTrace receives host frames',
      code: "Error.prepareStackTrace = (e, frames) => frames.constructor.constructor('return process')();",
      errors: [{ messageId: 'climb', column: 42, severity: 'error' }],
    },
    {
      name: 'vm2: CallSite getThis in prepareStackTrace',
      code: 'Error.prepareStackTrace = (err, sites) => sites.map((site) => site.getThis()).filter(Boolean);',
      errors: [{ messageId: 'callSite', column: 63 }],
    },
    {
      code: 'Error.prepareStackTrace = function (e, frames) { for (const f of frames) f.getFunction(); };',
      errors: [{ messageId: 'callSite', column: 74 }],
    },
    {
      name: 'CVE-2026-22709: promise rejection callback climbs the host error',
      code: "async function f() { const e = new Error(); e.name = Symbol(); return e.stack; }\nf().catch((h) => h.constructor.constructor('return process')());",
      errors: [{ messageId: 'climb', line: 2, column: 18 }],
    },
    {
      name: 'CVE-2023-30547: destructured catch parameter',
      code: "try { throw trap; } catch ({ constructor: c }) { c.constructor('return process')(); }",
      errors: [{ messageId: 'destructure', column: 30 }],
    },
    {
      name: 'vm2: catch clause climbing a host error',
      code: "try { boom(); } catch (e) { e.constructor.constructor('return process')(); }",
      errors: [{ messageId: 'climb', column: 29 }],
    },
    {
      name: 'vm2: Object.prototype index setter receives host state',
      code: "Object.defineProperty(Array.prototype, 0, { set(value) { value.arr.f.constructor.constructor('return process')(); } });",
      errors: [{ messageId: 'climb', column: 58 }],
    },
    {
      code: "const handler = { get(target, key) { return Object.getPrototypeOf(target); } };\nconst px = new Proxy({}, handler);",
      errors: [{ messageId: 'prototype', line: 1, column: 45 }],
    },
    {
      code: 'new Proxy({}, { getPrototypeOf(t) { return t.__proto__; } });',
      errors: [{ messageId: 'prototype', column: 44 }],
    },
    {
      code: "const thenable = { then(resolve) { resolve.constructor('return process')(); } };",
      errors: [{ messageId: 'climb', column: 36 }],
    },
    {
      code: 'const o = { toString(cb) { return cb(); } };',
      errors: [{ messageId: 'callParam', column: 35 }],
    },
    {
      code: 'const o = { valueOf() { return arguments[0](); } };',
      errors: [{ messageId: 'callParam', column: 32 }],
    },
    {
      code: "obj.__defineGetter__('x', function (h) { return h.constructor; });",
      errors: [{ messageId: 'climb', column: 49 }],
    },
    {
      code: 'const o = { [Symbol.toPrimitive](hint) { return hint.constructor.constructor; } };',
      errors: [{ messageId: 'climb', column: 49 }],
    },
  ],
});
