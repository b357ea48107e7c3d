// prepareModule / transformScript: TypeScript and ES modules become CommonJS in one step, import()
// goes through the module's own require (never a host import()), JSON is data, top-level await is
// handled as documented, scripts keep their completion value, syntax errors are error objects. The
// plain-text fast path is checked against TypeScript's parser on real files and on adversarial input.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import vm from 'node:vm';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import {
  clearTransformCache,
  fileKindOf,
  jsonLiteral,
  prepareModule,
  transformCacheStats,
  transformScript,
  wrapModuleCode,
} from '../../executor/transform.js';
import type { PreparedModule, PreparedScript, TransformFailure } from '../../executor/transform.js';
import { scanSyntax } from '../../executor/syntax-scan.js';
import { repoPath } from '../helpers.js';

function ok<T extends { ok: boolean }>(result: T | TransformFailure): T {
  if (!result.ok) assert.fail(`expected ok, got ${(result as TransformFailure).error.message}`);
  return result as T;
}
function failed(result: { ok: boolean } | TransformFailure): TransformFailure['error'] {
  assert.equal(result.ok, false, 'expected a failure');
  return (result as TransformFailure).error;
}

/** Evaluates a prepared module in a fresh context with a recording require; returns exports and requests. */
function run(prepared: PreparedModule, modules: Record<string, unknown> = {}, globals: Record<string, unknown> = {}) {
  const context = vm.createContext({ ...globals });
  const requested: string[] = [];
  const fn = vm.runInContext(wrapModuleCode(prepared.code), context) as (...args: unknown[]) => unknown;
  const module = { exports: {} as Record<string, unknown> };
  const require = (specifier: string) => {
    requested.push(specifier);
    if (!(specifier in modules)) throw new Error(`no module ${specifier}`);
    return modules[specifier];
  };
  const returned = fn.call(module.exports, module.exports, require, module, '/m.js', '/');
  return { exports: module.exports, requested, returned, context };
}

/** Whether TypeScript finds any import()/import.meta/import or export declaration in code. */
function hasImportSyntax(code: string): boolean {
  const file = ts.createSourceFile('x.js', code, ts.ScriptTarget.ES2022, false, ts.ScriptKind.JS);
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (
      (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) ||
      (ts.isMetaProperty(node) && node.keywordToken === ts.SyntaxKind.ImportKeyword) ||
      ts.isImportDeclaration(node) ||
      ts.isExportDeclaration(node)
    ) {
      found = true;
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

describe('prepareModule: TypeScript and ES modules to CommonJS', () => {
  it('strips types and keeps values (enums, classes, namespaces)', () => {
    const prepared = ok(
      prepareModule({
        source: 'enum Color { Red, Green }\nexport class P { constructor(public x: number) {} }\nexport const g: Color = Color.Green;\ntype T = { a: string };\nexport function id<T>(v: T): T { return v; }',
        filename: '/src/a.ts',
      }),
    );
    assert.equal(prepared.format, 'module');
    assert.equal(prepared.language, 'ts');
    const { exports } = run(prepared);
    assert.equal(exports.g, 1);
    assert.equal(new (exports.P as new (x: number) => { x: number })(4).x, 4);
    assert.equal((exports.id as (v: number) => number)(7), 7);
  });

  it('turns import/export (default, named, namespace, re-export) into require with interop', () => {
    const prepared = ok(
      prepareModule({
        source: "import def, { named } from './dep';\nimport * as ns from 'cjs';\nexport { named as renamed };\nexport * from './star';\nexport default def + ns.value;",
        filename: 'm.mjs',
      }),
    );
    const { exports, requested } = run(prepared, {
      './dep': { __esModule: true, default: 40, named: 'n' },
      cjs: { value: 2 },
      './star': { __esModule: true, starred: true },
    });
    assert.deepEqual(requested.sort(), ['./dep', './star', 'cjs']);
    assert.equal(exports.default, 42);
    assert.equal(exports.renamed, 'n');
    assert.equal(exports.starred, true);
  });

  it('imports a CommonJS module by default as its module.exports (esModuleInterop)', () => {
    const { exports } = run(ok(prepareModule({ source: "import _ from 'lodash'; export const n = _.n;", filename: 'a.ts' })), { lodash: { n: 5 } });
    assert.equal(exports.n, 5);
  });

  it('compiles `import x = require()` and `export =`', () => {
    const prepared = ok(prepareModule({ source: "import path = require('path');\nexport = path.sep;", filename: 'a.cts' }));
    const { exports, requested } = run(prepared, { path: { sep: '/' } });
    assert.deepEqual(requested, ['path']);
    assert.equal(exports as unknown, '/');
  });

  it('elides type-only imports (no require for them)', () => {
    const { requested } = run(ok(prepareModule({ source: "import type { T } from './types';\nimport { U } from './types2';\nexport const x: T | U | null = null;", filename: 'a.ts' })));
    assert.deepEqual(requested, []);
  });

  it('keeps plain CommonJS as written (line numbers intact), and transforms CommonJS that uses import()', () => {
    const source = '"use strict";\nconst a = require("./a");\n\nmodule.exports = a + 1;\n';
    const prepared = ok(prepareModule({ source, filename: 'x.cjs' }));
    assert.equal(prepared.transformed, false);
    assert.equal(prepared.code, source);
    assert.equal(prepared.format, 'commonjs');
    assert.equal(run(prepared, { './a': 1 }).exports as unknown, 2);
    const dynamic = ok(prepareModule({ source: 'module.exports = () => import("./lazy");', filename: 'x.js' }));
    assert.equal(dynamic.transformed, true);
    assert.equal(dynamic.format, 'commonjs');
  });

  it('blanks a hashbang line', () => {
    const prepared = ok(prepareModule({ source: '#!/usr/bin/env node\nmodule.exports = 1;', filename: 'bin.js' }));
    assert.equal(prepared.code.split('\n')[1], 'module.exports = 1;');
    assert.equal(run(prepared).exports as unknown, 1);
  });
});

describe('prepareModule: import() and import.meta never reach a host loader', () => {
  const cases: Array<[string, string]> = [
    ['a.js', 'module.exports = import("fs");'],
    ['b.mjs', 'export const p = import("node:child_process");'],
    ['c.ts', 'export const load = (name: string) => import(name);'],
    ['d.js', 'const f = async () => (await import(`data:text/javascript,${"x"}`)); module.exports = f;'],
    ['e.cjs', 'module.exports = [import("a"), import(\n"b"\n)];'],
    ['f.jsx', 'export const C = () => <div>{String(import("x"))}</div>;'],
    ['g.js', 'module.exports = { a: import.meta };'],
  ];
  for (const [filename, source] of cases) {
    it(`${filename}: ${source.slice(0, 50)}`, async () => {
      const prepared = ok(prepareModule({ source, filename }));
      assert.equal(hasImportSyntax(prepared.code), false, prepared.code);
    });
  }

  it('calls the module require for import(), asynchronously, with interop', async () => {
    const prepared = ok(prepareModule({ source: 'export const load = (name: string) => import(name);', filename: 'c.ts' }));
    const { exports, requested } = run(prepared, { fs: { readFileSync: 'fake' } });
    const namespace = (await (exports.load as (n: string) => Promise<Record<string, unknown>>)('fs')) as Record<string, unknown>;
    assert.deepEqual(requested, ['fs']);
    assert.equal(namespace.readFileSync, 'fake');
    assert.deepEqual(namespace.default, { readFileSync: 'fake' });
  });

  it('evaluates in a context whose host import() would load node:fs: nothing reaches it', async () => {
    // A context whose dynamic import would resolve to the host's own fs: prepared code must not use it.
    let hostImports = 0;
    const context = vm.createContext({});
    const source = 'module.exports = import("node:fs").then((m) => typeof m.readFileSync);';
    const prepared = ok(prepareModule({ source, filename: 'x.mjs' }));
    const script = new vm.Script(wrapModuleCode(prepared.code), {
      importModuleDynamically: (async () => {
        hostImports++;
        return import('node:fs');
      }) as never,
    });
    const fn = script.runInContext(context) as (...a: unknown[]) => void;
    const module = { exports: {} as unknown };
    fn(module.exports, (name: string) => {
      throw new Error(`denied: ${name}`);
    }, module, 'x.mjs', '/');
    await assert.rejects(module.exports as Promise<unknown>, /denied: node:fs/);
    assert.equal(hostImports, 0);
  });

  it('rewrites import.meta to the module location', () => {
    const prepared = ok(prepareModule({ source: 'export const where = import.meta.url;', filename: 'm.mjs' }));
    const fn = vm.runInNewContext(wrapModuleCode(prepared.code)) as (...a: unknown[]) => void;
    const module = { exports: {} as Record<string, unknown> };
    fn(module.exports, () => ({}), module, '/srv/m.mjs', '/srv');
    assert.equal(module.exports.where, '/srv/m.mjs');
  });
});

describe('wrapModuleCode: the bindings of a module are not readable by code it calls', () => {
  const call = (code: string): Record<string, unknown> => {
    const fn = vm.runInNewContext(wrapModuleCode(code)) as (...a: unknown[]) => void;
    const module = { exports: {} as Record<string, unknown> };
    fn.call(module.exports, module.exports, function require() {}, module, '/srv/m.js', '/srv');
    return module.exports;
  };

  it('sloppy code: `caller.arguments` shows nothing, the bindings still work', () => {
    const exports = call(`function peek() { return Array.prototype.slice.call(peek.caller.arguments); }
exports.seen = peek(); exports.names = [typeof require, typeof module, __filename, __dirname, this === exports];`);
    assert.deepEqual(Array.from(exports.seen as unknown[]), [undefined, undefined, undefined, undefined, undefined]);
    assert.deepEqual(Array.from(exports.names as unknown[]), ['function', 'object', '/srv/m.js', '/srv', true]);
  });

  it('strict code keeps its directive (and V8 hides a strict caller)', () => {
    for (const code of [`'use strict'; exports.strict = (function () { return this; })() === undefined;`, `// header\n/* more */ "use strict";\nexports.strict = (function () { return this; })() === undefined;`]) {
      assert.equal(call(code).strict, true, code);
    }
    assert.equal(call(`exports.strict = (function () { return this; })() === undefined;`).strict, false);
  });
});

describe('prepareModule: JSON, JSX, top-level await, errors', () => {
  it('turns JSON into module.exports data, keeping a "__proto__" key as a plain property', () => {
    const prepared = ok(prepareModule({ source: '\uFEFF{"__proto__": {"polluted": true}, "list": [1, "two", null], "n": -1.5e3}', filename: 'config.json' }));
    assert.equal(prepared.format, 'json');
    const { exports } = run(prepared);
    assert.equal(Object.prototype.hasOwnProperty.call(exports, '__proto__'), true);
    assert.equal((exports as Record<string, unknown>).polluted, undefined);
    assert.deepEqual(JSON.parse(JSON.stringify(exports.list)), [1, 'two', null]);
    assert.equal(exports.n, -1500);
    assert.equal(jsonLiteral({ a: '\u2028' }), '{"a":"\u2028"}');
    const error = failed(prepareModule({ source: '{"a": }', filename: 'bad.json' }));
    assert.equal(error.name, 'SyntaxError');
    assert.match(error.message, /^bad\.json: is not valid JSON/);
  });

  it('compiles JSX with the classic runtime (React.createElement)', () => {
    const prepared = ok(prepareModule({ source: 'export const el = <div id="a">hi {1 + 1}<br /></div>;\nexport const frag = <><b /></>;', filename: 'view.jsx' }));
    const React = { createElement: (type: unknown, props: unknown, ...children: unknown[]) => ({ type, props, children }), Fragment: 'F' };
    const { exports } = run(prepared, {}, { React });
    assert.deepEqual(JSON.parse(JSON.stringify(exports.el)), { type: 'div', props: { id: 'a' }, children: ['hi ', 2, { type: 'br', props: null, children: [] }] });
    assert.equal((exports.frag as { type: unknown }).type, 'F');
    ok(prepareModule({ source: 'const C = (p: { n: number }) => <span>{p.n}</span>; export default C;', filename: 'c.tsx' }));
  });

  it('refuses top-level await in a required module by default, with its position', () => {
    const error = failed(prepareModule({ source: 'const a = 1;\nexport const b = await Promise.resolve(a);', filename: 'tla.mjs' }));
    assert.equal(error.name, 'SyntaxError');
    assert.equal(error.line, 2);
    assert.equal(error.column, 18);
    assert.match(error.message, /^tla\.mjs:2:18: uses top-level await/);
    failed(prepareModule({ source: 'for await (const x of y) {}', filename: 'tla.js' }));
  });

  it('allows top-level await when asked: the body returns a promise, exports complete once it settles', async () => {
    const prepared = ok(prepareModule({ source: "export const before = 1;\nexport const after = await Promise.resolve(2);", filename: 'tla.ts', topLevelAwait: true }));
    assert.equal(prepared.async, true);
    const { exports, returned } = run(prepared);
    assert.equal(exports.before, 1);
    assert.equal(exports.after, undefined);
    await returned;
    assert.equal(exports.after, 2);
  });

  it('returns syntax errors as objects with positions, never throws', () => {
    const js = failed(prepareModule({ source: 'let a = 1;\nlet a = 2;', filename: 'dup.js' }));
    assert.deepEqual({ name: js.name, line: js.line, column: js.column }, { name: 'SyntaxError', line: 2, column: 5 });
    assert.match(js.message, /^dup\.js:2:5: Identifier 'a' has already been declared/);
    const tsError = failed(prepareModule({ source: 'const x: number = ;', filename: 'a.ts' }));
    assert.deepEqual({ name: tsError.name, line: tsError.line }, { name: 'SyntaxError', line: 1 });
    assert.match(tsError.message, /^a\.ts:1:19: Expression expected/);
    failed(prepareModule({ source: 'return }', filename: 'x.js' }));
    failed(prepareModule({ source: '})(); evil(); (function () {', filename: 'breakout.js' }));
    failed(prepareModule({ source: 'import x from "y"; })(); (function () {', filename: 'breakout.mjs' }));
    for (const bad of [undefined, null, 42, { source: 1, filename: 'a.js' }, { source: 'x', filename: 7 }] as unknown[]) {
      const result = prepareModule(bad as never);
      assert.equal(result.ok, false);
      assert.equal(typeof (result as TransformFailure).error.message, 'string');
    }
    assert.equal(transformScript(undefined as never).ok, false);
  });
});

describe('transformScript: the entry of exec/eval', () => {
  it('keeps a classic script as written, so its completion value is the result', () => {
    const script = ok(transformScript({ source: 'var a = 20;\na * 2 + 2', filename: 'entry.js' })) as Extract<PreparedScript, { kind: 'script' }>;
    assert.equal(script.kind, 'script');
    assert.equal(script.transformed, false);
    assert.equal(script.code, 'var a = 20;\na * 2 + 2');
    const context = vm.createContext({});
    assert.equal(vm.runInContext(script.code, context), 42);
    assert.equal(vm.runInContext('a', context), 20, 'top-level var persists in the realm, as r_exec shared __main__');
  });

  it('strips TypeScript from a script and keeps the completion value', () => {
    const script = ok(transformScript({ source: 'const n: number = 6;\ninterface I { a: 1 }\nn * 7', filename: 'entry.ts' }));
    assert.equal(script.kind, 'script');
    assert.equal(vm.runInNewContext(script.code), 42);
  });

  it('routes import() in a script through require', () => {
    const script = ok(transformScript({ source: 'import("x").then((m) => m.default)', filename: 'entry.js' }));
    assert.equal(script.kind, 'script');
    assert.equal(hasImportSyntax(script.code), false);
  });

  it('reads a leading { as an object in expression mode, as a block otherwise', () => {
    const expression = ok(transformScript({ source: '{ a: 1, b: [2] }', filename: 'eval.js', expression: true }));
    assert.deepEqual(JSON.parse(JSON.stringify(vm.runInNewContext(expression.code))), { a: 1, b: [2] });
    const statement = ok(transformScript({ source: '{ a: 1 }', filename: 'eval.js' }));
    assert.equal(vm.runInNewContext(statement.code), 1);
    const block = ok(transformScript({ source: '{ let x = 1; x + 1 }', filename: 'eval.js', expression: true }));
    assert.equal(vm.runInNewContext(block.code), 2);
  });

  it('runs a script with top-level await as an async arrow whose promise yields the last expression', async () => {
    const script = ok(transformScript({ source: 'const r = await Promise.resolve(41);\nr + 1', filename: 'entry.js' }));
    assert.equal(script.kind, 'script');
    assert.equal(script.async, true);
    assert.equal(await vm.runInNewContext(script.code), 42);
    const noValue = ok(transformScript({ source: 'const r = await 1;', filename: 'entry.ts' }));
    assert.equal(await vm.runInNewContext(noValue.code), undefined);
  });

  it('treats an entry with import/export as a module (exports are its value)', async () => {
    const entry = ok(transformScript({ source: "import { x } from './x';\nexport const y = (await x) + 1;", filename: 'entry.ts' }));
    assert.equal(entry.kind, 'module');
    assert.equal(entry.async, true);
    const { exports, returned } = run(entry as PreparedModule, { './x': { x: Promise.resolve(1) } });
    await returned;
    assert.equal(exports.y, 2);
  });

  it('returns a JSON entry as its value, and errors as objects', () => {
    assert.deepEqual(JSON.parse(JSON.stringify(vm.runInNewContext(ok(transformScript({ source: '[1,{"a":2}]', filename: 'x.json' })).code))), [1, { a: 2 }]);
    const error = failed(transformScript({ source: '1 +', filename: 'bad.js' }));
    assert.equal(error.name, 'SyntaxError');
    assert.match(error.message, /^bad\.js/);
  });
});

describe('transform cache', () => {
  it('returns the same frozen result for the same input, and stays bounded', () => {
    clearTransformCache();
    const a = prepareModule({ source: 'export const a = 1;', filename: 'a.ts' });
    const b = prepareModule({ source: 'export const a = 1;', filename: 'a.ts' });
    assert.equal(a, b);
    assert.ok(Object.isFrozen(a));
    const big = `module.exports = "${'x'.repeat(10_000)}";`;
    assert.equal(prepareModule({ source: big, filename: 'big.js' }), prepareModule({ source: big, filename: 'big.js' }));
    for (let i = 0; i < 2100; i++) prepareModule({ source: `module.exports = ${i};`, filename: 'n.js' });
    const stats = transformCacheStats();
    assert.ok(stats.entries <= 2048, `entries ${stats.entries}`);
    clearTransformCache();
    assert.deepEqual(transformCacheStats(), { entries: 0, chars: 0 });
  });

  it('prepares lodash (545 kB of plain CommonJS) without the TypeScript transform', () => {
    const source = readFileSync(repoPath('node_modules', 'lodash', 'lodash.js'), 'utf8');
    const started = performance.now();
    const prepared = ok(prepareModule({ source, filename: '/r/node_modules/lodash/lodash.js' }));
    const took = performance.now() - started;
    assert.equal(prepared.transformed, false);
    assert.ok(took < 2000, `took ${took} ms`);
  });
});

describe('file kinds', () => {
  it('reads the language and module kind from the name or a URL path', () => {
    assert.deepEqual([fileKindOf('a.mts').language, fileKindOf('a.mts').moduleKind], ['ts', 'esm']);
    assert.deepEqual([fileKindOf('https://cdn.example/x.tsx?v=1#a').language, fileKindOf('https://cdn.example/x.tsx?v=1').moduleKind], ['tsx', 'auto']);
    assert.equal(fileKindOf('builtin:node_modules/util/util.js').language, 'js');
    assert.equal(fileKindOf('/no/extension').language, 'js');
    assert.equal(fileKindOf('/a/.hidden').language, 'js');
    assert.equal(fileKindOf('DATA.JSON').language, 'json');
  });
});

describe('syntax scan (the fast path) is never fooled', () => {
  // Each text hides an import(), an export, JSX or top-level await behind something a naive lexer
  // misreads. The scan may call it "not plain" for any reason, but never "plain".
  const tricky: Array<[string, string]> = [
    ['regex with a quote after an if header', "if (a) /'/.test(x); import('fs') //'"],
    ['regex with a quote after for await', "async function f(y) { for await (const x of y) /'/.test(x); import('fs') //' }"],
    ['regex after }', "function f() {}\n/'/.test(x); import('fs') //'"],
    ['regex after prefix ++', "++/'/.lastIndex; import('fs') //'"],
    ['regex after ++ on a new line (ASI)', "a\n++/'/.lastIndex; import('fs') //'"],
    ['division after postfix ++ reads on', "a++ / 2; import('fs')"],
    ['line comment ended by U+2028', "// comment\u2028import('fs')"],
    ['line comment ended by U+2029', "// comment\u2029export default 1"],
    ['a Unicode space before import', "x;\u3000import('fs')"],
    ['a BOM-like space', "x;\uFEFFimport('fs')"],
    ['import inside a template substitution', 'const s = `${import("fs")}`'],
    ['nested templates', 'const s = `a${`b${import("fs")}`}`'],
    ['template after a regex class with a slash', 'const r = /[/`]/; import("fs"); //`'],
    ['HTML open comment', "x = 1 <!-- import('fs')\nimport('fs')"],
    ['HTML close comment', "-->import('fs')"],
    ['escaped identifier', "\\u0061 = 1; import('fs')"],
    ['import.meta with a comment', 'import/**/.meta'],
    ['JSX after return', 'function f() { return <div /> }'],
    ['JSX after an arrow', 'const f = () => <b>{x}</b>'],
    ['JSX after (', 'render(<App />)'],
    ['top-level await in an arrow body', 'const f = async () => await 1; await f()'],
    ['top-level for await', 'for await (const x of y) {}'],
    ['await in a template at top level', 'const s = `${await x}`'],
    ['of as an identifier, postfix', "var of = 1; of++ /'/.lastIndex; import('fs') //'"],
    ['yield as an identifier', "var yield_ = 1; yield /'/; import('fs') //'"],
    ['export after a string with an escaped quote', "const s = 'it\\'s'; export const x = 1"],
    ['a string continued over a line', "const s = 'a\\\nb'; import('fs')"],
    ['division in a number-like position', "x = 1. / 2; import('fs')"],
    ['regex after a keyword', "return /'/; import('fs') //'"],
    ['regex after typeof', "typeof /'/; import('fs') //'"],
    ['import() after a spread', "f(...import('fs'))"],
    ['import() after a hex literal ending in e', "x = 0xe+import('fs')"],
    ['import() after a hex literal ending in E', "x = 0XE-import('fs')"],
    ['import() after a decimal number', "x = 1.5\nimport('fs')"],
  ];
  for (const [name, source] of tricky) {
    it(name, () => {
      const scan = scanSyntax(source);
      assert.equal(scan.plain, false, `called plain: ${JSON.stringify(source)}`);
    });
  }

  it('calls ordinary CommonJS plain (divisions, regexes, comparisons, templates, braces)', () => {
    const plain = [
      'var a = b / c / d; var r = /x\\/y[/]/g; if (a < b && c > d) {}',
      'module.exports = function (x) { return x.map((y) => y / 2).filter((z) => /\\d/.test(String(z))); };',
      'const s = `a${b + `c${d}`}e`; const o = { "import": 1, export_: 2 }; o.import;',
      'for (var i = 0; i < n; i++) { total += i / 2; }',
      'x = a++ / 2 + b-- / 3;',
      'async function f() { await g(); for await (const x of y) {} }',
      'label: for (;;) { break label; }\n/* import("fs") in a comment */\n// export default 1',
      'var s = "import(\\"fs\\")"; var t = \'export\';',
      'if (x) /re/.test(y); while (z) /re/g.exec(w);',
    ];
    for (const source of plain) assert.equal(scanSyntax(source).plain, true, source);
  });

  it('agrees with TypeScript on every file it calls plain, across the installed packages', () => {
    // The scan may answer "not plain" too often (that only costs a transform), never the reverse.
    const roots = ['lodash', 'date-fns', 'assert', 'util', 'buffer', 'url', 'qs', 'events', 'get-intrinsic', 'object-inspect', 'fastify', 'commander', 'semver', 'picomatch', 'ignore'];
    let checked = 0;
    let plain = 0;
    const started = performance.now();
    let root = '';
    let seen = 0;
    const visit = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) {
          if (!['locale', 'fp', 'test', '_lib', 'docs', 'types'].includes(entry.name)) visit(path);
          continue;
        }
        if (!/\.c?js$/.test(entry.name) || statSync(path).size > 600_000 || (root === 'date-fns' && entry.name.endsWith('.js'))) continue;
        // Every third file: the packages repeat their shapes, and the suite must stay fast.
        if (seen++ % 3 !== 0) continue;
        const source = readFileSync(path, 'utf8').replace(/^#!/, '//');
        checked++;
        if (!scanSyntax(source).plain) continue;
        plain++;
        const file = ts.createSourceFile(entry.name, source, ts.ScriptTarget.ES2022, false, ts.ScriptKind.JS);
        if ((file as unknown as { parseDiagnostics: unknown[] }).parseDiagnostics.length > 0) continue;
        assert.equal(findModuleSyntax(file), null, `${path} was called plain`);
      }
    };
    for (root of roots) visit(repoPath('node_modules', root));
    assert.ok(checked > 300, `checked ${checked}`);
    assert.ok(plain > checked * 0.5, `plain ${plain} of ${checked}`);
    assert.ok(performance.now() - started < 60_000);
  });
});

/** What a parser finds that the fast path must not miss: import/export, import(), import.meta, JSX, top-level await. */
function findModuleSyntax(file: ts.SourceFile): string | null {
  let found: string | null = null;
  const visit = (node: ts.Node, depth: number): void => {
    if (found !== null) return;
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node) || ts.isExportAssignment(node) || ts.isImportEqualsDeclaration(node)) found = 'declaration';
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) found = 'import()';
    else if (ts.isMetaProperty(node) && node.keywordToken === ts.SyntaxKind.ImportKeyword) found = 'import.meta';
    else if (ts.isJsxElement(node) || ts.isJsxSelfClosingElement(node) || ts.isJsxFragment(node)) found = 'jsx';
    else if (depth === 0 && (ts.isAwaitExpression(node) || (ts.isForOfStatement(node) && node.awaitModifier !== undefined))) found = 'top-level await';
    else if (ts.canHaveModifiers(node) && ts.getModifiers(node)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) found = 'export modifier';
    if (found !== null) return;
    const inner = ts.isFunctionLike(node) ? depth + 1 : depth;
    ts.forEachChild(node, (child) => visit(child, inner));
  };
  visit(file, 0);
  return found;
}
