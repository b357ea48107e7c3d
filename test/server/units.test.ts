// The server's parts on their own: config resolution (served policies never honour suppressions,
// tokens from file and environment), bearer auth, the token bucket, the run gate, limit clamping and
// the JSON form of run values.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { isLoopbackHost, resolveServerConfig, ServerConfigError, tokensFromEnv } from '../../server/config.js';
import { authenticate, defaultPolicyFor, mayUsePolicy } from '../../server/auth.js';
import { RateLimiter } from '../../server/rate-limit.js';
import { GateError, RunGate } from '../../server/run-gate.js';
import { clampLimits, jsonSafeResult } from '../../server/limits.js';
import { DEFAULT_LIMITS } from '../../policy/index.js';
import type { RunResult } from '../../executor/types.js';

describe('server config', () => {
  it('serves the built-in profiles with strict as the default', () => {
    const config = resolveServerConfig({});
    assert.deepEqual([...config.policies.keys()].sort(), ['audit', 'recommended', 'strict']);
    assert.equal(config.defaultPolicy, 'strict');
    assert.equal(config.tokens.length, 0);
    assert.equal(config.settings.host, '127.0.0.1');
  });

  it('never honours inline suppressions in a served policy, whatever the config says', () => {
    const config = resolveServerConfig({ policies: { lax: { profile: 'recommended', allowInlineSuppressions: true } } });
    for (const policy of config.policies.values()) assert.equal(policy.allowInlineSuppressions, false, policy.name);
    assert.match(config.warnings.join('\n'), /lax.*allowInlineSuppressions is ignored/);
  });

  it('names policies after their key and keeps their limits', () => {
    const config = resolveServerConfig({ policies: { tiny: { profile: 'strict', limits: { timeoutMs: 50 } } }, defaultPolicy: 'tiny' });
    const tiny = config.policies.get('tiny')!;
    assert.equal(tiny.name, 'tiny');
    assert.equal(tiny.limits.timeoutMs, 50);
    assert.equal(tiny.limits.memoryMb, DEFAULT_LIMITS.strict.memoryMb);
    assert.equal(config.defaultPolicy, 'tiny');
  });

  it('refuses unknown fields, bad policies, an unknown default and tokens naming unknown policies', () => {
    assert.throws(() => resolveServerConfig({ polices: {} }), ServerConfigError);
    assert.throws(() => resolveServerConfig({ policies: { x: { rules: { 'no-such-rule': 'error' } } } }), /no-such-rule/);
    assert.throws(() => resolveServerConfig({ defaultPolicy: 'nope' }), /defaultPolicy 'nope'/);
    assert.throws(() => resolveServerConfig({ tokens: [{ name: 't', token: 'x'.repeat(20), policies: ['nope'] }] }), /unknown policy 'nope'/);
    assert.throws(() => resolveServerConfig({ tokens: [{ name: 't', token: 'short' }] }), ServerConfigError);
    assert.throws(() => resolveServerConfig({ policies: { 'bad name': {} } }), ServerConfigError);
    assert.throws(() => resolveServerConfig({ server: { port: '8080' } }), ServerConfigError, 'no coercion in the config either');
    assert.throws(() => resolveServerConfig({ builtinPolicies: false }), /no policies/);
  });

  it('reads AIRLOCK_TOKENS as a list or as JSON, and rejects weak tokens', () => {
    const policies = resolveServerConfig({}).policies;
    const list = tokensFromEnv(' aaaaaaaaaaaaaaaaaaaa , bbbbbbbbbbbbbbbbbbbb ', policies);
    assert.deepEqual(list.map((t) => t.name), ['env-1', 'env-2']);
    const json = tokensFromEnv(JSON.stringify([{ name: 'svc', token: 'c'.repeat(24), policies: ['strict'] }]), policies);
    assert.deepEqual(json.map((t) => [t.name, t.policies]), [['svc', ['strict']]]);
    assert.throws(() => tokensFromEnv('tooshort', policies), /at least 16/);
    assert.throws(() => tokensFromEnv('[{"name":"x"}]', policies), ServerConfigError);
    assert.throws(() => tokensFromEnv('[not json', policies), /not valid JSON/);
    assert.equal(resolveServerConfig({}, { AIRLOCK_TOKENS: 'd'.repeat(16) }).tokens.length, 1);
    assert.throws(() => resolveServerConfig({ tokens: [{ name: 'env-1', token: 'e'.repeat(16) }] }, { AIRLOCK_TOKENS: 'd'.repeat(16) }), /two tokens/);
  });

  it('takes settings from the file, then from flags', () => {
    const config = resolveServerConfig({ server: { port: 9000, queue: 3, rateLimit: false } }, {}, { queue: 7 });
    assert.equal(config.settings.port, 9000);
    assert.equal(config.settings.queue, 7);
    assert.equal(config.settings.rateLimit, null);
  });

  it('knows loopback hosts', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1']) assert.equal(isLoopbackHost(host), true, host);
    for (const host of ['0.0.0.0', '::', '10.0.0.1', 'example.com', '192.168.1.1']) assert.equal(isLoopbackHost(host), false, host);
  });
});

describe('bearer auth', () => {
  const config = resolveServerConfig({
    tokens: [
      { name: 'a', token: 'token-a-0123456789' },
      { name: 'b', sha256: createHash('sha256').update('token-b-0123456789').digest('hex'), policies: ['audit'] },
    ],
  });

  it('accepts configured tokens (plain or as a digest) and names the client', () => {
    const a = authenticate('Bearer token-a-0123456789', config.tokens);
    assert.deepEqual(a, { ok: true, client: { name: 'a', policies: null } });
    const b = authenticate('bearer   token-b-0123456789', config.tokens);
    assert.deepEqual(b, { ok: true, client: { name: 'b', policies: ['audit'] } });
  });

  it('refuses missing, malformed and wrong tokens', () => {
    for (const header of [undefined, '', 'token-a-0123456789', 'Basic dG9rZW4=', 'Bearer', 'Bearer token-a-012345678', 'Bearer token-a-0123456789x', 'Bearer token-a-0123456789 extra', `Bearer ${'x'.repeat(5000)}`]) {
      assert.equal(authenticate(header, config.tokens).ok, false, String(header));
    }
    assert.equal(authenticate(['Bearer token-a-0123456789', 'Bearer x'], config.tokens).ok, false);
  });

  it('lets everyone in when no token is configured (loopback only)', () => {
    assert.deepEqual(authenticate(undefined, []), { ok: true, client: { name: 'anonymous', policies: null } });
  });

  it('checks policy lists', () => {
    const b = { name: 'b', policies: ['audit', 'recommended'] };
    assert.equal(mayUsePolicy(b, 'audit'), true);
    assert.equal(mayUsePolicy(b, 'strict'), false);
    assert.equal(defaultPolicyFor(b, 'strict'), 'audit');
    assert.equal(defaultPolicyFor({ name: 'a', policies: null }, 'strict'), 'strict');
  });
});

describe('rate limiter', () => {
  it('allows a burst, then refills at the rate, and says when to retry', () => {
    let now = 0;
    const limiter = new RateLimiter({ perSecond: 2, burst: 3, now: () => now });
    for (let i = 0; i < 3; i++) assert.equal(limiter.take('c').allowed, true);
    const refused = limiter.take('c');
    assert.equal(refused.allowed, false);
    assert.ok(refused.retryAfter > 0 && refused.retryAfter <= 0.5, String(refused.retryAfter));
    assert.equal(limiter.take('other').allowed, true, 'buckets are per client');
    now += 500;
    assert.equal(limiter.take('c').allowed, true);
    assert.equal(limiter.take('c').allowed, false);
    now += 60_000;
    assert.equal(limiter.take('c').remaining, 2, 'never more than the burst');
  });

  it('keeps a bounded table', () => {
    const limiter = new RateLimiter({ perSecond: 1, burst: 1, maxClients: 10, now: () => 0 });
    for (let i = 0; i < 100; i++) limiter.take(`client-${i}`);
    assert.equal(limiter.size, 10);
  });
});

describe('run gate', () => {
  it('admits `concurrency` at once, queues up to the bound, refuses the rest', async () => {
    const gate = new RunGate({ concurrency: 2, queue: 1, queueTimeoutMs: 5000 });
    const r1 = await gate.acquire();
    const r2 = await gate.acquire();
    let thirdIn = false;
    const third = gate.acquire().then((release) => {
      thirdIn = true;
      return release;
    });
    await assert.rejects(gate.acquire(), (error: GateError) => error.reason === 'full' && error.retryAfter >= 1);
    assert.equal(gate.active, 2);
    assert.equal(gate.queued, 1);
    r1();
    const r3 = await third;
    assert.equal(thirdIn, true);
    r1(); // a second call is ignored
    assert.equal(gate.active, 2);
    r2();
    r3();
    assert.equal(gate.active, 0);
  });

  it('times out a queued run and drops an aborted one', async () => {
    const gate = new RunGate({ concurrency: 1, queue: 5, queueTimeoutMs: 30 });
    const release = await gate.acquire();
    await assert.rejects(gate.acquire(), (error: GateError) => error.reason === 'timeout');
    const controller = new AbortController();
    const waiting = gate.acquire(controller.signal);
    controller.abort();
    await assert.rejects(waiting, (error: GateError) => error.reason === 'aborted');
    assert.equal(gate.queued, 0);
    release();
  });

  it('gives a freed slot to the client holding the fewest, not to the longest queue', async () => {
    const gate = new RunGate({ concurrency: 2, queue: 10, queueTimeoutMs: 5000 });
    const order: string[] = [];
    const take = (client: string) =>
      gate.acquire(undefined, client).then((release) => {
        order.push(client);
        return release;
      });
    const h1 = await take('hostile');
    const h2 = await take('hostile');
    const queuedHostile = [take('hostile'), take('hostile'), take('hostile')];
    const benign = take('benign');
    h1();
    const b = await benign;
    assert.deepEqual(order, ['hostile', 'hostile', 'benign'], 'the benign client jumps the hostile queue');
    b();
    const h3 = await queuedHostile[0]!;
    assert.deepEqual(order.slice(3), ['hostile'], 'work-conserving: alone, the hostile client gets the free slot');
    h2();
    h3();
    for (const pending of queuedHostile.slice(1)) (await pending)();
    assert.equal(gate.active, 0);
  });

  it('keeps a slot, charged to its client, until the worker it used is ready again', async () => {
    const gate = new RunGate({ concurrency: 2, queue: 10, queueTimeoutMs: 5000 });
    let workerBack!: () => void;
    const replaced = new Promise<void>((resolve) => (workerBack = resolve));
    const hostile = await gate.acquire(undefined, 'hostile');
    const benign = await gate.acquire(undefined, 'benign');
    const order: string[] = [];
    const nextHostile = gate.acquire(undefined, 'hostile').then((release) => (order.push('hostile'), release));
    const nextBenign = gate.acquire(undefined, 'benign').then((release) => (order.push('benign'), release));
    hostile(replaced); // killed at its limit: the worker is being replaced
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(gate.active, 2, 'the slot is still held while the worker is replaced');
    assert.deepEqual(order, []);
    benign();
    (await nextBenign)();
    assert.deepEqual(order, ['benign'], 'the benign client goes first: the hostile one still holds its slot');
    workerBack();
    (await nextHostile)();
    assert.equal(gate.active, 0);
  });

  it('gives a held slot back after maxHoldMs if the worker never reports ready', async () => {
    const gate = new RunGate({ concurrency: 1, queue: 1, queueTimeoutMs: 5000, maxHoldMs: 30 });
    const release = await gate.acquire();
    release(new Promise(() => {}));
    const next = await gate.acquire();
    next();
    assert.equal(gate.active, 0);
  });

  it('caps the runs one client may have waiting', async () => {
    const gate = new RunGate({ concurrency: 1, queue: 4, queueTimeoutMs: 5000 });
    const release = await gate.acquire(undefined, 'a');
    const waiting = [gate.acquire(undefined, 'a'), gate.acquire(undefined, 'a')];
    await assert.rejects(gate.acquire(undefined, 'a'), (error: GateError) => error.reason === 'full' && /already has 2/.test(error.message));
    const other = gate.acquire(undefined, 'b');
    assert.equal(gate.queued, 3, 'another client still gets a place');
    release();
    for (const pending of [...waiting, other]) (await pending)();
    assert.equal(gate.active, 0);
  });

  it('drains: close() waits for running and queued runs, and refuses new ones', async () => {
    const gate = new RunGate({ concurrency: 1, queue: 2, queueTimeoutMs: 5000 });
    const release = await gate.acquire();
    const queued = gate.acquire();
    let drained = false;
    const closed = gate.close().then(() => (drained = true));
    await assert.rejects(gate.acquire(), (error: GateError) => error.reason === 'closed');
    release();
    const release2 = await queued;
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(drained, false, 'the queued run still holds the gate');
    release2();
    await closed;
    assert.equal(drained, true);
  });
});

describe('limits and values', () => {
  it('clamps requested limits to the policy: tighten, never widen', () => {
    const policy = DEFAULT_LIMITS.strict;
    const { limits, clamped } = clampLimits(policy, { timeoutMs: 60_000, memoryMb: 16, maxOutputBytes: policy.maxOutputBytes * 10 });
    assert.equal(limits.timeoutMs, policy.timeoutMs);
    assert.equal(limits.memoryMb, 16);
    assert.equal(limits.maxOutputBytes, policy.maxOutputBytes);
    assert.equal(limits.maxModules, policy.maxModules);
    assert.deepEqual(clamped.sort(), ['maxOutputBytes', 'timeoutMs']);
    assert.deepEqual(clampLimits(policy, undefined), { limits: { ...policy }, clamped: [] });
  });

  it('keeps JSON values and describes the others', () => {
    const base: RunResult = { status: 'ok', value: null, stdout: '', stderr: '', findings: [], error: null, durationMs: 1 };
    const keep = [null, 1, 'x', true, [1, { a: [2] }], { a: { b: null } }];
    for (const value of keep) assert.deepEqual(jsonSafeResult({ ...base, value }).value, value);
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    const cases: [unknown, string][] = [
      [undefined, 'undefined'],
      [10n, '10n'],
      [NaN, 'NaN'],
      [new Map([[1, 2]]), '[Map(1)]'],
      [cycle, '[Object]'],
      [[1, , 3], '[Array]'],
      [{ a: undefined }, '[Object]'],
    ];
    for (const [value, description] of cases) {
      const out = jsonSafeResult({ ...base, value });
      assert.equal(out.value, null);
      assert.equal(out.valueDescription, description);
    }
    assert.equal(jsonSafeResult({ ...base, value: undefined, valueDescription: '[Function: f]' }).valueDescription, '[Function: f]');
  });
});
