// `airlock audit [paths...]`: analyse a tree, print a report, and exit 0 (clean), 1 (findings) or 2.
import { writeFile } from 'node:fs/promises';
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
    .action(async (paths: string[], flags: AuditFlags) => {
      context.setExitCode(await runAudit(paths, flags, context));
    });
}

async function runAudit(paths: string[], flags: AuditFlags, context: CommandContext): Promise<number> {
  const { io } = context;
  const { config, filepath } = await loadConfig(io.cwd, flags.config, flags.configSearch);
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
  const files = await collectFiles(paths, {
    cwd: io.cwd,
    ignorePatterns: [...(config.ignorePatterns ?? []), ...flags.ignorePattern],
    gitignore: flags.gitignore,
  });
  const progress = createProgress(io, flags.progress);
  let reports;
  try {
    reports = await auditFiles(files, { policy, concurrency, onProgress: progress.update });
  } finally {
    progress.done();
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
