import rule from '../../rules/inline-suppression-ignored.js';
import { ruleTester } from '../rule-tester.js';

ruleTester(rule, {
  valid: [
    '// an ordinary comment about airlock\nconst x = 1',
    { code: '// airlock-disable-next-line no-eval -- trusted\nx()', profile: 'recommended' },
  ],
  invalid: [
    { code: '// airlock-disable-next-line no-eval -- trust me\neval(code)', errors: [{ messageId: 'ignored', line: 1, column: 1 }] },
    { code: 'x(); /* airlock-disable */', errors: [{ messageId: 'ignored', line: 1, column: 6 }] },
    { code: 'eval(code) // airlock-disable-line', errors: [{ messageId: 'ignored', line: 1, column: 12 }] },
  ],
});
