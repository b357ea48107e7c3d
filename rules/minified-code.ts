// minified-code: an inventory note that a file is minified (very long lines, almost no whitespace,
// mostly one- or two-letter names). Minified is not malicious: bundlers and minifiers (webpack,
// esbuild, terser, rustdoc) produce it, and this rule never rejects. It tells a reviewer that the
// file cannot be read as written, and explains the context of other findings in it; the structural
// obfuscated-code rule is what looks for hiding.
import type { Node } from '@babel/types';
import { defineRule } from '../analyzer/rule-api.js';

/** A line this long is not written by hand. */
const LONG_LINE = 500;
/** Below this share of whitespace, text is packed. */
const PACKED_WHITESPACE = 0.08;
/** Average line length of a minified file. */
const LONG_AVERAGE = 150;

export default defineRule({
  id: 'minified-code',
  meta: {
    type: 'suggestion',
    category: 'obfuscation',
    description: 'Notes minified files (very long lines, little whitespace, short names); an inventory entry that never rejects.',
    defaults: { strict: 'info', audit: 'info', recommended: 'off' },
    messages: {
      minified:
        'Minified code: the longest line has {{longest}} characters, whitespace is {{whitespace}}% of the text{{names}}. Review the unminified source where possible.',
    },
  },
  create(context) {
    let candidate = false;
    let longest = 0;
    let whitespace = 0;
    let names = 0;
    let shortNames = 0;
    return {
      onSourceText(text: string) {
        let lines = 0;
        let start = 0;
        for (;;) {
          lines++;
          const end = text.indexOf('\n', start);
          const length = (end === -1 ? text.length : end) - start;
          if (length > longest) longest = length;
          if (end === -1) break;
          start = end + 1;
        }
        if (longest < LONG_LINE || text.length / lines < LONG_AVERAGE) return;
        let spaces = 0;
        for (let i = 0; i < text.length; i++) {
          const c = text.charCodeAt(i);
          if (c === 32 || c === 10 || c === 9 || c === 13) spaces++;
        }
        whitespace = spaces / text.length;
        candidate = whitespace < PACKED_WHITESPACE;
      },
      Identifier(node: Node & { name: string }, parent: Node | null) {
        if (!candidate) return;
        // Property names are kept by minifiers; count the names a minifier can choose.
        if (parent !== null && (parent.type === 'MemberExpression' || parent.type === 'OptionalMemberExpression') && !(parent as { computed: boolean }).computed && (parent as { property: Node }).property === node) return;
        if (parent !== null && parent.type === 'ObjectProperty' && (parent as { key: Node }).key === node) return;
        names++;
        if (node.name.length <= 2) shortNames++;
      },
      'Program:exit'() {
        if (!candidate) return;
        const share = names === 0 ? '' : `, and ${Math.round((shortNames / names) * 100)}% of ${names} names have one or two characters`;
        context.report({
          loc: { start: { line: 1, column: 1 } },
          messageId: 'minified',
          data: { longest, whitespace: (whitespace * 100).toFixed(1), names: share },
        });
      },
    };
  },
});
