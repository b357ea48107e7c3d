import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import rule from '../../rules/no-stack-introspection.js';
import { ruleTester } from '../rule-tester.js';
import { analyze } from '../../analyzer/engine.js';

ruleTester(rule, {
  valid: [
    // Reading the limit, ordinary `.stack`, errors with string names.
    'const limit = Error.stackTraceLimit; const s = new Error().stack;',
    "class AppError extends Error { constructor(m) { super(m); this.name = 'AppError'; } }",
    // captureStackTrace outside the strict profile.
    { code: 'class E extends Error { constructor() { super(); Error.captureStackTrace(this, E); } }', profile: 'audit' },
    { code: 'Error.captureStackTrace(this);', profile: 'recommended' },
    // `.arguments` and `.caller` on data.
    'const n = node.arguments.length; cmd.arguments.push(x);',
    { code: 'const who = call.caller;', profile: 'audit' },
    "const info = { caller: 'bob' }; info.caller; const list = [1]; list.arguments;",
    { code: 'function h(cb) { return cb.caller; }', profile: 'audit' },
    // The local `arguments` object itself, and properties with other names.
    'function f() { return arguments.length + arguments[0]; }',
    'obj.callee = 1; const { callee } = call;',
    // Symbols as ordinary data.
    "const id = Symbol('id'); obj[id] = 1; const Kinds = { name: 'kind' };",
    "const s = 'Error.prepareStackTrace = f'; // arguments.callee",
  ],
  invalid: [
    {
      name: 'CVE-2023-29017: prepareStackTrace with an async host error',
      code: "Error.prepareStackTrace = (e, frames) => frames.constructor.constructor('return process')();\n(async () => { null.x; })();",
      errors: [{ messageId: 'prepare', column: 1 }],
    },
    {
      name: 'vm2: CallSite getThis harvesting',
      code: 'Error.prepareStackTrace = (err, sites) => sites.map((site) => site.getThis()).filter(Boolean);\nconst { stack } = new Error();',
      errors: [{ messageId: 'prepare', column: 1 }],
    },
    {
      name: 'CVE-2022-36067: Error replaced by an object carrying prepareStackTrace',
      code: 'const Saved = Error;\nglobalThis.Error = { prepareStackTrace: (e, frames) => frames };\nconst trace = new Saved().stack;',
      errors: [{ messageId: 'prepare', line: 2, column: 22 }],
    },
    { code: 'const p = Error.prepareStackTrace;', errors: [{ messageId: 'prepare', column: 11 }] },
    { code: "Error['prepare' + 'StackTrace'] = hook;", errors: [{ messageId: 'prepare', column: 1 }] },
    { code: 'const E = Error;\nE.prepareStackTrace = hook;', errors: [{ messageId: 'prepare', line: 2, column: 1 }] },
    { code: "Reflect.set(Error, 'prepareStackTrace', hook);", errors: [{ messageId: 'prepare', column: 1 }] },
    { code: "Object.defineProperty(Error, 'prepareStackTrace', { value: hook });", errors: [{ messageId: 'prepare', column: 1 }] },
    { code: 'const { prepareStackTrace: old } = Error;', errors: [{ messageId: 'prepare', column: 9 }] },
    { code: 'globalThis.Error = class extends Error { static prepareStackTrace(e, s) { return s; } };', errors: [{ messageId: 'prepare', column: 42 }] },
    { code: 'Error.captureStackTrace(target);', errors: [{ messageId: 'capture', column: 1 }] },
    { code: 'const { captureStackTrace } = Error;', errors: [{ messageId: 'capture', column: 9 }] },
    { code: 'Error.stackTraceLimit = Infinity;', errors: [{ messageId: 'limit', column: 1 }] },
    { code: "Object.defineProperty(Error, 'stackTraceLimit', { value: 0 });", errors: [{ messageId: 'limit', column: 1 }] },
    {
      name: 'vm2: arguments.callee.caller',
      code: '(function () { return arguments.callee.caller; })();',
      errors: [{ messageId: 'callee', column: 23 }],
    },
    { code: 'function f() { return arguments.caller; }', errors: [{ messageId: 'callee', column: 23 }] },
    { code: 'function f() { const { callee } = arguments; return callee; }', errors: [{ messageId: 'callee', column: 24 }] },
    { code: 'function exploit() { return exploit.caller.constructor; }', errors: [{ messageId: 'caller', column: 29 }] },
    { code: 'function f() { return f.arguments[0]; }', errors: [{ messageId: 'fnArguments', column: 23 }] },
    { code: 'function h(cb) { return cb.caller; }', errors: [{ messageId: 'caller', column: 25 }] },
    { code: "Reflect.get(fn, 'caller');", errors: [{ messageId: 'caller', column: 1 }] },
    { code: "Object.getOwnPropertyDescriptor(Function.prototype, 'caller');", errors: [{ messageId: 'caller', column: 1 }] },
    { code: 'const c = (() => {}).caller;', errors: [{ messageId: 'caller', column: 11 }] },
    {
      name: 'the host-error generation primitive',
      code: 'const e = new Error();\ne.name = Symbol();\ne.stack;',
      errors: [{ messageId: 'symbolName', line: 2, column: 1 }],
    },
    { code: "const s = Symbol.for('x');\nerr.name = s;", errors: [{ messageId: 'symbolName', line: 2, column: 1 }] },
    { code: "Object.defineProperty(e, 'name', { value: Symbol('x') });", errors: [{ messageId: 'symbolName', column: 1 }] },
    { code: 'class E extends Error { name = Symbol(); }', errors: [{ messageId: 'symbolName', column: 25 }] },
    { code: "const util = require('util');\nutil.getCallSites();", errors: [{ messageId: 'callSites', line: 2, column: 1 }] },
    { code: 'function f() { return arguments.callee; }', profile: 'recommended', errors: [{ messageId: 'callee', column: 23 }] },
  ],
});

describe('no-stack-introspection severities by profile', () => {
  const findings = (code: string, profile: 'audit' | 'recommended') =>
    analyze(code, { filename: 'x.js', policy: { profile } }).findings.filter((f) => f.ruleId === 'no-stack-introspection');
  it('raises arguments.callee and .caller to errors in recommended', () => {
    const found = findings('function f() { return arguments.callee; }', 'recommended');
    assert.deepEqual(found.map((f) => f.severity), ['error']);
  });
  it('keeps prepareStackTrace a warning in recommended and audit', () => {
    assert.deepEqual(findings('Error.prepareStackTrace = f;', 'recommended').map((f) => f.severity), ['warn']);
    assert.deepEqual(findings('Error.prepareStackTrace = f;', 'audit').map((f) => f.severity), ['warn']);
  });
});
