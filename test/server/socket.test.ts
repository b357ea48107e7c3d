// The server on a real socket (127.0.0.1, port 0) with global fetch: every endpoint, auth, bodies too
// large (declared and streamed), wrong media types, garbage that is not HTTP, rate limits, socket
// timeouts set, hostile and benign runs side by side, and a graceful drain while a run is in flight.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import type { RunResult } from '../../executor/types.js';
import { ADMIN_TOKEN, CI_TOKEN, auth, testServer } from './server-helpers.js';

type Server = Awaited<ReturnType<typeof testServer>>;

async function problem(response: Response, status: number, code: string): Promise<Record<string, unknown>> {
  assert.equal(response.status, status);
  assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
  const body = (await response.json()) as Record<string, unknown>;
  assert.equal(body.code, code);
  assert.equal(body.status, status);
  return body;
}

/** Sends raw bytes and returns what the server answers before it closes the socket. */
function raw(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(text));
    let data = '';
    socket.on('data', (chunk) => (data += chunk.toString('utf8')));
    socket.on('end', () => resolve(data));
    socket.on('error', reject);
    socket.setTimeout(5000, () => {
      socket.destroy();
      resolve(data);
    });
  });
}

describe('HTTP API on a loopback socket', () => {
  let server: Server;
  let base: string;
  let port: number;

  before(async () => {
    server = await testServer({
      settings: { workers: 2, queue: 8 },
      config: {
        policies: { slow: { profile: 'strict', limits: { timeoutMs: 3000 } } },
        server: { bodyLimit: 8192, rateLimit: { perSecond: 1000, burst: 1000 }, requestTimeoutMs: 4000, keepAliveTimeoutMs: 2000, connectionTimeoutMs: 20_000 },
      },
    });
    base = await server.listen({ host: '127.0.0.1', port: 0 });
    port = Number(new URL(base).port);
  });
  after(async () => {
    if (!server.draining) await server.close(2000);
  });

  const post = (path: string, body: unknown, headers: Record<string, string> = auth()) =>
    fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

  it('listens on loopback and sets the socket timeouts', () => {
    assert.match(base, /^http:\/\/127\.0\.0\.1:\d+$/);
    const http = server.app.server;
    assert.equal(http.requestTimeout, 4000);
    assert.equal(http.keepAliveTimeout, 2000);
    assert.equal(http.timeout, 20_000);
  });

  it('answers every GET endpoint', async () => {
    assert.deepEqual(await (await fetch(`${base}/healthz`)).json(), { status: 'ok' });
    const rules = await fetch(`${base}/v1/rules`, { headers: auth() });
    assert.equal(rules.status, 200);
    assert.ok(((await rules.json()) as { rules: unknown[] }).rules.length > 0);
    const policies = await fetch(`${base}/v1/policies`, { headers: auth(CI_TOKEN) });
    assert.deepEqual(((await policies.json()) as { policies: { name: string }[] }).policies.map((p) => p.name), ['quick']);
    const openapi = (await (await fetch(`${base}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    assert.ok('/v1/run' in openapi.paths);
    const ready = await fetch(`${base}/readyz`);
    assert.ok(ready.status === 200 || ready.status === 503);
  });

  it('analyzes, and answers a syntax error with a reject', async () => {
    const ok = await post('/v1/analyze', { code: 'export const x = 1;' });
    assert.equal(ok.status, 200);
    assert.equal(((await ok.json()) as { verdict: string }).verdict, 'accept');
    const bad = (await (await post('/v1/analyze', { code: '}{' })).json()) as { verdict: string; findings: { fatal?: boolean }[] };
    assert.equal(bad.verdict, 'reject');
    assert.ok(bad.findings.some((f) => f.fatal));
  });

  it('401 for wrong tokens, 403 for a policy outside the token\'s list', async () => {
    await problem(await post('/v1/analyze', { code: '1' }, {}), 401, 'AIRLOCK_UNAUTHORIZED');
    await problem(await post('/v1/analyze', { code: '1' }, { authorization: `Bearer ${ADMIN_TOKEN.slice(0, -1)}` }), 401, 'AIRLOCK_UNAUTHORIZED');
    await problem(await post('/v1/analyze', { code: '1' }, { authorization: `Bearer ${CI_TOKEN}${ADMIN_TOKEN}` }), 401, 'AIRLOCK_UNAUTHORIZED');
    await problem(await post('/v1/analyze', { code: '1', policy: 'strict' }, auth(CI_TOKEN)), 403, 'AIRLOCK_FORBIDDEN');
  });

  it('400 for malformed JSON and schema violations', async () => {
    const malformed = await fetch(`${base}/v1/analyze`, { method: 'POST', headers: { ...auth(), 'content-type': 'application/json' }, body: '{"code": "1",}' });
    await problem(malformed, 400, 'AIRLOCK_BAD_REQUEST');
    await problem(await post('/v1/run', { code: '1', limits: { timeoutMs: '5' } }), 400, 'AIRLOCK_BAD_REQUEST');
    await problem(await post('/v1/run', { code: '1', surprise: 1 }), 400, 'AIRLOCK_BAD_REQUEST');
  });

  it('413 for a body over the limit, declared or streamed', async () => {
    const big = { code: `/* ${'x'.repeat(20_000)} */` };
    await problem(await post('/v1/analyze', big), 413, 'AIRLOCK_BODY_TOO_LARGE');
    const chunks = [JSON.stringify(big)];
    const stream = new ReadableStream({
      pull(controller) {
        const next = chunks.shift();
        if (next === undefined) controller.close();
        else controller.enqueue(new TextEncoder().encode(next));
      },
    });
    const streamed = await fetch(`${base}/v1/analyze`, {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit & { duplex: 'half' });
    await problem(streamed, 413, 'AIRLOCK_BODY_TOO_LARGE');
  });

  it('415 for other media types', async () => {
    const response = await fetch(`${base}/v1/analyze`, { method: 'POST', headers: { ...auth(), 'content-type': 'text/plain' }, body: '{"code":"1"}' });
    await problem(response, 415, 'AIRLOCK_UNSUPPORTED_MEDIA_TYPE');
    const form = await fetch(`${base}/v1/analyze`, { method: 'POST', headers: auth(), body: new URLSearchParams({ code: '1' }) });
    await problem(form, 415, 'AIRLOCK_UNSUPPORTED_MEDIA_TYPE');
  });

  it('answers bytes that are not HTTP with a problem and closes', async () => {
    const answer = await raw(port, 'HELLO THERE\r\n\r\n');
    assert.match(answer, /^HTTP\/1\.1 400/);
    assert.match(answer, /application\/problem\+json/);
    assert.match(answer, /AIRLOCK_BAD_REQUEST/);
    const huge = await raw(port, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    assert.match(huge, /^HTTP\/1\.1 431/);
    assert.match(huge, /application\/problem\+json/);
    assert.match(huge, /application\/problem\+json/);
  });

  it('404 for unknown routes', async () => {
    await problem(await fetch(`${base}/admin`), 404, 'AIRLOCK_NOT_FOUND');
  });

  it('runs hostile and benign code side by side, each as a 200 result', async () => {
    const results = await Promise.all(
      [{ code: 'while (true) {}' }, { code: '[1, 2, 3].reduce((a, b) => a + b)' }, { code: 'for (;;) new ArrayBuffer(64e6)' }].map(async (body) => {
        const response = await post('/v1/run', body);
        return { status: response.status, body: (await response.json()) as RunResult };
      }),
    );
    assert.deepEqual(results.map((r) => r.status), [200, 200, 200]);
    assert.equal(results[0]!.body.status, 'timeout');
    assert.equal(results[1]!.body.status, 'ok');
    assert.equal(results[1]!.body.value, 6);
    assert.ok(['memory-limit', 'timeout'].includes(results[2]!.body.status), JSON.stringify(results[2]!.body));
  });
});

describe('graceful shutdown on a socket', () => {
  it('lets an in-flight run finish while new requests get 503, then stops listening', async () => {
    const server = await testServer({
      settings: { workers: 1, queue: 4 },
      config: { policies: { slow: { profile: 'strict', limits: { timeoutMs: 5000 } } }, defaultPolicy: 'slow', server: { rateLimit: false } },
    });
    while (!server.backend!.ready()) await new Promise((resolve) => setTimeout(resolve, 20));
    const base = await server.listen({ host: '127.0.0.1', port: 0 });
    const post = (body: unknown) =>
      fetch(`${base}/v1/run`, { method: 'POST', headers: { ...auth(), 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const inFlight = post({ code: 'const end = Date.now() + 700; while (Date.now() < end) {} "finished"' });
    while (server.gate.active === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const closed = server.close(10_000);
    const refused = await post({ code: '1' });
    assert.equal(refused.status, 503);
    assert.ok(Number(refused.headers.get('retry-after')) >= 1);
    assert.equal(((await refused.json()) as { code: string }).code, 'AIRLOCK_CLOSED');
    const finished = await inFlight;
    assert.equal(finished.status, 200);
    const body = (await finished.json()) as RunResult;
    assert.equal(body.status, 'ok', JSON.stringify(body));
    assert.equal(body.value, 'finished');
    assert.deepEqual(await closed, { drained: true });
    await assert.rejects(fetch(`${base}/healthz`), 'the listener is closed');
  });
});

describe('a client that goes away mid-run', () => {
  it('aborts its run: the worker is freed long before the run\u2019s time limit', async () => {
    const server = await testServer({
      settings: { workers: 1, queue: 4 },
      config: { policies: { slow: { profile: 'strict', limits: { timeoutMs: 20_000 } } }, defaultPolicy: 'slow', server: { rateLimit: false } },
    });
    try {
      while (!server.backend!.ready()) await new Promise((resolve) => setTimeout(resolve, 20));
      const base = await server.listen({ host: '127.0.0.1', port: 0 });
      const headers = { ...auth(), 'content-type': 'application/json' };
      const gone = new AbortController();
      const abandoned = fetch(`${base}/v1/run`, { method: 'POST', headers, body: JSON.stringify({ code: 'for (;;) {}' }), signal: gone.signal });
      while (server.gate.active === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      const started = performance.now();
      gone.abort();
      await assert.rejects(abandoned);
      // One worker: this run can start only once the abandoned one has been stopped and replaced.
      const next = await fetch(`${base}/v1/run`, { method: 'POST', headers, body: JSON.stringify({ code: '6 * 7' }) });
      assert.equal(next.status, 200);
      assert.equal(((await next.json()) as RunResult).value, 42);
      assert.ok(performance.now() - started < 15_000, 'not waited out to the 20 s limit');
    } finally {
      await server.close(2000);
    }
  });
});
