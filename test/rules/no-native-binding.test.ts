import rule from '../../rules/no-native-binding.js';
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

describe('no-native-binding severities', () => {
  it('a package\'s own prebuilt addon is a warning outside strict', () => {
    assert.deepEqual(underProfile("require('./build/Release/addon.node')", 'audit'), ['nativeConstant:warn']);
    assert.deepEqual(underProfile("require(require('path').join(__dirname, 'prebuilds', 'x.node'))", 'recommended'), ['nativeConstant:warn']);
    assert.deepEqual(underProfile("require('./build/Release/addon.node')", 'strict'), ['nativeConstant:error']);
  });
  it("process.binding('util') is a warning outside strict; other bindings stay errors", () => {
    assert.deepEqual(underProfile("process.binding('util').isDate(x)", 'audit'), ['binding:warn']);
    assert.deepEqual(underProfile("process.binding('spawn_sync')", 'audit'), ['binding:error']);
    assert.deepEqual(underProfile("process.binding('util')", 'strict'), ['binding:error']);
  });
  it('an addon at an absolute or written path stays an error', () => {
    assert.deepEqual(underProfile("require('/tmp/x.node')", 'audit'), ['nativeConstant:error']);
    assert.deepEqual(underProfile("const fs = require('fs'); const p = '/tmp/x.node'; fs.writeFileSync(p, bytes); require(p)", 'audit'), ['nativeWritten:error']);
  });
});

ruleTester(rule, {
  valid: [
    "const binding = require('./binding.js')",
    'const env = { ...process.env, NODE_ENV: "production" }; spawn(cmd, { env })',
    "delete process.env.LD_PRELOAD",
    "process.env.LD_PRELOAD = ''",
    "const env = { ...process.env, LD_PRELOAD: undefined }",
    "const BLOCKED = { LD_PRELOAD: true, DYLD_INSERT_LIBRARIES: true }",
    "if (process.env.LD_PRELOAD) warn('preload set')",
    "const { execSync } = require('child_process'); execSync('git status')",
    "const s = 'rundll32 is a Windows binary'; console.log(s)",
    "// process.binding('fs')\nconst doc = 'process.dlopen(module, file)'",
    'const process = { binding: (x) => x }; process.binding("fs")',
    'obj.binding("natives")',
    "function bind(process) { return process.dlopen }",
    "require(name)",
    "const spawn = (cmd) => cmd; spawn('rundll32 x.dll')",
  ],
  invalid: [
    { code: "process.binding('spawn_sync')", errors: [{ messageId: 'binding', line: 1, column: 1, message: "'spawn_sync'" }] },
    { code: "process._linkedBinding('x')", errors: [{ messageId: 'binding', column: 1 }] },
    { code: 'process.dlopen(module, file)', errors: [{ messageId: 'binding', column: 1 }] },
    { code: "process['bind' + 'ing']('contextify')", errors: [{ messageId: 'binding', column: 1 }] },
    { code: 'const b = process.binding;\nb("fs")', errors: [{ messageId: 'binding', line: 1, column: 11 }] },
    { code: 'const { binding } = process; binding("fs")', errors: [{ messageId: 'binding', column: 9 }] },
    { code: "require('process').dlopen(m, f)", errors: [{ messageId: 'binding', column: 1 }] },
    { code: "import { dlopen } from 'node:process'; dlopen(m, f)", errors: [{ messageId: 'binding', column: 10 }] },
    { code: "Reflect.get(process, 'binding')('fs')", errors: [{ messageId: 'binding', column: 1 }] },
    { code: "globalThis.process.binding('fs')", errors: [{ messageId: 'binding', column: 1 }] },
    { code: "require(dir + '/payload.node')", errors: [{ messageId: 'nativeComputed', column: 1 }] },
    { code: "require(`${os.tmpdir()}/x.node`)", errors: [{ messageId: 'nativeComputed', column: 1 }] },
    { code: "const fs = require('fs');\nconst p = tmp + '/a.node';\nfs.writeFileSync(p, data);\nrequire(p)", errors: [{ messageId: 'nativeWritten', line: 4, column: 1 }] },
    { code: "import { writeFileSync } from 'node:fs'; import { createRequire } from 'node:module'; writeFileSync('/tmp/x.node', buf); createRequire(import.meta.url)('/tmp/x.node')", filename: 'a.mjs', errors: [{ messageId: 'nativeWritten', column: 122 }] },
    { code: "require('./build/Release/addon.node')", errors: [{ messageId: 'nativeConstant', column: 1 }] },
    { code: "process.env.LD_PRELOAD = '/tmp/hook.so'", errors: [{ messageId: 'envHijack', column: 1, message: 'process.env' }] },
    { code: "process.env['LD_' + 'PRELOAD'] = lib", errors: [{ messageId: 'envHijack', column: 1 }] },
    { code: "const { spawn } = require('child_process');\nspawn('ls', [], { env: { ...process.env, LD_PRELOAD: lib } })", errors: [{ messageId: 'envHijack', line: 2, column: 42 }] },
    { code: "const env = Object.assign({}, process.env, { DYLD_INSERT_LIBRARIES: '/tmp/x.dylib' })", errors: [{ messageId: 'envHijack', column: 46 }] },
    { code: "Reflect.set(process.env, 'LD_AUDIT', lib)", errors: [{ messageId: 'envHijack', column: 1 }] },
    { code: "const { exec } = require('child_process'); exec('LD_PRELOAD=/tmp/x.so /usr/bin/id')", errors: [{ messageId: 'envHijack', column: 49 }] },
    { code: "require('child_process').exec('rundll32.exe payload.dll,Start')", errors: [{ messageId: 'lolbin', column: 31, message: 'rundll32' }] },
    { code: "const cp = require('child_process'); cp.spawn('cmd', ['/c', 'mshta', url])", errors: [{ messageId: 'lolbin', column: 54 }] },
    { code: "const cmd = 'regsvr32 /s /u /i:' + url + ' scrobj.dll'; require('child_process').execSync(cmd)", errors: [{ messageId: 'lolbin', column: 91 }] },
    { code: "var freeProcess = process; var types = freeProcess && freeProcess.binding && freeProcess.binding('util');", name: 'a presence test is not a second finding', errors: [{ messageId: 'binding', column: 78 }] },
    { code: "process.binding('fs')", profile: 'audit', errors: [{ messageId: 'binding', severity: 'error' }] },
  ],
});
