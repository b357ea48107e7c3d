// no-module-loader-tampering: changes to the module loader itself. Whoever rewrites
// `Module.prototype.require`, `Module._load`, `Module._resolveFilename`, `require.extensions`,
// `Module.wrapper` or the entries of `require.cache` decides what every later `require` in the
// process returns or how every later module is compiled: the classic way to backdoor other
// packages, hide from the analyzer, or swap a granted module for a dangerous one. Writes are
// found in every form: assignment (also compound and destructuring targets), `++`, `delete`,
// `Object.defineProperty`/`defineProperties`/`assign`/`setPrototypeOf`, `Reflect.set` /
// `defineProperty` / `deleteProperty`, array mutators on loader arrays, through any alias of
// `require`, `module`, `Module` (`module.constructor`, `require('module')`, `createRequire`).
// Registering loader hooks (`module.register`, `registerHooks`) is reported too.
import { defineRule } from '../analyzer/rule-api.js';
import type { RuleContext } from '../analyzer/rule-api.js';
import type { Node } from '@babel/types';
import type { Values } from '../analyzer/evaluate.js';
import { memberPath, unwrap } from '../analyzer/evaluate.js';
import { abbreviate, callTargetOf } from './_modules.js';

/** Call targets that write to their first argument (the key is the second, when there is one). */
const WRITERS: ReadonlyMap<string, { keyed: boolean; verb: string }> = new Map([
  ['Object.defineProperty', { keyed: true, verb: 'redefines' }],
  ['Reflect.defineProperty', { keyed: true, verb: 'redefines' }],
  ['Reflect.set', { keyed: true, verb: 'overwrites' }],
  ['Reflect.deleteProperty', { keyed: true, verb: 'deletes from' }],
  ['Object.defineProperties', { keyed: false, verb: 'redefines properties of' }],
  ['Object.assign', { keyed: false, verb: 'overwrites properties of' }],
  ['Object.setPrototypeOf', { keyed: false, verb: 'replaces the prototype of' }],
  ['Reflect.setPrototypeOf', { keyed: false, verb: 'replaces the prototype of' }],
]);
const HOOK_REGISTRARS: ReadonlySet<string> = new Set(['module:module.register', 'module:module.registerHooks']);
const ARRAY_MUTATORS: ReadonlySet<string> = new Set(['push', 'unshift', 'splice', 'pop', 'shift', 'fill', 'reverse', 'sort', 'copyWithin']);
const MAX_CHAIN = 6;

/** The loader-state path a written host path belongs to, or null. */
function loaderState(path: string, viaMember: boolean): string | null {
  if (path === 'require.cache' || path.startsWith('require.cache.')) return 'require.cache';
  if (path === 'require.extensions' || path.startsWith('require.extensions.')) return 'require.extensions';
  if (path === 'module:module') return 'Module';
  if (path.startsWith('module:module.')) {
    const [first, second] = path.slice('module:module.'.length).split('.');
    return first === 'prototype' && second !== undefined ? `Module.prototype.${second}` : `Module.${first}`;
  }
  // `module.require = ...`, `process.mainModule.require = ...`, `require.main = ...`.
  if (viaMember && path === 'require') return 'module.require';
  if (viaMember && path === 'module') return 'require.main';
  if (path === 'module._compile' || path === 'module.load') return path;
  return null;
}

function stateIn(values: Values, viaMember: boolean): string | null {
  for (const value of values) {
    const state = loaderState(value, viaMember);
    if (state !== null) return state;
  }
  return null;
}

export default defineRule({
  id: 'no-module-loader-tampering',
  meta: {
    type: 'problem',
    category: 'module-loading',
    description: 'Disallows writes to require.cache, require.extensions, Module internals and Module.prototype, and loader hook registration.',
    defaults: { strict: 'error', audit: 'error', recommended: 'error' },
    messages: {
      write: 'This {{verb}} `{{target}}` (the loader\'s `{{state}}`), changing what later `require` calls load.',
      remove: 'This deletes from `{{target}}` (the loader\'s `{{state}}`), forcing modules to be loaded again.',
      hooks: '`{{text}}` registers module loader hooks, which rewrite how every later module is resolved and loaded.',
    },
  },
  create(context) {
    const lenient = context.profile !== 'strict';
    /** The loader state a member expression writes into: itself or an object below it. */
    const writtenState = (member: Node): string | null => {
      let current: Node = member;
      let generic: string | null = null;
      for (let depth = 0; depth < MAX_CHAIN; depth++) {
        if (current.type !== 'MemberExpression' && current.type !== 'OptionalMemberExpression') {
          return stateIn(context.values(current), false) ?? generic;
        }
        if (context.memberKeys(current) !== null) {
          // `module.require` and `require.main` count only as the written member itself.
          const state = stateIn(context.values(current), depth === 0);
          if (state === 'module.require' || state === 'require.main') generic = state;
          else if (state !== null) return state;
        }
        current = unwrap((current as { object: Node }).object);
      }
      return generic;
    };

    const checkMember = (node: Node): void => {
      const kind = writeKind(context, node);
      if (kind === null || !mayReachLoader(node)) return;
      const state = writtenState(node);
      if (state === null) return;
      // Evicting one cache entry to load a module afresh is a common test idiom: a warning outside strict.
      const evictsOne = kind === 'delete' && state === 'require.cache' && lenient;
      if (kind === 'delete') context.report({ node, messageId: 'remove', data: { target: abbreviate(context.text(node)), state }, ...(evictsOne ? { severity: 'warn' as const } : {}) });
      else context.report({ node, messageId: 'write', data: { verb: kind, target: abbreviate(context.text(node)), state } });
    };

    const checkCall = (node: Node & { callee: Node; arguments: Node[] }): void => {
      const callee = unwrap(node.callee);
      if (callee.type !== 'MemberExpression' && callee.type !== 'Identifier' && callee.type !== 'OptionalMemberExpression') return;
      // Array mutators on loader arrays: `Module.wrapper.push(...)`, `Module.globalPaths.unshift(dir)`.
      if (callee.type !== 'Identifier') {
        const keys = context.memberKeys(callee);
        if (keys !== null && keys.length === 1 && ARRAY_MUTATORS.has(keys[0]!)) {
          const state = writtenState(unwrap(callee.object));
          if (state !== null) {
            context.report({ node, messageId: 'write', data: { verb: `calls \`${keys[0]}\` on`, target: abbreviate(context.text(callee.object)), state } });
          }
          return;
        }
      }
      const target = callTargetOf(context, node);
      for (const fn of target.callee) {
        if (HOOK_REGISTRARS.has(fn)) {
          context.report({ node, messageId: 'hooks', data: { text: abbreviate(context.text(node)) } });
          return;
        }
        const writer = WRITERS.get(fn);
        if (writer === undefined || target.args === null) continue;
        const object = target.args[0];
        if (object === undefined || object.type === 'SpreadElement') return;
        let state: string | null = null;
        let shown = context.text(object);
        const keyNode = writer.keyed ? target.args[1] : undefined;
        // The written property first (`defineProperty(Module, '_load', ...)` names Module._load), then the object.
        if (keyNode !== undefined && keyNode.type !== 'SpreadElement') {
          const keys = context.foldStrings(keyNode);
          if (keys !== null) {
            for (const objectValue of context.values(object)) {
              for (const key of keys) {
                state = loaderState(memberPath(objectValue, key), true);
                if (state !== null) {
                  shown = `${shown}.${key}`;
                  break;
                }
              }
              if (state !== null) break;
            }
          }
        }
        const objectState = unwrap(object).type === 'MemberExpression' ? writtenState(unwrap(object)) : stateIn(context.values(object), false);
        // `defineProperty(Module.prototype, 'require', ...)`: name it by the object, not the generic path.
        if (state === 'module.require' || state === 'require.main') state = objectState ?? state;
        state ??= objectState;
        if (state === null) return;
        const messageId = fn === 'Reflect.deleteProperty' ? 'remove' : 'write';
        context.report({ node, messageId, data: { verb: writer.verb, target: abbreviate(shown), state } });
        return;
      }
    };

    return {
      MemberExpression: checkMember,
      OptionalMemberExpression: checkMember,
      CallExpression: checkCall,
      OptionalCallExpression: checkCall,
    };
  },
});

/** Member names on the way to loader state; a written chain without any of them is skipped unevaluated. */
const LOADER_KEYS: ReadonlySet<string> = new Set(['cache', 'extensions', 'prototype', 'require', 'main', 'mainModule', 'constructor', 'wrap', 'wrapper', 'globalPaths', 'builtinModules', 'load', 'Module']);

/** Cheap pre-check: the written chain has a computed key, an underscore key or a loader key. */
function mayReachLoader(node: Node): boolean {
  let current: Node = node;
  for (let depth = 0; depth < MAX_CHAIN; depth++) {
    current = unwrap(current);
    // `alias.key = v`: the alias may be Module or require.cache itself; deeper plain chains are not.
    if (current.type !== 'MemberExpression' && current.type !== 'OptionalMemberExpression') return depth === 1 && current.type === 'Identifier';
    if (current.computed) return true;
    if (current.property.type === 'Identifier' && (current.property.name.startsWith('_') || LOADER_KEYS.has(current.property.name))) return true;
    current = current.object;
  }
  return true;
}

/** How a member expression is written: 'assigns', 'deletes', ... or null when it is only read. */
function writeKind(context: RuleContext, node: Node): string | null {
  let current = node;
  let parent = context.parentOf(current);
  // Type wrappers: `(require.cache as any)[k] = x`.
  while (parent !== null && (parent.type === 'TSAsExpression' || parent.type === 'TSNonNullExpression' || parent.type === 'TSSatisfiesExpression' || parent.type === 'TSTypeAssertion' || parent.type === 'ParenthesizedExpression')) {
    current = parent;
    parent = context.parentOf(current);
  }
  if (parent === null) return null;
  const key = context.parentKeyOf(current);
  switch (parent.type) {
    case 'AssignmentExpression':
      return key === 'left' ? 'assigns' : null;
    case 'UpdateExpression':
      return 'updates';
    case 'UnaryExpression':
      return parent.operator === 'delete' ? 'delete' : null;
    case 'ForInStatement':
    case 'ForOfStatement':
      return key === 'left' ? 'assigns' : null;
    case 'ObjectProperty':
    case 'ArrayPattern':
    case 'RestElement':
    case 'AssignmentPattern': {
      // A member expression inside a destructuring assignment target.
      if (parent.type === 'ObjectProperty' && key !== 'value') return null;
      if (parent.type === 'AssignmentPattern' && key !== 'left') return null;
      for (let p: Node | null = parent, hops = 0; p !== null && hops < 16; p = context.parentOf(p), hops++) {
        if (p.type === 'AssignmentExpression') return 'assigns';
        if (p.type === 'ForInStatement' || p.type === 'ForOfStatement') return 'assigns';
        if (p.type !== 'ObjectPattern' && p.type !== 'ArrayPattern' && p.type !== 'ObjectProperty' && p.type !== 'AssignmentPattern' && p.type !== 'RestElement') return null;
      }
      return null;
    }
    default:
      return null;
  }
}
