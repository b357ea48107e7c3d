// Turns module and script text (JavaScript, TypeScript, JSX, JSON; ES modules or CommonJS) into code the
// realm evaluates: one CommonJS function body per module, or a classic script for the entry of
// exec/eval. ES module syntax and TypeScript go through `typescript`'s transpileModule (module CommonJS)
// in one step, so `import()` becomes a call through the module's own `require` and nothing can reach a
// host `import()`; plain CommonJS and scripts, proved plain by a conservative scan, are left as written.
// Never throws: a syntax error (or anything unexpected) comes back as `{ ok: false, error }`.
import { createHash } from 'node:crypto';
import vm from 'node:vm';
import { createRequire } from 'node:module';
import type TS from 'typescript';
import { scanSyntax } from './syntax-scan.js';

/** The parameters of the function a module body is evaluated in, in order. */
export const MODULE_WRAPPER_PARAMS = ['exports', 'require', 'module', '__filename', '__dirname'] as const;

/** What the module was written as: CommonJS (or a plain script), an ES module, or JSON. */
export type ModuleFormat = 'commonjs' | 'module' | 'json';

/** The source language, from the file name. */
export type SourceLanguage = 'js' | 'jsx' | 'ts' | 'tsx' | 'json';

export interface PreparedModule {
  ok: true;
  /**
   * A function body: evaluate `wrapModuleCode(code)` in the realm, call the function it yields with
   * `(exports, require, module, __filename, __dirname)`.
   */
  code: string;
  format: ModuleFormat;
  language: SourceLanguage;
  /**
   * True when the body has top-level await: the call returns a promise, and `module.exports` is complete
   * only once it settles (await it inside the realm). Only when `topLevelAwait` was allowed.
   */
  async: boolean;
  /** False when the text was proved plain and is evaluated exactly as written (line numbers intact). */
  transformed: boolean;
  sourceMapless: true;
}

/** The entry script of exec/eval. */
export type PreparedScript =
  | {
      ok: true;
      /**
       * `script`: evaluate `code` as a classic script (an indirect eval in the realm); its completion value
       * is the result. When `async` is true the code is an async arrow called at once, so the completion
       * value is a promise of the last expression statement's value: await it inside the realm.
       */
      kind: 'script';
      code: string;
      language: SourceLanguage;
      async: boolean;
      transformed: boolean;
      sourceMapless: true;
    }
  | (PreparedModule & {
      /** `module`: the entry has import/export; evaluate it as a module body (see PreparedModule). */
      kind: 'module';
    });

export interface TransformError {
  /** `SyntaxError` for text that does not parse; `TransformError` for anything else. */
  name: 'SyntaxError' | 'TransformError';
  /** `<filename>:<line>:<column>: <what>`, ready to show. */
  message: string;
  filename: string;
  /** 1-based, when known. */
  line?: number;
  column?: number;
}

export interface TransformFailure {
  ok: false;
  error: TransformError;
}

export interface PrepareModuleInput {
  source: string;
  /** Decides the language and format by extension (`.ts`, `.mjs`, `.cjs`, `.json`...); a URL's query is ignored. */
  filename: string;
  /**
   * Allow top-level await (default false): a module that `require` (synchronous) loads must finish
   * synchronously, so by default top-level await is a clear error, as Node's ERR_REQUIRE_ASYNC_MODULE.
   */
  topLevelAwait?: boolean;
}

export interface TransformScriptInput {
  source: string;
  filename: string;
  /**
   * The text is an expression (eval): a text that starts with `{` is read as an object literal when it
   * parses as one, as Node's REPL does.
   */
  expression?: boolean;
}

/** Wraps a module body in the function expression the realm evaluates (first line kept in place). */
export function wrapModuleCode(code: string): string {
  if (mayOpenWithDirective(code)) return `(function (${MODULE_WRAPPER_PARAMS.join(', ')}) {${code}\n})`;
  // A sloppy function's parameters can be read by any code it calls (`caller.arguments`): a guest
  // getter a granted package read while loading took that package's `require` (and `module`), and with
  // it the package's grant, trust and hooks. In sloppy code the bindings are copied into variables and
  // the parameters cleared before the body runs (`arguments` then shows undefined); strict code, which
  // starts with its directive, hides its arguments itself. Both wrappers take the same five arguments.
  const params = MODULE_WRAPPER_PARAMS.map((_name, i) => `${MODULE_PARAM_PREFIX}${i}`);
  const vars = MODULE_WRAPPER_PARAMS.map((name, i) => `${name} = ${params[i]}`).join(', ');
  return `(function (${params.join(', ')}) {var ${vars}; ${params.join(' = ')} = undefined;${code}\n})`;
}

/** Names of a sloppy module wrapper's parameters (cleared before the module's code runs). */
const MODULE_PARAM_PREFIX = '__airlock_module_';

/**
 * Whether a module text may open with a directive prologue (its first token, after whitespace and
 * comments, is a string): it may be strict, and a statement before it would make it sloppy. Unsure
 * answers are yes.
 */
function mayOpenWithDirective(code: string): boolean {
  const n = code.length;
  let i = 0;
  while (i < n) {
    const c = code.charCodeAt(i);
    if (c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0xfeff || c === 0x2028 || c === 0x2029) {
      i++;
      continue;
    }
    if (c === 47 && code.charCodeAt(i + 1) === 47) {
      i += 2;
      while (i < n) {
        const d = code.charCodeAt(i);
        if (d === 10 || d === 13 || d === 0x2028 || d === 0x2029) break;
        i++;
      }
      continue;
    }
    if (c === 47 && code.charCodeAt(i + 1) === 42) {
      const end = code.indexOf('*/', i + 2);
      if (end < 0) return true;
      i = end + 2;
      continue;
    }
    if (c > 127 || c === 60 || c === 45) return true;
    return c === 39 || c === 34;
  }
  return false;
}

/** Prepares a module's text for evaluation as a CommonJS function body. Never throws. */
export function prepareModule(input: PrepareModuleInput): PreparedModule | TransformFailure {
  const filename = typeof input?.filename === 'string' ? input.filename : '<unknown>';
  try {
    if (typeof input?.source !== 'string' || typeof input.filename !== 'string') return failure('TransformError', filename, 'needs { source, filename } as strings');
    const topLevelAwait = input.topLevelAwait === true;
    const key = cacheKey(topLevelAwait ? 'M' : 'm', filename, input.source);
    const cached = cache.get(key);
    if (cached !== undefined) return cached as PreparedModule | TransformFailure;
    const result = freeze(prepareModuleUncached(input.source, filename, topLevelAwait));
    cache.set(key, result, input.source.length + (result.ok ? result.code.length : 0));
    return result;
  } catch (error) {
    return failure('TransformError', filename, `could not be prepared (${describe(error)})`);
  }
}

/** Prepares the entry script of exec/eval: a classic script keeps its completion value. Never throws. */
export function transformScript(input: TransformScriptInput): PreparedScript | TransformFailure {
  const filename = typeof input?.filename === 'string' ? input.filename : '<unknown>';
  try {
    if (typeof input?.source !== 'string' || typeof input.filename !== 'string') return failure('TransformError', filename, 'needs { source, filename } as strings');
    const key = cacheKey(input.expression === true ? 'E' : 's', filename, input.source);
    const cached = cache.get(key);
    if (cached !== undefined) return cached as PreparedScript | TransformFailure;
    const result = freeze(transformScriptUncached(input.source, filename, input.expression === true));
    cache.set(key, result, input.source.length + (result.ok ? result.code.length : 0));
    return result;
  } catch (error) {
    return failure('TransformError', filename, `could not be prepared (${describe(error)})`);
  }
}

/** Empties the transform cache (tests, memory pressure). */
export function clearTransformCache(): void {
  cache.clear();
}

/** Entries and characters held by the transform cache. */
export function transformCacheStats(): { entries: number; chars: number } {
  return { entries: cache.size, chars: cache.chars };
}

// ---------------------------------------------------------------------------------------------------

interface FileKind {
  language: SourceLanguage;
  /** `esm`: always a module (.mjs/.mts); `cjs`: CommonJS (.cjs/.cts); `auto`: by syntax. */
  moduleKind: 'esm' | 'cjs' | 'auto';
  /** The file name TypeScript sees (it picks TS/JSX parsing by extension). */
  tsFileName: string;
}

const KIND_BY_EXTENSION: Readonly<Record<string, Omit<FileKind, 'tsFileName'>>> = {
  '.js': { language: 'js', moduleKind: 'auto' },
  '.cjs': { language: 'js', moduleKind: 'cjs' },
  '.mjs': { language: 'js', moduleKind: 'esm' },
  '.jsx': { language: 'jsx', moduleKind: 'auto' },
  '.ts': { language: 'ts', moduleKind: 'auto' },
  '.cts': { language: 'ts', moduleKind: 'cjs' },
  '.mts': { language: 'ts', moduleKind: 'esm' },
  '.tsx': { language: 'tsx', moduleKind: 'auto' },
  '.json': { language: 'json', moduleKind: 'cjs' },
};

const TS_FILE_NAME: Readonly<Record<SourceLanguage, string>> = { js: 'module.js', jsx: 'module.jsx', ts: 'module.ts', tsx: 'module.tsx', json: 'module.json' };

/** The language and module kind of a file name or URL (query and fragment ignored; `.d.ts` is TypeScript). */
export function fileKindOf(filename: string): FileKind {
  let path = filename;
  if (/^[a-zA-Z][a-zA-Z\d+.-]*:\/\//.test(path)) path = path.replace(/[?#].*$/s, '');
  const base = path.slice(path.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  const extension = dot > 0 ? base.slice(dot).toLowerCase() : '';
  const kind = KIND_BY_EXTENSION[extension] ?? { language: 'js', moduleKind: 'auto' };
  // TypeScript emits .mjs/.mts (and .cjs/.cts) in their own module format whatever `module` says, so it
  // sees a plain .js/.ts name; the module kind is passed on separately (moduleDetection).
  return { ...kind, tsFileName: TS_FILE_NAME[kind.language] };
}

function prepareModuleUncached(source: string, filename: string, topLevelAwait: boolean): PreparedModule | TransformFailure {
  const kind = fileKindOf(filename);
  if (kind.language === 'json') return prepareJson(source, filename);
  const text = blankHashbang(source);
  if (kind.language === 'js' && kind.moduleKind !== 'esm' && scanSyntax(text).plain) {
    const syntax = checkSyntax(text, filename, 'function', true);
    if (syntax !== null) return syntax;
    return { ok: true, code: text, format: 'commonjs', language: 'js', async: false, transformed: false, sourceMapless: true };
  }
  const emitted = transpile(text, filename, kind, false);
  if (!emitted.ok) return emitted;
  if (emitted.topLevelAwait && !topLevelAwait) {
    return failure(
      'SyntaxError',
      filename,
      'uses top-level await, which a module loaded by require or import cannot (it must finish before require returns); move the awaited work into a function, or into the entry script',
      emitted.topLevelAwaitAt,
    );
  }
  const format: ModuleFormat = emitted.isModule ? 'module' : 'commonjs';
  const code = emitted.topLevelAwait ? `return (async () => {${emitted.code}\n})();` : emitted.code;
  const syntax = checkSyntax(code, filename, 'function', false);
  if (syntax !== null) return syntax;
  return { ok: true, code, format, language: kind.language, async: emitted.topLevelAwait, transformed: true, sourceMapless: true };
}

function transformScriptUncached(source: string, filename: string, expression: boolean): PreparedScript | TransformFailure {
  const kind = fileKindOf(filename);
  if (kind.language === 'json') {
    const json = prepareJson(source, filename);
    if (!json.ok) return json;
    return { ok: true, kind: 'script', code: `(${jsonLiteral(JSON.parse(source.replace(/^\uFEFF/, '')))})`, language: 'json', async: false, transformed: true, sourceMapless: true };
  }
  const text = blankHashbang(source);
  if (expression && /^\s*\{/.test(text) && !/;\s*$/.test(text)) {
    // As Node's REPL: `{ a: 1 }` is an object, not a block, when it parses as an expression.
    const wrapped = `(${text}\n)`;
    if (kind.language !== 'ts' && kind.language !== 'tsx' && scanSyntax(wrapped).plain && checkSyntax(wrapped, filename, 'script', true) === null) {
      return { ok: true, kind: 'script', code: wrapped, language: kind.language, async: false, transformed: true, sourceMapless: true };
    }
  }
  if (kind.language === 'js' && kind.moduleKind !== 'esm' && scanSyntax(text).plain) {
    const syntax = checkSyntax(text, filename, 'script', true);
    if (syntax !== null) return syntax;
    return { ok: true, kind: 'script', code: text, language: 'js', async: false, transformed: false, sourceMapless: true };
  }
  const emitted = transpile(text, filename, kind, true);
  if (!emitted.ok) return emitted;
  if (emitted.isModule) {
    const code = emitted.topLevelAwait ? `return (async () => {${emitted.code}\n})();` : emitted.code;
    const syntax = checkSyntax(code, filename, 'function', false);
    if (syntax !== null) return syntax;
    return { ok: true, kind: 'module', code, format: 'module', language: kind.language, async: emitted.topLevelAwait, transformed: true, sourceMapless: true };
  }
  const code = emitted.topLevelAwait ? `(async () => {${emitted.code}\n})()` : emitted.code;
  const syntax = checkSyntax(code, filename, 'script', false);
  if (syntax !== null) return syntax;
  return { ok: true, kind: 'script', code, language: kind.language, async: emitted.topLevelAwait, transformed: true, sourceMapless: true };
}

// --- JSON -------------------------------------------------------------------------------------------

function prepareJson(source: string, filename: string): PreparedModule | TransformFailure {
  let value: unknown;
  try {
    value = JSON.parse(source.replace(/^\uFEFF/, ''));
  } catch (error) {
    return failure('SyntaxError', filename, `is not valid JSON (${describe(error)})`);
  }
  return { ok: true, code: `module.exports = ${jsonLiteral(value)};`, format: 'json', language: 'json', async: false, transformed: true, sourceMapless: true };
}

/**
 * A JavaScript literal for a parsed JSON value. Not JSON.stringify alone: in an object literal a
 * `"__proto__": ...` member sets the prototype instead of making a property, so it becomes a computed key.
 */
export function jsonLiteral(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(jsonLiteral).join(',')}]`;
  const members: string[] = [];
  for (const [key, item] of Object.entries(value)) {
    const name = key === '__proto__' ? '["__proto__"]' : JSON.stringify(key);
    members.push(`${name}:${jsonLiteral(item)}`);
  }
  return `{${members.join(',')}}`;
}

// --- TypeScript -------------------------------------------------------------------------------------

interface Emitted {
  ok: true;
  code: string;
  isModule: boolean;
  topLevelAwait: boolean;
  topLevelAwaitAt?: { line: number; column: number };
}

const requireHere = createRequire(import.meta.url);
let loadedCompiler: typeof TS | null = null;
/** TypeScript's compiler (9 MB, over a second to load), loaded on first use: plain JavaScript never pays for it. */
function typescript(): typeof TS {
  return (loadedCompiler ??= requireHere('typescript') as typeof TS);
}

let compilerOptions: { base: TS.CompilerOptions; forceModule: TS.CompilerOptions } | null = null;
function compilerOptionsOf(ts: typeof TS): { base: TS.CompilerOptions; forceModule: TS.CompilerOptions } {
  if (compilerOptions !== null) return compilerOptions;
  const base: TS.CompilerOptions = {
    module: ts.ModuleKind.CommonJS,
    target: ts.ScriptTarget.ES2022,
    jsx: ts.JsxEmit.React,
    esModuleInterop: true,
    removeComments: false,
    newLine: ts.NewLineKind.LineFeed,
    sourceMap: false,
    inlineSourceMap: false,
    importHelpers: false,
    noEmitHelpers: false,
    experimentalDecorators: false,
  };
  compilerOptions = { base, forceModule: { ...base, moduleDetection: ts.ModuleDetectionKind.Force } };
  return compilerOptions;
}

function transpile(text: string, filename: string, kind: FileKind, scriptCompletion: boolean): Emitted | TransformFailure {
  const facts = { isModule: false, topLevelAwait: false, topLevelAwaitAt: undefined as { line: number; column: number } | undefined, leftover: '' };
  const mentionsImport = text.includes('import');
  const ts = typescript();
  const options = compilerOptionsOf(ts);
  const before: TS.TransformerFactory<TS.SourceFile> = (context) => (file) => {
    facts.isModule = ts.isExternalModule(file);
    if (text.includes('await')) {
      const found = findTopLevelAwait(file);
      if (found !== null) {
        facts.topLevelAwait = true;
        const position = file.getLineAndCharacterOfPosition(found.getStart(file));
        facts.topLevelAwaitAt = { line: position.line + 1, column: position.character + 1 };
      }
    }
    let out = file;
    if (mentionsImport && text.includes('meta')) out = rewriteImportMeta(out, context);
    if (scriptCompletion && facts.topLevelAwait && !facts.isModule) out = returnLastExpression(out, context.factory);
    return out;
  };
  const after: TS.TransformerFactory<TS.SourceFile> = () => (file) => {
    if (mentionsImport) facts.leftover = findImportSyntax(file);
    return file;
  };
  const output = ts.transpileModule(text, {
    compilerOptions: kind.moduleKind === 'esm' ? options.forceModule : options.base,
    fileName: kind.tsFileName,
    reportDiagnostics: true,
    transformers: { before: [before], after: [after] },
  });
  const diagnostic = output.diagnostics?.find((d) => d.category === ts.DiagnosticCategory.Error);
  if (diagnostic !== undefined) {
    let at: { line: number; column: number } | undefined;
    if (diagnostic.file !== undefined && diagnostic.start !== undefined) {
      const position = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
      at = { line: position.line + 1, column: position.character + 1 };
    }
    return failure('SyntaxError', filename, ts.flattenDiagnosticMessageText(diagnostic.messageText, ' '), at);
  }
  if (facts.leftover !== '') {
    // Fail closed: the CommonJS transform must have turned every import() into require.
    return failure('TransformError', filename, `kept ${facts.leftover} after the CommonJS transform; refusing to run it`);
  }
  return { ok: true, code: output.outputText.replace(/\n$/, ''), isModule: facts.isModule, topLevelAwait: facts.topLevelAwait, topLevelAwaitAt: facts.topLevelAwaitAt };
}

/** The first `await` (or `for await`) outside any function, or null. */
function findTopLevelAwait(file: TS.SourceFile): TS.Node | null {
  const ts = typescript();
  let found: TS.Node | null = null;
  const visit = (node: TS.Node): void => {
    if (found !== null) return;
    if (ts.isAwaitExpression(node) || (ts.isForOfStatement(node) && node.awaitModifier !== undefined)) {
      found = node;
      return;
    }
    if (ts.isFunctionLike(node) || ts.isClassStaticBlockDeclaration(node)) return;
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(file, visit);
  return found;
}

/** `import.meta` → `({ url: __filename, filename: __filename, dirname: __dirname })` (CommonJS has no import.meta). */
function rewriteImportMeta(file: TS.SourceFile, context: TS.TransformationContext): TS.SourceFile {
  const ts = typescript();
  const f = context.factory;
  const visit = (node: TS.Node): TS.Node => {
    if (ts.isMetaProperty(node) && node.keywordToken === ts.SyntaxKind.ImportKeyword) {
      return f.createParenthesizedExpression(
        f.createObjectLiteralExpression([
          f.createPropertyAssignment('url', f.createIdentifier('__filename')),
          f.createPropertyAssignment('filename', f.createIdentifier('__filename')),
          f.createPropertyAssignment('dirname', f.createIdentifier('__dirname')),
        ]),
      );
    }
    return ts.visitEachChild(node, visit, context);
  };
  return ts.visitEachChild(file, visit, context);
}

/** For an async script: the last expression statement becomes `return <expression>;`. */
function returnLastExpression(file: TS.SourceFile, f: TS.NodeFactory): TS.SourceFile {
  const ts = typescript();
  const statements = [...file.statements];
  const last = statements[statements.length - 1];
  if (last === undefined || !ts.isExpressionStatement(last)) return file;
  statements[statements.length - 1] = f.createReturnStatement(last.expression);
  return f.updateSourceFile(file, statements);
}

/** Describes an `import(...)` or `import.meta` still present in emitted code ('' when none). */
function findImportSyntax(file: TS.SourceFile): string {
  const ts = typescript();
  let found = '';
  const visit = (node: TS.Node): void => {
    if (found !== '') return;
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      found = 'a dynamic import()';
      return;
    }
    if (ts.isMetaProperty(node) && node.keywordToken === ts.SyntaxKind.ImportKeyword) {
      found = 'import.meta';
      return;
    }
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) {
      found = 'an import/export declaration';
      return;
    }
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(file, visit);
  return found;
}

// --- helpers ----------------------------------------------------------------------------------------

/** `#!...` on the first line becomes a comment of the same length (Node strips it from CommonJS). */
function blankHashbang(source: string): string {
  return source.startsWith('#!') ? `//${source.slice(2)}` : source;
}

/**
 * Compiles (never runs) the result with V8, so text V8 rejects comes back as an error object here
 * rather than as an exception at evaluation. `exact` means the code is the source as written, so
 * V8's line and column are the source's.
 */
function checkSyntax(code: string, filename: string, as: 'function' | 'script', exact: boolean): TransformFailure | null {
  try {
    if (as === 'function') vm.compileFunction(code, [...MODULE_WRAPPER_PARAMS], { filename: 'airlock-syntax-check' });
    else new vm.Script(code, { filename: 'airlock-syntax-check' });
    return null;
  } catch (error) {
    return failure('SyntaxError', filename, describe(error), exact ? syntaxErrorPosition(error) : undefined);
  }
}

/** Line and column of a V8 SyntaxError from its stack header (`file:LINE`, the line, a caret line). */
function syntaxErrorPosition(error: unknown): { line: number; column: number } | undefined {
  const stack = String((error as Error | null)?.stack ?? '');
  const match = /^airlock-syntax-check:(\d+)\n[^\n]*\n( *)\^/.exec(stack);
  if (match === null) return undefined;
  return { line: Number(match[1]), column: match[2]!.length + 1 };
}

function failure(name: TransformError['name'], filename: string, what: string, at?: { line: number; column: number }): TransformFailure {
  const where = at === undefined ? filename : `${filename}:${at.line}:${at.column}`;
  const error: TransformError = { name, message: `${where}: ${what}`, filename };
  if (at !== undefined) {
    error.line = at.line;
    error.column = at.column;
  }
  return { ok: false, error };
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string') return (error as { message: string }).message;
  return String(error);
}

function freeze<T extends object>(value: T): T {
  if ('error' in value && typeof value.error === 'object' && value.error !== null) Object.freeze(value.error);
  return Object.freeze(value);
}

// --- cache ------------------------------------------------------------------------------------------

/** Sources up to this size are their own cache key; longer ones are keyed by their SHA-256. */
const INLINE_KEY_CHARS = 2048;

function cacheKey(mode: string, filename: string, source: string): string {
  const body = source.length <= INLINE_KEY_CHARS ? `=${source}` : `#${createHash('sha256').update(source).digest('base64')}`;
  return `${mode}\0${filename}\0${body}`;
}

/** A least-recently-used map bounded by entry count and by total characters. */
class BoundedLru<V> {
  readonly #map = new Map<string, { value: V; chars: number }>();
  #chars = 0;
  constructor(
    readonly maxEntries: number,
    readonly maxChars: number,
  ) {}
  get size(): number {
    return this.#map.size;
  }
  get chars(): number {
    return this.#chars;
  }
  get(key: string): V | undefined {
    const entry = this.#map.get(key);
    if (entry === undefined) return undefined;
    this.#map.delete(key);
    this.#map.set(key, entry);
    return entry.value;
  }
  set(key: string, value: V, chars: number): void {
    const weight = chars + key.length;
    if (weight > this.maxChars) return;
    const old = this.#map.get(key);
    if (old !== undefined) {
      this.#chars -= old.chars;
      this.#map.delete(key);
    }
    this.#map.set(key, { value, chars: weight });
    this.#chars += weight;
    while (this.#map.size > this.maxEntries || this.#chars > this.maxChars) {
      const oldest = this.#map.keys().next().value as string;
      this.#chars -= this.#map.get(oldest)!.chars;
      this.#map.delete(oldest);
    }
  }
  clear(): void {
    this.#map.clear();
    this.#chars = 0;
  }
}

const cache = new BoundedLru<object>(2048, 64 * 1024 * 1024);
