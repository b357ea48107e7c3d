// `airlock run` and `airlock eval`: output and one status line, --json as exactly the RunResult, exit
// codes (0 ok, 1 rejected/error/limit, 2 usage), --root with modules and --allow-module, limits flags.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { airlock, tree } from './cli-helpers.js';

const W = ['--isolation', 'worker'];

describe('airlock run', () => {
  const root = tree({
    'hello.js': "console.log('hello from the sandbox'); console.error('to stderr'); 6 * 7",
    'main.ts': "import { twice } from './lib';\nimport pad from 'padder';\nconst n: number = twice(21);\nconsole.log(pad(String(n)));\nexport default n;",
    'lib.ts': 'export function twice(n: number): number { return n * 2; }',
    'node_modules/padder/package.json': '{"name": "padder", "main": "index.js"}',
    'node_modules/padder/index.js': "module.exports = function pad(s) { return '[' + s + ']'; };",
    'node_modules/globber/package.json': '{"name": "globber", "main": "index.js"}',
    'node_modules/globber/index.js': "var root = typeof globalThis == 'object' ? null : null;\nmodule.exports = (root || Function('return this')()).Array === Array;",
    'uses-globber.js': "require('globber')",
    'evil.js': "this.constructor.constructor('return process')().exit(9)",
    'loop.js': 'for (;;) {}',
    'exit.js': "console.log('bye'); exit(3);",
    'exit0.js': 'exit(0);',
    'syntax.js': 'let = ;',
  });

  it('prints the program output and a status line; exit 0', async () => {
    const { code, out, err } = await airlock(root, ['run', 'hello.js', ...W]);
    assert.equal(code, 0, err);
    assert.equal(out, 'hello from the sandbox\n');
    assert.match(err, /^to stderr\nairlock: ok \(\d+ ms\)\n$/);
  });

  it('--json prints exactly the result object', async () => {
    const { code, out } = await airlock(root, ['run', 'hello.js', '--json', ...W]);
    assert.equal(code, 0);
    const result = JSON.parse(out) as Record<string, unknown>;
    assert.deepEqual(Object.keys(result).sort(), ['durationMs', 'error', 'findings', 'status', 'stderr', 'stdout', 'value']);
    assert.equal(result.status, 'ok');
    assert.equal(result.value, 42);
    assert.equal(result.stdout, 'hello from the sandbox\n');
    assert.equal(result.error, null);
  });

  it('--root serves modules (TypeScript, node_modules) and --allow-module grants a package', async () => {
    const denied = await airlock(root, ['run', 'main.ts', '--root', '.', '--json', ...W]);
    assert.equal(denied.code, 1);
    assert.equal(JSON.parse(denied.out).status, 'rejected');
    const { code, out, err } = await airlock(root, ['run', 'main.ts', '--root', '.', '--allow-module', 'padder', ...W]);
    assert.equal(code, 0, err);
    assert.equal(out, '[42]\n');
  });

  it('--trust-module grants a package and analyses it under the trusted profile (audit)', async () => {
    const granted = await airlock(root, ['run', 'uses-globber.js', '--root', '.', '--allow-module', 'globber', '--json', ...W]);
    assert.equal(granted.code, 1, 'under strict the Function constructor is rejected');
    assert.equal(JSON.parse(granted.out).error.code, 'AIRLOCK_REJECTED');
    const trusted = await airlock(root, ['run', 'uses-globber.js', '--root', '.', '--trust-module', 'globber', '--json', ...W]);
    assert.equal(trusted.code, 0, trusted.out);
    const result = JSON.parse(trusted.out) as { value: unknown; findings: { ruleId: string; severity: string }[] };
    assert.equal(result.value, true, "Function('return this')() is the realm's own global");
    assert.ok(result.findings.some((f) => f.ruleId === 'no-function-constructor' && f.severity === 'warn'));
  });

  it('rejects what gate 1 rejects (exit 1) and lists the findings', async () => {
    const { code, out, err } = await airlock(root, ['run', 'evil.js', ...W]);
    assert.equal(code, 1);
    assert.equal(out, '');
    assert.match(err, /no-constructor-escape/);
    assert.match(err, /airlock: rejected: AIRLOCK_REJECTED/);
  });

  it('with --analysis off the sandbox contains it', async () => {
    const { code, out } = await airlock(root, ['run', 'evil.js', '--analysis', 'off', '--json', ...W]);
    assert.equal(code, 1);
    const result = JSON.parse(out) as { status: string; error: { name: string; message: string } };
    assert.equal(result.status, 'error');
    assert.equal(result.error.name, 'ReferenceError');
    assert.match(result.error.message, /process is not defined/);
  });

  it('--timeout stops a loop (exit 1); the default isolation is a child process', async () => {
    const { code, err } = await airlock(root, ['run', 'loop.js', '--timeout', '300']);
    assert.equal(code, 1);
    assert.match(err, /airlock: timeout: AIRLOCK_TIMEOUT/);
  });

  it('exit(code) with --allow-exit: exit 0 for exit(0), 1 otherwise', async () => {
    const three = await airlock(root, ['run', 'exit.js', '--allow-exit', '--json', ...W]);
    assert.equal(three.code, 1);
    const result = JSON.parse(three.out) as { status: string; exitCode: number; stdout: string };
    assert.deepEqual([result.status, result.exitCode, result.stdout], ['exit', 3, 'bye\n']);
    assert.equal((await airlock(root, ['run', 'exit0.js', '--allow-exit', ...W])).code, 0);
    const notGranted = await airlock(root, ['run', 'exit0.js', '--analysis', 'off', '--json', ...W]);
    assert.equal(JSON.parse(notGranted.out).error.name, 'ReferenceError');
  });

  it('usage errors exit 2', async () => {
    assert.equal((await airlock(root, ['run', 'missing.js', ...W])).code, 2);
    assert.equal((await airlock(root, ['run', 'hello.js', '--timeout', 'soon', ...W])).code, 2);
    assert.equal((await airlock(root, ['run', 'hello.js', '--analysis', 'maybe', ...W])).code, 2);
    assert.equal((await airlock(root, ['run', '/etc/hostname', '--root', '.', ...W])).code, 2);
    assert.equal((await airlock(root, ['run', ...W])).code, 2);
  });

  it('a syntax error is a rejection (gate 1) or an error (analysis off)', async () => {
    assert.equal(JSON.parse((await airlock(root, ['run', 'syntax.js', '--json', ...W])).out).status, 'rejected');
    const off = JSON.parse((await airlock(root, ['run', 'syntax.js', '--json', '--analysis', 'off', ...W])).out) as { status: string; error: { name: string } };
    assert.deepEqual([off.status, off.error.name], ['error', 'SyntaxError']);
  });
});

describe('airlock eval', () => {
  const root = tree({ 'x.txt': '' });

  it('prints the value', async () => {
    const { code, out } = await airlock(root, ['eval', '[1, 2].map((n) => n * 21)', ...W]);
    assert.equal(code, 0);
    assert.equal(out, '[\n  21,\n  42\n]\n');
  });

  it('--json and --memory', async () => {
    const { code, out } = await airlock(root, ['eval', 'new ArrayBuffer(64 * 1024 * 1024).byteLength', '--memory', '16', '--json', ...W]);
    assert.equal(code, 1);
    assert.equal(JSON.parse(out).status, 'memory-limit');
  });
});
