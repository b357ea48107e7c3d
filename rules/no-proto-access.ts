// no-proto-access: `__proto__` and the legacy accessor methods `__defineGetter__`,
// `__defineSetter__`, `__lookupGetter__`, `__lookupSetter__`. They are Object.prototype members
// that sandbox escapes lean on: `__proto__` walks from any object (a host proxy, an error) to the
// prototypes behind it, `({}).__lookupGetter__('__proto__')` extracts the prototype getter as a
// function that can then be applied to objects the sandbox never saw, and `__defineGetter__`
// plants getters on shared prototypes. `Object.getPrototypeOf` / `Object.defineProperty` do the
// legitimate jobs and are what the other rules reason about.
//
// Allowed: `{ __proto__: null }` and `{ __proto__: { ... } }` literals (the null-prototype
// idiom), and the shape of a get/setPrototypeOf polyfill (`function (o, p) { o.__proto__ = p }`),
// which TypeScript's and Babel's helpers emit and which is exactly Object.setPrototypeOf.
import { defineRule } from '../analyzer/rule-api.js';
import type { RuleContext } from '../analyzer/rule-api.js';
import type { Node } from '@babel/types';
import { abbreviate, isInertUse, isMember, keyStrings, matchMemberKey, matchPropertyKey, reflectCall, unwrap, usageParent, FUNCTION_TYPES } from './_sandbox.js';

type AnyNode = Node & Record<string, any>;

const PROTO_KEYS: ReadonlySet<string> = new Set(['__proto__', '__defineGetter__', '__defineSetter__', '__lookupGetter__', '__lookupSetter__']);
const PROTO: ReadonlySet<string> = new Set(['__proto__']);

export default defineRule({
  id: 'no-proto-access',
  meta: {
    type: 'problem',
    category: 'sandbox-integrity',
    description: 'Disallows __proto__ and the legacy __defineGetter__/__defineSetter__/__lookupGetter__/__lookupSetter__ methods.',
    defaults: { strict: 'error', audit: 'warn', recommended: 'warn' },
    messages: {
      proto: '`{{text}}` {{verb}} `__proto__`{{how}}; use Object.getPrototypeOf / Object.setPrototypeOf (or Object.create) instead.',
      accessor: '`{{text}}` uses the legacy `{{key}}` method{{how}}; it extracts or plants accessors on any object, prototypes included. Use Object.defineProperty / Object.getOwnPropertyDescriptor.',
      global: 'The bare name `{{key}}` reaches Object.prototype.{{key}} through the global object.',
      destructure: 'Destructuring `{{key}}` ({{text}}) reads it from Object.prototype.',
      literal: '`__proto__: {{text}}` makes an object inherit from a value that is not a plain literal; use Object.create() so the prototype is explicit.',
      reflect: '`{{text}}` reaches `{{key}}` through reflection.',
    },
  },
  create(context) {
    const member = (node: AnyNode): void => {
      const key = matchMemberKey(context, node, PROTO_KEYS);
      if (key === null) return;
      // `a.__proto__.__proto__`: one finding, where the walk starts.
      const object = unwrap(node.object) as AnyNode;
      if (isMember(object) && matchMemberKey(context, object, PROTO) !== null) return;
      const how = node.computed && unwrap(node.property).type !== 'StringLiteral' ? ` (the key folds to '${key}')` : '';
      const text = abbreviate(context.text(node));
      if (key !== '__proto__') {
        context.report({ node, messageId: 'accessor', data: { text, key, how } });
        return;
      }
      if (isPrototypePolyfill(context, node)) return;
      const { parent, child } = usageParent(context, node);
      const write = parent !== null && parent.type === 'AssignmentExpression' && (parent as AnyNode).left === child;
      // `[].__proto__ === Array.prototype` feature tests only compare.
      if (!write && isInertUse(context, node, false)) return;
      context.report({ node, messageId: 'proto', data: { text, how, verb: write ? 'sets' : 'reads' } });
    };
    const call = (node: AnyNode): void => {
      const reflect = reflectCall(context, node);
      if (reflect === null || reflect.key === undefined) return;
      if (reflect.op !== 'get' && reflect.op !== 'set' && reflect.op !== 'descriptor' && reflect.op !== 'define' && reflect.op !== 'delete') return;
      const keys = keyStrings(context, reflect.key);
      if (keys === null) return;
      const key = keys.find((k) => PROTO_KEYS.has(k));
      if (key === undefined) return;
      context.report({ node, messageId: 'reflect', data: { text: abbreviate(context.text(node)), key } });
    };
    return {
      MemberExpression: member,
      OptionalMemberExpression: member,
      CallExpression: call,
      OptionalCallExpression: call,
      Identifier(node: AnyNode) {
        if (!PROTO_KEYS.has(node.name) || context.resolve(node as never) !== null) return;
        context.report({ node, messageId: 'global', data: { key: node.name } });
      },
      ObjectProperty(node: AnyNode) {
        const parent = context.parentOf(node);
        if (parent?.type === 'ObjectPattern') {
          const key = matchPropertyKey(context, node, PROTO_KEYS);
          if (key !== null) context.report({ node, messageId: 'destructure', data: { key, text: abbreviate(context.text(node)) } });
          return;
        }
        // `{ __proto__: value }` sets the prototype only with a plain, non-shorthand key.
        if (node.computed || node.shorthand) return;
        const key = node.key as AnyNode;
        const isProtoKey = (key.type === 'Identifier' && key.name === '__proto__') || (key.type === 'StringLiteral' && key.value === '__proto__');
        if (!isProtoKey) return;
        const value = unwrap(node.value) as AnyNode;
        if (value.type === 'NullLiteral' || value.type === 'ObjectExpression' || value.type === 'ArrayExpression') return;
        context.report({ node, messageId: 'literal', data: { text: abbreviate(context.text(node.value), 40) } });
      },
    };
  },
});

/**
 * `function (o, p) { o.__proto__ = p; }` and `function (o) { return o.__proto__ || ... }`: the
 * setPrototypeOf/getPrototypeOf fallbacks that compilers emit. They act on their own parameters,
 * exactly like the standard functions they stand in for.
 */
function isPrototypePolyfill(context: RuleContext<string>, node: AnyNode): boolean {
  const object = unwrap(node.object) as AnyNode;
  if (object.type !== 'Identifier') return false;
  let fn: AnyNode | null = null;
  for (let p = context.parentOf(node); p !== null; p = context.parentOf(p)) {
    if (FUNCTION_TYPES.has(p.type)) {
      fn = p as AnyNode;
      break;
    }
  }
  if (fn === null) return false;
  const params = fn.params as AnyNode[];
  if (params.length < 1 || params.length > 2 || params[0]!.type !== 'Identifier' || params[0]!.name !== object.name) return false;
  const binding = context.resolve(object as never);
  if (!binding || binding.kind !== 'param' || binding.declaration !== fn) return false;
  const { parent, child } = usageParent(context, node);
  if (parent === null) return false;
  const p = parent as AnyNode;
  if (p.type === 'AssignmentExpression' && p.left === child) {
    const value = unwrap(p.right) as AnyNode;
    return params.length === 2 && params[1]!.type === 'Identifier' && value.type === 'Identifier' && value.name === params[1]!.name;
  }
  // Reads: `return o.__proto__`, `o.__proto__ || Object.getPrototypeOf(o)`.
  return params.length === 1 && (p.type === 'ReturnStatement' || (p.type === 'LogicalExpression' && p.left === child));
}
