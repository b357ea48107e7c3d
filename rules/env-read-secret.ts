// env-read-secret: reads of environment variables whose names look like secrets (tokens, keys,
// passwords, cloud and CI credentials), however `process.env` is reached: aliases, destructuring,
// `process['env']`, folded keys. Configuration names (NODE_ENV, PORT, LOG_LEVEL, DEBUG, AWS_REGION,
// GITHUB_REF...) are not secrets. Writes (`process.env.TOKEN = x`) and deletions are not reads.
import type { Node } from '@babel/types';
import { defineRule } from '../analyzer/rule-api.js';
import { logicalParent, staticMemberName } from '../analyzer/taint.js';
import { envReadNames, isSecretEnvName } from './_audit.js';

export default defineRule({
  id: 'env-read-secret',
  meta: {
    type: 'suggestion',
    category: 'environment',
    description: 'Reports reads of environment variables whose names look like secrets (TOKEN, SECRET, KEY, PASS, AWS_, NPM_, GITHUB_, CI tokens).',
    defaults: { strict: 'warn', audit: 'info', recommended: 'off' },
    messages: {
      secret: 'Reads the secret-looking environment variable `{{name}}`.',
    },
  },
  create(context) {
    /**
     * Reads whose own value names the variable: Reflect.get(process.env, 'X'), descriptors, and
     * destructuring (`const { NPM_TOKEN } = process.env`).
     */
    const checkReached = (node: Node): void => {
      for (const value of context.ownValues(node)) {
        if (!value.startsWith('process.env.')) continue;
        const name = value.slice('process.env.'.length);
        if (!name.includes('.') && isSecretEnvName(name)) {
          context.report({ node, messageId: 'secret', data: { name } });
          return;
        }
      }
    };
    const checkMember = (node: Node & { object: Node }): void => {
      if (!context.values(node.object).has('process.env')) {
        if (staticMemberName(node) === 'value' && [...context.values(node.object)].some((v) => v.startsWith('descriptor:process.env.'))) checkReached(node);
        return;
      }
      const { parent, key } = logicalParent(node);
      if (parent !== null && parent.type === 'AssignmentExpression' && key === 'left') return;
      if (parent !== null && parent.type === 'UnaryExpression' && parent.operator === 'delete') return;
      const names = envReadNames(context, node);
      const secret = names?.find(isSecretEnvName);
      if (secret !== undefined) context.report({ node, messageId: 'secret', data: { name: secret } });
    };
    return {
      MemberExpression: checkMember,
      OptionalMemberExpression: checkMember,
      ObjectProperty: checkReached,
      CallExpression: (node: Node & { callee: Node }) => {
        const values = context.values(node.callee);
        if (values.has('Reflect.get')) checkReached(node);
      },
    };
  },
});
