// --cache end to end: results are reused for unchanged files (proved by planting a marker in the
// cache), re-computed when the content or the policy changes, and a corrupt cache is ignored.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { airlock, tree, type JsonEntry } from './cli-helpers.js';

function cacheFiles(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')) : [];
}

describe('airlock audit --cache', () => {
  it('reuses results of unchanged files and recomputes changed ones', async () => {
    const root = tree({ 'a.js': 'eval(a);\n', 'b.js': 'export const b = 1;\n' });
    const first = await airlock(root, ['audit', '--cache', '-f', 'json']);
    assert.equal(first.code, 1);
    const location = join(root, '.airlock-cache');
    const [file] = cacheFiles(location);
    assert.ok(file, 'a cache file is written under .airlock-cache');
    const second = await airlock(root, ['audit', '--cache', '-f', 'json']);
    assert.deepEqual(JSON.parse(second.out), JSON.parse(first.out));

    // Plant a marker in b.js's cached report: an unchanged b.js is served from the cache.
    const path = join(location, file!);
    const cache = JSON.parse(readFileSync(path, 'utf8'));
    cache.entries['b.js'].report.findings.push({ ...cache.entries['a.js'].report.findings[0], message: 'FROM-CACHE' });
    cache.entries['b.js'].report.errorCount = 1;
    writeFileSync(path, JSON.stringify(cache));
    const third = await airlock(root, ['audit', '--cache', '-f', 'json']);
    assert.match(third.out, /FROM-CACHE/);

    // Changing b.js's content invalidates its entry.
    writeFileSync(join(root, 'b.js'), 'export const b = 2;\n');
    const fourth = await airlock(root, ['audit', '--cache', '-f', 'json']);
    assert.doesNotMatch(fourth.out, /FROM-CACHE/);
    assert.equal((JSON.parse(fourth.out) as JsonEntry[]).find((r) => r.filePath.endsWith('b.js'))!.errorCount, 0);
  });

  it('keys the cache by policy: another profile or rule setting does not reuse results', async () => {
    const root = tree({ 'a.js': 'eval(a);\n', 'node_modules/.keep': '' });
    const asError = await airlock(root, ['audit', '--cache', '-f', 'json']);
    assert.equal((JSON.parse(asError.out) as JsonEntry[])[0]!.errorCount, 1);
    const asWarning = await airlock(root, ['audit', '--cache', '--rule', 'no-eval=warn', '-f', 'json']);
    assert.equal(asWarning.code, 0);
    assert.equal((JSON.parse(asWarning.out) as JsonEntry[])[0]!.warningCount, 1);
    // With a node_modules folder the default location is node_modules/.cache/airlock.
    assert.equal(cacheFiles(join(root, 'node_modules', '.cache', 'airlock')).length, 2);
  });

  it('ignores a corrupt or foreign cache file and rewrites it', async () => {
    const root = tree({ 'a.js': 'eval(a);\n' });
    const location = join(root, 'cache-dir');
    await airlock(root, ['audit', '--cache', '--cache-location', 'cache-dir']);
    const [file] = cacheFiles(location);
    for (const garbage of ['{not json', '[]', '{"airlockCache":1,"key":"other","entries":{}}', JSON.stringify({ airlockCache: 1, key: 'x', entries: { 'a.js': { hash: 1 } } })]) {
      writeFileSync(join(location, file!), garbage);
      const run = await airlock(root, ['audit', '--cache', '--cache-location', 'cache-dir']);
      assert.equal(run.code, 1, `${garbage}: ${run.err}`);
      assert.match(run.out, /no-eval/);
      assert.match(run.err, /ignoring the cache/);
    }
    // Entries of the right key but a broken shape are misses, not crashes.
    const good = JSON.parse(readFileSync(join(location, file!), 'utf8'));
    good.entries['a.js'].report = { findings: 'nope' };
    writeFileSync(join(location, file!), JSON.stringify(good));
    const run = await airlock(root, ['audit', '--cache', '--cache-location', 'cache-dir']);
    assert.equal(run.code, 1);
    assert.match(run.out, /no-eval/);
    // An unwritable location is a note, not a failure.
    mkdirSync(join(root, 'blocked'));
    writeFileSync(join(root, 'blocked', 'file'), '');
    const blocked = await airlock(root, ['audit', '--cache', '--cache-location', 'blocked/file/sub']);
    assert.equal(blocked.code, 1);
    assert.match(blocked.err, /could not write the cache/);
  });
});
