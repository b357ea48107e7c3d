// POST /v1/analyze runs on analysis threads: same answers as on the main thread, the event loop stays
// free while a large submission is analysed, and a thread that runs out of memory or time fails closed.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createAnalysisService } from '../../server/analysis.js';
import { resolveServerConfig } from '../../server/config.js';
import { auth, testServer } from './server-helpers.js';

const { policies } = resolveServerConfig({ policies: { quick: { profile: 'strict' } } });
const BIG = 'x = a + b * c;\n'.repeat(7000);

describe('analysis threads', () => {
  it('answer as the main thread does', async () => {
    const threaded = createAnalysisService({ threads: 1, maxQueue: 8, policies });
    const inline = createAnalysisService({ threads: 0, maxQueue: 8, policies });
    try {
      const samples = ['1 + 1', 'eval(x)', 'const k = "con" + "structor"; ({})[k][k]("return this")()', 'function (', 'import fs from "fs"; fs.readFileSync("/etc/passwd")'];
      for (const source of samples) {
        const task = { source, filename: 'input.js', policy: 'strict' };
        const a = await threaded.analyze(task);
        const b = await inline.analyze(task);
        assert.equal(a.verdict, b.verdict, source);
        assert.deepEqual(a.findings, b.findings, source);
      }
    } finally {
      await threaded.close();
      await inline.close();
    }
  });

  it('fail closed when a thread runs out of memory, and replace it', async () => {
    const service = createAnalysisService({ threads: 1, maxQueue: 2, policies, memoryMb: 24 });
    try {
      const outcome = await service.analyze({ source: BIG.repeat(3), filename: 'big.js', policy: 'strict' });
      assert.equal(outcome.verdict, 'reject');
      assert.deepEqual(outcome.findings.map((f) => [f.ruleId, f.fatal]), [['internal-error', true]]);
      const after = await service.analyze({ source: '1', filename: 'one.js', policy: 'strict' });
      assert.equal(after.verdict, 'accept', 'the pool replaced the thread');
    } finally {
      await service.close();
    }
  });

  it('fail closed, without spinning, when a thread cannot even start', async () => {
    const service = createAnalysisService({ threads: 1, maxQueue: 2, policies, memoryMb: 2 });
    try {
      const outcome = await service.analyze({ source: '1', filename: 'one.js', policy: 'strict' });
      assert.equal(outcome.verdict, 'reject');
      assert.equal(outcome.findings[0]!.ruleId, 'internal-error');
    } finally {
      await service.close();
    }
  });

  it('fail closed when an analysis takes too long', async () => {
    const service = createAnalysisService({ threads: 1, maxQueue: 2, policies, timeoutMs: 20 });
    try {
      const outcome = await service.analyze({ source: BIG, filename: 'big.js', policy: 'strict' });
      assert.equal(outcome.verdict, 'reject');
      assert.match(outcome.findings[0]!.message, /took longer than 20 ms/);
    } finally {
      await service.close();
    }
  });

  it('keep the event loop free while a large submission is analysed', async () => {
    const server = await testServer({ backend: null, config: { server: { rateLimit: false, bodyLimit: 4 * 1024 * 1024 } } });
    try {
      const finished: string[] = [];
      const big = server.app.inject({ method: 'POST', url: '/v1/analyze', headers: auth(), payload: { code: BIG } }).then((r) => {
        finished.push('analyze');
        return r;
      });
      await new Promise((resolve) => setTimeout(resolve, 20));
      const health = await server.app.inject('/healthz');
      finished.push('healthz');
      assert.equal(health.statusCode, 200);
      const response = await big;
      assert.equal(response.statusCode, 200);
      assert.equal((response.json() as { verdict: string }).verdict, 'accept');
      assert.deepEqual(finished, ['healthz', 'analyze']);
    } finally {
      await server.close(0);
    }
  });
});
