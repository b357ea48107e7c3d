import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import rule from '../../rules/minified-code.js';
import { ruleTester } from '../rule-tester.js';
import { analyze } from '../../analyzer/engine.js';
import { resolvePolicy } from '../../policy/index.js';
import { esbuildBundle, terserBundle } from '../fixtures/obfuscation/samples.js';

ruleTester(rule, {
  valid: [
    'function add(a, b) {\n  return a + b;\n}\nmodule.exports = { add };',
    // One long data line in a readable file.
    `const table = [${Array.from({ length: 200 }, (_, i) => i).join(', ')}];\nmodule.exports = table;`,
    // Long lines that are mostly whitespace-separated prose in a string.
    `const text = "${'lorem ipsum dolor sit amet '.repeat(40)}";`,
  ],
  invalid: [
    { name: 'terser output', code: terserBundle, errors: [{ messageId: 'minified', line: 1, column: 1, message: 'names have one or two characters' }] },
    { name: 'esbuild output', code: esbuildBundle, errors: [{ messageId: 'minified', line: 1, column: 1 }] },
  ],
});

describe('minified-code severity', () => {
  it('is information in strict and audit, and off in recommended', () => {
    for (const [profile, expected] of [['strict', ['info']], ['audit', ['info']], ['recommended', []]] as const) {
      const report = analyze(terserBundle, { policy: resolvePolicy({ profile }) });
      assert.deepEqual(report.findings.filter((f) => f.ruleId === rule.id).map((f) => f.severity), expected, profile);
      assert.ok(!report.findings.some((f) => f.ruleId === 'obfuscated-code'), 'minified is not obfuscated');
    }
  });
});
