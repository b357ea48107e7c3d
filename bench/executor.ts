// `npm run bench:executor`: the executor (gate 2) side by side with node:vm, ses, vm2 and isolated-vm.
// Measured in one run: warm one-shot run('1+1') latency (median, p99, gate 1 included), sustained runs
// per second on this machine's cores, cold start, a CPU-bound function in the sandbox versus plain
// Node, and a host call through the sandbox boundary. The comparison sandboxes are installed at bench
// time into a scratch folder (not project dependencies) and each runs in its own process (ses's
// lockdown() would otherwise freeze this process's intrinsics). The machine is shared and noisy:
// figures are medians, compared as ratios, and the load average is printed with them.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Executor, Runner } from '../executor/executor.js';
import type { Isolation } from '../executor/executor.js';

const WARM_RUNS = Number(process.env.BENCH_WARM_RUNS ?? 400);
/** Time between warm runs (below capacity; sustained throughput is measured separately). */
const WARM_GAP_MS = Number(process.env.BENCH_WARM_GAP_MS ?? 10);
const SUSTAIN_SECONDS = Number(process.env.BENCH_SUSTAIN_SECONDS ?? 5);
const CORES = availableParallelism();
const scratch = process.env.AIRLOCK_BENCH_DIR ?? join(tmpdir(), 'airlock-bench-executor');

const TARGETS = { warmMedianMs: 1.5, runsPerSecond: 300, cpuRatio: 1.1 };

function log(line = ''): void {
  process.stdout.write(`${line}\n`);
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function ms(value: number | null | undefined, digits = 3): string {
  return value === null || value === undefined || Number.isNaN(value) ? 'n/a' : `${value.toFixed(digits)} ms`;
}

// ---- the comparison sandboxes ------------------------------------------------------------------

interface ToolResult {
  name: string;
  note?: string;
  coldMs?: number;
  warmMedianMs?: number;
  warmP99Ms?: number;
  runsPerSecond?: number;
  cpuMs?: number;
  /** Plain Node on the same program, measured interleaved with cpuMs. */
  plainCpuMs?: number;
  /** CPU time of every thread of this process and its children per sustained run (Linux). */
  cpuPerRunMs?: number;
  hostCallNs?: number;
}

/** Installs ses, vm2 and isolated-vm into the scratch folder; returns what is usable. */
function installTools(): { ses: boolean; vm2: boolean; ivm: boolean; notes: string[] } {
  mkdirSync(scratch, { recursive: true });
  const notes: string[] = [];
  if (!existsSync(join(scratch, 'package.json'))) writeFileSync(join(scratch, 'package.json'), '{ "name": "airlock-bench-scratch", "private": true }\n');
  const installed = (name: string) => existsSync(join(scratch, 'node_modules', name, 'package.json'));
  const npm = (args: string[]) => {
    try {
      execFileSync('npm', ['install', '--prefix', scratch, '--no-audit', '--no-fund', '--loglevel=error', ...args], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 1_800_000 });
      return null;
    } catch (error) {
      const text = String((error as { stderr?: Buffer }).stderr ?? error).trim();
      const errors = text.split('\n').filter((l) => /\berror\b|ERR!/i.test(l));
      return (errors.length > 0 ? errors : text.split('\n')).slice(-3).join(' | ');
    }
  };
  if (!installed('ses') || !installed('vm2')) {
    log(`installing ses and vm2 into ${scratch} ...`);
    const failure = npm(['--ignore-scripts', 'ses@1', 'vm2@3']);
    if (failure) notes.push(`ses/vm2 install failed: ${failure}`);
  }
  const addon = join(scratch, 'node_modules', 'isolated-vm', 'out', 'isolated_vm.node');
  const failedMarker = join(scratch, '.ivm-failed');
  if (!existsSync(addon) && !existsSync(failedMarker)) {
    log('installing isolated-vm (builds its native addon with node-gyp; minutes on a busy machine) ...');
    const failure = npm(['--foreground-scripts', 'isolated-vm@5']);
    if (failure !== null && !existsSync(addon)) {
      writeFileSync(failedMarker, failure);
      notes.push(`isolated-vm did not build (${failure}); skipped`);
    }
  } else if (!existsSync(addon)) {
    notes.push(`isolated-vm did not build earlier (${readFileSync(failedMarker, 'utf8').slice(0, 300)}); skipped (delete ${failedMarker} to retry)`);
  }
  const ivmWorks = existsSync(addon);
  return { ses: installed('ses'), vm2: installed('vm2'), ivm: ivmWorks, notes };
}

/**
 * A comparison tool's bench, as CommonJS source run in its own process. Each defines:
 * oneShot(code) (a fresh sandbox per call), cpu(source) (evaluate in a sandbox, return its result) and
 * hostLoop(n) (n calls of a host function from inside the sandbox).
 */
const TOOL_SOURCES: Record<string, string> = {
  'node:vm': `
const vm = require('node:vm');
const oneShot = (code) => vm.runInNewContext(code);
const cpu = (source) => vm.runInNewContext(source);
const hostLoop = (n) => { let calls = 0; const ctx = vm.createContext({ host: () => { calls++; } }); vm.runInContext('for (let i = 0; i < ' + n + '; i++) host();', ctx); return calls; };`,
  ses: `
require('ses');
lockdown({ errorTaming: 'unsafe', overrideTaming: 'severe', consoleTaming: 'unsafe' });
const oneShot = (code) => new Compartment().evaluate(code);
const cpu = (source) => new Compartment().evaluate(source);
const hostLoop = (n) => { let calls = 0; const c = new Compartment({ host: harden(() => { calls++; }) }); c.evaluate('for (let i = 0; i < ' + n + '; i++) host();'); return calls; };`,
  vm2: `
const { VM } = require('vm2');
const oneShot = (code) => new VM().run(code);
const cpu = (source) => new VM().run(source);
const hostLoop = (n) => { let calls = 0; new VM({ sandbox: { host: () => { calls++; } } }).run('for (let i = 0; i < ' + n + '; i++) host();'); return calls; };`,
  'isolated-vm': `
const ivm = require('isolated-vm');
const oneShot = (code) => { const isolate = new ivm.Isolate({ memoryLimit: 64 }); try { return isolate.createContextSync().evalSync(code); } finally { isolate.dispose(); } };
const cpu = (source) => { const isolate = new ivm.Isolate({ memoryLimit: 128 }); try { return isolate.createContextSync().evalSync(source); } finally { isolate.dispose(); } };
const hostLoop = (n) => { let calls = 0; const isolate = new ivm.Isolate({ memoryLimit: 64 }); const context = isolate.createContextSync(); context.global.setSync('host', new ivm.Callback(() => { calls++; })); context.evalSync('for (let i = 0; i < ' + n + '; i++) host();'); isolate.dispose(); return calls; };`,
};

const TOOL_HARNESS = `
const started = performance.now();
TOOL_SOURCE
const result = { coldMs: 0 };
oneShot('1+1');
result.coldMs = performance.now() - started;
const q = (a, p) => { const s = [...a].sort((x, y) => x - y); return s[Math.min(s.length - 1, Math.floor(p * s.length))]; };
for (let i = 0; i < 50; i++) oneShot('1+1');
(async () => {
const times = [];
for (let i = 0; i < WARM_RUNS; i++) { await new Promise((r) => setTimeout(r, WARM_GAP_MS)); const t = performance.now(); oneShot('1+1'); times.push(performance.now() - t); }
result.warmMedianMs = q(times, 0.5); result.warmP99Ms = q(times, 0.99);
let n = 0; const t0 = performance.now(); while (performance.now() - t0 < SUSTAIN_MS) { oneShot('1+1'); n++; }
result.runsPerSecond = n / ((performance.now() - t0) / 1000);
// CPU-bound: the sandbox and plain Node in this process, interleaved, timed from outside (ses
// compartments have no Date.now).
const plainRun = new Function(CPU_BODY_JSON);
const cpuTimes = [], plainTimes = [];
for (let i = 0; i < 5; i++) {
  let t = performance.now(); plainRun(); plainTimes.push(performance.now() - t);
  t = performance.now(); cpu(CPU_SOURCE); cpuTimes.push(performance.now() - t);
}
result.cpuMs = q(cpuTimes, 0.5); result.plainCpuMs = q(plainTimes, 0.5);
const N = 200000; const h0 = performance.now(); const calls = hostLoop(N); result.hostCallNs = ((performance.now() - h0) * 1e6) / calls;
process.stdout.write(JSON.stringify(result));
})();
`;

/** A CPU-bound program (recursion, allocation, a sort with a comparator). */
const CPU_BODY = `function fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
let acc = 0; for (let r = 0; r < 3; r++) acc += fib(27);
const data = []; for (let i = 0; i < 200000; i++) data.push((i * 7919) % 10007);
data.sort((a, b) => a - b); acc += data[100]; return acc;`;
const CPU_SOURCE = `(() => { ${CPU_BODY} })()`;

function runTool(name: string): ToolResult {
  const source = TOOL_HARNESS.replace('TOOL_SOURCE', TOOL_SOURCES[name]!)
    .replace('WARM_RUNS', String(WARM_RUNS))
    .replace('WARM_GAP_MS', String(WARM_GAP_MS))
    .replace('SUSTAIN_MS', String(SUSTAIN_SECONDS * 1000))
    .replace('CPU_SOURCE', JSON.stringify(CPU_SOURCE))
    .replace('CPU_BODY_JSON', JSON.stringify(CPU_BODY));
  const file = join(scratch, `bench-${name.replace(/[^a-z0-9]/gi, '_')}.cjs`);
  writeFileSync(file, source);
  const child = spawnSync(process.execPath, [file], { cwd: scratch, encoding: 'utf8', timeout: 300_000, maxBuffer: 1 << 24 });
  if (child.status !== 0) return { name, note: `failed: ${(child.stderr || child.stdout).trim().split('\n').slice(-2).join(' | ')}` };
  return { name, ...(JSON.parse(child.stdout) as Omit<ToolResult, 'name'>) };
}

// ---- airlock ------------------------------------------------------------------------------------

async function benchAirlock(isolation: Isolation): Promise<ToolResult> {
  const coldStart = performance.now();
  const runner = new Runner({ isolation, policy: { profile: 'strict' } });
  const first = await runner.run('1+1');
  const coldMs = performance.now() - coldStart;
  if (first.value !== 2) throw new Error(`airlock (${isolation}) cold run failed: ${JSON.stringify(first)}`);
  await runner.warm();
  for (let i = 0; i < 50; i++) await runner.run('1+1');
  // Warm latency: one run every WARM_GAP_MS, below the pool's capacity, as requests to a service
  // arrive. Back to back, a single caller would outrun the realm builds and measure throughput instead.
  const times: number[] = [];
  for (let i = 0; i < WARM_RUNS; i++) {
    await new Promise((resolve) => setTimeout(resolve, WARM_GAP_MS));
    const t = performance.now();
    const result = await runner.run('1+1');
    times.push(performance.now() - t);
    if (result.value !== 2) throw new Error(`airlock run failed: ${JSON.stringify(result)}`);
  }
  // Sustained: enough runs in flight to keep every worker busy.
  let n = 0;
  const cpuBefore = cpuTicksOfTree();
  const until = performance.now() + SUSTAIN_SECONDS * 1000;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CORES * 8 }, async () => {
      while (performance.now() < until) {
        await runner.run('1+1');
        n++;
      }
    }),
  );
  const runsPerSecond = n / ((performance.now() - t0) / 1000);
  const cpuAfter = cpuTicksOfTree();
  const cpuPerRunMs = cpuBefore !== null && cpuAfter !== null ? ((cpuAfter - cpuBefore) * 10) / n : undefined;
  await runner.close();

  const executor = new Executor({ isolation, policy: { profile: 'strict', analysis: 'off' }, limits: { timeoutMs: 60_000 } });
  await executor.eval('0');
  // Interleaved with plain Node in this thread; the sandbox's time is the run's own duration.
  const plainRun = new Function(CPU_BODY) as () => number;
  const cpuTimes: number[] = [];
  const plainTimes: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    plainRun();
    plainTimes.push(performance.now() - t);
    const r = await executor.eval(CPU_SOURCE);
    if (r.status !== 'ok') throw new Error(`CPU-bound run failed: ${JSON.stringify(r.error)}`);
    cpuTimes.push(r.durationMs);
  }
  // A host call: setTimeout + clearTimeout, each one crossing of the channel through the membrane.
  const loops = 100_000;
  const host = await executor.eval(`(() => { const t = Date.now(); for (let i = 0; i < ${loops}; i++) clearTimeout(setTimeout(() => {}, 1e9)); return Date.now() - t; })()`);
  await executor.close();
  return {
    name: `airlock (${isolation})`,
    coldMs,
    warmMedianMs: quantile(times, 0.5),
    warmP99Ms: quantile(times, 0.99),
    runsPerSecond,
    cpuMs: quantile(cpuTimes, 0.5),
    plainCpuMs: quantile(plainTimes, 0.5),
    ...(cpuPerRunMs !== undefined ? { cpuPerRunMs } : {}),
    hostCallNs: (Number(host.value) * 1e6) / (loops * 2),
  };
}

/**
 * CPU clock ticks (1/100 s) used so far by this process and its child processes, all threads (Linux
 * /proc); null elsewhere. Unlike wall time, it does not depend on what else the machine runs.
 */
function cpuTicksOfTree(): number | null {
  const ticksOf = (pid: number): number => {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
  };
  try {
    let total = ticksOf(process.pid);
    const children = readFileSync(`/proc/${process.pid}/task/${process.pid}/children`, 'utf8').trim();
    for (const pid of children === '' ? [] : children.split(/\s+/).map(Number)) {
      try {
        total += ticksOf(pid);
      } catch {
        // exited meanwhile
      }
    }
    return total;
  } catch {
    return null;
  }
}

/** The raw near-membrane boundary: a host function endowed into a realm, called from inside. */
function membraneCallNs(): number {
  const require = createRequire(import.meta.url);
  const createVirtualEnvironment = require('@locker/near-membrane-node') as (g: object, o: object) => { evaluate(s: string): unknown };
  let calls = 0;
  const env = createVirtualEnvironment(globalThis, {
    globalObjectShape: {},
    endowments: Object.getOwnPropertyDescriptors({ host: () => void calls++ }),
  });
  const n = 500_000;
  const started = performance.now();
  env.evaluate(`for (let i = 0; i < ${n}; i++) host();`);
  return ((performance.now() - started) * 1e6) / Math.max(1, calls);
}

// ---- report ---------------------------------------------------------------------------------------

function cpuRatio(r: ToolResult): string {
  return r.cpuMs !== undefined && r.plainCpuMs !== undefined && r.plainCpuMs > 0 ? `${(r.cpuMs / r.plainCpuMs).toFixed(2)}x` : 'n/a';
}

async function main(): Promise<void> {
  log(`airlock executor bench: ${CORES} cores (${cpus()[0]?.model ?? '?'}), Node ${process.version}, load average ${loadavg().map((n) => n.toFixed(1)).join(' ')}`);
  log(`${WARM_RUNS} warm runs per tool, one every ${WARM_GAP_MS} ms; ${SUSTAIN_SECONDS} s sustained with runs kept in flight; comparison tools run alone in their own processes\n`);
  const tools = installTools();
  const results: ToolResult[] = [];
  for (const isolation of ['worker', 'process'] as const) {
    log(`measuring airlock (${isolation}) ...`);
    results.push(await benchAirlock(isolation));
  }
  for (const name of ['node:vm', 'ses', 'vm2', 'isolated-vm']) {
    if ((name === 'ses' && !tools.ses) || (name === 'vm2' && !tools.vm2) || (name === 'isolated-vm' && !tools.ivm)) {
      results.push({ name, note: 'not installed' });
      continue;
    }
    log(`measuring ${name} ...`);
    results.push(runTool(name));
  }
  const membrane = membraneCallNs();

  log('');
  log('one-shot run of "1+1" in a fresh sandbox (airlock: gate 1 included, realms built ahead of demand)');
  log(`${'tool'.padEnd(20)} ${'cold start'.padStart(12)} ${'warm median'.padStart(12)} ${'warm p99'.padStart(12)} ${'runs/s'.padStart(9)}  ${'cpu-bound'.padStart(11)} ${'vs node'.padStart(8)}  ${'host call'.padStart(10)}`);
  for (const r of results) {
    if (r.note !== undefined && r.warmMedianMs === undefined) {
      log(`${r.name.padEnd(20)} ${r.note}`);
      continue;
    }
    log(
      `${r.name.padEnd(20)} ${ms(r.coldMs, 1).padStart(12)} ${ms(r.warmMedianMs).padStart(12)} ${ms(r.warmP99Ms).padStart(12)} ${(r.runsPerSecond ?? 0).toFixed(0).padStart(9)}  ${ms(r.cpuMs, 0).padStart(11)} ${cpuRatio(r).padStart(8)}  ${(r.hostCallNs !== undefined ? `${r.hostCallNs.toFixed(0)} ns` : 'n/a').padStart(10)}`,
    );
  }
  log('(cpu-bound: the same program in plain Node, measured interleaved in the same process, is the 1.00x)');
  for (const r of results.filter((x) => x.cpuPerRunMs !== undefined)) {
    log(`${r.name}: ${r.cpuPerRunMs!.toFixed(2)} ms of CPU per sustained run (all threads and processes), so about ${((CORES * 1000) / r.cpuPerRunMs!).toFixed(0)} runs/s on ${CORES} otherwise idle cores`);
  }
  log(`raw near-membrane host call (endowed function): ${membrane.toFixed(0)} ns`);
  log('');
  log('notes: airlock rows are sandboxes with limits (a worker or a child process per sandbox, a fresh realm per run);');
  log('the others run in the caller\u2019s thread with no time or memory limit. airlock\u2019s host call is setTimeout+clearTimeout');
  log('(two crossings of the realm\u2019s channel through the membrane, averaged per crossing); the others call an endowed function.');
  for (const note of tools.notes) log(`note: ${note}`);

  log('');
  log('targets (issue 3):');
  const checks: [string, boolean][] = [];
  for (const r of results.filter((x) => x.name.startsWith('airlock'))) {
    checks.push([`${r.name}: warm one-shot median ${ms(r.warmMedianMs)} <= ${TARGETS.warmMedianMs} ms`, (r.warmMedianMs ?? Infinity) <= TARGETS.warmMedianMs]);
    checks.push([`${r.name}: sustained ${(r.runsPerSecond ?? 0).toFixed(0)} runs/s >= ${TARGETS.runsPerSecond} on ${CORES} cores`, (r.runsPerSecond ?? 0) >= TARGETS.runsPerSecond]);
    checks.push([`${r.name}: CPU-bound ${cpuRatio(r)} plain Node <= ${TARGETS.cpuRatio}x`, (r.cpuMs ?? Infinity) / (r.plainCpuMs ?? 0) <= TARGETS.cpuRatio]);
  }
  for (const [text, ok] of checks) log(`  ${ok ? 'met   ' : 'MISSED'} ${text}`);
  const load = loadavg()[0]!;
  if (load > CORES) log(`  (load average ${load.toFixed(1)} on ${CORES} cores while measuring: other work shared the CPUs; rerun on an idle machine)`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exitCode = 1;
});
