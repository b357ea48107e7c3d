// Escapes through the module loader: import() (which Node resolves with the host's own loader, also
// from code compiled by eval and the function constructors), require of host built-ins, and paths.
// Everything must go through the import gateway, which grants only what the policy allows.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Runner } from '../../executor/executor.js';
import { MemoryHooks } from '../../executor/hooks/index.js';
import { assertNoCanary, escapeSuite } from './escape-harness.js';
import type { RunResult } from '../../executor/types.js';

const refusedBy = (pattern: RegExp) => (result: RunResult) => {
  assert.equal(result.status, 'ok');
  assert.match(String(result.value), /^contained:/);
  void pattern;
};

escapeSuite('import(), require and the module loader', [
  { name: 'import() of fs', body: `return import('fs');` },
  { name: 'import() of node:process', body: `return import('node:process').then(function (m) { return m.default; });` },
  { name: 'import() of a data: URL', body: `return import('data:text/javascript,export default process');` },
  { name: 'import() inside eval', body: `return eval("import('fs')");` },
  { name: 'import() inside Function', body: `return Function("return import('fs')")();` },
  { name: 'import() inside the async function constructor', body: `return (async function () {}).constructor("return import('node:fs')")();` },
  {
    name: 'import() from Function called with no script on the stack',
    body: `return new Promise(function (r) { setTimeout(r, 1); }).then(function () { return Function("return import('node:process')")(); }).then(function (m) { return m.default; });`,
  },
  { name: 'import() with a comment between', body: `return eval("import/**/('fs')");` },
  { name: 'import.meta inside eval', body: `return eval('import.meta');` },
  // Unicode whitespace around the keyword: the engine reads `\u00A0import(` as an import, a scan
  // that took every non-ASCII character for part of a name did not. Without an import() callback on
  // the script that called eval, Node rejected with a host TypeError (its constructor chain: process).
  {
    name: 'import() after a no-break space inside eval',
    body: `return eval('\\u00A0import("node:process")').then(function (m) { return m.default; }, function (e) { return e.constructor.constructor('return process')(); });`,
  },
  {
    name: 'import() before a byte-order mark inside Function',
    body: `return Function('return import\\uFEFF("node:fs")')().catch(function (e) { return e.constructor.constructor('return process')(); });`,
  },
  // The referrer of code that eval compiles from a promise job (no script on the stack) is the realm
  // itself (Node's context-level import() callback).
  { name: 'import() in code eval compiles from a promise job', body: `return Promise.resolve("import('node:process')").then(eval).then(function (m) { return m.default; });` },
  {
    name: 'import() after a no-break space in code Function compiles from a promise job',
    body: `return Promise.resolve('return \\u00A0import("node:process")').then(Function).then(function (f) { return f(); }).then(function (m) { return m.default; }, function (e) { return e.constructor.constructor('return process')(); });`,
  },
  {
    name: 'import() after a line separator inside the async function constructor',
    body: `return (async function () {}).constructor('return await 1,\\u2028import("node:fs")')().catch(function (e) { return e.constructor.constructor('return process')(); });`,
  },
  { name: 'require of fs', body: `return require('fs');`, check: refusedBy(/IMPORT_DENIED/) },
  { name: 'require of node:child_process', body: `return require('node:child_process');` },
  { name: 'require of module (createRequire)', body: `return require('module').createRequire('/')('fs');` },
  { name: 'require of process', body: `return require('process');` },
  { name: 'require of vm', body: `return require('vm').runInThisContext('process');` },
  { name: 'require of worker_threads', body: `return require('worker_threads');` },
  { name: 'require of inspector and v8', body: `try { return require('inspector'); } catch (e) { return require('v8'); }` },
  { name: 'require of net, http and dns', body: `try { return require('net'); } catch (e) { try { return require('http'); } catch (e2) { return require('dns'); } }` },
  { name: 'require with a computed specifier', body: `var m = ['f', 's'].join(''); return require(m);` },
  { name: 'require of an absolute host path', body: `return require('/etc/passwd');` },
  { name: 'require of a path out of the root', body: `return require('../../../../../../etc/passwd');` },
  { name: 'module.require and process.mainModule', body: `return module.require('fs');` },
  { name: 'process.mainModule.require', body: `return process.mainModule.require('fs');` },
]);

describe("a granted module's require is not reachable through caller.arguments", () => {
  // A sloppy module wrapper's parameters could be read by any function it called: a getter the guest
  // put on Object.prototype, read by a granted package while it loaded, walked `caller` up to the
  // wrapper and took its `require` (or `module.require`), which loads with the package's grant (any
  // dependency), trust (gate 1's trusted profile) and hooks.
  const PROBE = `var got = []; Object.defineProperty(Object.prototype, 'airlockProbe', { configurable: true, get: function probe() {
  for (var c = probe.caller, d = 0; c && d < 8; d++, c = c.caller) { try { var a = c.arguments; if (a) for (var i = 0; i < a.length; i++) if (a[i]) got.push(a[i]); } catch (e) {} } return 'x'; } });
function useCaptured(spec) { var out = []; got.forEach(function (x) { var req = typeof x === 'function' ? x : x && x.require; if (typeof req === 'function') { try { out.push(req(spec)); } catch (e) { out.push(e.code); } } }); return out; }\n`;
  const hooks = new MemoryHooks({
    'node_modules/granted/index.js': "var o = {}; module.exports = 'granted:' + o.airlockProbe;",
    'node_modules/secret/index.js': "module.exports = 'secret loaded';",
  });
  const runner = new Runner({ isolation: 'worker', size: 1, warmRealms: 1, hooks, policy: { profile: 'strict', analysis: 'off', modules: { allow: ['granted', 'util'] } }, limits: { timeoutMs: 3000 } });
  after(() => runner.close());

  it('from a package the hooks serve', async () => {
    const result = await runner.run(`${PROBE}var g = require('granted'); delete Object.prototype.airlockProbe; [g, useCaptured('secret')]`);
    assertNoCanary(result);
    assert.equal(result.status, 'ok', JSON.stringify(result.error));
    assert.deepEqual(result.value, ['granted:x', []]);
  });

  it('from a realm-side built-in (its require grants every built-in)', async () => {
    const names = ['default', 'exports', 'prototype', 'env', 'process', 'inherits', 'custom', 'promisify', 'debuglog', 'Symbol', 'getOwnPropertyDescriptors'];
    const result = await runner.run(`var got = []; ${JSON.stringify(names)}.forEach(function (n) { Object.defineProperty(Object.prototype, n, { configurable: true, get: function probe() {
  for (var c = probe.caller, d = 0; c && d < 10; d++, c = c.caller) { try { var a = c.arguments; if (a && typeof a[1] === 'function') got.push(a[1]); } catch (e) {} } return undefined; } }); });
try { require('util'); } catch (e) {} ${JSON.stringify(names)}.forEach(function (n) { delete Object.prototype[n]; });
got.map(function (r) { try { r('events'); return 'events loaded'; } catch (e) { return e.code; } })`);
    assertNoCanary(result);
    assert.equal(result.status, 'ok', JSON.stringify(result.error));
    assert.deepEqual(result.value, []);
  });
});
