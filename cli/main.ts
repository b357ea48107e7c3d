// The airlock command: parses arguments and dispatches to subcommands. Returns the exit code
// (0 ok, 1 findings or a failed run, 2 usage, config or internal error); never exits the process.
import { Command, CommanderError } from 'commander';
import type { CliIO } from './io.js';
import { processIO, UsageError } from './io.js';
import { InvalidOptionError, type CommandContext } from './context.js';
import { packageVersion } from './package.js';
import { registerAuditCommand } from './commands/audit.js';
import { registerRulesCommand } from './commands/rules.js';
import { PolicyError } from '../policy/index.js';

/** Subcommand registrars; each adds its commands to the program. */
type Registrar = (program: Command, context: CommandContext) => void;

const REGISTRARS: Registrar[] = [registerAuditCommand, registerRulesCommand];
/** The commands REGISTRARS add. */
const BUILT_IN_COMMANDS: ReadonlySet<string> = new Set(['audit', 'rules']);

/** Lets other modules (run/eval, serve, init) add commands without cli/main.ts importing them eagerly. */
export async function loadOptionalRegistrars(): Promise<Registrar[]> {
  const out: Registrar[] = [];
  for (const [path, name] of OPTIONAL_COMMANDS) {
    try {
      const module = (await import(path)) as Record<string, unknown>;
      const registrar = module[name];
      if (typeof registrar === 'function') out.push(registrar as Registrar);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw error;
    }
  }
  return out;
}

/** Commands that live in their own modules, loaded only when present. */
const OPTIONAL_COMMANDS: readonly [string, string][] = [
  ['./commands/run.js', 'registerRunCommands'],
  ['./commands/serve.js', 'registerServeCommand'],
  ['./commands/init.js', 'registerInitCommand'],
];

/** Runs the CLI with the given arguments (without `node` and the script path). */
export async function main(argv: readonly string[], io: CliIO = processIO()): Promise<number> {
  let exitCode = 0;
  const context: CommandContext = { io, setExitCode: (code) => (exitCode = code) };
  const program = new Command('airlock')
    .description('Vet untrusted JavaScript and TypeScript before it runs, then run it behind a wall.')
    .version(packageVersion(), '-v, --version')
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) });
  program.enablePositionalOptions();
  // `audit` and `rules` need none of the optional commands, whose modules (the executor, the
  // server, TypeScript's compiler) take over a second to load: skip them for those commands.
  const optional = BUILT_IN_COMMANDS.has(argv[0] ?? '') ? [] : await loadOptionalRegistrars();
  for (const register of [...REGISTRARS, ...optional]) register(program, context);
  for (const command of program.commands) command.exitOverride().configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version exit 0; everything else commander rejects is a usage error.
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return 0;
      if (error.exitCode === 0) return 0;
      return 2;
    }
    if (error instanceof UsageError || error instanceof InvalidOptionError || error instanceof PolicyError) {
      io.stderr(`airlock: ${error.message}\n`);
      return 2;
    }
    io.stderr(`airlock: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 2;
  }
}
