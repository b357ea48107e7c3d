// Resource exhaustion: loops (synchronous, in promise callbacks, awaiting, self-requeueing
// microtasks), timer storms, ReDoS, Atomics.wait, deep recursion, output floods and memory bombs.
// Each must end with its limit's status within the limit plus a grace, the host must live on, and
// the next call on the same executor must work. Analysis is off: this is the sandbox alone.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Executor } from '../../executor/executor.js';
import type { RunResult, RunStatus } from '../../executor/types.js';

const TIMEOUT_MS = 400;
/** Slack for the watchdog firing and the result coming back on a busy 2-core machine. */
const GRACE_MS = 1500;
const OUTPUT_BYTES = 64 * 1024;

async function expectStopped(executor: Executor, code: string, status: RunStatus, code2: string, budgetMs: number): Promise<RunResult> {
  const started = performance.now();
  const result = await executor.eval(code);
  const elapsed = performance.now() - started;
  assert.equal(result.status, status, `${code}: ${JSON.stringify(result.error)}`);
  assert.equal(result.error?.code, code2);
  assert.ok(elapsed <= budgetMs, `${code}: took ${Math.round(elapsed)} ms, budget ${budgetMs} ms`);
  const next = await executor.eval('20 + 22');
  assert.equal(next.status, 'ok', `next call after ${code}: ${JSON.stringify(next.error)}`);
  assert.equal(next.value, 42);
  return result;
}

describe('time limits (worker isolation)', () => {
  // Worker isolation: time limits hold there too, and a replaced thread starts faster than a process.
  const executor = new Executor({
    policy: { profile: 'strict', analysis: 'off' },
    limits: { timeoutMs: TIMEOUT_MS, memoryMb: 32, maxOutputBytes: OUTPUT_BYTES },
    isolation: 'worker',
  });
  // The first call waits for the worker to start; the budgets below are for stopping, not starting.
  before(async () => assert.equal((await executor.eval('1')).value, 1));
  after(() => executor.close());
  const budget = TIMEOUT_MS + GRACE_MS;

  const timeouts: [string, string][] = [
    ['a synchronous loop', 'while (true) {}'],
    ['for (;;) await null', '(async () => { for (;;) await null; })()'],
    ['self-requeueing microtasks', '(function again() { queueMicrotask(again); })(), new Promise(() => {})'],
    ['a loop inside a promise callback', 'Promise.resolve().then(() => { for (;;) {} })'],
    ['a promise chain that never ends', '(function next() { return Promise.resolve().then(next); })()'],
    ['a timer storm', 'setInterval(() => {}, 0); for (let i = 0; i < 2000; i++) setTimeout(function again() { setTimeout(again, 0); }, 0)'],
    ['ReDoS', "/^(a+)+$/.test('a'.repeat(40) + 'b')"],
    ['Atomics.wait on shared memory', 'Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0)'],
    ['a loop in a getter of the final value', '({ get x() { for (;;) {} } })'],
  ];
  for (const [name, code] of timeouts) {
    it(`${name} ends with status timeout`, async () => {
      await expectStopped(executor, code, 'timeout', 'AIRLOCK_TIMEOUT', budget);
    });
  }

  it('work queued while the result is encoded cannot outlive the time limit', async () => {
    // A getter of the result queues microtasks that run after the result has gone (outside the
    // watchdog): they kept the worker busy for 3 s whatever the run's limit. Now they get the limit.
    for (const code of ['({ get x() { Promise.resolve().then(() => { for (;;) {} }); return 1; } })', '({ get x() { (function f() { Promise.resolve().then(f); })(); return 2; } })']) {
      const first = await executor.eval(code);
      assert.equal(first.status, 'ok', JSON.stringify(first.error));
      const started = performance.now();
      const next = await executor.eval('20 + 22');
      assert.equal(next.value, 42);
      assert.ok(performance.now() - started <= budget, `the next call waited ${Math.round(performance.now() - started)} ms`);
    }
  });

  it('deep recursion ends as a guest RangeError, quickly', async () => {
    const result = await expectStopped(executor, '(function f() { return f() + 1; })()', 'error', 'AIRLOCK_GUEST_ERROR', budget);
    assert.equal(result.error?.name, 'RangeError');
  });

  it('an output flood is cut at maxOutputBytes and ends the run', async () => {
    const result = await expectStopped(executor, "for (;;) console.log('x'.repeat(100))", 'error', 'AIRLOCK_OUTPUT_LIMIT', budget);
    assert.ok(Buffer.byteLength(result.stdout + result.stderr) <= OUTPUT_BYTES);
    assert.ok(result.stdout.length > OUTPUT_BYTES / 2, 'the output up to the limit is kept');
  });

  it('an output flood that catches the limit error still ends', async () => {
    const result = await expectStopped(executor, "for (;;) { try { console.error('y'.repeat(1000)); } catch {} }", 'error', 'AIRLOCK_OUTPUT_LIMIT', budget);
    assert.ok(Buffer.byteLength(result.stderr) <= OUTPUT_BYTES);
  });

  it('array buffers past the memory limit are refused (the heap limit does not see them)', async () => {
    await expectStopped(executor, 'const keep = []; for (;;) keep.push(new Uint8Array(1 << 24))', 'memory-limit', 'AIRLOCK_MEMORY_LIMIT', budget);
    await expectStopped(executor, 'new ArrayBuffer(8 * 1024 * 1024 * 1024)', 'memory-limit', 'AIRLOCK_MEMORY_LIMIT', budget);
    await expectStopped(executor, "new Float64Array({ length: 2 ** 30 })", 'memory-limit', 'AIRLOCK_MEMORY_LIMIT', budget);
  });

  it('timers do not outlive the call', async () => {
    const first = await executor.eval("setTimeout(() => console.log('late'), 50); 'now'");
    assert.equal(first.status, 'ok');
    assert.equal(first.stdout, 'late\n', 'a call waits for its timers');
    const unref = await executor.eval("setTimeout(() => console.log('never'), 10000).unref(); 'done'");
    assert.equal(unref.status, 'ok');
    assert.equal(unref.stdout, '');
  });
});

describe('memory limits (process isolation, the default)', () => {
  // In a worker thread, one allocation that does not fit the heap (`new Array(2 ** 28).fill(0)`, a
  // Map or array growing near the limit) makes V8 abort the whole process (measured on Node 20);
  // process isolation turns that into a lost child process and a memory-limit result.
  const child = new Executor({ policy: { profile: 'strict', analysis: 'off' }, limits: { timeoutMs: 20000, memoryMb: 32 } });
  before(async () => assert.equal((await child.eval('1')).value, 1));
  after(() => child.close());
  const budget = 20000 + GRACE_MS;

  for (const [name, code] of [
    ['an array of objects', 'const a = []; for (;;) a.push({ n: a.length })'],
    ['Map growth', 'const m = new Map(); for (let i = 0; ; i++) m.set(i, i)'],
    ['one huge allocation', 'new Array(2 ** 28).fill(0).length'],
  ] as const) {
    it(`${name} ends with status memory-limit`, async () => {
      await expectStopped(child, code, 'memory-limit', 'AIRLOCK_MEMORY_LIMIT', budget);
    });
  }

  it('a doubling string ends as a guest RangeError (V8 caps string length)', async () => {
    const result = await expectStopped(child, "let s = 'x'; for (;;) s += s", 'error', 'AIRLOCK_GUEST_ERROR', budget);
    assert.equal(result.error?.name, 'RangeError');
  });
});
