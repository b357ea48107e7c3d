// Realm-side stand-ins for the few host things the pure-JS built-in packages read, as module text that is
// evaluated inside the realm like any other module (analysed, no host object in it), plus the one-line
// preludes that hand them to the package files that need them.
//
// What needs what (checked by test/executor/builtins.test.ts in a context with no process, no global):
// - util/util.js reads `process.env.NODE_DEBUG` at load, `process.noDeprecation` and friends in
//   deprecate(), `process.nextTick` in callbackify(), `process.pid` in debuglog();
// - util/support/isBuffer.js reads a global `Buffer` (it becomes the realm's own buffer package);
// - path-browserify calls `process.cwd()` in resolve() (the realm's working directory is `/`);
// - assert reads `process.emitWarning` and `process.stderr` (absent here: it falls back to plain text).
// `global` is only ever read behind a `typeof` check (punycode, which-typed-array), so it stays absent.

/** The location of the `process` stand-in. */
export const PROCESS_SHIM = 'builtin:shim/process.js';

/** Stand-in modules, by location. */
export const SHIM_SOURCES: Readonly<Record<string, string>> = Object.freeze({
  [PROCESS_SHIM]: `'use strict';
// airlock: a realm-side stand-in for the members of Node's process that the pure-JS built-ins read.
// It holds nothing of the host: an empty environment, the root as working directory.
var queue = typeof queueMicrotask === 'function'
  ? queueMicrotask
  : function (task) { Promise.resolve().then(task); };
var processShim = {
  title: 'airlock',
  env: {},
  argv: [],
  execArgv: [],
  pid: 0,
  platform: 'airlock',
  version: '',
  versions: {},
  noDeprecation: false,
  throwDeprecation: false,
  traceDeprecation: false,
  cwd: function cwd() { return '/'; },
  nextTick: function nextTick(callback) {
    if (typeof callback !== 'function') throw new TypeError('The "callback" argument must be of type function');
    var args = Array.prototype.slice.call(arguments, 1);
    queue(function () { callback.apply(undefined, args); });
  }
};
module.exports = processShim;
`,
  'builtin:shim/assert-strict.js': `'use strict';
module.exports = require('assert/').strict;
`,
  'builtin:shim/util-types.js': `'use strict';
module.exports = require('util/').types;
`,
});

/**
 * One-line preludes, by path under the builtins root. A prelude goes on the first line (after a
 * 'use strict' directive when there is one), so the file's own line numbers stay as they are.
 */
export const PRELUDES: Readonly<Record<string, string>> = Object.freeze({
  'node_modules/util/util.js': `var process = require(${JSON.stringify(PROCESS_SHIM)});`,
  'node_modules/util/support/isBuffer.js': `var Buffer = require('buffer/').Buffer;`,
  'node_modules/path-browserify/index.js': `var process = require(${JSON.stringify(PROCESS_SHIM)});`,
  'node_modules/assert/build/assert.js': `var process = require(${JSON.stringify(PROCESS_SHIM)});`,
  'node_modules/assert/build/internal/assert/assertion_error.js': `var process = require(${JSON.stringify(PROCESS_SHIM)});`,
});

const DIRECTIVE_PROLOGUE = /^(?:\s|\/\/[^\n]*\n|\/\*[\s\S]*?\*\/)*(['"])use strict\1;?/;

/** Puts a prelude on the first line of a module, after a leading 'use strict' directive if any. */
export function withPrelude(source: string, prelude: string): string {
  const directive = DIRECTIVE_PROLOGUE.exec(source);
  if (directive === null) return `${prelude} ${source}`;
  const end = directive[0].length;
  return `${source.slice(0, end)} ${prelude}${source.slice(end)}`;
}
