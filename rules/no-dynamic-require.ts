// no-dynamic-require: a module loaded by a name computed at run time. Static analysis, the
// policy's module grants and the import gateway can only reason about specifiers they can see;
// `require(x)` loads whatever `x` turns out to be (a built-in the policy does not grant, a file
// the script wrote itself). Every spelling of the loader counts: `require`, `module.require`,
// `require.main.require`, `process.mainModule.require`, `createRequire(...)`, `Module._load`,
// `module.constructor._load`, `Module.prototype.require`, aliases, `.call`/`.apply`/`Reflect.apply`,
// and `require` handed to `arr.map(...)`. A specifier built from constants and the file's own
// location (`__dirname`, `path.join`, `new URL(c, import.meta.url)`) is constant.
import { defineRule } from '../analyzer/rule-api.js';
import type { Node } from '@babel/types';
import { unwrap } from '../analyzer/evaluate.js';
import { abbreviate, loaderCall, REQUIRE_PATHS, staticSpecifier } from './_modules.js';

/** Array methods that call their callback with each element. */
const ITERATION_METHODS: ReadonlySet<string> = new Set(['map', 'forEach', 'flatMap', 'filter', 'some', 'every', 'find', 'findIndex', 'reduce', 'then']);

export default defineRule({
  id: 'no-dynamic-require',
  meta: {
    type: 'problem',
    category: 'module-loading',
    description: 'Disallows require, Module._load and their aliases with a specifier that does not fold to a constant.',
    defaults: { strict: 'error', audit: 'warn', recommended: 'off' },
    messages: {
      dynamic: '`{{loader}}` loads a module whose name is computed at run time (`{{specifier}}`){{via}}.',
      unknownArguments: '`{{loader}}` is called with arguments that cannot be known statically{{via}}.',
      callback: '`require` is passed as a callback to `{{method}}`, so it loads names computed at run time.',
    },
  },
  create(context) {
    const checkCall = (node: Node): void => {
      const loader = loaderCall(context, node);
      if (loader === null || loader.kind !== 'require') return;
      const via = loader.via === 'direct' ? '' : ` (called through ${loader.via})`;
      if (loader.specifier === null) {
        context.report({ node, messageId: 'unknownArguments', data: { loader: loader.name, via } });
        return;
      }
      if (staticSpecifier(context, loader.specifier) !== null) return;
      context.report({ node, messageId: 'dynamic', data: { loader: loader.name, specifier: abbreviate(context.text(loader.specifier)), via } });
    };

    /** `names.map(require)`: require called by an iteration method. */
    const checkCallback = (node: Node & { arguments: Node[]; callee: Node }): void => {
      const callee = unwrap(node.callee);
      if (callee.type !== 'MemberExpression' && callee.type !== 'OptionalMemberExpression') return;
      const keys = context.memberKeys(callee);
      if (keys === null || keys.length !== 1 || !ITERATION_METHODS.has(keys[0]!)) return;
      const method = keys[0]!;
      for (const arg of node.arguments) {
        if (arg.type === 'SpreadElement') continue;
        const inner = unwrap(arg);
        if (inner.type !== 'Identifier' && inner.type !== 'MemberExpression' && inner.type !== 'OptionalMemberExpression' && inner.type !== 'CallExpression') continue;
        const values = context.values(inner);
        let isLoader = false;
        for (const v of values) if (REQUIRE_PATHS.has(v)) isLoader = true;
        if (!isLoader) continue;
        // `['a', 'b'].map(require)` loads constants.
        if (method !== 'then') {
          const receiver = context.fold(callee.object);
          if (receiver !== null && receiver.values.every((r) => Array.isArray(r) && r.every((e) => typeof e === 'string'))) continue;
        }
        context.report({ node: arg, messageId: 'callback', data: { method } });
      }
    };

    const onCall = (node: Node & { arguments: Node[]; callee: Node }): void => {
      checkCall(node);
      if (node.arguments.length > 0) checkCallback(node);
    };
    return {
      CallExpression: onCall,
      OptionalCallExpression: onCall,
    };
  },
});
