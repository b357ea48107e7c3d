// no-global-object (strict only): any access to the global object itself: `globalThis`, `window`,
// `self`, `global`, `frames`, `top`, `parent`, top-level `this` in a script, `this` in a sloppy
// function called without a receiver, and the results of `Function('return this')()` and
// `(0, eval)('this')`. The global object is the one value from which every capability of a realm
// can be looked up by a computed name (`globalThis[k]`), enumerated (`Object.keys(globalThis)`) or
// redefined, so code about to run in a sandbox should use the globals it needs by name
// (`Math.max`, `JSON.parse`), which the analysis can follow. `typeof window` feature tests only
// read a type string and are allowed. Building the function in `Function('return this')` is
// no-function-constructor's finding; calling it to get the global object is this rule's.
import { defineRule } from '../analyzer/rule-api.js';
import type { RuleContext } from '../analyzer/rule-api.js';
import type { Node } from '@babel/types';
import { GLOBAL_OBJECT_NAMES } from '../analyzer/evaluate.js';
import { abbreviate, isTypeofOperand, matchMemberKey, unwrap } from './_sandbox.js';

type AnyNode = Node & Record<string, any>;

export default defineRule({
  id: 'no-global-object',
  meta: {
    type: 'problem',
    category: 'sandbox-integrity',
    description: 'Disallows any access to the global object (globalThis, window, self, global, top-level this, Function("return this")()).',
    defaults: { strict: 'error', audit: 'off', recommended: 'off' },
    messages: {
      name: '`{{name}}` is the global object; use the globals you need by name (`Math`, `JSON`) instead of going through it.',
      this: '`this` here is the global object ({{why}}); use the globals you need by name.',
      result: '`{{text}}` evaluates to the global object.',
    },
  },
  create(context) {
    const call = (node: AnyNode): void => {
      if (!mayYieldGlobal(context, node)) return;
      if (!context.ownValues(node).has('globalThis')) return;
      context.report({ node, messageId: 'result', data: { text: abbreviate(context.text(node)) } });
    };
    return {
      Identifier(node: AnyNode) {
        if (!GLOBAL_OBJECT_NAMES.has(node.name) || context.resolve(node as never) !== null) return;
        if (isTypeofOperand(context, node)) return;
        context.report({ node, messageId: 'name', data: { name: node.name } });
      },
      ThisExpression(node: AnyNode) {
        if (context.sourceType === 'module' || !context.values(node).has('globalThis')) return;
        const why = isTopLevel(context, node) ? 'the top level of a script' : 'a sloppy-mode function called without a receiver';
        context.report({ node, messageId: 'this', data: { why } });
      },
      CallExpression: call,
      OptionalCallExpression: call,
    };
  },
});

const INVOKE_KEYS: ReadonlySet<string> = new Set(['call', 'apply', 'bind', 'eval']);

/**
 * A cheap shape test before asking the evaluator: only calls of a constructed function
 * (`Function(...)()`), of `.call`/`.apply`, of an alias bound from an expression, or of `eval`
 * can evaluate to the global object.
 */
function mayYieldGlobal(context: RuleContext<string>, node: AnyNode): boolean {
  const callee = unwrap(node.callee) as AnyNode;
  switch (callee.type) {
    case 'CallExpression':
    case 'NewExpression':
    case 'OptionalCallExpression':
    case 'SequenceExpression':
      return true;
    case 'MemberExpression':
    case 'OptionalMemberExpression':
      return matchMemberKey(context, callee, INVOKE_KEYS) !== null;
    case 'Identifier': {
      const binding = context.resolve(callee as never);
      if (binding === null) return callee.name === 'eval';
      if (binding === undefined) return false;
      return (binding.kind === 'const' || binding.kind === 'let' || binding.kind === 'var') && binding.init !== null;
    }
    default:
      return false;
  }
}

function isTopLevel(context: { parentOf(node: Node): Node | null }, node: Node): boolean {
  for (let p = context.parentOf(node); p !== null; p = context.parentOf(p)) {
    if (p.type === 'FunctionExpression' || p.type === 'FunctionDeclaration') return false;
  }
  return true;
}
