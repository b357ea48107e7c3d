// `npm run bench:server`: load on `airlock serve` over loopback with autocannon. The server runs in a
// child process (so the load generator does not share its event loop or heap) and reports its memory
// over IPC after a forced GC. Phases: a benign-only baseline, then the mix (analyze, benign runs and
// hostile runs: infinite loops, memory bombs, escape attempts, output floods) from many concurrent
// clients for BENCH_DURATION seconds (default 30), then memory again. It checks that the server stayed
// up, answered every request with a result or 429/503, did not grow its heap, and that benign runs kept
// their latency while hostile ones were being killed. Exit code 1 when a check fails.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { availableParallelism, loadavg } from 'node:os';

const DURATION = Number(process.env.BENCH_DURATION ?? 30);
const BASELINE = Number(process.env.BENCH_BASELINE ?? 8);
const WORKERS = Number(process.env.BENCH_WORKERS ?? availableParallelism());
const QUEUE = Number(process.env.BENCH_QUEUE ?? 32);
const HEAP_GROWTH_LIMIT_MB = Number(process.env.BENCH_HEAP_GROWTH_MB ?? 25);
/** Per-client rate limit: `off` (default: measure capacity), `default` (the server's), or `perSecond/burst`. */
const RATE = process.env.BENCH_RATE ?? 'off';
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 8);

const TOKENS = { analyze: 'bench-analyze-token-0001', benign: 'bench-benign-token-00001', hostile: 'bench-hostile-token-0001' };

interface MemoryReport {
  rssMb: number;
  heapUsedMb: number;
  externalMb: number;
}

// ---- the server child --------------------------------------------------------------------------

async function child(): Promise<void> {
  const { createServer } = await import('../server/app.js');
  const { resolveServerConfig } = await import('../server/config.js');
  const config = resolveServerConfig(
    {
      policies: { bench: { profile: 'strict', limits: { timeoutMs: 500, memoryMb: 64, maxOutputBytes: 64 * 1024 } } },
      defaultPolicy: 'bench',
      tokens: Object.entries(TOKENS).map(([name, token]) => ({ name, token })),
      server: { ...rateLimitSetting(), queueTimeoutMs: 15_000 },
    },
    {},
    { workers: WORKERS, queue: QUEUE },
  );
  const server = await createServer({ config, logger: false });
  while (!server.backend!.ready()) await new Promise((resolve) => setTimeout(resolve, 20));
  const url = await server.listen({ host: '127.0.0.1', port: 0 });
  process.on('message', async (message: { type: string }) => {
    if (message.type === 'memory') {
      for (let i = 0; i < 3; i++) {
        (globalThis as { gc?: () => void }).gc?.();
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const m = process.memoryUsage();
      const mb = (n: number) => Math.round((n / 1048576) * 10) / 10;
      process.send!({ type: 'memory', memory: { rssMb: mb(m.rss), heapUsedMb: mb(m.heapUsed), externalMb: mb(m.external) } satisfies MemoryReport, gate: { running: server.gate.active, queued: server.gate.queued } });
    } else if (message.type === 'close') {
      await server.close(10_000);
      process.disconnect();
    }
  });
  process.send!({ type: 'listening', url });
}

function rateLimitSetting(): { rateLimit?: false | { perSecond: number; burst: number } } {
  if (RATE === 'default') return {};
  if (RATE === 'off') return { rateLimit: false };
  const [perSecond, burst] = RATE.split('/').map(Number);
  return { rateLimit: { perSecond: perSecond!, burst: burst ?? perSecond! } };
}

// ---- the load generator ------------------------------------------------------------------------

interface AutocannonRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  onResponse?: (status: number, body: string) => void;
}
interface AutocannonResult {
  requests: { average: number; total: number; sent: number };
  latency: { p50: number; p90: number; p99: number; max: number; average: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodeStats: Record<string, { count: number }>;
  duration: number;
}
type Autocannon = (options: Record<string, unknown>) => Promise<AutocannonResult>;

const ANALYZE_CODE = [
  "import { readFile } from 'node:fs/promises';",
  'export async function total(path) {',
  "  const rows = JSON.parse(await readFile(path, 'utf8'));",
  '  return rows.filter((r) => r.active).map((r) => r.amount * 1.2).reduce((a, b) => a + b, 0);',
  '}',
  'const key = ["con", "structor"].join("");',
  'export const sneaky = () => ({})[key][key]("return process")();',
].join('\n');

const BENIGN_CODE = 'const xs = Array.from({ length: 200 }, (_, i) => i * input.k); xs.filter((x) => x % 3 === 0).reduce((a, b) => a + b, 0)';

const HOSTILE_CODES = [
  'while (true) {}',
  'const keep = []; for (;;) keep.push(new ArrayBuffer(16 * 1024 * 1024))',
  'const a = []; for (;;) a.push(new Array(1e5).fill(a.length))',
  'this.constructor.constructor("return process")().exit(1)',
  'for (;;) console.log("flood ".repeat(1000))',
  'const spin = async () => { for (;;) await null; }; spin()',
];

function jsonRequest(path: string, token: string, body: unknown, tally?: Map<string, number>): AutocannonRequest {
  return {
    method: 'POST',
    path,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
    ...(tally
      ? {
          onResponse: (status: number, text: string) => {
            let key = String(status);
            if (status === 200) {
              try {
                const parsed = JSON.parse(text) as { status?: string; verdict?: string };
                key = parsed.status ?? parsed.verdict ?? key;
              } catch {
                key = 'unparsable';
              }
            }
            tally.set(key, (tally.get(key) ?? 0) + 1);
          },
        }
      : {}),
  };
}

/** Latencies by status code, from autocannon's per-response events (its own histogram mixes them). */
class Latencies {
  readonly byStatus = new Map<string, number[]>();
  /** Pass as autocannon's `setupClient`. */
  readonly setupClient = (client: { on(event: 'response', listener: (status: number, bytes: number, ms: number) => void): void }) => {
    client.on('response', (status, _bytes, ms) => {
      const key = String(status);
      let list = this.byStatus.get(key);
      if (list === undefined) this.byStatus.set(key, (list = []));
      list.push(ms);
    });
  };

  /** p50, p99 and max of one status, in ms. */
  stats(status: string): { count: number; p50: number; p99: number; max: number } {
    const list = [...(this.byStatus.get(status) ?? [])].sort((a, b) => a - b);
    const at = (q: number) => (list.length === 0 ? NaN : list[Math.min(list.length - 1, Math.floor(q * list.length))]!);
    return { count: list.length, p50: at(0.5), p99: at(0.99), max: list.at(-1) ?? NaN };
  }
}

function memoryOf(server: ChildProcess): Promise<{ memory: MemoryReport; gate: { running: number; queued: number } }> {
  return new Promise((resolve) => {
    const onMessage = (message: { type: string; memory: MemoryReport; gate: { running: number; queued: number } }) => {
      if (message.type !== 'memory') return;
      server.off('message', onMessage);
      resolve(message);
    };
    server.on('message', onMessage);
    server.send({ type: 'memory' });
  });
}

function line(text = ''): void {
  process.stdout.write(`${text}\n`);
}

function row(kind: string, r: AutocannonResult, latencies: Latencies, tally: Map<string, number>): string {
  const ok = latencies.stats('200');
  const refused = [...latencies.byStatus.keys()].filter((k) => k !== '200').sort();
  const codes = [...latencies.byStatus.entries()]
    .sort()
    .map(([code, list]) => `${code}:${list.length}`)
    .join(' ');
  const outcomes = [...tally.entries()]
    .sort()
    .map(([k, v]) => `${k}:${v}`)
    .join(' ');
  const fmt = (n: number) => (Number.isNaN(n) ? '-' : String(Math.round(n))).padStart(7);
  const refusedLatency = refused.map((code) => `${code} p50 ${Math.round(latencies.stats(code).p50)} ms`).join(', ');
  return `${kind.padEnd(13)} ${(r.requests.total / r.duration).toFixed(1).padStart(7)} ${(ok.count / r.duration).toFixed(1).padStart(7)} ${fmt(ok.p50)} ${fmt(ok.p99)} ${fmt(ok.max)} ${String(r.errors + r.timeouts).padStart(6)}  ${codes}  [${outcomes}]${refusedLatency ? `  (${refusedLatency})` : ''}`;
}

async function main(): Promise<void> {
  const require = createRequire(import.meta.url);
  const autocannon = require('autocannon') as Autocannon;
  line(
    `airlock serve under load: ${WORKERS} workers, queue ${QUEUE}, rate limit ${RATE}, ${DURATION} s mixed phase, Node ${process.version}, ${availableParallelism()} cores, load average ${loadavg().map((n) => n.toFixed(1)).join(' ')}`,
  );
  const server = fork(fileURLToPath(import.meta.url), ['--child'], { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let serverExit: string | null = null;
  server.on('exit', (code, signal) => (serverExit = `exit ${code ?? signal}`));
  const started = await new Promise<{ type: string; url?: string; message?: string }>((resolve) => server.once('message', resolve));
  if (started.type !== 'listening') {
    line(`cannot benchmark: ${started.message}`);
    server.kill();
    process.exitCode = 1;
    return;
  }
  const url = started.url!;
  line(`server ${url} (pid ${server.pid})`);

  // Warm-up: JIT, realms, caches; then the memory baseline.
  const warm = new Map<string, number>();
  await autocannon({ url, connections: 4, amount: 200, requests: [jsonRequest('/v1/run', TOKENS.benign, { code: BENIGN_CODE, input: { k: 1 } }, warm)] });
  await autocannon({ url, connections: 4, amount: 200, requests: [jsonRequest('/v1/analyze', TOKENS.analyze, { code: ANALYZE_CODE }, warm)] });
  const before = await memoryOf(server);

  // Baseline: benign runs alone.
  const baseTally = new Map<string, number>();
  const baseLatency = new Latencies();
  const baseline = await autocannon({
    url,
    setupClient: baseLatency.setupClient,
    connections: CONNECTIONS,
    duration: BASELINE,
    requests: [jsonRequest('/v1/run', TOKENS.benign, { code: BENIGN_CODE, input: { k: 2 } }, baseTally)],
  });

  // The mix: all three kinds at once.
  const tallies = { analyze: new Map<string, number>(), benign: new Map<string, number>(), hostile: new Map<string, number>() };
  const latency = { analyze: new Latencies(), benign: new Latencies(), hostile: new Latencies() };
  const [analyzeResult, benignResult, hostileResult] = await Promise.all([
    autocannon({
      url,
      setupClient: latency.analyze.setupClient,
      connections: CONNECTIONS,
      duration: DURATION,
      requests: [jsonRequest('/v1/analyze', TOKENS.analyze, { code: ANALYZE_CODE }, tallies.analyze)],
    }),
    autocannon({
      url,
      setupClient: latency.benign.setupClient,
      connections: CONNECTIONS,
      duration: DURATION,
      requests: [jsonRequest('/v1/run', TOKENS.benign, { code: BENIGN_CODE, input: { k: 3 } }, tallies.benign)],
    }),
    autocannon({
      url,
      setupClient: latency.hostile.setupClient,
      connections: CONNECTIONS,
      duration: DURATION,
      timeout: 30,
      requests: HOSTILE_CODES.map((code) => jsonRequest('/v1/run', TOKENS.hostile, { code, policy: 'bench' }, tallies.hostile)),
    }),
  ]);
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const after = await memoryOf(server);

  line();
  line('latency columns are for 200 answers (results); 429/503 answers are counted apart');
  line('kind            req/s  200s/s   p50ms   p99ms   maxms  errors  statuses  [outcomes]');
  line(row('benign alone', baseline, baseLatency, baseTally));
  line(row('analyze', analyzeResult, latency.analyze, tallies.analyze));
  line(row('benign run', benignResult, latency.benign, tallies.benign));
  line(row('hostile run', hostileResult, latency.hostile, tallies.hostile));
  line();
  line(`server memory after GC: before rss ${before.memory.rssMb} MB, heap ${before.memory.heapUsedMb} MB, external ${before.memory.externalMb} MB`);
  line(`                        after  rss ${after.memory.rssMb} MB, heap ${after.memory.heapUsedMb} MB, external ${after.memory.externalMb} MB (gate: ${after.gate.running} running, ${after.gate.queued} queued)`);

  // Checks.
  const failures: string[] = [];
  if (serverExit !== null) failures.push(`the server died (${serverExit})`);
  const allowed = new Set(['200', '429', '503']);
  for (const [kind, result] of [['analyze', analyzeResult], ['benign', benignResult], ['hostile', hostileResult], ['baseline', baseline]] as const) {
    for (const code of Object.keys(result.statusCodeStats)) if (!allowed.has(code)) failures.push(`${kind}: ${result.statusCodeStats[code]!.count} answers with status ${code}`);
    if (result.errors + result.timeouts > 0) failures.push(`${kind}: ${result.errors} connection errors, ${result.timeouts} timeouts`);
  }
  for (const key of tallies.benign.keys()) if (!['ok', '429', '503'].includes(key)) failures.push(`benign runs ended as '${key}' ${tallies.benign.get(key)} times`);
  const growth = after.memory.heapUsedMb - before.memory.heapUsedMb;
  if (growth > HEAP_GROWTH_LIMIT_MB) failures.push(`heap grew by ${growth.toFixed(1)} MB (limit ${HEAP_GROWTH_LIMIT_MB})`);
  if (after.gate.running + after.gate.queued > 0) failures.push('runs still held by the gate after the load');
  const mixed = latency.benign.stats('200');
  const alone = baseLatency.stats('200');
  line(`benign results under hostile load: p50 ${Math.round(mixed.p50)} ms vs ${Math.round(alone.p50)} ms alone; p99 ${Math.round(mixed.p99)} ms vs ${Math.round(alone.p99)} ms`);
  line(failures.length === 0 ? 'checks: server up, every answer a result or 429/503, no heap growth, gate empty' : `checks FAILED:\n  ${failures.join('\n  ')}`);

  server.send({ type: 'close' });
  await new Promise((resolve) => server.once('exit', resolve));
  process.exitCode = failures.length === 0 ? 0 : 1;
}

if (process.argv.includes('--child')) await child();
else await main();
