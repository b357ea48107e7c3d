import rule from '../../rules/analysis-budget-exceeded.js';
import { ruleTester } from '../rule-tester.js';

ruleTester(rule, {
  valid: ['const data = [[1, 2], [3, 4]]', { code: 'x = 1', policy: { limits: { maxSourceBytes: 5 } } }],
  invalid: [
    { code: 'const big = 1;', policy: { limits: { maxSourceBytes: 5 } }, errors: [{ messageId: 'size', line: 1, column: 1 }] },
    { code: 'a + b + c + d + e + f', policy: { limits: { maxAstNodes: 5 } }, errors: [{ messageId: 'nodes' }] },
    { code: `x = ${'['.repeat(60_000)}${']'.repeat(60_000)}`, name: '60,000 nested arrays', errors: [{ messageId: 'nesting' }] },
  ],
});
