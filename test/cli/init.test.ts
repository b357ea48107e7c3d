// `airlock init` end to end: writes a commented starter config that airlock then loads and uses,
// refuses to overwrite an existing config without --force, and writes JSON on request.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { airlock, tree } from './cli-helpers.js';
import { loadConfig } from '../../cli/config.js';

describe('airlock init', () => {
  it('writes a commented airlock.config.mjs that the audit picks up', async () => {
    const root = tree({ 'src/a.js': 'eval(x);\n', 'dist/bundle.js': 'eval(y);\n' });
    const run = await airlock(root, ['init', '--profile', 'audit']);
    assert.equal(run.code, 0, run.err);
    assert.match(run.out, /Wrote airlock\.config\.mjs/);
    const text = readFileSync(join(root, 'airlock.config.mjs'), 'utf8');
    assert.match(text, /^\/\/ /m, 'has comments');
    assert.match(text, /profile: "audit"/);
    const { config, filepath } = await loadConfig(root, undefined, true);
    assert.equal(filepath, join(root, 'airlock.config.mjs'));
    assert.equal(config.profile, 'audit');
    // The audit uses it: the audit profile (no-eval is a warning there), dist/ ignored.
    const audit = await airlock(root, ['audit', '-f', 'json']);
    assert.equal(audit.code, 0, audit.out);
    const files = (JSON.parse(audit.out) as { filePath: string; warningCount: number }[]).map((r) => [r.filePath.slice(root.length + 1), r.warningCount]);
    assert.deepEqual(files, [['airlock.config.mjs', 0], ['src/a.js', 1]]);
  });

  it('refuses to overwrite without --force', async () => {
    const root = tree({ 'airlock.config.mjs': 'export default { profile: "strict" };\n' });
    const run = await airlock(root, ['init']);
    assert.equal(run.code, 2);
    assert.match(run.err, /^airlock: airlock\.config\.mjs already exists; use --force to overwrite\n$/);
    assert.match(readFileSync(join(root, 'airlock.config.mjs'), 'utf8'), /strict/);
    const forced = await airlock(root, ['init', '--force']);
    assert.equal(forced.code, 0);
    assert.match(readFileSync(join(root, 'airlock.config.mjs'), 'utf8'), /profile: "recommended"/);
  });

  it('writes JSON with --format json, and notes a config that would shadow it', async () => {
    const root = tree({});
    const run = await airlock(root, ['init', '--format', 'json']);
    assert.equal(run.code, 0);
    const config = JSON.parse(readFileSync(join(root, 'airlock.config.json'), 'utf8'));
    assert.equal(config.profile, 'recommended');
    assert.equal((await loadConfig(root, undefined, true)).config.profile, 'recommended');
    writeFileSync(join(root, '.airlockrc.json'), '{}');
    const again = await airlock(root, ['init', '--format', 'json', '--force']);
    assert.equal(again.code, 0);
    assert.match(again.err, /\.airlockrc\.json is found before airlock\.config\.json/);
    assert.ok(existsSync(join(root, 'airlock.config.json')));
  });
});
