// The CLI's connection to the outside world, passed in so that tests drive `main()` in-process.
export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** stderr is a terminal (progress lines and colour are allowed). */
  stderrIsTTY: boolean;
  /** stdout is a terminal (colour is allowed). */
  stdoutIsTTY: boolean;
}

/** The real process's IO. */
export function processIO(): CliIO {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    cwd: process.cwd(),
    env: process.env,
    stderrIsTTY: process.stderr.isTTY === true,
    stdoutIsTTY: process.stdout.isTTY === true,
  };
}

/** An error that the CLI reports as one line and exit code 2 (usage, config, I/O). */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Whether colour output is wanted, honouring NO_COLOR / FORCE_COLOR. */
export function wantsColor(io: CliIO, tty: boolean): boolean {
  if (io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '') return false;
  if (io.env.FORCE_COLOR !== undefined && io.env.FORCE_COLOR !== '0') return true;
  return tty && io.env.TERM !== 'dumb';
}
