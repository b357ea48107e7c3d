// Shared helpers of the code-execution and module-loading rules: what a module specifier is (a
// package, a built-in, a path, a URL), whether a policy list grants it, how to fold a specifier
// that is built from constants and the module's own location (`__dirname`, `path.join`,
// `new URL(..., import.meta.url)`), and which calls load a module (`require` in all its
// spellings, `Module._load`, `import()`). Files starting with `_` are helpers, not rules.
import type { Node } from '@babel/types';
import type { RuleContext } from '../analyzer/rule-api.js';
import { unwrap } from '../analyzer/evaluate.js';

/** Drops the `node:` scheme of built-in modules: `node:fs` and `fs` are one module. */
export function normalizeModule(specifier: string): string {
  return specifier.startsWith('node:') ? specifier.slice(5) : specifier;
}

/** True for specifiers that name a file (relative, absolute, `file:`), which the hooks resolve. */
export function isPathSpecifier(specifier: string): boolean {
  if (specifier === '.' || specifier === '..') return true;
  if (specifier.startsWith('./') || specifier.startsWith('../') || specifier.startsWith('/')) return true;
  if (specifier.startsWith('.\\') || specifier.startsWith('..\\') || specifier.startsWith('\\')) return true;
  if (/^[a-zA-Z]:[\\/]/.test(specifier)) return true;
  return /^file:/i.test(specifier);
}

/** The URL scheme of a specifier (`data`, `http`, `blob`...), lower-cased; null for bare names. */
export function urlScheme(specifier: string): string | null {
  const match = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(specifier.trimStart());
  if (match === null) return null;
  const scheme = match[1]!.toLowerCase();
  // A one-letter "scheme" is a Windows drive.
  return scheme.length === 1 ? null : scheme;
}

/** Schemes whose module text does not come from the local tree. */
export const REMOTE_OR_INLINE_SCHEMES: ReadonlySet<string> = new Set(['data', 'blob', 'http', 'https']);

/**
 * True when `specifier` is granted by one of `entries`: an exact name (`lodash`), a sub-path
 * pattern (`date-fns/*` grants `date-fns/format` but not `date-fns` itself), or `*` (everything).
 * `node:` prefixes are ignored on both sides.
 */
export function moduleListed(specifier: string, entries: readonly unknown[]): boolean {
  const name = normalizeModule(specifier);
  for (const raw of entries) {
    if (typeof raw !== 'string' || raw.length === 0) continue;
    const entry = normalizeModule(raw);
    if (entry === '*' || entry === name) return true;
    if (entry.endsWith('/*') && name.startsWith(entry.slice(0, -1)) && name.length > entry.length - 1) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Folding specifiers and paths

/** Stand-ins for the module's own location: constant for one file, unknown to the evaluator. */
const OWN_DIR = '__airlock_own_dir__';
const DIRNAME = `/${OWN_DIR}`;
const FILENAME = `/${OWN_DIR}/__airlock_own_file__`;
const FILE_URL = `file://${FILENAME}`;

/** True when a folded path or URL is under the analysed file's own folder (`__dirname`, `import.meta.url`). */
export function isOwnLocation(value: string): boolean {
  return value.includes(OWN_DIR);
}

const PATH_JOINERS: ReadonlySet<string> = new Set([
  'module:path.join',
  'module:path.resolve',
  'module:path.posix.join',
  'module:path.posix.resolve',
  'module:path.win32.join',
  'module:path.win32.resolve',
]);
const PATH_UNARY: ReadonlySet<string> = new Set([
  'module:path.normalize',
  'module:path.dirname',
  'module:path.posix.normalize',
  'module:path.posix.dirname',
  'module:url.fileURLToPath',
]);

const MAX_DEPTH = 12;
const MAX_VALUES = 16;

/**
 * The strings a module specifier or file path may be, folding constants and the file's own
 * location (`__dirname`, `__filename`, `import.meta.url`, `import.meta.dirname`), `path.join` /
 * `path.resolve` / `path.dirname` of those, `new URL(c, import.meta.url)` and its `href` /
 * `pathname`, `fileURLToPath(...)` and `require.resolve(c)`. Null when any part is unknown.
 */
export function staticSpecifier(context: RuleContext, node: Node): string[] | null {
  return foldPath(context, node, 0);
}

function foldPath(context: RuleContext, raw: Node, depth: number): string[] | null {
  if (depth > MAX_DEPTH) return null;
  const node = unwrap(raw);
  const folded = context.foldStrings(node);
  if (folded !== null) return folded;
  switch (node.type) {
    case 'Identifier': {
      if (context.isGlobalRef(node, '__dirname')) return [DIRNAME];
      if (context.isGlobalRef(node, '__filename')) return [FILENAME];
      const binding = context.resolve(node);
      if (!binding || binding.init === null || binding.path.length > 0 || binding.assignments.length > 0) return null;
      if (binding.kind !== 'const' && binding.kind !== 'let' && binding.kind !== 'var') return null;
      return foldPath(context, binding.init, depth + 1);
    }
    case 'MemberExpression':
    case 'OptionalMemberExpression': {
      const keys = context.memberKeys(node);
      if (keys === null || keys.length !== 1) return null;
      const key = keys[0]!;
      const object = unwrap(node.object);
      if (object.type === 'MetaProperty' && object.meta.name === 'import') {
        if (key === 'url') return [FILE_URL];
        if (key === 'dirname') return [DIRNAME];
        if (key === 'filename') return [FILENAME];
        return null;
      }
      if (key === 'href' || key === 'pathname' || key === 'toString') {
        const url = urlConstruction(context, object, depth);
        if (url === null) return null;
        return key === 'pathname' ? url.map((u) => u.replace(/^file:\/\//, '')) : url;
      }
      return null;
    }
    case 'BinaryExpression': {
      if (node.operator !== '+' || node.left.type === 'PrivateName') return null;
      const left = foldPath(context, node.left, depth + 1);
      if (left === null) return null;
      const right = foldPath(context, node.right, depth + 1);
      if (right === null) return null;
      return combine(left, right, (a, b) => a + b);
    }
    case 'TemplateLiteral': {
      let parts: string[] = [node.quasis[0]!.value.cooked ?? ''];
      for (let i = 0; i < node.expressions.length; i++) {
        const values = foldPath(context, node.expressions[i]!, depth + 1);
        if (values === null) return null;
        const tail = node.quasis[i + 1]!.value.cooked ?? '';
        const next = combine(parts, values, (a, b) => a + b + tail);
        if (next === null) return null;
        parts = next;
      }
      return parts;
    }
    case 'ConditionalExpression':
    case 'LogicalExpression': {
      const a = foldPath(context, node.type === 'ConditionalExpression' ? node.consequent : node.left, depth + 1);
      const b = foldPath(context, node.type === 'ConditionalExpression' ? node.alternate : node.right, depth + 1);
      if (a === null || b === null || a.length + b.length > MAX_VALUES) return null;
      return [...new Set([...a, ...b])];
    }
    case 'CallExpression':
    case 'OptionalCallExpression': {
      const callee = context.values(node.callee);
      const args = node.arguments as Node[];
      if (args.some((a) => a.type === 'SpreadElement')) return null;
      for (const fn of callee) {
        if (PATH_JOINERS.has(fn)) {
          let parts: string[] = [''];
          for (const arg of args) {
            const values = foldPath(context, arg, depth + 1);
            if (values === null) return null;
            const next = combine(parts, values, (a, b) => (a === '' || b.startsWith('/') ? b : `${a}/${b}`));
            if (next === null) return null;
            parts = next;
          }
          return parts.map(normalizePosix);
        }
        if (PATH_UNARY.has(fn) && args.length === 1) {
          const values = foldPath(context, args[0]!, depth + 1);
          if (values === null) return null;
          if (fn.endsWith('fileURLToPath')) return values.map((v) => v.replace(/^file:\/\//, ''));
          if (fn.endsWith('dirname')) return values.map((v) => normalizePosix(v.replace(/\/[^/]*$/, '') || '/'));
          return values.map(normalizePosix);
        }
        if (fn === 'require.resolve' && args.length >= 1) return foldPath(context, args[0]!, depth + 1);
      }
      // `new URL(...).toString()`, `.href` handled above; `String(x)` of a path.
      const callee0 = unwrap(node.callee);
      if ((callee0.type === 'MemberExpression' || callee0.type === 'OptionalMemberExpression') && args.length === 0) {
        const keys = context.memberKeys(callee0);
        if (keys !== null && keys.length === 1 && keys[0] === 'toString') return urlConstruction(context, unwrap(callee0.object), depth);
      }
      return null;
    }
    case 'NewExpression':
      return urlConstruction(context, node, depth);
    default:
      return null;
  }
}

/** `new URL(spec, base)` with constant parts: the resolved URL strings. */
function urlConstruction(context: RuleContext, raw: Node, depth: number): string[] | null {
  const node = unwrap(raw);
  if (node.type === 'Identifier') {
    const binding = context.resolve(node);
    if (!binding || binding.init === null || binding.path.length > 0 || binding.assignments.length > 0) return null;
    return urlConstruction(context, binding.init, depth + 1);
  }
  if (node.type !== 'NewExpression' || depth > MAX_DEPTH) return null;
  if (!context.values(node.callee).has('URL') && !context.values(node.callee).has('module:url.URL')) return null;
  const args = node.arguments as Node[];
  if (args.length === 0 || args.length > 2 || args.some((a) => a.type === 'SpreadElement')) return null;
  const specs = foldPath(context, args[0]!, depth + 1);
  if (specs === null) return null;
  if (args.length === 1) return specs;
  const bases = foldPath(context, args[1]!, depth + 1);
  if (bases === null) return null;
  return combine(specs, bases, (spec, base) => {
    try {
      return new URL(spec, base).href;
    } catch {
      return spec;
    }
  });
}

function combine(left: string[], right: string[], op: (a: string, b: string) => string): string[] | null {
  if (left.length * right.length > MAX_VALUES) return null;
  const out: string[] = [];
  for (const a of left) for (const b of right) out.push(op(a, b));
  return out;
}

function normalizePosix(path: string): string {
  const absolute = path.startsWith('/');
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..' && out.length > 0 && out[out.length - 1] !== '..') out.pop();
    else if (part !== '..' || !absolute) out.push(part);
  }
  const joined = out.join('/');
  return absolute ? `/${joined}` : joined === '' ? '.' : path.startsWith('./') && !joined.startsWith('.') ? `./${joined}` : joined;
}

/** Marks an unknown stretch inside a partially folded string. */
export const HOLE = '\u0000';

/**
 * A string expression with its unknown parts replaced by HOLE: `dir + '/x.node'` gives
 * "\0/x.node", `` `<script src=${u}>` `` gives "<script src=\0>". Null when nothing is known.
 */
export function partialString(context: RuleContext, node: Node, depth = 0): string | null {
  const inner = unwrap(node);
  const folded = context.foldStrings(inner);
  if (folded !== null) return folded.length === 1 ? folded[0]! : folded.length > 1 ? HOLE : null;
  if (depth > MAX_DEPTH) return null;
  switch (inner.type) {
    case 'BinaryExpression': {
      if (inner.operator !== '+' || inner.left.type === 'PrivateName') return null;
      const left = partialString(context, inner.left, depth + 1) ?? HOLE;
      const right = partialString(context, inner.right, depth + 1) ?? HOLE;
      return left === HOLE && right === HOLE ? null : squeeze(left + right);
    }
    case 'TemplateLiteral': {
      let out = inner.quasis[0]!.value.cooked ?? '';
      for (let i = 0; i < inner.expressions.length; i++) {
        out += partialString(context, inner.expressions[i]!, depth + 1) ?? HOLE;
        out += inner.quasis[i + 1]!.value.cooked ?? '';
      }
      return squeeze(out);
    }
    case 'Identifier': {
      const binding = context.resolve(inner);
      if (!binding || binding.init === null || binding.path.length > 0 || binding.assignments.length > 0) return null;
      if (binding.kind !== 'const' && binding.kind !== 'let' && binding.kind !== 'var') return null;
      return partialString(context, binding.init, depth + 1);
    }
    case 'CallExpression': {
      // `[a, '<script>'].join('')`, `path.join(dir, 'x.node')`.
      const callee = unwrap(inner.callee);
      if (callee.type === 'MemberExpression' && context.memberKeys(callee)?.[0] === 'join') {
        const array = unwrap(callee.object);
        // `path.join(...)` is a member call named join too: it is handled below with the joiners.
        if (array.type === 'ArrayExpression') {
          const separator = inner.arguments[0] ? context.foldStrings(inner.arguments[0] as Node) : [','];
          if (separator === null || separator.length !== 1) return null;
          const parts = array.elements.map((e) => (e === null || e.type === 'SpreadElement' ? HOLE : partialString(context, e, depth + 1) ?? HOLE));
          return squeeze(parts.join(separator[0]!));
        }
      }
      for (const fn of context.values(inner.callee)) {
        if (PATH_JOINERS.has(fn)) {
          const parts = (inner.arguments as Node[]).map((a) => (a.type === 'SpreadElement' ? HOLE : partialString(context, a, depth + 1) ?? HOLE));
          return squeeze(parts.join('/'));
        }
      }
      return null;
    }
    default:
      return null;
  }
}

function squeeze(text: string): string {
  return text.replace(/\u0000+/g, HOLE);
}

// ---------------------------------------------------------------------------------------------
// Loader calls

/** Host paths that load a module by specifier when called. */
export const REQUIRE_PATHS: ReadonlySet<string> = new Set(['require', 'module:module._load', 'module:module.prototype.require']);

export interface LoaderCall {
  /** `require` (any spelling, createRequire, Module._load) or `import` (the `import()` syntax). */
  kind: 'require' | 'import';
  /** How the loader was reached, for messages: `require`, `Module._load`, `import()`. */
  name: string;
  /** The specifier expression, or null when the arguments cannot be known (`require.apply(null, a)`). */
  specifier: Node | null;
  /** Through `.call`, `.apply`, `Reflect.apply`...: 'direct' otherwise. */
  via: string;
}

/** `context.callTarget(node)` (the evaluator memoises it per call node). */
export function callTargetOf(context: RuleContext, node: Node): ReturnType<RuleContext['callTarget']> {
  return context.callTarget(node);
}

/**
 * If `node` (a call) loads a module, how; otherwise null. Cheap for ordinary calls, and not cached:
 * past the shape filter it only reads the memoised call target (most calls are not loaders, and a
 * cache entry per call cost more than the answer).
 */
export function loaderCall(context: RuleContext, node: Node): LoaderCall | null {
  if (node.type !== 'CallExpression' && node.type !== 'OptionalCallExpression') return null;
  const callee = unwrap(node.callee);
  if (callee.type === 'Import') {
    const first = node.arguments[0];
    return { kind: 'import', name: 'import()', specifier: first && first.type !== 'SpreadElement' ? first : null, via: 'direct' };
  }
  // Cheap filter: a loader is reached through an identifier, a member chain or a call result.
  if (callee.type !== 'Identifier' && callee.type !== 'MemberExpression' && callee.type !== 'OptionalMemberExpression' && callee.type !== 'CallExpression' && callee.type !== 'SequenceExpression' && callee.type !== 'ConditionalExpression' && callee.type !== 'LogicalExpression') {
    return null;
  }
  const target = callTargetOf(context, node);
  let name: string | null = null;
  for (const fn of target.callee) {
    if (REQUIRE_PATHS.has(fn)) {
      name = fn === 'module:module._load' ? 'Module._load' : 'require';
      break;
    }
  }
  if (name === null || target.construct) return null;
  const args = target.args;
  const first = args === null ? null : args[0] ?? null;
  return { kind: 'require', name, specifier: first !== null && first.type === 'SpreadElement' ? null : first, via: target.via };
}

/** Shortens source text for messages. */
export function abbreviate(text: string, max = 60): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max - 3)}...` : flat;
}

/** Quotes folded values for messages: 'a' or 'a' | 'b'. */
export function quoteValues(values: readonly string[], max = 60): string {
  return values.map((v) => `'${abbreviate(v.replace(/\u0000/g, '…'), max)}'`).join(' | ');
}
