// Shared test helpers: paths into the repository (tests run from dist/test), and small utilities.
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

/** The repository root (tests are compiled to dist/test/..., sources stay at the root). */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Path of a file in the repository. */
export function repoPath(...parts: string[]): string {
  return join(REPO_ROOT, ...parts);
}

/** The compiled CLI entry point. */
export const CLI_BIN = join(REPO_ROOT, 'dist', 'cli', 'bin.js');
