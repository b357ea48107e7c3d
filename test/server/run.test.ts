// POST /v1/run against the real executor (a pool of sandbox workers): benign scripts next to hostile
// ones (infinite loop, memory bombs, escape attempts), limits a client tries to widen, modules and
// input. A limit is a 200 result, never a 5xx; the server lives on and the next run works.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { RunResult } from '../../executor/types.js';
import { auth, testServer } from './server-helpers.js';

const CANARY = 'AIRLOCK_SERVER_CANARY_5b1e';
process.env.AIRLOCK_SERVER_CANARY = CANARY;

type Server = Awaited<ReturnType<typeof testServer>>;

describe('POST /v1/run with the executor', () => {
  let server: Server;

  before(async () => {
    server = await testServer({
      settings: { workers: 2, queue: 16 },
      config: {
        policies: {
          quick: {
            profile: 'strict',
            limits: { timeoutMs: 400, memoryMb: 48, maxOutputBytes: 4096 },
            modules: { allow: ['path', 'left-pad'] },
          },
          // Gate 1 off: what the realm alone contains (the served policy still may not widen limits).
          'sandbox-only': { profile: 'strict', analysis: 'off', limits: { timeoutMs: 400, memoryMb: 48 } },
        },
        server: { rateLimit: false },
      },
    });
    while (!server.backend!.ready()) await new Promise((resolve) => setTimeout(resolve, 20));
  });
  after(async () => {
    await server.close(2000);
  });

  async function run(payload: Record<string, unknown>): Promise<{ status: number; body: RunResult; headers: Record<string, unknown>; ms: number }> {
    const started = performance.now();
    const response = await server.app.inject({ method: 'POST', url: '/v1/run', headers: auth(), payload });
    return { status: response.statusCode, body: response.json() as RunResult, headers: response.headers, ms: performance.now() - started };
  }

  it('runs benign code: value, output, TypeScript, modules, input', async () => {
    const plain = await run({ code: 'const xs = [1, 2, 3]; xs.map((x) => x * 2)' });
    assert.equal(plain.status, 200);
    assert.equal(plain.body.status, 'ok');
    assert.deepEqual(plain.body.value, [2, 4, 6]);
    const output = await run({ code: 'console.log("hello"); console.error("warn"); 1' });
    assert.equal(output.body.stdout, 'hello\n');
    assert.equal(output.body.stderr, 'warn\n');
    const ts = await run({ code: 'const n: number = 20; n + 1', language: 'ts' });
    assert.equal(ts.body.value, 21);
    const modules = await run({
      code: 'import { twice } from "./lib/math.js";\nexport default twice(input.n);',
      modules: { 'lib/math.js': 'export const twice = (n) => n * 2;' },
      input: { n: 21 },
    });
    assert.equal(modules.body.status, 'ok', JSON.stringify(modules.body));
    assert.equal(modules.body.value, 42);
    const cjs = await run({ code: 'require("left-pad")("x", 3)', modules: { 'left-pad': 'module.exports = (s, n) => s.padStart(n)' } });
    assert.equal(cjs.body.value, '  x');
    const strictInput = await run({ code: '"use strict";\ninput.items.length', input: { items: ['a', '\u2028', 'c'] } });
    assert.equal(strictInput.body.value, 3);
  });

  it('hands input over as data: null is a value, no input is no global, code may shadow it', async () => {
    assert.equal((await run({ code: 'input', input: null })).body.value, null);
    assert.equal((await run({ code: 'typeof input' })).body.value, 'undefined');
    assert.equal((await run({ code: 'const input = 5; input', input: 7 })).body.value, 5);
    const rejected = await run({ code: 'eval("1")', input: { big: 'x'.repeat(100) } });
    assert.equal(rejected.body.status, 'rejected');
    const finding = rejected.body.findings.find((f) => f.ruleId === 'no-eval');
    assert.deepEqual([finding?.line, finding?.column, finding?.endColumn], [1, 1, 5], 'findings point into the code as sent');
  });

  it('turns sourceType into the entry\'s format', async () => {
    assert.equal((await run({ code: '1 + 1', sourceType: 'script' })).body.value, 2);
    assert.equal((await run({ code: 'export default 3', sourceType: 'module' })).body.value, 3);
  });

  it('rejects what gate 1 rejects, without running it', async () => {
    const escape = await run({ code: 'this.constructor.constructor("return process")().env' });
    assert.equal(escape.status, 200);
    assert.equal(escape.body.status, 'rejected');
    assert.equal(escape.body.error?.code, 'AIRLOCK_REJECTED');
    assert.ok(escape.body.findings.length > 0);
    const syntax = await run({ code: 'function (' });
    assert.equal(syntax.status, 200);
    assert.equal(syntax.body.status, 'rejected');
  });

  it('contains escape attempts with gate 1 off: no host process, no host modules, no canary', async () => {
    // Each attempt either fails inside the realm or ends with a value showing it reached nothing.
    const attempts: [string, (value: unknown) => boolean][] = [
      ['this.constructor.constructor("return process")().env', () => false],
      ['({}).constructor.constructor("return globalThis.process")().env.AIRLOCK_SERVER_CANARY', () => false],
      ['import("fs").then((fs) => fs.readFileSync("/etc/passwd", "utf8"))', () => false],
      ['require("child_process").execSync("id").toString()', () => false],
      [
        'let out = "no escape"; const e = new Error(); e.name = Symbol(); try { e.stack } catch (x) { out = typeof x.constructor.constructor("return process")() } out',
        (value) => value === 'no escape' || value === 'undefined',
      ],
      ['typeof process === "undefined" ? "no process" : JSON.stringify(process.env)', (value) => value === 'no process'],
    ];
    for (const [code, contained] of attempts) {
      const result = await run({ code, policy: 'sandbox-only' });
      assert.equal(result.status, 200, code);
      const text = JSON.stringify(result.body);
      assert.equal(text.includes(CANARY), false, `${code} leaked the canary: ${text}`);
      assert.ok(result.body.status === 'error' || (result.body.status === 'ok' && contained(result.body.value)), `${code}: ${text}`);
    }
  });

  it('stops an infinite loop at the policy limit, even when the client asks for more time', async () => {
    const result = await run({ code: 'while (true) {}', limits: { timeoutMs: 600_000 } });
    assert.equal(result.status, 200);
    assert.equal(result.body.status, 'timeout');
    assert.equal(result.body.error?.code, 'AIRLOCK_TIMEOUT');
    assert.equal(result.headers['airlock-limits-clamped'], 'timeoutMs');
    assert.match(result.body.error?.message ?? '', /400 ms/, 'the policy\'s limit, not the 600 s asked for');
    assert.ok(result.ms < 10_000, `stopped after ${Math.round(result.ms)} ms`);
    const async = await run({ code: 'const spin = async () => { for (;;) await null; }; spin()', policy: 'sandbox-only' });
    assert.equal(async.body.status, 'timeout');
  });

  it('honours a tighter limit a client asks for', async () => {
    const result = await run({ code: 'while (true) {}', limits: { timeoutMs: 100 } });
    assert.equal(result.body.status, 'timeout');
    assert.match(result.body.error?.message ?? '', /100 ms/);
    assert.equal(result.headers['airlock-limits-clamped'], undefined);
  });

  it('stops memory bombs with a 200 result', async () => {
    const buffers = await run({ code: 'const keep = []; for (;;) keep.push(new ArrayBuffer(16 * 1024 * 1024))', limits: { memoryMb: 64 } });
    assert.equal(buffers.status, 200);
    assert.equal(buffers.body.status, 'memory-limit', JSON.stringify(buffers.body));
    const heap = await run({ code: 'const a = []; for (;;) a.push(new Array(1e5).fill(a.length))' });
    assert.equal(heap.status, 200);
    assert.ok(['memory-limit', 'timeout'].includes(heap.body.status), JSON.stringify(heap.body));
  });

  it('serves benign runs next to hostile ones, and after them', async () => {
    const mixed = await Promise.all([
      run({ code: 'while (true) {}' }),
      run({ code: '6 * 7' }),
      run({ code: 'const a = []; for (;;) a.push(new ArrayBuffer(8e6))' }),
      run({ code: '"benign"' }),
    ]);
    assert.deepEqual(
      mixed.map((r) => [r.status, r.body.status]),
      [
        [200, 'timeout'],
        [200, 'ok'],
        [200, 'memory-limit'],
        [200, 'ok'],
      ],
    );
    assert.equal(mixed[1]!.body.value, 42);
    const after = await run({ code: '1 + 1' });
    assert.equal(after.body.value, 2);
    const healthy = await server.app.inject('/readyz');
    assert.equal(healthy.statusCode, 200);
  });

  it('cuts output floods at the policy limit', async () => {
    const result = await run({ code: 'for (;;) console.log("x".repeat(100))' });
    assert.equal(result.status, 200);
    assert.equal(result.body.error?.code, 'AIRLOCK_OUTPUT_LIMIT');
    assert.ok(result.body.stdout.length <= 4096 + 200, String(result.body.stdout.length));
  });

  it('answers a bad module map with 400, not a result', async () => {
    const response = await server.app.inject({ method: 'POST', url: '/v1/run', headers: auth(), payload: { code: '1', modules: { '../escape.js': '1' } } });
    assert.equal(response.statusCode, 400);
    assert.equal((response.json() as { code: string }).code, 'AIRLOCK_BAD_REQUEST');
  });
});
