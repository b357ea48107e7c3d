// Resource attacks on what the prelude meters: array buffer backing stores live outside the V8 heap
// (its limit does not see them), so every way the realm can allocate one is charged, including the
// species-created copies (`slice`, `map`, `filter`) that fall back to the realm's unwrapped intrinsic
// constructors when a guest sets `constructor` to undefined.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Runner } from '../../executor/executor.js';
import { assertNoCanary, escapeSuite } from './escape-harness.js';

escapeSuite('array buffer meter and species constructors', [
  {
    name: 'species copies made through the unwrapped intrinsic constructors',
    body: `var keep = []; var t = new Uint8Array(1024); t.constructor = undefined; var b = new ArrayBuffer(1024); b.constructor = undefined;
keep.push(t.slice(0), t.map(function (x) { return x; }), t.filter(Boolean), b.slice(0), t.subarray(1));
return keep.map(function (x) { return [x.constructor, Object.getPrototypeOf(x)]; });`,
  },
  {
    name: 'a species constructor that hands back a proxy',
    body: `var got = []; var t = new Uint8Array(4); t.constructor = { [Symbol.species]: function (n) { got.push(arguments.callee.caller); return new Proxy(new Uint8Array(n), {}); } }; try { got.push(t.slice(0)); } catch (e) { got.push(e); } return got;`,
  },
]);

describe('array buffer copies count against the memory limit', () => {
  const runner = new Runner({ isolation: 'worker', size: 1, warmRealms: 1, policy: { profile: 'strict', analysis: 'off', limits: { memoryMb: 16 } }, limits: { timeoutMs: 3000 } });
  after(() => runner.close());

  for (const [name, code] of [
    ['TypedArray slice', `const t = new Uint8Array(6e6); t.constructor = undefined; const keep = []; for (let i = 0; i < 4; i++) keep.push(t.slice(0)); keep.length`],
    ['TypedArray map', `const t = new Uint8Array(6e6); t.constructor = undefined; const keep = []; for (let i = 0; i < 4; i++) keep.push(t.map((x) => x)); keep.length`],
    ['ArrayBuffer slice', `const b = new ArrayBuffer(6e6); b.constructor = undefined; const keep = []; for (let i = 0; i < 4; i++) keep.push(b.slice(0)); keep.length`],
  ] as const) {
    it(`${name} past the budget ends with memory-limit`, async () => {
      const result = await runner.run(code);
      assertNoCanary(result);
      assert.equal(result.status, 'memory-limit', JSON.stringify(result.value ?? result.error));
    });
  }

  it('copies within the budget still work', async () => {
    const result = await runner.run(`const t = new Uint8Array([1, 2, 3]); [Array.from(t.slice(1)), Array.from(t.map((x) => x * 2)), t.buffer.slice(1).byteLength]`);
    assert.equal(result.status, 'ok', JSON.stringify(result.error));
    assert.deepEqual(result.value, [[2, 3], [2, 4, 6], 2]);
  });
});
