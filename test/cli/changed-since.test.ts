// --changed-since end to end: committed (since the merge base), staged, unstaged and untracked files
// are audited; unchanged and deleted ones are not; outside a repository or with a bad ref the
// command fails with exit code 2 and one line.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { airlock, git, tree, type JsonEntry } from './cli-helpers.js';

function audited(out: string): string[] {
  return (JSON.parse(out) as JsonEntry[]).map((r) => r.filePath.split('/').slice(-1)[0]!).sort();
}

describe('airlock audit --changed-since', () => {
  it('audits only files changed since the ref', async () => {
    const root = tree({
      'old.js': 'export const old = 1;\n',
      'committed.js': 'export const c = 1;\n',
      'staged.js': 'export const s = 1;\n',
      'unstaged.js': 'export const u = 1;\n',
      'deleted.js': 'export const d = 1;\n',
      'notes.md': 'x\n',
    });
    git(root, 'init', '-q', '-b', 'main');
    git(root, 'add', '.');
    git(root, 'commit', '-q', '-m', 'base');
    // The base branch moving on does not pull its changes into the audit.
    git(root, 'checkout', '-q', '-b', 'feature');
    git(root, 'checkout', '-q', 'main');
    writeFileSync(join(root, 'old.js'), 'export const old = 2;\n');
    git(root, 'commit', '-q', '-am', 'main moves');
    git(root, 'checkout', '-q', 'feature');
    writeFileSync(join(root, 'committed.js'), 'export const c = 2;\n');
    git(root, 'commit', '-q', '-am', 'change');
    writeFileSync(join(root, 'staged.js'), 'export const s = eval("2");\n');
    git(root, 'add', 'staged.js');
    writeFileSync(join(root, 'unstaged.js'), 'export const u = 2;\n');
    writeFileSync(join(root, 'untracked.ts'), 'export const n: number = 1;\n');
    writeFileSync(join(root, 'ignored.js'), 'eval(1)\n');
    writeFileSync(join(root, '.gitignore'), 'ignored.js\n');
    rmSync(join(root, 'deleted.js'));

    const run = await airlock(root, ['audit', '--changed-since', 'main', '-f', 'json']);
    assert.equal(run.code, 1, run.err);
    assert.deepEqual(audited(run.out), ['committed.js', 'staged.js', 'unstaged.js', 'untracked.ts']);
    const sub = await airlock(root, ['audit', 'committed.js', '--changed-since', 'HEAD', '-f', 'json']);
    assert.deepEqual(audited(sub.out), []);
    assert.equal(sub.code, 0);
  });

  it('fails with exit code 2 outside a git repository or for a bad ref', async () => {
    const outside = tree({ 'a.js': 'export {};\n' });
    const run = await airlock(outside, ['audit', '--changed-since', 'main']);
    assert.equal(run.code, 2);
    assert.match(run.err, /^airlock: --changed-since needs a git repository/);
    const repo = tree({ 'a.js': 'export {};\n' });
    git(repo, 'init', '-q');
    git(repo, 'add', '.');
    git(repo, 'commit', '-q', '-m', 'x');
    for (const ref of ['no-such-branch', 'HEAD~5', '--output=x']) {
      const bad = await airlock(repo, ['audit', `--changed-since=${ref}`]);
      assert.equal(bad.code, 2, ref);
      assert.match(bad.err, /^airlock: --changed-since/);
      assert.equal(bad.err.trim().split('\n').length, 1);
    }
  });
});
