// no-constructor-escape: reading `constructor` from a value. `x.constructor.constructor` is Function
// for every x, and Function turns strings into code that no analysis saw; from any object a host
// hands over (an error, a callback argument, a proxied built-in) the same climb reaches the host's
// Function. This is ADsafe's ban on `constructor`, relaxed for uses that cannot call or pass on the
// value: comparisons (`===`, `instanceof`), `.name`, `typeof`, truth tests, and the class idioms
// `new this.constructor(...)` / `this.constructor.defaults` inside instance members.
//
// It also reports the two ways of planting a constructor that engines read internally: defining
// `Symbol.species` (promise and array species escapes) and replacing `constructor` on an object
// that is not a prototype (`p.constructor = { [Symbol.species]: Fake }`).
import { defineRule } from '../analyzer/rule-api.js';
import type { RuleContext } from '../analyzer/rule-api.js';
import type { Node } from '@babel/types';
import {
  abbreviate,
  isInertUse,
  isMember,
  matchMemberKey,
  matchPropertyKey,
  reflectCall,
  keyStrings,
  unwrap,
  usageParent,
  thisOwner,
  declaredBinding,
  FUNCTION_PSEUDO_VALUES,
} from './_sandbox.js';

type AnyNode = Node & Record<string, any>;

const CONSTRUCTOR: ReadonlySet<string> = new Set(['constructor']);
/** Static members of a class that `this.constructor.<key>` may not reach even in class code. */
const CLIMB_KEYS: ReadonlySet<string> = new Set(['constructor', 'prototype', 'call', 'apply', 'bind', 'caller', 'arguments', '__proto__']);

export default defineRule({
  id: 'no-constructor-escape',
  meta: {
    type: 'problem',
    category: 'sandbox-integrity',
    description:
      'Disallows reading `constructor` from values (the first step to Function), except comparisons and `.name`; also Symbol.species and constructor replacement.',
    defaults: { strict: 'error', audit: 'off', recommended: 'off' },
    messages: {
      read: '`{{text}}` reads a constructor{{how}}; one more `.constructor` step reaches Function, which compiles strings into code. Compare it (`===`, `instanceof`) or read `.name` instead.',
      destructure: 'Destructuring `constructor` ({{text}}) reaches a constructor, and one step further Function.',
      global: 'The bare name `constructor` reads the global object\'s inherited `constructor` (Object), one step from Function.',
      reflect: '`{{name}}` reads `constructor` through reflection ({{text}}){{how}}.',
      descriptors: '`{{text}}` exposes the `constructor` of a prototype or function as a descriptor value.',
      write: '`{{text}}` replaces `constructor` on an object that is not a prototype; engines read it to choose a species constructor (the promise and array species escapes).',
      species: 'Defining `Symbol.species` ({{text}}) makes built-ins construct their results through your class, handing it their internal resolve/reject callbacks and values.',
    },
  },
  create(context) {
    const member = (node: AnyNode): void => {
      if (matchMemberKey(context, node, CONSTRUCTOR) !== null) {
        checkConstructorMember(context, node);
        return;
      }
      // `x[Symbol.species] = ...`
      if (node.computed && isSpeciesKey(context, node.property) && isAssigned(context, node)) {
        context.report({ node, messageId: 'species', data: { text: abbreviate(context.text(node)) } });
      }
    };
    const definition = (node: AnyNode): void => {
      if (!node.computed) return;
      const parent = context.parentOf(node);
      if (node.type === 'ObjectProperty' && parent?.type === 'ObjectPattern') return;
      if (isSpeciesKey(context, node.key)) {
        context.report({ node, messageId: 'species', data: { text: abbreviate(context.text(node.key)) } });
      }
    };
    return {
      MemberExpression: member,
      OptionalMemberExpression: member,
      Identifier(node: AnyNode) {
        if (node.name !== 'constructor' || context.resolve(node as never) !== null) return;
        if (isInertUse(context, node)) return;
        context.report({ node, messageId: 'global' });
      },
      ObjectProperty(node: AnyNode) {
        const parent = context.parentOf(node);
        if (parent?.type !== 'ObjectPattern') {
          definition(node);
          return;
        }
        if (matchPropertyKey(context, node, CONSTRUCTOR) === null) return;
        // `{ constructor: { constructor: F } }`: one finding, at the outer property.
        const outer = context.parentOf(parent);
        if (outer?.type === 'ObjectProperty' && matchPropertyKey(context, outer, CONSTRUCTOR) !== null) return;
        context.report({ node, messageId: 'destructure', data: { text: abbreviate(context.text(node)) } });
      },
      ObjectMethod: definition,
      ClassMethod: definition,
      ClassPrivateMethod: definition,
      ClassProperty: definition,
      ClassAccessorProperty: definition,
      CallExpression(node: AnyNode) {
        checkReflection(context, node);
      },
      OptionalCallExpression(node: AnyNode) {
        checkReflection(context, node);
      },
    };
  },
});

function checkConstructorMember(context: RuleContext<string>, node: AnyNode): void {
  const { parent, child } = usageParent(context, node);
  if (parent !== null && parent.type === 'AssignmentExpression' && (parent as AnyNode).left === child) {
    if ((parent as AnyNode).operator === '=' && !isPrototypeLike(context, node.object)) {
      context.report({ node, messageId: 'write', data: { text: abbreviate(context.text(node)) } });
    }
    return;
  }
  if (parent !== null && (parent.type === 'UpdateExpression' || (parent.type === 'UnaryExpression' && (parent as AnyNode).operator === 'delete'))) return;
  if (isInertUse(context, node) || isInertAlias(context, node)) return;
  // `x.constructor.constructor`: one finding, where the climb starts.
  if (isConstructorRead(context, node.object, 0)) return;
  if (isClassSpeciesIdiom(context, node)) return;
  const how = node.computed && unwrap(node.property).type !== 'StringLiteral' ? ` (the key folds to 'constructor')` : '';
  context.report({ node, messageId: 'read', data: { text: abbreviate(context.text(node)), how } });
}

function checkReflection(context: RuleContext<string>, node: AnyNode): void {
  const call = reflectCall(context, node);
  if (call === null) return;
  const text = abbreviate(context.text(node));
  switch (call.op) {
    case 'get':
    case 'descriptor': {
      const keys = keyStrings(context, call.key);
      if (keys === null || !keys.includes('constructor')) return;
      if (call.op === 'get' && isInertUse(context, node)) return;
      const how = call.via === 'direct' ? '' : ` (called through ${call.via})`;
      context.report({ node, messageId: 'reflect', data: { name: call.name, text, how } });
      return;
    }
    case 'descriptors': {
      if (exposesConstructor(context, call.target)) context.report({ node, messageId: 'descriptors', data: { text } });
      return;
    }
    case 'set':
    case 'define': {
      if (call.key !== undefined && isSpeciesKey(context, call.key)) {
        context.report({ node, messageId: 'species', data: { text } });
        return;
      }
      const keys = keyStrings(context, call.key);
      if (keys !== null && keys.includes('constructor') && !isPrototypeLike(context, call.target)) {
        context.report({ node, messageId: 'write', data: { text } });
      }
      return;
    }
    default:
      return;
  }
}

/** `x[Symbol.species]`, `{ [Symbol.species]: ... }`, `static get [Symbol.species]()`. */
function isSpeciesKey(context: RuleContext<string>, key: Node): boolean {
  const inner = unwrap(key);
  if (inner.type === 'StringLiteral' || inner.type === 'NumericLiteral' || inner.type === 'TemplateLiteral') return false;
  return context.values(inner).has('Symbol.species');
}

function isAssigned(context: RuleContext<string>, node: Node): boolean {
  const { parent, child } = usageParent(context, node);
  return parent !== null && parent.type === 'AssignmentExpression' && (parent as AnyNode).left === child;
}

/** `C.prototype`, `Object.create(...)`-free prototypes, and `this` (ES5 `function __() { this.constructor = d }`). */
function isPrototypeLike(context: RuleContext<string>, node: Node): boolean {
  const inner = unwrap(node) as AnyNode;
  if (inner.type === 'ThisExpression') return true;
  if (isMember(inner) && matchMemberKey(context, inner, PROTOTYPE) !== null) return true;
  for (const v of context.values(inner)) if (v.endsWith('.prototype')) return true;
  return false;
}
const PROTOTYPE: ReadonlySet<string> = new Set(['prototype']);

/** Whether `Object.getOwnPropertyDescriptors(x)` would list a `constructor`: x is a prototype or a function. */
function exposesConstructor(context: RuleContext<string>, node: Node): boolean {
  const inner = unwrap(node) as AnyNode;
  if (isMember(inner) && matchMemberKey(context, inner, PROTOTYPE) !== null) return true;
  for (const v of context.values(inner)) {
    if (v.endsWith('.prototype') || FUNCTION_PSEUDO_VALUES.has(v)) return true;
  }
  return false;
}

/** True when `node` is a `constructor` read, directly or through a const alias or destructured name. */
function isConstructorRead(context: RuleContext<string>, node: Node, depth: number): boolean {
  if (depth > 4) return false;
  const inner = unwrap(node) as AnyNode;
  if (isMember(inner)) return matchMemberKey(context, inner, CONSTRUCTOR) !== null;
  if (isCall(inner)) {
    const call = reflectCall(context, inner);
    if (call === null || call.op !== 'get') return false;
    const keys = keyStrings(context, call.key);
    return keys !== null && keys.includes('constructor');
  }
  if (inner.type === 'Identifier') {
    if (inner.name === 'constructor' && context.resolve(inner as never) === null) return true;
    const binding = context.resolve(inner as never);
    if (!binding || binding.assignments.length > 0) return false;
    if (binding.path.length > 0) {
      const last = binding.path[binding.path.length - 1]!;
      return 'key' in last && last.key === 'constructor';
    }
    return binding.init !== null && isConstructorRead(context, binding.init, depth + 1);
  }
  return false;
}

function isCall(node: AnyNode): boolean {
  return node.type === 'CallExpression' || node.type === 'OptionalCallExpression';
}

/** `const C = x.constructor;` where every use of C is inert (`C === Object`, `C.name`). */
function isInertAlias(context: RuleContext<string>, node: Node): boolean {
  const { parent, child } = usageParent(context, node);
  if (parent === null || parent.type !== 'VariableDeclarator' || (parent as AnyNode).init !== child) return false;
  const id = (parent as AnyNode).id as AnyNode;
  if (id.type !== 'Identifier') return false;
  const declarator = context.parentOf(parent) as AnyNode | null;
  if (declarator === null || declarator.kind === 'var') return false;
  const binding = declaredBinding(context, id as never);
  if (binding === null || binding.assignments.length > 0) return false;
  if (binding.references.length > 16) return false;
  return binding.references.every((ref) => isInertUse(context, ref));
}

/**
 * Inside an instance member of a class, `new this.constructor(...)` and `this.constructor.defaults`
 * are how class code creates "another one of me" or reads its own statics. The class's own code is
 * what runs there, so these are allowed; a further climb (`.constructor`, `.prototype`, `.call`) is not.
 */
function isClassSpeciesIdiom(context: RuleContext<string>, node: AnyNode): boolean {
  if (unwrap(node.object).type !== 'ThisExpression') return false;
  const owner = thisOwner(context, node) as AnyNode | null;
  if (owner === null) return false;
  const isInstanceMember =
    ((owner.type === 'ClassMethod' || owner.type === 'ClassPrivateMethod') && !owner.static && owner.kind !== 'constructor' ? true : false) ||
    (owner.type === 'ClassMethod' && owner.kind === 'constructor') ||
    ((owner.type === 'ClassProperty' || owner.type === 'ClassPrivateProperty' || owner.type === 'ClassAccessorProperty') && !owner.static);
  if (!isInstanceMember) return false;
  const { parent, child } = usageParent(context, node);
  if (parent === null) return false;
  const p = parent as AnyNode;
  if (p.type === 'NewExpression' && p.callee === child) return true;
  if (isMember(p) && p.object === child) {
    if (matchMemberKey(context, p, CLIMB_KEYS) !== null) return false;
    return p.computed ? context.memberKeys(p) !== null : true;
  }
  return false;
}
