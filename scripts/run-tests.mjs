#!/usr/bin/env node
// Runs the compiled test files under dist/test with node's test runner. Node 20's `--test` does not
// expand globs, so this lists the files. Arguments filter by substring: `npm test -- rules/no-eval`.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

const root = new URL('..', import.meta.url).pathname;
const testRoot = join(root, 'dist', 'test');

function collect(dir, out) {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) collect(path, out);
    else if (name.endsWith('.test.js')) out.push(path);
  }
  return out;
}

const filters = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const flags = process.argv.slice(2).filter((a) => a.startsWith('-'));
const files = collect(testRoot, []).filter(
  (file) => filters.length === 0 || filters.some((f) => relative(testRoot, file).includes(f)),
);
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ['--test', '--test-reporter=spec', `--test-concurrency=${Math.max(2, availableParallelism())}`, ...flags, ...files],
  { stdio: 'inherit', env: { ...process.env, AIRLOCK_TEST: '1' } },
);
process.exit(result.status ?? 1);
