// What every subcommand gets: the IO and a way to set the exit code (commands never exit the process).
import type { CliIO } from './io.js';

export interface CommandContext {
  io: CliIO;
  /** Sets the process exit code the CLI will return (0 ok, 1 findings/failed run, 2 usage or internal error). */
  setExitCode(code: number): void;
}

/** Parses a positive integer option, or throws a usage error naming the option. */
export function parseIntOption(name: string, value: string, min = 0): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min) {
    throw new InvalidOptionError(`${name} takes a whole number${min > 0 ? ` of at least ${min}` : ''}, not '${value}'`);
  }
  return n;
}

export class InvalidOptionError extends Error {
  override name = 'InvalidOptionError';
}
