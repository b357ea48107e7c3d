// Engine rule: an honoured `airlock-disable` directive that suppressed nothing. Stale directives
// would silently hide the next real finding on that line.
import { defineRule } from '../analyzer/rule-api.js';

export default defineRule({
  id: 'unused-suppression',
  meta: {
    type: 'suggestion',
    category: 'meta',
    description: 'Reports airlock-disable directives that suppress no finding.',
    defaults: { strict: 'off', audit: 'warn', recommended: 'warn' },
    messages: { unused: 'Unused airlock-disable directive.' },
    engine: true,
  },
  create: () => ({}),
});
