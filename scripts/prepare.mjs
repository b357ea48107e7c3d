#!/usr/bin/env node
// `npm ci` / `npm install` hook: compile TypeScript to dist/ unless dist/ is already newer than every
// source file. npx runs this hook each time it starts the local `airlock` bin, so a fresh build must
// not be paid on every call.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const root = new URL('..', import.meta.url).pathname;
const stamp = join(root, 'dist', '.tsbuildinfo');
const SOURCE_DIRS = ['analyzer', 'rules', 'policy', 'cli', 'executor', 'server', 'test', 'bench'];

function newestSource() {
  let newest = statSync(join(root, 'tsconfig.json')).mtimeMs;
  const visit = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) visit(path);
      else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  for (const dir of SOURCE_DIRS) if (existsSync(join(root, dir))) visit(join(root, dir));
  if (existsSync(join(root, 'index.ts'))) newest = Math.max(newest, statSync(join(root, 'index.ts')).mtimeMs);
  return newest;
}

if (existsSync(stamp) && existsSync(join(root, 'dist', 'cli', 'bin.js')) && statSync(stamp).mtimeMs >= newestSource()) process.exit(0);
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.json')], { stdio: 'inherit' });
process.exit(result.status ?? 1);
