// The walls behind the realm. A sandbox worker starts with an empty environment of its own (a secret
// in the host's environment is not there to steal), and process isolation runs it inside a child
// process under Node's permission model: no file writes, no child processes, reads only of
// airlock's executor code and the membrane package. Probes started with exactly those settings
// check that the walls stand; the Executor then runs the same API in both isolations.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { Executor } from '../../executor/executor.js';
import { processExecArgv } from '../../executor/sandbox.js';
import { sandboxWorkerOptions } from '../../executor/thread-transport.js';
import { MemoryHooks } from '../../executor/hooks/index.js';
import { REPO_ROOT } from '../helpers.js';

const CANARY = `isolation-canary-${randomBytes(8).toString('hex')}`;
process.env.AIRLOCK_ISOLATION_CANARY = CANARY;

describe('the worker wall', () => {
  it('a sandbox worker sees an empty environment and no argv', async () => {
    const worker = new Worker(
      "const { parentPort } = require('node:worker_threads'); parentPort.postMessage({ env: JSON.stringify(process.env), argv: process.argv.slice(2) });",
      { eval: true, ...sandboxWorkerOptions(32), execArgv: [] },
    );
    const message = await new Promise<{ env: string; argv: string[] }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();
    assert.equal(message.env, '{}');
    assert.ok(!message.env.includes(CANARY));
    assert.deepEqual(message.argv, []);
  });
});

describe('the process wall (Node permission model)', () => {
  const probe = (code: string) => {
    const child = spawnSync(process.execPath, [...processExecArgv(), '-e', code], { env: {}, encoding: 'utf8', timeout: 20000 });
    return { out: child.stdout.trim(), err: child.stderr.trim(), status: child.status };
  };

  it('denies file writes, reads outside airlock, child processes and addons; keeps the environment empty', () => {
    const { out, err } = probe(`
const fs = require('node:fs');
const results = {};
const attempt = (name, fn) => { try { fn(); results[name] = 'allowed'; } catch (e) { results[name] = e.code || e.message; } };
attempt('write', () => fs.writeFileSync('/tmp/airlock-permission-probe', 'x'));
attempt('readEtc', () => fs.readFileSync('/etc/passwd'));
attempt('readRepoSource', () => fs.readFileSync(${JSON.stringify(`${REPO_ROOT}/executor/executor.ts`)}));
attempt('spawn', () => require('node:child_process').spawnSync('true'));
attempt('addon', () => process.dlopen({ exports: {} }, '/nonexistent.node'));
attempt('readExecutor', () => fs.readFileSync(${JSON.stringify(`${REPO_ROOT}/dist/executor/worker.js`)}));
results.env = Object.keys(process.env).length;
console.log(JSON.stringify(results));
`);
    const results = JSON.parse(out) as Record<string, unknown>;
    assert.equal(results.write, 'ERR_ACCESS_DENIED', err);
    assert.equal(results.readEtc, 'ERR_ACCESS_DENIED');
    assert.equal(results.readRepoSource, 'ERR_ACCESS_DENIED');
    assert.equal(results.spawn, 'ERR_ACCESS_DENIED');
    assert.equal(results.addon, 'ERR_DLOPEN_DISABLED');
    assert.equal(results.readExecutor, 'allowed', 'the child can read what it runs');
    assert.equal(results.env, 0);
  });
});

describe('the same API in both isolations', () => {
  const hooks = new MemoryHooks({ 'lib.ts': 'export const value: number = 41;' });
  const executors = [
    new Executor({ policy: { profile: 'strict', analysis: 'off' }, hooks, isolation: 'worker', limits: { timeoutMs: 2000 } }),
    new Executor({ policy: { profile: 'strict', analysis: 'off' }, hooks, isolation: 'process', limits: { timeoutMs: 2000 } }),
  ];
  after(() => Promise.all(executors.map((e) => e.close())));

  for (const executor of executors) {
    it(`${executor.isolation}: eval, modules, console, limits, and the next call`, async () => {
      const result = await executor.exec("console.log('out'); require('./lib.ts').value + 1", { filename: 'main.js' });
      assert.equal(result.status, 'ok', JSON.stringify(result.error));
      assert.equal(result.value, 42);
      assert.equal(result.stdout, 'out\n');
      const timeout = await executor.eval('for (;;) {}');
      assert.equal(timeout.status, 'timeout');
      const bomb = await executor.eval('new ArrayBuffer(2 ** 40)');
      assert.equal(bomb.status, 'memory-limit');
      const next = await executor.eval('typeof process + typeof require');
      assert.equal(next.value, 'undefinedfunction');
      assert.ok(!JSON.stringify([result, timeout, bomb, next]).includes(CANARY));
    });
  }
});

describe('chatty output across the process wall', () => {
  it('100,000 small writes arrive whole and in order, well within the time limit', async () => {
    const executor = new Executor({ policy: { profile: 'strict', analysis: 'off' }, isolation: 'process', limits: { timeoutMs: 2500 } });
    try {
      const result = await executor.exec("for (let i = 0; i < 100000; i++) { console.log(i % 10); console.error('e'); } 'done'");
      assert.equal(result.status, 'ok', JSON.stringify(result.error));
      assert.equal(result.value, 'done');
      assert.equal(result.stdout, '0\n1\n2\n3\n4\n5\n6\n7\n8\n9\n'.repeat(10000));
      assert.equal(result.stderr.length, 200000);
    } finally {
      await executor.close();
    }
  });
});
