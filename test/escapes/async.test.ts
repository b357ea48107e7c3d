// Asynchronous attacks: unhandled rejections (which would take a default Node process down), errors
// thrown from timers and microtasks, rejection reasons and thenables from the realm's own services.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Runner } from '../../executor/executor.js';
import { assertNoCanary, escapeSuite } from './escape-harness.js';

escapeSuite('async work and unhandled rejections', [
  {
    name: 'the reason of a rejected import()',
    body: `return import('fs').catch(function (e) { return e.constructor.constructor('return process')(); });`,
  },
  {
    name: 'a rejection from a dynamic import through Function',
    body: `return new Promise(function (r) { setTimeout(r, 0); }).then(function () { return Function('return import("fs")')(); }).catch(function (e) { return e.constructor.constructor('return process')(); });`,
  },
  {
    name: 'a thenable whose then getter throws during the final await',
    body: `return { get then() { throw this.constructor.constructor('return process')(); } };`,
  },
  {
    name: 'async function errors through the species of the returned promise',
    body: `async function f() { throw new Error('x'); } var p = f(); p.constructor = { [Symbol.species]: function (ex) { var got; ex(function () {}, function (e) { got = e; }); return got; } };
return p.then(function () {}, function (e) { return e.constructor.constructor('return process')(); });`,
  },
]);

describe('unhandled rejections and uncaught errors end the run, not the host', () => {
  const runner = new Runner({ size: 1, warmRealms: 1, policy: { profile: 'strict', analysis: 'off' }, limits: { timeoutMs: 2000 } });
  after(() => runner.close());

  for (const [name, code, message] of [
    ['a rejected promise nobody handles', `Promise.reject(new TypeError('nobody listens')); 1`, /nobody listens/],
    ['an async function throwing', `(async () => { throw new RangeError('async boom'); })(); 2`, /async boom/],
    ['a throw in a timer callback', `setTimeout(() => { throw new Error('timer boom'); }, 1); 3`, /timer boom/],
    ['a throw in queueMicrotask', `queueMicrotask(() => { throw new Error('micro boom'); }); 4`, /micro boom/],
    ['a non-error rejection', `Promise.reject(42); 5`, /42/],
  ] as const) {
    it(name, async () => {
      const result = await runner.run(code);
      assertNoCanary(result);
      assert.equal(result.status, 'error', JSON.stringify(result));
      assert.equal(result.error?.code, 'AIRLOCK_GUEST_ERROR');
      assert.match(result.error!.message, message);
    });
  }

  it('a handled rejection is fine, and a promise that never settles is reported', async () => {
    const handled = await runner.run(`Promise.reject(new Error('x')).catch(() => 'handled')`);
    assert.equal(handled.status, 'ok');
    assert.equal(handled.value, 'handled');
    const stalled = await runner.run(`new Promise(() => {})`);
    assert.equal(stalled.status, 'error');
    assert.match(stalled.error!.message, /never settled/);
  });

  it('leftovers of a finished run do not reach the next one', async () => {
    const first = await runner.run(`Promise.resolve().then(() => { Promise.reject(new Error('late')); }); 'first'`);
    assert.equal(first.status, 'error');
    const second = await runner.run(`'second'`);
    assert.equal(second.status, 'ok');
    assert.equal(second.value, 'second');
  });
});
