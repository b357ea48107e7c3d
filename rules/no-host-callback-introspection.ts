// no-host-callback-introspection: inspecting the arguments that host code passes into guest
// callbacks. The classic vm2 escapes hand the host an object whose hooks the host will call with
// its own values: a Proxy whose `apply` trap receives the host's argument array (CVE-2023-32314), a
// `[util.inspect.custom]` method that receives the host's `inspect` (CVE-2023-37903), an
// `Error.prepareStackTrace` that receives host CallSites (CVE-2023-29017), a promise callback or a
// `catch` clause that receives a host error (CVE-2026-22709, CVE-2023-30547), getters, setters,
// `then`, `toString`/`valueOf`/`toJSON`/`Symbol.toPrimitive` that run when host code touches the
// object. Climbing `.constructor` or the prototype of those arguments reaches the host's Function;
// asking a CallSite for `getThis()`/`getFunction()` reaches host frames; calling a function handed
// to a coercion hook or accessor runs whatever the host passed. This is a targeted message on top
// of no-constructor-escape, and on in audit where that rule is off.
import { defineRule } from '../analyzer/rule-api.js';
import type { RuleContext } from '../analyzer/rule-api.js';
import type { Node } from '@babel/types';
import type { Binding } from '../analyzer/scope.js';
import {
  abbreviate,
  declaredBinding,
  isCall,
  isInertUse,
  isMember,
  keyStrings,
  matchMemberKey,
  matchPropertyKey,
  memberBase,
  unwrap,
  usageParent,
  thisOwner,
  FUNCTION_TYPES,
} from './_sandbox.js';

type AnyNode = Node & Record<string, any>;

const CONSTRUCTOR: ReadonlySet<string> = new Set(['constructor']);
const PROTO: ReadonlySet<string> = new Set(['__proto__']);
const CALLSITE_METHODS: ReadonlySet<string> = new Set(['getThis', 'getFunction']);
const GET_PROTOTYPE: ReadonlySet<string> = new Set(['getPrototypeOf']);
const TRAP_NAMES: ReadonlySet<string> = new Set([
  'get',
  'set',
  'has',
  'apply',
  'construct',
  'getPrototypeOf',
  'setPrototypeOf',
  'getOwnPropertyDescriptor',
  'defineProperty',
  'deleteProperty',
  'ownKeys',
  'isExtensible',
  'preventExtensions',
]);
const COERCION_KEYS: ReadonlySet<string> = new Set(['toString', 'valueOf', 'toJSON', 'toLocaleString']);
const THEN_KEYS: ReadonlySet<string> = new Set(['then']);
const PROMISE_METHODS: ReadonlySet<string> = new Set(['then', 'catch', 'finally']);
const PREPARE: ReadonlySet<string> = new Set(['prepareStackTrace']);
const DESCRIPTOR_ACCESSORS: ReadonlySet<string> = new Set(['get', 'set']);
const SYMBOL_HOOKS: ReadonlyMap<string, string> = new Map([
  ['Symbol.toPrimitive', 'a Symbol.toPrimitive hook'],
  ['Symbol.hasInstance', 'a Symbol.hasInstance hook'],
  ['Symbol.species', 'a Symbol.species hook'],
  ['Symbol.dispose', 'a Symbol.dispose hook'],
  ['Symbol.asyncDispose', 'a Symbol.asyncDispose hook'],
  ['module:util.inspect.custom', 'a custom inspect method'],
]);
/** Callback kinds that normally receive no functions from their caller. */
const NO_FUNCTION_ARGS: ReadonlySet<string> = new Set(['a getter', 'a setter', 'a toString/valueOf/toJSON hook', 'a Symbol.toPrimitive hook']);

export default defineRule({
  id: 'no-host-callback-introspection',
  meta: {
    type: 'problem',
    category: 'sandbox-integrity',
    description:
      'Disallows climbing .constructor or prototypes of values that host code passes into proxy traps, inspect hooks, getters, coercion hooks, promise callbacks and catch clauses.',
    defaults: { strict: 'error', audit: 'warn', recommended: 'off' },
    messages: {
      climb: '`{{text}}` climbs the constructor of `{{param}}`, which {{where}} receives from its caller; host code passes its own objects there, and their constructor chain ends at the host\'s Function.',
      destructure: 'Destructuring `constructor` from `{{param}}` ({{text}}), which {{where}} receives from its caller, reaches the caller\'s constructor chain.',
      prototype: '`{{text}}` walks the prototype of `{{param}}`, which {{where}} receives from its caller; from a host object that reaches host intrinsics.',
      callSite: '`{{text}}` asks a CallSite for its frame\'s value inside Error.prepareStackTrace; host frames hand out host objects.',
      callParam: '`{{text}}` calls a value that {{where}} receives from its caller; host code may pass its own functions there.',
      hostThis: '`{{text}}` reads the `this` that {{where}} is called with: the host\'s own inspection context (CVE-2023-32313 read proxy handlers through `this.seen`).',
    },
  },
  create(context) {
    const kinds = new Map<Node, string | null>();
    const kindOf = (fn: Node): string | null => {
      let kind = kinds.get(fn);
      if (kind === undefined) {
        kind = classifyCallback(context, fn);
        kinds.set(fn, kind);
      }
      return kind;
    };
    /** Which host-fed value an expression is rooted at: a callback parameter, `arguments`, a catch parameter. */
    const hostFed = (expression: Node): { param: string; where: string } | null => {
      let base = memberBase(expression) as AnyNode;
      for (let hops = 0; hops < 4; hops++) {
        if (base.type !== 'Identifier') return null;
        const binding = context.resolve(base as never);
        if (!binding) return null;
        // `catch ({ constructor: c })`: reported once, at the destructuring.
        const last = binding.path[binding.path.length - 1];
        if (last !== undefined && 'key' in last && last.key === 'constructor') return null;
        const fed = bindingSource(binding);
        if (fed !== null) return { param: base.name, where: fed };
        if (binding.kind !== 'const' && binding.kind !== 'let' && binding.kind !== 'var') return null;
        // `for (const site of frames)`: the loop variable takes the elements of `frames`.
        const loop = context.parentOf(context.parentOf(binding.declaration) ?? binding.declaration) as AnyNode | null;
        if (binding.init === null && loop !== null && loop.type === 'ForOfStatement' && binding.path.length === 0) {
          base = memberBase(loop.right) as AnyNode;
          continue;
        }
        if (binding.init === null || binding.assignments.length > 0) return null;
        base = memberBase(binding.init) as AnyNode;
      }
      return null;
    };
    const bindingSource = (binding: Binding, depth = 0): string | null => {
      if (binding.kind === 'catch') return 'this catch clause';
      if (binding.kind !== 'param' && binding.kind !== 'arguments') return null;
      const kind = kindOf(binding.declaration);
      if (kind !== null || depth > 3) return kind;
      // `frames.map((site) => site.getThis())`: elements of a host-fed array are host-fed too.
      const receiver = iterationReceiver(context, binding.declaration);
      if (receiver === null) return null;
      const base = memberBase(receiver) as AnyNode;
      if (base.type !== 'Identifier') return null;
      const outer = context.resolve(base as never);
      return outer ? bindingSource(outer, depth + 1) : null;
    };
    const severityFor = (node: Node): 'error' | undefined => {
      // A second climb or a call on the result is the escape itself, not a probe.
      const { parent, child } = usageParent(context, node);
      if (parent === null) return undefined;
      const p = parent as AnyNode;
      if (isMember(p) && p.object === child && matchMemberKey(context, p, CONSTRUCTOR) !== null) return 'error';
      if ((isCall(p) || (p as Node).type === 'NewExpression') && (p as AnyNode).callee === child) return 'error';
      return undefined;
    };
    const member = (node: AnyNode): void => {
      if (unwrap(node.object).type === 'ThisExpression') {
        // `stylize() { this.seen }`: util.inspect calls stylize with its own context as `this`.
        const owner = thisOwner(context, node);
        if (owner !== null && kindOf(owner) === STYLIZE) {
          context.report({ node, messageId: 'hostThis', data: { text: abbreviate(context.text(node)), where: STYLIZE } });
          return;
        }
      }
      if (matchMemberKey(context, node, CONSTRUCTOR) !== null) {
        if (isInertUse(context, node)) return;
        const object = unwrap(node.object) as AnyNode;
        if (isMember(object) && matchMemberKey(context, object, CONSTRUCTOR) !== null) return;
        const fed = hostFed(node.object);
        if (fed === null) return;
        const severity = severityFor(node);
        context.report({ node, messageId: 'climb', data: { text: abbreviate(context.text(node)), ...fed }, ...(severity ? { severity } : {}) });
        return;
      }
      if (matchMemberKey(context, node, PROTO) !== null) {
        const fed = hostFed(node.object);
        if (fed !== null) context.report({ node, messageId: 'prototype', data: { text: abbreviate(context.text(node)), ...fed } });
      }
    };
    const call = (node: AnyNode): void => {
      const callee = unwrap(node.callee) as AnyNode;
      if (isMember(callee)) {
        if (matchMemberKey(context, callee, CALLSITE_METHODS) !== null) {
          const fed = hostFed(callee.object);
          if (fed !== null && fed.where === 'Error.prepareStackTrace') {
            context.report({ node, messageId: 'callSite', data: { text: abbreviate(context.text(node)) } });
          }
          return;
        }
        if (matchMemberKey(context, callee, GET_PROTOTYPE) !== null) {
          const values = context.values(callee);
          if (!values.has('Object.getPrototypeOf') && !values.has('Reflect.getPrototypeOf')) return;
          const arg = node.arguments[0] as Node | undefined;
          if (arg === undefined || arg.type === 'SpreadElement') return;
          const fed = hostFed(arg);
          if (fed !== null) context.report({ node, messageId: 'prototype', data: { text: abbreviate(context.text(node)), ...fed } });
          return;
        }
      }
      // `toString(x) { x() }`, `get value() { arguments[0]() }`.
      const fed = isMember(callee) ? (context.memberKeys(callee) === null || /^\d+$/.test(String(context.memberKeys(callee)?.[0])) ? hostFed(callee) : null) : callee.type === 'Identifier' ? hostFed(callee) : null;
      if (fed !== null && NO_FUNCTION_ARGS.has(fed.where)) {
        context.report({ node, messageId: 'callParam', data: { text: abbreviate(context.text(node)), where: fed.where } });
      }
    };
    return {
      MemberExpression: member,
      OptionalMemberExpression: member,
      CallExpression: call,
      OptionalCallExpression: call,
      ObjectProperty(node: AnyNode) {
        if (context.parentOf(node)?.type !== 'ObjectPattern' || matchPropertyKey(context, node, CONSTRUCTOR) === null) return;
        const owner = patternOwner(context, node);
        if (owner === null) return;
        const where = owner.type === 'CatchClause' ? 'this catch clause' : kindOf(owner);
        if (where === null) return;
        context.report({ node, messageId: 'destructure', data: { text: abbreviate(context.text(node)), param: abbreviate(context.text(context.parentOf(node)!), 30), where } });
      },
    };
  },
});

const ITERATION_METHODS: ReadonlySet<string> = new Set(['map', 'forEach', 'find', 'filter', 'some', 'every', 'reduce', 'flatMap', 'findLast']);

/** `recv.map(fn)`: the receiver whose elements `fn` is called with, or null. */
function iterationReceiver(context: RuleContext<string>, fn: Node): Node | null {
  const { parent, child } = usageParent(context, fn);
  if (parent === null || !isCall(parent)) return null;
  const p = parent as AnyNode;
  if (p.arguments[0] !== child) return null;
  const callee = unwrap(p.callee) as AnyNode;
  if (!isMember(callee) || matchMemberKey(context, callee, ITERATION_METHODS) === null) return null;
  return callee.object;
}

/** The function (or catch clause) whose parameter list a destructuring pattern belongs to. */
function patternOwner(context: RuleContext<string>, property: Node): Node | null {
  let current: Node = property;
  for (let hops = 0; hops < 32; hops++) {
    const parent = context.parentOf(current) as AnyNode | null;
    if (parent === null) return null;
    if (parent.type === 'CatchClause') return parent.param === current ? parent : null;
    if (FUNCTION_TYPES.has(parent.type)) return (parent.params as Node[]).includes(current) ? parent : null;
    if (!['ObjectPattern', 'ObjectProperty', 'ArrayPattern', 'AssignmentPattern', 'RestElement'].includes(parent.type)) return null;
    current = parent;
  }
  return null;
}

/**
 * What kind of host-invoked callback a function is, or null: a Proxy trap, a custom inspect
 * method, an accessor, a coercion hook, `then`, `Error.prepareStackTrace`, a promise callback.
 */
function classifyCallback(context: RuleContext<string>, fn: Node): string | null {
  const node = fn as AnyNode;
  if (!FUNCTION_TYPES.has(node.type)) return null;
  // Methods: the node is itself the property.
  if (node.type === 'ObjectMethod' || node.type === 'ClassMethod' || node.type === 'ClassPrivateMethod') {
    if (node.kind === 'get') return 'a getter';
    if (node.kind === 'set') return 'a setter';
    return classifyProperty(context, node);
  }
  const { parent, child } = usageParent(context, node);
  if (parent === null) return null;
  const p = parent as AnyNode;
  if ((p.type === 'ObjectProperty' && p.value === child) || ((p.type === 'ClassProperty' || p.type === 'ClassPrivateProperty') && p.value === child)) {
    return classifyProperty(context, p);
  }
  // `Error.prepareStackTrace = (err, frames) => ...`
  if (p.type === 'AssignmentExpression' && p.right === child && isMember(p.left) && matchMemberKey(context, p.left, PREPARE) !== null) {
    return 'Error.prepareStackTrace';
  }
  if ((isCall(p) || (p as Node).type === 'NewExpression') && (p.arguments as Node[]).includes(child)) {
    const callee = unwrap(p.callee) as AnyNode;
    // `promise.then(cb)`, `.catch(cb)`, `.finally(cb)`
    if (isCall(p) && isMember(callee) && matchMemberKey(context, callee, PROMISE_METHODS) !== null) return 'this promise callback';
    // `obj.__defineGetter__(k, fn)`
    if (isMember(callee)) {
      const keys = context.memberKeys(callee);
      if (keys !== null && keys.length === 1 && (keys[0] === '__defineGetter__' || keys[0] === '__defineSetter__')) {
        return keys[0] === '__defineGetter__' ? 'a getter' : 'a setter';
      }
    }
  }
  return null;
}

/** A property (method or function-valued) classified by its key and by the object it belongs to. */
function classifyProperty(context: RuleContext<string>, property: AnyNode): string | null {
  if (property.computed) {
    const hook = symbolHook(context, property.key);
    if (hook !== null) return hook;
  } else {
    if (matchPropertyKey(context, property, COERCION_KEYS) !== null) return 'a toString/valueOf/toJSON hook';
    if (matchPropertyKey(context, property, PREPARE) !== null) return 'Error.prepareStackTrace';
    if (matchPropertyKey(context, property, STYLIZE_KEY) !== null) return STYLIZE;
  }
  const container = context.parentOf(property) as AnyNode | null;
  if (container === null || container.type !== 'ObjectExpression') return null;
  if (matchPropertyKey(context, property, THEN_KEYS) !== null) return 'a thenable\'s then';
  if (matchPropertyKey(context, property, TRAP_NAMES) !== null && isProxyHandler(context, container)) return 'a Proxy trap';
  if (matchPropertyKey(context, property, DESCRIPTOR_ACCESSORS) !== null && isDescriptor(context, container)) {
    return matchPropertyKey(context, property, GET_ONLY) !== null ? 'a getter' : 'a setter';
  }
  return null;
}
const GET_ONLY: ReadonlySet<string> = new Set(['get']);
const STYLIZE = 'an inspect stylize callback';
const STYLIZE_KEY: ReadonlySet<string> = new Set(['stylize']);

function symbolHook(context: RuleContext<string>, key: Node): string | null {
  const inner = unwrap(key) as AnyNode;
  for (const v of context.values(inner)) {
    const hook = SYMBOL_HOOKS.get(v);
    if (hook !== undefined) return hook;
  }
  // `Symbol.for('nodejs.util.inspect.custom')`, directly or through a const.
  let current = inner;
  for (let hops = 0; hops < 4 && current.type === 'Identifier'; hops++) {
    const binding = context.resolve(current as never);
    if (!binding || binding.init === null || binding.path.length > 0 || binding.assignments.length > 0) return null;
    current = unwrap(binding.init) as AnyNode;
  }
  if (isCall(current) && context.values(current.callee).has('Symbol.for')) {
    const names = keyStrings(context, current.arguments[0]);
    if (names !== null && names.includes('nodejs.util.inspect.custom')) return 'a custom inspect method';
  }
  return null;
}

/** The object literal is the handler of `new Proxy(t, handler)` / `Proxy.revocable(t, handler)`, directly or through a const. */
function isProxyHandler(context: RuleContext<string>, object: Node): boolean {
  const uses: Node[] = [object];
  const { parent, child } = usageParent(context, object);
  if (parent !== null && parent.type === 'VariableDeclarator' && (parent as AnyNode).init === child && (parent as AnyNode).id.type === 'Identifier') {
    const binding = declaredBinding(context, (parent as AnyNode).id);
    if (binding !== null) uses.push(...binding.references);
  }
  for (const use of uses) {
    const { parent: site, child: arg } = usageParent(context, use);
    if (site === null) continue;
    const s = site as AnyNode;
    if ((s.type === 'NewExpression' || isCall(s)) && s.arguments[1] === arg) {
      const callee = context.values(s.callee);
      if (callee.has('Proxy') || callee.has('Proxy.revocable')) return true;
    }
  }
  return false;
}

/** The object literal is a property descriptor: `Object.defineProperty(o, k, { get() {} })`. */
function isDescriptor(context: RuleContext<string>, object: Node): boolean {
  const { parent, child } = usageParent(context, object);
  if (parent === null || !isCall(parent)) return false;
  const p = parent as AnyNode;
  if (p.arguments[2] !== child) return false;
  const callee = context.values(p.callee);
  return callee.has('Object.defineProperty') || callee.has('Reflect.defineProperty');
}
