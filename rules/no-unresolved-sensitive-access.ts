// no-unresolved-sensitive-access: the fail-closed backstop. A computed member access whose key
// cannot be folded to constants, on a value from which a capability could be picked by name: the
// global object, `process` and `process.env`, `require`/`module`, a built-in module the policy does
// not grant (`require('child_process')[k]`), the Function constructors, `Function.prototype` and
// `Object.prototype` (whose `constructor` leads to Function), `Reflect`, `Error` (its stack hooks). Every other rule names what is reached; when the name is computed at run time
// (`globalThis[atob(k)]`, `cp[method]`), none of them can, so the access itself is the finding.
// Enumerating such a value to pick a member by predicate (`Object.entries(globalThis).find(...)`,
// `for (k in globalThis)`) is the same move. Computed access on ordinary objects and arrays
// (`obj[key]`, `arr[i]`) is never reported. In the strict profile function values count as
// sensitive too (`fn[k]` may be `fn.constructor`, which is Function).
import { defineRule } from '../analyzer/rule-api.js';
import type { RuleContext } from '../analyzer/rule-api.js';
import type { Node } from '@babel/types';
import { abbreviate, describePath, isInertUse, isWriteTarget, keyStrings, matchMemberKey, reflectCall, unwrap, pathRoot, INTRINSIC_CONSTRUCTORS, NODE_BUILTIN_MODULES } from './_sandbox.js';
import { memberPath } from '../analyzer/evaluate.js';

type AnyNode = Node & Record<string, any>;

const SENSITIVE_ROOT_VALUES: ReadonlySet<string> = new Set([
  'Function',
  'AsyncFunction',
  'GeneratorFunction',
  'AsyncGeneratorFunction',
  'Function.prototype',
  // Their `constructor` is the async / generator Function constructor.
  'AsyncFunction.prototype',
  'GeneratorFunction.prototype',
  'AsyncGeneratorFunction.prototype',
  'Object.prototype',
  'Reflect',
  'Error',
]);
const FUNCTION_VALUES: ReadonlySet<string> = new Set(['<function>', '<async function>', '<generator function>', '<async generator function>', '<class>']);
const ENUMERATORS: ReadonlySet<string> = new Set([
  'Object.keys',
  'Object.values',
  'Object.entries',
  'Object.getOwnPropertyNames',
  'Object.getOwnPropertyDescriptors',
  'Object.getOwnPropertySymbols',
  'Reflect.ownKeys',
]);
const ENUMERATOR_NAMES: ReadonlySet<string> = new Set(['keys', 'values', 'entries', 'getOwnPropertyNames', 'getOwnPropertyDescriptors', 'getOwnPropertySymbols', 'ownKeys']);

export default defineRule({
  id: 'no-unresolved-sensitive-access',
  meta: {
    type: 'problem',
    category: 'sandbox-integrity',
    description:
      'Disallows computed member access with an unresolvable key on sensitive values (global object, process, require/module, ungranted built-in modules, Function, Reflect).',
    defaults: { strict: 'error', audit: 'warn', recommended: 'off' },
    messages: {
      computed: '`{{text}}`: the key cannot be resolved statically, so this may reach any property of {{what}}.',
      chained:
        '`{{text}}` reads a computed key that cannot be resolved statically from the result of another one; twice `constructor` is Function, for any starting value. Use numeric keys (`Number(k)`), a Map, or check the key against a list.',
      enumerate: '`{{text}}` enumerates {{what}}, so any of its properties may be picked at run time.',
    },
  },
  create(context) {
    const member = (node: AnyNode): void => {
      if (!node.computed) return;
      const property = node.property as AnyNode;
      if (property.type === 'StringLiteral' || property.type === 'NumericLiteral' || property.type === 'PrivateName') return;
      if (context.memberKeys(node) !== null) return;
      const what = sensitive(context, node.object);
      if (what !== null) context.report({ node, messageId: 'computed', data: { text: abbreviate(context.text(node)), what } });
      else if (context.profile === 'strict' && !isNumericKey(context, property, 0) && !isWriteTarget(context, node) && isUnresolvedRead(context, node.object, 0) && !isInertUse(context, node, false)) {
        // `fn[a][b]`: the first step is already reported on its own.
        const inner = unwrap(node.object) as AnyNode;
        if ((inner.type === 'MemberExpression' || inner.type === 'OptionalMemberExpression') && sensitive(context, inner.object) !== null) return;
        context.report({ node, messageId: 'chained', data: { text: abbreviate(context.text(node)) } });
      }
    };
    const call = (node: AnyNode): void => {
      const reflect = reflectCall(context, node);
      if (reflect !== null) {
        if (reflect.key === undefined || reflect.op === 'defineGetter' || reflect.op === 'defineSetter' || reflect.op === 'lookupGetter' || reflect.op === 'lookupSetter') {
          if (reflect.op !== 'descriptors') return;
        } else if (keyStrings(context, reflect.key) !== null) return;
        const what = sensitive(context, reflect.target, reflect.op === 'descriptors');
        if (what !== null) {
          context.report({ node, messageId: reflect.op === 'descriptors' ? 'enumerate' : 'computed', data: { text: abbreviate(context.text(node)), what } });
        } else if (context.profile === 'strict' && reflect.op === 'get' && reflect.key !== undefined && !isNumericKey(context, reflect.key, 0) && isUnresolvedRead(context, reflect.target, 0)) {
          context.report({ node, messageId: 'chained', data: { text: abbreviate(context.text(node)) } });
        }
        return;
      }
      // `Object.keys(globalThis)`, `Reflect.ownKeys(process)`.
      const callee = unwrap(node.callee) as AnyNode;
      if ((callee.type === 'MemberExpression' || callee.type === 'OptionalMemberExpression') && !callee.computed && !ENUMERATOR_NAMES.has((callee.property as AnyNode).name)) return;
      if (callee.type !== 'MemberExpression' && callee.type !== 'OptionalMemberExpression' && callee.type !== 'Identifier') return;
      const arg = node.arguments[0] as Node | undefined;
      if (arg === undefined || arg.type === 'SpreadElement') return;
      let enumerates = false;
      for (const fn of context.callTarget(node).callee) if (ENUMERATORS.has(fn)) enumerates = true;
      if (!enumerates) return;
      const what = sensitive(context, arg, true);
      if (what !== null) context.report({ node, messageId: 'enumerate', data: { text: abbreviate(context.text(node)), what } });
    };
    return {
      MemberExpression: member,
      OptionalMemberExpression: member,
      CallExpression: call,
      OptionalCallExpression: call,
      ForInStatement(node: AnyNode) {
        const what = sensitive(context, node.right, true);
        if (what !== null) context.report({ node: node.right, messageId: 'enumerate', data: { text: `for (... in ${abbreviate(context.text(node.right), 40)})`, what } });
      },
      ObjectProperty(node: AnyNode) {
        if (!node.computed) return;
        const pattern = context.parentOf(node);
        if (pattern?.type !== 'ObjectPattern') return;
        if (keyStrings(context, node.key) !== null) return;
        const parent = context.parentOf(pattern) as AnyNode | null;
        const source = parent?.type === 'VariableDeclarator' && parent.id === pattern ? parent.init : parent?.type === 'AssignmentExpression' && parent.left === pattern ? parent.right : null;
        if (!source) return;
        const what = sensitive(context, source);
        if (what !== null) context.report({ node, messageId: 'computed', data: { text: abbreviate(context.text(node)), what } });
      },
    };
  },
});

/** A description of the sensitive value `node` may be, or null. */
function sensitive(context: RuleContext<string>, node: Node, enumeration = false): string | null {
  for (const v of context.values(node)) {
    const what = describeSensitive(context, v, enumeration);
    if (what !== null) return what;
  }
  return null;
}

function describeSensitive(context: RuleContext<string>, value: string, enumeration: boolean): string | null {
  if (value === 'globalThis') return 'the global object';
  // In strict, a function's members include its constructor (Function): `fn[k]` fails closed too.
  if (FUNCTION_VALUES.has(value)) return context.profile === 'strict' && !enumeration ? 'a function value (its `constructor` is Function)' : null;
  if (SENSITIVE_ROOT_VALUES.has(value)) return `\`${value}\``;
  // So are built-in functions and constructors: `Math.max[k]`, `Object[k]`, `[].map[k]`.
  if (context.profile === 'strict' && !enumeration && isBuiltinFunction(value)) return `the built-in function \`${value}\` (its \`constructor\` is Function)`;
  const root = pathRoot(value);
  if (root === 'process') {
    // Enumerating the environment is env-enumeration's finding.
    if (enumeration && (value === 'process.env' || value.startsWith('process.env.'))) return null;
    return `\`${value}\``;
  }
  if (root === 'require') return `\`${value}\``;
  if (root === 'module' && value !== 'module.exports' && !value.startsWith('module.exports.')) return `\`${value}\``;
  if (value.startsWith('module:') && !value.includes('.', 7)) {
    const name = value.slice(7);
    if (!NODE_BUILTIN_MODULES.has(name)) return null;
    if (context.policy.modules.allow.includes(name) || context.policy.modules.allow.includes(`node:${name}`)) return null;
    return `the built-in module ${describePath(value)}`;
  }
  return null;
}

/**
 * `x[k]` (or `Reflect.get(x, k)`) whose key cannot be folded and is not a number: it may be
 * `x.constructor`, whatever x is. Follows const aliases (`const c = x[k]; c[k]`).
 */
function isUnresolvedRead(context: RuleContext<string>, node: Node, depth: number): boolean {
  const inner = unwrap(node) as AnyNode;
  if (inner.type === 'Identifier') {
    if (depth > 3) return false;
    const binding = context.resolve(inner as never);
    if (!binding || binding.path.length > 0) return false;
    // `names.reduce((o, k) => o[k], x)`: the accumulator is the previous step's read.
    if (binding.kind === 'param' && isReduceAccumulator(context, binding.declaration, binding.id)) return true;
    // `let o = x; for (const k of keys) o = o[k];`: any value it is given.
    if (binding.init !== null && isUnresolvedRead(context, binding.init, depth + 1)) return true;
    for (const value of binding.assignments) if (value !== null && isUnresolvedRead(context, value, depth + 1)) return true;
    return false;
  }
  if (inner.type === 'MemberExpression' || inner.type === 'OptionalMemberExpression') {
    if (!inner.computed) return false;
    const property = unwrap(inner.property) as AnyNode;
    if (property.type === 'StringLiteral' || property.type === 'NumericLiteral' || property.type === 'PrivateName') return false;
    return context.memberKeys(inner) === null && !isNumericKey(context, property, 0);
  }
  if (inner.type === 'CallExpression' || inner.type === 'OptionalCallExpression') {
    const reflect = reflectCall(context, inner);
    return reflect !== null && reflect.op === 'get' && reflect.key !== undefined && keyStrings(context, reflect.key) === null && !isNumericKey(context, reflect.key, 0);
  }
  return false;
}

/** Globals whose function-valued members are built-ins (besides the intrinsic constructors). */
const BUILTIN_ROOTS: ReadonlySet<string> = new Set([
  'Math', 'JSON', 'Reflect', 'Intl', 'Atomics', 'console', 'parseInt', 'parseFloat', 'isNaN', 'isFinite',
  'encodeURIComponent', 'decodeURIComponent', 'encodeURI', 'decodeURI', 'escape', 'unescape',
  'setTimeout', 'setInterval', 'setImmediate', 'clearTimeout', 'clearInterval', 'clearImmediate',
  'queueMicrotask', 'structuredClone', 'atob', 'btoa', 'fetch', 'URL', 'URLSearchParams',
  'TextEncoder', 'TextDecoder', 'Buffer', 'AbortController', 'AbortSignal', 'Blob', 'Headers',
  'Request', 'Response', 'EventTarget', 'Event',
]);
const FUNCTION_CONSTRUCTOR_PATHS: ReadonlySet<string> = new Set(['Function', 'AsyncFunction', 'GeneratorFunction', 'AsyncGeneratorFunction']);

/** A host path that is a built-in function, whose `constructor` is Function. */
function isBuiltinFunction(value: string): boolean {
  const dot = value.indexOf('.');
  const root = dot === -1 ? value : value.slice(0, dot);
  if (!INTRINSIC_CONSTRUCTORS.has(root) && !BUILTIN_ROOTS.has(root)) return false;
  if (value.endsWith('.prototype')) return false;
  return FUNCTION_CONSTRUCTOR_PATHS.has(memberPath(value, 'constructor'));
}

const REDUCERS: ReadonlySet<string> = new Set(['reduce', 'reduceRight']);

/** True when `id` is the first parameter of a callback passed to `.reduce()` / `.reduceRight()`. */
function isReduceAccumulator(context: RuleContext<string>, fn: Node, id: Node | null): boolean {
  const params = (fn as AnyNode).params as Node[] | undefined;
  if (params === undefined || params[0] !== id) return false;
  const call = context.parentOf(fn) as AnyNode | null;
  if (call === null || (call.type !== 'CallExpression' && call.type !== 'OptionalCallExpression') || call.arguments[0] !== fn) return false;
  const callee = unwrap(call.callee) as AnyNode;
  return (callee.type === 'MemberExpression' || callee.type === 'OptionalMemberExpression') && matchMemberKey(context, callee, REDUCERS) !== null;
}

const NUMERIC_OPERATORS: ReadonlySet<string> = new Set(['-', '*', '/', '%', '**', '|', '&', '^', '<<', '>>', '>>>']);
const NUMERIC_COMPOUND: ReadonlySet<string> = new Set(['+=', '-=', '*=', '/=', '%=', '**=', '|=', '&=', '^=', '<<=', '>>=', '>>>=']);
const NUMERIC_CALLS: ReadonlySet<string> = new Set(['Number', 'parseInt', 'parseFloat', 'Math.floor', 'Math.ceil', 'Math.round', 'Math.trunc', 'Math.min', 'Math.max', 'Math.abs', 'Math.random']);

/**
 * A key that is always a number (or a string of digits): arithmetic, `i++`, `Number(k)`, and
 * counters initialised with a number and only stepped (`for (let i = 0; i < n; i++)`).
 */
function isNumericKey(context: RuleContext<string>, node: Node, depth: number): boolean {
  const inner = unwrap(node) as AnyNode;
  switch (inner.type) {
    case 'NumericLiteral':
    case 'UpdateExpression':
      return true;
    case 'UnaryExpression':
      return inner.operator === '-' || inner.operator === '+' || inner.operator === '~';
    case 'BinaryExpression':
      if (NUMERIC_OPERATORS.has(inner.operator)) return true;
      return inner.operator === '+' && depth < 4 && isNumericKey(context, inner.left, depth + 1) && isNumericKey(context, inner.right, depth + 1);
    case 'CallExpression': {
      if (inner.arguments.length === 0 && !(inner.callee.type === 'MemberExpression')) return false;
      for (const fn of context.callTarget(inner).callee) if (!NUMERIC_CALLS.has(fn)) return false;
      return true;
    }
    case 'Identifier': {
      if (depth > 3) return false;
      const binding = context.resolve(inner as never);
      if (!binding || binding.path.length > 0) return false;
      // `var i; for (i = 0; ...)`: no initialiser, but written before use.
      if (binding.init === null ? binding.assignments.length === 0 : !isNumericKey(context, binding.init, depth + 1)) return false;
      if (binding.assignments.length === 0) return true;
      // Writes: steps (`i++`, `i += 2`) and plain assignments of numbers only (the redeclarations
      // of a `var` are among its assignments).
      for (const value of binding.assignments) if (value !== null && !isNumericKey(context, value, depth + 1)) return false;
      const refs = binding.references;
      if (refs.length > 256) return false;
      // Every write that the binder could not follow (null) must be a step seen here; a for-of/in
      // head or a destructuring write is not.
      let steps = 0;
      for (const ref of refs) {
        const parent = context.parentOf(ref) as AnyNode | null;
        if (parent === null) return false;
        if (parent.type === 'AssignmentExpression' && parent.left === ref) {
          if (parent.operator === '=' ? !isNumericKey(context, parent.right, depth + 1) : !NUMERIC_COMPOUND.has(parent.operator)) return false;
          if (parent.operator !== '=') steps++;
        } else if (parent.type === 'UpdateExpression') steps++;
        else if (isPatternTarget(context, ref)) return false;
      }
      let unknownWrites = 0;
      for (const value of binding.assignments) if (value === null) unknownWrites++;
      return steps >= unknownWrites;
    }
    default:
      return false;
  }
}

/** True when `id` is written by a destructuring pattern or a for-in/of head. */
function isPatternTarget(context: RuleContext<string>, id: Node): boolean {
  let child: Node = id;
  for (let parent = context.parentOf(child) as AnyNode | null; parent !== null; child = parent, parent = context.parentOf(parent) as AnyNode | null) {
    switch (parent.type) {
      case 'ArrayPattern':
      case 'ObjectPattern':
      case 'RestElement':
      case 'AssignmentPattern':
        continue;
      case 'ObjectProperty':
        if (parent.value === child) continue;
        return false;
      case 'ForInStatement':
      case 'ForOfStatement':
        return parent.left === child;
      case 'AssignmentExpression':
        return parent.left === child;
      default:
        return false;
    }
  }
  return false;
}
