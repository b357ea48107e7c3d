// Turning submitted bytes into analysable text, and choosing how to parse it. Binary and
// non-UTF-8 input is refused with a reason, never guessed at.
import { parse, type ParserPlugin } from '@babel/parser';
import type { File } from '@babel/types';
import type { Language, SourceType } from './types.js';

export type DecodeResult =
  | { ok: true; text: string }
  | { ok: false; messageId: 'binary' | 'encoding'; detail: string };

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Decodes bytes as strict UTF-8; NUL bytes mark a binary file. */
export function decodeSource(source: string | Uint8Array): DecodeResult {
  if (typeof source === 'string') {
    if (source.includes('\u0000')) return { ok: false, messageId: 'binary', detail: 'it contains NUL characters' };
    return { ok: true, text: source };
  }
  const nul = source.indexOf(0);
  if (nul !== -1) return { ok: false, messageId: 'binary', detail: `it contains a NUL byte at offset ${nul}` };
  try {
    return { ok: true, text: utf8.decode(source) };
  } catch {
    return { ok: false, messageId: 'encoding', detail: 'it is not valid UTF-8' };
  }
}

const EXTENSION_LANGUAGE: ReadonlyMap<string, Language> = new Map([
  ['.js', 'jsx'],
  ['.mjs', 'jsx'],
  ['.cjs', 'jsx'],
  ['.jsx', 'jsx'],
  ['.ts', 'ts'],
  ['.mts', 'ts'],
  ['.cts', 'ts'],
  ['.tsx', 'tsx'],
]);

/** File extensions the analyzer reads. */
export const SOURCE_EXTENSIONS: readonly string[] = [...EXTENSION_LANGUAGE.keys()];

function extensionOf(filename: string): string {
  const slash = Math.max(filename.lastIndexOf('/'), filename.lastIndexOf('\\'));
  const dot = filename.lastIndexOf('.');
  return dot > slash ? filename.slice(dot).toLowerCase() : '';
}

/** The language a file name implies (JS files parse with JSX enabled, as bundlers do). */
export function languageOf(filename: string): Language {
  return EXTENSION_LANGUAGE.get(extensionOf(filename)) ?? 'jsx';
}

/** The source type a file name forces, or 'unambiguous' to detect it from import/export. */
export function sourceTypeOf(filename: string): SourceType | 'unambiguous' {
  const ext = extensionOf(filename);
  if (ext === '.mjs' || ext === '.mts') return 'module';
  if (ext === '.cjs') return 'script';
  return 'unambiguous';
}

export interface ParseFailure {
  message: string;
  line: number;
  column: number;
  /** The parser ran out of stack: the input is nested too deeply to analyse. */
  tooDeep: boolean;
}

/** Parses one file; returns the AST or a failure with its 1-based location. */
export function parseSource(
  text: string,
  language: Language,
  sourceType: SourceType | 'unambiguous',
): { ast: File; failure?: undefined } | { ast?: undefined; failure: ParseFailure } {
  const plugins: ParserPlugin[] = [];
  // TypeScript code uses legacy decorators (parameter decorators included); JS the standard ones.
  if (language === 'ts' || language === 'tsx') plugins.push('typescript', 'decorators-legacy');
  else plugins.push(['decorators', { decoratorsBeforeExport: false, allowCallParenthesized: true }], 'decoratorAutoAccessors');
  if (language === 'jsx' || language === 'tsx') plugins.push('jsx');
  try {
    const ast = parse(text, {
      sourceType,
      plugins,
      allowReturnOutsideFunction: true,
      allowAwaitOutsideFunction: true,
      allowUndeclaredExports: true,
      allowNewTargetOutsideFunction: true,
      errorRecovery: false,
      attachComment: false,
      createParenthesizedExpressions: false,
    });
    return { ast };
  } catch (error) {
    if (error instanceof RangeError) {
      return { failure: { message: 'the code is nested too deeply to parse', line: 1, column: 1, tooDeep: true } };
    }
    const e = error as { message?: string; loc?: { line: number; column: number } };
    const message = String(e.message ?? error).replace(/\s*\(\d+:\d+\)$/, '');
    return {
      failure: { message, line: e.loc?.line ?? 1, column: (e.loc?.column ?? 0) + 1, tooDeep: false },
    };
  }
}
