// Engine rule: analysis itself failed (a rule threw). The file is treated as unanalysed, so the
// verdict fails closed instead of passing code nobody checked.
import { defineRule } from '../analyzer/rule-api.js';

export default defineRule({
  id: 'internal-error',
  meta: {
    type: 'problem',
    category: 'meta',
    description: 'Analysis of the file failed inside airlock; the file counts as unanalysed.',
    defaults: { strict: 'error', audit: 'warn', recommended: 'error' },
    messages: {
      crash: 'Analysis failed.',
      ruleCrash: 'A rule failed on this code; the file is treated as unanalysed.',
    },
    engine: true,
  },
  create: () => ({}),
});
