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

/**
 * Small realm-side replacements for the polyfill helper packages that util, assert and qs require
 * (is-arguments, which-typed-array, side-channel...). The originals reach the language's intrinsics
 * through get-intrinsic, call-bind and a dozen more packages (a table that names eval and Function,
 * polyfill installers that assign Object.keys): 60-odd modules per `require('util')` in every fresh
 * realm, and text that gate 1 rightly flags. These use the realm's own intrinsics directly.
 * Keyed by the exact specifier the packages require.
 */
export const SUBSTITUTES: Readonly<Record<string, string>> = Object.freeze({
  'is-arguments': 'builtin:shim/is-arguments.js',
  'is-generator-function': 'builtin:shim/is-generator-function.js',
  'which-typed-array': 'builtin:shim/which-typed-array.js',
  'is-typed-array': 'builtin:shim/is-typed-array.js',
  'object.assign/polyfill': 'builtin:shim/object-assign-polyfill.js',
  'object-is/polyfill': 'builtin:shim/object-is-polyfill.js',
  'object-is': 'builtin:shim/object-is.js',
  'is-nan': 'builtin:shim/is-nan.js',
  'call-bind/callBound': 'builtin:shim/call-bound.js',
  'side-channel': 'builtin:shim/side-channel.js',
  'es-define-property': 'builtin:shim/es-define-property.js',
});

/** The packages SUBSTITUTES stands in for (never read). */
export const SUBSTITUTED_PACKAGES: ReadonlySet<string> = new Set(
  Object.keys(SUBSTITUTES).map((specifier) => specifier.split('/')[0]!),
);

const SUBSTITUTE_SOURCES: Readonly<Record<string, string>> = {
  'builtin:shim/is-arguments.js': `'use strict';
// airlock: stands in for is-arguments.
var toString = Object.prototype.toString;
module.exports = function isArguments(value) {
  if (value && typeof value === 'object' && Symbol.toStringTag in value) return false;
  return toString.call(value) === '[object Arguments]';
};
`,
  'builtin:shim/is-generator-function.js': `'use strict';
// airlock: stands in for is-generator-function.
var fnToString = Function.prototype.toString;
var generatorPrototype = Object.getPrototypeOf(function* () {});
var sourceLooksLikeGenerator = /^\\s*(?:function)?\\*/;
module.exports = function isGeneratorFunction(fn) {
  if (typeof fn !== 'function') return false;
  if (Object.getPrototypeOf(fn) === generatorPrototype) return true;
  try {
    return sourceLooksLikeGenerator.test(fnToString.call(fn));
  } catch (error) {
    return false;
  }
};
`,
  'builtin:shim/which-typed-array.js': `'use strict';
// airlock: stands in for which-typed-array: the name of a typed array's kind, or false.
var typedArrayPrototype = Object.getPrototypeOf(Int8Array.prototype);
var getTag = Object.getOwnPropertyDescriptor(typedArrayPrototype, Symbol.toStringTag).get;
module.exports = function whichTypedArray(value) {
  if (!value || typeof value !== 'object') return false;
  var tag = getTag.call(value);
  return typeof tag === 'string' ? tag : false;
};
`,
  'builtin:shim/is-typed-array.js': `'use strict';
// airlock: stands in for is-typed-array.
var typedArrayPrototype = Object.getPrototypeOf(Int8Array.prototype);
var getTag = Object.getOwnPropertyDescriptor(typedArrayPrototype, Symbol.toStringTag).get;
module.exports = function isTypedArray(value) {
  return !!value && typeof value === 'object' && typeof getTag.call(value) === 'string';
};
`,
  'builtin:shim/object-assign-polyfill.js': `'use strict';
// airlock: stands in for object.assign/polyfill.
module.exports = function getPolyfill() {
  return Object.assign;
};
`,
  'builtin:shim/object-is-polyfill.js': `'use strict';
// airlock: stands in for object-is/polyfill.
module.exports = function getPolyfill() {
  return Object.is;
};
`,
  'builtin:shim/object-is.js': `'use strict';
// airlock: stands in for object-is.
module.exports = Object.is;
`,
  'builtin:shim/is-nan.js': `'use strict';
// airlock: stands in for is-nan.
module.exports = Number.isNaN;
`,
  'builtin:shim/call-bound.js': `'use strict';
// airlock: stands in for call-bind/callBound, for the intrinsic methods the built-ins ask for by name.
var slice = Array.prototype.slice;
var methods = {
  'RegExp.prototype.test': RegExp.prototype.test,
  'RegExp.prototype.exec': RegExp.prototype.exec,
  'Object.prototype.toString': Object.prototype.toString,
  'Object.prototype.hasOwnProperty': Object.prototype.hasOwnProperty,
  'Object.prototype.propertyIsEnumerable': Object.prototype.propertyIsEnumerable,
  'String.prototype.slice': String.prototype.slice,
  'String.prototype.indexOf': String.prototype.indexOf,
  'Array.prototype.push': Array.prototype.push,
  'Array.prototype.join': Array.prototype.join,
  'Array.prototype.slice': Array.prototype.slice
};
module.exports = function callBound(name) {
  var key = String(name).replace(/^%|%$/g, '');
  if (!Object.prototype.hasOwnProperty.call(methods, key)) throw new TypeError('callBound: no stand-in for ' + name);
  var method = methods[key];
  return function boundCall(thisArg) {
    return method.apply(thisArg, slice.call(arguments, 1));
  };
};
`,
  'builtin:shim/side-channel.js': `'use strict';
// airlock: stands in for side-channel: private data keyed by objects (weakly) or primitives.
module.exports = function getSideChannel() {
  var objects = new WeakMap();
  var primitives = new Map();
  var store = function (key) {
    return key !== null && (typeof key === 'object' || typeof key === 'function') ? objects : primitives;
  };
  var channel = {
    assert: function (key) {
      if (!channel.has(key)) throw new TypeError('Side channel does not contain the given key');
    },
    'delete': function (key) {
      return store(key)['delete'](key);
    },
    get: function (key) {
      return store(key).get(key);
    },
    has: function (key) {
      return store(key).has(key);
    },
    set: function (key, value) {
      store(key).set(key, value);
    }
  };
  return channel;
};
`,
  'builtin:shim/es-define-property.js': `'use strict';
// airlock: stands in for es-define-property.
module.exports = Object.defineProperty;
`,
};

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
  ...SUBSTITUTE_SOURCES,
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
