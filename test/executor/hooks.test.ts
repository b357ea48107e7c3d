// The shipped ModuleHooks: FsHooks' jail (`..`, absolute paths, symlinks and symlinked node_modules that
// lead out are refused), Node-style package resolution (exports, imports, main, indexes, extensions),
// MemoryHooks, HttpHooks against real loopback servers (allow-list, redirects re-checked, size and time
// limits, content types), and real npm packages (lodash, date-fns) loaded from a root and used.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { execFileSync } from 'node:child_process';
import { copyFileSync, linkSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import type { Dirent } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FsHooks, HookError, HttpHooks, MemoryHooks, checkHooks, describeHooks } from '../../executor/hooks/index.js';
import type { HookErrorReason } from '../../executor/hooks/index.js';
import type { ModuleHooks } from '../../executor/types.js';
import { repoPath } from '../helpers.js';
import { StandinRealm } from './standin-realm.js';

/** Asserts that a promise rejects with a HookError of the given reason, naming the hook and the input. */
async function refuses(attempt: Promise<unknown> | (() => unknown), reason: HookErrorReason, hooks: ModuleHooks, input: string): Promise<HookError> {
  try {
    await (typeof attempt === 'function' ? attempt() : attempt);
  } catch (error) {
    assert.ok(error instanceof HookError, `expected a HookError, got ${String(error)}`);
    assert.equal(error.reason, reason, error.message);
    assert.ok(error.message.startsWith(`${hooks.name}: '${input}'`), `message should name hook and input: ${error.message}`);
    return error;
  }
  assert.fail(`expected a refusal (${reason}) for '${input}'`);
}

function write(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

/** Places a package from this project's node_modules into a root: hard links (or copies), never symlinks. */
function placePackage(name: string, root: string, keep: (rel: string, entry: Dirent) => boolean = () => true): void {
  const source = repoPath('node_modules', name);
  const walk = (from: string, to: string): void => {
    mkdirSync(to, { recursive: true });
    for (const entry of readdirSync(from, { withFileTypes: true })) {
      const a = join(from, entry.name);
      const b = join(to, entry.name);
      if (!keep(relative(source, a), entry)) continue;
      if (entry.isDirectory()) walk(a, b);
      else if (entry.isFile()) {
        try {
          linkSync(a, b);
        } catch {
          copyFileSync(a, b);
        }
      }
    }
  };
  walk(source, join(root, 'node_modules', name));
}

describe('FsHooks', () => {
  let base: string;
  let root: string;
  let outside: string;
  let hooks: FsHooks;

  before(() => {
    base = realpathSync(mkdtempSync(join(tmpdir(), 'airlock-fs-hooks-')));
    root = join(base, 'root');
    outside = join(base, 'outside');
    write(join(outside, 'secret.js'), 'module.exports = "SECRET";');
    write(join(outside, 'evilpkg', 'package.json'), '{"name":"evil","main":"index.js"}');
    write(join(outside, 'evilpkg', 'index.js'), 'module.exports = "EVIL";');
    write(join(outside, 'node_modules', 'leaky', 'index.js'), 'module.exports = "LEAK";');
    // A package above the root: walking up for node_modules must stop at the root.
    write(join(base, 'node_modules', 'above-root', 'index.js'), 'module.exports = "ABOVE";');

    write(join(root, 'main.js'), 'module.exports = require("./lib");');
    write(join(root, 'lib', 'index.js'), 'module.exports = "lib index";');
    write(join(root, 'lib', 'util.ts'), 'export const n: number = 1;');
    write(join(root, 'lib', 'esm.mjs'), 'export default 1;');
    write(join(root, 'data.json'), '{"a":1}');
    write(join(root, 'dir-with-main', 'package.json'), '{"main":"entry"}');
    write(join(root, 'dir-with-main', 'entry.js'), '');
    write(join(root, 'ts-style', 'a.ts'), '');
    write(join(root, 'ts-style', 'b.mts'), '');
    // Packages.
    write(join(root, 'node_modules', 'plain', 'package.json'), '{"name":"plain","main":"./lib/main"}');
    write(join(root, 'node_modules', 'plain', 'lib', 'main.js'), '');
    write(join(root, 'node_modules', 'plain', 'extra.js'), '');
    write(join(root, 'node_modules', 'no-main', 'index.cjs'), '');
    write(join(root, 'node_modules', 'single.js'), '');
    write(
      join(root, 'node_modules', 'dual', 'package.json'),
      JSON.stringify({
        name: 'dual',
        exports: {
          '.': { import: './esm/index.mjs', require: './cjs/index.cjs' },
          './feature': { import: './esm/feature.mjs' },
          './features/*.js': { require: './cjs/features/*.cjs', default: './cjs/features/*.cjs' },
          './features/private/*': null,
          './node-only': { node: './node.js', default: './browser.js' },
          './bad': '../outside.js',
          './fallback': ['../invalid.js', './cjs/index.cjs'],
          './package.json': './package.json',
        },
      }),
    );
    for (const file of ['esm/index.mjs', 'cjs/index.cjs', 'esm/feature.mjs', 'cjs/features/a.cjs', 'cjs/features/private/x.cjs', 'node.js', 'browser.js']) {
      write(join(root, 'node_modules', 'dual', file), '');
    }
    write(join(root, 'node_modules', 'sugar', 'package.json'), '{"exports":"./main.js"}');
    write(join(root, 'node_modules', 'sugar', 'main.js'), '');
    write(join(root, 'node_modules', 'conditions-only', 'package.json'), '{"exports":{"require":"./r.js","default":"./d.js"}}');
    write(join(root, 'node_modules', 'conditions-only', 'r.js'), '');
    write(join(root, 'node_modules', 'conditions-only', 'd.js'), '');
    write(join(root, 'node_modules', '@scope', 'pkg', 'package.json'), '{"main":"main.js"}');
    write(join(root, 'node_modules', '@scope', 'pkg', 'main.js'), '');
    write(join(root, 'node_modules', 'outer', 'index.js'), '');
    write(join(root, 'node_modules', 'outer', 'node_modules', 'inner', 'index.js'), '');
    write(join(root, 'node_modules', 'broken-json', 'package.json'), '{ nope');
    write(join(root, 'node_modules', 'main-escape', 'package.json'), '{"main":"../../../outside/secret.js"}');
    write(join(root, 'node_modules', 'with-imports', 'package.json'), JSON.stringify({ imports: { '#internal/*': './src/internal/*.js', '#dep': 'plain' } }));
    write(join(root, 'node_modules', 'with-imports', 'src', 'index.js'), '');
    write(join(root, 'node_modules', 'with-imports', 'src', 'internal', 'x.js'), '');
    // Symlinks: out of the root (file, directory, relative, to /, a symlinked package and node_modules), inside it, dangling.
    symlinkSync(join(outside, 'secret.js'), join(root, 'link-file.js'));
    symlinkSync(outside, join(root, 'link-dir'));
    symlinkSync('../outside', join(root, 'link-relative'));
    symlinkSync('/', join(root, 'link-slash'));
    symlinkSync(join(outside, 'evilpkg'), join(root, 'node_modules', 'evil'));
    symlinkSync(join(root, 'lib', 'index.js'), join(root, 'link-inside.js'));
    symlinkSync('lib', join(root, 'link-inside-dir'));
    symlinkSync(join(root, 'nowhere.js'), join(root, 'dangling.js'));
    hooks = new FsHooks(root);
  });

  after(() => rmSync(base, { recursive: true, force: true }));

  it('resolves relative specifiers against the referrer, with extension probing and directory indexes', async () => {
    const main = join(root, 'main.js');
    assert.equal(await hooks.resolve('./main.js', null), main);
    assert.equal(await hooks.resolve('./main', null), main);
    assert.equal(await hooks.resolve('./lib', main), join(root, 'lib', 'index.js'));
    assert.equal(await hooks.resolve('./lib/', main), join(root, 'lib', 'index.js'));
    assert.equal(await hooks.resolve('./util', join(root, 'lib', 'index.js')), join(root, 'lib', 'util.ts'));
    assert.equal(await hooks.resolve('../data', join(root, 'lib', 'index.js')), join(root, 'data.json'));
    assert.equal(await hooks.resolve('./lib/esm', null), join(root, 'lib', 'esm.mjs'));
    assert.equal(await hooks.resolve('./dir-with-main', null), join(root, 'dir-with-main', 'entry.js'));
    assert.equal(await hooks.resolve('./missing', null), null);
    assert.equal(await hooks.resolve('./lib/index.js/', null), null);
  });

  it('maps TypeScript-style .js specifiers to the .ts source', async () => {
    assert.equal(await hooks.resolve('./ts-style/a.js', null), join(root, 'ts-style', 'a.ts'));
    assert.equal(await hooks.resolve('./ts-style/b.mjs', null), join(root, 'ts-style', 'b.mts'));
  });

  it('accepts absolute paths and file: URLs inside the root', async () => {
    assert.equal(await hooks.resolve(join(root, 'lib'), null), join(root, 'lib', 'index.js'));
    assert.equal(await hooks.resolve(pathToFileURL(join(root, 'main.js')).href, null), join(root, 'main.js'));
  });

  it('refuses ../ out of the root', async () => {
    await refuses(hooks.resolve('../outside/secret.js', null), 'outside-root', hooks, '../outside/secret.js');
    await refuses(hooks.resolve('../../outside/secret', join(root, 'lib', 'index.js')), 'outside-root', hooks, '../../outside/secret');
    await refuses(hooks.resolve('./lib/../../outside/secret.js', null), 'outside-root', hooks, './lib/../../outside/secret.js');
    await refuses(hooks.resolve('..', null), 'outside-root', hooks, '..');
  });

  it('refuses absolute paths and file: URLs outside the root, and other URL schemes', async () => {
    const error = await refuses(hooks.resolve('/etc/passwd', null), 'outside-root', hooks, '/etc/passwd');
    assert.equal(error.code, 'AIRLOCK_IMPORT_DENIED');
    await refuses(hooks.resolve(join(outside, 'secret.js'), null), 'outside-root', hooks, join(outside, 'secret.js'));
    await refuses(hooks.resolve('file:///etc/passwd', null), 'outside-root', hooks, '/etc/passwd');
    await refuses(() => hooks.resolve('data:text/javascript,1', null), 'refused', hooks, 'data:text/javascript,1');
    await refuses(() => hooks.resolve('node:fs', null), 'refused', hooks, 'node:fs');
  });

  it('refuses symlinks that lead out, whether or not their target exists, and shows no outside path', async () => {
    for (const specifier of ['./link-file.js', './link-file', './link-dir/secret.js', './link-dir/does-not-exist.js', './link-relative/secret', './link-slash/etc/passwd', './link-slash/no/such/file']) {
      const error = await refuses(hooks.resolve(specifier, null), 'outside-root', hooks, specifier);
      assert.ok(!error.message.includes(outside), error.message);
    }
  });

  it('refuses a symlinked package in node_modules and a node_modules that is itself a symlink out', async () => {
    await refuses(hooks.resolve('evil', null), 'outside-root', hooks, 'evil');
    const root2 = join(base, 'root2');
    mkdirSync(root2);
    write(join(root2, 'main.js'), '');
    symlinkSync(join(outside, 'node_modules'), join(root2, 'node_modules'));
    const hooks2 = new FsHooks(root2);
    await refuses(hooks2.resolve('leaky', null), 'outside-root', hooks2, 'leaky');
    await refuses(hooks2.resolve('leaky', join(root2, 'main.js')), 'outside-root', hooks2, 'leaky');
  });

  it('follows symlinks that stay inside the root, and treats a dangling one as missing', async () => {
    assert.equal(await hooks.resolve('./link-inside.js', null), join(root, 'lib', 'index.js'));
    assert.equal(await hooks.resolve('./link-inside-dir/util', null), join(root, 'lib', 'util.ts'));
    assert.equal(await hooks.resolve('./dangling.js', null), null);
  });

  it('refuses loads outside the root, through symlinks, and locations it did not make', async () => {
    await refuses(hooks.load('/etc/passwd'), 'outside-root', hooks, '/etc/passwd');
    await refuses(hooks.load(join(root, 'link-file.js')), 'outside-root', hooks, join(root, 'link-file.js'));
    await refuses(hooks.load(join(root, 'link-dir', 'secret.js')), 'outside-root', hooks, join(root, 'link-dir', 'secret.js'));
    await refuses(hooks.load(`${root}/../outside/secret.js`), 'outside-root', hooks, `${root}/../outside/secret.js`);
    await refuses(hooks.load('relative/path.js'), 'bad-input', hooks, 'relative/path.js');
    await refuses(hooks.resolve('./x', '/etc/passwd'), 'outside-root', hooks, '/etc/passwd');
    assert.equal(await hooks.load(join(root, 'nope.js')), null);
  });

  it('does not walk up past the root for node_modules', async () => {
    assert.equal(await hooks.resolve('above-root', null), null);
    assert.equal(await hooks.resolve('above-root', join(root, 'lib', 'index.js')), null);
  });

  it('resolves packages through node_modules: main, index, scoped, nested, single files', async () => {
    const nm = join(root, 'node_modules');
    assert.equal(await hooks.resolve('plain', join(root, 'main.js')), join(nm, 'plain', 'lib', 'main.js'));
    assert.equal(await hooks.resolve('plain/extra', null), join(nm, 'plain', 'extra.js'));
    assert.equal(await hooks.resolve('no-main', null), join(nm, 'no-main', 'index.cjs'));
    assert.equal(await hooks.resolve('single', null), join(nm, 'single.js'));
    assert.equal(await hooks.resolve('@scope/pkg', null), join(nm, '@scope', 'pkg', 'main.js'));
    assert.equal(await hooks.resolve('inner', join(nm, 'outer', 'index.js')), join(nm, 'outer', 'node_modules', 'inner', 'index.js'));
    assert.equal(await hooks.resolve('inner', join(root, 'main.js')), null);
    assert.equal(await hooks.resolve('not-installed', null), null);
  });

  it('resolves package exports: require preferred, import as fallback, patterns, null, sugar, arrays', async () => {
    const dual = join(root, 'node_modules', 'dual');
    assert.equal(await hooks.resolve('dual', null), join(dual, 'cjs', 'index.cjs'));
    assert.equal(await hooks.resolve('dual/feature', null), join(dual, 'esm', 'feature.mjs'));
    assert.equal(await hooks.resolve('dual/features/a.js', null), join(dual, 'cjs', 'features', 'a.cjs'));
    assert.equal(await hooks.resolve('dual/node-only', null), join(dual, 'node.js'));
    assert.equal(await new FsHooks(root, { conditions: ['browser'] }).resolve('dual/node-only', null), join(dual, 'browser.js'));
    assert.equal(await hooks.resolve('dual/fallback', null), join(dual, 'cjs', 'index.cjs'));
    assert.equal(await hooks.resolve('dual/package.json', null), join(dual, 'package.json'));
    assert.equal(await hooks.resolve('sugar', null), join(root, 'node_modules', 'sugar', 'main.js'));
    assert.equal(await hooks.resolve('conditions-only', null), join(root, 'node_modules', 'conditions-only', 'r.js'));
    await refuses(hooks.resolve('dual/features/private/x', null), 'not-found', hooks, 'dual/features/private/x');
    await refuses(hooks.resolve('dual/cjs/index.cjs', null), 'not-found', hooks, 'dual/cjs/index.cjs');
    await refuses(hooks.resolve('dual/bad', null), 'bad-package', hooks, 'dual/bad');
  });

  it('resolves package imports (#specifiers) from inside the package', async () => {
    const from = join(root, 'node_modules', 'with-imports', 'src', 'index.js');
    assert.equal(await hooks.resolve('#internal/x', from), join(root, 'node_modules', 'with-imports', 'src', 'internal', 'x.js'));
    assert.equal(await hooks.resolve('#dep', from), join(root, 'node_modules', 'plain', 'lib', 'main.js'));
    await refuses(hooks.resolve('#nope', from), 'not-found', hooks, '#nope');
  });

  it('reports a broken package.json and a main that leaves the root', async () => {
    await refuses(hooks.resolve('broken-json', null), 'bad-package', hooks, 'broken-json');
    await refuses(hooks.resolve('main-escape', null), 'outside-root', hooks, 'main-escape');
  });

  it('loads text (BOM stripped) and bounds the file size', async () => {
    write(join(root, 'bom.js'), '\uFEFFmodule.exports = 1;');
    assert.deepEqual(await hooks.load(join(root, 'bom.js')), { source: 'module.exports = 1;', filename: join(root, 'bom.js') });
    write(join(root, 'big.js'), 'x'.repeat(2048));
    const small = new FsHooks(root, { maxFileBytes: 1024 });
    const error = await refuses(small.load(join(root, 'big.js')), 'too-large', small, join(root, 'big.js'));
    assert.equal(error.code, 'AIRLOCK_SOURCE_TOO_LARGE');
    assert.equal((await small.load(join(root, 'main.js')))?.source, 'module.exports = require("./lib");');
  });

  it('never blocks on a FIFO or reads a device', async () => {
    execFileSync('mkfifo', [join(root, 'fifo.js')]);
    assert.equal(await hooks.resolve('./fifo.js', null), null);
    assert.equal(await hooks.load(join(root, 'fifo.js')), null);
  });

  it('refuses a root that does not exist, and describes itself', () => {
    assert.throws(() => new FsHooks(join(base, 'no-such-root')), (error: unknown) => error instanceof HookError && error.reason === 'bad-input');
    assert.deepEqual(describeHooks(hooks), { name: `fs:${root}`, kind: 'fs', where: root, builtins: false });
    assert.equal(checkHooks(hooks), null);
  });
});

describe('FsHooks with real npm packages', () => {
  let base: string;
  let hooks: FsHooks;

  before(() => {
    base = realpathSync(mkdtempSync(join(tmpdir(), 'airlock-real-packages-')));
    placePackage('lodash', base, (rel, entry) => entry.isDirectory() || rel === 'lodash.js' || rel === 'package.json');
    // date-fns: the CommonJS build and the default locale (the ESM build, types, fp/ and other locales are not needed).
    placePackage('date-fns', base, (rel, entry) => {
      if (entry.isDirectory()) return rel !== 'fp' && (!rel.startsWith('locale/') || /^locale\/(en-US|_lib)(\/|$)/.test(rel));
      return rel.endsWith('.cjs') || rel === 'package.json';
    });
    placePackage('picocolors', base);
    write(
      join(base, 'main.ts'),
      [
        "import _ from 'lodash';",
        "import { addDays, format, differenceInCalendarDays } from 'date-fns';",
        "import pc from 'picocolors';",
        'export const chunks: number[][] = _.chunk([1, 2, 3, 4, 5], 2);',
        "export const merged = _.merge({ a: { b: 1 } }, { a: { c: 2 } });",
        "export const templated = _.template('hello <%= who %>')({ who: 'realm' });",
        "export const day: string = format(addDays(new Date(2024, 0, 30), 3), 'yyyy-MM-dd');",
        'export const span = differenceInCalendarDays(new Date(2024, 2, 1), new Date(2024, 1, 1));',
        "export const plain = pc.createColors(false).red('x');",
      ].join('\n'),
    );
    hooks = new FsHooks(base);
  });

  after(() => rmSync(base, { recursive: true, force: true }));

  it('imports lodash, date-fns and picocolors from a root into a context with no host and uses them', async () => {
    const realm = new StandinRealm();
    const exports = (await realm.import(hooks, './main.ts')) as Record<string, unknown>;
    assert.deepEqual(JSON.parse(JSON.stringify(exports)), {
      chunks: [[1, 2], [3, 4], [5]],
      merged: { a: { b: 1, c: 2 } },
      templated: 'hello realm',
      day: '2024-02-02',
      span: 29,
      plain: 'x',
    });
    // lodash's template compiles with the context's own Function: the realm's intrinsics keep working.
    assert.ok(realm.loaded.includes(join(base, 'node_modules', 'lodash', 'lodash.js')));
    assert.ok(realm.loaded.filter((location) => location.includes('date-fns')).length > 200);
    // lodash looks for a global object (global, self) and for Buffer and timers, finds none, and falls back.
    for (const read of realm.globalReads) assert.match(read, /^(global|self|Buffer|clearTimeout|setTimeout|process|window|document) <- /);
  });
});

describe('MemoryHooks', () => {
  const hooks = new MemoryHooks({
    'main.js': 'const u = require("./lib/util"); const pad = require("left-pad"); const tiny = require("tiny"); module.exports = pad(u.name + tiny, 8);',
    'lib/util.ts': 'export const name: string = "util";',
    'lib/index.js': 'module.exports = "lib";',
    'lib/deep/x.js': 'module.exports = require("../index");',
    'data.json': '{"v": 2}',
    'node_modules/left-pad/package.json': '{"main": "pad.js"}',
    'node_modules/left-pad/pad.js': 'module.exports = (s, n) => s.padStart(n, "*");',
    'node_modules/@s/p/index.js': 'module.exports = "scoped";',
    tiny: 'module.exports = "!";',
    'helpers.js': 'module.exports = "helpers";',
  });

  it('resolves between entries: ./, ../, extensions, indexes, absolute', async () => {
    assert.equal(await hooks.resolve('./main', null), '/main.js');
    assert.equal(await hooks.resolve('./lib/util', '/main.js'), '/lib/util.ts');
    assert.equal(await hooks.resolve('../index', '/lib/deep/x.js'), '/lib/index.js');
    assert.equal(await hooks.resolve('../..', '/lib/deep/x.js'), null);
    assert.equal(await hooks.resolve('./lib', null), '/lib/index.js');
    assert.equal(await hooks.resolve('/data', null), '/data.json');
    assert.equal(await hooks.resolve('./nope', null), null);
  });

  it('maps bare names from node_modules/ keys and from plain keys', async () => {
    assert.equal(await hooks.resolve('left-pad', '/lib/deep/x.js'), '/node_modules/left-pad/pad.js');
    assert.equal(await hooks.resolve('@s/p', null), '/node_modules/@s/p/index.js');
    assert.equal(await hooks.resolve('tiny', '/main.js'), '/tiny');
    assert.equal(await hooks.resolve('helpers', null), '/helpers.js');
    assert.equal(await hooks.resolve('absent', null), null);
  });

  it('refuses paths that climb out of the map, and bad keys', async () => {
    await refuses(hooks.resolve('../x', null), 'outside-root', hooks, '../x');
    await refuses(hooks.resolve('../../../etc/passwd', '/lib/deep/x.js'), 'outside-root', hooks, '../../../etc/passwd');
    await refuses(() => hooks.resolve('https://example.com/x.js', null), 'refused', hooks, 'https://example.com/x.js');
    assert.throws(() => new MemoryHooks({ '../escape.js': '' }), (e: unknown) => e instanceof HookError && e.reason === 'bad-input');
    assert.throws(() => new MemoryHooks({ 'node:fs': '' }), (e: unknown) => e instanceof HookError && e.reason === 'bad-input');
  });

  it('loads text by location and runs a small graph', async () => {
    assert.deepEqual(hooks.load('/data.json'), { source: '{"v": 2}', filename: '/data.json' });
    assert.equal(hooks.load('/none.js'), null);
    const realm = new StandinRealm();
    assert.equal(await realm.import(hooks, './main'), '***util!');
    assert.equal(describeHooks(hooks).kind, 'memory');
  });

  it('accepts a Map and a custom name', async () => {
    const named = new MemoryHooks(new Map([['a.js', 'module.exports = 1']]), { name: 'tenant-42' });
    assert.equal(named.name, 'tenant-42');
    assert.equal(await named.resolve('./a', null), '/a.js');
    assert.deepEqual(named.locations, ['/a.js']);
  });
});

describe('HttpHooks against loopback servers', () => {
  let server: Server;
  let evil: Server;
  let origin: string;
  let evilOrigin: string;
  let evilHits = 0;
  const pending = new Set<ServerResponse>();

  const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {
    '/app/main.js': (_req, res) => send(res, 'text/javascript', 'module.exports = require("./lib/add.js")(2, 3);'),
    '/app/lib/add.js': (_req, res) => send(res, 'application/javascript; charset=utf-8', 'module.exports = (a, b) => a + b + require("../../shared/one.js");'),
    '/shared/one.js': (_req, res) => send(res, 'text/javascript', 'module.exports = 1;'),
    '/app/moved.js': (_req, res) => redirect(res, '/v2/moved.js'),
    '/v2/moved.js': (_req, res) => send(res, 'text/javascript', 'module.exports = require("./sibling.js");'),
    '/v2/sibling.js': (_req, res) => send(res, 'text/javascript', 'module.exports = "sibling in v2";'),
    '/app/escape.js': (_req, res) => redirect(res, `${evilOrigin}/payload.js`),
    '/app/escape-scheme.js': (_req, res) => redirect(res, 'file:///etc/passwd'),
    '/app/loop.js': (_req, res) => redirect(res, '/app/loop.js'),
    '/app/big-declared.js': (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/javascript', 'content-length': String(10_000) });
      res.end('x'.repeat(10_000));
    },
    '/app/big-streamed.js': (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      let sent = 0;
      const pump = () => {
        while (sent < 200_000) {
          sent += 1000;
          if (!res.write('/'.repeat(1000))) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    },
    '/app/slow.js': (_req, res) => {
      pending.add(res);
    },
    '/app/slow-body.js': (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.write('module.exports = ');
      pending.add(res);
    },
    '/app/page.html': (_req, res) => send(res, 'text/html', '<html>login</html>'),
    '/app/types.ts': (_req, res) => send(res, 'video/mp2t', 'export const n: number = 1;'),
    '/app/video.js': (_req, res) => send(res, 'video/mp2t', 'module.exports = 1'),
    '/app/untyped.js': (_req, res) => {
      res.writeHead(200);
      res.end('module.exports = "untyped"');
    },
    '/app/error.js': (_req, res) => send(res, 'text/javascript', 'oops', 500),
    '/app/gone.js': (_req, res) => send(res, 'text/javascript', '', 410),
  };

  function send(res: ServerResponse, type: string, body: string, status = 200): void {
    res.writeHead(status, { 'content-type': type });
    res.end(body);
  }
  function redirect(res: ServerResponse, location: string): void {
    res.writeHead(302, { location });
    res.end();
  }
  async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<[Server, number]> {
    const s = createServer(handler);
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    return [s, (s.address() as AddressInfo).port];
  }

  before(async () => {
    let port: number;
    [server, port] = await listen((req, res) => {
      const route = routes[new URL(req.url ?? '/', 'http://x').pathname];
      if (route === undefined) return send(res, 'text/plain', 'not found', 404);
      route(req, res);
    });
    origin = `http://127.0.0.1:${port}`;
    let evilPort: number;
    [evil, evilPort] = await listen((_req, res) => {
      evilHits++;
      send(res, 'text/javascript', 'module.exports = "EVIL"');
    });
    // Same loopback interface, another origin (host name and port differ).
    evilOrigin = `http://localhost:${evilPort}`;
  });

  after(async () => {
    for (const res of pending) res.destroy();
    server.closeAllConnections();
    evil.closeAllConnections();
    await Promise.all([new Promise((r) => server.close(r)), new Promise((r) => evil.close(r))]);
  });

  const make = (options: ConstructorParameters<typeof HttpHooks>[1] = {}) => new HttpHooks(`${origin}/app/`, { timeoutMs: 2000, ...options });

  it('resolves with URL semantics and refuses origins off the allow-list without a request', async () => {
    const hooks = make();
    assert.equal(hooks.resolve('./main.js', null), `${origin}/app/main.js`);
    assert.equal(hooks.resolve('../shared/one.js', `${origin}/app/lib/add.js`), `${origin}/app/shared/one.js`);
    assert.equal(hooks.resolve('/shared/one.js#frag', null), `${origin}/shared/one.js`);
    assert.equal(hooks.resolve('lodash', null), null);
    await refuses(() => hooks.resolve(`${evilOrigin}/payload.js`, null), 'refused', hooks, `${evilOrigin}/payload.js`);
    await refuses(() => hooks.resolve('//example.com/x.js', null), 'refused', hooks, '//example.com/x.js');
    await refuses(() => hooks.resolve('file:///etc/passwd', null), 'refused', hooks, 'file:///etc/passwd');
    await refuses(() => hooks.resolve('./x.js', `${evilOrigin}/a.js`), 'bad-input', hooks, `${evilOrigin}/a.js`);
    await refuses(hooks.load(`${evilOrigin}/payload.js`), 'refused', hooks, `${evilOrigin}/payload.js`);
    const withCredentials = origin.replace('http://', 'http://user:pw@');
    await refuses(() => hooks.resolve(`${withCredentials}/app/main.js`, null), 'refused', hooks, `${withCredentials}/app/main.js`);
    assert.equal(evilHits, 0);
  });

  it('maps bare specifiers through an import map', () => {
    const hooks = make({ imports: { adder: './lib/add.js', 'shared/': '/shared/' } });
    assert.equal(hooks.resolve('adder', null), `${origin}/app/lib/add.js`);
    assert.equal(hooks.resolve('shared/one.js', null), `${origin}/shared/one.js`);
  });

  it('loads a module graph over HTTP into a context with no host', async () => {
    const realm = new StandinRealm();
    assert.equal(await realm.import(make(), './main.js'), 6);
  });

  it('follows an allowed redirect and resolves the next imports against where it landed', async () => {
    const hooks = make();
    const loaded = await hooks.load(`${origin}/app/moved.js`);
    assert.equal(loaded?.filename, `${origin}/v2/moved.js`);
    const realm = new StandinRealm();
    assert.equal(await realm.import(hooks, './moved.js'), 'sibling in v2');
  });

  it('re-checks every redirect: another origin or scheme is refused and never fetched', async () => {
    const hooks = make();
    const error = await refuses(hooks.load(`${origin}/app/escape.js`), 'refused', hooks, `${origin}/app/escape.js`);
    assert.match(error.message, /redirects to a URL that is not on an allowed origin/);
    assert.equal(error.code, 'AIRLOCK_IMPORT_DENIED');
    assert.equal(evilHits, 0);
    await refuses(hooks.load(`${origin}/app/escape-scheme.js`), 'refused', hooks, `${origin}/app/escape-scheme.js`);
    await refuses(hooks.load(`${origin}/app/loop.js`), 'bad-response', hooks, `${origin}/app/loop.js`);
  });

  it('bounds the body by its declared length and by what actually arrives', async () => {
    const hooks = make({ maxBytes: 4096 });
    const declared = await refuses(hooks.load(`${origin}/app/big-declared.js`), 'too-large', hooks, `${origin}/app/big-declared.js`);
    assert.equal(declared.code, 'AIRLOCK_SOURCE_TOO_LARGE');
    await refuses(hooks.load(`${origin}/app/big-streamed.js`), 'too-large', hooks, `${origin}/app/big-streamed.js`);
  });

  it('times out a server that never answers, or stalls mid-body', async () => {
    const hooks = make({ timeoutMs: 300 });
    for (const path of ['/app/slow.js', '/app/slow-body.js']) {
      const started = Date.now();
      await refuses(hooks.load(`${origin}${path}`), 'timeout', hooks, `${origin}${path}`);
      const took = Date.now() - started;
      assert.ok(took >= 250 && took < 1500, `${path} took ${took} ms`);
    }
  });

  it('accepts only 2xx with a module content type; 404 and 410 are missing modules', async () => {
    const hooks = make();
    await refuses(hooks.load(`${origin}/app/page.html`), 'bad-response', hooks, `${origin}/app/page.html`);
    await refuses(hooks.load(`${origin}/app/video.js`), 'bad-response', hooks, `${origin}/app/video.js`);
    await refuses(hooks.load(`${origin}/app/error.js`), 'bad-response', hooks, `${origin}/app/error.js`);
    assert.equal(await hooks.load(`${origin}/app/missing.js`), null);
    assert.equal(await hooks.load(`${origin}/app/gone.js`), null);
    assert.equal((await hooks.load(`${origin}/app/types.ts`))?.source, 'export const n: number = 1;');
    assert.equal((await hooks.load(`${origin}/app/untyped.js`))?.source, 'module.exports = "untyped"');
  });

  it('reports an unreachable server as an I/O error naming the hook and the location', async () => {
    const [closed, port] = await listen(() => undefined);
    await new Promise((r) => closed.close(r));
    const hooks = new HttpHooks(`http://127.0.0.1:${port}/`, { timeoutMs: 2000 });
    await refuses(hooks.load(`http://127.0.0.1:${port}/x.js`), 'io', hooks, `http://127.0.0.1:${port}/x.js`);
  });

  it('validates its options and describes itself', () => {
    assert.throws(() => new HttpHooks('ftp://example.com/'), (e: unknown) => e instanceof HookError && e.reason === 'bad-input');
    assert.throws(() => new HttpHooks('not a url'), (e: unknown) => e instanceof HookError && e.reason === 'bad-input');
    assert.throws(() => new HttpHooks(`${origin}/`, { allowOrigins: ['file:///'] }), (e: unknown) => e instanceof HookError);
    assert.deepEqual(describeHooks(make()), { name: `http:${origin}/app/`, kind: 'http', where: `${origin}/app/`, builtins: false });
  });
});

describe('checkHooks', () => {
  it('names what is missing from a user-written hooks object', () => {
    assert.match(checkHooks(null)!, /must be an object/);
    assert.match(checkHooks({ name: 'x', resolve() {} })!, /load\(location\) must be a function/);
    assert.match(checkHooks({ name: '', resolve() {}, load() {} })!, /name must be a non-empty string/);
    assert.match(checkHooks({ name: 'x', resolve() {}, load() {}, builtin: 1 })!, /builtin/);
    const custom = { name: 'custom', resolve: () => null, load: () => null };
    assert.equal(checkHooks(custom), null);
    assert.deepEqual(describeHooks(custom), { name: 'custom', kind: 'custom', builtins: false });
  });
});
