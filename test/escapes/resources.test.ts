// Resource attacks on what the prelude meters: array buffer backing stores live outside the V8 heap
// (its limit does not see them), so every way the realm can allocate one is charged, including the
// species-created copies (`slice`, `map`, `filter`) that fall back to the realm's unwrapped intrinsic
// constructors when a guest sets `constructor` to undefined.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Runner } from '../../executor/executor.js';
import { FsHooks, MemoryHooks } from '../../executor/hooks/index.js';
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

describe('Intl objects count against the memory limit (their ICU state is outside the heap)', () => {
  // A DateTimeFormat is ~150 bytes of heap and ~30 KB of native ICU state: before it was metered, a
  // 16 MiB run kept hundreds of MiB alive (RSS grew ~70 MiB a second until the time limit).
  const runner = new Runner({ isolation: 'worker', size: 1, warmRealms: 1, policy: { profile: 'strict', analysis: 'off', limits: { memoryMb: 16 } }, limits: { timeoutMs: 1500 } });
  after(() => runner.close());

  for (const [name, code] of [
    ['DateTimeFormat', `const keep = []; for (;;) keep.push(new Intl.DateTimeFormat('en', { timeZone: 'UTC' }))`],
    ['Collator called without new', `const keep = []; for (;;) keep.push(Intl.Collator('de', { sensitivity: 'base' }))`],
    ['a subclass of NumberFormat', `class F extends Intl.NumberFormat {} const keep = []; for (;;) keep.push(new F('en'))`],
    ['Segmenter segments and their iterators', `const s = new Intl.Segmenter('en', { granularity: 'word' }); const keep = []; for (;;) keep.push(s.segment('a b')[Symbol.iterator]())`],
  ] as const) {
    it(`${name} kept alive past the budget ends with memory-limit`, async () => {
      const result = await runner.run(code);
      assertNoCanary(result);
      assert.equal(result.status, 'memory-limit', JSON.stringify(result.value ?? result.error));
    });
  }

  it('ordinary Intl use still works', async () => {
    const result = await runner.run(`const f = new Intl.DateTimeFormat('en', { timeZone: 'UTC' }); class N extends Intl.NumberFormat {}
[f.format(0), new N('en').format(1234.5), [...new Intl.Segmenter('en', { granularity: 'word' }).segment('a b')].length, (1234.5).toLocaleString('de'), f.constructor === Intl.DateTimeFormat, f instanceof Intl.DateTimeFormat]`);
    assert.equal(result.status, 'ok', JSON.stringify(result.error));
    assert.deepEqual(result.value, ['1/1/1970', '1,234.5', 3, '1.234,5', true, true]);
  });
});

describe('requires that fail cannot stretch a run past its time limit', () => {
  // The watchdog pauses while the host serves a require (host time is not the guest's), and a miss
  // loads nothing, so maxModules did not count it: 10 000 bare names, each walking every node_modules
  // folder up to the root, kept a 500 ms run going for about 9 s. Misses are bounded per call now.
  const runner = new Runner({ isolation: 'worker', size: 1, warmRealms: 1, hooks: new FsHooks(process.cwd()), policy: { profile: 'strict', analysis: 'off' }, limits: { timeoutMs: 500 } });
  after(() => runner.close());

  it('a loop of requires of missing packages ends within the limit plus a grace', async () => {
    const started = performance.now();
    const result = await runner.run(`let last = ''; for (let i = 0; i < 10000; i++) { try { require('airlock-missing-' + i); } catch (e) { last = e.code; } } last`);
    const elapsed = performance.now() - started;
    assertNoCanary(result);
    // (The bug took about 9 s; the bound leaves room for a loaded machine.)
    assert.ok(elapsed < 5000, `took ${Math.round(elapsed)} ms`);
    if (result.status === 'ok') assert.equal(result.value, 'AIRLOCK_MODULE_LIMIT');
    else assert.equal(result.status, 'timeout');
  });

  it('a few misses are still reported as missing modules', async () => {
    const result = await runner.run(`const codes = []; for (const s of ['airlock-missing', './nope.js', 'fs']) { try { require(s); } catch (e) { codes.push(e.code); } } codes`);
    assert.equal(result.status, 'ok', JSON.stringify(result.error));
    assert.deepEqual(result.value, ['AIRLOCK_MODULE_NOT_FOUND', 'AIRLOCK_MODULE_NOT_FOUND', 'AIRLOCK_IMPORT_DENIED']);
  });
});

describe('hooks that never answer cannot keep a run forever', () => {
  // The guest's clock is paused while the host serves a require; it was restarted only by the answer,
  // so a hook that never settled held the run (and its worker) forever, and one that took longer than
  // the worker's own wait let the guest run on with no watchdog at all.
  class Hanging extends MemoryHooks {
    override resolve(specifier: string, referrer: string | null): Promise<string | null> {
      return specifier === './hang.js' ? new Promise(() => {}) : super.resolve(specifier, referrer);
    }
  }
  const runner = new Runner({ isolation: 'worker', size: 1, warmRealms: 1, hooks: new Hanging({ 'a.js': 'module.exports = 1;' }), policy: { profile: 'strict', analysis: 'off' }, limits: { timeoutMs: 100 } });
  after(() => runner.close());

  it('the run ends with timeout at the host allowance, and the next run works', { timeout: 20000 }, async () => {
    const started = performance.now();
    const result = await runner.run(`require('./a.js'); require('./hang.js'); for (;;) {}`);
    const elapsed = performance.now() - started;
    assertNoCanary(result);
    assert.equal(result.status, 'timeout', JSON.stringify(result.error));
    assert.match(result.error!.message, /import hooks took more than 5000 ms/);
    assert.ok(elapsed < 9000, `took ${Math.round(elapsed)} ms`);
    const next = await runner.run('6 * 7');
    assert.equal(next.value, 42);
  });
});

describe('granted WebAssembly: memories count against the memory limit', () => {
  // A wasm memory is an array buffer the meter did not see, and it grows from inside wasm code where
  // no wrapper can: each is charged its maximum (a module's own memories when an instance is made).
  const MOD = `function mod(flags, min, max) { const leb = (v) => { const out = []; do { let b = v & 0x7f; v = Math.floor(v / 128); if (v) b |= 0x80; out.push(b); } while (v); return out; };
  const mem = [1, flags, ...leb(min), ...(flags & 1 ? leb(max) : [])]; const exp = [1, 1, 109, 2, 0];
  return new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 5, mem.length, ...mem, 7, exp.length, ...exp]); }\n`;
  const runner = new Runner({ isolation: 'worker', size: 1, warmRealms: 1, policy: { profile: 'strict', analysis: 'off', globals: ['WebAssembly'], limits: { memoryMb: 16 } }, limits: { timeoutMs: 3000 } });
  after(() => runner.close());

  for (const [name, code] of [
    ['a memory grown past the budget from JS', `const m = new WebAssembly.Memory({ initial: 1, maximum: 65536 }); for (let i = 0; i < 20; i++) m.grow(64); new Uint8Array(m.buffer).fill(1); m.buffer.byteLength`],
    ['instances of a module with its own memory', `${MOD}const keep = []; const m = new WebAssembly.Module(mod(1, 64, 64)); for (let i = 0; i < 20; i++) keep.push(new WebAssembly.Instance(m)); keep.length`],
    ['a module memory without a maximum', `${MOD}new WebAssembly.Instance(new WebAssembly.Module(mod(0, 1))).exports.m.buffer.byteLength`],
    ['instantiate() from bytes', `${MOD}const keep = []; (async () => { for (let i = 0; i < 20; i++) keep.push(await WebAssembly.instantiate(mod(1, 64, 64))); return keep.length; })()`],
  ] as const) {
    it(`${name} ends with memory-limit`, async () => {
      const result = await runner.run(code);
      assertNoCanary(result);
      assert.equal(result.status, 'memory-limit', JSON.stringify(result.value ?? result.error));
    });
  }

  it('modules within the budget work, synchronously and asynchronously', async () => {
    const result = await runner.run(`${MOD}const i = new WebAssembly.Instance(new WebAssembly.Module(mod(1, 1, 2)));
const j = await WebAssembly.instantiate(mod(1, 2, 2)); const k = await WebAssembly.instantiate(await WebAssembly.compile(mod(1, 1, 1)));
const free = new WebAssembly.Memory({ initial: 1 });
export default [i.exports.m.buffer.byteLength, j.instance.exports.m.buffer.byteLength, j.module instanceof WebAssembly.Module, k.exports.m.buffer.byteLength, free.grow(1), new WebAssembly.Memory({ initial: 1, maximum: 4 }).grow(3)];`);
    assert.equal(result.status, 'ok', JSON.stringify(result.error));
    assert.deepEqual(result.value, [65536, 131072, true, 65536, 1, 1]);
  });
});
