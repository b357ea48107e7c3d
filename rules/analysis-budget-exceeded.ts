// Engine rule: the file is beyond the analysis budget (size, syntax nodes, nesting depth). The
// analysis stops rather than hang or crash, and the file counts as unanalysed.
import { defineRule } from '../analyzer/rule-api.js';

export default defineRule({
  id: 'analysis-budget-exceeded',
  meta: {
    type: 'problem',
    category: 'meta',
    description: 'The file exceeds a size, syntax-node or nesting budget, so it was not fully analysed.',
    defaults: { strict: 'error', audit: 'warn', recommended: 'error' },
    messages: {
      size: 'File not analysed: it is over the size limit.',
      nodes: 'File not analysed: it has more syntax nodes than the limit.',
      nesting: 'Analysis stopped: the code is nested too deeply to analyse.',
    },
    engine: true,
  },
  create: () => ({}),
});
