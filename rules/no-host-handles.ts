// no-host-handles (strict): the host runtime's own handles. `process` in any form (process.env,
// process.exit, process.binding, process.mainModule), `require` other than called directly (its
// `.cache`, `.main`, `.resolve`, aliases, passing it around), `module` other than
// `module.exports`, webpack's `__non_webpack_require__` (the real Node loader behind a bundle, in
// any form), the `Deno` and `Bun` namespaces, and `arguments` outside any function of a script
// (the CommonJS wrapper's `exports, require, module, __filename, __dirname`).
// Each is a door out of any sandbox: `process.mainModule.require('child_process')`,
// `process.binding('spawn_sync')`, `module.constructor._load(...)`, `require.cache` rewriting.
// Direct `require('<constant>')` calls are the module-loading rules' business (no-dynamic-require,
// restricted-module), and `typeof process` feature tests only read a type string.
import { defineRule } from '../analyzer/rule-api.js';
import type { RuleContext } from '../analyzer/rule-api.js';
import type { Node } from '@babel/types';
import { abbreviate, isMember, isTypeofOperand, keyStrings, matchMemberKey, matchPropertyKey, pathRoot, reflectCall, usageParent } from './_sandbox.js';

type AnyNode = Node & Record<string, any>;

const HANDLE_NAMES: ReadonlySet<string> = new Set(['process', 'require', 'module', '__non_webpack_require__', 'Deno', 'Bun']);
const EXPORTS: ReadonlySet<string> = new Set(['exports']);

export default defineRule({
  id: 'no-host-handles',
  meta: {
    type: 'problem',
    category: 'sandbox-integrity',
    description: 'Disallows the host runtime handles: process, require other than direct calls, module other than module.exports, Deno, Bun.',
    defaults: { strict: 'error', audit: 'off', recommended: 'off' },
    messages: {
      process: '`{{text}}` uses the host `process` object, which reaches environment secrets, native bindings and the module loader.',
      require: '`{{text}}` uses `require` as a value; only direct `require(\'<name>\')` calls go through the module policy.',
      module: '`{{text}}` reaches the host module object beyond `module.exports` (its loader, parent, paths and cache).',
      runtime: '`{{text}}` uses the host runtime handle `{{name}}`.',
      indirect: '`{{text}}` reaches the host handle `{{path}}` through the global object.',
      wrapperArguments:
        '`arguments` outside any function is the CommonJS module wrapper\'s: `(exports, require, module, __filename, __dirname)`, the host loader included.',
    },
  },
  create(context) {
    const member = (node: AnyNode): void => {
      if (matchMemberKey(context, node, HANDLE_NAMES) === null) return;
      reportIndirect(context, node, context.ownValues(node), node.object);
    };
    const call = (node: AnyNode): void => {
      const reflect = reflectCall(context, node);
      if (reflect === null || (reflect.op !== 'get' && reflect.op !== 'descriptor')) return;
      const keys = keyStrings(context, reflect.key);
      if (keys === null || !keys.some((k) => HANDLE_NAMES.has(k))) return;
      reportIndirect(context, node, context.ownValues(node), reflect.target);
    };
    return {
      Identifier(node: AnyNode) {
        if (node.name === 'arguments') {
          // Outside every function, `arguments` is the CommonJS wrapper's (`arguments[1]` is require);
          // in an ES module it does not exist, unless the module is compiled to CommonJS first.
          if (context.resolve(node as never) === null && !isTypeofOperand(context, node)) {
            context.report({ node, messageId: 'wrapperArguments' });
          }
          return;
        }
        if (!HANDLE_NAMES.has(node.name) || context.resolve(node as never) !== null) return;
        checkName(context, node);
      },
      MemberExpression: member,
      OptionalMemberExpression: member,
      CallExpression: call,
      OptionalCallExpression: call,
      ObjectProperty(node: AnyNode) {
        if (context.parentOf(node)?.type !== 'ObjectPattern') return;
        if (matchPropertyKey(context, node, HANDLE_NAMES) === null) return;
        reportIndirect(context, node, context.ownValues(node), null);
      },
    };
  },
});

function checkName(context: RuleContext<string>, node: AnyNode): void {
  if (isTypeofOperand(context, node)) return;
  const { parent, child } = usageParent(context, node);
  const p = parent as AnyNode | null;
  const viaMember = p !== null && isMember(p) && p.object === child;
  const text = abbreviate(context.text(viaMember ? p! : node));
  switch (node.name) {
    case 'module':
      if (viaMember && matchMemberKey(context, p!, EXPORTS) !== null) return;
      context.report({ node, messageId: 'module', data: { text } });
      return;
    case 'require':
      // Direct calls are the module-loading rules'.
      if (p !== null && (p.type === 'CallExpression' || p.type === 'OptionalCallExpression') && p.callee === child) return;
      context.report({ node, messageId: 'require', data: { text } });
      return;
    case 'process':
      context.report({ node, messageId: 'process', data: { text } });
      return;
    default:
      context.report({ node, messageId: 'runtime', data: { text, name: node.name } });
  }
}

/** A handle reached from something that is not already a handle: `globalThis.process`, `Reflect.get(global, 'require')`. */
function reportIndirect(context: RuleContext<string>, node: AnyNode, values: ReadonlySet<string>, source: Node | null): void {
  let path: string | null = null;
  for (const v of values) {
    if (isHandlePath(v)) {
      path = v;
      break;
    }
  }
  if (path === null) return;
  if (source !== null) {
    for (const v of context.values(source)) if (isHandlePath(v)) return;
  }
  if (isTypeofOperand(context, node)) return;
  context.report({ node, messageId: 'indirect', data: { text: abbreviate(context.text(node)), path } });
}

function isHandlePath(path: string): boolean {
  const root = pathRoot(path);
  if (!HANDLE_NAMES.has(root)) return false;
  return !(root === 'module' && (path === 'module.exports' || path.startsWith('module.exports.')));
}
