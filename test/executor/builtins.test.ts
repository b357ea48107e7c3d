// Built-in modules for the realm: each granted name loads from the pure-JS packages through the builtin
// hooks and works in a fresh context that has nothing of the host (no require, no process, no global,
// no Buffer, no timers), with the realm-side stand-ins of executor/builtins/shims.ts; the hooks reach
// only the implementation packages and their dependencies, and show no host path.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import vm from 'node:vm';
import { dirname, join } from 'node:path';
import { SAFE_BUILTIN_MODULES } from '../../policy/index.js';
import {
  BUILTIN_PACKAGES,
  BUILTIN_ROOT_PACKAGES,
  BuiltinHooks,
  PRELUDES,
  REALM_BUILTIN_NAMES,
  SHIM_SOURCES,
  SUBSTITUTES,
  SUBSTITUTED_PACKAGES,
  builtinHooks,
  builtinModule,
  findBuiltinsRoot,
  normalizeBuiltinName,
} from '../../executor/builtins/index.js';
import { withPrelude } from '../../executor/builtins/shims.js';
import { HookError } from '../../executor/hooks/index.js';
import { analyze } from '../../analyzer/engine.js';
import { repoPath } from '../helpers.js';
import { StandinRealm, WATCHED_GLOBALS } from './standin-realm.js';

/** Reads of absent host globals that are expected: each behind a `typeof` check, each falling back. */
const EXPECTED_GLOBAL_READS = new Set([
  'queueMicrotask <- builtin:shim/process.js', // the process stand-in's nextTick prefers queueMicrotask, else a promise
  'global <- builtin:node_modules/punycode/punycode.js', // punycode looks for a global object, then uses `this`
]);

async function load(name: string): Promise<{ realm: StandinRealm; module: any }> {
  const realm = new StandinRealm();
  const module = await realm.importBuiltin(name);
  return { realm, module };
}

function checkReads(realm: StandinRealm): void {
  for (const read of realm.globalReads) assert.ok(EXPECTED_GLOBAL_READS.has(read), `unexpected read of a host global: ${read}`);
}

describe('built-in modules in a context with nothing of the host', () => {
  it('covers every name in the policy\'s safe set', () => {
    for (const name of SAFE_BUILTIN_MODULES) assert.ok(REALM_BUILTIN_NAMES.includes(name), name);
  });

  it('path: posix, resolve() from the realm root /', async () => {
    const { realm, module: path } = await load('path');
    assert.equal(path.join('a', '../b', 'c.txt'), 'b/c.txt');
    assert.equal(path.resolve('x', 'y'), '/x/y');
    assert.equal(path.relative('/a/b', '/a/c/d'), '../c/d');
    assert.deepEqual(JSON.parse(JSON.stringify(path.parse('/srv/app/main.ts'))), { root: '/', dir: '/srv/app', base: 'main.ts', ext: '.ts', name: 'main' });
    assert.equal(path.sep, '/');
    assert.equal(path.posix, path);
    assert.equal(await realm.importBuiltin('node:path'), path);
    assert.equal(await realm.importBuiltin('path/posix'), path);
    checkReads(realm);
  });

  it('events: on, once, emit, errors, listener counts', async () => {
    const { realm, module: EventEmitter } = await load('events');
    const emitter = new EventEmitter();
    const seen: unknown[] = [];
    emitter.on('x', (v: unknown) => seen.push(v));
    emitter.once('x', (v: unknown) => seen.push(`once ${v}`));
    emitter.emit('x', 1);
    emitter.emit('x', 2);
    assert.deepEqual(seen, [1, 'once 1', 2]);
    assert.equal(emitter.listenerCount('x'), 1);
    assert.throws(() => emitter.emit('error', new Error('boom')), /boom/);
    const later = EventEmitter.once(emitter, 'y');
    emitter.emit('y', 'a', 'b');
    assert.deepEqual([...(await later)], ['a', 'b']);
    checkReads(realm);
  });

  it('buffer: encodings, numbers, slices, and it is the realm\'s own Uint8Array', async () => {
    const { realm, module } = await load('buffer');
    const { Buffer } = module;
    assert.equal(Buffer.from('héllo ✓').toString('base64'), 'aMOpbGxvIOKckw==');
    assert.equal(Buffer.from('aMOpbGxvIOKckw==', 'base64').toString('utf8'), 'héllo ✓');
    assert.equal(Buffer.from([1, 2, 3, 4]).readUInt32LE(0), 0x04030201);
    assert.equal(Buffer.concat([Buffer.from('ab'), Buffer.from('cd')]).toString('hex'), '61626364');
    assert.equal(Buffer.isBuffer(Buffer.alloc(2)), true);
    assert.ok(Buffer.alloc(1) instanceof (realm.evaluate('Uint8Array') as Function));
    assert.ok(!(Buffer.alloc(1) instanceof Uint8Array), 'not the host\'s Uint8Array');
    checkReads(realm);
  });

  it('util: format, inspect, types, inherits, promisify, callbackify (process.nextTick stand-in), deprecate', async () => {
    const { realm, module: util } = await load('util');
    assert.equal(util.format('%s=%d %j', 'a', 1, { b: 2 }), 'a=1 {"b":2}');
    assert.equal(util.inspect({ a: [1, 2], s: 'x' }), "{ a: [ 1, 2 ], s: 'x' }");
    assert.equal(util.types.isDate(realm.evaluate('new Date(0)')), true);
    assert.equal(util.types.isPromise(realm.evaluate('Promise.resolve()')), true);
    assert.equal(util.isBuffer((await realm.importBuiltin('buffer') as any).Buffer.alloc(1)), true);
    function Base(this: { base: boolean }) {
      this.base = true;
    }
    Base.prototype.hello = () => 'hi';
    function Child() {}
    util.inherits(Child, Base);
    assert.equal(new (Child as any)().hello(), 'hi');
    const promised = util.promisify((a: number, cb: (e: unknown, v?: number) => void) => cb(null, a * 2));
    assert.equal(await promised(21), 42);
    const callbacked = util.callbackify(async (a: number) => a + 1);
    assert.equal(await new Promise((resolve, reject) => callbacked(1, (e: unknown, v: number) => (e ? reject(e) : resolve(v)))), 2);
    const quiet = util.deprecate(() => 'still works', 'old');
    assert.equal(util.debuglog('x').enabled ?? false, false);
    assert.equal(typeof quiet, 'function');
    assert.deepEqual(Object.keys((await realm.importBuiltin('util/types')) as object), Object.keys(util.types));
    checkReads(realm);
  });

  it('assert: deep equality, AssertionError with a diff message, strict mode, rejects', async () => {
    const { realm, module: assertion } = await load('assert');
    assertion.deepStrictEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] });
    assert.throws(
      () => assertion.strictEqual(1, 2),
      (error: any) => error.name === 'AssertionError' && error.code === 'ERR_ASSERTION' && /Expected values to be strictly equal/.test(error.message),
    );
    assert.throws(() => assertion.deepStrictEqual({ a: 1 }, { a: '1' }), (error: any) => error.name === 'AssertionError');
    assert.throws(() => assertion.ok(false), (error: any) => error.name === 'AssertionError');
    await assertion.rejects(Promise.reject(new Error('x')), /x/);
    const strict = await realm.importBuiltin('assert/strict');
    assert.equal(strict, assertion.strict);
    checkReads(realm);
  });

  it('string_decoder: multi-byte characters split across writes', async () => {
    const { realm, module } = await load('string_decoder');
    const { Buffer } = (await realm.importBuiltin('buffer')) as any;
    const decoder = new module.StringDecoder('utf8');
    const bytes = Buffer.from('€✓');
    assert.equal(decoder.write(bytes.subarray(0, 2)) + decoder.write(bytes.subarray(2)) + decoder.end(), '€✓');
    checkReads(realm);
  });

  it('querystring: parse and stringify', async () => {
    const { realm, module: qs } = await load('querystring');
    assert.deepEqual(JSON.parse(JSON.stringify(qs.parse('a=1&b=x%20y&a=2'))), { a: ['1', '2'], b: 'x y' });
    assert.equal(qs.stringify({ q: 'a b', n: 1 }), 'q=a%20b&n=1');
    checkReads(realm);
  });

  it('url: the legacy API (parse, format, resolve)', async () => {
    const { realm, module: url } = await load('url');
    const parsed = url.parse('https://user@example.com:8080/p/a?x=1&y=2#h', true);
    assert.equal(parsed.hostname, 'example.com');
    assert.equal(parsed.port, '8080');
    assert.equal(parsed.query.y, '2');
    assert.equal(url.resolve('http://a.example/b/c', '../d'), 'http://a.example/d');
    assert.equal(url.format({ protocol: 'http', host: 'a.example', pathname: '/x' }), 'http://a.example/x');
    assert.equal(url.parse('http://xn--mnchen-3ya.de/').hostname, 'xn--mnchen-3ya.de');
    checkReads(realm);
  });

  it('no module reads process, require, Buffer, timers or any other host global while loading or working', async () => {
    const realm = new StandinRealm();
    for (const name of REALM_BUILTIN_NAMES) await realm.importBuiltin(name);
    checkReads(realm);
    for (const read of realm.globalReads) {
      const name = read.split(' ')[0]!;
      assert.ok(WATCHED_GLOBALS.includes(name as never));
      assert.ok(!['process', 'require', 'Buffer', 'setTimeout', 'setImmediate', 'module', 'exports'].includes(name), read);
    }
    // Every module came from the builtin hooks, under a builtin: location (no host path); the stand-ins
    // keep the whole set small (the helper packages alone were 60-odd modules per realm).
    assert.ok(realm.loaded.length > 25 && realm.loaded.length < 50, `${realm.loaded.length} modules`);
    for (const location of realm.loaded) assert.match(location, /^builtin:(node_modules|shim)\//);
  });
});

describe('stand-ins for the helper packages', () => {
  // The same values built in the host and in the stand-in context: the original package judges the
  // host's, the stand-in judges the context's, and they must agree.
  const VALUES = `[
    new Uint8Array(2), new Float64Array(1), new BigInt64Array(1), new DataView(new ArrayBuffer(1)), new ArrayBuffer(1),
    [], {}, null, undefined, 'x', 1, (function () { return arguments; })(), { length: 0, callee: function () {} },
    Object.assign(Object.create(null), { [Symbol.toStringTag]: 'Arguments' }), function* g() {}, async function* h() {},
    function f() {}, async function a() {}, () => 1, NaN, -0, 0, { [Symbol.toStringTag]: 'Uint8Array' },
  ]`;
  const hostRequire = createRequire(repoPath('package.json'));

  for (const [specifier, location] of Object.entries(SUBSTITUTES)) {
    it(`${specifier} behaves as the package it stands in for`, async () => {
      const realm = new StandinRealm();
      const hooks = builtinHooks();
      assert.equal(await hooks.resolve(specifier, 'builtin:node_modules/util/util.js'), location);
      const shim = (await realm.import(hooks, specifier)) as any;
      const original = hostRequire(specifier);
      const hostValues = vm.runInThisContext(VALUES) as unknown[];
      const realmValues = realm.evaluate(VALUES) as unknown[];
      const judge = (fn: any, values: unknown[]): unknown[] => Array.from(values).map((value) => {
        try {
          return fn(value);
        } catch (error) {
          return `throws ${(error as Error).name}`;
        }
      });
      switch (specifier) {
        case 'object.assign/polyfill':
        case 'object-is/polyfill':
          assert.equal(shim(), realm.evaluate(specifier === 'object-is/polyfill' ? 'Object.is' : 'Object.assign'));
          break;
        case 'object-is':
          assert.equal(shim(NaN, NaN), original(NaN, NaN));
          assert.equal(shim(0, -0), original(0, -0));
          break;
        case 'es-define-property':
          assert.equal(shim, realm.evaluate('Object.defineProperty'));
          break;
        case 'call-bind/callBound': {
          const test = shim('RegExp.prototype.test');
          assert.equal(test(realm.evaluate('/a/'), 'cat'), original('RegExp.prototype.test')(/a/, 'cat'));
          assert.equal(shim('%Object.prototype.toString%')([]), '[object Array]');
          assert.throws(() => shim('Function.prototype.constructor'), /no stand-in/);
          break;
        }
        case 'side-channel': {
          const channel = shim();
          const key = {};
          channel.set(key, 1);
          channel.set('k', 2);
          assert.deepEqual([channel.get(key), channel.get('k'), channel.has({}), channel.has('k')], [1, 2, false, true]);
          assert.throws(() => channel.assert({}), /Side channel does not contain/);
          assert.equal(channel.delete('k'), true);
          assert.equal(channel.has('k'), false);
          break;
        }
        default:
          assert.deepEqual(judge(shim, realmValues), judge(original, hostValues));
      }
    });
  }

  it('every stand-in passes gate 1 under the recommended profile', () => {
    for (const [location, source] of Object.entries(SHIM_SOURCES)) {
      const report = analyze(source, { filename: location.slice('builtin:'.length), policy: { profile: 'recommended' } });
      assert.equal(report.verdict, 'accept', `${location}: ${report.findings.map((f) => f.message).join('; ')}`);
    }
  });
});

describe('builtinModule and normalizeBuiltinName', () => {
  it('normalises node: prefixes and tells built-ins from packages', () => {
    assert.equal(normalizeBuiltinName('node:fs'), 'fs');
    assert.equal(normalizeBuiltinName('fs/promises'), 'fs/promises');
    assert.equal(normalizeBuiltinName('path'), 'path');
    assert.equal(normalizeBuiltinName('util/'), null);
    assert.equal(normalizeBuiltinName('lodash'), null);
    assert.equal(normalizeBuiltinName('node:test'), 'test');
  });

  it('maps granted names to locations in the one shared BuiltinHooks, and has nothing for the dangerous ones', () => {
    const path = builtinModule('node:path')!;
    assert.deepEqual({ name: path.name, grant: path.grant, location: path.location }, { name: 'path', grant: 'path', location: 'builtin:node_modules/path-browserify/index.js' });
    assert.equal(path.hooks, builtinHooks());
    assert.equal(builtinModule('util/types')!.grant, 'util');
    for (const name of ['fs', 'node:fs', 'child_process', 'net', 'http', 'https', 'dns', 'vm', 'worker_threads', 'inspector', 'v8', 'module', 'process', 'os', 'constructor', '__proto__', 'toString']) {
      assert.equal(builtinModule(name), null, name);
    }
  });

  it('agrees with what the hooks resolve for each implementation package', async () => {
    const hooks = builtinHooks();
    const byPackage: Record<string, string> = {
      assert: 'assert', buffer: 'buffer', events: 'events', 'path-browserify': 'path', 'querystring-es3': 'querystring',
      string_decoder: 'string_decoder', url: 'url', util: 'util',
    };
    for (const [pkg, name] of Object.entries(byPackage)) {
      assert.equal(await hooks.resolve(`${pkg}/`, null), builtinModule(name)!.location, pkg);
      // What a builtin's own `require('util')` resolves to is the same module as the granted `util`.
      assert.equal(await hooks.resolve(pkg, 'builtin:node_modules/inherits/inherits.js'), builtinModule(name)!.location, pkg);
    }
  });
});

describe('BuiltinHooks confinement', () => {
  it('reaches exactly the implementation packages and their dependency closure', () => {
    const root = findBuiltinsRoot();
    const closure = new Set<string>();
    const find = (name: string, from: string): string => {
      for (let dir = from; ; dir = dirname(dir)) {
        const candidate = join(dir, 'node_modules', name);
        if (existsSync(join(candidate, 'package.json'))) return candidate;
        if (dirname(dir) === dir) throw new Error(`${name} not installed`);
      }
    };
    const visit = (name: string, from: string): void => {
      if (closure.has(name) || SUBSTITUTED_PACKAGES.has(name)) return;
      closure.add(name);
      const dir = find(name, from);
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { dependencies?: object; optionalDependencies?: object; peerDependencies?: object };
      for (const dep of Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies, ...manifest.peerDependencies })) visit(dep, dir);
    };
    for (const name of BUILTIN_ROOT_PACKAGES) visit(name, root);
    assert.deepEqual([...BUILTIN_PACKAGES].sort(), [...closure].sort());
  });

  it('refuses other packages, paths out of node_modules, and foreign locations', async () => {
    const hooks = builtinHooks();
    for (const specifier of ['fastify', 'typescript', 'lodash']) {
      await assert.rejects(Promise.resolve().then(() => hooks.resolve(specifier, null)), (e: unknown) => e instanceof HookError && e.reason === 'refused', specifier);
    }
    await assert.rejects(hooks.resolve('./package.json', null), (e: unknown) => e instanceof HookError && e.reason === 'refused');
    await assert.rejects(hooks.resolve('../../../etc/passwd', 'builtin:node_modules/util/util.js'), (e: unknown) => e instanceof HookError && e.reason === 'outside-root');
    await assert.rejects(hooks.load('builtin:node_modules/fastify/fastify.js'), (e: unknown) => e instanceof HookError && e.reason === 'refused');
    await assert.rejects(hooks.load('builtin:../../etc/passwd'), (e: unknown) => e instanceof HookError);
    await assert.rejects(hooks.load('/etc/passwd'), (e: unknown) => e instanceof HookError && e.reason === 'bad-input');
    await assert.rejects(hooks.resolve('x', '/etc/passwd'), (e: unknown) => e instanceof HookError && e.reason === 'bad-input');
    assert.equal(await hooks.resolve('util/no-such-file', null), null);
  });

  it('serves the stand-ins and puts preludes on line one, keeping line numbers and strict mode', async () => {
    const hooks = new BuiltinHooks(findBuiltinsRoot());
    const shim = await hooks.load('builtin:shim/process.js');
    assert.match(shim!.source, /env: \{\}/);
    for (const path of Object.keys(PRELUDES)) {
      const original = readFileSync(join(findBuiltinsRoot(), path), 'utf8');
      const served = (await hooks.load(`builtin:${path}`))!.source;
      assert.equal(served.split('\n').length, original.split('\n').length, path);
      assert.ok(served.includes(PRELUDES[path]!), path);
      const strict = /^\s*(?:\/\/[^\n]*\n|\/\*[\s\S]*?\*\/|\s)*(['"])use strict\1/.test(original);
      if (strict) assert.match(served, /^\s*(?:\/\/[^\n]*\n|\/\*[\s\S]*?\*\/|\s)*(['"])use strict\1;? var /, `${path} keeps its directive first`);
    }
    assert.equal(withPrelude("'use strict';\nx();", 'var p = 1;'), "'use strict'; var p = 1;\nx();");
    assert.equal(withPrelude('// c\nx();', 'var p = 1;'), 'var p = 1; // c\nx();');
  });

  it('finds the builtins root from this package', () => {
    assert.equal(findBuiltinsRoot(), builtinHooks().root);
    assert.equal(builtinHooks().root, repoPath());
  });
});
