// The import gateway: policy grants (built-ins, packages, dependencies of granted packages), gate 1
// on every module (trusted packages under the trusted profile), substitutes for host built-ins from
// the user's hooks, maxModules, hook failures as stable codes, verbose decisions, asynchronous hooks
// behind a synchronous require, and real npm packages (lodash, date-fns) used inside the realm.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Executor } from '../../executor/executor.js';
import type { ExecutorOptions } from '../../executor/executor.js';
import { FsHooks, MemoryHooks } from '../../executor/hooks/index.js';
import type { GatewayEvent, ModuleHooks } from '../../executor/types.js';
import { REPO_ROOT } from '../helpers.js';

const executors: Executor[] = [];
function executor(options: ExecutorOptions): Executor {
  const e = new Executor({ isolation: 'worker', limits: { timeoutMs: 5000 }, ...options });
  executors.push(e);
  return e;
}
after(() => Promise.all(executors.map((e) => e.close())));

describe('built-in modules', () => {
  const safe = executor({ policy: { profile: 'strict', analysis: 'off' } });

  it('grants the safe set, each evaluated inside the realm', async () => {
    const result = await safe.exec(`const path = require('path'); const { EventEmitter } = require('node:events'); const { Buffer } = require('buffer');
const util = require('util'); const assert = require('assert'); const url = require('url'); const qs = require('querystring'); const { StringDecoder } = require('string_decoder');
const e = new EventEmitter(); let heard = 0; e.on('x', (n) => { heard = n; }); e.emit('x', 5);
let assertName = ''; try { assert.strictEqual(1, 2); } catch (err) { assertName = err.name; }
[path.join('/a/b', '../c'), heard, Buffer.from('hi').toString('hex'), util.format('%s:%d', 'n', 1), assertName, url.parse('http://h/p?q=1').query,
 qs.stringify({ a: [1, 2] }), new StringDecoder('utf8').write(Buffer.from([0xe2, 0x82, 0xac])), Object.getPrototypeOf(path) === Object.prototype]`);
    assert.equal(result.status, 'ok', JSON.stringify(result.error));
    assert.deepEqual(result.value, ['/a/c', 5, '6869', 'n:1', 'AssertionError', 'q=1', 'a=1&a=2', '\u20ac', true]);
  });

  it('refuses host-only built-ins with AIRLOCK_IMPORT_DENIED, with or without node:', async () => {
    for (const name of ['fs', 'node:fs', 'child_process', 'net', 'http', 'https', 'dns', 'vm', 'worker_threads', 'inspector', 'v8', 'module', 'process', 'os']) {
      const result = await safe.eval(`(() => { try { require(${JSON.stringify(name)}); return 'loaded'; } catch (e) { return [e.code, e.message]; } })()`);
      const [code, message] = result.value as [string, string];
      assert.equal(code, 'AIRLOCK_IMPORT_DENIED', `${name}: ${JSON.stringify(result.value)}`);
      assert.match(message, /does not grant|no realm-side implementation/);
    }
  });

  it('grants only what policy.modules.allow lists', async () => {
    const narrow = executor({ policy: { profile: 'strict', analysis: 'off', modules: { allow: ['path'] } } });
    assert.equal((await narrow.eval("require('path').sep")).value, '/');
    const denied = await narrow.eval("require('events')");
    assert.equal(denied.status, 'error');
    assert.equal(denied.error?.code, 'AIRLOCK_IMPORT_DENIED');
  });

  it('uses a substitute the user\u2019s hooks supply for a host built-in (analysed like any module)', async () => {
    const files = new Map([['/data.txt', 'hello from the substitute']]);
    const hooks: ModuleHooks = {
      name: 'with-fs',
      resolve: () => null,
      load: () => null,
      builtin: (name) =>
        name === 'fs'
          ? { filename: 'fs-substitute.js', source: `const files = ${JSON.stringify(Object.fromEntries(files))};\nexports.readFileSync = (p) => { if (!(p in files)) throw new Error('ENOENT ' + p); return files[p]; };` }
          : name === 'child_process'
            ? { filename: 'evil.js', source: "module.exports = eval('1')" }
            : null,
    };
    const withFs = executor({ policy: { profile: 'strict' }, hooks });
    const ok = await withFs.exec("const fs = require('fs'); fs.readFileSync('/data.txt')");
    assert.equal(ok.status, 'rejected', 'gate 1 still refuses a require the policy does not grant in the entry');
    const offEntry = executor({ policy: { profile: 'strict', analysis: 'off' }, hooks });
    const read = await offEntry.exec("require('fs').readFileSync('/data.txt')");
    assert.equal(read.value, 'hello from the substitute');
    const warnEntry = executor({ policy: { profile: 'strict', analysis: 'warn' }, hooks });
    const evil = await warnEntry.exec("require('child_process')");
    assert.equal(evil.status, 'ok', 'warn: the substitute runs, its findings are reported');
    assert.ok(evil.findings.some((f) => f.data?.module === 'airlock:substitute/child_process'));
    const enforcedModules = executor({ policy: { profile: 'strict', analysis: 'enforce', rules: { 'restricted-module': 'off' } }, hooks });
    const refused = await enforcedModules.exec("require('child_process')");
    assert.equal(refused.error?.code, 'AIRLOCK_REJECTED');
  });
});

describe('packages from a root folder (lodash, date-fns)', () => {
  const hooks = new FsHooks(REPO_ROOT);
  // Default settings apart from the grant: trusted packages are analysed under `audit` (lodash's
  // `Function('return this')` and `freeProcess.binding` fallback are warnings there, not errors).
  const trusted = executor({
    hooks,
    policy: {
      profile: 'strict',
      modules: { allow: ['lodash', 'date-fns/*', 'path', 'util'], trusted: ['lodash', 'date-fns'] },
      limits: { maxModules: 64 },
    },
    limits: { timeoutMs: 10000 },
  });

  it('lodash works in the realm: its Function("return this") finds the realm global', async () => {
    const result = await trusted.exec(`const lo = require('lodash');
[lo.chunk([1, 2, 3, 4, 5], 2), lo.template('hi <%= who %>')({ who: 'realm' }), lo.isNative(Map), lo.sortBy([{ n: 2 }, { n: 1 }], 'n').map((o) => o.n)]`);
    assert.equal(result.status, 'ok', JSON.stringify(result.error));
    assert.deepEqual(result.value, [[[1, 2], [3, 4], [5]], 'hi realm', true, [1, 2]]);
  });

  it('date-fns subpaths from a TypeScript ES module', async () => {
    const result = await trusted.exec(
      "import { addDays } from 'date-fns/addDays';\nimport { format } from 'date-fns/format';\nconst start: Date = new Date(2024, 1, 28);\nexport default format(addDays(start, 2), 'yyyy-MM-dd');",
      { filename: 'dates.ts' },
    );
    assert.equal(result.status, 'ok', JSON.stringify(result.error));
    assert.equal(result.value, '2024-03-01');
  });

  it('a package the policy does not grant is refused before it is read', async () => {
    const events: GatewayEvent[] = [];
    const ungranted = executor({ hooks, policy: { profile: 'strict', analysis: 'off', modules: { allow: [] } }, verbose: (_line, event) => events.push(event) });
    const result = await ungranted.eval("require('lodash')");
    assert.equal(result.error?.code, 'AIRLOCK_IMPORT_DENIED');
    assert.match(result.error!.message, /does not grant the package 'lodash'/);
    assert.ok(!events.some((e) => e.kind === 'load'), 'nothing was loaded');
  });

  it('a granted package that is not trusted is analysed under the policy\u2019s own profile', async () => {
    const strictOnly = executor({ hooks, policy: { profile: 'strict', modules: { allow: ['lodash'] } } });
    const result = await strictOnly.exec("require('lodash')");
    assert.equal(result.status, 'error');
    assert.equal(result.error?.code, 'AIRLOCK_REJECTED');
    assert.ok(result.findings.length > 0 && result.findings.every((f) => typeof f.data?.module === 'string'));
  });

  it('maxModules bounds the modules one call loads', async () => {
    const few = executor({ hooks, policy: { profile: 'strict', analysis: 'off', modules: { allow: ['date-fns', 'date-fns/*'] }, limits: { maxModules: 5 } } });
    const result = await few.eval("require('date-fns')");
    assert.equal(result.error?.code, 'AIRLOCK_MODULE_LIMIT');
  });
});

describe('hooks behind a synchronous require', () => {
  it('waits for asynchronous hooks (time spent in the host does not count against the guest)', async () => {
    const slow: ModuleHooks = {
      name: 'slow',
      resolve: async (specifier) => {
        await new Promise((r) => setTimeout(r, 150));
        return specifier === './answer' ? '/answer.js' : null;
      },
      load: async (location) => {
        await new Promise((r) => setTimeout(r, 150));
        return location === '/answer.js' ? { filename: '/answer.js', source: 'module.exports = 42;' } : null;
      },
    };
    const e = executor({ hooks: slow, policy: { profile: 'strict', analysis: 'off' }, limits: { timeoutMs: 200 } });
    const result = await e.eval("require('./answer') + 0");
    assert.equal(result.status, 'ok', JSON.stringify(result.error));
    assert.equal(result.value, 42);
  });

  it('hook failures come back as stable codes', async () => {
    const broken: ModuleHooks = {
      name: 'broken',
      resolve: (specifier) => {
        if (specifier === './throws') throw new Error('resolver exploded');
        if (specifier === './garbage') return '/garbage.js';
        if (specifier === './missing') return '/missing.js';
        return null;
      },
      load: (location) => (location === '/garbage.js' ? ({ text: 'nope' } as never) : null),
    };
    const e = executor({ hooks: broken, policy: { profile: 'strict', analysis: 'off' } });
    const code = async (specifier: string) => (await e.eval(`(() => { try { require('${specifier}'); } catch (err) { return err.code; } })()`)).value;
    assert.equal(await code('./throws'), 'AIRLOCK_HOOK_ERROR');
    assert.equal(await code('./garbage'), 'AIRLOCK_HOOK_ERROR');
    assert.equal(await code('./missing'), 'AIRLOCK_MODULE_NOT_FOUND');
    assert.equal(await code('./unknown'), 'AIRLOCK_MODULE_NOT_FOUND');
  });

  it('bare names the hooks serve as the user\u2019s own files are allowed; node_modules packages need a grant', async () => {
    const memory = new MemoryHooks({ 'helpers.js': "module.exports = 'mine';", 'node_modules/pkg/index.js': "module.exports = 'package';" });
    const e = executor({ hooks: memory, policy: { profile: 'strict', analysis: 'off', modules: { allow: [] } } });
    assert.equal((await e.eval("require('helpers')")).value, 'mine');
    assert.equal((await e.eval("require('pkg')")).error?.code, 'AIRLOCK_IMPORT_DENIED');
    const granted = executor({ hooks: memory, policy: { profile: 'strict', analysis: 'off', modules: { allow: ['pkg'] } } });
    assert.equal((await granted.eval("require('pkg')")).value, 'package');
  });

  it('dependencies of a granted package are granted with it', async () => {
    const memory = new MemoryHooks({
      'node_modules/top/index.js': "module.exports = require('dep') + '+top';",
      'node_modules/dep/index.js': "module.exports = 'dep';",
    });
    const e = executor({ hooks: memory, policy: { profile: 'strict', analysis: 'off', modules: { allow: ['top'] } } });
    assert.equal((await e.eval("require('top')")).value, 'dep+top');
    assert.equal((await e.eval("require('dep')")).error?.code, 'AIRLOCK_IMPORT_DENIED', 'but not to the entry');
  });

  it('verbose logs each decision', async () => {
    const lines: string[] = [];
    const kinds = new Set<string>();
    const memory = new MemoryHooks({ 'a.js': "module.exports = require('./b');", 'b.js': 'module.exports = 1;' });
    const e = executor({ hooks: memory, policy: { profile: 'strict', analysis: 'enforce' }, verbose: (line, event) => (lines.push(line), kinds.add(event.kind)) });
    await e.exec("require('./a.js'); require('path'); try { require('fs'); } catch (e) {}", { filename: 'entry.js' }).then((r) => assert.equal(r.status, 'rejected'));
    await e.exec("require('./a.js') + require('path').sep.length");
    for (const kind of ['resolve', 'load', 'analysed', 'granted']) assert.ok(kinds.has(kind), `${kind} in ${[...kinds].join(',')}`);
    const denying = executor({ hooks: memory, policy: { profile: 'strict', analysis: 'off', modules: { allow: [] } }, verbose: (_line, event) => kinds.add(event.kind) });
    await denying.eval("(() => { try { require('path'); } catch (e) {} })()");
    assert.ok(kinds.has('denied'));
    assert.ok(lines.some((l) => /^airlock gateway: analysed '\.\/a\.js'/.test(l)), lines.join('\n'));
  });

  it('verbose lines stay one line of plain text whatever the specifier (no forged decisions, no terminal escapes)', async () => {
    const lines: string[] = [];
    const e = executor({ policy: { profile: 'strict', analysis: 'off' }, verbose: (line) => lines.push(line) });
    await e.eval(`(() => { try { require("x\\nairlock gateway: granted 'fs'\\u001b[2J\\u2028\\r"); } catch (e) {} })()`);
    assert.ok(lines.length > 0);
    for (const line of lines) assert.doesNotMatch(line, /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/, JSON.stringify(line));
    assert.ok(lines.some((l) => l.includes("x\\u000aairlock gateway: granted 'fs'\\u001b[2J")), JSON.stringify(lines));
  });
});
