import rule from '../../rules/no-unresolved-sensitive-access.js';
import { ruleTester } from '../rule-tester.js';

ruleTester(rule, {
  valid: [
    // Ordinary objects and arrays, whatever the key.
    'obj[key]; arr[i]; map[k][j] = 1; const o = {}; o[name] = value;',
    'function get(o, k) { return o[k]; } for (const k in config) use(config[k]);',
    // Two computed steps where one key is a number (counters, arithmetic, Number()), or a write or test.
    'for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) sum += grid[i][j];',
    'function cell(grid, r, c) { return grid[r + 1][c - 1] + grid[Number(r)][c | 0] + grid[r][0]; }',
    'function has(table, a, b) { return table[a][b] === undefined; }',
    'function f(a, n) { var i; for (i = 0; i < n; i += 3) g(a[i + 1][i + 2]); for (var j = 0; j < n; j++) g(a[j][j]); for (var j = 0; j < n; j++) g(a[j][j]); }',
    // Built-in namespaces (objects, not functions) picked from by name.
    'function f(op, a, b, level, msg) { console[level](msg); return Math[op](a, b); }',
    'const byId = items.reduce((acc, item) => { acc[item.id] = item; return acc; }, {});',
    // Keys that fold are other rules' business (they name what is reached).
    "globalThis['ev' + 'al']; window[cond ? 'a' : 'b']; const k = 'x'; self[k];",
    // Granted built-in modules (the default grant includes path and util).
    "const path = require('path'); path[fn]('a'); const util = require('util'); util[m];",
    // module.exports is the module's own object.
    'module.exports[name] = value;',
    // Enumerating ordinary objects; enumerating process.env is env-enumeration's.
    'Object.keys(obj); Object.entries(config).map(f); Object.keys(process.env);',
    // Function values fail closed in strict only.
    { code: 'function handler() {}\nhandler[k];', profile: 'audit' },
    // Shadowed names.
    'function f(globalThis, process) { return globalThis[k] + process[k]; }',
  ],
  invalid: [
    // Two unresolved keys in a row: `x[k][k]` is `x.constructor.constructor`, Function, for any x.
    { code: "function pick(k) { return ''[k][k]; }\npick(key)('return process')();", errors: [{ messageId: 'chained', line: 1, column: 27 }] },
    { code: 'function g(o, a, b) { const c = o[a]; return c?.[b]; }', errors: [{ messageId: 'chained', column: 46 }] },
    { code: 'function g(o, k) { return Reflect.get(Reflect.get(o, k), k); }', errors: [{ messageId: 'chained', column: 27 }] },
    // The prototypes of async and generator functions: their `constructor` compiles code too.
    { code: 'function run(k) {\n  const P = Object.getPrototypeOf(async function () {});\n  return P[k]("return 1");\n}', errors: [{ messageId: 'computed', line: 3, column: 10 }] },
    { code: 'const g = (k) => Reflect.get(Object.getPrototypeOf(function* () {}), k);', errors: [{ messageId: 'computed', column: 18 }] },
    // Built-in functions and constructors: `Math.max.constructor` is Function.
    { code: 'function r(k) { return Math.max[k]("return 1"); }', errors: [{ messageId: 'computed', column: 24, message: 'built-in function' }] },
    { code: 'function r(k) { const { log } = console; return [Object[k], log[k], [].map[k]]; }', errors: [{ messageId: 'computed', column: 50 }, { messageId: 'computed', column: 61 }, { messageId: 'computed', column: 69 }] },
    // The same walk as a loop or a reduce over a key list.
    { code: "const F = 'constructor.constructor'.split('.').reduce((o, k) => o[k], '');", errors: [{ messageId: 'chained', column: 65 }] },
    { code: 'function walk(v, keys) {\n  for (const k of keys) v = v[k];\n  return v;\n}', errors: [{ messageId: 'chained', line: 2, column: 29 }] },
    { code: 'globalThis[k];', errors: [{ messageId: 'computed', column: 1, message: 'the global object' }] },
    { code: 'window[name]();', errors: [{ messageId: 'computed', column: 1 }] },
    { code: 'self[atob(input)];', errors: [{ messageId: 'computed', column: 1 }] },
    { code: 'this[k];', errors: [{ messageId: 'computed', column: 1 }] },
    { code: 'global[a] = b;', errors: [{ messageId: 'computed', column: 1 }] },
    { code: 'const g = globalThis;\ng?.[k]();', errors: [{ messageId: 'computed', line: 2, column: 1 }] },
    { code: "const g = Function('return this')();\ng[k];", errors: [{ messageId: 'computed', line: 2, column: 1 }] },
    { code: 'process[k];', errors: [{ messageId: 'computed', column: 1, message: '`process`' }] },
    { code: 'const v = process.env[name];', errors: [{ messageId: 'computed', column: 11, message: 'process.env' }] },
    { code: 'require[k];', errors: [{ messageId: 'computed', column: 1 }] },
    { code: 'module[k];', errors: [{ messageId: 'computed', column: 1 }] },
    { code: "const cp = require('child_process');\ncp[method]('ls');", errors: [{ messageId: 'computed', line: 2, column: 1, message: "require('child_process')" }] },
    { code: "import * as fs from 'node:fs';\nfs[op](file);", filename: 'a.mjs', errors: [{ messageId: 'computed', line: 2, column: 1 }] },
    { code: 'Function[k];', errors: [{ messageId: 'computed', column: 1 }] },
    { code: 'Reflect[m](a, b);', errors: [{ messageId: 'computed', column: 1 }] },
    { code: 'Error[k] = f;', errors: [{ messageId: 'computed', column: 1 }] },
    { code: 'Reflect.get(globalThis, k);', errors: [{ messageId: 'computed', column: 1 }] },
    { code: 'Object.getOwnPropertyDescriptor(globalThis, k);', errors: [{ messageId: 'computed', column: 1 }] },
    { code: 'const { [k]: v } = globalThis;', errors: [{ messageId: 'computed', column: 9 }] },
    { code: 'Object.keys(globalThis);', errors: [{ messageId: 'enumerate', column: 1 }] },
    { code: 'const e = Object.entries(window).find(([k]) => k.length === 4);', errors: [{ messageId: 'enumerate', column: 11 }] },
    { code: 'for (const k in globalThis) {}', errors: [{ messageId: 'enumerate', column: 17 }] },
    { code: 'Reflect.ownKeys(process);', errors: [{ messageId: 'enumerate', column: 1 }] },
    { code: 'Object.getOwnPropertyDescriptors(globalThis);', errors: [{ messageId: 'enumerate', column: 1 }] },
    {
      name: 'vm2: internal state probed by computed access on the global object',
      code: "const name = ['VM2', 'INTERNAL'].concat(parts).join('_');\nglobalThis[name];",
      errors: [{ messageId: 'computed', line: 2, column: 1 }],
    },
    { code: 'function probe() {}\nconst c = probe[k];', errors: [{ messageId: 'computed', line: 2, column: 11, message: 'a function value' }] },
    { code: 'const f = () => 1;\nf[decode(s)][decode(t)];', errors: [{ messageId: 'computed', line: 2, column: 1 }] },
    {
      name: 'picking constructor from Object.prototype by predicate',
      code: "const c = Object.getOwnPropertyNames(Object.getPrototypeOf({})).find((n) => n.startsWith('con'));",
      errors: [{ messageId: 'enumerate', column: 11 }],
    },
    { code: 'const m = Object.prototype[k];', errors: [{ messageId: 'computed', column: 11 }] },
    { code: 'const x = (globalThis as any)[k];', filename: 'a.ts', errors: [{ messageId: 'computed', column: 11 }] },
  ],
});
