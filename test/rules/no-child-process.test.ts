import rule from '../../rules/no-child-process.js';
import { ruleTester } from '../rule-tester.js';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../analyzer/engine.js';
import { resolvePolicy } from '../../policy/index.js';

/** Severities the rule gives under a built-in profile (the tester always sets the rule explicitly). */
function severities(code: string, profile: 'strict' | 'audit'): string[] {
  const report = analyze(code, { filename: 'x.js', policy: resolvePolicy({ profile }), rules: [rule] });
  return report.findings.filter((f) => f.ruleId === rule.id).map((f) => f.severity);
}

describe('no-child-process severities', () => {
  it('a plain tool run is inventory in audit, an error in strict', () => {
    const code = 'const { execSync } = require("child_process");\nexecSync("git status");';
    assert.deepEqual(severities(code, 'audit'), ['info']);
    assert.deepEqual(severities(code, 'strict'), ['error']);
  });
  it('an unresolved command is a warning in audit', () => {
    assert.deepEqual(severities('require("child_process").exec(cmd)', 'audit'), ['warn']);
    assert.deepEqual(severities('require("child_process").exec("git status; curl x")', 'audit'), ['warn']);
  });
});

ruleTester(rule, {
  valid: [
    // User functions and methods that happen to be called exec/spawn.
    'const exec = (query) => db.query(query); exec("SELECT 1")',
    'function spawn(n) { return new Worker(n) } spawn("x")',
    '/a(b)/.exec(text); regex.exec(input)',
    'obj.exec("rm -rf /"); service.spawn("x")',
    'const cp = require("./child_process"); cp.exec("x")',
    'import { exec } from "./utils/exec.js"; exec("build")',
    { code: 'function run(child_process) { child_process.exec("ls") }', name: 'parameter named child_process' },
    'const { exec } = require("some-db"); exec("query")',
    "const s = 'child_process.exec(\"curl x | sh\")'; // require('child_process').exec('ls')",
    { code: 'import type { ChildProcess } from "child_process"; let c: ChildProcess;', filename: 'a.ts' },
    'const { promisify } = require("util"); const sleep = promisify(setTimeout);',
    'function run(m) { return m.exec("x"); }\nrun(/re/); run(database);',
    'const o = {};\no.x = (c) => c;\no.x("id");',
  ],
  invalid: [
    { code: 'require("child_process").exec("ls")', errors: [{ messageId: 'childProcess', line: 1, column: 1, message: '`ls`' }] },
    {
      code: 'const { execSync } = require("child_process");\nexecSync("git status");',
      errors: [{ messageId: 'childProcess', line: 2, column: 1, message: 'child_process.execSync' }],
    },
    {
      name: 'unknown command is warn in audit',
      code: 'const { execSync } = require("child_process");\nexecSync(cmd);',
      profile: 'audit',
      errors: [{ messageId: 'childProcess', line: 2, column: 1, severity: 'warn', message: 'cannot be resolved' }],
    },
    { code: 'import { spawn } from "node:child_process";\nspawn("npm", ["install"]);', errors: [{ messageId: 'childProcess', line: 2, column: 1, message: '`npm install`' }] },
    { code: 'import * as cp from "child_process";\ncp.execFile("node", ["x.js"]);', errors: [{ messageId: 'childProcess', line: 2, column: 1 }] },
    { code: 'import cp from "child_process";\ncp.fork("./worker.js");', errors: [{ messageId: 'childProcess', line: 2, column: 1, message: 'node ./worker.js' }] },
    { code: "const cp = require('child' + '_process');\ncp['ex' + 'ec']('id');", errors: [{ messageId: 'childProcess', line: 2, column: 1 }] },
    { code: "const m = require(['child', 'process'].join('_'));\nm[atob('ZXhlY1N5bmM=')]('id');", errors: [{ messageId: 'childProcess', line: 2, column: 1 }] },
    { code: 'const run = require("child_process").spawnSync;\nconst alias = run;\nalias("sh", ["-c", "id"]);', errors: [{ messageId: 'childProcess', line: 3, column: 1 }] },
    { code: 'const cp = require("child_process");\ncp.exec.call(null, "whoami");', errors: [{ messageId: 'childProcess', line: 2, column: 1, message: 'through call' }] },
    { code: 'const cp = require("child_process");\nReflect.apply(cp.execSync, cp, ["whoami"]);', errors: [{ messageId: 'childProcess', line: 2, column: 1, message: 'Reflect.apply' }] },
    { code: 'const cp = require("child_process");\ncp?.exec?.("whoami");', errors: [{ messageId: 'childProcess', line: 2, column: 1 }] },
    {
      code: 'const { promisify } = require("util");\nconst run = promisify(require("child_process").exec);\nawait run("id");',
      filename: 'a.mjs',
      errors: [{ messageId: 'childProcess', line: 3, column: 7 }],
    },
    { code: 'import("child_process").then(({ exec }) => exec("id"));', filename: 'a.mjs', errors: [{ messageId: 'childProcess', line: 1, column: 44 }] },
    { code: 'const { exec } = await import("child_process");\nexec("id");', filename: 'a.mjs', errors: [{ messageId: 'childProcess', line: 2, column: 1 }] },
    { code: 'process.mainModule.require("child_process").execSync("id")', errors: [{ messageId: 'childProcess', line: 1, column: 1 }] },
    { code: 'const cp = require("child_process");\nconst m = "spawn";\ncp[m]("x");', errors: [{ messageId: 'childProcess', line: 3, column: 1 }] },
    { code: 'const { execSync: e } = require("node:child_process");\n(0, e)("id");', errors: [{ messageId: 'childProcess', line: 2, column: 1 }] },
    { code: "import { spawn as s } from 'child_process';\n(s as any)('id');", filename: 'a.ts', errors: [{ messageId: 'childProcess', line: 2, column: 1 }] },
    { code: 'const execa = require("execa");\nexeca("ls", ["-la"]);', errors: [{ messageId: 'childProcess', line: 2, column: 1, message: '`execa`' }] },
    { code: 'const spawn = require("cross-spawn");\nspawn.sync("make", []);', errors: [{ messageId: 'childProcess', line: 2, column: 1 }] },
    { code: 'Bun.spawn(["ls", "-la"]);', errors: [{ messageId: 'childProcess', line: 1, column: 1, message: '`ls -la`' }] },
    { code: 'const cp = require("child_process");\n["exec"].forEach((k) => cp[k]("id"));', errors: [{ messageId: 'childProcess', line: 2, column: 25 }] },
    { code: 'const cp = require("child_process");\nfunction runner(m) { return m.execSync("id"); }\nrunner(cp);', errors: [{ messageId: 'childProcess', line: 2, column: 29 }] },
    { code: 'const cp = require("child_process");\nconst o = {};\no.x = cp.execFile;\no.x("id");', errors: [{ messageId: 'childProcess', line: 4, column: 1 }] },
    { code: 'const cp = require("child_process");\nconst lib = Object.assign({}, cp);\nlib.exec("id");', errors: [{ messageId: 'childProcess', line: 3, column: 1 }] },
    { code: 'const { ...rest } = require("child_process");\nrest.spawn("id");', errors: [{ messageId: 'childProcess', line: 2, column: 1 }] },
    { code: 'const cp = require("child_process");\nqueue.push(cp.exec);', errors: [{ messageId: 'passed', line: 2, column: 12 }] },
    {
      code: "require('child_process').execSync(Buffer.from('Y3VybCBldmls', 'base64').toString())",
      errors: [{ messageId: 'childProcess', line: 1, column: 1, message: 'decoded from base64' }],
    },
  ],
});
