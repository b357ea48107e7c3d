// Baselines end to end through main(): --write-baseline records today's findings, --baseline fails
// only on new ones, baselined findings show as suppressed (kind 'baseline') in json and sarif, and
// entries survive unrelated edits (lines inserted above, other files changed, a different cwd).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { airlock, tree, type JsonEntry } from './cli-helpers.js';

const A = 'export function run(x) {\n  return eval(x);\n}\n';

describe('airlock audit --write-baseline / --baseline', () => {
  it('records findings, then fails only on new ones', async () => {
    const root = tree({ 'src/a.js': A, 'src/b.js': 'export const b = 1;\n' });
    const written = await airlock(root, ['audit', '--write-baseline', 'airlock-baseline.json']);
    assert.equal(written.code, 0, written.out + written.err);
    assert.match(written.err, /wrote 1 finding to the baseline/);
    const baseline = JSON.parse(readFileSync(join(root, 'airlock-baseline.json'), 'utf8'));
    assert.equal(baseline.airlockBaseline, 1);
    assert.equal(baseline.findings.length, 1);
    assert.deepEqual(
      { file: baseline.findings[0].file, ruleId: baseline.findings[0].ruleId, line: baseline.findings[0].line },
      { file: 'src/a.js', ruleId: 'no-eval', line: 2 },
    );

    // Unrelated edits: lines inserted above the finding, and the other file changed.
    writeFileSync(join(root, 'src/a.js'), `// a new header\nimport fs from 'node:fs';\n\n${A}`);
    writeFileSync(join(root, 'src/b.js'), 'export const b = 2;\nexport const c = 3;\n');
    const clean = await airlock(root, ['audit', '--baseline', 'airlock-baseline.json', '-f', 'json']);
    assert.equal(clean.code, 0, clean.out + clean.err);
    const report = JSON.parse(clean.out) as JsonEntry[];
    const a = report.find((r) => r.filePath.endsWith('a.js'))!;
    assert.equal(a.errorCount, 0);
    assert.equal(a.suppressedMessages.length, 1);
    assert.equal(a.suppressedMessages[0]!.line, 5);
    assert.equal(a.suppressedMessages[0]!.suppressions[0]!.kind, 'baseline');
    assert.equal(a.suppressedMessages[0]!.fingerprint, baseline.findings[0].fingerprint);

    // A new finding fails the gate; the baselined one still does not count.
    writeFileSync(join(root, 'src/b.js'), 'export const b = (s) => eval(s);\n');
    const dirty = await airlock(root, ['audit', '--baseline', 'airlock-baseline.json']);
    assert.equal(dirty.code, 1);
    assert.match(dirty.out, /src\/b\.js/);
    assert.doesNotMatch(dirty.out, /src\/a\.js/);
    assert.match(dirty.out, /1 problem \(1 error, 0 warnings\).*1 suppressed/);

    // A second copy of the same line in the same file is new too.
    writeFileSync(join(root, 'src/b.js'), 'export const b = 1;\n');
    writeFileSync(join(root, 'src/a.js'), `${A}export function again(x) {\n  return eval(x);\n}\n`);
    const twice = await airlock(root, ['audit', '--baseline', 'airlock-baseline.json', '-f', 'json']);
    assert.equal(twice.code, 1);
    const entries = JSON.parse(twice.out) as JsonEntry[];
    assert.deepEqual(entries.find((r) => r.filePath.endsWith('a.js'))!.messages.map((m) => m.line), [5]);
  });

  it('stores paths relative to the baseline folder, so it works from another working folder', async () => {
    const root = tree({ 'pkg/src/a.js': A, 'ci/.keep': '' });
    const written = await airlock(join(root, 'pkg'), ['audit', '--write-baseline', '../ci/baseline.json']);
    assert.equal(written.code, 0, written.err);
    const baseline = JSON.parse(readFileSync(join(root, 'ci/baseline.json'), 'utf8'));
    assert.equal(baseline.findings[0].file, '../pkg/src/a.js');
    const fromRoot = await airlock(root, ['audit', 'pkg', '--baseline', 'ci/baseline.json']);
    assert.equal(fromRoot.code, 0, fromRoot.out);
  });

  it('reports fixed entries and shows baselined findings as suppressed in SARIF', async () => {
    const root = tree({ 'a.js': A, 'b.js': 'eval(1);\n' });
    await airlock(root, ['audit', '--write-baseline', 'base.json']);
    writeFileSync(join(root, 'b.js'), 'export {};\n');
    const run = await airlock(root, ['audit', '--baseline', 'base.json', '-f', 'sarif']);
    assert.equal(run.code, 0);
    assert.match(run.err, /1 baseline entry matches no finding any more/);
    const sarif = JSON.parse(run.out);
    const result = sarif.runs[0].results.find((r: { ruleId: string }) => r.ruleId === 'no-eval');
    assert.equal(result.suppressions[0].kind, 'external');
    assert.equal(result.suppressions[0].properties.airlockKind, 'baseline');
    assert.equal(result.baselineState, 'unchanged');
  });

  it('rejects a missing or malformed baseline, and both flags at once, with exit code 2', async () => {
    const root = tree({ 'a.js': A, 'bad.json': '{"findings": 3}', 'notjson.json': '{' });
    for (const args of [
      ['--baseline', 'missing.json'],
      ['--baseline', 'bad.json'],
      ['--baseline', 'notjson.json'],
      ['--baseline', 'bad.json', '--write-baseline', 'x.json'],
    ]) {
      const run = await airlock(root, ['audit', ...args]);
      assert.equal(run.code, 2, args.join(' '));
      assert.match(run.err, /^airlock: .*(baseline)/);
      assert.equal(run.err.trim().split('\n').length, 1);
    }
  });
});
