// Engine rule: the file could not be read or parsed, so nothing in it was checked. Strict fails
// closed (a file that is not understood is not run); audit reports it as unscanned.
import { defineRule } from '../analyzer/rule-api.js';

export default defineRule({
  id: 'parse-failure',
  meta: {
    type: 'problem',
    category: 'meta',
    description: 'The file could not be decoded or parsed, so it was not analysed.',
    defaults: { strict: 'error', audit: 'warn', recommended: 'error' },
    messages: {
      syntax: 'File not analysed: syntax error: {{message}}.',
      binary: 'File not analysed: binary content.',
      encoding: 'File not analysed: invalid encoding.',
      unreadable: 'File not analysed: it could not be read.',
    },
    engine: true,
  },
  create: () => ({}),
});
