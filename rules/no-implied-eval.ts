// no-implied-eval: timers that compile their first argument when it is a string:
// `setTimeout('code', 0)`, `setInterval`, `setImmediate`, IE's `execScript`. The timer may be
// reached under any name (`window.setTimeout`, `globalThis['set' + 'Timeout']`, an alias, an
// import from `timers`, `.call`/`.apply`/`Reflect.apply`, `.bind(null, 'code')`).
//
// A first argument that is provably a function (an arrow, a function expression, a name bound to
// a function, a `.bind(...)` result, a Promise executor's `resolve`, a parameter typed as a
// function) is fine. A provably string argument (literal, template, concatenation, folded
// value) is reported in every profile. An argument that is neither is reported in `strict`
// only: strict fails closed, while in `recommended` and `audit` an unknown callback is normal.
import { defineRule } from '../analyzer/rule-api.js';
import type { RuleContext } from '../analyzer/rule-api.js';
import type { Node } from '@babel/types';
import { unwrap } from '../analyzer/evaluate.js';
import { abbreviate, callTargetOf, quoteValues } from './_modules.js';

const TIMERS: ReadonlyMap<string, string> = new Map([
  ['setTimeout', 'setTimeout'],
  ['setInterval', 'setInterval'],
  ['setImmediate', 'setImmediate'],
  ['execScript', 'execScript'],
  ['module:timers.setTimeout', 'setTimeout'],
  ['module:timers.setInterval', 'setInterval'],
  ['module:timers.setImmediate', 'setImmediate'],
]);

const FUNCTION_VALUES: ReadonlySet<string> = new Set([
  '<function>',
  '<async function>',
  '<generator function>',
  '<async generator function>',
  '<class>',
  'Function.prototype.bind',
]);
const STRING_VALUES: ReadonlySet<string> = new Set(['<string>']);
/** Methods whose result is a string whatever the receiver (for built-in receivers). */
const STRING_METHODS: ReadonlySet<string> = new Set(['join', 'toString', 'concat', 'replace', 'replaceAll', 'slice', 'substring', 'substr', 'trim', 'toLowerCase', 'toUpperCase', 'padStart', 'padEnd', 'repeat', 'fromCharCode', 'fromCodePoint']);
const STRING_FUNCTIONS: ReadonlySet<string> = new Set(['String', 'atob', 'btoa', 'unescape', 'decodeURIComponent', 'decodeURI', 'escape', 'encodeURIComponent', 'String.fromCharCode', 'String.fromCodePoint', 'JSON.stringify', 'String.raw']);
const FUNCTION_TYPE_NAMES: ReadonlySet<string> = new Set(['Function', 'VoidFunction', 'CallableFunction', 'TimerHandler']);

type Kind = 'function' | 'string' | 'unknown';

export default defineRule({
  id: 'no-implied-eval',
  meta: {
    type: 'problem',
    category: 'code-execution',
    description: 'Disallows string (or not provably function) first arguments to setTimeout, setInterval, setImmediate and execScript.',
    defaults: { strict: 'error', audit: 'warn', recommended: 'error' },
    messages: {
      string: '`{{timer}}` is given a string ({{value}}), which it compiles and runs as code{{via}}.',
      unknown: '`{{timer}}` is given `{{text}}`, which is not provably a function; a string would run as code{{via}}.',
    },
  },
  create(context) {
    const strict = context.profile === 'strict';

    const checkArgument = (arg: Node | undefined, timer: string, via: string): void => {
      if (arg === undefined) return;
      if (arg.type === 'SpreadElement') {
        // `setTimeout(...['alert(1)', 0])`: the spread array's first element.
        const folded = context.fold((arg as { argument: Node }).argument);
        const first = folded?.values.map((v) => (Array.isArray(v) ? v[0] : typeof v === 'string' ? v[0] : null));
        const viaText = via === 'direct' ? '' : ` (called through ${via})`;
        if (first !== undefined && first.length > 0 && first.every((v) => typeof v === 'string')) {
          context.report({ node: arg, messageId: 'string', data: { timer, value: quoteValues(first as string[]), via: viaText } });
        } else if (strict && (first === undefined || first.some((v) => typeof v !== 'number'))) {
          context.report({ node: arg, messageId: 'unknown', data: { timer, text: abbreviate(context.text(arg)), via: viaText } });
        }
        return;
      }
      const kind = classify(context, arg, 0);
      if (kind === 'function') return;
      const viaText = via === 'direct' ? '' : ` (called through ${via})`;
      if (kind === 'string') {
        const folded = context.foldStrings(arg);
        const value = folded !== null ? quoteValues(folded) : `\`${abbreviate(context.text(arg))}\``;
        context.report({ node: arg, messageId: 'string', data: { timer, value, via: viaText } });
        return;
      }
      if (!strict) return;
      context.report({ node: arg, messageId: 'unknown', data: { timer, text: abbreviate(context.text(arg)), via: viaText } });
    };

    const onCall = (node: Node & { callee: Node; arguments: Node[] }): void => {
      const callee = unwrap(node.callee);
      // Cheap filter: timers are reached by name, member, or a call result (`.bind`).
      if (callee.type !== 'Identifier' && callee.type !== 'MemberExpression' && callee.type !== 'OptionalMemberExpression' && callee.type !== 'SequenceExpression' && callee.type !== 'CallExpression') return;
      // `setTimeout.bind(null, 'code')`: the bound first argument.
      if ((callee.type === 'MemberExpression' || callee.type === 'OptionalMemberExpression') && context.memberKeys(callee)?.[0] === 'bind') {
        const timer = timerOf(context.values(callee.object));
        if (timer !== null) checkArgument(node.arguments[1], timer, 'bind');
        return;
      }
      if (callee.type === 'CallExpression') {
        // A bound timer: `setTimeout.bind(null)(code)`; a bound argument was checked at the bind.
        const inner = unwrap(callee.callee);
        if ((inner.type === 'MemberExpression' || inner.type === 'OptionalMemberExpression') && context.memberKeys(inner)?.[0] === 'bind') {
          const timer = timerOf(context.values(inner.object));
          if (timer !== null && callee.arguments.length <= 1) checkArgument(node.arguments[0], timer, 'bind');
        }
        return;
      }
      // `const sleep = promisify(setTimeout); sleep(ms)`: the promisified timer takes a delay.
      if (callee.type === 'Identifier' && isPromisified(context, callee)) return;
      const target = callTargetOf(context, node);
      if (target.construct) return;
      const timer = timerOf(target.callee);
      if (timer === null) return;
      if (target.args === null) {
        if (strict) context.report({ node, messageId: 'unknown', data: { timer, text: abbreviate(context.text(node)), via: ` (called through ${target.via})` } });
        return;
      }
      checkArgument(target.args[0], timer, target.via);
    };
    return {
      CallExpression: onCall,
      OptionalCallExpression: onCall,
      // setTimeout`alert(1)` passes the template's strings array, which is stringified and run.
      TaggedTemplateExpression(node: Node & { tag: Node; quasi: Node }) {
        const timer = timerOf(context.values(node.tag));
        if (timer === null) return;
        context.report({ node: node.quasi, messageId: 'string', data: { timer, value: `\`${abbreviate(context.text(node.quasi))}\``, via: ' (as a tagged template)' } });
      },
    };
  },
});

function isPromisified(context: RuleContext, id: Node): boolean {
  const binding = context.resolve(id as never);
  if (!binding || binding.init === null || binding.path.length > 0) return false;
  const init = unwrap(binding.init);
  return (init.type === 'CallExpression' || init.type === 'OptionalCallExpression') && context.values(init.callee).has('module:util.promisify');
}

function timerOf(values: ReadonlySet<string>): string | null {
  for (const value of values) {
    const timer = TIMERS.get(value);
    if (timer !== undefined) return timer;
  }
  return null;
}

/** Whether an argument is provably a function, provably a string, or neither. */
function classify(context: RuleContext, raw: Node, depth: number): Kind {
  const node = unwrap(raw);
  switch (node.type) {
    case 'ArrowFunctionExpression':
    case 'FunctionExpression':
    case 'ClassExpression':
      return 'function';
    case 'StringLiteral':
    case 'TemplateLiteral':
      return 'string';
    case 'NumericLiteral':
    case 'NullLiteral':
      // Compiled as code too, but a number or null cannot do anything.
      return 'function';
    case 'BinaryExpression':
      // `a + b` is a string or a number: either way not a function.
      return node.operator === '+' ? 'string' : 'unknown';
    case 'ConditionalExpression':
    case 'LogicalExpression': {
      const a = classify(context, node.type === 'ConditionalExpression' ? node.consequent : node.left, depth + 1);
      const b = classify(context, node.type === 'ConditionalExpression' ? node.alternate : node.right, depth + 1);
      if (a === 'string' || b === 'string') return 'string';
      return a === 'function' && b === 'function' ? 'function' : 'unknown';
    }
    default:
      break;
  }
  if (context.foldStrings(node) !== null) return 'string';
  if (node.type === 'CallExpression' || node.type === 'OptionalCallExpression') {
    const callee = unwrap(node.callee);
    if (callee.type === 'MemberExpression' || callee.type === 'OptionalMemberExpression') {
      const key = context.memberKeys(callee)?.[0];
      // `fn.bind(this)` returns a function (a user object's own `bind` would have to be in the file).
      if (key === 'bind' && !hasLocalMethod(context, callee)) return 'function';
      if (key !== undefined && STRING_METHODS.has(key) && !hasLocalMethod(context, callee)) return 'string';
    }
    for (const fn of context.values(node.callee)) if (STRING_FUNCTIONS.has(fn)) return 'string';
    return 'unknown';
  }
  const values = context.values(node);
  let allFunctions = values.size > 0;
  for (const value of values) {
    if (STRING_VALUES.has(value)) return 'string';
    if (!FUNCTION_VALUES.has(value)) allFunctions = false;
  }
  if (allFunctions) return 'function';
  if (node.type === 'Identifier' && depth < 4) {
    const kind = classifyBinding(context, node);
    if (kind !== 'unknown') return kind;
    if (guardedAs(context, node, 'function')) return 'function';
    if (guardedAs(context, node, 'string')) return 'string';
  }
  return 'unknown';
}

/** `typeof x === 'function'` (or `!==` with `x` the same variable). */
function typeofTest(context: RuleContext, test: Node, binding: unknown, negated: boolean, type = 'function'): boolean {
  const node = unwrap(test);
  if (node.type === 'LogicalExpression') {
    // `a && typeof fn === 'function'` proves it when true; `a || typeof fn !== 'function'` when false.
    if ((node.operator === '&&' && !negated) || (node.operator === '||' && negated)) {
      return typeofTest(context, node.left, binding, negated, type) || typeofTest(context, node.right, binding, negated, type);
    }
    return false;
  }
  if (node.type !== 'BinaryExpression') return false;
  const equal = node.operator === '===' || node.operator === '==';
  const unequal = node.operator === '!==' || node.operator === '!=';
  if ((!equal && !unequal) || equal === negated) return false;
  const [a, b] = [unwrap(node.left), unwrap(node.right as Node)];
  const typeofSide = a.type === 'UnaryExpression' ? a : b.type === 'UnaryExpression' ? b : null;
  const other = typeofSide === a ? b : a;
  if (typeofSide === null || typeofSide.type !== 'UnaryExpression' || typeofSide.operator !== 'typeof') return false;
  if (other.type !== 'StringLiteral' || other.value !== type) return false;
  const subject = unwrap(typeofSide.argument);
  return subject.type === 'Identifier' && context.resolve(subject) === binding;
}

const EXITS: ReadonlySet<string> = new Set(['ReturnStatement', 'ThrowStatement', 'ContinueStatement', 'BreakStatement']);

/**
 * True when the use of `id` only runs after `typeof id === type` held: inside the
 * consequent of such a test, on the right of `&&`, or after `if (typeof id !== 'function') return`.
 */
function guardedAs(context: RuleContext, id: Node, type: string): boolean {
  const binding = context.resolve(id as never);
  if (!binding || binding.assignments.length > 0) return false;
  let current: Node = id;
  for (let hops = 0; hops < 64; hops++) {
    const parent = context.parentOf(current);
    if (parent === null) return false;
    const key = context.parentKeyOf(current);
    switch (parent.type) {
      case 'IfStatement':
      case 'ConditionalExpression':
        if (key === 'consequent' && typeofTest(context, parent.test, binding, false, type)) return true;
        if (key === 'alternate' && typeofTest(context, parent.test, binding, true, type)) return true;
        break;
      case 'LogicalExpression':
        if (key === 'right' && parent.operator === '&&' && typeofTest(context, parent.left, binding, false, type)) return true;
        break;
      case 'BlockStatement':
      case 'Program': {
        // An earlier `if (typeof id !== 'function') return;` in the same block.
        const body = (parent as { body: Node[] }).body;
        const index = body.indexOf(current);
        for (let i = 0; i < index; i++) {
          const statement = body[i]!;
          if (statement.type !== 'IfStatement' || statement.alternate) continue;
          const exit = statement.consequent.type === 'BlockStatement' ? statement.consequent.body[statement.consequent.body.length - 1] : statement.consequent;
          if (exit !== undefined && EXITS.has(exit.type) && typeofTest(context, statement.test, binding, true, type)) return true;
        }
        break;
      }
      default:
        break;
    }
    if (parent.type === 'FunctionDeclaration' || parent.type === 'FunctionExpression' || parent.type === 'ArrowFunctionExpression' || parent.type === 'ObjectMethod' || parent.type === 'ClassMethod') {
      // Guards outside the function that declares the variable still hold; beyond it, stop.
      if (binding.scope.node === parent) return false;
    }
    current = parent;
  }
  return false;
}

/** True when the method called is one the file defines (so its result is not the built-in's). */
function hasLocalMethod(context: RuleContext, callee: Node): boolean {
  for (const value of context.values(callee)) if (value.startsWith('<')) return true;
  return false;
}

/** Parameters known to hold functions: a Promise executor's `resolve`/`reject`, function-typed parameters. */
function classifyBinding(context: RuleContext, id: Node & { name: string }): Kind {
  const binding = context.resolve(id as never);
  if (!binding || binding.kind !== 'param' || binding.id === null || binding.assignments.length > 0) return 'unknown';
  const declared = binding.id as Node & { typeAnnotation?: { typeAnnotation?: Node } | null };
  const type = declared.typeAnnotation?.typeAnnotation;
  if (type !== undefined && isFunctionType(type)) return 'function';
  const fn = binding.declaration as Node & { params?: Node[] };
  if (fn.params === undefined || binding.path.length > 0) return 'unknown';
  const index = fn.params.indexOf(binding.id);
  if (index !== 0 && index !== 1) return 'unknown';
  const call = context.parentOf(fn);
  if (call === null || call.type !== 'NewExpression' || call.arguments[0] !== fn) return 'unknown';
  return context.values(call.callee).has('Promise') ? 'function' : 'unknown';
}

function isFunctionType(type: Node): boolean {
  if (type.type === 'TSFunctionType') return true;
  if (type.type === 'TSTypeReference' && type.typeName.type === 'Identifier') return FUNCTION_TYPE_NAMES.has(type.typeName.name);
  if (type.type === 'TSParenthesizedType') return isFunctionType(type.typeAnnotation);
  return false;
}
