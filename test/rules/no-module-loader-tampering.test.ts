import rule from '../../rules/no-module-loader-tampering.js';
import { ruleTester } from '../rule-tester.js';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../analyzer/engine.js';
import { resolvePolicy } from '../../policy/index.js';

/** Findings under a profile's own defaults (the tester sets severities explicitly, which disables lowering). */
function underProfile(code: string, profile: 'strict' | 'audit' | 'recommended'): string[] {
  const report = analyze(code, { filename: 'test.js', policy: resolvePolicy({ profile }), rules: [rule] });
  return report.findings.filter((f) => f.ruleId === rule.id).map((f) => `${f.messageId}:${f.severity}`);
}

describe('no-module-loader-tampering severities', () => {
  it('evicting a cache entry is a warning outside strict; replacing one is an error everywhere', () => {
    assert.deepEqual(underProfile("delete require.cache[require.resolve('./x')]", 'audit'), ['remove:warn']);
    assert.deepEqual(underProfile("delete require.cache[require.resolve('./x')]", 'recommended'), ['remove:warn']);
    assert.deepEqual(underProfile("delete require.cache[require.resolve('./x')]", 'strict'), ['remove:error']);
    assert.deepEqual(underProfile("require.cache[k].exports = fake", 'audit'), ['write:error']);
  });
});

ruleTester(rule, {
  valid: [
    "const cached = require.cache[require.resolve('./x')]",
    'Object.keys(require.cache).length',
    "module.exports = { a: 1 }",
    "module.exports.handler = () => {}",
    "exports.x = 1; Object.defineProperty(exports, '__esModule', { value: true })",
    "const Module = require('module'); const builtins = Module.builtinModules.slice()",
    'const cache = {}; cache[key] = value; delete cache[key]',
    'function f(require) { require.cache = {} }',
    'const loader = { extensions: {} }; loader.extensions[".txt"] = read',
    'myModule.prototype.require = function () {}',
    "const s = 'require.cache = {}'; // delete require.cache[k]",
    'if (require.main === module) main()',
    'const m = new Map(); m.set(k, require.extensions)',
  ],
  invalid: [
    { code: "delete require.cache[require.resolve('./config')]", errors: [{ messageId: 'remove', line: 1, column: 8 }] },
    { code: 'require.cache[id] = { exports: fake }', errors: [{ messageId: 'write', column: 1, message: 'require.cache' }] },
    { code: 'require.cache[id].exports = fake', errors: [{ messageId: 'write', column: 1 }] },
    { code: "require.extensions['.txt'] = (m, f) => m._compile(read(f), f)", errors: [{ messageId: 'write', column: 1, message: 'require.extensions' }] },
    { code: "const Module = require('module');\nModule.prototype.require = function (id) { return evil(id) }", errors: [{ messageId: 'write', line: 2, column: 1, message: 'Module.prototype' }] },
    { code: "const Module = require('module'); const load = Module._load; Module._load = (r, p, m) => load(r, p, m)", errors: [{ messageId: "write", column: 62, message: "Module._load" }] },
    { code: "require('module')._resolveFilename = resolve", errors: [{ messageId: 'write', column: 1 }] },
    { code: 'module.constructor._extensions[".js"] = hook', errors: [{ messageId: 'write', column: 1, message: 'Module._extensions' }] },
    { code: 'module.constructor.prototype._compile = wrap', errors: [{ messageId: 'write', column: 1 }] },
    { code: 'module.constructor.wrapper[0] += "evil();"', errors: [{ messageId: 'write', column: 1, message: 'Module.wrapper' }] },
    { code: "import Module from 'node:module'; Module.wrap = (s) => s", filename: 'a.mjs', errors: [{ messageId: 'write', column: 35 }] },
    { code: "Object.defineProperty(require('module').prototype, 'require', { value: fake })", errors: [{ messageId: 'write', column: 1 }] },
    { code: "Object.defineProperty(require, 'cache', { get: () => fake })", errors: [{ messageId: 'write', column: 1, message: 'require.cache' }] },
    { code: "Reflect.set(require.cache, key, fake)", errors: [{ messageId: 'write', column: 1 }] },
    { code: "Reflect.deleteProperty(require.cache, key)", errors: [{ messageId: 'remove', column: 1 }] },
    { code: "Object.assign(require.extensions, { '.evil': run })", errors: [{ messageId: 'write', column: 1 }] },
    { code: "const { Module } = require('module'); Module.globalPaths.unshift('/tmp/evil')", errors: [{ messageId: 'write', column: 39 }] },
    { code: 'const c = require.cache; for (const k in c) delete c[k]', errors: [{ messageId: 'remove', column: 52 }] },
    { code: "process.mainModule.require = evilRequire", errors: [{ messageId: 'write', column: 1 }] },
    { code: "require.main = fakeMain", errors: [{ messageId: 'write', column: 1 }] },
    { code: "({ x: require.cache[k] } = obj)", errors: [{ messageId: 'write', column: 7 }] },
    { code: "(require.cache as any)[k] = fake", filename: 'a.ts', errors: [{ messageId: 'write', column: 1 }] },
    { code: "import { register } from 'node:module'; register('./hooks.mjs', import.meta.url)", filename: 'a.mjs', errors: [{ messageId: 'hooks', column: 41 }] },
    { code: "require('module').registerHooks({ resolve })", errors: [{ messageId: 'hooks', column: 1 }] },
    { code: "delete require.cache[k]", profile: 'audit', errors: [{ messageId: 'remove', severity: 'error' }] },
    { code: "delete require.cache[k]", profile: 'recommended', errors: [{ messageId: 'remove', severity: 'error' }] },
  ],
});
