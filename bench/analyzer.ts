// `npm run bench:analyzer`: analyzer speed on a real corpus of installed npm packages, measured in
// one run side by side with bare @babel/parser parsing and with the ESLint CLI using the closest
// equivalent rules. The corpus and ESLint are installed at bench time into a cache folder (not
// project dependencies). The machine is shared and noisy: figures are medians, compared as ratios.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { globSync } from 'tinyglobby';
import { analyze } from '../analyzer/engine.js';
import { languageOf, parseSource, sourceTypeOf } from '../analyzer/source.js';
import { resolvePolicy } from '../policy/index.js';
import type { ProfileName } from '../analyzer/types.js';
import { median, npmInstall } from './_scratch.js';

const CORPUS_PACKAGES = ['typescript@5.9', 'lodash@4', 'react-dom@19', 'react@19', 'three@0.170', 'rxjs@7'];
const ESLINT_PACKAGES = ['eslint@9', 'eslint-plugin-security@3'];
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CLI_ROUNDS = Number(process.env.BENCH_CLI_ROUNDS ?? 2);
/** `inprocess`, `cli` or both (default): the two halves take minutes each. */
const PHASES = new Set((process.env.BENCH_PHASES ?? 'inprocess,cli').split(',').map((p) => p.trim()));

const root = fileURLToPath(new URL('../..', import.meta.url));
const cacheDir = process.env.AIRLOCK_BENCH_DIR ?? join(tmpdir(), 'airlock-bench');
const corpusDir = join(cacheDir, 'corpus');
const eslintDir = join(cacheDir, 'eslint');

function log(line = ''): void {
  process.stdout.write(`${line}\n`);
}

function fmtMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`;
}

/** Wall time and peak RSS of a command, via /usr/bin/time when present. */
function timeCommand(command: string, args: string[], cwd: string): { ms: number; maxRssMb: number | null; status: number | null; stderr: string } {
  const useTime = existsSync('/usr/bin/time');
  const started = performance.now();
  const result = useTime
    ? spawnSync('/usr/bin/time', ['-f', '%M', command, ...args], { cwd, encoding: 'utf8', maxBuffer: 1 << 30, env: { ...process.env, CI: '1' } })
    : spawnSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 1 << 30, env: { ...process.env, CI: '1' } });
  const ms = performance.now() - started;
  let maxRssMb: number | null = null;
  if (useTime) {
    const lines = (result.stderr ?? '').trim().split('\n');
    const kb = Number(lines[lines.length - 1]);
    if (Number.isFinite(kb)) maxRssMb = kb / 1024;
  }
  return { ms, maxRssMb, status: result.status, stderr: result.stderr ?? '' };
}

function main(): void {
  npmInstall(corpusDir, CORPUS_PACKAGES, log);
  npmInstall(eslintDir, ESLINT_PACKAGES, log);
  const corpusRoot = join(corpusDir, 'node_modules');
  const files = globSync('**/*.{js,mjs,cjs}', { cwd: corpusRoot, absolute: true, ignore: ['**/*.min.js'] }).sort();
  const texts = files.map((file) => ({ file, text: readFileSync(file, 'utf8') }));
  const bytes = texts.reduce((sum, { text }) => sum + Buffer.byteLength(text), 0);
  const mb = bytes / 1e6;
  log(`corpus: ${files.length} files, ${mb.toFixed(1)} MB (${CORPUS_PACKAGES.join(', ')})`);
  log(`node ${process.version}, ${ROUNDS} rounds in-process, ${CLI_ROUNDS} whole-process; medians\n`);

  if (PHASES.has('inprocess')) inProcess(texts, mb, corpusRoot);
  if (PHASES.has('cli')) wholeProcess();
  log(`\nheap of this (in-process) run: ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB RSS`);
}

/**
 * A full collection, when the process can ask for one, so that each timed pass starts from the same
 * settled heap and pays for its own garbage rather than for the previous pass's (a bare parse is
 * mostly garbage collection, so it is the figure this matters most for).
 */
const collectGarbage: () => void = (() => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('typeof gc === "function" ? gc : null') as (() => void) | null;
  return gc ?? (() => {});
})();

function timed(fn: () => void): number {
  collectGarbage();
  const started = performance.now();
  fn();
  return performance.now() - started;
}

function range(values: readonly number[], digits: number): string {
  return `${Math.min(...values).toFixed(digits)}-${Math.max(...values).toFixed(digits)}`;
}

function inProcess(texts: { file: string; text: string }[], mb: number, corpusRoot: string): void {
  // In-process: each profile's analysis is timed next to a bare parse of the same files (in
  // alternating order), and its ratio is the median of those pairs: a pair shares the machine's
  // load at that moment, which a ratio of separately taken medians does not.
  const profiles: ProfileName[] = ['recommended', 'strict', 'audit'];
  const parseTimes: number[] = [];
  const analyzeTimes = new Map<ProfileName, number[]>(profiles.map((p) => [p, []]));
  const ratios = new Map<ProfileName, number[]>(profiles.map((p) => [p, []]));
  const policies = new Map(profiles.map((p) => [p, resolvePolicy({ profile: p })]));
  let parseFailures = 0;
  const parseAll = (): void => {
    parseFailures = 0;
    for (const { file, text } of texts) if (parseSource(text, languageOf(file), sourceTypeOf(file)).failure) parseFailures++;
  };
  for (let round = 0; round < ROUNDS; round++) {
    profiles.forEach((profile, index) => {
      const policy = policies.get(profile)!;
      const analyzeAll = (): void => {
        for (const { file, text } of texts) analyze(text, { filename: file, policy });
      };
      let parseMs: number;
      let analyzeMs: number;
      if ((round + index) % 2 === 0) {
        parseMs = timed(parseAll);
        analyzeMs = timed(analyzeAll);
      } else {
        analyzeMs = timed(analyzeAll);
        parseMs = timed(parseAll);
      }
      parseTimes.push(parseMs);
      analyzeTimes.get(profile)!.push(analyzeMs);
      ratios.get(profile)!.push(analyzeMs / parseMs);
    });
  }
  const parseMs = median(parseTimes);
  log(`in-process (one thread; ${ROUNDS} pairs per profile)   time       MB/s   x parse (range)`);
  log(`  @babel/parser parse only          ${fmtMs(parseMs).padStart(10)}  ${(mb / (parseMs / 1000)).toFixed(1).padStart(6)}      1.00   (${parseFailures} files fail to parse; ${fmtMs(Math.min(...parseTimes))}-${fmtMs(Math.max(...parseTimes))})`);
  for (const profile of profiles) {
    const ms = median(analyzeTimes.get(profile)!);
    const pairs = ratios.get(profile)!;
    log(`  airlock analyze (${profile.padEnd(11)})    ${fmtMs(ms).padStart(10)}  ${(mb / (ms / 1000)).toFixed(1).padStart(6)}  ${median(pairs).toFixed(2).padStart(8)}   (${range(pairs, 2)})`);
  }

  // One large file: typescript's lib/typescript.js.
  const big = join(corpusRoot, 'typescript', 'lib', 'typescript.js');
  if (existsSync(big)) {
    const text = readFileSync(big, 'utf8');
    const bigParse: number[] = [];
    const bigAnalyze: number[] = [];
    const policy = policies.get('recommended')!;
    const bigRatios: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const parseMs = timed(() => parseSource(text, 'jsx', 'unambiguous'));
      const analyzeMs = timed(() => analyze(text, { filename: big, policy }));
      bigParse.push(parseMs);
      bigAnalyze.push(analyzeMs);
      bigRatios.push(analyzeMs / parseMs);
    }
    const p = median(bigParse);
    const a = median(bigAnalyze);
    log(`\none large file: typescript/lib/typescript.js (${(statSync(big).size / 1e6).toFixed(1)} MB)`);
    log(`  parse ${fmtMs(p)}, analyze (recommended) ${fmtMs(a)}: ${median(bigRatios).toFixed(2)}x parse (${range(bigRatios, 2)})`);
  }

}

function wholeProcess(): void {
  // Whole process: airlock audit vs the ESLint CLI with the closest equivalent rules. ESLint's flat
  // config lints only files under its own folder and ignores node_modules by default, so the config
  // is written next to the corpus and un-ignores it; every run's JSON output is counted afterwards,
  // so a run that lints nothing cannot pass for a fast one.
  const eslintConfig = join(corpusDir, 'eslint.config.mjs');
  const securityUrl = pathToFileURL(join(eslintDir, 'node_modules', 'eslint-plugin-security', 'index.js')).href;
  writeFileSync(
    eslintConfig,
    `// Written by bench/analyzer.ts: ESLint's closest equivalent of airlock's rules over the same corpus.
import security from ${JSON.stringify(securityUrl)};
export default [
  { ignores: ['!**/node_modules/', '**/*.min.js'] },
  { files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    linterOptions: { reportUnusedDisableDirectives: 'off' },
    languageOptions: { ecmaVersion: 'latest', sourceType: 'module', parserOptions: { ecmaFeatures: { jsx: true } } },
    plugins: { security },
    rules: {
      'no-eval': 'error', 'no-implied-eval': 'error', 'no-new-func': 'error', 'no-proto': 'error',
      'no-with': 'error', 'no-caller': 'error',
      'no-restricted-globals': ['error', 'process', 'require'],
      'no-restricted-imports': ['error', 'child_process', 'vm', 'fs'],
      ...security.configs.recommended.rules,
    } },
  { files: ['**/*.cjs'], languageOptions: { sourceType: 'commonjs' } },
];
`,
  );
  const eslintBin = join(eslintDir, 'node_modules', 'eslint', 'bin', 'eslint.js');
  const eslintVersion = JSON.parse(readFileSync(join(eslintDir, 'node_modules', 'eslint', 'package.json'), 'utf8')).version as string;
  const airlockBin = join(root, 'dist', 'cli', 'bin.js');
  const out = (name: string) => join(cacheDir, `whole-process-${name}.json`);
  // ESLint lints .js/.mjs/.cjs only; airlock would also read the packages' TypeScript sources.
  const SAME_FILES_AS_ESLINT = ['--ignore-pattern', '**/*.min.js', ...['*.ts', '*.mts', '*.cts', '*.tsx', '*.jsx'].flatMap((p) => ['--ignore-pattern', p])];
  const runs: { name: string; args: string[]; output: string }[] = [
    { name: 'airlock audit (recommended)', output: out('airlock'), args: [airlockBin, 'audit', '--no-gitignore', '--no-config-search', '--format', 'json', '-o', out('airlock'), ...SAME_FILES_AS_ESLINT, 'node_modules'] },
    { name: 'airlock audit --concurrency off', output: out('airlock-serial'), args: [airlockBin, 'audit', '--no-gitignore', '--no-config-search', '--concurrency', 'off', '--format', 'json', '-o', out('airlock-serial'), ...SAME_FILES_AS_ESLINT, 'node_modules'] },
    { name: `eslint ${eslintVersion} (default)`, output: out('eslint'), args: [eslintBin, '--config', eslintConfig, '--no-warn-ignored', '--format', 'json', '-o', out('eslint'), 'node_modules'] },
  ];
  const [major, minor] = eslintVersion.split('.').map(Number) as [number, number];
  if (major > 9 || (major === 9 && minor >= 34)) {
    runs.push({ name: `eslint ${eslintVersion} --concurrency auto`, output: out('eslint-auto'), args: [eslintBin, '--config', eslintConfig, '--no-warn-ignored', '--concurrency', 'auto', '--format', 'json', '-o', out('eslint-auto'), 'node_modules'] });
  }
  log('\nwhole process on the corpus              time    peak RSS   vs airlock   files (fatal)');
  const results = new Map<string, { ms: number; rss: number | null; files: number; fatal: number }>();
  for (const run of runs) {
    const times: number[] = [];
    let rss: number | null = null;
    for (let round = 0; round < CLI_ROUNDS; round++) {
      const result = timeCommand(process.execPath, run.args, corpusDir);
      if (result.status !== 0 && result.status !== 1) throw new Error(`${run.name} failed (exit ${result.status}): ${result.stderr.trim().split('\n').slice(-5).join(' | ')}`);
      times.push(result.ms);
      if (result.maxRssMb !== null) rss = Math.max(rss ?? 0, result.maxRssMb);
    }
    const entries = JSON.parse(readFileSync(run.output, 'utf8')) as { messages: { fatal?: boolean }[] }[];
    const fatal = entries.filter((entry) => entry.messages.some((m) => m.fatal === true)).length;
    results.set(run.name, { ms: median(times), rss, files: entries.length, fatal });
  }
  const base = results.get(runs[0]!.name)!.ms;
  for (const [name, { ms, rss, files, fatal }] of results) {
    log(
      `  ${name.padEnd(36)} ${fmtMs(ms).padStart(9)}  ${rss === null ? '      n/a' : `${rss.toFixed(0).padStart(6)} MB`}   ${(ms / base).toFixed(2).padStart(5)}x   ${String(files).padStart(6)} (${fatal})`,
    );
  }
}

main();
