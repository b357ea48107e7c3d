// `airlock audit [paths...]`: analyse a tree, print a report, and exit 0 (clean), 1 (findings) or 2.
import { writeFile } from 'node:fs/promises';
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import type { ProfileName, Severity } from '../../analyzer/types.js';
import { PROFILE_NAMES } from '../../analyzer/types.js';
import { resolvePolicy, type PolicyInput } from '../../policy/index.js';
import { loadConfig, policyPart } from '../config.js';
import { collectFiles } from '../files.js';
import { auditFiles } from '../audit.js';
import { FORMATTERS } from '../formatters/index.js';
import { UsageError, wantsColor } from '../io.js';
import { packageVersion } from '../package.js';
import { parseIntOption, type CommandContext } from '../context.js';
import { createProgress } from '../progress.js';
import { applyBaseline, readBaseline, writeBaseline } from '../baseline.js';
import { changedFiles, filterChanged } from '../git.js';
import { AuditCache, defaultCacheLocation } from '../cache.js';
import { auditPackages, planPackages, type PackageSummary } from '../deps.js';
import type { AnalysisReport } from '../../analyzer/types.js';
import type { Policy } from '../../policy/index.js';

interface AuditFlags {
  profile?: ProfileName;
  config?: string;
  configSearch: boolean;
  rule: string[];
  format: string;
  outputFile?: string;
  maxWarnings?: string;
  ignorePattern: string[];
  gitignore: boolean;
  concurrency: string;
  quiet?: boolean;
  verbose?: boolean;
  progress: boolean;
  baseline?: string;
  writeBaseline?: string;
  changedSince?: string;
  cache?: boolean;
  cacheLocation?: string;
  deps?: boolean;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** Parses `--rule id=severity`. */
export function parseRuleFlags(flags: readonly string[]): Record<string, Severity> {
  const out: Record<string, Severity> = {};
  for (const flag of flags) {
    const match = /^([a-z0-9-]+)=(off|info|warn|error)$/.exec(flag.trim());
    if (match === null) throw new UsageError(`--rule takes <rule-id>=off|info|warn|error, not '${flag}'`);
    out[match[1]!] = match[2] as Severity;
  }
  return out;
}

export function registerAuditCommand(program: Command, context: CommandContext): void {
  program
    .command('audit')
    .description('analyse files or directories and report dangerous constructs')
    .argument('[paths...]', 'files or directories to audit', [])
    .addOption(new Option('--profile <name>', 'rule profile').choices(PROFILE_NAMES as string[]))
    .option('-c, --config <file>', 'use this config file')
    .option('--no-config-search', 'do not look for a config file')
    .option('--rule <id=severity>', 'set a rule severity (repeatable)', collect, [])
    .addOption(new Option('-f, --format <name>', 'output format').choices([...FORMATTERS.keys()]).default('stylish'))
    .option('-o, --output-file <file>', 'write the report to a file instead of stdout')
    .option('--max-warnings <n>', 'exit 1 when there are more warnings than this')
    .option('--ignore-pattern <glob>', 'skip files matching a .gitignore-style pattern (repeatable)', collect, [])
    .option('--no-gitignore', 'do not honour .gitignore files')
    .option('--concurrency <n>', "worker threads: a number, 'auto' (all cores) or 'off'", 'auto')
    .option('--quiet', 'report errors only')
    .option('--verbose', 'also list info-level findings')
    .option('--no-progress', 'never show a progress line')
    .option('--baseline <file>', 'fail only on findings not recorded in this baseline file')
    .option('--write-baseline <file>', "record today's findings in a baseline file (and exit 0)")
    .option('--changed-since <git-ref>', 'audit only files changed since this git ref (committed, staged, unstaged, untracked)')
    .option('--cache', 'reuse results of unchanged files (by content hash, policy and airlock version)')
    .option('--cache-location <dir>', 'cache folder (default node_modules/.cache/airlock or .airlock-cache)')
    .option('--deps', 'dependency audit: audit profile, node_modules by default, findings grouped by package')
    .action(async (paths: string[], flags: AuditFlags) => {
      context.setExitCode(await runAudit(paths, flags, context));
    });
}

async function runAudit(paths: string[], flags: AuditFlags, context: CommandContext): Promise<number> {
  const { io } = context;
  const { config, filepath } = await loadConfig(io.cwd, flags.config, flags.configSearch);
  if (flags.baseline !== undefined && flags.writeBaseline !== undefined) throw new UsageError('use either --baseline or --write-baseline, not both');
  // --deps implies the audit profile (unless one is named) and audits node_modules by default.
  if (flags.deps && flags.profile === undefined) flags.profile = 'audit';
  if (flags.deps && paths.length === 0) paths = ['node_modules'];
  const ruleFlags = parseRuleFlags(flags.rule);
  const input: PolicyInput = policyPart(config);
  const policy = (() => {
    try {
      const fromConfig = resolvePolicy({ ...input, ...(flags.profile ? { profile: flags.profile, rules: undefined } : {}) });
      // Config rule settings still apply under a profile given on the command line.
      const withConfigRules = flags.profile && input.rules ? resolvePolicy({ rules: input.rules }, fromConfig) : fromConfig;
      return Object.keys(ruleFlags).length > 0 ? resolvePolicy({ rules: ruleFlags }, withConfigRules) : withConfigRules;
    } catch (error) {
      throw new UsageError(`${filepath ? `${filepath}: ` : ''}${(error as Error).message}`);
    }
  })();
  const maxWarnings = flags.maxWarnings === undefined ? -1 : parseIntOption('--max-warnings', flags.maxWarnings);
  const concurrency =
    flags.concurrency === 'auto' ? undefined : flags.concurrency === 'off' ? 1 : parseIntOption('--concurrency', flags.concurrency, 1);
  let files = await collectFiles(paths, {
    cwd: io.cwd,
    ignorePatterns: [...(config.ignorePatterns ?? []), ...flags.ignorePattern],
    gitignore: flags.gitignore && !flags.deps,
  });
  if (flags.changedSince !== undefined) files = filterChanged(files, await changedFiles(io.cwd, flags.changedSince));
  // Package grouping: the dependency audit, or the audit profile over a tree.
  const packageMode = flags.deps === true || policy.profile === 'audit';
  const plan = packageMode ? await planPackages(files, auditedDirectories(paths, io.cwd), io.cwd, false) : null;
  if (plan !== null && plan.extraFiles.length > 0) files = [...files, ...plan.extraFiles];
  const progress = createProgress(io, flags.progress);
  let reports: AnalysisReport[];
  try {
    reports = await auditWithCache(files, policy, concurrency, progress.update, flags, io);
  } finally {
    progress.done();
  }
  let packages: PackageSummary[] | undefined;
  if (plan !== null) ({ reports, packages } = auditPackages(plan, reports, policy, io.cwd));
  let baselineInUse = false;
  if (flags.writeBaseline !== undefined) {
    const path = resolve(io.cwd, flags.writeBaseline);
    const count = await writeBaseline(path, reports, packageVersion());
    io.stderr(`airlock: wrote ${count} finding${count === 1 ? '' : 's'} to the baseline ${flags.writeBaseline}\n`);
    applyBaseline(path, await readBaseline(path), reports, flags.writeBaseline);
    baselineInUse = true;
  } else if (flags.baseline !== undefined) {
    const path = resolve(io.cwd, flags.baseline);
    const result = applyBaseline(path, await readBaseline(path), reports, flags.baseline);
    if (result.unused > 0) {
      io.stderr(`airlock: ${result.unused} baseline entr${result.unused === 1 ? 'y matches' : 'ies match'} no finding any more (fixed?); rewrite it with --write-baseline\n`);
    }
    baselineInUse = true;
  }
  if (flags.quiet) {
    for (const report of reports) report.findings = report.findings.filter((f) => f.severity === 'error' || f.suppressed);
  }
  const formatter = FORMATTERS.get(flags.format)!;
  const toFile = flags.outputFile !== undefined;
  const text = formatter(reports, {
    cwd: io.cwd,
    color: !toFile && flags.format === 'stylish' && wantsColor(io, io.stdoutIsTTY),
    policy,
    verbose: flags.verbose === true,
    version: packageVersion(),
    ...(packages !== undefined ? { packages } : {}),
    baseline: baselineInUse,
  });
  if (toFile) {
    try {
      await writeFile(resolve(io.cwd, flags.outputFile!), text);
    } catch (error) {
      throw new UsageError(`cannot write ${flags.outputFile}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  } else io.stdout(text);
  const errors = reports.reduce((n, r) => n + r.errorCount, 0);
  const warnings = reports.reduce((n, r) => n + r.warningCount, 0);
  if (errors > 0) return 1;
  if (maxWarnings >= 0 && warnings > maxWarnings) {
    io.stderr(`airlock: ${warnings} warnings exceed --max-warnings ${maxWarnings}\n`);
    return 1;
  }
  return 0;
}

/** The directories among the audited paths (for finding packages that have no source files). */
function auditedDirectories(paths: readonly string[], cwd: string): string[] {
  const out: string[] = [];
  for (const given of paths.length > 0 ? paths : ['.']) {
    const absolute = resolve(cwd, given);
    try {
      if (statSync(absolute).isDirectory()) out.push(absolute);
    } catch {
      // collectFiles has already reported missing paths
    }
  }
  return out;
}

/** Audits the files, serving unchanged ones from the cache when --cache is on. */
async function auditWithCache(
  files: readonly string[],
  policy: Policy,
  concurrency: number | undefined,
  onProgress: (done: number, total: number) => void,
  flags: AuditFlags,
  io: CommandContext['io'],
): Promise<AnalysisReport[]> {
  if (!flags.cache && flags.cacheLocation === undefined) return auditFiles(files, { policy, concurrency, onProgress });
  const location = flags.cacheLocation !== undefined ? resolve(io.cwd, flags.cacheLocation) : defaultCacheLocation(io.cwd);
  const cache = await AuditCache.open(location, io.cwd, policy, packageVersion());
  if (cache.problem !== null) io.stderr(`airlock: ignoring the cache ${cache.file}: ${cache.problem}\n`);
  const { hits, misses } = cache.lookup(files);
  const fresh = await auditFiles(
    misses.map((i) => files[i]!),
    { policy, concurrency, onProgress: (done, total) => onProgress(hits.size + done, hits.size + total) },
  );
  cache.store(fresh);
  const problem = await cache.save();
  if (problem !== null) io.stderr(`airlock: ${problem}\n`);
  const out: AnalysisReport[] = new Array(files.length);
  for (const [i, report] of hits) out[i] = report;
  misses.forEach((fileIndex, k) => (out[fileIndex] = fresh[k]!));
  return out;
}
