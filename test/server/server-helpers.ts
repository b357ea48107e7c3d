// Helpers for the server tests: configs with small limits, tokens, a log capture, and a scripted
// backend that stands in for the worker pool where a test is about admission, draining or the HTTP
// layer (it never pretends to sandbox anything; the real executor is tested in run.test.ts).
import type { RunResult } from '../../executor/types.js';
import type { BackendRunOutcome, BackendRunRequest, RunBackend } from '../../server/backend.js';
import { createServer, type AirlockServer, type CreateServerOptions } from '../../server/app.js';
import { resolveServerConfig, type ServerConfigInput, type SettingsOverrides } from '../../server/config.js';

export const ADMIN_TOKEN = 'admin-token-0123456789abcdef';
export const CI_TOKEN = 'ci-token-0123456789abcdef0000';

/** A config with two tokens (one limited to `quick`) and a `quick` policy with small limits. */
export function testConfigInput(extra: Partial<ServerConfigInput> = {}): ServerConfigInput {
  return {
    policies: {
      quick: { profile: 'strict', limits: { timeoutMs: 400, memoryMb: 48, maxOutputBytes: 4096 } },
      ...(extra.policies ?? {}),
    },
    tokens: [
      { name: 'admin', token: ADMIN_TOKEN },
      { name: 'ci', token: CI_TOKEN, policies: ['quick'] },
    ],
    defaultPolicy: 'quick',
    ...Object.fromEntries(Object.entries(extra).filter(([key]) => key !== 'policies')),
  };
}

/** Lines the server logged, parsed. */
export class LogCapture {
  readonly raw: string[] = [];
  write(line: string): void {
    this.raw.push(line);
  }
  get text(): string {
    return this.raw.join('');
  }
  get entries(): Record<string, unknown>[] {
    return this.raw.map((line) => JSON.parse(line) as Record<string, unknown>);
  }
}

/** Builds a server on a test config. */
export async function testServer(
  options: { config?: Partial<ServerConfigInput>; settings?: SettingsOverrides; env?: NodeJS.ProcessEnv } & Omit<CreateServerOptions, 'config'> = {},
): Promise<AirlockServer & { logs: LogCapture }> {
  const logs = new LogCapture();
  const { config, settings, env, ...rest } = options;
  const server = await createServer({
    config: resolveServerConfig(testConfigInput(config), env ?? {}, { workers: 2, queue: 4, ...settings }),
    logger: { level: 'info', stream: logs },
    ...rest,
  });
  return Object.assign(server, { logs });
}

export const auth = (token: string = ADMIN_TOKEN) => ({ authorization: `Bearer ${token}` });

/**
 * A backend whose runs take `delayMs` (or until released) and answer with a fixed-shape result. For
 * tests of the HTTP layer's queueing and draining, not of sandboxing.
 */
export class ScriptedBackend implements RunBackend {
  readonly concurrency: number;
  readonly requests: BackendRunRequest[] = [];
  delayMs: number;
  result: Partial<RunResult> = {};
  isReady = true;
  closed = false;
  running = 0;

  constructor(options: { concurrency?: number; delayMs?: number } = {}) {
    this.concurrency = options.concurrency ?? 1;
    this.delayMs = options.delayMs ?? 0;
  }

  ready(): boolean {
    return this.isReady && !this.closed;
  }

  /** Set to make the next outcomes carry this `workerReady` promise. */
  workerReady: Promise<unknown> | undefined;

  async run(request: BackendRunRequest): Promise<BackendRunOutcome> {
    this.requests.push(request);
    this.running++;
    try {
      await new Promise((resolve) => setTimeout(resolve, this.delayMs));
      const result: RunResult = {
        status: 'ok',
        value: 'done',
        stdout: '',
        stderr: '',
        findings: [],
        error: null,
        durationMs: this.delayMs,
        ...this.result,
      };
      return this.workerReady === undefined ? { result } : { result, workerReady: this.workerReady };
    } finally {
      this.running--;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
