// no-eval: any reference to the `eval` intrinsic, however it is reached. Direct and indirect
// calls, aliases (`const e = eval`), the global object with folded keys (`globalThis['ev'+'al']`),
// destructuring (`const { eval: e } = globalThis`), `Reflect.get`, property descriptors, optional
// calls and `(0, eval)(s)` all reach the same value, and each is reported once, where it appears.
import { defineRule } from '../analyzer/rule-api.js';
import type { Node } from '@babel/types';

export default defineRule({
  id: 'no-eval',
  meta: {
    type: 'problem',
    category: 'code-execution',
    description: 'Disallows every reference to eval, including aliases, global-object lookups and folded keys.',
    defaults: { strict: 'error', audit: 'warn', recommended: 'error' },
    messages: {
      eval: '`eval` runs a string as code{{how}}.',
    },
  },
  create(context) {
    const check = (node: Node): void => {
      if (!context.ownValues(node).has('eval')) return;
      const how =
        node.type === 'Identifier' ? '' : ` (reached as \`${abbreviate(context.text(node))}\`)`;
      context.report({ node, messageId: 'eval', data: { how } });
    };
    return {
      Identifier: check,
      MemberExpression: check,
      OptionalMemberExpression: check,
      CallExpression: check,
      OptionalCallExpression: check,
      ObjectProperty: check,
    };
  },
});

function abbreviate(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > 60 ? `${flat.slice(0, 57)}...` : flat;
}
