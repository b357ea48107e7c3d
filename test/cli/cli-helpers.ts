// Helpers for the CLI tests: a fake IO for main(), temporary trees, and git in a temp repository.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { main } from '../../cli/main.js';
import type { CliIO } from '../../cli/io.js';

export type FakeIO = CliIO & { out: string; err: string };

/** An IO that records stdout and stderr. */
export function fakeIO(cwd: string, options: { env?: NodeJS.ProcessEnv; tty?: boolean } = {}): FakeIO {
  const io: FakeIO = {
    out: '',
    err: '',
    stdout(text: string) {
      io.out += text;
    },
    stderr(text: string) {
      io.err += text;
    },
    cwd,
    env: options.env ?? {},
    stderrIsTTY: options.tty ?? false,
    stdoutIsTTY: false,
  };
  return io;
}

/** Runs `airlock <args>` in-process. */
export async function airlock(cwd: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; tty?: boolean } = {}): Promise<{ code: number; out: string; err: string }> {
  const io = fakeIO(cwd, options);
  const code = await main(args, io);
  return { code, out: io.out, err: io.err };
}

/** Writes files into a new temporary folder and returns its path. */
export function tree(files: Record<string, string | Buffer>, prefix = 'airlock-cli-'): string {
  const root = mkdtempSync(join(tmpdir(), prefix));
  writeTree(root, files);
  return root;
}

/** Writes files under a folder. */
export function writeTree(root: string, files: Record<string, string | Buffer>): void {
  for (const [name, content] of Object.entries(files)) {
    const path = join(root, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  }
}

/** Runs git in a folder (tests only), with a fixed identity. */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t', GIT_CONFIG_NOSYSTEM: '1' },
  });
}

/** ESLint-shaped JSON output entry. */
export interface JsonEntry {
  filePath: string;
  messages: { ruleId: string; severity: number; message: string; line: number; fingerprint: string }[];
  suppressedMessages: { ruleId: string; line: number; fingerprint: string; suppressions: { kind: string; justification: string }[] }[];
  errorCount: number;
  warningCount: number;
}
