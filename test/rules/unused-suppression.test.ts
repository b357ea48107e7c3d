import rule from '../../rules/unused-suppression.js';
import { ruleTester } from '../rule-tester.js';

ruleTester(rule, {
  valid: [
    { code: 'const x = 1', profile: 'recommended' },
    { code: '/* airlock-enable */ const x = 1', profile: 'recommended', name: 'a lone enable is not a suppression' },
  ],
  invalid: [
    {
      code: '// airlock-disable-next-line no-eval -- legacy\nconst total = 1 + 1;',
      profile: 'recommended',
      errors: [{ messageId: 'unused', line: 1, column: 1 }],
    },
  ],
});
