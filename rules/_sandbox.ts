// Shared helpers of the sandbox-integrity rules (no-constructor-escape, no-proto-access,
// no-intrinsic-mutation, no-global-tampering, no-global-object, no-host-handles,
// no-stack-introspection, no-webassembly, no-shared-memory, no-unresolved-sensitive-access,
// no-host-callback-introspection). They answer small structural questions cheaply ("which key does
// this member read?", "is this value only compared?", "which object does this call write to?") so
// that each rule stays a short visitor, and so that hot visitors filter on names before they ask
// the evaluator anything.
import type { Node, Identifier } from '@babel/types';
import type { RuleContext } from '../analyzer/rule-api.js';
import type { Binding } from '../analyzer/scope.js';
import { FUNCTION_TYPES } from '../analyzer/scope.js';
import { unwrap, globalPath } from '../analyzer/evaluate.js';
import { TRANSPARENT_WRAPPERS, walk } from '../analyzer/walk.js';
import { fileCache } from '../analyzer/file-cache.js';

export { unwrap };

/** ECMAScript built-in constructors and the constructors reachable only through syntax. */
export const INTRINSIC_CONSTRUCTORS: ReadonlySet<string> = new Set([
  'Object',
  'Function',
  'AsyncFunction',
  'GeneratorFunction',
  'AsyncGeneratorFunction',
  'Array',
  'String',
  'Number',
  'Boolean',
  'Symbol',
  'BigInt',
  'Error',
  'EvalError',
  'RangeError',
  'ReferenceError',
  'SyntaxError',
  'TypeError',
  'URIError',
  'AggregateError',
  'SuppressedError',
  'RegExp',
  'Date',
  'Map',
  'Set',
  'WeakMap',
  'WeakSet',
  'WeakRef',
  'FinalizationRegistry',
  'Promise',
  'Proxy',
  'ArrayBuffer',
  'SharedArrayBuffer',
  'DataView',
  'Int8Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Int16Array',
  'Uint16Array',
  'Int32Array',
  'Uint32Array',
  'Float16Array',
  'Float32Array',
  'Float64Array',
  'BigInt64Array',
  'BigUint64Array',
  'Iterator',
  'DisposableStack',
  'AsyncDisposableStack',
]);

/** Node's built-in module names (Node 20), without the `node:` prefix. */
export const NODE_BUILTIN_MODULES: ReadonlySet<string> = new Set([
  'assert', 'assert/strict', 'async_hooks', 'buffer', 'child_process', 'cluster', 'console', 'constants',
  'crypto', 'dgram', 'diagnostics_channel', 'dns', 'dns/promises', 'domain', 'events', 'fs', 'fs/promises',
  'http', 'http2', 'https', 'inspector', 'inspector/promises', 'module', 'net', 'os', 'path', 'path/posix',
  'path/win32', 'perf_hooks', 'process', 'punycode', 'querystring', 'readline', 'readline/promises', 'repl',
  'stream', 'stream/consumers', 'stream/promises', 'stream/web', 'string_decoder', 'sys', 'test', 'timers',
  'timers/promises', 'tls', 'trace_events', 'tty', 'url', 'util', 'util/types', 'v8', 'vm', 'wasi',
  'worker_threads', 'zlib', 'sqlite', 'sea',
]);

/** Pseudo values the evaluator gives to function values. */
export const FUNCTION_PSEUDO_VALUES: ReadonlySet<string> = new Set([
  '<function>',
  '<async function>',
  '<generator function>',
  '<async generator function>',
  '<class>',
  '<constructor>',
]);

type AnyNode = Node & Record<string, any>;

/** True for `a.b`, `a?.b`, `a[b]`. */
export function isMember(node: Node | null | undefined): node is Node & { object: Node; property: Node; computed: boolean } {
  return node != null && (node.type === 'MemberExpression' || node.type === 'OptionalMemberExpression');
}

/** True for calls and optional calls (not `new`). */
export function isCall(node: Node | null | undefined): node is Node & { callee: Node; arguments: Node[] } {
  return node != null && (node.type === 'CallExpression' || node.type === 'OptionalCallExpression');
}

/**
 * The key a member expression reads when it is one of `names`, or null. Non-computed and literal
 * keys are compared without allocating; other computed keys are folded (`x['con' + 'structor']`).
 */
export function matchMemberKey(context: RuleContext, node: Node, names: ReadonlySet<string>): string | null {
  const member = node as AnyNode;
  if (!member.computed) {
    const property = member.property as AnyNode;
    return property.type === 'Identifier' && names.has(property.name) ? property.name : null;
  }
  const literal = matchLiteralKey(member.property, names);
  return literal !== undefined ? literal : matchFoldedKeys(context.memberKeys(node), names);
}

/** The key of an object/class property or pattern property when it is one of `names`, or null. */
export function matchPropertyKey(context: RuleContext, property: Node, names: ReadonlySet<string>): string | null {
  const prop = property as AnyNode;
  const key = prop.key as AnyNode | undefined;
  if (key === undefined || key === null) return null;
  if (!prop.computed) {
    if (key.type === 'Identifier') return names.has(key.name) ? key.name : null;
    if (key.type === 'StringLiteral') return names.has(key.value) ? key.value : null;
    if (key.type === 'NumericLiteral') return names.has(String(key.value)) ? String(key.value) : null;
    return null;
  }
  const literal = matchLiteralKey(key, names);
  return literal !== undefined ? literal : matchFoldedKeys(context.foldStrings(key), names);
}

/** Matches a literal key against `names`; `undefined` when the key must be folded first. */
function matchLiteralKey(key: AnyNode, names: ReadonlySet<string>): string | null | undefined {
  switch (key.type) {
    case 'StringLiteral':
      return names.has(key.value) ? key.value : null;
    case 'NumericLiteral':
    case 'BooleanLiteral':
    case 'NullLiteral':
    case 'PrivateName':
      return null;
    default:
      return undefined;
  }
}

function matchFoldedKeys(keys: readonly string[] | null, names: ReadonlySet<string>): string | null {
  if (keys === null) return null;
  for (const k of keys) if (names.has(k)) return k;
  return null;
}

/** The keys an expression used as a property key may be (folded), or null when unknown. */
export function keyStrings(context: RuleContext, node: Node | undefined): string[] | null {
  if (node === undefined) return null;
  const inner = unwrap(node) as AnyNode;
  if (inner.type === 'StringLiteral') return [inner.value];
  if (inner.type === 'NumericLiteral') return [String(inner.value)];
  return context.foldStrings(inner);
}

/** The node's parent, skipping parentheses and TypeScript's type-only wrappers. */
export function usageParent(context: RuleContext, node: Node): { parent: Node | null; child: Node } {
  let child = node;
  let parent = context.parentOf(child);
  while (parent !== null && TRANSPARENT_WRAPPERS.has(parent.type)) {
    child = parent;
    parent = context.parentOf(child);
  }
  return { parent, child };
}

/** True when the expression is the operand of `typeof` (its value never escapes). */
export function isTypeofOperand(context: RuleContext, node: Node): boolean {
  const { parent } = usageParent(context, node);
  return parent !== null && parent.type === 'UnaryExpression' && (parent as AnyNode).operator === 'typeof';
}

/** True when the expression is the target of an assignment, update or `delete` (a write). */
export function isWriteTarget(context: RuleContext, node: Node): boolean {
  const { parent, child } = usageParent(context, node);
  if (parent === null) return false;
  const p = parent as AnyNode;
  if (p.type === 'AssignmentExpression') return p.left === child;
  if (p.type === 'UpdateExpression') return true;
  if (p.type === 'UnaryExpression') return p.operator === 'delete';
  return false;
}

const COMPARISON_OPERATORS: ReadonlySet<string> = new Set(['===', '!==', '==', '!=', 'instanceof']);

/**
 * True when a value is only compared, tested or named where it is read: `x.constructor === Y`,
 * `a instanceof x.constructor`, `x.constructor.name`, `typeof x.constructor`, `if (x.constructor)`,
 * `x.constructor && ...`, `switch (x.constructor)`. Such uses cannot call the value or hand it on.
 * `allowPrototype` also accepts `.prototype` reads that are themselves only compared.
 */
export function isInertUse(context: RuleContext, node: Node, allowPrototype = true): boolean {
  const { parent, child } = usageParent(context, node);
  if (parent === null) return false;
  const p = parent as AnyNode;
  switch (p.type) {
    case 'BinaryExpression':
      return COMPARISON_OPERATORS.has(p.operator);
    case 'UnaryExpression':
      return p.operator === 'typeof' || p.operator === '!' || p.operator === 'void';
    case 'IfStatement':
    case 'WhileStatement':
    case 'DoWhileStatement':
    case 'ForStatement':
    case 'ConditionalExpression':
      return p.test === child;
    case 'SwitchStatement':
      return p.discriminant === child;
    case 'SwitchCase':
      return p.test === child;
    case 'LogicalExpression':
      // Only a falsy value flows out of `x && ...`: harmless.
      return p.operator === '&&' && p.left === child;
    case 'MemberExpression':
    case 'OptionalMemberExpression': {
      if (p.object !== child) return false;
      if (matchMemberKey(context, p, NAME_KEYS) !== null) return true;
      if (allowPrototype && matchMemberKey(context, p, PROTOTYPE_KEY) !== null) return isInertUse(context, p, false);
      return false;
    }
    default:
      return false;
  }
}

const NAME_KEYS: ReadonlySet<string> = new Set(['name']);
const PROTOTYPE_KEY: ReadonlySet<string> = new Set(['prototype']);

/** The innermost function (or program) that encloses a node; arrows included. */
export function enclosingFunction(context: RuleContext, node: Node): Node | null {
  for (let p = context.parentOf(node); p !== null; p = context.parentOf(p)) {
    if (FUNCTION_TYPES.has(p.type)) return p;
  }
  return null;
}

export { FUNCTION_TYPES };

/** The innermost non-arrow function, class member or static block that decides `this` for a node. */
export function thisOwner(context: RuleContext, node: Node): Node | null {
  for (let p = context.parentOf(node); p !== null; p = context.parentOf(p)) {
    switch (p.type) {
      case 'FunctionDeclaration':
      case 'FunctionExpression':
      case 'ObjectMethod':
      case 'ClassMethod':
      case 'ClassPrivateMethod':
      case 'ClassProperty':
      case 'ClassPrivateProperty':
      case 'ClassAccessorProperty':
      case 'StaticBlock':
        return p;
      default:
        break;
    }
  }
  return null;
}

/** True when an expression denotes a Symbol: `Symbol()`, `Symbol.for(...)`, `Symbol.iterator`, or a const alias of one. */
export function isSymbolValue(context: RuleContext, node: Node): boolean {
  let current = unwrap(node) as AnyNode;
  for (let hops = 0; hops < 4; hops++) {
    if (current.type === 'CallExpression' || current.type === 'OptionalCallExpression') {
      const callee = context.values(current.callee);
      return callee.has('Symbol') || callee.has('Symbol.for');
    }
    if (isMember(current)) {
      for (const v of context.values(current)) if (v.startsWith('Symbol.') && v !== 'Symbol.for' && v !== 'Symbol.keyFor') return true;
      return false;
    }
    if (current.type !== 'Identifier') return false;
    const binding = context.resolve(current as never);
    if (!binding || binding.init === null || binding.path.length > 0 || binding.assignments.length > 0) return false;
    current = unwrap(binding.init) as AnyNode;
  }
  return false;
}

/** Shortens source text for messages. */
export function abbreviate(text: string, max = 60): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max - 3)}...` : flat;
}

/** A host path for messages: `module:fs.readFile` reads as `require('fs').readFile`. */
export function describePath(path: string): string {
  if (path.startsWith('module:')) {
    const rest = path.slice(7);
    const dot = rest.indexOf('.');
    return dot === -1 ? `require('${rest}')` : `require('${rest.slice(0, dot)}')${rest.slice(dot)}`;
  }
  return path;
}

/** Methods and functions through which a call reads or writes an object's property by key. */
export type ReflectOp =
  | 'get'
  | 'set'
  | 'descriptor'
  | 'descriptors'
  | 'define'
  | 'defineMany'
  | 'delete'
  | 'setPrototype'
  | 'assign'
  | 'defineGetter'
  | 'defineSetter'
  | 'lookupGetter'
  | 'lookupSetter';

const REFLECT_FUNCTIONS: ReadonlyMap<string, ReflectOp> = new Map([
  ['Reflect.get', 'get'],
  ['Reflect.set', 'set'],
  ['Reflect.getOwnPropertyDescriptor', 'descriptor'],
  ['Object.getOwnPropertyDescriptor', 'descriptor'],
  ['Object.getOwnPropertyDescriptors', 'descriptors'],
  ['Reflect.defineProperty', 'define'],
  ['Object.defineProperty', 'define'],
  ['Object.defineProperties', 'defineMany'],
  ['Reflect.deleteProperty', 'delete'],
  ['Object.setPrototypeOf', 'setPrototype'],
  ['Reflect.setPrototypeOf', 'setPrototype'],
  ['Object.assign', 'assign'],
]);

/** Legacy accessor methods, called on the object they act on. */
const ACCESSOR_METHODS: ReadonlyMap<string, ReflectOp> = new Map([
  ['__defineGetter__', 'defineGetter'],
  ['__defineSetter__', 'defineSetter'],
  ['__lookupGetter__', 'lookupGetter'],
  ['__lookupSetter__', 'lookupSetter'],
]);

const REFLECT_METHOD_NAMES: ReadonlySet<string> = new Set([
  'get',
  'set',
  'getOwnPropertyDescriptor',
  'getOwnPropertyDescriptors',
  'defineProperty',
  'defineProperties',
  'deleteProperty',
  'setPrototypeOf',
  'assign',
  'apply',
  'call',
  ...ACCESSOR_METHODS.keys(),
]);

export interface ReflectCall {
  op: ReflectOp;
  /** The object acted on. */
  target: Node;
  /** The key argument (absent for descriptors/defineMany/setPrototype/assign). */
  key: Node | undefined;
  /** The remaining arguments after the key (value, descriptor, sources, prototype). */
  rest: readonly Node[];
  /** How it was called: 'direct', 'call', 'apply', 'Reflect.apply'. */
  via: string;
  /** The function's name for messages: 'Object.defineProperty', '__defineGetter__'. */
  name: string;
}

const reflectCache = fileCache<Node, ReflectCall | null>();

/**
 * Recognises a call that reads or writes a property through a reflective API:
 * `Reflect.get(o, k)`, `Object.defineProperty(o, k, d)`, `Object.assign(o, s)`,
 * `o.__defineGetter__(k, f)`, their aliases (`const dp = Object.defineProperty`) and the
 * `.call`/`.apply`/`Reflect.apply` forms. Cheap for ordinary calls: it looks at the callee's shape
 * before asking the evaluator anything.
 */
export function reflectCall(context: RuleContext, node: Node): ReflectCall | null {
  const cached = reflectCache.get(node);
  if (cached !== undefined) return cached;
  const result = computeReflectCall(context, node);
  // Only hits are kept: a miss is decided by the callee's shape or the memoised call target.
  if (result !== null) reflectCache.set(node, result);
  return result;
}

function computeReflectCall(context: RuleContext, node: Node): ReflectCall | null {
  const call = node as AnyNode;
  if (!isCall(call)) return null;
  let callee = unwrap(call.callee) as AnyNode;
  // `(0, Reflect.get)(o, k)`.
  for (let hops = 0; hops < 8 && callee.type === 'SequenceExpression'; hops++) callee = unwrap(callee.expressions[callee.expressions.length - 1]) as AnyNode;
  if (isMember(callee)) {
    const method = matchMemberKey(context, callee, REFLECT_METHOD_NAMES);
    if (method === null) return null;
    // `o.__defineGetter__(k, f)` acts on `o` itself.
    const accessor = ACCESSOR_METHODS.has(method) ? method : null;
    if (accessor !== null) {
      return { op: ACCESSOR_METHODS.get(accessor)!, target: callee.object, key: call.arguments[0], rest: call.arguments.slice(1), via: 'direct', name: accessor };
    }
    // `map.get(k)`, `fn.call(x)`: skip receivers that cannot be Reflect/Object or an alias of their methods.
    if (!plausibleReflectReceiver(context, callee.object, method === 'call' || method === 'apply', 0)) return null;
  } else if (callee.type === 'Identifier') {
    const binding = context.resolve(callee as never);
    if (binding === undefined) return null;
    if (binding !== null && binding.kind !== 'const' && binding.kind !== 'let' && binding.kind !== 'var') return null;
  } else if (callee.type !== 'ConditionalExpression' && callee.type !== 'LogicalExpression' && !isCall(callee)) return null;

  const target = context.callTarget(call);
  let op: ReflectOp | undefined;
  let name = '';
  for (const fn of target.callee) {
    const found = REFLECT_FUNCTIONS.get(fn);
    if (found !== undefined) {
      op = found;
      name = fn;
      break;
    }
    // `Object.prototype.__defineGetter__.call(o, k, f)`.
    const dot = fn.lastIndexOf('.');
    // (Every accessor method's name starts with `__`: test that before cutting out the name.)
    const accessor = fn.charCodeAt(dot + 1) === 95 ? ACCESSOR_METHODS.get(dot === -1 ? fn : fn.slice(dot + 1)) : undefined;
    if (accessor !== undefined && (target.via === 'call' || target.via === 'apply')) {
      const receiver = call.arguments[0] as Node | undefined;
      if (receiver === undefined) return null;
      const args = target.via === 'call' ? call.arguments.slice(1) : (target.args ?? []);
      return { op: accessor, target: receiver, key: args[0], rest: args.slice(1), via: target.via, name: fn.slice(dot + 1) };
    }
  }
  if (op === undefined || target.args === null) return null;
  const args = target.args;
  if (args[0] === undefined) return null;
  const keyed = op !== 'descriptors' && op !== 'defineMany' && op !== 'setPrototype' && op !== 'assign';
  return {
    op,
    target: args[0],
    key: keyed ? args[1] : undefined,
    rest: keyed ? args.slice(2) : args.slice(1),
    via: target.via,
    name,
  };
}

const REFLECT_OWNERS: ReadonlySet<string> = new Set(['Reflect', 'Object']);

/**
 * Whether `receiver` may be `Reflect`/`Object` (or, for `.call`/`.apply`, one of their methods),
 * judged by shape only: the name itself, a member named so, or an alias bound from an expression.
 */
function plausibleReflectReceiver(context: RuleContext, receiver: Node, invoked: boolean, depth: number): boolean {
  const inner = unwrap(receiver) as AnyNode;
  if (depth > 2) return true;
  if (inner.type === 'Identifier') {
    const binding = context.resolve(inner as never);
    if (binding === undefined) return false;
    if (binding === null) return REFLECT_OWNERS.has(inner.name);
    if (binding.kind !== 'const' && binding.kind !== 'let' && binding.kind !== 'var') return false;
    if (binding.path.length > 0) return true;
    const init = binding.init === null ? null : (unwrap(binding.init) as AnyNode);
    return init !== null && (init.type === 'Identifier' || isMember(init) || init.type === 'SequenceExpression' || init.type === 'ConditionalExpression' || init.type === 'LogicalExpression' || init.type === 'CallExpression');
  }
  if (isMember(inner)) {
    if (invoked) {
      // `Reflect.get.call(...)`, `Object.prototype.__defineGetter__.call(...)`, `Reflect.apply.call(...)`.
      const method = matchMemberKey(context, inner, REFLECT_METHOD_NAMES);
      if (method === null) return false;
      return ACCESSOR_METHODS.has(method) || plausibleReflectReceiver(context, inner.object, false, depth + 1);
    }
    if (inner.computed) return true;
    return matchMemberKey(context, inner, REFLECT_OWNERS) !== null;
  }
  return inner.type === 'SequenceExpression' || inner.type === 'ConditionalExpression' || inner.type === 'LogicalExpression';
}

const ACCESSOR_NAMES: ReadonlySet<string> = new Set(ACCESSOR_METHODS.keys());

/** True when the reflective operation writes to its target. */
export function isWriteOp(op: ReflectOp): boolean {
  return op === 'set' || op === 'define' || op === 'defineMany' || op === 'delete' || op === 'setPrototype' || op === 'assign' || op === 'defineGetter' || op === 'defineSetter';
}

/** True when no `'use strict'` directive, class body or module makes the code at `node` strict. */
export function isSloppy(context: RuleContext, node: Node): boolean {
  if (context.sourceType === 'module') return false;
  for (let p: Node | null = node; p !== null; p = context.parentOf(p)) {
    const n = p as AnyNode;
    if (n.type === 'ClassBody') return false;
    const body = n.type === 'Program' ? n : FUNCTION_TYPES.has(n.type) && n.body?.type === 'BlockStatement' ? n.body : null;
    if (body !== null && Array.isArray(body.directives)) {
      for (const d of body.directives) if (d.value?.value === 'use strict') return false;
    }
  }
  return true;
}

/** Roots an expression at a base identifier through member reads: `a.b[c].d` → `a`. */
export function memberBase(node: Node): Node {
  let current = unwrap(node) as AnyNode;
  for (let hops = 0; hops < 64 && isMember(current); hops++) current = unwrap(current.object) as AnyNode;
  return current;
}

const declaredCache = fileCache<Node, Binding | null>();

/**
 * The binding a declaring identifier introduces (`x` in `const x = ...`). The rule API resolves
 * references only, so this finds one reference to the same binding inside the enclosing function
 * or program. Used on rare paths only (an alias of a flagged value); cached per identifier.
 */
export function declaredBinding(context: RuleContext, id: Identifier): Binding | null {
  const cached = declaredCache.get(id);
  if (cached !== undefined) return cached;
  let scopeNode: Node | null = null;
  for (let p = context.parentOf(id); p !== null; p = context.parentOf(p)) {
    if (FUNCTION_TYPES.has(p.type) || p.type === 'Program') {
      scopeNode = p;
      break;
    }
  }
  let found: Binding | null = null;
  if (scopeNode !== null) {
    let budget = 20000;
    walk(scopeNode, {
      enter(node) {
        if (found !== null || --budget < 0) return false;
        if (node.type === 'Identifier' && node !== id && node.name === id.name) {
          const binding = context.resolve(node);
          if (binding && binding.id === id) found = binding;
        }
        return undefined;
      },
    });
  }
  declaredCache.set(id, found);
  return found;
}

// -----------------------------------------------------------------------------------------------
// Writes: what an assignment, `delete` or reflective call writes to. no-intrinsic-mutation and
// no-global-tampering both classify the same write sites, so the sites are computed once per node.

/** `write`: an assignment operator; the ReflectOp `assign` is Object.assign. */
export type WriteOp = 'write' | 'update' | 'delete' | ReflectOp;

export interface WriteSite {
  /** Where to report. */
  node: Node;
  op: WriteOp;
  /** The object written into (`X` in `X.k = v`), or null for a bare global name. */
  object: Node | null;
  /** The keys written, folded; null when unknown. */
  keys: readonly string[] | null;
  /** A bare global name assigned (`fetch = ...`). */
  globalName: string | null;
  /** The value written (assignment right side, descriptor object, `setPrototypeOf` prototype). */
  value: Node | null;
  /** The written member expression itself (`X.k`), when the write is syntactic. */
  member: Node | null;
  /** The reflective function used, for messages. */
  via: string;
}

const writeCache = fileCache<Node, readonly WriteSite[]>();
const NO_SITES: readonly WriteSite[] = [];

/** The write sites of an assignment, update, `delete` or reflective call; empty for anything else. */
export function writeSites(context: RuleContext, node: Node): readonly WriteSite[] {
  const cached = writeCache.get(node);
  if (cached !== undefined) return cached;
  const sites = computeWriteSites(context, node as AnyNode);
  // Empty answers (most calls and assignments to locals) are cheap to recompute; keep the rest.
  if (sites !== NO_SITES) writeCache.set(node, sites);
  return sites;
}

function computeWriteSites(context: RuleContext, node: AnyNode): readonly WriteSite[] {
  switch (node.type) {
    case 'AssignmentExpression': {
      // The common case first: an assignment to a local variable writes nothing shared.
      if (node.left.type === 'Identifier' && context.resolve(node.left as never) != null) return NO_SITES;
      const out: WriteSite[] = [];
      collectPatternWrites(context, node.left, node.operator === '=' ? node.right : null, out, 0);
      return out.length === 0 ? NO_SITES : out;
    }
    case 'UpdateExpression': {
      const target = unwrap(node.argument) as AnyNode;
      return isMember(target) ? [memberSite(context, target, 'update', null)] : NO_SITES;
    }
    case 'UnaryExpression': {
      if (node.operator !== 'delete') return NO_SITES;
      const target = unwrap(node.argument) as AnyNode;
      if (!isMember(target)) return NO_SITES;
      return [{ ...memberSite(context, target, 'delete', null), node }];
    }
    case 'CallExpression':
    case 'OptionalCallExpression': {
      const call = reflectCall(context, node);
      if (call === null || !isWriteOp(call.op)) return NO_SITES;
      let keys: string[] | null = null;
      let value: Node | null = call.rest[0] ?? null;
      if (call.key !== undefined) keys = keyStrings(context, call.key);
      else if (call.op === 'defineMany') keys = literalKeys(context, call.rest[0]);
      else if (call.op === 'assign') {
        keys = [];
        for (const source of call.rest) {
          const found = literalKeys(context, source);
          if (found === null) {
            keys = null;
            break;
          }
          keys.push(...found);
        }
        value = call.rest.length === 1 ? call.rest[0]! : null;
      }
      return [{ node, op: call.op, object: call.target, keys, globalName: null, value, member: null, via: call.name }];
    }
    default:
      return NO_SITES;
  }
}

function memberSite(context: RuleContext, member: AnyNode, op: WriteOp, value: Node | null): WriteSite {
  const keys = member.computed ? context.memberKeys(member) : member.property.type === 'Identifier' ? [member.property.name as string] : null;
  return { node: member, op, object: member.object, keys, globalName: null, value, member, via: '' };
}

function collectPatternWrites(context: RuleContext, target: AnyNode, value: Node | null, out: WriteSite[], depth: number): void {
  if (depth > 16 || target == null) return;
  const inner = unwrap(target) as AnyNode;
  switch (inner.type) {
    case 'MemberExpression':
    case 'OptionalMemberExpression':
      out.push(memberSite(context, inner, 'write', value));
      return;
    case 'Identifier':
      if (context.resolve(inner as never) === null) {
        out.push({ node: inner, op: 'write', object: null, keys: null, globalName: inner.name, value, member: null, via: '' });
      }
      return;
    case 'ObjectPattern':
      for (const property of inner.properties) collectPatternWrites(context, property.type === 'RestElement' ? property.argument : property.value, null, out, depth + 1);
      return;
    case 'ArrayPattern':
      for (const element of inner.elements) if (element) collectPatternWrites(context, element, null, out, depth + 1);
      return;
    case 'AssignmentPattern':
      collectPatternWrites(context, inner.left, null, out, depth + 1);
      return;
    case 'RestElement':
      collectPatternWrites(context, inner.argument, null, out, depth + 1);
      return;
    default:
      return;
  }
}

/** The keys of an object literal (through a const binding), or null when any is unknown. */
export function literalKeys(context: RuleContext, node: Node | undefined): string[] | null {
  if (node === undefined) return null;
  let current = unwrap(node) as AnyNode;
  for (let hops = 0; hops < 4 && current.type === 'Identifier'; hops++) {
    const binding = context.resolve(current as never);
    if (!binding || binding.init === null || binding.path.length > 0 || binding.assignments.length > 0) return null;
    current = unwrap(binding.init) as AnyNode;
  }
  if (current.type !== 'ObjectExpression') return null;
  const keys: string[] = [];
  for (const property of current.properties) {
    if (property.type === 'SpreadElement') return null;
    if (!property.computed) {
      const key = property.key;
      if (key.type === 'Identifier') keys.push(key.name);
      else if (key.type === 'StringLiteral') keys.push(key.value);
      else if (key.type === 'NumericLiteral') keys.push(String(key.value));
      else return null;
    } else {
      const folded = keyStrings(context, property.key);
      if (folded === null) return null;
      keys.push(...folded);
    }
  }
  return keys;
}

/** A host path written by a site: `Array.prototype.map`, `globalThis.fetch` → `fetch`, `Array.prototype[?]`. */
export function writtenPaths(context: RuleContext, site: WriteSite): string[] {
  if (site.globalName !== null) return [globalPath(site.globalName)];
  if (site.object === null) return [];
  const out: string[] = [];
  for (const value of context.values(site.object)) {
    if (value === '?' || value.startsWith('<') || value === 'null' || value === 'undefined' || value.startsWith('descriptor:')) continue;
    if (site.op === 'setPrototype') {
      out.push(value);
      continue;
    }
    if (site.keys === null) {
      out.push(`${value}[?]`);
      continue;
    }
    for (const key of site.keys) out.push(value === 'globalThis' ? globalPath(key) : `${value}.${key}`);
    if (site.keys.length === 0) out.push(value);
  }
  return out;
}

/** The first segment of a host path: `Array.prototype.map` → `Array`. */
export function pathRoot(path: string): string {
  let end = path.length;
  const dot = path.indexOf('.');
  const bracket = path.indexOf('[');
  if (dot !== -1) end = dot;
  if (bracket !== -1 && bracket < end) end = bracket;
  return path.slice(0, end);
}

/**
 * True when a write defines something only if it is missing, the way polyfills do:
 * `if (!Array.prototype.at) Array.prototype.at = ...`, `X.k = X.k || f`, `X.k ??= f`,
 * `X.k || (X.k = f)`, `if (typeof X.k !== 'function') Object.defineProperty(X, 'k', ...)`.
 */
export function isPolyfillGuarded(context: RuleContext, site: WriteSite): boolean {
  const key = site.keys !== null && site.keys.length === 1 ? site.keys[0]! : null;
  if (key === null) return false;
  const statement = site.node as AnyNode;
  const parent = context.parentOf(site.node) as AnyNode | null;
  if (site.member !== null && parent !== null && parent.type === 'AssignmentExpression') {
    if (parent.operator === '||=' || parent.operator === '??=') return true;
    const right = unwrap(parent.right) as AnyNode;
    const text = context.text(site.member);
    if (right.type === 'LogicalExpression' && (right.operator === '||' || right.operator === '??') && context.text(right.left) === text) return true;
    const outer = usageParent(context, parent).parent as AnyNode | null;
    if (outer !== null && outer.type === 'LogicalExpression' && (outer.operator === '||' || outer.operator === '??') && context.text(outer.left) === text) return true;
  }
  const guardText = (test: Node): boolean => {
    const text = context.text(test);
    return text.includes(key) && /!|typeof|undefined|null|\bin\b|hasOwn/.test(text);
  };
  let child: AnyNode = statement;
  for (let p: AnyNode | null = context.parentOf(statement) as AnyNode | null, hops = 0; p !== null && hops < 16; child = p, p = context.parentOf(p) as AnyNode | null, hops++) {
    if (p.type === 'IfStatement' || p.type === 'ConditionalExpression') {
      if (p.test !== child && guardText(p.test)) return true;
    } else if (p.type === 'LogicalExpression' && p.operator === '&&' && p.right === child && guardText(p.left)) return true;
    // `if (typeof globalThis !== 'undefined') return globalThis;` before the write.
    const body: AnyNode[] | null = p.type === 'BlockStatement' || p.type === 'Program' ? p.body : p.type === 'SwitchCase' ? p.consequent : null;
    if (body !== null) {
      const index = body.indexOf(child);
      for (let i = 0; i < index; i++) {
        const earlier = body[i]!;
        if (earlier.type === 'IfStatement' && exits(earlier.consequent) && guardText(earlier.test)) return true;
      }
    }
    if (FUNCTION_TYPES.has(p.type)) break;
  }
  return isTemporary(context, site, key);
}

function exits(node: AnyNode): boolean {
  if (node.type === 'ReturnStatement' || node.type === 'ThrowStatement') return true;
  if (node.type === 'BlockStatement' && node.body.length > 0) return exits(node.body[node.body.length - 1]);
  return false;
}

/**
 * A definition removed again by the same code: the `globalThis` polyfill defines a getter on
 * Object.prototype and deletes it on first use (`delete Object.prototype.globalThis`).
 */
function isTemporary(context: RuleContext, site: WriteSite, key: string): boolean {
  if (site.object === null) return false;
  const objectText = context.text(site.object);
  if (site.op === 'delete') {
    // The delete sits inside the descriptor of the definition it undoes.
    for (let p = context.parentOf(site.node); p !== null; p = context.parentOf(p)) {
      if (!isCall(p)) continue;
      for (const outer of writeSites(context, p)) {
        if (outer.op !== 'delete' && outer.object !== null && outer.keys?.includes(key) && context.text(outer.object) === objectText) return true;
      }
    }
    return false;
  }
  let scope: Node | null = null;
  for (let p = context.parentOf(site.node); p !== null; p = context.parentOf(p)) {
    if (FUNCTION_TYPES.has(p.type) || p.type === 'Program') {
      scope = p;
      break;
    }
  }
  if (scope === null) return false;
  let found = false;
  let budget = 5000;
  walk(scope, {
    enter(node) {
      if (found || --budget < 0) return false;
      const n = node as AnyNode;
      if (n.type === 'UnaryExpression' && n.operator === 'delete') {
        const target = unwrap(n.argument) as AnyNode;
        if (isMember(target) && context.text(target.object) === objectText && matchMemberKey(context, target, new Set([key])) !== null) found = true;
      }
      return undefined;
    },
  });
  return found;
}

/** Network sinks a wrapper may forward data to (host paths, called or constructed). */
const NETWORK_SINKS: ReadonlySet<string> = new Set([
  'fetch',
  'navigator.sendBeacon',
  'XMLHttpRequest',
  'WebSocket',
  'EventSource',
  'Image',
  'module:http.request',
  'module:http.get',
  'module:https.request',
  'module:https.get',
  'module:http2.connect',
  'module:net.connect',
  'module:net.createConnection',
  'module:tls.connect',
  'module:dgram.createSocket',
  'module:dns.lookup',
  'module:dns.resolve',
  'module:dns.resolveTxt',
  'module:dns.promises.lookup',
  'module:dns.promises.resolve',
  'module:axios',
  'module:axios.post',
  'module:axios.get',
  'module:node-fetch',
  'module:undici.request',
  'module:undici.fetch',
]);

/**
 * The network sink a replacement function sends data to, other than the API it replaces, or null.
 * Looks inside a function literal (or a const-bound one) with a bounded walk.
 */
export function forwardedSink(context: RuleContext, value: Node | null, replaced: readonly string[]): string | null {
  if (value === null) return null;
  let fn = unwrap(value) as AnyNode;
  for (let hops = 0; hops < 4 && fn.type === 'Identifier'; hops++) {
    const binding = context.resolve(fn as never);
    if (!binding) return null;
    if (binding.kind === 'function') {
      fn = binding.declaration as AnyNode;
      break;
    }
    if (binding.init === null || binding.path.length > 0) return null;
    fn = unwrap(binding.init) as AnyNode;
  }
  // A property descriptor: look at its value/get/set functions.
  const bodies: AnyNode[] = [];
  if (FUNCTION_TYPES.has(fn.type)) bodies.push(fn);
  else if (fn.type === 'ObjectExpression') {
    for (const property of fn.properties) {
      if (property.type === 'ObjectMethod') bodies.push(property);
      else if (property.type === 'ObjectProperty' && FUNCTION_TYPES.has(unwrap(property.value).type)) bodies.push(unwrap(property.value) as AnyNode);
    }
  }
  const skip = new Set(replaced);
  for (const body of bodies) {
    let found: string | null = null;
    let budget = 4000;
    walk(body, {
      enter(node) {
        if (found !== null || --budget < 0) return false;
        if (node.type === 'CallExpression' || node.type === 'NewExpression' || node.type === 'OptionalCallExpression') {
          for (const callee of context.callTarget(node).callee) {
            if (NETWORK_SINKS.has(callee) && !skip.has(callee)) {
              found = callee;
              break;
            }
          }
        }
        return undefined;
      },
    });
    if (found !== null) return found;
  }
  return null;
}

/**
 * A visitor that reports every reference to some global capabilities (`WebAssembly`, `Atomics`):
 * the bare name, the global object's property (`globalThis['Web' + 'Assembly']`), `Reflect.get`,
 * descriptors and destructuring (`const { Atomics: A } = globalThis`). Once per evasion: members of
 * an already-reported value are not reported again. `typeof X` feature tests are allowed.
 */
export function globalCapabilityVisitor(
  context: RuleContext,
  names: ReadonlySet<string>,
  report: (node: Node, name: string, how: 'name' | 'global') => void,
): Record<string, (node: any) => void> {
  const rootOf = (values: ReadonlySet<string>): string | null => {
    for (const v of values) {
      const root = pathRoot(v);
      if (names.has(root)) return root;
    }
    return null;
  };
  const viaGlobal = (node: Node, values: ReadonlySet<string>, source: Node | null): void => {
    const root = rootOf(values);
    if (root === null || isTypeofOperand(context, node)) return;
    if (source !== null && !context.values(source).has('globalThis')) return;
    report(node, root, 'global');
  };
  const member = (node: AnyNode): void => {
    if (matchMemberKey(context, node, names) === null) return;
    viaGlobal(node, context.ownValues(node), node.object);
  };
  const call = (node: AnyNode): void => {
    const reflect = reflectCall(context, node);
    if (reflect === null || (reflect.op !== 'get' && reflect.op !== 'descriptor')) return;
    const keys = keyStrings(context, reflect.key);
    if (keys === null || !keys.some((k) => names.has(k))) return;
    if (!context.values(reflect.target).has('globalThis')) return;
    const root = keys.find((k) => names.has(k))!;
    report(node, root, 'global');
  };
  return {
    Identifier(node: AnyNode) {
      if (!names.has(node.name) || context.resolve(node as never) !== null) return;
      if (isTypeofOperand(context, node)) return;
      report(node, node.name, 'name');
    },
    MemberExpression: member,
    OptionalMemberExpression: member,
    CallExpression: call,
    OptionalCallExpression: call,
    ObjectProperty(node: AnyNode) {
      if (context.parentOf(node)?.type !== 'ObjectPattern' || matchPropertyKey(context, node, names) === null) return;
      viaGlobal(node, context.ownValues(node), null);
    },
  };
}
