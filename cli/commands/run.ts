// `airlock run <file>` and `airlock eval '<expression>'`: gate 1, then the executor (gate 2), from the
// command line. Without --json: the program's own output, then one status line on stderr. With --json:
// exactly the RunResult on stdout as one JSON document. Exit code 0 for `ok` (and exit(0)), 1 for a
// rejection, an error, a limit or a non-zero exit(), 2 for usage errors.
import { readFile } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { PROFILE_NAMES } from '../../analyzer/types.js';
import type { ProfileName } from '../../analyzer/types.js';
import { resolvePolicy } from '../../policy/index.js';
import type { Policy, PolicyInput } from '../../policy/index.js';
import { Executor } from '../../executor/executor.js';
import type { Isolation } from '../../executor/executor.js';
import { FsHooks } from '../../executor/hooks/index.js';
import { packageNameOf } from '../../executor/gateway.js';
import type { ModuleHooks, RunResult } from '../../executor/types.js';
import { loadConfig, policyPart } from '../config.js';
import type { CommandContext } from '../context.js';
import { parseIntOption } from '../context.js';
import { UsageError } from '../io.js';
import { printable } from '../formatters/printable.js';

interface RunFlags {
  json?: boolean;
  timeout?: string;
  memory?: string;
  root?: string;
  allowModule: string[];
  trustModule: string[];
  profile?: ProfileName;
  analysis?: 'enforce' | 'warn' | 'off';
  isolation: Isolation;
  config?: string;
  configSearch: boolean;
  allowExit?: boolean;
  verbose?: boolean;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** The options `run` and `eval` share. */
function addRunOptions(command: Command): Command {
  return command
    .option('--json', 'print the result as one JSON document on stdout')
    .option('--timeout <ms>', 'wall-clock limit of the run, in milliseconds')
    .option('--memory <mb>', 'heap limit of the run, in MiB')
    .option('--root <dir>', 'serve modules from this folder (its node_modules included) through FsHooks')
    .option('--allow-module <name>', 'grant a package or built-in module (repeatable)', collect, [])
    .option('--trust-module <name>', 'grant a package and analyse it under the trusted profile (default audit) (repeatable)', collect, [])
    .addOption(new Option('--profile <name>', 'rule profile for gate 1 (default strict)').choices(PROFILE_NAMES as string[]))
    .addOption(new Option('--analysis <mode>', 'gate 1: block, only report, or skip').choices(['enforce', 'warn', 'off']))
    .addOption(new Option('--isolation <mode>', 'worker thread, or a worker inside a permission-restricted child process').choices(['worker', 'process']).default('process'))
    .option('--allow-exit', 'let the code end its run with exit(code)')
    .option('-c, --config <file>', 'use this config file')
    .option('--no-config-search', 'do not look for a config file')
    .option('--verbose', 'log each import gateway decision on stderr');
}

export function registerRunCommands(program: Command, context: CommandContext): void {
  addRunOptions(
    program
      .command('run')
      .description('analyse a file with gate 1, then run it in the sandbox')
      .argument('<file>', 'the JavaScript or TypeScript file to run'),
  ).action(async (file: string, flags: RunFlags) => {
    context.setExitCode(await runFile(context, file, flags));
  });
  addRunOptions(
    program
      .command('eval')
      .description('analyse an expression with gate 1, then evaluate it in the sandbox')
      .argument('<expression>', 'the expression to evaluate'),
  ).action(async (expression: string, flags: RunFlags) => {
    context.setExitCode(await evalExpression(context, expression, flags));
  });
}

async function buildPolicy(context: CommandContext, flags: RunFlags): Promise<Policy> {
  const { config } = await loadConfig(context.io.cwd, flags.config, flags.configSearch);
  const input: PolicyInput = policyPart(config);
  const profile = flags.profile ?? input.profile ?? 'strict';
  const limits: Record<string, number> = { ...(input.limits ?? {}) };
  if (flags.timeout !== undefined) limits.timeoutMs = parseIntOption('--timeout', flags.timeout, 1);
  if (flags.memory !== undefined) limits.memoryMb = parseIntOption('--memory', flags.memory, 8);
  const allow = [...(input.modules?.allow ?? resolvePolicy({ profile }).modules.allow), ...flags.allowModule, ...flags.trustModule];
  const trusted = [...(input.modules?.trusted ?? []), ...flags.trustModule.map(packageNameOf)];
  return resolvePolicy({
    ...input,
    profile,
    ...(flags.profile && flags.profile !== input.profile ? { rules: undefined } : {}),
    limits,
    modules: { ...(input.modules ?? {}), allow, trusted },
    ...(flags.analysis !== undefined ? { analysis: flags.analysis } : {}),
    ...(flags.allowExit ? { allowExit: true } : {}),
  });
}

function makeExecutor(context: CommandContext, policy: Policy, hooks: ModuleHooks | undefined, flags: RunFlags): Executor {
  return new Executor({
    policy,
    ...(hooks !== undefined ? { hooks } : {}),
    isolation: flags.isolation,
    ...(flags.verbose ? { verbose: (line: string) => context.io.stderr(`${line}\n`) } : {}),
  });
}

async function runFile(context: CommandContext, file: string, flags: RunFlags): Promise<number> {
  const policy = await buildPolicy(context, flags);
  const path = resolve(context.io.cwd, file);
  let hooks: FsHooks | undefined;
  if (flags.root !== undefined) {
    try {
      hooks = new FsHooks(resolve(context.io.cwd, flags.root));
    } catch (error) {
      throw new UsageError(`--root: ${(error as Error).message}`);
    }
  }
  const executor = makeExecutor(context, policy, hooks, flags);
  try {
    let result: RunResult;
    if (hooks !== undefined) {
      const inside = relative(hooks.root, path);
      if (inside.startsWith('..') || isAbsolute(inside)) throw new UsageError(`${file} is not inside --root ${flags.root}`);
      result = await executor.execFile(path);
    } else {
      let source: string;
      try {
        source = await readFile(path, 'utf8');
      } catch (error) {
        throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      }
      result = await executor.exec(source, { filename: path });
    }
    return report(context, result, flags, false);
  } finally {
    await executor.close();
  }
}

async function evalExpression(context: CommandContext, expression: string, flags: RunFlags): Promise<number> {
  const policy = await buildPolicy(context, flags);
  let hooks: FsHooks | undefined;
  if (flags.root !== undefined) {
    try {
      hooks = new FsHooks(resolve(context.io.cwd, flags.root));
    } catch (error) {
      throw new UsageError(`--root: ${(error as Error).message}`);
    }
  }
  const executor = makeExecutor(context, policy, hooks, flags);
  try {
    return report(context, await executor.eval(expression), flags, true);
  } finally {
    await executor.close();
  }
}

/** Exit code of a result: 0 for ok and exit(0), 1 otherwise. */
export function exitCodeOf(result: RunResult): number {
  if (result.status === 'ok') return 0;
  if (result.status === 'exit') return result.exitCode === 0 ? 0 : 1;
  return 1;
}

function report(context: CommandContext, result: RunResult, flags: RunFlags, isEval: boolean): number {
  const { io } = context;
  if (flags.json) {
    io.stdout(`${JSON.stringify(result, jsonReplacer)}\n`);
    return exitCodeOf(result);
  }
  if (result.stdout !== '') io.stdout(result.stdout);
  if (result.stderr !== '') io.stderr(result.stderr);
  for (const finding of result.findings) {
    if (finding.suppressed !== undefined) continue;
    const where = typeof finding.data?.module === 'string' ? `${finding.data.module}:` : '';
    io.stderr(`${printable(where)}${finding.line}:${finding.column}  ${finding.severity}  ${printable(finding.message)}  ${finding.ruleId}\n`);
  }
  if (isEval && result.status === 'ok') io.stdout(`${formatValue(result)}\n`);
  io.stderr(`${statusLine(result)}\n`);
  return exitCodeOf(result);
}

function formatValue(result: RunResult): string {
  if (result.valueDescription !== undefined) return result.valueDescription;
  if (result.value === undefined) return 'undefined';
  if (typeof result.value === 'string') return result.value;
  try {
    return JSON.stringify(result.value, jsonReplacer, 2) ?? String(result.value);
  } catch {
    return String(result.value);
  }
}

function statusLine(result: RunResult): string {
  const time = `${Math.round(result.durationMs)} ms`;
  switch (result.status) {
    case 'ok':
      return `airlock: ok (${time})`;
    case 'exit':
      return `airlock: exit ${result.exitCode ?? 0} (${time})`;
    default:
      // (The error's name and message come from guest code: shown on one line, control characters escaped.)
      return `airlock: ${result.status}: ${printable(`${result.error?.code ?? ''} ${result.error?.name ?? ''}: ${result.error?.message ?? ''}`)} (${time})`;
  }
}

/** JSON for values structured clone allows but JSON does not (BigInt, Map, Set, undefined in arrays). */
function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return `${value}n`;
  if (value instanceof Map) return Object.fromEntries([...value.entries()].map(([k, v]) => [String(k), v]));
  if (value instanceof Set) return [...value];
  return value;
}
