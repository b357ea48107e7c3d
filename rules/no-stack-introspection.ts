// no-stack-introspection: the engine's stack-trace and call-stack APIs. `Error.prepareStackTrace`
// is a hook V8 calls with raw CallSite objects whose getThis()/getFunction() hand out the values of
// every frame, host frames included (CVE-2022-36067, CVE-2023-29017); replacing `Error` with an
// object that carries a `prepareStackTrace` reaches the same hook. `Error.captureStackTrace` runs
// the formatter on any object; `Error.stackTraceLimit` changes what is recorded. `arguments.callee`,
// `arguments.caller`, `fn.caller` and `fn.arguments` walk the live call stack to the functions and
// arguments of callers, which in a sandbox can be the host's. Giving an error a Symbol `name`
// makes the stack formatter throw from inside the engine: the host-error generation primitive.
//
// Profiles: in audit and recommended, `Error.captureStackTrace` (common in custom error classes) is
// not reported; in recommended, `arguments.callee` and `.caller`/`.arguments` are errors (they are
// never needed in modern code) while the stack-trace API findings stay warnings.
import { defineRule } from '../analyzer/rule-api.js';
import type { RuleContext } from '../analyzer/rule-api.js';
import type { Node } from '@babel/types';
import {
  abbreviate,
  isMember,
  isSymbolValue,
  isWriteTarget,
  keyStrings,
  matchMemberKey,
  matchPropertyKey,
  reflectCall,
  unwrap,
  usageParent,
  FUNCTION_PSEUDO_VALUES,
} from './_sandbox.js';

type AnyNode = Node & Record<string, any>;
type MessageId = 'prepare' | 'capture' | 'limit' | 'callee' | 'caller' | 'fnArguments' | 'symbolName' | 'callSites';

const STACK_KEYS: ReadonlySet<string> = new Set(['prepareStackTrace', 'captureStackTrace', 'stackTraceLimit', 'callee', 'caller', 'arguments', 'getCallSites']);
const NAME: ReadonlySet<string> = new Set(['name']);
const CALLEE: ReadonlySet<string> = new Set(['callee']);
/** Values known not to be functions, whose `.caller`/`.arguments` are ordinary data. */
const DATA_PSEUDO_VALUES: ReadonlySet<string> = new Set(['<object>', '<array>', '<string>', '<number>', '<boolean>', '<bigint>', '<regexp>', '<error>', '<promise>', 'globalThis', 'null', 'undefined']);

export default defineRule({
  id: 'no-stack-introspection',
  meta: {
    type: 'problem',
    category: 'sandbox-integrity',
    description:
      'Disallows Error.prepareStackTrace, Error.captureStackTrace, Error.stackTraceLimit writes, arguments.callee/caller, fn.caller/fn.arguments and Symbol error names.',
    defaults: { strict: 'error', audit: 'warn', recommended: 'warn' },
    messages: {
      prepare: '`{{text}}` touches `prepareStackTrace`, the hook the engine calls with raw CallSite objects whose getThis()/getFunction() expose every frame, host frames included.',
      capture: '`{{text}}` uses `Error.captureStackTrace`, which installs a stack getter on any object and runs the engine\'s stack formatter on it.',
      limit: '`{{text}}` changes `Error.stackTraceLimit`, which governs how much of the call stack errors record.',
      callee: '`{{text}}` reaches the running function through `arguments.{{key}}`; it walks the live call stack (and is forbidden in strict mode).',
      caller: '`{{text}}` reads `.caller`, the function that called this one: in a sandbox, possibly a host function.',
      fnArguments: '`{{text}}` reads the legacy `.arguments` of a function: the arguments of its running call, possibly host values.',
      symbolName: '`{{text}}` gives an error a Symbol name; formatting its stack then throws from inside the engine\'s formatter (the host-error generation primitive).',
      callSites: '`{{text}}` returns the current call sites, host frames included.',
    },
  },
  create(context) {
    const report = (node: Node, messageId: MessageId, data: Record<string, string> = {}): void => {
      const stackWalk = messageId === 'callee' || messageId === 'caller' || messageId === 'fnArguments';
      const severity = stackWalk && context.profile === 'recommended' ? 'error' : undefined;
      context.report({ node, messageId, data: { text: abbreviate(context.text(node)), ...data }, ...(severity ? { severity } : {}) });
    };
    const member = (node: AnyNode): void => {
      const key = matchMemberKey(context, node, STACK_KEYS);
      if (key === null) {
        if (matchMemberKey(context, node, NAME) !== null) checkSymbolName(context, node, report);
        return;
      }
      const messageId = classifyKey(context, key, node.object, () => isWriteTarget(context, node));
      if (messageId !== null) report(node, messageId, { key });
    };
    const call = (node: AnyNode): void => {
      const reflect = reflectCall(context, node);
      if (reflect === null) return;
      if (reflect.op !== 'get' && reflect.op !== 'descriptor' && reflect.op !== 'set' && reflect.op !== 'define' && reflect.op !== 'delete') return;
      const keys = keyStrings(context, reflect.key);
      if (keys === null) return;
      const write = reflect.op === 'set' || reflect.op === 'define' || reflect.op === 'delete';
      for (const key of keys) {
        if (key === 'name' && (reflect.op === 'set' || reflect.op === 'define')) {
          const value = reflect.op === 'set' ? reflect.rest[0] : descriptorValue(reflect.rest[0]);
          if (value !== undefined && isSymbolValue(context, value)) {
            report(node, 'symbolName');
            return;
          }
          continue;
        }
        if (!STACK_KEYS.has(key)) continue;
        const messageId = classifyKey(context, key, reflect.target, () => write);
        if (messageId !== null) {
          report(node, messageId, { key });
          return;
        }
      }
    };
    const definition = (node: AnyNode): void => {
      // `Error = { prepareStackTrace(e, frames) { ... } }`, `static prepareStackTrace = ...`.
      if (matchPropertyKey(context, node, PREPARE) !== null) {
        if (node.type === 'ObjectProperty' && context.parentOf(node)?.type === 'ObjectPattern') return;
        report(node, 'prepare');
        return;
      }
      // `class E extends Error { name = Symbol() }`.
      if (node.type === 'ClassProperty' && node.value && matchPropertyKey(context, node, NAME) !== null && isSymbolValue(context, node.value)) {
        report(node, 'symbolName');
      }
    };
    return {
      MemberExpression: member,
      OptionalMemberExpression: member,
      CallExpression: call,
      OptionalCallExpression: call,
      ObjectProperty(node: AnyNode) {
        if (context.parentOf(node)?.type === 'ObjectPattern') {
          const key = matchPropertyKey(context, node, STACK_KEYS);
          if (key === null) return;
          const source = patternSource(context, node);
          const messageId = classifyKey(context, key, source, () => false);
          if (messageId !== null) report(node, messageId, { key });
          return;
        }
        definition(node);
      },
      ObjectMethod: definition,
      ClassMethod: definition,
      ClassProperty: definition,
    };
  },
});

const PREPARE: ReadonlySet<string> = new Set(['prepareStackTrace']);

/** Which finding a stack-related key on `object` is, or null when it is ordinary data. */
function classifyKey(context: RuleContext<string>, key: string, object: Node | null, isWrite: () => boolean): MessageId | null {
  switch (key) {
    case 'prepareStackTrace':
      return 'prepare';
    case 'captureStackTrace':
      return context.profile === 'strict' ? 'capture' : null;
    case 'stackTraceLimit':
      return isWrite() ? 'limit' : null;
    case 'getCallSites': {
      if (object === null) return null;
      for (const v of context.values(object)) if (v === 'module:util' || v === 'module:node:util') return 'callSites';
      return null;
    }
    case 'callee':
      return object !== null && context.values(object).has('<arguments>') ? 'callee' : null;
    case 'caller': {
      if (object === null) return context.profile === 'strict' ? 'caller' : null;
      const values = context.values(object);
      if (values.has('<arguments>')) return 'callee';
      // `arguments.callee.caller`: one finding, at `arguments.callee`.
      const inner = unwrap(object) as AnyNode;
      if (isMember(inner) && matchMemberKey(context, inner, CALLEE) !== null && context.values(inner.object).has('<arguments>')) return null;
      return isFunctionLike(values, context.profile === 'strict') ? 'caller' : null;
    }
    case 'arguments': {
      if (object === null) return null;
      return isFunctionLike(context.values(object), false) ? 'fnArguments' : null;
    }
    default:
      return null;
  }
}

/**
 * Whether values may be a function: pseudo function values and `Function.prototype`. Unknown
 * values and untyped host paths count only when `failClosed` (strict).
 */
function isFunctionLike(values: ReadonlySet<string>, failClosed: boolean): boolean {
  let unknown = false;
  for (const v of values) {
    if (FUNCTION_PSEUDO_VALUES.has(v) || v === 'Function.prototype' || v === 'Function') return true;
    if (DATA_PSEUDO_VALUES.has(v) || v.startsWith('<') || v.startsWith('module:') || v.startsWith('descriptor:')) continue;
    // Unknown values and host paths the analysis cannot type.
    unknown = true;
  }
  return unknown && failClosed;
}

/** The expression a destructuring pattern reads from, when it is a declaration or assignment. */
function patternSource(context: RuleContext<string>, property: Node): Node | null {
  const pattern = context.parentOf(property);
  if (pattern === null) return null;
  const parent = context.parentOf(pattern) as AnyNode | null;
  if (parent === null) return null;
  if (parent.type === 'VariableDeclarator' && parent.id === pattern) return parent.init ?? null;
  if (parent.type === 'AssignmentExpression' && parent.left === pattern) return parent.right;
  return null;
}

function descriptorValue(node: Node | undefined): Node | undefined {
  if (node === undefined) return undefined;
  const inner = unwrap(node) as AnyNode;
  if (inner.type !== 'ObjectExpression') return undefined;
  for (const property of inner.properties) {
    if (property.type === 'ObjectProperty' && !property.computed && property.key.type === 'Identifier' && property.key.name === 'value') return property.value;
  }
  return undefined;
}

function checkSymbolName(context: RuleContext<string>, node: AnyNode, report: (node: Node, id: MessageId) => void): void {
  const { parent, child } = usageParent(context, node);
  if (parent === null || parent.type !== 'AssignmentExpression') return;
  const assignment = parent as AnyNode;
  if (assignment.left !== child || assignment.operator !== '=') return;
  if (isSymbolValue(context, assignment.right)) report(assignment, 'symbolName');
}
