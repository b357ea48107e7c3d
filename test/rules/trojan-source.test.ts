import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import rule from '../../rules/trojan-source.js';
import { ruleTester } from '../rule-tester.js';
import { analyze } from '../../analyzer/engine.js';
import { resolvePolicy } from '../../policy/index.js';

// Test inputs are written with escapes so that this file itself holds no such characters.
const RLO = '\u202e';
const LRI = '\u2066';
const PDI = '\u2069';
const ZWSP = '\u200b';
const HANGUL_FILLER = '\u3164';
const VARIATION = Array.from({ length: 24 }, (_, i) => String.fromCodePoint(0xe0100 + i)).join('');

ruleTester(rule, {
  valid: [
    'const plain = "ascii only"; // comment',
    // Escapes are text, not the characters themselves.
    "const rlo = '\\u202e'; const zw = '\\u200b';",
    // Direction marks inside right-to-left text are typography.
    'const label = "\u05e9\u05dc\u05d5\u05dd\u200f!";',
    'const ar = "\u0645\u0631\u062d\u0628\u0627\u200e 123";',
    // Emoji sequences: zero-width joiners, variation selectors, a subdivision flag's tag characters.
    'const family = "\u{1F468}\u200d\u{1F469}\u200d\u{1F467}"; const heart = "\u2764\ufe0f";',
    'const england = "\u{1F3F4}\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E007F}";',
    // Persian text with a zero-width non-joiner; a zero-width space in a comment or string.
    'const fa = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"; // see\u200b notes',
    `const s = "a${ZWSP}b";`,
    // Identifiers in one script, Greek letters in maths, non-confusable mixes.
    'const \u043f\u0440\u0438\u0432\u0435\u0442 = 1; const \u0394t = 0.1; const \u03b8Max = 2; const \u03c3 = 1; const \u03bd = c / \u03bb;',
    'const caf\u00e9 = 1; const na\u00efve = true;',
    // Icon-font glyphs (private use) one at a time.
    'const icons = { user: "\uf007", home: "\uf015", gear: "\uf013\uf013" };',
  ],
  invalid: [
    {
      name: 'stretched string (CVE-2021-42574)',
      code: `const accessLevel = "user";\nif (accessLevel != "user${RLO} ${LRI}// Check if admin${PDI} ${LRI}") {\n  console.log("You are an admin.");\n}`,
      errors: [{ messageId: 'bidi', line: 2, column: 25, message: 'U+202E RIGHT-TO-LEFT OVERRIDE (column 25)' }],
    },
    {
      name: 'commenting-out',
      code: `let isAdmin = false;\n/*${RLO} } ${LRI}if (isAdmin)${PDI} ${LRI} begin admins only */\n  console.log("admin");\n/* end admins only ${RLO} { ${LRI}*/\n`,
      errors: [
        { messageId: 'bidi', line: 2, column: 3, message: 'in a comment' },
        { messageId: 'bidi', line: 4, column: 20 },
      ],
    },
    {
      name: 'a bidi mark outside right-to-left text',
      code: 'const role = "admin\u200e";',
      errors: [{ messageId: 'bidi', line: 1, column: 20, message: 'LEFT-TO-RIGHT MARK' }],
    },
    {
      name: 'invisible identifier (Hangul filler)',
      code: `const { timeout, ${HANGUL_FILLER} } = req.query;\nexec(${HANGUL_FILLER});`,
      errors: [
        { messageId: 'invisible', line: 1, column: 18, message: 'HANGUL FILLER' },
        { messageId: 'invisible', line: 2, column: 6 },
      ],
    },
    {
      name: 'a zero-width joiner makes a second identifier that looks like the first',
      code: 'const isAdmin = false;\nconst is\u200dAdmin = true;\nif (is\u200dAdmin) grant();',
      errors: [
        { messageId: 'invisible', line: 2, column: 9, message: 'identifier `is\\u{200d}Admin`' },
        { messageId: 'invisible', line: 3, column: 7 },
      ],
    },
    {
      name: 'payload hidden in variation selectors',
      code: `const s = "${VARIATION}";\neval(decode(s));`,
      errors: [{ messageId: 'hiddenData', line: 1, column: 12, message: '24 invisible characters' }],
    },
    {
      name: 'a payload in private-use characters',
      code: `const blob = '${Array.from({ length: 40 }, (_, i) => String.fromCharCode(0xe000 + i)).join('')}';`,
      errors: [{ messageId: 'hiddenData', line: 1, column: 15, message: '40 invisible characters (private-use characters)' }],
    },
    {
      name: 'tag characters in a template',
      code: 'const t = `x\u{E0065}\u{E0076}\u{E0061}\u{E006C}\u{E0028}\u{E0031}\u{E0029}\u{E003B}`;',
      errors: [{ messageId: 'hiddenData', line: 1, column: 13, message: 'template literal' }],
    },
    {
      code: 'const r\u0435quire = (m) => m;',
      errors: [{ messageId: 'homoglyph', line: 1, column: 7, message: 'imitates `require`' }],
    },
    {
      code: 'const \u0435\u0445\u0435\u0441 = run;\n\u0435\u0445\u0435\u0441(cmd);',
      errors: [{ messageId: 'spoofedName', line: 1, column: 7, message: 'imitates `exec`' }],
    },
    {
      name: 'whole-script look-alike of a name used in the file',
      code: 'const \u0440\u0430\u0443 = 1;\nconst pay = 2;',
      errors: [{ messageId: 'spoofedName', line: 1, column: 7, message: '`pay`' }],
    },
    {
      code: 'const \uff45\uff56\uff41\uff4c = globalThis.eval;',
      errors: [{ messageId: 'spoofedName', line: 1, column: 7, message: 'fullwidth' }],
    },
    {
      code: 'const \u03bfptions = {};',
      errors: [{ messageId: 'homoglyph', line: 1, column: 7, message: 'Greek' }],
    },
  ],
});

describe('trojan-source on files that do not parse', () => {
  it('still reports the exact position', () => {
    const report = analyze(`const ok = 1;\nconst a${ZWSP}b = 1;`, { policy: resolvePolicy({ profile: 'strict' }), rules: [rule] });
    const mine = report.findings.filter((f) => f.ruleId === rule.id);
    assert.deepEqual(mine.map((f) => `${f.messageId}@${f.line}:${f.column}`), ['invisible@2:8']);
    assert.ok(report.findings.some((f) => f.fatal), 'the parse failure is reported too');
  });
});

describe('trojan-source severity', () => {
  it('is an error for bidi controls and a warning for look-alike identifiers in every profile', () => {
    for (const profile of ['strict', 'audit', 'recommended'] as const) {
      const report = analyze(`const a = "x${RLO}";\nconst r\u0435quire = 1;`, { policy: resolvePolicy({ profile }), rules: [rule] });
      const mine = report.findings.filter((f) => f.ruleId === rule.id);
      assert.deepEqual(mine.map((f) => `${f.messageId}:${f.severity}`), ['bidi:error', 'homoglyph:warn'], profile);
    }
  });
});
