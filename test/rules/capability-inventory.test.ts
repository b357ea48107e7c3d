import rule from '../../rules/capability-inventory.js';
import { ruleTester } from '../rule-tester.js';

ruleTester(rule, {
  valid: [
    'const path = require("path"); const util = require("util"); export const x = path.join("a", "b");',
    'import lodash from "lodash"; lodash.map([1], (x) => x);',
    'function fetch(u) { return u } fetch("x"); const env = { PORT: 1 }; env.PORT;',
    'const eval2 = (x) => x; obj.exec("x"); regex.exec(s);',
    { code: 'import type { Stats } from "fs"; let s: Stats;', filename: 'a.ts' },
  ],
  invalid: [
    {
      code: 'const fs = require("fs");\nconst { exec } = require("child_process");\nconst port = process.env.PORT;\nfetch("https://x.example");\nfs.readFileSync("a");',
      errors: [
        { messageId: 'filesystem', line: 1, column: 12, severity: 'info' },
        { messageId: 'process', line: 2, column: 18 },
        { messageId: 'environment', line: 3, column: 14 },
        { messageId: 'network', line: 4, column: 1 },
      ],
    },
    { code: 'import https from "node:https";\nimport { readFile } from "fs/promises";', filename: 'a.mjs', errors: [{ messageId: 'network', line: 1, column: 1 }, { messageId: 'filesystem', line: 2, column: 1 }] },
    { code: 'const m = require("child" + "_process");', errors: [{ messageId: 'process', line: 1, column: 11 }] },
    { code: 'eval("1"); new Function("return 1");', errors: [{ messageId: 'dynamic-code', line: 1, column: 1 }] },
    { code: 'require(name);', errors: [{ messageId: 'dynamic-code', line: 1, column: 1 }] },
    { code: 'process.binding("spawn_sync");', errors: [{ messageId: 'native', line: 1, column: 1 }] },
    { code: 'const addon = require("./build/Release/addon.node");', errors: [{ messageId: 'native', line: 1, column: 15 }] },
    { code: 'const e = globalThis["pro" + "cess"].env;', errors: [{ messageId: 'environment', line: 1, column: 11 }] },
    { code: 'const ws = new WebSocket("wss://x.example");', errors: [{ messageId: 'network', line: 1, column: 12 }] },
    { code: 'const vm = require("vm");\nvm.runInNewContext("1");', errors: [{ messageId: 'dynamic-code', line: 1, column: 12 }] },
  ],
});
