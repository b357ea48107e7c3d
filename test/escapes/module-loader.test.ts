// Escapes through the module loader: import() (which Node resolves with the host's own loader, also
// from code compiled by eval and the function constructors), require of host built-ins, and paths.
// Everything must go through the import gateway, which grants only what the policy allows.
import assert from 'node:assert/strict';
import { escapeSuite } from './escape-harness.js';
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
