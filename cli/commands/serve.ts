// `airlock serve`: the HTTP pre-execution API. Binds to loopback unless bearer tokens are configured,
// logs one JSON line per request on stdout, and on SIGTERM/SIGINT stops admitting requests, lets the
// in-flight runs finish (up to the grace period), then closes. Returns 0 after a clean shutdown,
// 1 when runs were still in flight at the end of the grace period, 2 for usage and config errors.
import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { parseIntOption } from '../context.js';
import { UsageError } from '../io.js';
import type { SettingsOverrides } from '../../server/config.js';

interface ServeFlags {
  host?: string;
  port?: string;
  config?: string;
  workers?: string;
  queue?: string;
  logLevel: string;
}

const LOG_LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

export function registerServeCommand(program: Command, context: CommandContext): void {
  program
    .command('serve')
    .description('serve the HTTP pre-execution API (POST /v1/analyze, POST /v1/run)')
    .option('--host <address>', 'address to bind (default 127.0.0.1; anything else needs bearer tokens)')
    .option('--port <n>', 'port to listen on (default 8787; 0 picks a free one)')
    .option('-c, --config <file>', 'server config file (.json, .js or .mjs): policies, tokens, limits')
    .option('--workers <n>', 'worker pool size = runs at once (default: the number of cores)')
    .option('--queue <n>', 'runs that may wait for a worker before requests get 503 (default 64)')
    .option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent', 'info')
    .action(async (flags: ServeFlags) => {
      context.setExitCode(await serve(flags, context));
    });
}

async function serve(flags: ServeFlags, context: CommandContext): Promise<number> {
  const { io } = context;
  // Loaded here, not at the top: every CLI invocation registers this command, and the server pulls in
  // fastify and the executor.
  const { createServer, HttpServerError } = await import('../../server/app.js');
  const { isLoopbackHost, loadServerConfigFile, resolveServerConfig, ServerConfigError } = await import('../../server/config.js');
  const overrides: SettingsOverrides = {};
  if (flags.host !== undefined) {
    if (flags.host.trim() === '') throw new UsageError('--host takes an address');
    overrides.host = flags.host;
  }
  if (flags.port !== undefined) {
    overrides.port = parseIntOption('--port', flags.port);
    if (overrides.port > 65535) throw new UsageError(`--port takes a port number (0-65535), not '${flags.port}'`);
  }
  if (flags.workers !== undefined) overrides.workers = parseIntOption('--workers', flags.workers, 1);
  if (flags.queue !== undefined) overrides.queue = parseIntOption('--queue', flags.queue);
  if (!LOG_LEVELS.has(flags.logLevel)) throw new UsageError(`--log-level takes one of ${[...LOG_LEVELS].join(', ')}, not '${flags.logLevel}'`);

  let config;
  try {
    const raw = flags.config === undefined ? {} : await loadServerConfigFile(flags.config, io.cwd);
    config = resolveServerConfig(raw, io.env, overrides);
  } catch (error) {
    if (error instanceof ServerConfigError) throw new UsageError(error.message);
    throw error;
  }
  const { settings } = config;
  if (config.tokens.length === 0 && !isLoopbackHost(settings.host)) {
    throw new UsageError(`refusing to listen on ${settings.host} without bearer tokens: set AIRLOCK_TOKENS or tokens in the config, or bind to 127.0.0.1`);
  }
  for (const warning of config.warnings) io.stderr(`airlock serve: warning: ${warning}\n`);

  // Handlers go in before anything starts: a signal that arrives during start-up (or while the lines
  // below are written) must drain and stop like any other, not kill the process with its default action.
  const firstSignal = waitForSignal();

  let server;
  try {
    server = await createServer({ config, logger: { level: flags.logLevel, stream: { write: (line) => io.stdout(line) } } });
  } catch (error) {
    firstSignal.cancel();
    throw error;
  }
  let url: string;
  try {
    url = await server.listen();
  } catch (error) {
    firstSignal.cancel();
    await server.close(0);
    if (error instanceof HttpServerError) throw new UsageError(error.message);
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      throw new UsageError(`cannot listen on ${settings.host}:${settings.port}: ${(error as Error).message}`);
    }
    throw error;
  }
  io.stderr(`airlock serve: listening on ${url} (policies: ${[...config.policies.keys()].join(', ')}; default ${config.defaultPolicy})\n`);
  io.stderr(
    config.tokens.length === 0
      ? 'airlock serve: no bearer token configured: bound to loopback only, every local process may call it (set AIRLOCK_TOKENS to require tokens)\n'
      : `airlock serve: ${config.tokens.length} bearer token${config.tokens.length === 1 ? '' : 's'} configured\n`,
  );
  io.stderr(`airlock serve: ${server.gate.concurrency} worker${server.gate.concurrency === 1 ? '' : 's'}, queue ${settings.queue}, body limit ${settings.bodyLimit} bytes\n`);

  const signal = await firstSignal;
  io.stderr(`airlock serve: ${signal}: draining in-flight runs (up to ${settings.shutdownGraceMs} ms; send it again to stop at once)\n`);
  const second = waitForSignal();
  const again = second.then(() => 'forced' as const);
  const outcome = await Promise.race([server.close().then((r) => (r.drained ? ('drained' as const) : ('timed-out' as const))), again]);
  second.cancel();
  if (outcome === 'forced') {
    io.stderr('airlock serve: stopping without waiting for in-flight runs\n');
    await Promise.race([server.close(0), new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
    return 1;
  }
  io.stderr(outcome === 'drained' ? 'airlock serve: stopped\n' : 'airlock serve: grace period over with runs still in flight; stopped\n');
  return outcome === 'drained' ? 0 : 1;
}

/** The first SIGTERM or SIGINT from now on; `cancel()` removes the handlers. */
function waitForSignal(): Promise<'SIGTERM' | 'SIGINT'> & { cancel(): void } {
  let cancel = () => {};
  const promise = new Promise<'SIGTERM' | 'SIGINT'>((resolve) => {
    const onTerm = () => done('SIGTERM');
    const onInt = () => done('SIGINT');
    const done = (name: 'SIGTERM' | 'SIGINT') => {
      cancel();
      resolve(name);
    };
    cancel = () => {
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
    };
    process.once('SIGTERM', onTerm);
    process.once('SIGINT', onInt);
  });
  return Object.assign(promise, { cancel });
}
