// `npm run bench:audit`: the dependency audit on the node_modules of a real project (express, react,
// typescript, webpack installed at bench time with --ignore-scripts): files per second, a first
// (cold) run versus a cached run, and whole-process time next to the ESLint CLI with
// eslint-plugin-security on the same folder (ESLint's default run and its own --cache run).
// The machine is shared and noisy: every figure is the median of BENCH_ROUNDS runs (default 3).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { collectFiles } from '../cli/files.js';
import { median, npmInstall } from './_scratch.js';

const CORPUS_PACKAGES = ['express@5', 'react@19', 'react-dom@19', 'typescript@5.9', 'webpack@5'];
const ESLINT_PACKAGES = ['eslint@9', 'eslint-plugin-security@3'];
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));

const root = fileURLToPath(new URL('../..', import.meta.url));
const benchDir = process.env.AIRLOCK_BENCH_DIR ?? join(tmpdir(), 'airlock-bench');
const corpusDir = join(benchDir, 'audit-corpus');
const eslintDir = join(benchDir, 'eslint');
const cacheDir = join(benchDir, 'audit-cache');
const eslintCache = join(benchDir, 'eslint-cache');

function log(line = ''): void {
  process.stdout.write(`${line}\n`);
}

function fmt(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`;
}

/** Wall time of a whole process (CI set, so no progress line). */
function timeProcess(args: string[], cwd: string): { ms: number; status: number | null; stderr: string } {
  const started = performance.now();
  const result = spawnSync(process.execPath, args, { cwd, encoding: 'utf8', maxBuffer: 1 << 30, env: { ...process.env, CI: '1' } });
  return { ms: performance.now() - started, status: result.status, stderr: result.stderr ?? '' };
}

interface Row {
  name: string;
  times: number[];
}

async function main(): Promise<void> {
  npmInstall(corpusDir, CORPUS_PACKAGES, log);
  npmInstall(eslintDir, ESLINT_PACKAGES, log);
  const target = join(corpusDir, 'node_modules');
  const files = await collectFiles([target], { cwd: corpusDir, ignorePatterns: [], gitignore: false });
  const jsFiles = files.filter((f) => /\.(js|mjs|cjs|jsx)$/.test(f));
  let bytes = 0;
  for (const file of files) bytes += readFileSync(file).byteLength;
  log(`corpus: node_modules of ${CORPUS_PACKAGES.join(', ')}`);
  log(`  ${files.length} files airlock audits (${jsFiles.length} JS, ${files.length - jsFiles.length} TS), ${(bytes / 1e6).toFixed(1)} MB`);
  log(`machine: ${availableParallelism()} cores (${cpus()[0]?.model ?? '?'}), node ${process.version}; ${ROUNDS} rounds, medians\n`);

  // A frozen copy of this build: in a shared working tree other builds may rewrite dist/ mid-run.
  const frozen = join(benchDir, 'airlock-build');
  rmSync(frozen, { recursive: true, force: true });
  mkdirSync(frozen, { recursive: true });
  for (const part of ['dist', 'docs', 'package.json']) cpSync(join(root, part), join(frozen, part), { recursive: true });
  symlinkSync(join(root, 'node_modules'), join(frozen, 'node_modules'));
  const airlock = join(frozen, 'dist', 'cli', 'bin.js');
  const auditArgs = [airlock, 'audit', 'node_modules', '--deps', '--format', 'json', '-o', '/dev/null'];
  const cold: Row = { name: 'airlock audit --deps, first run (--cache, empty)', times: [] };
  const cached: Row = { name: 'airlock audit --deps, cached run (--cache)', times: [] };
  const eslintBin = join(eslintDir, 'node_modules', 'eslint', 'bin', 'eslint.js');
  const eslintVersion = (JSON.parse(readFileSync(join(eslintDir, 'node_modules', 'eslint', 'package.json'), 'utf8')) as { version: string }).version;
  const eslintConfig = join(corpusDir, 'eslint.config.mjs');
  const security = pathToFileURL(join(eslintDir, 'node_modules', 'eslint-plugin-security', 'index.js')).href;
  writeFileSync(
    eslintConfig,
    `// Written by bench/audit.ts: ESLint over the same node_modules, with eslint-plugin-security.
import security from ${JSON.stringify(security)};
export default [
  { ignores: ['!**/node_modules/', '**/*.d.ts'] },
  { files: ['**/*.js', '**/*.mjs', '**/*.cjs', '**/*.jsx'],
    linterOptions: { reportUnusedDisableDirectives: 'off' },
    languageOptions: { ecmaVersion: 'latest', sourceType: 'module', parserOptions: { ecmaFeatures: { jsx: true } } },
    plugins: { security },
    rules: { 'no-eval': 'error', 'no-implied-eval': 'error', 'no-new-func': 'error', ...security.configs.recommended.rules } },
  { files: ['**/*.cjs'], languageOptions: { sourceType: 'commonjs' } },
];
`,
  );
  const eslintArgs = [eslintBin, '--config', eslintConfig, '--no-warn-ignored', '--format', 'json', '-o', join(benchDir, 'eslint-out.json'), 'node_modules'];
  const eslint: Row = { name: `eslint ${eslintVersion} + security, default`, times: [] };
  const eslintCached: Row = { name: `eslint ${eslintVersion} + security, --cache (warm)`, times: [] };
  const [major, minor] = eslintVersion.split('.').map(Number) as [number, number];
  const eslintParallel: Row | null = major > 9 || (major === 9 && minor >= 34) ? { name: `eslint ${eslintVersion} + security, --concurrency auto`, times: [] } : null;

  const check = (name: string, result: { status: number | null; stderr: string }): void => {
    if (result.status !== 0 && result.status !== 1) throw new Error(`${name} failed (${result.status}): ${result.stderr.slice(0, 400)}`);
  };
  for (let round = 0; round < ROUNDS; round++) {
    rmSync(cacheDir, { recursive: true, force: true });
    let r = timeProcess([...auditArgs, '--cache', '--cache-location', cacheDir], corpusDir);
    check('airlock (cold)', r);
    cold.times.push(r.ms);
    r = timeProcess([...auditArgs, '--cache', '--cache-location', cacheDir], corpusDir);
    check('airlock (cached)', r);
    cached.times.push(r.ms);
    r = timeProcess(eslintArgs, corpusDir);
    check('eslint', r);
    eslint.times.push(r.ms);
    if (round === 0) {
      const linted = (JSON.parse(readFileSync(join(benchDir, 'eslint-out.json'), 'utf8')) as unknown[]).length;
      log(`ESLint lints ${linted} of those files (JS only; it has no TypeScript parser configured)\n`);
      rmSync(eslintCache, { recursive: true, force: true });
      check('eslint --cache (fill)', timeProcess([...eslintArgs, '--cache', '--cache-location', `${eslintCache}/`], corpusDir));
    }
    r = timeProcess([...eslintArgs, '--cache', '--cache-location', `${eslintCache}/`], corpusDir);
    check('eslint --cache', r);
    eslintCached.times.push(r.ms);
    if (eslintParallel !== null) {
      r = timeProcess([...eslintArgs, '--concurrency', 'auto'], corpusDir);
      check('eslint --concurrency auto', r);
      eslintParallel.times.push(r.ms);
    }
    log(`round ${round + 1}/${ROUNDS}: airlock cold ${fmt(cold.times.at(-1)!)}, cached ${fmt(cached.times.at(-1)!)}, eslint ${fmt(eslint.times.at(-1)!)}`);
  }

  const rows = [cold, cached, eslint, eslintCached, ...(eslintParallel ? [eslintParallel] : [])];
  const base = median(cold.times);
  log(`\nwhole process (median of ${ROUNDS})                       time   files/s   vs airlock first run`);
  for (const row of rows) {
    const ms = median(row.times);
    const count = row.name.startsWith('eslint') ? jsFiles.length : files.length;
    log(`  ${row.name.padEnd(50)} ${fmt(ms).padStart(9)} ${String(Math.round(count / (ms / 1000))).padStart(8)}   ${(ms / base).toFixed(2)}x`);
  }
  const coldMs = median(cold.times);
  const cachedMs = median(cached.times);
  log(`\ncached run: ${(coldMs / cachedMs).toFixed(1)}x faster than the first run (target: at least 10x)`);
  log(`first run vs ESLint default: ${(median(eslint.times) / coldMs).toFixed(2)}x; cached run vs ESLint --cache: ${(median(eslintCached.times) / cachedMs).toFixed(2)}x`);
}

await main();
