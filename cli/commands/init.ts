// `airlock init`: writes a starter config for a project (airlock.config.mjs with comments, or
// airlock.config.json), refusing to overwrite an existing config unless --force is given.
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import type { ProfileName } from '../../analyzer/types.js';
import { PROFILE_NAMES } from '../../analyzer/types.js';
import { UsageError } from '../io.js';
import type { CommandContext } from '../context.js';

/** Config files airlock discovers, in the order it looks for them in one folder. */
const CONFIG_FILES = ['.airlockrc.json', 'airlock.config.json', 'airlock.config.js', 'airlock.config.mjs'];

const IGNORES = ['dist/**', 'build/**', 'coverage/**', '**/*.min.js', 'vendor/**'];

/** The commented starter config as an ES module. */
export function starterModule(profile: ProfileName): string {
  return `// airlock configuration: https://github.com/ (see docs/ci.md and docs/rules in the airlock package).
// Found by \`airlock audit\` from this folder and below; \`airlock audit --config <file>\` names another.
/** @type {import('airlock').PolicyInput & { ignorePatterns?: string[] }} */
export default {
  // Rule profile:
  //   'recommended' - the CI gate for application code: high-precision rules only (default)
  //   'strict'      - for untrusted code that will be executed: rejects every dynamic construct
  //   'audit'       - hunting malicious behaviour in a code tree or a dependency folder
  profile: ${JSON.stringify(profile)},

  // Per-rule severities on top of the profile: 'off' | 'info' | 'warn' | 'error'.
  // \`npx airlock rules\` lists every rule with its default in each profile.
  rules: {
    // 'no-eval': 'error',
    // 'no-dynamic-require': 'warn',
  },

  // Files and folders to skip (.gitignore syntax, relative to this folder). .gitignore is honoured too.
  ignorePatterns: ${JSON.stringify(IGNORES)},

  // Honour \`// airlock-disable-next-line <rule> -- <reason>\` comments (never in the strict profile).
  allowInlineSuppressions: true,

  // Limits of the analyser, e.g. skip (and report) files over 16 MiB:
  // limits: { maxSourceBytes: 16 * 1024 * 1024 },
};
`;
}

/** The starter config as JSON (no comments: JSON has none). */
export function starterJson(profile: ProfileName): string {
  return `${JSON.stringify({ profile, rules: {}, ignorePatterns: IGNORES, allowInlineSuppressions: true }, null, 2)}\n`;
}

interface InitFlags {
  format: 'mjs' | 'json';
  profile: ProfileName;
  force?: boolean;
}

export function registerInitCommand(program: Command, context: CommandContext): void {
  program
    .command('init')
    .description('write a starter airlock config in the current folder')
    .addOption(new Option('--format <kind>', 'airlock.config.mjs (with comments) or airlock.config.json').choices(['mjs', 'json']).default('mjs'))
    .addOption(new Option('--profile <name>', 'profile to start from').choices(PROFILE_NAMES as string[]).default('recommended'))
    .option('--force', 'overwrite an existing config file')
    .action(async (flags: InitFlags) => {
      const { io } = context;
      const name = flags.format === 'json' ? 'airlock.config.json' : 'airlock.config.mjs';
      const target = resolve(io.cwd, name);
      const existing = CONFIG_FILES.filter((f) => existsSync(join(io.cwd, f)));
      if (existing.length > 0 && !flags.force) {
        throw new UsageError(`${existing.join(', ')} already exist${existing.length === 1 ? 's' : ''}; use --force to overwrite`);
      }
      try {
        await writeFile(target, flags.format === 'json' ? starterJson(flags.profile) : starterModule(flags.profile));
      } catch (error) {
        throw new UsageError(`cannot write ${name}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      }
      // A config found earlier in the search order would shadow the new one.
      const shadowing = existing.filter((f) => f !== name && CONFIG_FILES.indexOf(f) < CONFIG_FILES.indexOf(name));
      if (shadowing.length > 0) io.stderr(`airlock: note: ${shadowing.join(', ')} is found before ${name}; remove it to use the new file\n`);
      io.stdout(`Wrote ${name} (profile '${flags.profile}'). Next: npx airlock audit\n`);
      context.setExitCode(0);
    });
}
