// no-with: the `with` statement. It puts an object's properties in scope, so a bare name inside the
// block may read or call a property of any object the code can reach (`with (fn) constructor(...)`)
// and no static resolution of names can be trusted there. Strict mode forbids it; submitted code
// has no reason to use it.
import { defineRule } from '../analyzer/rule-api.js';
import type { Node } from '@babel/types';
import { abbreviate } from './_sandbox.js';

export default defineRule({
  id: 'no-with',
  meta: {
    type: 'problem',
    category: 'sandbox-integrity',
    description: 'Disallows the with statement, which hides which object a bare name reads.',
    defaults: { strict: 'error', audit: 'warn', recommended: 'error' },
    messages: {
      with: '`with ({{object}})` puts the properties of an object in scope: names inside it cannot be resolved statically.',
    },
  },
  create(context) {
    return {
      WithStatement(node: Node & { object: Node }) {
        context.report({ node, messageId: 'with', data: { object: abbreviate(context.text(node.object), 40) } });
      },
    };
  },
});
