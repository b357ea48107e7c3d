// Shared helpers of the obfuscation and hidden-code rules: which characters hide or reorder text
// (bidi controls, invisible and filler characters), a small tolerant lexer that tells code from
// strings and comments in raw text (it runs before, and without, a successful parse), execution and
// loader sinks, a bounded backward trace that says which decoders and which data sources feed a
// value, and the Dean Edwards packer. Files starting with `_` are helpers, not rules.
import type { Node, Identifier } from '@babel/types';
import type { RuleContext } from '../analyzer/rule-api.js';
import type { Binding } from '../analyzer/scope.js';
import { unwrap, ConstBuffer, ConstObject, constToString } from '../analyzer/evaluate.js';
import type { Const } from '../analyzer/evaluate.js';
import { parentOf } from '../analyzer/walk.js';
import { brotliDecompressSync, gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';
import { isOwnLocation, loaderCall, partialString, staticSpecifier, HOLE } from './_modules.js';

// ---------------------------------------------------------------------------------------------
// Characters

/** Bidirectional embedding, override and isolate controls: they reorder how text is displayed. */
export const BIDI_REORDERING: ReadonlySet<number> = new Set([0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069]);
/** Bidirectional marks: invisible, they change the direction of neutral characters around them. */
export const BIDI_MARKS: ReadonlySet<number> = new Set([0x200e, 0x200f, 0x061c]);

const CHARACTER_NAMES: ReadonlyMap<number, string> = new Map([
  [0x202a, 'LEFT-TO-RIGHT EMBEDDING'],
  [0x202b, 'RIGHT-TO-LEFT EMBEDDING'],
  [0x202c, 'POP DIRECTIONAL FORMATTING'],
  [0x202d, 'LEFT-TO-RIGHT OVERRIDE'],
  [0x202e, 'RIGHT-TO-LEFT OVERRIDE'],
  [0x2066, 'LEFT-TO-RIGHT ISOLATE'],
  [0x2067, 'RIGHT-TO-LEFT ISOLATE'],
  [0x2068, 'FIRST STRONG ISOLATE'],
  [0x2069, 'POP DIRECTIONAL ISOLATE'],
  [0x200e, 'LEFT-TO-RIGHT MARK'],
  [0x200f, 'RIGHT-TO-LEFT MARK'],
  [0x061c, 'ARABIC LETTER MARK'],
  [0x200b, 'ZERO WIDTH SPACE'],
  [0x200c, 'ZERO WIDTH NON-JOINER'],
  [0x200d, 'ZERO WIDTH JOINER'],
  [0x2060, 'WORD JOINER'],
  [0x2061, 'FUNCTION APPLICATION'],
  [0x2062, 'INVISIBLE TIMES'],
  [0x2063, 'INVISIBLE SEPARATOR'],
  [0x2064, 'INVISIBLE PLUS'],
  [0xfeff, 'ZERO WIDTH NO-BREAK SPACE'],
  [0x3164, 'HANGUL FILLER'],
  [0x115f, 'HANGUL CHOSEONG FILLER'],
  [0x1160, 'HANGUL JUNGSEONG FILLER'],
  [0xffa0, 'HALFWIDTH HANGUL FILLER'],
  [0x180e, 'MONGOLIAN VOWEL SEPARATOR'],
  [0x00ad, 'SOFT HYPHEN'],
  [0x034f, 'COMBINING GRAPHEME JOINER'],
  [0x17b4, 'KHMER VOWEL INHERENT AQ'],
  [0x17b5, 'KHMER VOWEL INHERENT AA'],
]);

/** Invisible characters: zero-width, fillers, tag characters and variation selectors. */
export function isInvisible(cp: number): boolean {
  return (
    (cp >= 0x200b && cp <= 0x200d) ||
    (cp >= 0x2060 && cp <= 0x2064) ||
    cp === 0xfeff ||
    cp === 0x3164 ||
    cp === 0x115f ||
    cp === 0x1160 ||
    cp === 0xffa0 ||
    cp === 0x180e ||
    cp === 0x00ad ||
    cp === 0x034f ||
    cp === 0x17b4 ||
    cp === 0x17b5 ||
    (cp >= 0xe0000 && cp <= 0xe007f) ||
    (cp >= 0xfe00 && cp <= 0xfe0f) ||
    (cp >= 0xe0100 && cp <= 0xe01ef)
  );
}

/** Private-use characters: no glyph in ordinary fonts, so a run of them is as invisible as blank space. */
export function isPrivateUse(cp: number): boolean {
  return (cp >= 0xe000 && cp <= 0xf8ff) || (cp >= 0xf0000 && cp <= 0x10fffd);
}

/** Quick pre-filter over a whole file for every character the trojan-source rule looks at. */
export const SUSPICIOUS_CHARACTERS =
  /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C\u200B-\u200D\u2060-\u2064\uFEFF\u3164\u115F\u1160\uFFA0\u180E\u00AD\u034F\u17B4\u17B5\uFE00-\uFE0F\uE000-\uF8FF]|\uDB40[\uDC00-\uDC7F\uDD00-\uDDEF]|[\uDB80-\uDBFF][\uDC00-\uDFFF]/g;

/** `U+202E RIGHT-TO-LEFT OVERRIDE`, `U+E0041 TAG`... */
export function describeCodePoint(cp: number): string {
  const hex = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  const name =
    CHARACTER_NAMES.get(cp) ??
    (cp >= 0xe0000 && cp <= 0xe007f ? 'TAG CHARACTER' : (cp >= 0xfe00 && cp <= 0xfe0f) || (cp >= 0xe0100 && cp <= 0xe01ef) ? 'VARIATION SELECTOR' : '');
  return name ? `${hex} ${name}` : hex;
}

/** Letters of right-to-left scripts (Hebrew, Arabic, Syriac, Thaana, N'Ko and their presentation forms). */
export const RTL_LETTERS = /[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFC]/;

// ---------------------------------------------------------------------------------------------
// A tolerant lexer over raw text

/** What a character offset is part of. */
export type TextRegion = 'code' | 'string' | 'template' | 'comment' | 'regexp';

const KEYWORDS_BEFORE_EXPRESSION = new Set([
  'return',
  'typeof',
  'case',
  'do',
  'else',
  'in',
  'of',
  'new',
  'delete',
  'void',
  'throw',
  'instanceof',
  'yield',
  'await',
]);

/**
 * Classifies sorted character offsets of `text` as code, string, template text, comment or regexp.
 * It is a heuristic lexer (a `/` after an operator starts a regexp; JSX text is read as code), good
 * enough to tell where characters sit; it never throws and is linear in the text length.
 */
export function classifyOffsets(text: string, offsets: readonly number[]): TextRegion[] {
  const out: TextRegion[] = new Array(offsets.length);
  let next = 0;
  const mark = (from: number, to: number, region: TextRegion): void => {
    while (next < offsets.length && offsets[next]! < to) {
      if (offsets[next]! >= from) out[next] = region;
      else out[next] = 'code';
      next++;
    }
  };
  const templateDepth: number[] = []; // brace depth at which each open `${` returns to template text
  let braces = 0;
  let regexAllowed = true;
  let i = 0;
  const n = text.length;
  const scanTemplate = (start: number): number => {
    // From just after '`' or '}' to the end of this template chunk.
    let j = start;
    while (j < n) {
      const c = text.charCodeAt(j);
      if (c === 92) j += 2;
      else if (c === 96) {
        mark(start, j + 1, 'template');
        return j + 1;
      } else if (c === 36 && text.charCodeAt(j + 1) === 123) {
        mark(start, j + 2, 'template');
        templateDepth.push(braces);
        braces++;
        return j + 2;
      } else j++;
    }
    mark(start, n, 'template');
    return n;
  };
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 47 /* / */) {
      const d = text.charCodeAt(i + 1);
      if (d === 47) {
        let j = text.indexOf('\n', i + 2);
        if (j === -1) j = n;
        mark(i, j, 'comment');
        i = j;
        continue;
      }
      if (d === 42) {
        let j = text.indexOf('*/', i + 2);
        j = j === -1 ? n : j + 2;
        mark(i, j, 'comment');
        i = j;
        continue;
      }
      if (regexAllowed) {
        let j = i + 1;
        let inClass = false;
        while (j < n) {
          const e = text.charCodeAt(j);
          if (e === 10 || e === 13) break;
          if (e === 92) j += 2;
          else {
            if (e === 91) inClass = true;
            else if (e === 93) inClass = false;
            else if (e === 47 && !inClass) break;
            j++;
          }
        }
        j = Math.min(j + 1, n);
        while (j < n && /[A-Za-z]/.test(text[j]!)) j++;
        mark(i, j, 'regexp');
        i = j;
        regexAllowed = false;
        continue;
      }
      i++;
      regexAllowed = true;
      continue;
    }
    if (c === 39 || c === 34) {
      let j = i + 1;
      while (j < n) {
        const e = text.charCodeAt(j);
        if (e === 92) j += 2;
        else if (e === c || e === 10) break;
        else j++;
      }
      j = Math.min(j + 1, n);
      mark(i, j, 'string');
      i = j;
      regexAllowed = false;
      continue;
    }
    if (c === 96) {
      mark(i, i + 1, 'template');
      i = scanTemplate(i + 1);
      regexAllowed = false;
      continue;
    }
    if (c === 123) {
      braces++;
      regexAllowed = true;
      i++;
      continue;
    }
    if (c === 125) {
      braces--;
      if (templateDepth.length > 0 && templateDepth[templateDepth.length - 1] === braces) {
        templateDepth.pop();
        mark(i, i + 1, 'template');
        i = scanTemplate(i + 1);
        regexAllowed = false;
        continue;
      }
      regexAllowed = false;
      i++;
      continue;
    }
    if (c === 32 || c === 9 || c === 10 || c === 13) {
      i++;
      continue;
    }
    if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36 || c > 127) {
      let j = i + 1;
      while (j < n) {
        const e = text.charCodeAt(j);
        if ((e >= 65 && e <= 90) || (e >= 97 && e <= 122) || (e >= 48 && e <= 57) || e === 95 || e === 36 || e > 127) j++;
        else break;
      }
      regexAllowed = KEYWORDS_BEFORE_EXPRESSION.has(text.slice(i, j));
      i = j;
      continue;
    }
    if (c >= 48 && c <= 57) {
      i++;
      while (i < n && /[0-9A-Za-z_.]/.test(text[i]!)) i++;
      regexAllowed = false;
      continue;
    }
    // Punctuators: `)` and `]` end an operand; everything else expects one.
    regexAllowed = !(c === 41 || c === 93);
    i++;
  }
  mark(n, n + 1, 'code');
  while (next < offsets.length) out[next++] = 'code';
  return out;
}

/** Lazily built line starts of a text; 1-based line and column (UTF-16 units) of an offset. */
export function positionFinder(text: string): (offset: number) => { line: number; column: number } {
  let starts: number[] | null = null;
  return (offset) => {
    if (starts === null) {
      starts = [0];
      for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
    }
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo]! + 1 };
  };
}

// ---------------------------------------------------------------------------------------------
// Messages

/** A short, printable, quoted preview of decoded text: control characters escaped, long text cut. */
export function preview(value: string, max = 60): string {
  const flat = value.replace(/\s+/g, ' ').trim();
  const cut = flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
  // eslint-disable-next-line no-control-regex
  return cut.replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Human names of decoding operations, as the evaluator and the trace name them. */
const DECODER_NAMES: ReadonlyMap<string, string> = new Map([
  ['base64', 'base64'],
  ['hex', 'hex'],
  ['fromCharCode', 'character codes'],
  ['xor', 'XOR'],
  ['reverse', 'reversal'],
  ['uri', 'URI escapes'],
  ['bytes', 'byte arrays'],
  ['bits', 'bit strings'],
  ['zlib', 'zlib'],
  ['decrypt', 'decryption'],
  ['packer', 'the p,a,c,k,e,d packer'],
  ['dataUrl', 'a base64 data: URL'],
]);

/** Decoders that only ever turn hidden data into text (for values that do not fold). */
export const STRONG_DECODERS: ReadonlySet<string> = new Set(['base64', 'hex', 'fromCharCode', 'xor', 'reverse', 'zlib', 'decrypt', 'packer']);

/** `base64 + XOR`. */
export function describeDecoders(decoders: Iterable<string>): string {
  const names: string[] = [];
  for (const d of decoders) {
    const name = DECODER_NAMES.get(d);
    if (name !== undefined && !names.includes(name)) names.push(name);
  }
  return names.length === 0 ? 'decoding' : names.join(' + ');
}

/** The decoders of a fold that denote decoding (the evaluator may record others). */
export function decodingOperations(decoders: Iterable<string>): Set<string> {
  const out = new Set<string>();
  for (const d of decoders) if (DECODER_NAMES.has(d)) out.add(d);
  return out;
}

/** Text of a folded value as a sink would see it (buffers decode as UTF-8). */
export function constText(value: Const): string | null {
  if (typeof value === 'string') return value;
  if (value instanceof ConstBuffer) return value.bytes.toString('utf8');
  if (value instanceof ConstObject) return null;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value)) return (value as Const[]).map((v) => constText(v) ?? '').join(' ');
  return null;
}

// ---------------------------------------------------------------------------------------------
// Sinks

export type SinkKind = 'code' | 'loader' | 'shell';

export interface ExecSink {
  kind: SinkKind;
  /** For messages: `eval`, `new Function`, `vm.runInThisContext`, `child_process.exec`, `require`... */
  name: string;
  /** The arguments that carry code, a command or a specifier. */
  payload: Node[];
  /** The host path called (for callers that want to compare). */
  path: string;
}

const FUNCTION_CONSTRUCTORS: ReadonlySet<string> = new Set(['Function', 'AsyncFunction', 'GeneratorFunction', 'AsyncGeneratorFunction']);
const TIMERS: ReadonlySet<string> = new Set([
  'setTimeout',
  'setInterval',
  'setImmediate',
  'execScript',
  'module:timers.setTimeout',
  'module:timers.setInterval',
  'module:timers.setImmediate',
]);
const VM_FUNCTIONS: ReadonlySet<string> = new Set([
  'module:vm.runInThisContext',
  'module:vm.runInNewContext',
  'module:vm.runInContext',
  'module:vm.compileFunction',
  'module:vm.Script',
  'module:vm.createScript',
  'module:vm.SourceTextModule',
]);
const SHELL_FUNCTIONS: ReadonlySet<string> = new Set(['exec', 'execSync', 'spawn', 'spawnSync', 'execFile', 'execFileSync', 'fork']);
const CALLEE_TYPES: ReadonlySet<string> = new Set([
  'Identifier',
  'MemberExpression',
  'OptionalMemberExpression',
  'CallExpression',
  'SequenceExpression',
  'ConditionalExpression',
  'LogicalExpression',
  'Import',
  'TSAsExpression',
  'TSNonNullExpression',
  'TSSatisfiesExpression',
  'TSTypeAssertion',
  'ParenthesizedExpression',
]);

/** Host paths that run their argument as code, load it, or run it as a command. */
export function sinkOfPath(path: string): { kind: SinkKind; name: string } | null {
  if (path === 'eval') return { kind: 'code', name: 'eval' };
  if (FUNCTION_CONSTRUCTORS.has(path)) return { kind: 'code', name: path };
  if (TIMERS.has(path)) return { kind: 'code', name: path.replace(/^module:timers\./, '') };
  if (VM_FUNCTIONS.has(path)) return { kind: 'code', name: path.slice('module:'.length) };
  if (path === 'module._compile' || path.endsWith('._compile')) return { kind: 'code', name: 'Module._compile' };
  if (path === 'require' || path === 'module:module._load' || path === 'module:module.prototype.require') return { kind: 'loader', name: path === 'module:module._load' ? 'Module._load' : 'require' };
  if (path === 'import') return { kind: 'loader', name: 'import()' };
  // Web workers and importScripts load code from a URL (a blob: or data: URL can hold a payload).
  if (path === 'Worker' || path === 'SharedWorker') return { kind: 'code', name: path };
  if (path === 'importScripts') return { kind: 'code', name: 'importScripts' };
  if (path.startsWith('module:child_process.')) {
    const fn = path.slice('module:child_process.'.length);
    if (SHELL_FUNCTIONS.has(fn)) return { kind: 'shell', name: `child_process.${fn}` };
  }
  return null;
}

/** If `node` (a call or `new`) runs, loads or spawns one of its arguments, which and how. Cheap for ordinary calls. */
export function execSink(context: RuleContext, node: Node): ExecSink | null {
  if (node.type !== 'CallExpression' && node.type !== 'OptionalCallExpression' && node.type !== 'NewExpression') return null;
  if (node.arguments.length === 0) return null;
  if (!CALLEE_TYPES.has(node.callee.type)) return null;
  const loader = loaderCall(context, node);
  if (loader !== null) {
    return loader.specifier === null ? null : { kind: 'loader', name: loader.name, payload: [loader.specifier], path: loader.kind === 'import' ? 'import' : 'require' };
  }
  const target = context.callTarget(node);
  const args = target.args;
  if (args === null || args.length === 0) return null;
  for (const fn of target.callee) {
    let sink = sinkOfPath(fn);
    if (sink === null) {
      if (fn === 'module:worker_threads.Worker' && target.construct && workerEvalOption(context, args[1])) {
        return { kind: 'code', name: 'new Worker (eval: true)', payload: [args[0]!], path: fn };
      }
      continue;
    }
    if (sink.kind === 'loader') continue; // loaderCall above decided
    if (fn === 'module:vm.Script' || fn === 'module:vm.SourceTextModule' || fn === 'Worker' || fn === 'SharedWorker') {
      if (!target.construct) continue;
      sink = { ...sink, name: `new ${sink.name}` };
    } else if (FUNCTION_CONSTRUCTORS.has(fn)) {
      sink = { ...sink, name: target.construct ? `new ${fn}` : fn };
    } else if (target.construct) continue;
    let payload: Node[];
    if (FUNCTION_CONSTRUCTORS.has(fn) || sink.kind === 'shell') payload = args.filter((a) => a.type !== 'SpreadElement');
    else {
      const first = args[0]!;
      if (first.type === 'SpreadElement') continue;
      const inner = unwrap(first);
      if (inner.type === 'ArrowFunctionExpression' || inner.type === 'FunctionExpression') continue;
      payload = [first];
    }
    return { kind: sink.kind, name: sink.name, payload, path: fn };
  }
  // `new Module()._compile(code)`, `m._compile(code, file)`: the private compile method by name.
  const callee = unwrap(node.callee);
  if (
    node.type !== 'NewExpression' &&
    (callee.type === 'MemberExpression' || callee.type === 'OptionalMemberExpression') &&
    !callee.computed &&
    callee.property.type === 'Identifier' &&
    callee.property.name === '_compile' &&
    node.arguments[0] &&
    node.arguments[0].type !== 'SpreadElement'
  ) {
    return { kind: 'code', name: 'Module._compile', payload: [node.arguments[0]], path: 'module._compile' };
  }
  return null;
}

function workerEvalOption(context: RuleContext, options: Node | undefined): boolean {
  if (options === undefined) return false;
  const folded = context.fold(options);
  if (folded !== null) return folded.values.some((v) => v instanceof ConstObject && v.entries.get('eval') === true);
  const inner = unwrap(options);
  if (inner.type !== 'ObjectExpression') return false;
  return inner.properties.some(
    (p) => p.type === 'ObjectProperty' && !p.computed && ((p.key.type === 'Identifier' && p.key.name === 'eval') || (p.key.type === 'StringLiteral' && p.key.value === 'eval')) && !(unwrap(p.value as Node).type === 'BooleanLiteral' && (unwrap(p.value as Node) as { value: boolean }).value === false),
  );
}

/**
 * A decoded name on the way to a sink: `globalThis[atob('ZXZhbA==')]`,
 * `require('child_process')[String.fromCharCode(...)]`, `const k = atob(...); g[k]`. Follows the
 * callee through const aliases and `.call/.apply/.bind`.
 */
export function decodedCalleeName(context: RuleContext, callee: Node, depth = 0): { name: string; decoders: Set<string>; node: Node } | null {
  if (depth > 4) return null;
  const inner = unwrap(callee);
  if (inner.type === 'MemberExpression' || inner.type === 'OptionalMemberExpression') {
    if (inner.computed) {
      const folded = context.fold(inner.property);
      if (folded !== null) {
        const decoders = decodingOperations(folded.decoders);
        if (decoders.size > 0 && folded.values.length === 1 && typeof folded.values[0] === 'string') {
          return { name: folded.values[0], decoders, node: inner.property };
        }
      }
    }
    const key = !inner.computed && inner.property.type === 'Identifier' ? inner.property.name : null;
    if (key === 'call' || key === 'apply' || key === 'bind') return decodedCalleeName(context, inner.object, depth + 1);
    return decodedCalleeName(context, inner.object, depth + 1);
  }
  if (inner.type === 'CallExpression') {
    // `Reflect.get(obj, atob(...))`. (A decoded `require` specifier is the loader call's own finding.)
    const values = context.values(inner.callee);
    const args = inner.arguments as Node[];
    const keyArg = values.has('Reflect.get') ? args[1] : undefined;
    if (keyArg !== undefined && keyArg.type !== 'SpreadElement') {
      const folded = context.fold(keyArg);
      if (folded !== null) {
        const decoders = decodingOperations(folded.decoders);
        if (decoders.size > 0 && folded.values.length === 1 && typeof folded.values[0] === 'string') return { name: folded.values[0], decoders, node: keyArg };
      }
    }
    const calleeInner = unwrap(inner.callee);
    if (calleeInner.type === 'MemberExpression' && !calleeInner.computed && calleeInner.property.type === 'Identifier' && calleeInner.property.name === 'bind') {
      return decodedCalleeName(context, calleeInner.object, depth + 1);
    }
    return null;
  }
  if (inner.type === 'Identifier') {
    const binding = context.resolve(inner);
    if (!binding || binding.init === null || binding.assignments.length > 0 || binding.path.length > 0) return null;
    return decodedCalleeName(context, binding.init, depth + 1);
  }
  if (inner.type === 'SequenceExpression') return decodedCalleeName(context, inner.expressions[inner.expressions.length - 1]!, depth + 1);
  return null;
}

// ---------------------------------------------------------------------------------------------
// Sources and the backward trace

export type SourceKind = 'network' | 'dns' | 'file' | 'media';

export interface FlowSource {
  kind: SourceKind;
  /** The call that produced the data, for messages: `fetch`, `https.get`, `fs.readFileSync`... */
  via: string;
  /** A URL, host or path when it folds (unknown parts shown as …). */
  detail: string | null;
  node: Node;
}

export interface Flow {
  /** Decoding operations on the way (formatting uses, like `String.fromCharCode(10)`, left out). */
  decoders: Set<string>;
  /** A decoded constant piece met on the way, for messages. */
  decodedPiece: string | null;
  sources: FlowSource[];
  /** Whether any decoder call was met at all (significant or not). */
  sawDecoder: boolean;
  /** Decoder calls that fold to a character or three: formatting, not hiding. */
  formatting: number;
}

/** Decoders that, applied right in the sink's argument, are evidence on their own. */
const DIRECT_EVIDENCE: ReadonlySet<string> = new Set(['base64', 'hex', 'fromCharCode', 'xor', 'reverse', 'zlib', 'decrypt']);

const NETWORK_MODULES: ReadonlySet<string> = new Set([
  'http',
  'https',
  'http2',
  'net',
  'tls',
  'dgram',
  'axios',
  'node-fetch',
  'got',
  'request',
  'undici',
  'superagent',
  'needle',
  'ws',
  'cross-fetch',
  'isomorphic-fetch',
  'phin',
  'bent',
  'make-fetch-happen',
  'ky',
  'socket.io-client',
]);
const NETWORK_GLOBALS: ReadonlySet<string> = new Set(['fetch', 'XMLHttpRequest', 'WebSocket', 'EventSource', 'WebTransport', 'RTCPeerConnection']);
const FILE_READS: ReadonlySet<string> = new Set(['readFileSync', 'readFile', 'createReadStream', 'readSync', 'read', 'readJson', 'readJsonSync', 'readJSON']);
/** Packages that read pixels or hidden messages out of images and media. */
const MEDIA_MODULES: ReadonlySet<string> = new Set([
  'steggy',
  'steggy-noencrypt',
  'stegcloak',
  'steganography',
  'stegano',
  'jimp',
  'pngjs',
  'png-js',
  'sharp',
  'get-pixels',
  'image-js',
  'canvas',
  'lsb',
  'node-wav',
  'wav-decoder',
  'music-metadata',
  'exif-parser',
  'exifreader',
]);

/** File names of images, audio, video and fonts: data a payload can hide in. */
export const MEDIA_FILE = /\.(png|apng|jpe?g|gif|bmp|ico|icns|webp|tiff?|svg|avif|heic|wav|mp3|ogg|oga|flac|aac|m4a|mp4|m4v|webm|avi|mov|mkv|ttf|otf|woff2?|eot)(?=$|[?#\u0000])/i;
/** File names whose text is code or data that a loader would read anyway. */
const CODE_FILE = /\.(c|m)?(j|t)sx?$|\.json5?$|\.(coffee|vue|svelte|wasm|node|html?|ejs|hbs|handlebars|mustache|pug|jade|njk|liquid|twig|tpl|tmpl|template|eta|marko|md|mdx|css|scss|less|ya?ml|toml|ini|csv|xml)$/i;
/** Extensions of opaque data files: code has no business being read from them and run. */
const PAYLOAD_FILE = /\.(dat|bin|bak|tmp|temp|log|cache|db|sqlite|lock|pack|blob|enc|dll|so|dylib|exe|txt|b64|base64|hex|key|pem)$/i;
/** Places droppers write to: temporary directories and system folders. */
const PAYLOAD_DIR = /^(\/tmp\/|\/var\/tmp\/|\/dev\/shm\/|\/private\/tmp\/)|[\\/](temp|tmp|appdata)[\\/]/i;

function moduleName(path: string): string | null {
  if (!path.startsWith('module:')) return null;
  const rest = path.slice('module:'.length);
  // Scoped packages keep their scope: 'module:@scope/pkg.fn'.
  const dot = rest.startsWith('@') ? rest.indexOf('.', rest.indexOf('/')) : rest.indexOf('.');
  const name = dot === -1 ? rest : rest.slice(0, dot);
  return name.startsWith('node:') ? name.slice(5) : name;
}

function shortPath(path: string): string {
  return path.startsWith('module:') ? path.slice('module:'.length) : path;
}

/** The source a call reads data from, when it is one: network, DNS, a file, an image. */
export function sourceOfCall(context: RuleContext, call: Node): FlowSource | null {
  if (call.type !== 'CallExpression' && call.type !== 'OptionalCallExpression' && call.type !== 'NewExpression') return null;
  if (!CALLEE_TYPES.has(call.callee.type)) return null;
  const target = context.callTarget(call);
  const args = target.args ?? [];
  const firstString = (): string | null => {
    const first = args[0];
    if (first === undefined || first.type === 'SpreadElement') return null;
    return pathText(context, first);
  };
  for (const fn of target.callee) {
    const mod = moduleName(fn);
    if (mod !== null) {
      if (MEDIA_MODULES.has(mod)) return { kind: 'media', via: shortPath(fn), detail: firstString(), node: call };
      if (NETWORK_MODULES.has(mod)) {
        const url = firstString();
        return { kind: url !== null && MEDIA_FILE.test(url) ? 'media' : 'network', via: shortPath(fn), detail: url, node: call };
      }
      if (mod === 'dns' || mod === 'dns/promises') return { kind: 'dns', via: shortPath(fn), detail: firstString(), node: call };
      if (mod === 'fs' || mod === 'fs/promises' || mod === 'fs-extra' || mod === 'graceful-fs') {
        const method = fn.slice(fn.lastIndexOf('.') + 1);
        if (!FILE_READS.has(method)) continue;
        const path = firstString();
        return { kind: path !== null && MEDIA_FILE.test(path) ? 'media' : 'file', via: shortPath(fn), detail: path, node: call };
      }
      continue;
    }
    if (NETWORK_GLOBALS.has(fn)) {
      const url = firstString();
      return { kind: url !== null && MEDIA_FILE.test(url) ? 'media' : 'network', via: fn, detail: url, node: call };
    }
  }
  return null;
}

/** A path or URL as far as it folds, unknown parts shown as `…`: `…/assets/logo.png`. */
export function pathText(context: RuleContext, node: Node): string | null {
  const partial = partialString(context, node);
  if (partial !== null && partial !== HOLE) return partial.replace(/\u0000/g, '…');
  const folded = staticSpecifier(context, node);
  if (folded !== null && folded.length > 0) return isOwnLocation(folded[0]!) ? folded[0]!.replace(/\/?__airlock_own_[a-z_]+__/g, '…') : folded[0]!;
  // Last resort: a file name written anywhere in the expression (`join(base, dir, 'logo.png')`).
  const inner = unwrap(node);
  if (inner.type === 'CallExpression') {
    for (const arg of inner.arguments) {
      if (arg.type === 'StringLiteral' && MEDIA_FILE.test(arg.value)) return `…/${arg.value}`;
    }
  }
  return null;
}

/** True when a file source looks like a payload store rather than a module a loader reads. */
export function suspiciousFile(source: FlowSource): boolean {
  if (source.detail === null) return false;
  const path = source.detail.replace(/[?#].*$/, '');
  if (CODE_FILE.test(path)) return false;
  const name = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
  if (name === '' || name.includes('…')) return false;
  // Hidden files and folders, temporary and system folders, opaque data, files without an extension.
  if (name.startsWith('.') || /[\\/]\.[^\\/.]/.test(path)) return true;
  if (PAYLOAD_DIR.test(path) || PAYLOAD_FILE.test(name)) return true;
  return !name.includes('.');
}

const DECODER_CALL_NAMES: ReadonlySet<string> = new Set([
  'atob',
  'Buffer',
  'from',
  'fromCharCode',
  'fromCodePoint',
  'decodeURIComponent',
  'decodeURI',
  'unescape',
  'parseInt',
  'reverse',
  'inflateSync',
  'inflate',
  'inflateRawSync',
  'inflateRaw',
  'gunzipSync',
  'gunzip',
  'unzipSync',
  'unzip',
  'brotliDecompressSync',
  'brotliDecompress',
  'createDecipheriv',
  'createDecipher',
  'decrypt',
  'apply',
  'call',
]);
/** Methods whose result carries the data of their receiver (and, for some, their arguments). */
const PASS_RECEIVER: ReadonlySet<string> = new Set([
  'toString',
  'slice',
  'subarray',
  'substring',
  'substr',
  'trim',
  'trimStart',
  'trimEnd',
  'split',
  'join',
  'concat',
  'replace',
  'replaceAll',
  'map',
  'filter',
  'reduce',
  'flat',
  'text',
  'json',
  'arrayBuffer',
  'blob',
  'then',
  'body',
  'read',
  'readAll',
  'toLowerCase',
  'toUpperCase',
  'at',
  'update',
  'final',
  'decode',
  'reveal',
  'getData',
  'valueOf',
  'buffer',
  'bitmap',
]);
const PASS_ARGUMENTS: ReadonlySet<string> = new Set([
  'concat',
  'replace',
  'replaceAll',
  'update',
  'decode',
  'from',
  'concat',
  'String',
  'Buffer.concat',
  'Array.from',
  'Uint8Array.from',
  'JSON.parse',
  'Buffer.from',
  'module:buffer.Buffer.from',
  'module:buffer.Buffer.concat',
  'TextDecoder.prototype.decode',
  'Promise.resolve',
  'URL.createObjectURL',
  'createObjectURL',
  'Blob',
]);
const CALLBACK_METHODS: ReadonlySet<string> = new Set(['map', 'filter', 'reduce', 'then', 'flatMap']);
/** Methods whose results are booleans, positions or sizes: no data passes through them. */
const OPAQUE_METHODS: ReadonlySet<string> = new Set([
  'indexOf',
  'lastIndexOf',
  'includes',
  'startsWith',
  'endsWith',
  'test',
  'has',
  'hasOwnProperty',
  'some',
  'every',
  'findIndex',
  'localeCompare',
  'digest',
  'isArray',
  'compare',
  'equals',
]);

const MAX_TRACE_STEPS = 600;
const MAX_TRACE_DEPTH = 40;

/**
 * Which decoders and which data sources feed `node`, by a bounded backward walk over expressions,
 * variable initialisers and later assignments (`data += chunk`), pushes, callback parameters
 * (`res.on('data', d => ...)`, `.then(t => ...)`), the returns of local functions, and promises.
 * Never runs code; past its budget it answers with what it has found.
 */
export function traceFlow(context: RuleContext, node: Node): Flow {
  const flow: Flow = { decoders: new Set(), decodedPiece: null, sources: [], sawDecoder: false, formatting: 0 };
  const seen = new Set<Node | Binding>();
  let steps = 0;
  const argumentsOf = new Map<Binding, Node>();
  // Constant data (long literals, arrays of codes) met so far, and how deep into other functions
  // (their returns, their callers' arguments) the walk is: a decoder in a helper function that only
  // converts its caller's unknown bytes (UTF-8 from wasm memory) is not evidence of a payload.
  let literalHits = 0;
  let indirect = 0;

  const visitAll = (nodes: readonly (Node | null | undefined)[], depth: number): void => {
    for (const n of nodes) if (n) visit(n, depth);
  };

  const decoder = (call: Node & { arguments: Node[] }, name: string, depth: number, inputs: readonly Node[]): void => {
    flow.sawDecoder = true;
    const folded = context.fold(call);
    if (folded !== null && folded.values.every((v) => typeof v === 'string' && v.length < 4)) {
      flow.formatting++;
      return; // formatting: String.fromCharCode(10), a one-character escape
    }
    if (flow.decodedPiece === null) {
      const text = folded !== null ? (folded.values.length === 1 ? constText(folded.values[0]!) : null) : name === 'zlib' ? inflated(context, inputs[0]) : null;
      if (text !== null && printable(text)) flow.decodedPiece = text;
    }
    const literalsBefore = literalHits;
    const sourcesBefore = flow.sources.length;
    visitAll(inputs, depth + 1);
    const fed = folded !== null || literalHits > literalsBefore || flow.sources.length > sourcesBefore;
    if (fed || (indirect === 0 && DIRECT_EVIDENCE.has(name))) flow.decoders.add(name);
  };

  const visitCall = (call: Node & { callee: Node; arguments: Node[] }, depth: number): void => {
    const source = sourceOfCall(context, call);
    if (source !== null) {
      if (flow.sources.length < 4 && !flow.sources.some((s) => s.node === source.node)) flow.sources.push(source);
      return;
    }
    const callee = unwrap(call.callee);
    const args = call.arguments.filter((a) => a.type !== 'SpreadElement');
    const method =
      callee.type === 'MemberExpression' || callee.type === 'OptionalMemberExpression'
        ? !callee.computed && callee.property.type === 'Identifier'
          ? callee.property.name
          : callee.property.type === 'StringLiteral'
            ? callee.property.value
            : null
        : callee.type === 'Identifier'
          ? callee.name
          : null;
    if (method !== null && DECODER_CALL_NAMES.has(method)) {
      const target = context.callTarget(call);
      const targetArgs = (target.args ?? []).filter((a) => a.type !== 'SpreadElement');
      for (const fn of target.callee) {
        if (fn === 'atob' || fn === 'module:buffer.atob') return decoder(call, 'base64', depth, targetArgs);
        if (fn === 'String.fromCharCode' || fn === 'String.fromCodePoint') return decoder(call, 'fromCharCode', depth, targetArgs);
        if (fn === 'decodeURIComponent' || fn === 'decodeURI' || fn === 'unescape') return decoder(call, 'uri', depth, targetArgs);
        if (fn === 'parseInt' || fn === 'Number.parseInt') {
          const radix = targetArgs[1] ? context.fold(targetArgs[1]) : null;
          if (radix !== null && radix.values.length === 1 && Number(radix.values[0]) === 16) return decoder(call, 'hex', depth, targetArgs);
          if (radix !== null && radix.values.length === 1 && Number(radix.values[0]) === 2) return decoder(call, 'bits', depth, targetArgs);
        }
        if (fn === 'Buffer.from' || fn === 'module:buffer.Buffer.from' || fn === 'Buffer' || fn === 'module:buffer.Buffer') {
          const encoding = targetArgs[1] ? context.foldStrings(targetArgs[1]) : null;
          if (encoding !== null && encoding.some((e) => /^base64(url)?$/i.test(e))) return decoder(call, 'base64', depth, targetArgs);
          if (encoding !== null && encoding.some((e) => /^hex$/i.test(e))) return decoder(call, 'hex', depth, targetArgs);
        }
        const mod = moduleName(fn);
        if (mod === 'zlib' && /inflate|gunzip|unzip|brotliDecompress/i.test(fn)) return decoder(call, 'zlib', depth, targetArgs);
        if ((mod === 'crypto' && /createDecipher/.test(fn)) || (mod !== null && /\.decrypt$/.test(fn))) return decoder(call, 'decrypt', depth, targetArgs);
      }
      if (method === 'reverse' && (callee.type === 'MemberExpression' || callee.type === 'OptionalMemberExpression')) {
        return decoder(call, 'reverse', depth, [callee.object]);
      }
    }
    if (callee.type === 'MemberExpression' || callee.type === 'OptionalMemberExpression') {
      // Methods of data pass it on (`img.raw().toBuffer()`, `res.body.getReader()`), except those
      // that answer a question about it (`indexOf`, `includes`, `test`).
      // Callbacks first: a decoder in `s.split('').map((c) => String.fromCharCode(c.charCodeAt(0) ^ k))`
      // must meet the receiver's data through its parameter, before the receiver is marked seen.
      if (method !== null && CALLBACK_METHODS.has(method)) for (const arg of args) visitReturns(arg, depth + 1, null, false);
      if (method === null || !OPAQUE_METHODS.has(method)) visit(callee.object, depth + 1);
      if (method !== null && PASS_ARGUMENTS.has(method)) visitAll(args, depth + 1);
      if (method === null || (!PASS_RECEIVER.has(method) && !PASS_ARGUMENTS.has(method))) {
        // `Buffer.concat(chunks)`, `Array.from(x)`, `JSON.parse(x)`: known pass-through statics.
        for (const fn of context.values(callee)) {
          if (PASS_ARGUMENTS.has(fn)) {
            visitAll(args, depth + 1);
            break;
          }
        }
      }
      return;
    }
    if (callee.type === 'Identifier') {
      for (const fn of context.values(callee)) {
        if (PASS_ARGUMENTS.has(fn)) {
          visitAll(args, depth + 1);
          return;
        }
      }
      // A function defined in this file: what it returns, with its parameters bound to these arguments.
      const fn = localFunction(context, callee);
      if (fn !== null) visitReturns(fn, depth + 1, args);
      // A function from elsewhere (`decode(bytes)`, `parseInt(bits, 2)`): its result is made from its arguments.
      else visitAll(args, depth + 1);
      return;
    }
    if (callee.type === 'FunctionExpression' || callee.type === 'ArrowFunctionExpression') {
      visitReturns(callee, depth + 1, args);
      return;
    }
    if (callee.type === 'CallExpression' || callee.type === 'OptionalCallExpression') {
      // `steggy.reveal()(image)`: a function made by a reader of media or network data.
      const factory = sourceOfCall(context, callee);
      if (factory !== null && flow.sources.length < 4) flow.sources.push(factory);
      visitAll(args, depth + 1);
    }
  };

  /** The returns of a function: a local helper (`indirect`) or a callback run on the receiver's data. */
  const visitReturns = (fnNode: Node, depth: number, args: readonly Node[] | null, isIndirect = true): void => {
    const fn = unwrap(fnNode);
    if (fn.type !== 'FunctionExpression' && fn.type !== 'ArrowFunctionExpression' && fn.type !== 'FunctionDeclaration') {
      if (fn.type === 'Identifier' && args === null) {
        const local = localFunction(context, fn);
        if (local !== null) visitReturns(local, depth, null, isIndirect);
      }
      return;
    }
    if (seen.has(fn)) return;
    seen.add(fn);
    if (isIndirect) indirect++;
    try {
      visitFunctionReturns(fn as Node & { params: Node[]; body: Node }, depth, args);
    } finally {
      if (isIndirect) indirect--;
    }
  };

  const visitFunctionReturns = (fn: Node & { params: Node[]; body: Node }, depth: number, args: readonly Node[] | null): void => {
    if (args !== null) {
      fn.params.forEach((param, index) => {
        if (param.type !== 'Identifier' || args[index] === undefined) return;
        const binding = context.resolve(param) ?? declaredBinding(context, param);
        if (binding) argumentsOf.set(binding, args[index]!);
      });
    }
    if (fn.body.type !== 'BlockStatement') {
      visit(fn.body, depth + 1);
      return;
    }
    for (const expression of returnedExpressions(fn.body)) visit(expression, depth + 1);
  };

  const visitBinding = (binding: Binding, depth: number): void => {
    if (seen.has(binding)) return;
    seen.add(binding);
    const mapped = argumentsOf.get(binding);
    if (mapped !== undefined) {
      visit(mapped, depth + 1);
      return;
    }
    if (binding.kind === 'param') {
      visitParam(binding, depth);
      return;
    }
    if (binding.kind !== 'var' && binding.kind !== 'let' && binding.kind !== 'const') return;
    if (binding.init !== null) visit(binding.init, depth + 1);
    // `for (const x of source)`.
    const declaration = parentOf(binding.declaration);
    const loop = declaration === null ? null : parentOf(declaration);
    if (loop !== null && (loop.type === 'ForOfStatement' || loop.type === 'ForInStatement') && loop.left === declaration) visit(loop.right, depth + 1);
    for (const ref of binding.references) {
      if (++steps > MAX_TRACE_STEPS) return;
      let child: Node = ref;
      let parent = parentOf(child);
      while (parent !== null && (parent.type === 'TSAsExpression' || parent.type === 'TSNonNullExpression' || parent.type === 'ParenthesizedExpression')) {
        child = parent;
        parent = parentOf(child);
      }
      if (parent === null) continue;
      if (parent.type === 'AssignmentExpression' && parent.left === child) visit(parent.right, depth + 1);
      else if (parent.type === 'MemberExpression' && parent.object === child) {
        const outer = parentOf(parent);
        if (outer === null) continue;
        if (outer.type === 'CallExpression' && outer.callee === parent) {
          const name = !parent.computed && parent.property.type === 'Identifier' ? parent.property.name : null;
          if (name === 'push' || name === 'unshift' || name === 'write' || name === 'set') visitAll(outer.arguments as Node[], depth + 1);
        } else if (outer.type === 'AssignmentExpression' && outer.left === parent) visit(outer.right, depth + 1);
      }
    }
  };

  /** A callback parameter takes the data of the source or receiver it is called from. */
  const visitParam = (binding: Binding, depth: number): void => {
    const fn = binding.declaration;
    let site: Node | null = parentOf(fn);
    let child: Node = fn;
    while (site !== null && (site.type === 'TSAsExpression' || site.type === 'ParenthesizedExpression')) {
      child = site;
      site = parentOf(site);
    }
    if (site === null) return;
    if ((site.type === 'CallExpression' || site.type === 'OptionalCallExpression' || site.type === 'NewExpression') && site.arguments.includes(child as never)) {
      const source = sourceOfCall(context, site);
      if (source !== null) {
        if (flow.sources.length < 4 && !flow.sources.some((s) => s.node === source.node)) flow.sources.push(source);
        return;
      }
      if (site.type === 'NewExpression' && context.values(site.callee).has('Promise')) return;
      const callee = unwrap(site.callee as Node);
      if (callee.type === 'MemberExpression' || callee.type === 'OptionalMemberExpression') visit(callee.object, depth + 1);
      return;
    }
    // `ws.onmessage = (e) => ...`, `xhr.onload = function () {...}`.
    if (site.type === 'AssignmentExpression' && site.right === child && site.left.type === 'MemberExpression') visit(site.left.object, depth + 1);
    // A named local function: the arguments at its call sites.
    const named = functionBinding(context, fn);
    if (named !== null) {
      const index = paramIndex(fn, binding);
      if (index === -1) return;
      indirect++;
      try {
        for (const ref of named.references) {
          const call = parentOf(ref);
          if (call !== null && call.type === 'CallExpression' && call.callee === ref) {
            const arg = call.arguments[index];
            if (arg !== undefined && arg.type !== 'SpreadElement') visit(arg, depth + 1);
          }
        }
      } finally {
        indirect--;
      }
    }
  };

  const visit = (raw: Node, depth: number): void => {
    if (depth > MAX_TRACE_DEPTH || ++steps > MAX_TRACE_STEPS) return;
    const n = unwrap(raw);
    if (seen.has(n)) return;
    seen.add(n);
    switch (n.type) {
      case 'Identifier': {
        const binding = context.resolve(n);
        if (binding) visitBinding(binding, depth);
        return;
      }
      case 'StringLiteral':
        if (n.value.length >= 8) literalHits++;
        return;
      case 'TemplateLiteral':
        if (n.expressions.length === 0 && (n.quasis[0]?.value.cooked ?? '').length >= 8) literalHits++;
        visitAll(n.expressions as Node[], depth + 1);
        return;
      case 'BinaryExpression': {
        const literalsBefore = literalHits;
        const sourcesBefore = flow.sources.length;
        if (n.left.type !== 'PrivateName') visit(n.left, depth + 1);
        visit(n.right, depth + 1);
        if (n.operator === '^') {
          flow.sawDecoder = true;
          if (indirect === 0 || literalHits > literalsBefore || flow.sources.length > sourcesBefore) flow.decoders.add('xor');
        }
        return;
      }
      case 'LogicalExpression':
        visit(n.left, depth + 1);
        visit(n.right, depth + 1);
        return;
      case 'ConditionalExpression':
        visit(n.consequent, depth + 1);
        visit(n.alternate, depth + 1);
        return;
      case 'SequenceExpression':
        visit(n.expressions[n.expressions.length - 1]!, depth + 1);
        return;
      case 'AssignmentExpression':
        visit(n.right, depth + 1);
        return;
      case 'AwaitExpression':
        if (n.argument) visit(n.argument, depth + 1);
        return;
      case 'ArrayExpression':
        if (n.elements.length >= 4) literalHits++;
        visitAll(n.elements as Node[], depth + 1);
        return;
      case 'SpreadElement':
        visit(n.argument, depth + 1);
        return;
      case 'MemberExpression':
      case 'OptionalMemberExpression':
        visit(n.object, depth + 1);
        return;
      case 'CallExpression':
      case 'OptionalCallExpression':
      case 'NewExpression':
        visitCall(n as Node & { callee: Node; arguments: Node[] }, depth);
        return;
      default:
        return;
    }
  };

  visit(node, 0);
  return flow;
}

/** Mostly printable text (not the raw bytes of an intermediate decoding step). */
function printable(text: string): boolean {
  if (text.length === 0) return false;
  let bad = 0;
  for (let i = 0; i < text.length && i < 400; i++) {
    const c = text.charCodeAt(i);
    if ((c < 32 && c !== 9 && c !== 10 && c !== 13) || c === 0xfffd || (c >= 0x7f && c < 0xa0)) bad++;
  }
  return bad * 10 < Math.min(text.length, 400);
}

/** The text of a zlib stream folded to constant bytes (output capped: a zip bomb stays small). */
function inflated(context: RuleContext, input: Node | undefined): string | null {
  if (input === undefined) return null;
  const folded = context.fold(input);
  if (folded === null || folded.values.length !== 1 || !(folded.values[0] instanceof ConstBuffer)) return null;
  const bytes = folded.values[0].bytes;
  const options = { maxOutputLength: 1 << 20 };
  for (const inflate of [inflateSync, gunzipSync, inflateRawSync, brotliDecompressSync] as const) {
    try {
      return inflate(bytes, options).toString('utf8');
    } catch {
      // not this format
    }
  }
  return null;
}

/** The function a callee identifier names, when it is defined in this file. */
export function localFunction(context: RuleContext, callee: Node): Node | null {
  const inner = unwrap(callee);
  if (inner.type !== 'Identifier') return null;
  const binding = context.resolve(inner);
  if (!binding) return null;
  if (binding.kind === 'function') return binding.declaration;
  if ((binding.kind === 'const' || binding.kind === 'let' || binding.kind === 'var') && binding.init !== null && binding.assignments.length === 0 && binding.path.length === 0) {
    const init = unwrap(binding.init);
    if (init.type === 'FunctionExpression' || init.type === 'ArrowFunctionExpression') return init;
  }
  return null;
}

function declaredBinding(context: RuleContext, id: Identifier): Binding | null {
  return context.resolve(id) ?? null;
}

function functionBinding(context: RuleContext, fn: Node): Binding | null {
  if (fn.type === 'FunctionDeclaration' && fn.id) return declaredBinding(context, fn.id);
  const parent = parentOf(fn);
  if (parent !== null && parent.type === 'VariableDeclarator' && parent.init === fn && parent.id.type === 'Identifier') return declaredBinding(context, parent.id);
  return null;
}

function paramIndex(fn: Node, binding: Binding): number {
  const params = (fn as { params?: Node[] }).params;
  if (!params || binding.id === null) return -1;
  return params.indexOf(binding.id as never);
}

/** Expressions returned by a function body (nested functions excluded). */
export function returnedExpressions(body: Node): Node[] {
  const out: Node[] = [];
  const stack: Node[] = [body];
  let budget = 2000;
  while (stack.length > 0 && budget-- > 0) {
    const node = stack.pop()!;
    if (node.type === 'ReturnStatement') {
      if (node.argument) out.push(node.argument);
      continue;
    }
    if (node.type === 'FunctionDeclaration' || node.type === 'FunctionExpression' || node.type === 'ArrowFunctionExpression' || node.type === 'ClassMethod' || node.type === 'ObjectMethod') continue;
    if (!node.type.endsWith('Statement') && node.type !== 'SwitchCase' && node.type !== 'CatchClause' && node.type !== 'BlockStatement') continue;
    for (const value of Object.values(node)) {
      if (Array.isArray(value)) {
        for (const item of value) if (item && typeof item.type === 'string') stack.push(item as Node);
      } else if (value && typeof value === 'object' && typeof (value as Node).type === 'string' && value !== parentOf(node)) stack.push(value as Node);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The packer: eval(function(p,a,c,k,e,d){...}('payload', 62, 120, 'w0|w1|...'.split('|'), 0, {}))

/** True for `function (p, a, c, k, e, d|r)`, the Dean Edwards packer's unpacking function. */
export function isPackerFunction(node: Node): boolean {
  if (node.type !== 'FunctionExpression') return false;
  const names = node.params.map((p) => (p.type === 'Identifier' ? p.name : ''));
  return names.length === 6 && names.slice(0, 5).join(',') === 'p,a,c,k,e' && (names[5] === 'd' || names[5] === 'r');
}

/** The packer call inside an expression given to a sink, with its folded arguments if they fold. */
export function packerCall(context: RuleContext, node: Node): { call: Node; unpacked: string | null } | null {
  const inner = unwrap(node);
  if (inner.type !== 'CallExpression') return null;
  const callee = unwrap(inner.callee);
  if (!isPackerFunction(callee)) return null;
  const args = inner.arguments as Node[];
  let unpacked: string | null = null;
  if (args.length >= 4 && args.slice(0, 4).every((a) => a.type !== 'SpreadElement')) {
    const [p, a, c, k] = args.slice(0, 4).map((arg) => context.fold(arg));
    if (p && a && c && k && p.values.length === 1 && a.values.length === 1 && c.values.length === 1 && k.values.length === 1) {
      const words = k.values[0];
      if (typeof p.values[0] === 'string' && Array.isArray(words)) {
        unpacked = unpack(p.values[0], Number(a.values[0]), Number(c.values[0]), (words as Const[]).map((w) => (typeof w === 'string' ? w : '')));
      }
    }
  }
  return { call: inner, unpacked };
}

/** Unpacks packer output: every base-`radix` word of `payload` is replaced from the dictionary. Pure string work. */
export function unpack(payload: string, radix: number, count: number, words: readonly string[]): string | null {
  if (!Number.isInteger(radix) || radix < 2 || radix > 95 || !Number.isInteger(count) || count < 0 || count > 200_000) return null;
  if (payload.length > 1 << 20) return null;
  const encode = (c: number): string => {
    let out = '';
    let value = c;
    do {
      const digit = value % radix;
      out = (digit > 35 ? String.fromCharCode(digit + 29) : digit.toString(36)) + out;
      value = Math.floor(value / radix);
    } while (value > 0);
    return out;
  };
  const dictionary = new Map<string, string>();
  for (let c = 0; c < count; c++) {
    const word = words[c];
    if (word) dictionary.set(encode(c), word);
  }
  return payload.replace(/\b\w+\b/g, (word) => dictionary.get(word) ?? word);
}

/** The decoded text of a `data:` URL (base64 or percent-encoded), or null when it is not one. */
export function dataUrlPayload(url: string): { text: string; encoded: boolean } | null {
  const match = /^\s*data:([^,]*),([\s\S]*)$/i.exec(url);
  if (match === null) return null;
  const meta = match[1]!;
  const body = match[2]!;
  if (/;base64$/i.test(meta)) return { text: Buffer.from(body, 'base64').toString('utf8'), encoded: true };
  if (/%[0-9a-f]{2}/i.test(body)) {
    try {
      return { text: decodeURIComponent(body), encoded: true };
    } catch {
      return { text: body, encoded: true };
    }
  }
  return { text: body, encoded: false };
}

/** Plain code point of the character at `index` (surrogate pairs combined). */
export function codePointAt(text: string, index: number): number {
  return text.codePointAt(index) ?? 0;
}
