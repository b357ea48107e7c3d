// The `airlock audit` front door, end to end through main(): exit codes, formats, config discovery,
// suppressions, ignores, bad input, and parallel audits matching sequential ones.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { main } from '../../cli/main.js';
import { CLI_BIN } from '../helpers.js';
import { fakeIO } from './cli-helpers.js';


async function audit(cwd: string, ...args: string[]) {
  const io = fakeIO(cwd);
  const code = await main(['audit', ...args], io);
  return { code, out: io.out, err: io.err };
}

function tree(files: Record<string, string | Buffer>): string {
  const root = mkdtempSync(join(tmpdir(), 'airlock-cli-'));
  for (const [name, content] of Object.entries(files)) {
    const path = join(root, name);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, content);
  }
  return root;
}

describe('airlock audit', () => {
  let root: string;
  before(() => {
    root = tree({
      'src/clean.js': 'export const add = (a, b) => a + b;\n',
      'src/bad.ts': 'const run = eval;\nrun(input as string);\n',
      'src/empty.js': '',
      'src/binary.js': Buffer.from([0x63, 0x6f, 0x00, 0x01, 0x02]),
      'src/broken.js': 'const = 1;\n',
      'src/latin1.js': Buffer.from([0x2f, 0x2f, 0x20, 0xe9, 0x0a]),
      'ignored/x.js': 'eval(1)\n',
      'node_modules/dep/index.js': 'eval(2)\n',
      '.gitignore': 'ignored/\n',
      'README.md': '# not code: eval(x)\n',
    });
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('exits 1 on errors and reports every audited file in JSON, clean ones included', async () => {
    const { code, out } = await audit(root, '--format', 'json', '.');
    assert.equal(code, 1);
    const results = JSON.parse(out) as { filePath: string; errorCount: number; messages: { ruleId: string; line: number; column: number; severity: number; fatal?: boolean }[] }[];
    const byName = new Map(results.map((r) => [r.filePath.slice(root.length + 1), r]));
    assert.deepEqual([...byName.keys()].sort(), ['src/bad.ts', 'src/binary.js', 'src/broken.js', 'src/clean.js', 'src/empty.js', 'src/latin1.js']);
    assert.equal(byName.get('src/clean.js')!.errorCount, 0);
    assert.equal(byName.get('src/empty.js')!.errorCount, 0);
    assert.deepEqual(
      byName.get('src/bad.ts')!.messages.map((m) => [m.ruleId, m.line, m.column, m.severity]),
      [['no-eval', 1, 13, 2]],
    );
    for (const name of ['src/binary.js', 'src/broken.js', 'src/latin1.js']) {
      const messages = byName.get(name)!.messages;
      assert.equal(messages.length, 1, name);
      assert.equal(messages[0]!.ruleId, 'parse-failure', name);
      assert.equal(messages[0]!.fatal, true, name);
    }
    assert.equal(byName.get('src/broken.js')!.messages[0]!.line, 1);
  });

  it('exits 0 on a clean tree and keeps stdout machine-clean', async () => {
    const { code, out, err } = await audit(root, '--format', 'json', 'src/clean.js');
    assert.equal(code, 0);
    assert.doesNotThrow(() => JSON.parse(out));
    assert.equal(err, '');
  });

  it('honours --ignore-pattern and --rule overrides', async () => {
    const ignoredAll = await audit(root, '--ignore-pattern', 'src/bad.ts', '--ignore-pattern', 'src/b*', '--ignore-pattern', 'src/latin1.js', 'src');
    assert.equal(ignoredAll.code, 0, ignoredAll.out);
    const off = await audit(root, '--rule', 'no-eval=off', 'src/bad.ts');
    assert.equal(off.code, 0);
    const warn = await audit(root, '--rule', 'no-eval=warn', '--max-warnings', '0', 'src/bad.ts');
    assert.equal(warn.code, 1);
    const warnOk = await audit(root, '--rule', 'no-eval=warn', 'src/bad.ts');
    assert.equal(warnOk.code, 0);
  });

  it('honours .gitignore unless told not to, and audits an ignored folder named explicitly', async () => {
    const withIgnore = await audit(root, '--format', 'json', '.');
    assert.ok(!withIgnore.out.includes('ignored/x.js'));
    const noIgnore = await audit(root, '--format', 'json', '--no-gitignore', '.');
    assert.ok(noIgnore.out.includes('ignored/x.js'));
    const named = await audit(root, '--format', 'json', 'ignored');
    assert.ok(named.out.includes('ignored/x.js'));
    assert.ok(!withIgnore.out.includes('node_modules'), 'node_modules skipped by default');
    const deps = await audit(root, '--format', 'json', 'node_modules');
    assert.ok(deps.out.includes('node_modules/dep/index.js'), 'node_modules audited when named');
  });

  it('gives exit code 2 and one line for usage and config errors', async () => {
    assert.equal((await audit(root, 'does-not-exist')).code, 2);
    assert.equal((await audit(root, '--format', 'nope')).code, 2);
    assert.equal((await audit(root, '--rule', 'no-such-rule=error', 'src')).code, 2);
    assert.equal((await audit(root, '--rule', 'no-eval=loud', 'src')).code, 2);
    assert.equal((await audit(root, '--max-warnings', 'many', 'src')).code, 2);
    const bad = tree({ '.airlockrc.json': '{ "profile": "lenient" }', 'a.js': 'x()' });
    const result = await audit(bad, 'a.js');
    assert.equal(result.code, 2);
    assert.match(result.err, /invalid config .*\.airlockrc\.json: profile/);
    const broken = tree({ '.airlockrc.json': '{ not json', 'a.js': 'x()' });
    assert.equal((await audit(broken, 'a.js')).code, 2);
    rmSync(bad, { recursive: true });
    rmSync(broken, { recursive: true });
  });

  it('discovers config files (package.json#airlock, .airlockrc.json, airlock.config.mjs)', async () => {
    const viaPackage = tree({ 'package.json': JSON.stringify({ name: 'x', airlock: { rules: { 'no-eval': 'off' } } }), 'a.js': 'eval(1)' });
    assert.equal((await audit(viaPackage, 'a.js')).code, 0);
    const viaRc = tree({ '.airlockrc.json': JSON.stringify({ rules: { 'no-eval': 'warn' } }), 'a.js': 'eval(1)' });
    const rc = await audit(viaRc, '--format', 'json', 'a.js');
    assert.equal(rc.code, 0);
    assert.equal(JSON.parse(rc.out)[0].messages[0].severity, 1);
    const viaMjs = tree({ 'airlock.config.mjs': 'export default { rules: { "no-eval": "off" } };', 'a.js': 'eval(1)' });
    assert.equal((await audit(viaMjs, 'a.js')).code, 0);
    assert.equal((await audit(viaMjs, '--no-config-search', 'a.js')).code, 1);
    const explicit = tree({ 'custom.json': JSON.stringify({ rules: { 'no-eval': 'off' } }), 'a.js': 'eval(1)' });
    assert.equal((await audit(explicit, '--config', 'custom.json', 'a.js')).code, 0);
    for (const dir of [viaPackage, viaRc, viaMjs, explicit]) rmSync(dir, { recursive: true });
  });

  it('honours suppression directives in recommended and ignores them in strict', async () => {
    const dir = tree({ 'a.js': '// airlock-disable-next-line no-eval -- generated loader\neval(generated);\n' });
    assert.equal((await audit(dir, 'a.js')).code, 0);
    const strict = await audit(dir, '--profile', 'strict', '--format', 'json', 'a.js');
    assert.equal(strict.code, 1);
    const ids = JSON.parse(strict.out)[0].messages.map((m: { ruleId: string }) => m.ruleId);
    assert.ok(ids.includes('inline-suppression-ignored') && ids.includes('no-eval'), ids.join());
    rmSync(dir, { recursive: true });
  });

  it('gives the same results in parallel as in-process', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 60; i++) files[`f${String(i).padStart(2, '0')}.js`] = i % 7 === 0 ? `globalThis['ev' + 'al']('${i}')\n` : `export const v${i} = ${i};\n`;
    const dir = tree(files);
    const sequential = await audit(dir, '--format', 'json', '--concurrency', 'off', '.');
    const parallel = await audit(dir, '--format', 'json', '--concurrency', '2', '.');
    assert.equal(sequential.code, 1);
    assert.equal(parallel.code, sequential.code);
    assert.deepEqual(JSON.parse(parallel.out), JSON.parse(sequential.out));
    rmSync(dir, { recursive: true });
  });

  it('prints GitHub annotations and SARIF', async () => {
    const gh = await audit(root, '--format', 'github', 'src/bad.ts');
    assert.match(gh.out, /^::error file=src\/bad\.ts,line=1,col=13,endLine=1,endColumn=17,title=airlock\(no-eval\)::`eval` runs a string as code\.$/m);
    const sarif = await audit(root, '--format', 'sarif', 'src/bad.ts');
    const log = JSON.parse(sarif.out);
    assert.equal(log.version, '2.1.0');
    assert.equal(log.runs[0].results[0].ruleId, 'no-eval');
    assert.equal(log.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri, 'src/bad.ts');
  });

  it('runs as a real process right after install, with the default policy and no config', () => {
    const dir = tree({ 'a.js': 'const e = eval; e(x)\n', 'b.js': 'export default 1\n' });
    const result = spawnSync(process.execPath, [CLI_BIN, 'audit', '.'], { cwd: dir, encoding: 'utf8', env: { ...process.env, CI: '1' } });
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stdout, /a\.js\n\s+1:11\s+error\s+`eval` runs a string as code\.\s+no-eval/);
    assert.match(result.stdout, /1 problem \(1 error, 0 warnings\) in 2 files audited/);
    const help = spawnSync(process.execPath, [CLI_BIN, '--help'], { encoding: 'utf8' });
    assert.equal(help.status, 0);
    assert.match(help.stdout, /audit/);
    rmSync(dir, { recursive: true });
  });
});
