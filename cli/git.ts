// `--changed-since <ref>`: the files that differ from a git ref, for auditing only what a change
// touched. Committed (since the merge base with the ref), staged, unstaged and untracked files all
// count; deleted files do not. git runs through execFile with an argument list, never a shell.
import { execFile } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from './io.js';

interface GitResult {
  ok: boolean;
  stdout: string;
  stderr: string;
  missing?: boolean;
}

function git(cwd: string, args: readonly string[]): Promise<GitResult> {
  return new Promise((done) => {
    execFile('git', [...args], { cwd, maxBuffer: 256 * 1024 * 1024, windowsHide: true, env: { ...process.env, GIT_OPTIONAL_LOCKS: '0' } }, (error, stdout, stderr) => {
      if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') done({ ok: false, stdout: '', stderr: '', missing: true });
      else done({ ok: error === null, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0]?.replace(/^(fatal|error): /, '') ?? '';
}

/** Absolute real paths of the files changed since `ref` (a branch, tag or commit). Throws UsageError outside a repository or for a bad ref. */
export async function changedFiles(cwd: string, ref: string): Promise<Set<string>> {
  if (ref.startsWith('-')) throw new UsageError(`--changed-since takes a git ref, not '${ref}'`);
  const top = await git(cwd, ['rev-parse', '--show-toplevel']);
  if (top.missing) throw new UsageError('--changed-since needs git, which was not found on PATH');
  if (!top.ok) throw new UsageError(`--changed-since needs a git repository: ${firstLine(top.stderr) || cwd}`);
  const root = top.stdout.trim();
  const verified = await git(cwd, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`]);
  if (!verified.ok) throw new UsageError(`--changed-since: '${ref}' is not a commit in this repository`);
  const commit = verified.stdout.trim();
  // Changes on this branch since it left the ref, not changes made on the ref's branch since.
  const head = await git(cwd, ['merge-base', commit, 'HEAD']);
  const base = head.ok && head.stdout.trim() !== '' ? head.stdout.trim() : commit;
  const diff = await git(root, ['diff', '--name-only', '-z', '--no-renames', '--diff-filter=d', base, '--']);
  if (!diff.ok) throw new UsageError(`--changed-since: git diff failed: ${firstLine(diff.stderr)}`);
  const untracked = await git(root, ['ls-files', '--others', '--exclude-standard', '-z']);
  if (!untracked.ok) throw new UsageError(`--changed-since: git ls-files failed: ${firstLine(untracked.stderr)}`);
  const out = new Set<string>();
  for (const name of [...diff.stdout.split('\0'), ...untracked.stdout.split('\0')]) {
    if (name !== '') out.add(join(root, name));
  }
  return out;
}

/** Keeps the files (absolute paths) that are in the changed set, comparing real paths. */
export function filterChanged(files: readonly string[], changed: ReadonlySet<string>): string[] {
  return files.filter((file) => {
    if (changed.has(file)) return true;
    try {
      return changed.has(realpathSync(file));
    } catch {
      return false;
    }
  });
}
