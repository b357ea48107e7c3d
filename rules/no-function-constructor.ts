// no-function-constructor: any path to a constructor that compiles strings into functions:
// Function, AsyncFunction, GeneratorFunction, AsyncGeneratorFunction. They are reached by name
// (`Function`, `globalThis['Func' + 'tion']`, `Reflect.get(globalThis, k)`), and, without any
// global at all, as the `.constructor` of any function value: `(async () => {}).constructor`,
// `[].constructor.constructor`, `''['constructor']['constructor']`,
// `Object.getPrototypeOf(function* () {}).constructor`, `const { constructor: C } = fn`.
//
// The report is made once, where the constructor is first reached. Reaching it only to compare
// or to read its name is not a finding: `x instanceof Function`, `fn.constructor.name ===
// 'AsyncFunction'`, `Function.prototype.toString.call(f)`, and an alias that is only ever used
// that way (`const AsyncFunction = (async () => {}).constructor; f instanceof AsyncFunction`).
// Any other use (a call, `new`, `.call`, passing it on, exporting it) is.
import { defineRule } from '../analyzer/rule-api.js';
import type { RuleContext } from '../analyzer/rule-api.js';
import type { Node } from '@babel/types';
import type { Values } from '../analyzer/evaluate.js';
import { unwrap } from '../analyzer/evaluate.js';
import { abbreviate } from './_modules.js';

const CONSTRUCTORS: ReadonlySet<string> = new Set(['Function', 'AsyncFunction', 'GeneratorFunction', 'AsyncGeneratorFunction']);

/** Member names whose read can produce a constructor (the rest are skipped without evaluation). */
const INTERESTING_KEYS: ReadonlySet<string> = new Set([...CONSTRUCTORS, 'constructor', 'value', 'get', 'set']);

/** Reading these from a constructor is harmless. */
const HARMLESS_MEMBERS: ReadonlySet<string> = new Set(['name', 'displayName', 'length', 'prototype', 'toString', 'hasOwnProperty', 'isPrototypeOf', 'propertyIsEnumerable']);
/** `Function.call` is Function.prototype.call: harmful only when called with the constructor as `this`. */
const CALLERS: ReadonlySet<string> = new Set(['call', 'apply']);

/** Method names of calls that can return a constructor (`Reflect.get`, `.bind`, through `.call`/`.apply`). */
const CALL_KEYS: ReadonlySet<string> = new Set(['get', 'bind', 'call', 'apply', 'value']);

const COMPARISONS: ReadonlySet<string> = new Set(['===', '!==', '==', '!=']);
const TEST_PARENTS: ReadonlySet<string> = new Set(['IfStatement', 'WhileStatement', 'DoWhileStatement', 'ForStatement', 'ConditionalExpression']);
const PASS_THROUGH: ReadonlySet<string> = new Set([
  'ParenthesizedExpression',
  'TSAsExpression',
  'TSSatisfiesExpression',
  'TSNonNullExpression',
  'TSTypeAssertion',
  'TSInstantiationExpression',
  'TypeCastExpression',
  'LogicalExpression',
]);
const MAX_ALIAS_DEPTH = 4;

function constructorIn(values: Values): string | null {
  for (const value of values) if (CONSTRUCTORS.has(value)) return value;
  return null;
}

export default defineRule({
  id: 'no-function-constructor',
  meta: {
    type: 'problem',
    category: 'code-execution',
    description: 'Disallows every path to Function, AsyncFunction, GeneratorFunction and AsyncGeneratorFunction.',
    defaults: { strict: 'error', audit: 'warn', recommended: 'error' },
    messages: {
      global: '`{{text}}` is the {{ctor}} constructor, which compiles strings into code.',
      chain: '`{{text}}` reaches the {{ctor}} constructor through `.constructor`; it compiles strings into code.',
    },
  },
  create(context) {
    const report = (node: Node, ctor: string, viaConstructorKey: boolean): void => {
      if (isHarmlessUse(context, node, 0)) return;
      context.report({
        node,
        messageId: viaConstructorKey ? 'chain' : 'global',
        data: { text: abbreviate(context.text(node)), ctor },
      });
    };

    return {
      Identifier(node: Node & { name: string }) {
        if (node.name !== 'Function' || !context.isGlobalRef(node)) return;
        report(node, 'Function', false);
      },
      MemberExpression: checkMember,
      OptionalMemberExpression: checkMember,
      CallExpression: checkCall,
      OptionalCallExpression: checkCall,
      ObjectProperty(node: Node & { key: Node; computed: boolean; value: Node }) {
        const parent = context.parentOf(node);
        if (parent === null || parent.type !== 'ObjectPattern') return;
        if (!node.computed && !(node.key.type === 'Identifier' && INTERESTING_KEYS.has(node.key.name)) && !(node.key.type === 'StringLiteral' && INTERESTING_KEYS.has(node.key.value))) return;
        const ctor = constructorIn(context.ownValues(node));
        if (ctor === null) return;
        // `const { constructor: C } = Function`: the source already is the constructor.
        const source = patternSource(context, parent);
        if (source !== null && constructorIn(context.values(source)) !== null) return;
        if (isHarmlessTarget(context, node.value, 0)) return;
        const key = node.computed ? null : node.key.type === 'Identifier' ? node.key.name : (node.key as { value?: string }).value;
        context.report({
          node,
          messageId: key === 'constructor' || key === null ? 'chain' : 'global',
          data: { text: abbreviate(context.text(node)), ctor },
        });
      },
    };

    function checkMember(node: Node & { object: Node; property: Node; computed: boolean }): void {
      if (!node.computed) {
        if (node.property.type !== 'Identifier' || !INTERESTING_KEYS.has(node.property.name)) return;
      } else if (node.property.type === 'StringLiteral') {
        if (!INTERESTING_KEYS.has(node.property.value)) return;
      } else if (node.property.type === 'NumericLiteral') return;
      const ctor = constructorIn(context.ownValues(node));
      if (ctor === null) return;
      // Already reached (`F.constructor` where F is Function): reported where it first appeared.
      if (constructorIn(context.values(node.object)) !== null) return;
      const keys = context.memberKeys(node);
      report(node, ctor, keys !== null && keys.includes('constructor'));
    }

    function checkCall(node: Node & { callee: Node; arguments: Node[] }): void {
      // Only a few calls return a constructor: `Reflect.get(...)`, `Object(F)`, `x.bind(...)`.
      const callee0 = unwrap(node.callee);
      if (callee0.type === 'MemberExpression' || callee0.type === 'OptionalMemberExpression') {
        if (!callee0.computed && callee0.property.type === 'Identifier' && !CALL_KEYS.has(callee0.property.name)) return;
      } else if (callee0.type === 'Identifier') {
        const values = context.values(callee0);
        if (!values.has('Reflect.get') && !values.has('Object')) return;
      } else if (callee0.type !== 'CallExpression' && callee0.type !== 'SequenceExpression') return;
      const ctor = constructorIn(context.ownValues(node));
      if (ctor === null) return;
      // `Object(F)`, `F.bind(null)`: the constructor was carried in, not reached here.
      const callee = node.callee;
      if ((callee.type === 'MemberExpression' || callee.type === 'OptionalMemberExpression') && constructorIn(context.values(callee.object)) !== null) return;
      for (const arg of node.arguments) if (constructorIn(context.values(arg)) !== null) return;
      report(node, ctor, false);
    }
  },
});

/** The expression a destructuring pattern takes its value from, or null. */
function patternSource(context: RuleContext, pattern: Node): Node | null {
  let current: Node = pattern;
  for (let hops = 0; hops < 32; hops++) {
    const parent = context.parentOf(current);
    if (parent === null) return null;
    if (parent.type === 'VariableDeclarator') return parent.id === current ? parent.init ?? null : null;
    if (parent.type === 'AssignmentExpression') return parent.left === current ? parent.right : null;
    if (parent.type !== 'ObjectPattern' && parent.type !== 'ObjectProperty' && parent.type !== 'ArrayPattern' && parent.type !== 'AssignmentPattern') return null;
    current = parent;
  }
  return null;
}

/**
 * True when the value of `node` (a constructor) is only compared, tested, discarded, or has a
 * harmless member read (`.name`, `.prototype`), directly or through a local alias.
 */
function isHarmlessUse(context: RuleContext, node: Node, depth: number): boolean {
  let current = node;
  for (let hops = 0; hops < 16; hops++) {
    const parent = context.parentOf(current);
    if (parent === null) return false;
    const key = context.parentKeyOf(current);
    if (PASS_THROUGH.has(parent.type)) {
      current = parent;
      continue;
    }
    switch (parent.type) {
      case 'MemberExpression':
      case 'OptionalMemberExpression': {
        if (key !== 'object') return false;
        const keys = context.memberKeys(parent);
        if (keys === null) return false;
        if (keys.every((k) => HARMLESS_MEMBERS.has(k))) return true;
        // `Function.call.bind(hasOwnProperty)` uncurries a method; `Function.call(null, code)` calls Function.
        if (keys.every((k) => CALLERS.has(k))) {
          const grand = context.parentOf(parent);
          return grand !== null && context.parentKeyOf(parent) === 'object' && (grand.type === 'MemberExpression' || grand.type === 'OptionalMemberExpression');
        }
        return false;
      }
      case 'BinaryExpression':
        if (COMPARISONS.has(parent.operator)) return true;
        return (parent.operator === 'instanceof' || parent.operator === 'in') && key === 'right';
      case 'UnaryExpression':
        return parent.operator === 'typeof' || parent.operator === 'void' || parent.operator === '!';
      case 'ExpressionStatement':
        return true;
      case 'SequenceExpression':
        if (parent.expressions[parent.expressions.length - 1] !== current) return true;
        current = parent;
        continue;
      case 'ConditionalExpression':
        if (key === 'test') return true;
        current = parent;
        continue;
      case 'VariableDeclarator':
        return key === 'init' && isHarmlessTarget(context, parent.id, depth);
      case 'AssignmentExpression':
        return key === 'right' && parent.operator === '=' && isHarmlessTarget(context, parent.left, depth);
      default:
        return key === 'test' && TEST_PARENTS.has(parent.type);
    }
  }
  return false;
}

/** True when a variable receiving a constructor is local and every read of it is harmless. */
function isHarmlessTarget(context: RuleContext, target: Node, depth: number): boolean {
  if (depth >= MAX_ALIAS_DEPTH) return false;
  let id = target;
  if (id.type === 'AssignmentPattern') id = id.left;
  if (id.type !== 'Identifier') return false;
  const binding = context.resolve(id);
  if (!binding) return false;
  // Exported bindings leave the file.
  const declaration = context.parentOf(binding.declaration);
  if (declaration !== null && context.parentOf(declaration)?.type === 'ExportNamedDeclaration') return false;
  for (const reference of binding.references) {
    if (reference === id) continue;
    const parent = context.parentOf(reference);
    // A write to the variable is not a use of the constructor.
    if (parent !== null && parent.type === 'AssignmentExpression' && parent.left === reference) continue;
    if (!isHarmlessUse(context, reference, depth + 1)) return false;
  }
  return true;
}
