// trojan-source: text that displays differently from what the parser reads (CVE-2021-42574 and
// friends). Bidirectional controls reorder a line on screen, so a comment can appear to close
// before code that is really inside it, or a string can appear to end early; invisible and filler
// characters (zero-width spaces, Hangul fillers) make two identifiers look alike or hide one
// entirely; long runs of invisible characters inside a string carry a hidden payload (variation
// selectors, tag characters); and identifiers that mix Latin with look-alike Cyrillic or Greek
// letters spoof other names. The text check runs on the raw source, before parsing, so it also
// covers files that do not parse; positions are exact.
import type { Node } from '@babel/types';
import { defineRule } from '../analyzer/rule-api.js';
import {
  BIDI_MARKS,
  BIDI_REORDERING,
  RTL_LETTERS,
  SUSPICIOUS_CHARACTERS,
  classifyOffsets,
  describeCodePoint,
  isInvisible,
  isPrivateUse,
  positionFinder,
} from './_obfuscation.js';
import type { TextRegion } from './_obfuscation.js';

/** Text findings per file: past this many, more add nothing for a reviewer. */
const MAX_TEXT_REPORTS = 100;
/** A run of invisible characters inside a string at least this long is a hidden payload. */
const HIDDEN_RUN = 8;
/** The same for private-use characters, which icon fonts use one or two at a time. */
const PRIVATE_USE_RUN = 16;

/** Cyrillic and Greek letters that look like Latin ones, mapped to the letter they imitate. */
const CONFUSABLES: ReadonlyMap<string, string> = new Map(
  Object.entries({
    // Cyrillic
    а: 'a', е: 'e', о: 'o', р: 'p', с: 'c', у: 'y', х: 'x', ѕ: 's', і: 'i', ј: 'j', ԁ: 'd', һ: 'h', ԛ: 'q', ԝ: 'w', ѵ: 'v', ӏ: 'l', ɡ: 'g',
    А: 'A', В: 'B', Е: 'E', К: 'K', М: 'M', Н: 'H', О: 'O', Р: 'P', С: 'C', Т: 'T', Х: 'X', У: 'Y', Ѕ: 'S', І: 'I', Ј: 'J', Ԛ: 'Q', Ԝ: 'W',
    // Greek
    ο: 'o', ι: 'i', ν: 'v', ρ: 'p',
    Α: 'A', Β: 'B', Ε: 'E', Ζ: 'Z', Η: 'H', Ι: 'I', Κ: 'K', Μ: 'M', Ν: 'N', Ο: 'O', Ρ: 'P', Τ: 'T', Υ: 'Y', Χ: 'X',
  }),
);

/** Names worth spoofing even when the file does not use the original. */
const SENSITIVE_NAMES: ReadonlySet<string> = new Set([
  'eval',
  'require',
  'process',
  'exports',
  'module',
  'Function',
  'fetch',
  'console',
  'window',
  'document',
  'global',
  'globalThis',
  'exec',
  'spawn',
  'execSync',
  'import',
  'Buffer',
  'atob',
  'constructor',
]);

export default defineRule({
  id: 'trojan-source',
  meta: {
    type: 'problem',
    category: 'obfuscation',
    description:
      'Disallows bidirectional control characters, invisible or filler characters in code, hidden runs of invisible characters in strings, and identifiers that mix Latin with look-alike letters.',
    defaults: { strict: 'error', audit: 'error', recommended: 'error' },
    messages: {
      bidi: 'Bidirectional control character{{plural}} {{characters}} {{where}}: the line may display in a different order than it runs.',
      invisible: 'Invisible character{{plural}} {{characters}} in code{{identifier}}: names that look the same may differ.',
      hiddenData: '{{count}} invisible characters ({{characters}}) inside a {{region}}: data hidden in plain sight.',
      homoglyph: 'The identifier `{{name}}` mixes Latin with look-alike {{letters}}; it imitates `{{skeleton}}`.',
      spoofedName: 'The identifier `{{name}}` is written in look-alike {{letters}}; it imitates `{{skeleton}}`.',
    },
  },
  create(context) {
    let sourceText = '';
    let textReports = 0;
    let nonAscii = true;
    const reportedNames = new Set<string>();
    return {
      onSourceText(text: string) {
        sourceText = text;
        // eslint-disable-next-line no-control-regex
        nonAscii = /[^\u0000-\u007f]/.test(text);
        if (!nonAscii) return;
        SUSPICIOUS_CHARACTERS.lastIndex = 0;
        const offsets: number[] = [];
        const points: number[] = [];
        let match: RegExpExecArray | null;
        while ((match = SUSPICIOUS_CHARACTERS.exec(text)) !== null) {
          offsets.push(match.index);
          points.push(text.codePointAt(match.index)!);
          if (offsets.length > 100_000) break;
        }
        if (offsets.length === 0) return;
        const regions = classifyOffsets(text, offsets);
        const position = positionFinder(text);
        reportBidi(text, offsets, points, regions, position);
        reportInvisible(text, offsets, points, regions, position);
      },
      Identifier(node: Node & { name: string }) {
        if (!nonAscii) return;
        const name = node.name;
        let ascii = true;
        for (let i = 0; i < name.length; i++) {
          if (name.charCodeAt(i) > 127) {
            ascii = false;
            break;
          }
        }
        if (ascii || reportedNames.has(name)) return;
        const spoof = spoofOf(name);
        if (spoof === null) return;
        if (!spoof.mixed) {
          // A whole word in another script is a spoof only when it imitates a name that matters here.
          if (spoof.skeleton.length < 3) return;
          if (!SENSITIVE_NAMES.has(spoof.skeleton) && !new RegExp(`(^|[^\\w$])${spoof.skeleton.replace(/\$/g, '\\$')}($|[^\\w$])`).test(sourceText)) return;
        }
        reportedNames.add(name);
        context.report({
          node,
          messageId: spoof.mixed ? 'homoglyph' : 'spoofedName',
          severity: 'warn',
          data: { name, skeleton: spoof.skeleton, letters: spoof.letters },
        });
      },
    };

    function reportBidi(
      text: string,
      offsets: number[],
      points: number[],
      regions: TextRegion[],
      position: (offset: number) => { line: number; column: number },
    ): void {
      // One finding per line, at the first control, naming every control and its column.
      let i = 0;
      while (i < offsets.length) {
        const cp = points[i]!;
        if (!BIDI_REORDERING.has(cp) && !BIDI_MARKS.has(cp)) {
          i++;
          continue;
        }
        const start = position(offsets[i]!);
        const lineStart = offsets[i]! - (start.column - 1);
        let lineEnd = text.indexOf('\n', offsets[i]!);
        if (lineEnd === -1) lineEnd = text.length;
        const found: { cp: number; column: number; region: TextRegion }[] = [];
        let j = i;
        for (; j < offsets.length && offsets[j]! < lineEnd; j++) {
          const p = points[j]!;
          if (BIDI_REORDERING.has(p) || BIDI_MARKS.has(p)) found.push({ cp: p, column: offsets[j]! - lineStart + 1, region: regions[j]! });
        }
        i = j;
        // Direction marks next to right-to-left text are ordinary typography.
        const reorders = found.some((f) => BIDI_REORDERING.has(f.cp));
        if (!reorders && RTL_LETTERS.test(text.slice(lineStart, lineEnd))) continue;
        if (++textReports > MAX_TEXT_REPORTS) return;
        const shown = found.slice(0, 4).map((f) => `${describeCodePoint(f.cp)} (column ${f.column})`);
        if (found.length > 4) shown.push(`and ${found.length - 4} more`);
        const where = new Set(found.map((f) => f.region));
        context.report({
          loc: { start, end: { line: start.line, column: found[found.length - 1]!.column + 1 } },
          messageId: 'bidi',
          data: { plural: found.length > 1 ? 's' : '', characters: shown.join(', '), where: describeRegions(where) },
        });
      }
    }

    function reportInvisible(
      text: string,
      offsets: number[],
      points: number[],
      regions: TextRegion[],
      position: (offset: number) => { line: number; column: number },
    ): void {
      let i = 0;
      while (i < offsets.length) {
        const privateUse = isPrivateUse(points[i]!);
        if (!privateUse && !isInvisible(points[i]!)) {
          i++;
          continue;
        }
        // A run: invisible (or private-use) characters next to each other (surrogate pairs count two units).
        const same = privateUse ? isPrivateUse : isInvisible;
        let j = i + 1;
        let end = offsets[i]! + (points[i]! > 0xffff ? 2 : 1);
        while (j < offsets.length && offsets[j] === end && same(points[j]!)) {
          end += points[j]! > 0xffff ? 2 : 1;
          j++;
        }
        if (textReports > MAX_TEXT_REPORTS) return;
        const region = regions[i]!;
        const run = points.slice(i, j);
        const start = position(offsets[i]!);
        const kinds = [...new Set(run.map(describeCodePoint))];
        const characters = kinds.slice(0, 3).join(', ') + (kinds.length > 3 ? ', ...' : '');
        if (privateUse) {
          // Icon-font glyphs are private-use characters one at a time; a long run is a payload.
          if (region !== 'comment' && run.length >= PRIVATE_USE_RUN) {
            textReports++;
            context.report({
              loc: { start, end: position(end) },
              messageId: 'hiddenData',
              data: { count: run.length, characters: 'private-use characters', region: region === 'code' ? 'code' : region === 'regexp' ? 'regular expression' : region === 'template' ? 'template literal' : 'string' },
            });
          }
        } else if (region === 'code') {
          textReports++;
          const word = identifierAround(text, offsets[i]!, end);
          context.report({
            loc: { start, end: position(end) },
            messageId: 'invisible',
            data: { plural: run.length > 1 ? 's' : '', characters, identifier: word === null ? '' : ` (identifier \`${word}\`)` },
          });
        } else if ((region === 'string' || region === 'template' || region === 'regexp') && run.length >= HIDDEN_RUN && !emojiTagSequence(text, offsets[i]!, run)) {
          textReports++;
          context.report({
            loc: { start, end: position(end) },
            messageId: 'hiddenData',
            data: { count: run.length, characters, region: region === 'regexp' ? 'regular expression' : region === 'template' ? 'template literal' : 'string' },
          });
        }
        i = j;
      }
    }
  },
});

function describeRegions(regions: Set<TextRegion>): string {
  const names = [...regions].map((r) => (r === 'code' ? 'in code' : r === 'comment' ? 'in a comment' : r === 'regexp' ? 'in a regular expression' : 'in a string'));
  return [...new Set(names)].join(' and ');
}

/** The identifier-like word around an invisible run, with the invisible characters shown as escapes. */
function identifierAround(text: string, from: number, to: number): string | null {
  let a = from;
  let b = to;
  const word = /[\p{L}\p{N}_$\u200c\u200d\u3164\u115f\u1160\uffa0]/u;
  while (a > 0 && word.test(text[a - 1]!)) a--;
  while (b < text.length && word.test(text[b]!)) b++;
  if (b - a > 80) return null;
  const raw = text.slice(a, b);
  if (raw.length === 0) return null;
  // Only fillers (letters) and joiners belong to identifiers; a lone zero-width space is just there.
  if ([...raw].every((ch) => isInvisible(ch.codePointAt(0)!) && !/[\u3164\u115f\u1160\uffa0]/.test(ch))) return null;
  let out = '';
  for (const ch of raw) {
    const cp = ch.codePointAt(0)!;
    out += isInvisible(cp) ? `\\u{${cp.toString(16)}}` : ch;
  }
  return out;
}

/** Tag characters right after U+1F3F4 (a subdivision flag such as England's) are an emoji, not a payload. */
function emojiTagSequence(text: string, offset: number, run: number[]): boolean {
  return offset >= 2 && text.codePointAt(offset - 2) === 0x1f3f4 && run.length <= 12 && run.every((cp) => cp >= 0xe0020 && cp <= 0xe007f);
}

/** How an identifier spoofs a Latin name: its Latin skeleton, whether it mixes scripts, which letters. */
function spoofOf(name: string): { skeleton: string; mixed: boolean; letters: string } | null {
  let skeleton = '';
  let latin = false;
  let confusable = 0;
  let other = false;
  const scripts = new Set<string>();
  for (const ch of name) {
    const cp = ch.codePointAt(0)!;
    if (cp < 128) {
      if (/[A-Za-z]/.test(ch)) latin = true;
      skeleton += ch;
      continue;
    }
    const mapped = CONFUSABLES.get(ch);
    if (mapped !== undefined) {
      confusable++;
      scripts.add(cp >= 0x0370 && cp <= 0x03ff ? 'Greek' : 'Cyrillic');
      skeleton += mapped;
      continue;
    }
    // Fullwidth and mathematical letters normalise to ASCII.
    const normal = ch.normalize('NFKC');
    if (normal.length === 1 && /[A-Za-z0-9]/.test(normal)) {
      confusable++;
      scripts.add(cp >= 0xff00 && cp <= 0xffef ? 'fullwidth' : 'mathematical');
      skeleton += normal;
      continue;
    }
    other = true;
    skeleton += ch;
  }
  if (confusable === 0 || other) return null;
  const letters = `${[...scripts].join('/')} letter${confusable > 1 ? 's' : ''}`;
  return { skeleton, mixed: latin, letters };
}
