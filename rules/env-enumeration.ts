// env-enumeration: whole-object use of `process.env`: serialising it (JSON.stringify, inspect,
// console.log), enumerating it (Object.keys/entries/values, for...in, rest destructuring), copying
// it (spread, Object.assign), passing it to other code or storing it, and computed reads whose key
// cannot be folded. Aliases are followed (`const e = process.env; JSON.stringify(e)`). Passing the
// environment on to a child process or worker (`{ env: process.env }`, `{ env: { ...process.env,
// X: '1' } }`, a copy used only as such an option) and existence checks are not reported.
import type { Node } from '@babel/types';
import { defineRule, type RuleContext } from '../analyzer/rule-api.js';
import { unwrap } from '../analyzer/evaluate.js';
import { logicalParent, propertyName, staticMemberName } from '../analyzer/taint.js';
import { TRANSPARENT_WRAPPERS } from '../analyzer/walk.js';
import { abbreviate, HOLE, symbolicStrings } from './_audit.js';

const SERIALIZERS: ReadonlySet<string> = new Set([
  'JSON.stringify',
  'module:util.inspect',
  'module:util.format',
  'console.log',
  'console.info',
  'console.warn',
  'console.error',
  'console.debug',
  'console.dir',
  'console.table',
  'module:querystring.stringify',
  'module:qs.stringify',
  'btoa',
  'encodeURIComponent',
  'String',
  'Buffer.from',
]);
const ENUMERATORS: ReadonlySet<string> = new Set([
  'Object.keys',
  'Object.entries',
  'Object.values',
  'Object.getOwnPropertyNames',
  'Object.getOwnPropertyDescriptors',
  'Reflect.ownKeys',
  'Object.fromEntries',
  'Array.from',
  'Object.getOwnPropertySymbols',
]);
const COPIERS: ReadonlySet<string> = new Set(['Object.assign', 'structuredClone', 'Object.create']);
const CHECKS: ReadonlySet<string> = new Set(['Object.hasOwn', 'Reflect.has', 'Object.prototype.hasOwnProperty', 'Object.isFrozen', 'Object.isExtensible']);
/** Calls that read one named property: specific reads when the key folds. */
const KEYED_READS: ReadonlySet<string> = new Set(['Reflect.get', 'Object.getOwnPropertyDescriptor', 'Reflect.getOwnPropertyDescriptor']);

/** Parents under which a whole-object use can happen (a cheap filter before anything else). */
const RELEVANT_PARENTS: ReadonlySet<string> = new Set([
  'CallExpression',
  'OptionalCallExpression',
  'NewExpression',
  'SpreadElement',
  'ForInStatement',
  'ForOfStatement',
  'ObjectProperty',
  'ArrayExpression',
  'AssignmentExpression',
  'ReturnStatement',
  'ArrowFunctionExpression',
  'ExportDefaultDeclaration',
  'VariableDeclarator',
  'MemberExpression',
  'OptionalMemberExpression',
]);

type MessageId = 'serialize' | 'enumerate' | 'spread' | 'passed' | 'unknownKey';

/** True when a variable holding an environment copy is only handed on as an `env` option or read key by key. */
function usedOnlyAsEnv(context: RuleContext, id: Node): boolean {
  if (id.type !== 'Identifier') return false;
  const binding = context.resolve(id);
  if (!binding || binding.references.length === 0) return false;
  return binding.references.every((reference) => {
    const { parent, key } = logicalParent(reference);
    if (parent === null) return false;
    if (parent.type === 'ObjectProperty' && key === 'value') return propertyName(context, parent) === 'env';
    if ((parent.type === 'MemberExpression' || parent.type === 'OptionalMemberExpression') && key === 'object') return true;
    if (parent.type === 'AssignmentExpression' && key === 'left') return true;
    return false;
  });
}

/** True when `node` (an object literal or copy call) ends up only as an `env` option. */
function flowsOnlyToEnvOption(context: RuleContext, node: Node): boolean {
  let { parent, key } = logicalParent(node);
  // cond ? { ...process.env, A: '1' } : { ...process.env }
  for (let hops = 0; hops < 4 && parent !== null && (parent.type === 'ConditionalExpression' || parent.type === 'LogicalExpression') && key !== 'test'; hops++) {
    ({ parent, key } = logicalParent(parent));
  }
  if (parent === null) return false;
  if (parent.type === 'ObjectProperty' && key === 'value') return propertyName(context, parent) === 'env';
  if (parent.type === 'VariableDeclarator' && key === 'init') return usedOnlyAsEnv(context, parent.id);
  if (parent.type === 'AssignmentExpression' && key === 'right') return usedOnlyAsEnv(context, parent.left) || context.values(parent.left).has('process.env');
  return false;
}

export default defineRule({
  id: 'env-enumeration',
  meta: {
    type: 'problem',
    category: 'environment',
    description: 'Reports whole-object use of process.env: serialising, enumerating, copying or passing it on, and reads with unknown keys.',
    defaults: { strict: 'error', audit: 'warn', recommended: 'off' },
    messages: {
      serialize: '`{{text}}` (the whole environment) is serialised by `{{callee}}`.',
      enumerate: '`{{text}}` (the whole environment) is enumerated{{how}}.',
      spread: '`{{text}}` (the whole environment) is copied{{how}}.',
      passed: '`{{text}}` (the whole environment) is {{how}}.',
      unknownKey: '`{{text}}` reads an environment variable whose name cannot be determined statically.',
    },
  },
  create(context) {
    const report = (node: Node, messageId: MessageId, how = '', callee = ''): void => {
      context.report({ node, messageId, data: { text: abbreviate(context.text(node), 40), how, callee } });
    };
    const isEnv = (node: Node): boolean => context.values(node).has('process.env');
    const check = (node: Node): void => {
      const direct = context.parentOf(node);
      if (direct === null || !(RELEVANT_PARENTS.has(direct.type) || TRANSPARENT_WRAPPERS.has(direct.type))) return;
      const { parent, key, child } = logicalParent(node);
      if (parent === null) return;
      switch (parent.type) {
        case 'CallExpression':
        case 'OptionalCallExpression':
        case 'NewExpression': {
          if (key !== 'arguments' || !isEnv(node)) return;
          const callee = context.callTarget(parent).callee;
          const names = [...callee];
          const name = names.find((n) => SERIALIZERS.has(n) || ENUMERATORS.has(n) || COPIERS.has(n) || CHECKS.has(n));
          const calleeNode = unwrap((parent as Node & { callee: Node }).callee);
          const method = staticMemberName(calleeNode);
          if (name !== undefined && CHECKS.has(name)) return;
          const keyed = names.find((n) => KEYED_READS.has(n));
          if (keyed !== undefined) {
            const args = (parent as Node & { arguments: Node[] }).arguments;
            if (args[0] === child && args[1] !== undefined && context.foldStrings(args[1]) !== null) return;
            if (args[0] === child) return report(node, 'unknownKey');
          }
          if ((method === 'call' || method === 'apply') && names.some((n) => n.endsWith('hasOwnProperty') || n.endsWith('propertyIsEnumerable'))) return;
          if (method === 'hasOwnProperty') return;
          if (name !== undefined && SERIALIZERS.has(name)) return report(node, 'serialize', '', name.replace(/^module:/, ''));
          if (name !== undefined && ENUMERATORS.has(name)) return report(node, 'enumerate', ` by \`${name}\``);
          if (name !== undefined && COPIERS.has(name)) {
            const args = (parent as Node & { arguments: Node[] }).arguments;
            if (name === 'Object.assign' && args[0] !== child && flowsOnlyToEnvOption(context, parent)) return;
            return report(node, 'spread', ` by \`${name}\``);
          }
          return report(node, 'passed', `passed to \`${abbreviate(context.text((parent as Node & { callee: Node }).callee), 40)}\``);
        }
        case 'SpreadElement': {
          if (!isEnv(node)) return;
          const container = logicalParent(parent).parent;
          if (container !== null && container.type === 'ObjectExpression' && flowsOnlyToEnvOption(context, container)) return;
          return report(node, 'spread', ' by a spread');
        }
        case 'ForInStatement':
          if (key === 'right' && isEnv(node)) report(node, 'enumerate', ' by `for...in`');
          return;
        case 'ForOfStatement':
          if (key === 'right' && isEnv(node)) report(node, 'enumerate', ' by `for...of`');
          return;
        case 'ObjectProperty':
          if (key !== 'value' || logicalParent(parent).parent?.type !== 'ObjectExpression' || !isEnv(node)) return;
          if (propertyName(context, parent) === 'env') return;
          return report(node, 'passed', `stored under \`${propertyName(context, parent) ?? '[computed]'}\``);
        case 'ArrayExpression':
          if (isEnv(node)) report(node, 'passed', 'stored in an array');
          return;
        case 'AssignmentExpression':
          // `process.env = saved` (tests restoring the environment) puts it back where it was.
          if (key === 'right' && isEnv(node) && parent.left.type !== 'Identifier' && !isEnv(parent.left)) report(node, 'passed', `stored in \`${abbreviate(context.text(parent.left), 30)}\``);
          return;
        case 'ReturnStatement':
        case 'ArrowFunctionExpression':
          if ((key === 'argument' || key === 'body') && isEnv(node)) report(node, 'passed', 'returned');
          return;
        case 'ExportDefaultDeclaration':
          if (isEnv(node)) report(node, 'passed', 'exported');
          return;
        case 'VariableDeclarator': {
          // const { A, ...rest } = process.env
          if (key !== 'init' || parent.id.type !== 'ObjectPattern') return;
          if (!parent.id.properties.some((p) => p.type === 'RestElement') || !isEnv(node)) return;
          return report(node, 'enumerate', ' by rest destructuring');
        }
        case 'MemberExpression':
        case 'OptionalMemberExpression': {
          if (key !== 'object' || !(parent as Node & { computed: boolean }).computed) return;
          if (!isEnv(node)) return;
          if (context.memberKeys(parent) !== null) return;
          const outer = logicalParent(parent);
          if (outer.parent?.type === 'UnaryExpression' && outer.parent.operator === 'delete') return;
          // `process.env[key] = value` writes one variable (dotenv); it reads nothing.
          if (outer.parent?.type === 'AssignmentExpression' && outer.key === 'left' && outer.parent.operator === '=') return;
          // A key with a known prefix (`npm_config_${name}`) reads one family of variables.
          const keys = symbolicStrings(context, (parent as Node & { property: Node }).property);
          if (keys.every((k) => k.indexOf(HOLE) >= 3 || !k.includes(HOLE))) return;
          return report(parent, 'unknownKey');
        }
        default:
          return;
      }
    };
    return {
      Identifier: check,
      MemberExpression: check,
      OptionalMemberExpression: check,
      CallExpression: check,
      AwaitExpression: check,
    };
  },
});
