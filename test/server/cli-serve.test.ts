// `airlock serve` as a process: it says where it listens and whether tokens are required, serves,
// logs JSON lines on stdout without tokens or code, and on SIGTERM drains and exits 0. Usage and
// config errors exit 2 without listening.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../cli/main.js';
import { CLI_BIN } from '../helpers.js';
import { fakeIO } from '../cli/cli-helpers.js';


async function serveInProcess(args: string[], env: NodeJS.ProcessEnv = {}, cwd = tmpdir()) {
  const io = fakeIO(cwd, { env });
  const code = await main(['serve', ...args], io);
  return { code, out: io.out, err: io.err };
}

describe('airlock serve: usage errors exit 2', () => {
  it('refuses a non-loopback host without tokens', async () => {
    const result = await serveInProcess(['--host', '0.0.0.0', '--port', '0']);
    assert.equal(result.code, 2);
    assert.match(result.err, /refusing to listen on 0\.0\.0\.0 without bearer tokens/);
  });

  it('refuses bad numbers, a missing config and an invalid one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'airlock-serve-'));
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ policies: { x: { profile: 'nope' } } }));
    writeFileSync(join(dir, 'broken.json'), '{ not json');
    writeFileSync(join(dir, 'weak.json'), JSON.stringify({ tokens: [{ name: 'a', token: 'short' }] }));
    for (const args of [['--workers', '0'], ['--port', '70000'], ['--queue', '-1'], ['--config', 'missing.json'], ['--config', 'bad.json'], ['--config', 'broken.json'], ['--config', 'weak.json'], ['--log-level', 'loud']]) {
      const result = await serveInProcess(args, {}, dir);
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.err}`);
      assert.match(result.err, /^airlock: /, args.join(' '));
    }
    const env = await serveInProcess(['--port', '0'], { AIRLOCK_TOKENS: 'short' });
    assert.equal(env.code, 2);
    assert.match(env.err, /AIRLOCK_TOKENS/);
  });
});

describe('airlock serve: a real process', () => {
  it('serves with tokens from the environment, logs safely, and drains on SIGTERM', async () => {
    const token = 'cli-test-token-0123456789';
    const dir = mkdtempSync(join(tmpdir(), 'airlock-serve-'));
    writeFileSync(join(dir, 'server.json'), JSON.stringify({ policies: { quick: { profile: 'strict', limits: { timeoutMs: 500 } } }, defaultPolicy: 'quick' }));
    const child = spawn(process.execPath, [CLI_BIN, 'serve', '--port', '0', '--config', 'server.json', '--workers', '1', '--queue', '2'], {
      cwd: dir,
      env: { PATH: process.env.PATH, AIRLOCK_TOKENS: token },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (err += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 60_000; // start-up loads TypeScript for the executor: slow on a busy machine
      while (!/listening on (http:\/\/\S+)/.test(err) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      const base = /listening on (http:\/\/\S+)/.exec(err)?.[1];
      assert.ok(base, err);
      assert.match(err, /1 bearer token configured/);
      assert.match(base, /^http:\/\/127\.0\.0\.1:/);
      const marker = 'CLI_CODE_MARKER_91c2';
      const unauthorized = await fetch(`${base}/v1/analyze`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: marker }) });
      assert.equal(unauthorized.status, 401);
      const analyzed = await fetch(`${base}/v1/analyze`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ code: `const ${marker} = 1;` }),
      });
      assert.equal(analyzed.status, 200);
      assert.equal(((await analyzed.json()) as { verdict: string; policy: string }).policy, 'quick');
      child.kill('SIGTERM');
      assert.equal(await exited, 0, err);
      assert.match(err, /SIGTERM: draining/);
      assert.match(err, /stopped/);
      const lines = out.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
      assert.ok(lines.some((l) => l.route === '/v1/analyze' && l.status === 200 && l.verdict === 'accept'), out);
      assert.equal(out.includes(token), false);
      assert.equal(out.includes(marker), false);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('says it is loopback-only when no token is configured', async () => {
    const child = spawn(process.execPath, [CLI_BIN, 'serve', '--port', '0', '--workers', '1'], { env: { PATH: process.env.PATH }, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (chunk) => (err += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 60_000; // start-up loads TypeScript for the executor: slow on a busy machine
      while (!/no bearer token configured/.test(err) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      assert.match(err, /no bearer token configured: bound to loopback only/);
      child.kill('SIGINT');
      assert.equal(await exited, 0, err);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
