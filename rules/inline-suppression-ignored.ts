// Engine rule: an `airlock-disable` directive in code whose policy does not honour inline
// suppressions (untrusted code must not switch its own checks off). The directive is reported
// so that reviewers see the attempt.
import { defineRule } from '../analyzer/rule-api.js';

export default defineRule({
  id: 'inline-suppression-ignored',
  meta: {
    type: 'suggestion',
    category: 'meta',
    description: 'Reports airlock-disable directives that the policy does not honour.',
    defaults: { strict: 'warn', audit: 'info', recommended: 'off' },
    messages: { ignored: 'airlock-disable directive ignored: this policy does not honour inline suppressions.' },
    engine: true,
  },
  create: () => ({}),
});
