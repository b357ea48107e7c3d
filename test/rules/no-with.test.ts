import rule from '../../rules/no-with.js';
import { ruleTester } from '../rule-tester.js';

ruleTester(rule, {
  valid: [
    'const withItems = items.with(0, 1);',
    "const s = 'with (obj) {}'; // with (x) y",
    'obj.with = 1; function withDefaults(o) { return o; }',
  ],
  invalid: [
    { code: 'with (obj) { total += price; }', errors: [{ messageId: 'with', line: 1, column: 1 }] },
    {
      name: 'a bare constructor resolved through with',
      code: "with (fn) { constructor('return process')(); }",
      errors: [{ messageId: 'with', column: 1, message: 'with (fn)' }],
    },
    { code: 'function f(o) {\n  with (o) return a;\n}', errors: [{ messageId: 'with', line: 2, column: 3 }] },
  ],
});
