// A one-pass, conservative lexer that proves a JavaScript text is "plain": no `import` keyword (no
// import declaration, no `import()`, no `import.meta`), no `export`, no JSX and no top-level `await`.
// Plain CommonJS and scripts then skip the TypeScript transform (the bulk of real packages: lodash's
// 540 kB is a ~300 ms transpile here and a ~3 ms scan). It must never call a text plain that is not:
// when its reading could differ from the engine's (a `/` that may be a regex or a division after `}`,
// HTML-like comments, escapes in identifiers, anything unusual), it answers "not plain".

export interface SyntaxScan {
  /** True when the text provably has no import/export/JSX/top-level await (it can run as is). */
  plain: boolean;
  /** Why it is not plain (`import`, `export`, `jsx`, `await`, `unsure: ...`), for tests and logs. */
  reason: string | null;
}

/** Previous-token classes: whether a `/` here starts a regular expression or is a division. */
const enum Prev {
  /** Start, an operator, `(`, `[`, `{`, `,`, `;`, a keyword that precedes an expression: `/` is a regex, `<` is JSX. */
  ExpressionExpected,
  /** An identifier, a literal, `)`, `]`: `/` divides, `<` compares. */
  OperandEnded,
  /** `}`, `++`, `--`, `yield`, `await`, `of`: cannot tell without a parser. */
  Ambiguous,
}

/** Keywords after which an expression (so a regex) starts. */
const EXPRESSION_KEYWORDS: ReadonlySet<string> = new Set([
  'return', 'typeof', 'instanceof', 'in', 'new', 'delete', 'void', 'throw', 'case', 'do', 'else', 'extends',
]);
/** Words that are keywords or identifiers depending on context the scanner does not track. */
const AMBIGUOUS_WORDS: ReadonlySet<string> = new Set(['yield', 'await', 'of', 'let', 'async']);
/** Keywords whose parenthesised header is followed by a statement (so `) /re/` is a regex). */
const CONTROL_KEYWORDS: ReadonlySet<string> = new Set(['if', 'while', 'for', 'with']);

const NOT_PLAIN = (reason: string): SyntaxScan => ({ plain: false, reason });

function isLineTerminator(c: number): boolean {
  return c === 10 || c === 13 || c === 0x2028 || c === 0x2029;
}
function isAsciiWordChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 36;
}
const UNICODE_SPACE = /\s/;
function isSpace(c: number): boolean {
  if (c === 32 || c === 9 || c === 11 || c === 12) return true;
  return c > 127 && UNICODE_SPACE.test(String.fromCharCode(c));
}

/** Scans `source` (JavaScript, not TypeScript). A leading `#!` line must already be blanked. */
export function scanSyntax(source: string): SyntaxScan {
  const n = source.length;
  let i = 0;
  let prev = Prev.ExpressionExpected;
  let braceDepth = 0;
  /** For each open `(`: whether it opens an `if`/`while`/`for`/`with` header. */
  const parens: boolean[] = [];
  /** For each open template substitution `${`: the brace depth it started at. */
  const templates: number[] = [];
  let afterDot = false;
  let controlWord = false;
  let pendingNewline = false;

  // Scans a template from just after a backtick or a closing `}` of a substitution. Returns false when
  // the text ends inside it; true with i after the closing backtick, or after `${` (pushed on templates).
  const scanTemplate = (): boolean => {
    while (i < n) {
      const c = source.charCodeAt(i);
      if (c === 92) {
        i += 2;
        continue;
      }
      if (c === 96) {
        i++;
        prev = Prev.OperandEnded;
        return true;
      }
      if (c === 36 && source.charCodeAt(i + 1) === 123) {
        i += 2;
        templates.push(braceDepth);
        prev = Prev.ExpressionExpected;
        return true;
      }
      i++;
    }
    return false;
  };

  while (i < n) {
    const c = source.charCodeAt(i);
    if (isLineTerminator(c) || isSpace(c)) {
      if (isLineTerminator(c)) pendingNewline = true;
      i++;
      continue;
    }
    if (c === 47 /* / */ && source.charCodeAt(i + 1) === 47) {
      i += 2;
      while (i < n && !isLineTerminator(source.charCodeAt(i))) i++;
      continue;
    }
    if (c === 47 /* / */ && source.charCodeAt(i + 1) === 42) {
      const end = source.indexOf('*/', i + 2);
      if (end === -1) return NOT_PLAIN('unsure: unterminated comment');
      if (/[\n\r\u2028\u2029]/.test(source.slice(i + 2, end))) pendingNewline = true;
      i = end + 2;
      continue;
    }
    // A token starts here: was there a line break (in space or a comment) since the previous one?
    const newlineBefore = pendingNewline;
    pendingNewline = false;
    if (c === 47 /* / */) {
      if (prev === Prev.Ambiguous) return NOT_PLAIN('unsure: regex or division');
      if (prev === Prev.OperandEnded) {
        i++;
        prev = Prev.ExpressionExpected;
        afterDot = false;
        continue;
      }
      // A regular expression literal.
      i++;
      let inClass = false;
      for (;;) {
        if (i >= n) return NOT_PLAIN('unsure: unterminated regex');
        const r = source.charCodeAt(i);
        if (isLineTerminator(r)) return NOT_PLAIN('unsure: line break in regex');
        if (r === 92) {
          if (i + 1 >= n || isLineTerminator(source.charCodeAt(i + 1))) return NOT_PLAIN('unsure: regex escape');
          i += 2;
          continue;
        }
        i++;
        if (inClass) {
          if (r === 93) inClass = false;
        } else if (r === 91) {
          inClass = true;
        } else if (r === 47) {
          break;
        }
      }
      while (i < n && isAsciiWordChar(source.charCodeAt(i))) i++;
      prev = Prev.OperandEnded;
      afterDot = false;
      continue;
    }
    if (c === 39 || c === 34 /* ' " */) {
      i++;
      for (;;) {
        if (i >= n) return NOT_PLAIN('unsure: unterminated string');
        const s = source.charCodeAt(i);
        if (s === c) {
          i++;
          break;
        }
        if (s === 10 || s === 13) return NOT_PLAIN('unsure: line break in string');
        if (s === 92) {
          // An escape, including a line continuation (\ CR LF counts as one).
          if (source.charCodeAt(i + 1) === 13 && source.charCodeAt(i + 2) === 10) i += 3;
          else i += 2;
          continue;
        }
        i++;
      }
      prev = Prev.OperandEnded;
      afterDot = false;
      continue;
    }
    if (c === 96 /* ` */) {
      i++;
      if (!scanTemplate()) return NOT_PLAIN('unsure: unterminated template');
      afterDot = false;
      continue;
    }
    if (c === 125 /* } */) {
      if (templates.length > 0 && templates[templates.length - 1] === braceDepth) {
        templates.pop();
        i++;
        if (!scanTemplate()) return NOT_PLAIN('unsure: unterminated template');
        afterDot = false;
        continue;
      }
      braceDepth--;
      if (braceDepth < 0) return NOT_PLAIN('unsure: unbalanced braces');
      i++;
      prev = Prev.Ambiguous;
      afterDot = false;
      continue;
    }
    if (c === 123 /* { */) {
      braceDepth++;
      i++;
      prev = Prev.ExpressionExpected;
      afterDot = false;
      controlWord = false;
      continue;
    }
    if (c === 40 /* ( */) {
      parens.push(controlWord);
      controlWord = false;
      i++;
      prev = Prev.ExpressionExpected;
      afterDot = false;
      continue;
    }
    if (c === 41 /* ) */) {
      if (parens.length === 0) return NOT_PLAIN('unsure: unbalanced parentheses');
      prev = parens.pop() ? Prev.ExpressionExpected : Prev.OperandEnded;
      i++;
      afterDot = false;
      continue;
    }
    const afterControlWord: boolean = controlWord;
    controlWord = false;
    if (c === 93 /* ] */) {
      i++;
      prev = Prev.OperandEnded;
      afterDot = false;
      continue;
    }
    if ((c >= 48 && c <= 57) || (c === 46 && isDigit(source.charCodeAt(i + 1)))) {
      // A number: digits, letters (hex, exponent, BigInt n), `_` separators, `.`, and an exponent sign.
      // A hex literal's `e` is a digit: `0xe+x` adds, so its sign is not part of the number.
      const hex = c === 48 && (source.charCodeAt(i + 1) | 32) === 120;
      i++;
      while (i < n) {
        const d = source.charCodeAt(i);
        if (isAsciiWordChar(d) || d === 46) {
          i++;
        } else if (!hex && (d === 43 || d === 45) && (source.charCodeAt(i - 1) === 101 || source.charCodeAt(i - 1) === 69)) {
          i++;
        } else {
          break;
        }
      }
      prev = Prev.OperandEnded;
      afterDot = false;
      continue;
    }
    if (isAsciiWordChar(c) || c === 35 /* # */ || c === 92 || c > 127) {
      const start = i;
      if (c === 35) i++;
      while (i < n) {
        const w = source.charCodeAt(i);
        if (isAsciiWordChar(w)) i++;
        else if (w === 92) return NOT_PLAIN('unsure: escape in identifier');
        else if (w > 127 && !isSpace(w) && !isLineTerminator(w)) i++;
        else break;
      }
      const word = source.slice(start, i);
      // After `.` or `?.` a word is a property name (`x.import()`), never a keyword.
      if (!afterDot) {
        if (word === 'import') return NOT_PLAIN('import');
        if (word === 'export') return NOT_PLAIN('export');
        if (word === 'await' && braceDepth === 0) return NOT_PLAIN('await');
      }
      if (word === '#') return NOT_PLAIN('unsure: stray #');
      if (afterDot) {
        prev = Prev.OperandEnded;
      } else if (EXPRESSION_KEYWORDS.has(word)) {
        prev = Prev.ExpressionExpected;
      } else if (AMBIGUOUS_WORDS.has(word)) {
        prev = Prev.Ambiguous;
        // `for await (...)`: the header still belongs to `for`.
        controlWord = word === 'await' && afterControlWord;
      } else {
        prev = Prev.OperandEnded;
        controlWord = CONTROL_KEYWORDS.has(word);
      }
      afterDot = false;
      continue;
    }
    if (c === 46 /* . */) {
      if (source.charCodeAt(i + 1) === 46 && source.charCodeAt(i + 2) === 46) {
        i += 3;
        prev = Prev.ExpressionExpected;
        afterDot = false;
        continue;
      }
      i++;
      afterDot = true;
      prev = Prev.ExpressionExpected;
      continue;
    }
    if (c === 63 /* ? */ && source.charCodeAt(i + 1) === 46 && !isDigit(source.charCodeAt(i + 2))) {
      i += 2;
      afterDot = true;
      prev = Prev.ExpressionExpected;
      continue;
    }
    if (c === 60 /* < */) {
      if (source.startsWith('<!--', i)) return NOT_PLAIN('unsure: HTML-like comment');
      if (prev !== Prev.OperandEnded) return NOT_PLAIN('jsx');
      // A comparison or shift: `<`, `<=`, `<<`, `<<=` in one go.
      i++;
      while (source.charCodeAt(i) === 60 || source.charCodeAt(i) === 61) i++;
      prev = Prev.ExpressionExpected;
      afterDot = false;
      continue;
    }
    if (c === 43 || c === 45 /* + - */) {
      if (c === 45 && source.startsWith('-->', i)) return NOT_PLAIN('unsure: HTML-like comment');
      if (source.charCodeAt(i + 1) === c) {
        // `a++ /` divides; `++ /re/.lastIndex` (prefix, or after a line break: ASI) starts an expression.
        i += 2;
        if (prev === Prev.Ambiguous) prev = Prev.Ambiguous;
        else prev = prev === Prev.OperandEnded && !newlineBefore ? Prev.OperandEnded : Prev.ExpressionExpected;
        afterDot = false;
        continue;
      }
      i++;
      prev = Prev.ExpressionExpected;
      afterDot = false;
      continue;
    }
    if ('=!%&*,:;>?@^|~['.includes(source[i]!)) {
      i++;
      prev = Prev.ExpressionExpected;
      afterDot = false;
      continue;
    }
    return NOT_PLAIN(`unsure: character U+${c.toString(16).padStart(4, '0')}`);
  }
  if (templates.length > 0) return NOT_PLAIN('unsure: unterminated template');
  return { plain: true, reason: null };
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
