// hidden-code: code placed where a reader does not look. A long run of spaces or tabs pushes the
// rest of a line off the right edge of the editor (GuardDog's "off-screen code"); an HTML-like
// comment (`<!--`, or `-->` at the start of a line) hides the rest of its line from Node and
// browsers in scripts while module parsers read it as code (SES rejects both for that reason); and
// in a file of ordinary short lines, an eval, Function, vm, shell or loader call far out at the end
// of one very long line is out of view too. Minified files, where every line is long, are left to
// minified-code.
import type { Node } from '@babel/types';
import { defineRule } from '../analyzer/rule-api.js';
import { classifyOffsets, execSink, positionFinder, preview } from './_obfuscation.js';
import { staticSpecifier } from './_modules.js';

/** Spaces or tabs that push what follows off screen. */
const MIN_RUN = 150;
/** Indentation this deep hides a line's code even with nothing before it. */
const MIN_INDENT = 400;
/** A call that starts past this column is out of view in an ordinary editor window. */
const FAR_COLUMN = 200;
/** Lines at least this long are "very long". */
const LONG_LINE = 300;
/** Text findings per file: past this many, more add nothing for a reviewer. */
const MAX_TEXT_REPORTS = 50;
/** Modules whose loading is worth hiding. */
const SENSITIVE_MODULES: ReadonlySet<string> = new Set([
  'child_process',
  'vm',
  'module',
  'worker_threads',
  'http',
  'https',
  'net',
  'dns',
  'tls',
  'dgram',
  'fs',
  'os',
]);

export default defineRule({
  id: 'hidden-code',
  meta: {
    type: 'problem',
    category: 'obfuscation',
    description:
      'Disallows code hidden off screen after a long whitespace run or at the end of a very long line, and HTML-like comments that hide code from some parsers.',
    defaults: { strict: 'error', audit: 'error', recommended: 'warn' },
    messages: {
      offscreen: 'Code continues after {{count}} {{what}} (from column {{from}}): `{{tail}}` is pushed out of view.',
      htmlComment: 'HTML-like comment `{{token}}` in code: scripts treat the rest of the line as a comment, module parsers as code.',
      longLine: '`{{call}}` starts at column {{column}} of a {{length}}-character line, out of view in a file of short lines.',
    },
  },
  create(context) {
    let shortFile = false;
    const reportedLines = new Set<number>();
    const checkCall = (node: Node): void => {
      const loc = node.loc;
      if (!shortFile || loc == null || loc.start.column < FAR_COLUMN) return;
      const line = loc.start.line;
      if (reportedLines.has(line)) return;
      const source = context.source;
      let lineEnd = source.indexOf('\n', node.start!);
      if (lineEnd === -1) lineEnd = source.length;
      const lineLength = lineEnd - (node.start! - loc.start.column);
      if (lineLength < LONG_LINE) return;
      // A long line of dense code is a minified line, not a hiding place.
      const lineText = context.source.slice(node.start! - loc.start.column, node.start!);
      if (statementMarks(lineText) >= 8) return;
      const sink = execSink(context, node);
      if (sink === null) return;
      if (TIMERS.has(sink.name) && context.foldStrings(sink.payload[0]!) === null) return;
      if (sink.kind === 'loader') {
        const specifiers = staticSpecifier(context, sink.payload[0]!);
        if (specifiers !== null && !specifiers.some((s) => SENSITIVE_MODULES.has(s.replace(/^node:/, '').split('/')[0]!))) return;
      }
      reportedLines.add(line);
      context.report({
        node,
        messageId: 'longLine',
        data: { call: preview(context.text(node), 50), column: loc.start.column + 1, length: lineLength },
      });
    };
    return {
      onSourceText(text: string) {
        // Line statistics without materialising the lines.
        let lines = 0;
        let long = 0;
        for (let start = 0; ; ) {
          lines++;
          const end = text.indexOf('\n', start);
          if ((end === -1 ? text.length : end) - start > 500) long++;
          if (end === -1) break;
          start = end + 1;
        }
        shortFile = text.length / lines <= 250 && (long < 2 || long < lines * 0.1);

        const candidates: { offset: number; kind: 'run' | 'open' | 'close'; count?: number; from?: number }[] = [];
        // Whitespace runs with code after them.
        // Spaces, tabs and the other Unicode spaces JavaScript accepts as whitespace.
        const runs = new RegExp(`[ \\t\\v\\f\\u00a0\\u1680\\u2000-\\u200a\\u202f\\u205f\\u3000]{${MIN_RUN},}(?=[^\\s])`, 'g');
        let match: RegExpExecArray | null;
        while ((match = runs.exec(text)) !== null) {
          const lineStart = text.lastIndexOf('\n', match.index) + 1;
          const before = text.slice(lineStart, match.index);
          if (before.trim() === '' && match[0].length < MIN_INDENT) continue;
          candidates.push({ offset: match.index + match[0].length, kind: 'run', count: match[0].length, from: match.index - lineStart + 1 });
          if (candidates.length > 1000) break;
        }
        // HTML-like comments.
        for (let i = text.indexOf('<!--'); i !== -1 && candidates.length < 2000; i = text.indexOf('<!--', i + 4)) candidates.push({ offset: i, kind: 'open' });
        for (let i = text.indexOf('-->'); i !== -1 && candidates.length < 2000; i = text.indexOf('-->', i + 3)) {
          const lineStart = text.lastIndexOf('\n', i) + 1;
          if (text.slice(lineStart, i).trim() === '') candidates.push({ offset: i, kind: 'close' });
        }
        if (candidates.length === 0) return;
        candidates.sort((a, b) => a.offset - b.offset);
        const regions = classifyOffsets(
          text,
          candidates.map((c) => c.offset),
        );
        const position = positionFinder(text);
        const commentLines = new Set<number>();
        let reports = 0;
        candidates.forEach((candidate, index) => {
          if (regions[index] !== 'code' || reports >= MAX_TEXT_REPORTS) return;
          const start = position(candidate.offset);
          // One finding per line and kind is enough to point at it.
          if (candidate.kind !== 'run') {
            if (commentLines.has(start.line)) return;
            commentLines.add(start.line);
          }
          reports++;
          if (candidate.kind === 'run') {
            let end = text.indexOf('\n', candidate.offset);
            if (end === -1) end = text.length;
            const tail = text.slice(candidate.offset, end).trim();
            if (tail.startsWith('//') || tail.startsWith('/*')) return;
            reportedLines.add(start.line);
            const run = text.slice(candidate.offset - candidate.count!, candidate.offset);
            const what = !/[^ ]/.test(run) ? 'spaces' : !/[^ \t]/.test(run) ? 'spaces and tabs' : 'blank characters (some of them Unicode spaces)';
            context.report({
              loc: { start },
              messageId: 'offscreen',
              data: { count: candidate.count!, what, from: candidate.from!, tail: preview(tail, 50) },
            });
          } else {
            context.report({
              loc: { start, end: { line: start.line, column: start.column + (candidate.kind === 'open' ? 4 : 3) } },
              messageId: 'htmlComment',
              data: { token: candidate.kind === 'open' ? '<!--' : '-->' },
            });
          }
        });
      },
      CallExpression: checkCall,
      OptionalCallExpression: checkCall,
      NewExpression: checkCall,
    };
  },
});

const TIMERS: ReadonlySet<string> = new Set(['setTimeout', 'setInterval', 'setImmediate', 'execScript']);

/** Statement punctuation (`;`, `{`, `}`) outside quoted text: how much code a line holds. */
function statementMarks(text: string): number {
  let count = 0;
  let quote = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (quote !== 0) {
      if (c === 92) i++;
      else if (c === quote) quote = 0;
    } else if (c === 39 || c === 34 || c === 96) quote = c;
    else if (c === 59 || c === 123 || c === 125) count++;
  }
  return count;
}
