import rule from '../../rules/no-host-handles.js';
import { ruleTester } from '../rule-tester.js';

ruleTester(rule, {
  valid: [
    // A function's own arguments.
    'function f() { return arguments[0]; } const g = function () { return () => arguments.length; };',
    // Direct require calls belong to the module-loading rules.
    "const path = require('path'); const { join } = require('path');",
    'module.exports = { run }; module.exports.extra = 1; exports.more = 2;',
    // Feature tests.
    "if (typeof process !== 'undefined' && typeof require === 'function' && typeof module === 'object') {}",
    "const hasDeno = typeof Deno !== 'undefined';",
    // Locals and parameters with the same names; properties with the same names.
    'function f(process, require, module) { return process.env + require.cache + module.parent; }',
    'const process = makeProcess(); process.start();',
    'const job = { process: 1, require: 2, module: 3 }; job.process; job.module.name;',
    'task.process(); ctx.require(x); app.module.exports;',
    "const s = 'process.env.SECRET'; // require.cache",
  ],
  invalid: [
    // Outside any function, `arguments` is the CommonJS wrapper's (exports, require, module, ...).
    { code: "const r = arguments[1];\nr('child_process').exec('id');", errors: [{ messageId: 'wrapperArguments', line: 1, column: 11 }] },
    { code: "const [, req] = arguments; const f = () => arguments[2];", errors: [{ messageId: 'wrapperArguments', column: 17 }, { messageId: 'wrapperArguments', column: 44 }] },
    { code: 'const key = process.env.API_KEY;', errors: [{ messageId: 'process', column: 13, message: 'process.env' }] },
    { code: 'process.exit(1);', errors: [{ messageId: 'process', column: 1 }] },
    { code: "process.binding('spawn_sync');", errors: [{ messageId: 'process', column: 1 }] },
    { code: 'const p = process;', errors: [{ messageId: 'process', column: 11 }] },
    {
      name: 'vm2: process.mainModule.require',
      code: "process.mainModule.require('child_process').execSync('id');",
      errors: [{ messageId: 'process', column: 1 }],
    },
    { code: 'const r = require;', errors: [{ messageId: 'require', column: 11 }] },
    { code: 'delete require.cache[key];', errors: [{ messageId: 'require', column: 8, message: 'require.cache' }] },
    { code: 'const main = require.main;', errors: [{ messageId: 'require', column: 14 }] },
    { code: "const where = require.resolve('x');", errors: [{ messageId: 'require', column: 15 }] },
    { code: "require.resolve.paths('x');", errors: [{ messageId: 'require', column: 1 }] },
    { code: "['fs'].map(require);", errors: [{ messageId: 'require', column: 12 }] },
    { code: "module.require('child_process');", errors: [{ messageId: 'module', column: 1, message: 'module.require' }] },
    { code: "module.constructor._load('child_process');", errors: [{ messageId: 'module', column: 1 }] },
    { code: 'const up = module.parent; const kids = module.children; const p = module.paths;', errors: [{ messageId: 'module', column: 12 }, { messageId: 'module', column: 40 }, { messageId: 'module', column: 67 }] },
    { code: 'const m = module;', errors: [{ messageId: 'module', column: 11 }] },
    { code: "__non_webpack_require__('fs');", errors: [{ messageId: 'runtime', column: 1 }] },
    { code: "Deno.readTextFile('/etc/passwd');", errors: [{ messageId: 'runtime', column: 1 }] },
    { code: "Bun.spawn(['ls']);", errors: [{ messageId: 'runtime', column: 1 }] },
    { code: 'const p = globalThis.process;', errors: [{ messageId: 'indirect', column: 11 }] },
    { code: "const r = window['req' + 'uire'];", errors: [{ messageId: 'indirect', column: 11 }] },
    { code: 'const p = this.process;', errors: [{ messageId: 'indirect', column: 11 }] },
    { code: "const p = Reflect.get(globalThis, 'process');", errors: [{ messageId: 'indirect', column: 11 }] },
    { code: 'const { process: p } = globalThis;', errors: [{ messageId: 'indirect', column: 9 }] },
    { code: 'const e = (process as any).env;', filename: 'a.ts', errors: [{ messageId: 'process', column: 12 }] },
    { code: 'export const env = process.env;', filename: 'a.mjs', errors: [{ messageId: 'process', column: 20 }] },
  ],
});
