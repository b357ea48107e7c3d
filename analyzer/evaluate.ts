// Static evaluation: the abstract "what is this value?" analysis that lets rules see through
// evasions. Two questions are answered, both lazily and with memoisation:
//
//   values(node)  -> the set of host paths an expression may evaluate to: 'eval', 'globalThis',
//                    'Function', 'process.env', 'require', 'module:child_process.exec', ... plus
//                    pseudo values like '<function>' and '?' (unknown).
//   fold(node)    -> the set of constant values (strings, numbers, arrays of them) an expression
//                    may evaluate to, by bounded constant folding. It never runs submitted code:
//                    it interprets a small, fixed set of pure operations on already-known data.
//
// Both follow scope bindings (`const e = eval`), destructuring, `.call/.apply/.bind`,
// `Reflect.apply/construct/get`, property descriptors, `(0, x)` sequences, `a || b`, `c ? a : b`,
// and TypeScript's type-only wrappers. Every computation is bounded; past a bound the answer is
// "unknown", never an exception.
import { Buffer } from 'node:buffer';
import type { Node, Identifier, CallExpression, NewExpression, Expression } from '@babel/types';
import type { Binding, ScopeInfo, PathStep } from './scope.js';
import { collectIds, declarationOf, referenceOf, staticPropertyKey, FUNCTION_TYPES } from './scope.js';
import { parentOf, TRANSPARENT_WRAPPERS } from './walk.js';

/** The unknown value. */
export const UNKNOWN = '?';

/** Names that denote the global object itself when undeclared. */
export const GLOBAL_OBJECT_NAMES: ReadonlySet<string> = new Set([
  'globalThis',
  'global',
  'window',
  'self',
  'frames',
  'top',
  'parent',
  'GLOBAL',
  'root',
]);

/** Inherited Object.prototype members reachable as bare names through the global object. */
const INHERITED_GLOBAL_NAMES: ReadonlyMap<string, string> = new Map([
  ['constructor', 'Object'],
  ['__proto__', 'Object.prototype'],
]);

/** Host paths that are objects, not functions (their `.constructor` is not `Function`). */
const OBJECT_PATHS: ReadonlySet<string> = new Set([
  'globalThis',
  'process',
  'process.env',
  'process.mainModule',
  'module',
  'module.exports',
  'exports',
  'Math',
  'JSON',
  'Reflect',
  'Atomics',
  'Intl',
  'console',
  'WebAssembly',
  'navigator',
  'document',
  'location',
  'localStorage',
  'sessionStorage',
  'require.cache',
  'require.extensions',
]);

/** Array methods that call their callback with the optional thisArg (undefined when absent). */
const ITERATION_METHODS: ReadonlySet<string> = new Set(['map', 'forEach', 'filter', 'some', 'every', 'find', 'findIndex', 'findLast', 'findLastIndex', 'flatMap']);

/** `.constructor` of pseudo values. */
const PSEUDO_CONSTRUCTORS: ReadonlyMap<string, string> = new Map([
  ['<function>', 'Function'],
  ['<class>', 'Function'],
  ['<async function>', 'AsyncFunction'],
  ['<generator function>', 'GeneratorFunction'],
  ['<async generator function>', 'AsyncGeneratorFunction'],
  ['<string>', 'String'],
  ['<number>', 'Number'],
  ['<boolean>', 'Boolean'],
  ['<bigint>', 'BigInt'],
  ['<array>', 'Array'],
  ['<object>', 'Object'],
  ['<regexp>', 'RegExp'],
  ['<arguments>', 'Object'],
  ['<constructor>', 'Function'],
  ['<error>', 'Error'],
  ['<promise>', 'Promise'],
]);

/** `Object.getPrototypeOf(x)` of pseudo values. */
const PSEUDO_PROTOTYPES: ReadonlyMap<string, string> = new Map([
  ['<function>', 'Function.prototype'],
  ['<class>', 'Function.prototype'],
  ['<async function>', 'AsyncFunction.prototype'],
  ['<generator function>', 'GeneratorFunction.prototype'],
  ['<async generator function>', 'AsyncGeneratorFunction.prototype'],
  ['<string>', 'String.prototype'],
  ['<array>', 'Array.prototype'],
  ['<object>', 'Object.prototype'],
]);

/** The prototypes of intrinsic prototypes: `Object.getPrototypeOf(AsyncFunction.prototype)` is Function.prototype. */
const PROTOTYPE_PARENTS: ReadonlyMap<string, string> = new Map([
  ['AsyncFunction.prototype', 'Function.prototype'],
  ['GeneratorFunction.prototype', 'Function.prototype'],
  ['AsyncGeneratorFunction.prototype', 'Function.prototype'],
  ['Function.prototype', 'Object.prototype'],
  ['Array.prototype', 'Object.prototype'],
  ['String.prototype', 'Object.prototype'],
  ['Number.prototype', 'Object.prototype'],
  ['Boolean.prototype', 'Object.prototype'],
  ['RegExp.prototype', 'Object.prototype'],
  ['Promise.prototype', 'Object.prototype'],
  ['Error.prototype', 'Object.prototype'],
  ['Object.prototype', 'null'],
]);

/** `Object.getPrototypeOf(x)` / `x.__proto__` for a host path or pseudo value. */
function prototypeOf(value: string): string {
  const known = PSEUDO_PROTOTYPES.get(value) ?? PROTOTYPE_PARENTS.get(value);
  if (known !== undefined) return known;
  if (value === UNKNOWN || value.startsWith('<') || value.startsWith('descriptor:') || value === 'null' || value === 'undefined') return UNKNOWN;
  if (value.endsWith('.prototype')) return UNKNOWN;
  // A host function (its constructor is Function) inherits from Function.prototype.
  return constructorOf(value) === 'Function' ? 'Function.prototype' : UNKNOWN;
}

/** Names of the methods an intrinsic prototype has (own or inherited from Object.prototype). */
function methodNames(prototype: object): ReadonlySet<string> {
  const names = new Set<string>();
  for (let p: object | null = prototype; p !== null; p = Object.getPrototypeOf(p)) {
    for (const name of Object.getOwnPropertyNames(p)) {
      if (name === 'constructor' || name === '__proto__') continue;
      const descriptor = Object.getOwnPropertyDescriptor(p, name);
      if (descriptor !== undefined && typeof descriptor.value === 'function') names.add(name);
    }
  }
  return names;
}

/** Where the methods of literal values live: `[].map` is `Array.prototype.map`. */
const PSEUDO_METHOD_OWNERS: ReadonlyMap<string, { path: string; methods: ReadonlySet<string> }> = new Map([
  ['<array>', { path: 'Array.prototype', methods: methodNames(Array.prototype) }],
  ['<string>', { path: 'String.prototype', methods: methodNames(String.prototype) }],
  ['<number>', { path: 'Number.prototype', methods: methodNames(Number.prototype) }],
  ['<boolean>', { path: 'Boolean.prototype', methods: methodNames(Boolean.prototype) }],
  ['<bigint>', { path: 'BigInt.prototype', methods: methodNames(BigInt.prototype) }],
  ['<regexp>', { path: 'RegExp.prototype', methods: methodNames(RegExp.prototype) }],
  ['<object>', { path: 'Object.prototype', methods: methodNames(Object.prototype) }],
  ['<promise>', { path: 'Promise.prototype', methods: methodNames(Promise.prototype) }],
  ['<error>', { path: 'Error.prototype', methods: methodNames(Error.prototype) }],
]);

/** Canonical spellings: several paths reach the same host capability. */
const CANONICAL_PATHS: ReadonlyMap<string, string> = new Map([
  ['process.mainModule', 'module'],
  ['require.main', 'module'],
  ['module.require', 'require'],
  ['module.constructor', 'module:module'],
  ['module:module.Module', 'module:module'],
  ['module:module.prototype.require', 'require'],
  ['module:process', 'process'],
  ['module:module.default', 'module:module'],
  ['Function.prototype.constructor', 'Function'],
  ['AsyncFunction.prototype.constructor', 'AsyncFunction'],
  ['GeneratorFunction.prototype.constructor', 'GeneratorFunction'],
  ['AsyncGeneratorFunction.prototype.constructor', 'AsyncGeneratorFunction'],
]);

/** Function bodies that return the global object, and expressions that denote it. */
const RETURN_GLOBAL = /^\s*return\s*\(?\s*(?:this|globalThis|window|self|global)\s*\)?\s*;?\s*$/;
const GLOBAL_EXPRESSION = /^\s*\(?\s*(?:this|globalThis|window|self|global)\s*\)?\s*;?\s*$/;

const MAX_PATH_SEGMENTS = 8;
const MAX_UNION = 16;
const MAX_DEPTH = 120;
const MAX_FOLD_STEPS = 4000;
/** Longest string folding will build; payload decoders need room, but not unbounded. */
export const MAX_FOLD_STRING = 1 << 20;

export type Values = ReadonlySet<string>;
const UNKNOWN_SET: Values = new Set([UNKNOWN]);
const EMPTY_SET: Values = new Set();

/** Constant values produced by folding. Arrays are frozen lists of constants. */
export type Const = string | number | boolean | null | undefined | bigint | ConstArray | ConstBuffer | ConstObject | ConstRegExp;
export interface ConstArray extends ReadonlyArray<Const> {}
/** Bytes from `Buffer.from(...)`, `Uint8Array`, ... */
export class ConstBuffer {
  constructor(readonly bytes: Buffer) {}
}
/** An object literal whose properties fold. */
export class ConstObject {
  constructor(readonly entries: ReadonlyMap<string, Const>) {}
}
/** A regular expression literal simple enough to apply to folded strings without backtracking blow-ups. */
export class ConstRegExp {
  constructor(readonly regexp: RegExp) {}
}
/** Regexps with a quantified group or a back-reference can backtrack exponentially: never folded. */
const RISKY_REGEXP = /\)[*+?{]|\\[1-9]|\\k</;
const MAX_REGEXP_SUBJECT = 64 * 1024;

/** What folding produced and which decoders it ran (for explaining findings). */
export interface FoldResult {
  values: Const[];
  /** Decoding operations used on the way: 'base64', 'hex', 'fromCharCode', 'xor', 'reverse', ... */
  decoders: ReadonlySet<string>;
}

/** A call or construction, normalised through `.call`, `.apply`, `Reflect.apply/construct`. */
export interface CallTarget {
  /** What function is called. */
  callee: Values;
  /** Argument expressions as the called function sees them; `null` when they cannot be known. */
  args: readonly Node[] | null;
  construct: boolean;
  /** How the call was made, for messages: 'direct', 'call', 'apply', 'Reflect.apply', ... */
  via: string;
}

interface FoldState {
  steps: number;
  /** Made on the first decoder: most folds use none, and an empty Set per fold is a lot of garbage. */
  decoders: Set<string> | null;
  env: Map<Binding, Const> | null;
  /** Folds of bindings declared outside a loop or callback being interpreted (they cannot change). */
  memo?: Map<Binding, Const[]>;
  /** Steps spent inside interpreted loops, bounded separately (a decoding loop runs many times). */
  loopSteps?: number;
}

const NO_DECODERS: ReadonlySet<string> = new Set();

function addDecoder(state: FoldState, decoder: string): void {
  (state.decoders ??= new Set()).add(decoder);
}

/** Array methods that change the array in place. */
const MUTATING_METHODS: ReadonlySet<string> = new Set(['push', 'unshift', 'pop', 'shift', 'splice', 'reverse', 'sort', 'fill', 'copyWithin']);
/** Bounds of the accumulation loops that folding interprets (`for (...) out += ...`). */
const MAX_LOOP_ITERATIONS = 20_000;
const MAX_LOOP_STEPS = 150_000;
/** All replays of one file together; past it, accumulated values are unknown. */
const MAX_FILE_REPLAY_STEPS = 1_000_000;

/**
 * How a binding is built up by statements after its declaration (`s += x`, `a.push(x)`, a loop of
 * those), when every change has that simple shape: `list` is the statement list holding the
 * declaration at `from`; `statements` are the later statements of `list` that change it.
 */
interface Accumulation {
  list: Node[];
  from: number;
  statements: Set<Node>;
  /** End offset of the last changing statement: only uses after it see the final value. */
  end: number;
}

class FoldFailure extends Error {}
const FAIL = new FoldFailure('not foldable');

/** Strips parentheses and type-only wrappers. */
export function unwrap(node: Node): Node {
  let current = node;
  while (TRANSPARENT_WRAPPERS.has(current.type)) current = (current as { expression: Node }).expression;
  return current;
}

/** Normalises a module specifier: drops `node:` and sub-path noise of builtins. */
export function normalizeSpecifier(specifier: string): string {
  return specifier.startsWith('node:') ? specifier.slice(5) : specifier;
}

/** Shares the one-element sets of global names, so common lookups allocate nothing. */
const globalSets = new Map<string, Values>();
function internedGlobal(name: string): Values {
  let set = globalSets.get(name);
  if (set === undefined) {
    set = new Set([globalPath(name)]);
    if (globalSets.size < 4096) globalSets.set(name, set);
  }
  return set;
}

/**
 * A shared one-element set of `value` (value sets are never changed once made): literals, function
 * kinds and member paths would otherwise each allocate a Set per node.
 */
const singleSets = new Map<string, Values>();
function single(value: string): Values {
  let set = singleSets.get(value);
  if (set === undefined) {
    set = new Set([value]);
    if (singleSets.size < 4096) singleSets.set(value, set);
  }
  return set;
}

/** Adds one value to a union being built (see union). */
function unionOne(target: Set<string>, value: string): void {
  if (target.size >= MAX_UNION) target.add(UNKNOWN);
  else target.add(value);
}

/** Maps `{?}` to the shared UNKNOWN_SET and `{}` to EMPTY_SET, so identity checks are fast paths. */
function normalizeValues(values: Values): Values {
  if (values.size === 0) return EMPTY_SET;
  if (values.size === 1 && values.has(UNKNOWN)) return UNKNOWN_SET;
  return values;
}

function union(target: Set<string>, source: Values): void {
  for (const v of source) {
    if (target.size >= MAX_UNION) {
      target.add(UNKNOWN);
      return;
    }
    target.add(v);
  }
}

/** Past this many assignments to a binding, reads use its flow-insensitive values. */
const MAX_ORDERED_ASSIGNMENTS = 16;

/** Nodes whose code runs at another time than the code around them (functions, class bodies). */
const DEFERRED_TYPES: ReadonlySet<string> = new Set([
  ...FUNCTION_TYPES,
  'ClassBody',
  'StaticBlock',
  'Program',
  'TSModuleBlock',
]);
const LOOP_TYPES: ReadonlySet<string> = new Set(['ForStatement', 'ForInStatement', 'ForOfStatement', 'WhileStatement', 'DoWhileStatement']);
const PATTERN_TYPES: ReadonlySet<string> = new Set(['ObjectPattern', 'ArrayPattern', 'AssignmentPattern', 'RestElement']);

/** The function (or program, class body) whose run executes `node`: the node itself when it is one. */
function ownerOf(node: Node): Node | null {
  return DEFERRED_TYPES.has(node.type) ? node : (codeContext(node)?.owner ?? null);
}

/** True when one of a binding's followable assignments ends after `offset`. */
function assignedAfter(binding: Binding, offset: number | null | undefined): boolean {
  if (typeof offset !== 'number' || binding.assignments.length > MAX_ORDERED_ASSIGNMENTS) return false;
  for (const assigned of binding.assignments) if (assigned !== null && (assigned.end ?? 0) > offset) return true;
  return false;
}

/** Where a node's code runs: its owner (see ownerOf), the loops around it there, and whether it is in a pattern. */
function codeContext(node: Node): { owner: Node; loops: Node[]; inPattern: boolean } | null {
  const loops: Node[] = [];
  let inPattern = false;
  let hops = 0;
  for (let current = parentOf(node); current !== null && hops < 100_000; current = parentOf(current), hops++) {
    if (DEFERRED_TYPES.has(current.type)) return { owner: current, loops, inPattern };
    if (LOOP_TYPES.has(current.type)) loops.push(current);
    else if (PATTERN_TYPES.has(current.type)) inPattern = true;
  }
  return null;
}

/** Per-file evaluator. Create one per analysed file; results are memoised per node. */
export class Evaluator {
  private readonly valueCache = new Map<Node, Values>();
  private readonly foldCache = new Map<Node, FoldResult | null>();
  private readonly ownCache = new Map<Node, Values>();
  private readonly targetCache = new Map<Node, CallTarget>();
  private readonly sloppyCallCache = new Map<Node, boolean>();
  private readonly keyCache = new Map<Node, readonly string[] | null>();
  /**
   * Nodes and bindings being evaluated, innermost last. A short array: lookups scan a few entries,
   * where a Set hashed every node and reallocated its table as it emptied and refilled.
   */
  private readonly inProgress: (Node | Binding)[] = [];
  private readonly accumulationCache = new Map<Binding, Accumulation | 'none' | 'opaque'>();
  /** Replayed accumulations: the final value and the decoders used, or null when replay failed. */
  private readonly replayCache = new Map<Binding, { value: Const; decoders: string[] } | null>();
  private replaySteps = 0;
  private depth = 0;

  /** Ends the evaluation of `item` (normally the innermost one). */
  private leave(item: Node | Binding): void {
    const stack = this.inProgress;
    if (stack[stack.length - 1] === item) stack.pop();
    else {
      const index = stack.lastIndexOf(item);
      if (index !== -1) stack.splice(index, 1);
    }
  }

  constructor(
    private readonly scope: ScopeInfo,
    private readonly sourceType: 'module' | 'script',
  ) {}

  /** The binding an identifier refers to: a Binding, `null` for a global, `undefined` if not a reference. */
  resolve(id: Identifier): Binding | null | undefined {
    const reference = referenceOf(id);
    // A declaring identifier (`const x = ...`, a destructured name) resolves to what it declares.
    return reference !== undefined ? reference : declarationOf(id);
  }

  /** True when `id` refers to the undeclared global of that name. */
  isGlobalRef(node: Node, name?: string): boolean {
    const inner = unwrap(node);
    if (inner.type !== 'Identifier') return false;
    if (name !== undefined && inner.name !== name) return false;
    return referenceOf(inner) === null;
  }

  // ---------------------------------------------------------------------------------------------
  // Abstract values

  /** The host paths `node` may evaluate to (following aliases). */
  values(node: Node): Values {
    // Identifiers are not cached per node: a global's set is shared per name, and a binding's
    // values are cached per binding (a file has far more identifiers than bindings).
    if (node.type === 'Identifier') {
      const binding = referenceOf(node);
      if (binding === undefined) return UNKNOWN_SET;
      if (binding === null) return internedGlobal(node.name);
      // A read that some assignments cannot reach yet sees only the others (cached per read).
      let visible: (Node | null)[] | null = null;
      if (assignedAfter(binding, node.start)) {
        const cached = this.valueCache.get(node);
        if (cached !== undefined) return cached;
        visible = this.visibleAssignments(node, binding);
      }
      if (visible === null && binding.values !== undefined) return binding.values;
      if (this.depth > MAX_DEPTH) return UNKNOWN_SET;
      this.depth++;
      try {
        if (visible === null) return this.bindingValues(binding);
        const result = this.valuesWith(binding, visible);
        this.valueCache.set(node, result);
        return result;
      } catch (error) {
        if (error instanceof RangeError) return UNKNOWN_SET;
        throw error;
      } finally {
        this.depth--;
      }
    }
    const cached = this.valueCache.get(node);
    if (cached !== undefined) return cached;
    if (this.depth > MAX_DEPTH || this.inProgress.includes(node)) return UNKNOWN_SET;
    this.inProgress.push(node);
    this.depth++;
    let result: Values;
    try {
      result = this.computeValues(node);
    } catch (error) {
      if (error instanceof RangeError) result = UNKNOWN_SET;
      else throw error;
    } finally {
      this.depth--;
      this.leave(node);
    }
    result = normalizeValues(result);
    this.valueCache.set(node, result);
    return result;
  }

  /**
   * The host paths that appear at this node for the first time: a global name, a member read of a
   * known path, a call that yields a capability, a destructured property. Aliases and containers
   * (`e` in `const e = eval`, `o.e` in `o = { e: eval }`) are not introductions. Rules report at
   * introductions so that one evasion gives one finding.
   */
  ownValues(node: Node): Values {
    // Cheap answers are not cached: most nodes rules ask about introduce nothing.
    switch (node.type) {
      case 'Identifier':
        return referenceOf(node) === null ? this.values(node) : EMPTY_SET;
      case 'MemberExpression':
      case 'OptionalMemberExpression':
        if (!node.computed && node.property.type === 'Identifier' && node.property.name !== 'constructor' && this.values(node.object) === UNKNOWN_SET) {
          return EMPTY_SET;
        }
        break;
      case 'ObjectProperty': {
        const parent = parentOf(node);
        if (parent === null || parent.type !== 'ObjectPattern') return EMPTY_SET;
        break;
      }
      case 'ImportSpecifier':
      case 'ImportDefaultSpecifier':
      case 'ImportNamespaceSpecifier':
      case 'ThisExpression':
      case 'CallExpression':
      case 'OptionalCallExpression':
      case 'NewExpression':
      case 'ImportExpression':
        break;
      default:
        return EMPTY_SET;
    }
    const cached = this.ownCache.get(node);
    if (cached !== undefined) return cached;
    const result = this.computeOwnValues(node);
    this.ownCache.set(node, result);
    return result;
  }

  private computeOwnValues(node: Node): Values {
    switch (node.type) {
      case 'ImportSpecifier':
      case 'ImportDefaultSpecifier':
      case 'ImportNamespaceSpecifier': {
        // An import is where a module's capability enters the file: `import { runInThisContext } from 'vm'`.
        const binding = declarationOf(node.local);
        if (binding === undefined) return EMPTY_SET;
        const result = new Set(this.importValues(binding));
        result.delete(UNKNOWN);
        return result;
      }
      case 'ObjectProperty': {
        const parent = parentOf(node);
        if (parent === null || parent.type !== 'ObjectPattern') return EMPTY_SET;
        const result = new Set(this.patternPropertyValues(node));
        result.delete(UNKNOWN);
        return result;
      }
      case 'Identifier':
        return referenceOf(node) === null ? this.values(node) : EMPTY_SET;
      case 'ThisExpression':
        return this.values(node);
      case 'MemberExpression':
      case 'OptionalMemberExpression': {
        // Fast path: a plain `x.name` on an unknown object introduces nothing (but `.constructor`).
        if (!node.computed && node.property.type === 'Identifier' && node.property.name !== 'constructor' && this.values(node.object) === UNKNOWN_SET) {
          return EMPTY_SET;
        }
        // Most member reads introduce nothing: the set is made on the first value.
        let result: Set<string> | null = null;
        const keys = this.memberKeys(node);
        if (keys === null) return EMPTY_SET;
        for (const value of this.values(node.object)) {
          for (const key of keys) {
            const member = memberPath(value, key);
            if (member !== UNKNOWN) (result ??= new Set()).add(member);
          }
        }
        return result ?? EMPTY_SET;
      }
      case 'CallExpression':
      case 'OptionalCallExpression':
      case 'NewExpression':
      case 'ImportExpression': {
        const values = this.callResult(node);
        if (values === UNKNOWN_SET || values === EMPTY_SET) return EMPTY_SET;
        let result: Set<string> | null = null;
        for (const v of values) if (v !== UNKNOWN) (result ??= new Set()).add(v);
        return result ?? EMPTY_SET;
      }
      default:
        return EMPTY_SET;
    }
  }

  /**
   * Values read by one property of a destructuring pattern, from the pattern's source:
   * `const { eval: e } = globalThis`, `({ constructor: C } = fn)`, nested patterns too.
   */
  patternPropertyValues(property: Node): Values {
    const steps: PathStep[] = [];
    let current: Node = property;
    for (let hops = 0; hops < 64; hops++) {
      const parent = parentOf(current);
      if (parent === null) return EMPTY_SET;
      if (current.type === 'ObjectProperty') {
        const key = current.computed ? this.propertyKeys(current.key) : [staticPropertyKey(current.key, false)];
        if (key === null || key.length !== 1 || key[0] === null) return UNKNOWN_SET;
        steps.unshift({ key: key[0]! });
        current = parent;
        continue;
      }
      if (parent.type === 'ObjectProperty' && parentOf(parent)?.type === 'ObjectPattern') {
        current = parent;
        continue;
      }
      if (parent.type === 'ArrayPattern') {
        steps.unshift({ index: parent.elements.indexOf(current as never) });
        current = parent;
        continue;
      }
      if (parent.type === 'AssignmentPattern' && parentOf(current) === parent) {
        current = parent;
        continue;
      }
      if (parent.type === 'VariableDeclarator') return parent.init ? this.followPath(this.values(parent.init), steps, null) : EMPTY_SET;
      if (parent.type === 'AssignmentExpression') return this.followPath(this.values(parent.right), steps, null);
      return EMPTY_SET;
    }
    return EMPTY_SET;
  }

  /**
   * The assignments a read can see, or null when it may see all of them. An assignment that ends
   * after the read starts cannot reach it when both sit directly in the function that declares the
   * binding (not in a nested function, which may run at any time), no loop of that function holds
   * both, and the read is not in a destructuring pattern (evaluated after the value it
   * destructures). So `p = (p = p.constructor) && name(p) || 'X'` reads the parameter's own value
   * at `p.constructor`, not the String constructor a later assignment stores.
   */
  private visibleAssignments(ref: Identifier, binding: Binding): (Node | null)[] | null {
    const start = ref.start!;
    const read = codeContext(ref);
    if (read === null || read.inPattern || read.owner !== ownerOf(binding.scope.node)) return null;
    const visible: (Node | null)[] = [];
    for (const assigned of binding.assignments) {
      if (assigned === null || (assigned.end ?? 0) <= start) {
        visible.push(assigned);
        continue;
      }
      const write = codeContext(assigned);
      if (write === null || write.owner !== read.owner || write.loops.some((loop) => read.loops.includes(loop))) visible.push(assigned);
    }
    return visible.length < binding.assignments.length ? visible : null;
  }

  /** Values a destructuring target receives: `const { constructor: C } = f` gives C's values. */
  bindingValues(binding: Binding): Values {
    const cached = binding.values;
    if (cached !== undefined) return cached;
    if (this.inProgress.includes(binding)) return UNKNOWN_SET;
    const values = this.valuesWith(binding, binding.assignments);
    binding.values = values;
    return values;
  }

  /** The union of a binding's declared values, the given assignments' values and its defaults. */
  private valuesWith(binding: Binding, assignments: readonly (Node | null)[]): Values {
    if (this.inProgress.includes(binding)) return UNKNOWN_SET;
    this.inProgress.push(binding);
    const result = new Set<string>();
    try {
      union(result, this.declaredValues(binding));
      for (const assigned of assignments) union(result, assigned === null ? UNKNOWN_SET : this.values(assigned));
      for (const fallback of binding.defaults) union(result, this.values(fallback));
    } finally {
      this.leave(binding);
    }
    return normalizeValues(result);
  }

  private declaredValues(binding: Binding): Values {
    switch (binding.kind) {
      case 'function':
        return single(functionKind(binding.declaration));
      case 'class':
        return single('<class>');
      case 'arguments':
        return single('<arguments>');
      case 'import':
        return this.importValues(binding);
      case 'param':
        return this.importCallbackValues(binding);
      case 'catch':
      case 'enum':
      case 'namespace':
        return UNKNOWN_SET;
      default:
        if (binding.init === null) return binding.assignments.length > 0 ? EMPTY_SET : single('undefined');
        return this.followPath(this.values(binding.init), binding.path, binding.init);
    }
  }

  /**
   * `import('m').then((ns) => ...)`: the first parameter of a `.then` callback on a dynamic import
   * receives the module namespace (destructuring included). Any other parameter is unknown.
   */
  private importCallbackValues(binding: Binding): Values {
    const fn = binding.declaration as Node & { params?: Node[] };
    const first = fn.params?.[0];
    if (first === undefined || binding.id === null || !collectIds(first).includes(binding.id)) return UNKNOWN_SET;
    const call = parentOf(fn);
    if (call === null || (call.type !== 'CallExpression' && call.type !== 'OptionalCallExpression') || call.arguments[0] !== fn) {
      return UNKNOWN_SET;
    }
    const callee = unwrap(call.callee);
    if (callee.type !== 'MemberExpression' && callee.type !== 'OptionalMemberExpression') return UNKNOWN_SET;
    const keys = this.memberKeys(callee);
    if (keys === null || keys.length !== 1 || keys[0] !== 'then') return UNKNOWN_SET;
    const receiver = unwrap(callee.object);
    if (receiver.type !== 'ImportExpression' && !(receiver.type === 'CallExpression' && receiver.callee.type === 'Import')) return UNKNOWN_SET;
    const modules = new Set<string>();
    // Module namespaces, including those canonicalised to host objects (`import('process')` is `process`).
    for (const value of this.values(receiver)) if (value !== UNKNOWN && !value.startsWith('<')) modules.add(value);
    if (modules.size === 0) return UNKNOWN_SET;
    return this.followPath(modules, binding.path, null);
  }

  /** The values found by stepping through a destructuring path from a source value. */
  followPath(start: Values, path: readonly PathStep[], source: Node | null): Values {
    let current: Values = start;
    let sourceNode: Node | null = source;
    for (const step of path) {
      const next = new Set<string>();
      if ('key' in step) {
        for (const value of current) unionOne(next, memberPath(value, step.key));
        if (sourceNode !== null) {
          const literal = this.literalMember(sourceNode, step.key);
          if (literal !== null) {
            union(next, this.values(literal));
            next.delete(UNKNOWN);
            sourceNode = literal;
          } else sourceNode = null;
        }
      } else if ('index' in step) {
        const literal = sourceNode === null ? null : this.literalMember(sourceNode, String(step.index));
        if (literal !== null) {
          union(next, this.values(literal));
          sourceNode = literal;
        } else {
          next.add(UNKNOWN);
          sourceNode = null;
        }
      } else {
        next.add(UNKNOWN);
        sourceNode = null;
      }
      current = next;
    }
    return current;
  }

  private importValues(binding: Binding): Values {
    const decl = binding.declaration;
    if (decl.type === 'TSImportEqualsDeclaration') {
      const ref = decl.moduleReference;
      if (ref.type === 'TSExternalModuleReference') return new Set([`module:${normalizeSpecifier(ref.expression.value)}`]);
      return UNKNOWN_SET;
    }
    const importDecl = parentOf(decl);
    if (importDecl === null || importDecl.type !== 'ImportDeclaration') return UNKNOWN_SET;
    const module = `module:${normalizeSpecifier(importDecl.source.value)}`;
    if (decl.type === 'ImportSpecifier') {
      const imported = decl.imported.type === 'Identifier' ? decl.imported.name : decl.imported.value;
      return new Set([canonical(imported === 'default' ? module : `${module}.${imported}`)]);
    }
    return new Set([canonical(module)]);
  }

  private computeValues(node: Node): Values {
    switch (node.type) {
      case 'Identifier': {
        const binding = referenceOf(node);
        if (binding === undefined) return UNKNOWN_SET;
        if (binding === null) return internedGlobal(node.name);
        return this.bindingValues(binding);
      }
      case 'ThisExpression':
        return this.thisIsGlobal(node) ? single('globalThis') : UNKNOWN_SET;
      case 'MemberExpression':
      case 'OptionalMemberExpression': {
        const objectValues = this.values(node.object);
        // Fast path: `x.name` on an unknown, non-literal object is unknown (no allocation).
        if (
          objectValues === UNKNOWN_SET &&
          !node.computed &&
          node.property.type === 'Identifier' &&
          node.property.name !== 'constructor' &&
          this.literalContainer(node.object) === null
        ) {
          return UNKNOWN_SET;
        }
        const keys = this.memberKeys(node);
        const result = new Set<string>();
        if (keys === null) return UNKNOWN_SET;
        for (const value of objectValues) for (const key of keys) unionOne(result, memberPath(value, key));
        // `{ e: eval }.e`, `[eval][0]`, `const o = { e: eval }; o.e`: look inside literals.
        const container = this.literalContainer(node.object);
        if (container !== null) {
          for (const key of keys) {
            const member = this.literalMember(container, key);
            if (member !== null) union(result, this.values(member));
          }
          if (result.size > 1) result.delete(UNKNOWN);
        }
        return result;
      }
      case 'CallExpression':
      case 'OptionalCallExpression':
      case 'NewExpression':
      case 'ImportExpression':
        return this.callResult(node);
      case 'SequenceExpression':
        return this.values(node.expressions[node.expressions.length - 1]!);
      case 'LogicalExpression': {
        const result = new Set<string>();
        union(result, this.values(node.left));
        union(result, this.values(node.right));
        return result;
      }
      case 'ConditionalExpression': {
        const result = new Set<string>();
        union(result, this.values(node.consequent));
        union(result, this.values(node.alternate));
        return result;
      }
      case 'AssignmentExpression':
        return node.operator === '=' ? this.values(node.right) : UNKNOWN_SET;
      case 'AwaitExpression':
        return node.argument ? this.values(node.argument) : UNKNOWN_SET;
      case 'FunctionExpression':
      case 'ArrowFunctionExpression':
      case 'FunctionDeclaration':
      case 'ObjectMethod':
      case 'ClassMethod':
        return single(functionKind(node));
      case 'ClassExpression':
      case 'ClassDeclaration':
        return single('<class>');
      case 'StringLiteral':
      case 'TemplateLiteral':
        return single('<string>');
      case 'NumericLiteral':
        return single('<number>');
      case 'BooleanLiteral':
        return single('<boolean>');
      case 'BigIntLiteral':
        return single('<bigint>');
      case 'ArrayExpression':
        return single('<array>');
      case 'ObjectExpression':
        return single('<object>');
      case 'RegExpLiteral':
        return single('<regexp>');
      case 'NullLiteral':
        return single('null');
      case 'TaggedTemplateExpression':
        return this.callResult(node);
      default:
        if (TRANSPARENT_WRAPPERS.has(node.type)) return this.values((node as { expression: Node }).expression);
        return UNKNOWN_SET;
    }
  }

  /** True when `this` at this node is the global object (top level of a classic script). */
  thisIsGlobal(node: Node): boolean {
    if (this.sourceType === 'module') return false;
    for (let p = parentOf(node); p !== null; p = parentOf(p)) {
      switch (p.type) {
        case 'FunctionExpression':
        case 'FunctionDeclaration':
          // Sloppy `(function () { return this })()`, `.call(null)`, or a named function some
          // reference calls without a receiver (`function f() { return this } f()`).
          return this.isSloppyGlobalCall(p);
        case 'ObjectMethod':
          // `const o = { f() { return this } }; const h = o.f; h()`: a sloppy method called bare.
          return p.kind === 'method' && this.isSloppyGlobalCall(p);
        case 'ClassMethod':
        case 'ClassPrivateMethod':
        case 'ClassProperty':
        case 'ClassPrivateProperty':
        case 'ClassAccessorProperty':
        case 'StaticBlock':
          return false;
        case 'Program':
          return true;
        default:
          break;
      }
    }
    return false;
  }

  /**
   * A sloppy-mode function called without a receiver: an IIFE, `.call()`, `.call(null)`,
   * `.apply(undefined)`, or, for a declaration or `const f = function () {}`, any reference
   * called so (`f()`, `(0, f)()`, `f.call(null)`). Cached per function.
   */
  private isSloppyGlobalCall(fn: Node): boolean {
    let answer = this.sloppyCallCache.get(fn);
    if (answer === undefined) {
      answer = this.computeSloppyGlobalCall(fn);
      this.sloppyCallCache.set(fn, answer);
    }
    return answer;
  }

  private computeSloppyGlobalCall(fn: Node): boolean {
    let called = this.isCalledWithoutReceiver(fn);
    if (!called) {
      // The function's name: its declaration, or the const/let/var it initialises.
      let id: Node | null | undefined = fn.type === 'FunctionDeclaration' ? fn.id : null;
      if (id == null) {
        let child: Node = fn;
        let parent = parentOf(child);
        while (parent !== null && TRANSPARENT_WRAPPERS.has(parent.type)) {
          child = parent;
          parent = parentOf(child);
        }
        if (parent !== null && parent.type === 'VariableDeclarator' && parent.init === child && parent.id.type === 'Identifier') id = parent.id;
      }
      const binding = id ? declarationOf(id) : undefined;
      if (binding !== undefined) {
        const refs = binding.references;
        for (let i = 0; i < refs.length && i < 64 && !called; i++) called = this.isCalledWithoutReceiver(refs[i]!);
      }
    }
    if (!called) called = this.isExtractedMethodCall(fn);
    if (!called) return false;
    // Strict code (a directive on the way up, a class body) keeps `this` undefined.
    for (let p: Node | null = fn; p !== null; p = parentOf(p)) {
      if (p.type === 'ClassBody') return false;
      const body = p.type === 'Program' ? p : (p as { body?: Node }).body;
      if (body && (body.type === 'Program' || body.type === 'BlockStatement') && (body as { directives?: { value: { value: string } }[] }).directives?.some((d) => d.value.value === 'use strict')) return false;
    }
    return true;
  }

  /**
   * A method of an object literal bound to a name, read off that name and called without the
   * object as receiver: `(0, o.f)()`, `o.f.call(null)`, `const h = o.f; h()`, `const { f } = o; f()`.
   */
  private isExtractedMethodCall(fn: Node): boolean {
    let property: Node | null = fn.type === 'ObjectMethod' ? fn : parentOf(fn);
    if (property === null || (property.type !== 'ObjectMethod' && property.type !== 'ObjectProperty')) return false;
    if (property.type === 'ObjectProperty' && property.value !== fn) return false;
    const name = staticPropertyKey(property.key, property.computed);
    const object = parentOf(property);
    const declarator = object === null ? null : parentOf(object);
    if (name === null || declarator === null || declarator.type !== 'VariableDeclarator' || declarator.init !== object || declarator.id.type !== 'Identifier') return false;
    const binding = declarationOf(declarator.id);
    if (binding === undefined) return false;
    const refs = binding.references;
    for (let i = 0; i < refs.length && i < 64; i++) {
      const ref = refs[i]!;
      const parent = parentOf(ref);
      if (parent === null) continue;
      let alias: Node | null = null;
      if ((parent.type === 'MemberExpression' || parent.type === 'OptionalMemberExpression') && parent.object === ref) {
        const keys = this.memberKeys(parent);
        if (keys === null || !keys.includes(name)) continue;
        const outer = parentOf(parent);
        if (outer === null || ((outer.type === 'CallExpression' || outer.type === 'OptionalCallExpression') && outer.callee === parent)) continue;
        if (this.isCalledWithoutReceiver(parent)) return true;
        if (outer.type === 'VariableDeclarator' && outer.init === parent && outer.id.type === 'Identifier') alias = outer.id;
      } else if (parent.type === 'VariableDeclarator' && parent.init === ref && parent.id.type === 'ObjectPattern') {
        for (const p of parent.id.properties) {
          if (p.type === 'ObjectProperty' && staticPropertyKey(p.key, p.computed) === name && p.value.type === 'Identifier') alias = p.value;
        }
      }
      if (alias === null) continue;
      const aliasBinding = declarationOf(alias);
      if (aliasBinding === undefined) continue;
      for (const use of aliasBinding.references.slice(0, 64)) if (this.isCalledWithoutReceiver(use)) return true;
    }
    return false;
  }

  /** `node()`, `(0, node)()`, `node.call()`, `node.call(null)`, `node.apply(undefined)`. */
  private isCalledWithoutReceiver(node: Node): boolean {
    let child: Node = node;
    let parent = parentOf(child);
    while (parent !== null && (TRANSPARENT_WRAPPERS.has(parent.type) || (parent.type === 'SequenceExpression' && parent.expressions[parent.expressions.length - 1] === child))) {
      child = parent;
      parent = parentOf(child);
    }
    if (parent === null) return false;
    if (parent.type === 'CallExpression' || parent.type === 'OptionalCallExpression') {
      if (parent.callee === child) return true;
      // `Reflect.apply(f, undefined, args)`.
      const receiver = parent.arguments[1];
      if (parent.arguments[0] === child && (receiver === undefined || this.isNullish(receiver)) && this.values(parent.callee).has('Reflect.apply')) return true;
      return this.isBareCallback(parent, child);
    }
    if (parent.type === 'NewExpression' && parent.arguments[0] === child && parent.arguments.length === 1) {
      // `new Promise(function () { ... })`: the executor is called without a receiver.
      return this.values(parent.callee).has('Promise');
    }
    if ((parent.type === 'MemberExpression' || parent.type === 'OptionalMemberExpression') && parent.object === child) {
      const keys = this.memberKeys(parent);
      const call = parentOf(parent);
      if (keys !== null && keys.length === 1 && (keys[0] === 'call' || keys[0] === 'apply') && call !== null && (call.type === 'CallExpression' || call.type === 'OptionalCallExpression') && call.callee === parent) {
        const receiver = call.arguments[0];
        return receiver === undefined || this.isNullish(receiver);
      }
    }
    return false;
  }

  /**
   * A callback that a built-in calls without a receiver: `[1].map(fn)` (no thisArg),
   * `p.then(fn)`, `'s'.replace(re, fn)`, `Array.from(xs, fn)`, `queueMicrotask(fn)`. Only where
   * the receiver is known to be an array, promise or string, since libraries reuse these names.
   */
  private isBareCallback(call: CallExpression | Node, fn: Node): boolean {
    const c = call as CallExpression;
    const index = c.arguments.indexOf(fn as never);
    if (index === -1) return false;
    const callee = unwrap(c.callee as Node);
    if (callee.type === 'MemberExpression' || callee.type === 'OptionalMemberExpression') {
      const keys = this.memberKeys(callee);
      if (keys === null || keys.length !== 1) return false;
      const key = keys[0]!;
      const receiver = this.values(callee.object);
      if (ITERATION_METHODS.has(key)) return index === 0 && c.arguments.length === 1 && receiver.has('<array>');
      if (key === 'reduce' || key === 'reduceRight' || key === 'sort') return index === 0 && receiver.has('<array>');
      if (key === 'then' || key === 'catch' || key === 'finally') {
        if (receiver.has('<promise>')) return true;
        // `Promise.resolve(x).then(fn)`, `new Promise(...).then(fn)`.
        const made = unwrap(callee.object);
        if (made.type !== 'CallExpression' && made.type !== 'NewExpression') return false;
        for (const v of this.values(made.callee as Node)) if (v === 'Promise' || v.startsWith('Promise.')) return true;
        return false;
      }
      if (key === 'replace' || key === 'replaceAll') return index === 1 && receiver.has('<string>');
    }
    const values = this.values(callee);
    return (values.has('Array.from') && index === 1 && c.arguments.length === 2) || (values.has('queueMicrotask') && index === 0);
  }

  private isNullish(node: Node): boolean {
    const inner = unwrap(node);
    if (inner.type === 'NullLiteral') return true;
    if (inner.type === 'Identifier') return inner.name === 'undefined' && referenceOf(inner) === null;
    return inner.type === 'UnaryExpression' && inner.operator === 'void';
  }

  /**
   * True when calling the function `node` evaluates to returns the global object:
   * `Function('return this')`, `new Function('return globalThis')` (through const aliases).
   */
  private returnsGlobalObject(node: Node): boolean {
    let current = unwrap(node);
    for (let hops = 0; hops < 4 && current.type === 'Identifier'; hops++) {
      const binding = referenceOf(current);
      if (!binding || binding.init === null || binding.path.length > 0 || binding.assignments.length > 0) return false;
      current = unwrap(binding.init);
    }
    if (current.type !== 'CallExpression' && current.type !== 'NewExpression' && current.type !== 'OptionalCallExpression') return false;
    // `Function('return this').bind(x)` returns the same function, bound.
    const callee = unwrap(current.callee as Node);
    if (current.type !== 'NewExpression' && (callee.type === 'MemberExpression' || callee.type === 'OptionalMemberExpression')) {
      const keys = this.memberKeys(callee);
      if (keys !== null && keys.length === 1 && keys[0] === 'bind') return this.returnsGlobalObject(callee.object);
    }
    const target = this.callTarget(current);
    if (!target.callee.has('Function') || target.args === null || target.args.length === 0) return false;
    const bodies = this.foldStrings(target.args[target.args.length - 1]!);
    return bodies !== null && bodies.length > 0 && bodies.every((body) => RETURN_GLOBAL.test(body));
  }

  /** The keys a member expression may read: `[name]`, folded computed keys, or null if unknown. */
  memberKeys(node: Node): readonly string[] | null {
    if (node.type !== 'MemberExpression' && node.type !== 'OptionalMemberExpression') return null;
    if (!node.computed) {
      if (node.property.type === 'Identifier') return [node.property.name];
      if (node.property.type === 'PrivateName') return null;
    }
    // Rules ask about the same computed member many times (`a[i]` in every classifier).
    let keys = this.keyCache.get(node);
    if (keys === undefined) {
      keys = this.propertyKeys(node.property);
      this.keyCache.set(node, keys);
    }
    return keys;
  }

  /** Folds an expression used as a property key to the strings it may be, or null. */
  propertyKeys(node: Node): string[] | null {
    const folded = this.fold(node);
    if (folded === null) return null;
    const keys: string[] = [];
    for (const value of folded.values) {
      if (typeof value === 'symbol' || value instanceof ConstBuffer || value instanceof ConstObject) return null;
      keys.push(constToString(value));
    }
    return keys;
  }

  /** The literal object or array an expression denotes (through const bindings), or null. */
  literalContainer(node: Node): Node | null {
    let current = unwrap(node);
    for (let hops = 0; hops < 8; hops++) {
      if (current.type === 'ObjectExpression' || current.type === 'ArrayExpression') return current;
      if (current.type !== 'Identifier') return null;
      const binding = referenceOf(current);
      if (!binding || binding.init === null || binding.path.length > 0) return null;
      if (binding.kind !== 'const' && binding.kind !== 'let' && binding.kind !== 'var') return null;
      if (binding.assignments.length > 0) return null;
      current = unwrap(binding.init);
    }
    return null;
  }

  /** The expression stored under `key` in a literal container, or null. */
  literalMember(container: Node, key: string): Node | null {
    const literal = this.literalContainer(container);
    if (literal === null) return null;
    if (literal.type === 'ArrayExpression') {
      const index = Number(key);
      if (!Number.isInteger(index) || index < 0) return null;
      let position = 0;
      for (const element of literal.elements) {
        if (element === null) {
          position++;
          continue;
        }
        if (element.type === 'SpreadElement') return null;
        if (position === index) return element;
        position++;
      }
      return null;
    }
    if (literal.type === 'ObjectExpression') {
      let found: Node | null = null;
      for (const property of literal.properties) {
        if (property.type === 'SpreadElement') {
          found = null; // a later spread may override; be conservative
          continue;
        }
        const name = property.computed
          ? this.propertyKeys(property.key)?.[0] ?? null
          : staticPropertyKey(property.key, false);
        if (name !== key) continue;
        found = property.type === 'ObjectMethod' ? property : (property.value as Node);
      }
      return found;
    }
    return null;
  }

  /**
   * Normalises a call or `new` through `.call`, `.apply`, `Reflect.apply` and `Reflect.construct`.
   * Memoised per node: a score of rules ask about every call. The result is shared; do not change it.
   */
  callTarget(node: Node): CallTarget {
    let target = this.targetCache.get(node);
    if (target === undefined) {
      target = this.computeCallTarget(node);
      this.targetCache.set(node, target);
    }
    return target;
  }

  private computeCallTarget(node: Node): CallTarget {
    if (node.type === 'TaggedTemplateExpression') {
      return { callee: this.values(node.tag), args: null, construct: false, via: 'tagged template' };
    }
    if (node.type === 'ImportExpression') {
      return { callee: single('import'), args: [node.source], construct: false, via: 'import()' };
    }
    const call = node as CallExpression | NewExpression;
    const construct = call.type === 'NewExpression';
    const callee = unwrap(call.callee as Node);
    const args = call.arguments as Node[];
    if (callee.type === 'Import') return { callee: single('import'), args, construct: false, via: 'import()' };
    if (!construct && (callee.type === 'MemberExpression' || callee.type === 'OptionalMemberExpression')) {
      const keys = this.memberKeys(callee);
      if (keys !== null && keys.length === 1) {
        const key = keys[0]!;
        // `Reflect.apply(f, t, args)` is Reflect's own method, handled below, not `.apply` of Reflect.
        const receiver = key === 'call' || key === 'apply' ? this.values(callee.object) : EMPTY_SET;
        if ((key === 'call' || key === 'apply') && !receiver.has('Reflect')) {
          // `Function.prototype.call.call(f, ...)` and friends: the first argument is the function.
          if (receiver.has('Function.prototype.call') || receiver.has('Function.prototype.apply')) {
            const inner = args[0];
            return {
              callee: inner ? this.values(inner) : UNKNOWN_SET,
              args: null,
              construct: false,
              via: key,
            };
          }
          const spread = key === 'call' ? args.slice(1) : this.arrayArgs(args[1]);
          return { callee: receiver, args: spread, construct: false, via: key };
        }
      }
    }
    const calleeValues = this.values(callee);
    if (!construct && calleeValues.has('Reflect.apply')) {
      return {
        callee: args[0] ? this.values(args[0]) : UNKNOWN_SET,
        args: this.arrayArgs(args[2]),
        construct: false,
        via: 'Reflect.apply',
      };
    }
    if (!construct && calleeValues.has('Reflect.construct')) {
      return {
        callee: args[0] ? this.values(args[0]) : UNKNOWN_SET,
        args: this.arrayArgs(args[1]),
        construct: true,
        via: 'Reflect.construct',
      };
    }
    return { callee: calleeValues, args, construct, via: construct ? 'new' : 'direct' };
  }

  private arrayArgs(node: Node | undefined): Node[] | null {
    if (node === undefined) return [];
    const literal = this.literalContainer(node);
    if (literal === null || literal.type !== 'ArrayExpression') return null;
    const out: Node[] = [];
    for (const element of literal.elements) {
      if (element === null || element.type === 'SpreadElement') return null;
      out.push(element);
    }
    return out;
  }

  /** What a call evaluates to, in host paths. */
  callResult(node: Node): Values {
    const callNode = unwrap(node);
    // `x.bind(...)` yields (a bound) x.
    if (
      (callNode.type === 'CallExpression' || callNode.type === 'OptionalCallExpression') &&
      (callNode.callee.type === 'MemberExpression' || callNode.callee.type === 'OptionalMemberExpression')
    ) {
      const keys = this.memberKeys(callNode.callee);
      if (keys !== null && keys.length === 1 && keys[0] === 'bind') {
        const bound = this.values(callNode.callee.object);
        if (!bound.has(UNKNOWN)) return bound;
      }
    }
    const target = this.callTarget(callNode);
    const result = new Set<string>();
    const args = target.args;
    if (target.callee.has('<function>') && !target.construct) {
      // `Function('return this')()`, `.call()`, `Reflect.apply(...)`: the global object.
      // (A tagged template has a `tag`, not a `callee`.)
      const callee = unwrap(((callNode as CallExpression).callee ?? (callNode as unknown as { tag: Node }).tag) as Node);
      const fnNode =
        target.via === 'call' || target.via === 'apply'
          ? (callee as { object?: Node }).object
          : target.via === 'Reflect.apply'
            ? (callNode as CallExpression).arguments[0]
            : callee;
      if (fnNode && this.returnsGlobalObject(fnNode)) result.add('globalThis');
    } else if (target.callee.has('eval') && args && args[0] && !target.construct) {
      // `(0, eval)('this')`: indirect eval runs at the top level; direct eval where it stands.
      const source = this.foldStrings(args[0]);
      const callee = unwrap((callNode as CallExpression).callee as Node);
      const direct = target.via === 'direct' && callee.type === 'Identifier' && callee.name === 'eval';
      if (source !== null && source.length > 0 && source.every((s) => GLOBAL_EXPRESSION.test(s)) && (!direct || this.thisIsGlobal(callNode))) {
        result.add('globalThis');
      }
    }
    for (const fn of target.callee) {
      switch (fn) {
        case 'require':
        case 'import':
        case 'module:module._load':
        case 'module:module.prototype.require': {
          const specifiers = args && args[0] ? this.foldStrings(args[0]) : null;
          if (specifiers === null) result.add(UNKNOWN);
          else for (const s of specifiers) result.add(canonical(`module:${normalizeSpecifier(s)}`));
          break;
        }
        case 'module:module.createRequire':
          result.add('require');
          break;
        case 'module:util.promisify':
        case 'module:util.callbackify':
          // The wrapper calls the function it wraps: `promisify(cp.exec)` still reaches exec.
          if (args && args[0]) union(result, this.values(args[0]));
          else result.add(UNKNOWN);
          break;
        case 'module:module':
          // `new Module()` is a module object like `module` itself (with `_compile`, `require`).
          result.add(target.construct ? 'module' : UNKNOWN);
          break;
        case 'Reflect.get': {
          if (!args || args.length < 2) {
            result.add(UNKNOWN);
            break;
          }
          const keys = this.propertyKeys(args[1]!);
          if (keys === null) {
            result.add(UNKNOWN);
            break;
          }
          for (const objectValue of this.values(args[0]!)) for (const key of keys) result.add(memberPath(objectValue, key));
          break;
        }
        case 'Object.getOwnPropertyDescriptor':
        case 'Reflect.getOwnPropertyDescriptor': {
          const keys = args && args[1] ? this.propertyKeys(args[1]) : null;
          if (keys === null || !args) {
            result.add(UNKNOWN);
            break;
          }
          for (const objectValue of this.values(args[0]!)) {
            for (const key of keys) {
              const path = memberPath(objectValue, key);
              result.add(path === UNKNOWN ? UNKNOWN : `descriptor:${path}`);
            }
          }
          break;
        }
        case 'Object.getPrototypeOf':
        case 'Reflect.getPrototypeOf': {
          if (!args || !args[0]) {
            result.add(UNKNOWN);
            break;
          }
          for (const value of this.values(args[0])) result.add(prototypeOf(value));
          break;
        }
        case 'Function':
        case 'AsyncFunction':
        case 'GeneratorFunction':
        case 'AsyncGeneratorFunction':
          result.add(fn === 'Function' ? '<function>' : functionPseudo(fn));
          break;
        case 'Object':
          // `Object(x)` returns x for objects: keep capabilities flowing through it.
          if (args && args[0]) union(result, this.values(args[0]));
          else result.add('<object>');
          break;
        default:
          result.add(UNKNOWN);
      }
    }
    return result.size === 0 ? UNKNOWN_SET : result;
  }

  // ---------------------------------------------------------------------------------------------
  // Constant folding

  /** Folds `node` to its possible constant values, or null when it cannot be known. */
  fold(node: Node): FoldResult | null {
    if (this.foldCache.has(node)) return this.foldCache.get(node)!;
    const state: FoldState = { steps: 0, decoders: null, env: null };
    let result: FoldResult | null;
    try {
      const values = this.foldNode(node, state);
      result = { values, decoders: state.decoders ?? NO_DECODERS };
    } catch (error) {
      if (error instanceof FoldFailure || error instanceof RangeError || error instanceof TypeError) result = null;
      else throw error;
    }
    this.foldCache.set(node, result);
    return result;
  }

  /** Folds to strings only (numbers are converted); null if any possible value is unknown. */
  foldStrings(node: Node): string[] | null {
    const folded = this.fold(node);
    if (folded === null) return null;
    const out: string[] = [];
    for (const value of folded.values) {
      if (value instanceof ConstBuffer || value instanceof ConstObject) return null;
      out.push(constToString(value));
    }
    return out;
  }

  /** Folds to exactly one string, or null. */
  foldString(node: Node): string | null {
    const strings = this.foldStrings(node);
    return strings !== null && strings.length === 1 ? strings[0]! : null;
  }

  private foldNode(node: Node, state: FoldState): Const[] {
    if (++state.steps > MAX_FOLD_STEPS) throw FAIL;
    switch (node.type) {
      case 'StringLiteral':
        return [node.value];
      case 'NumericLiteral':
        return [node.value];
      case 'BooleanLiteral':
        return [node.value];
      case 'NullLiteral':
        return [null];
      case 'RegExpLiteral': {
        if (node.pattern.length > 200 || RISKY_REGEXP.test(node.pattern)) throw FAIL;
        try {
          return [new ConstRegExp(new RegExp(node.pattern, node.flags))];
        } catch {
          throw FAIL;
        }
      }
      case 'BigIntLiteral':
        return [BigInt(node.value)];
      case 'TemplateLiteral': {
        let partials: string[] = [node.quasis[0]!.value.cooked ?? node.quasis[0]!.value.raw];
        node.expressions.forEach((expression, index) => {
          const values = this.foldNode(expression, state);
          const next: string[] = [];
          const tail = node.quasis[index + 1]!.value.cooked ?? node.quasis[index + 1]!.value.raw;
          for (const prefix of partials) for (const value of values) next.push(checkString(prefix + constToString(value) + tail));
          if (next.length > MAX_UNION) throw FAIL;
          partials = next;
        });
        return partials;
      }
      case 'Identifier':
        return this.foldIdentifier(node, state);
      case 'BinaryExpression': {
        if (node.left.type === 'PrivateName') throw FAIL;
        const left = this.foldNode(node.left, state);
        const right = this.foldNode(node.right, state);
        return product(left, right, (a, b) => binaryOp(node.operator, a, b));
      }
      case 'UnaryExpression': {
        if (node.operator === 'typeof' || node.operator === 'delete') throw FAIL;
        const values = this.foldNode(node.argument, state);
        return values.map((value) => unaryOp(node.operator, value));
      }
      case 'LogicalExpression': {
        const left = this.foldNode(node.left, state);
        const out: Const[] = [];
        for (const value of left) {
          const isTruthy = truthy(value);
          const takeLeft = node.operator === '&&' ? !isTruthy : node.operator === '||' ? isTruthy : value !== null && value !== undefined;
          if (takeLeft) out.push(value);
          else out.push(...this.foldNode(node.right, state));
        }
        return limit(out);
      }
      case 'ConditionalExpression': {
        let test: Const[] | null = null;
        try {
          test = this.foldNode(node.test, state);
        } catch (error) {
          if (!(error instanceof FoldFailure)) throw error;
        }
        if (test !== null && test.length === 1) {
          return this.foldNode(truthy(test[0]!) ? node.consequent : node.alternate, state);
        }
        return limit([...this.foldNode(node.consequent, state), ...this.foldNode(node.alternate, state)]);
      }
      case 'SequenceExpression':
        return this.foldNode(node.expressions[node.expressions.length - 1]!, state);
      case 'ArrayExpression': {
        let arrays: Const[][] = [[]];
        for (const element of node.elements) {
          if (element === null) {
            arrays = arrays.map((a) => [...a, undefined]);
            continue;
          }
          if (element.type === 'SpreadElement') {
            const spread = this.foldNode(element.argument, state);
            const next: Const[][] = [];
            for (const a of arrays) {
              for (const s of spread) {
                if (typeof s === 'string') next.push([...a, ...Array.from(s)]);
                else if (Array.isArray(s)) next.push([...a, ...(s as Const[])]);
                else throw FAIL;
              }
            }
            arrays = next;
          } else {
            const values = this.foldNode(element, state);
            const next: Const[][] = [];
            for (const a of arrays) for (const v of values) next.push([...a, v]);
            arrays = next;
          }
          if (arrays.length > MAX_UNION) throw FAIL;
          state.steps += node.elements.length > 64 ? 1 : 0;
        }
        return arrays as Const[];
      }
      case 'ObjectExpression': {
        const entries = new Map<string, Const>();
        for (const property of node.properties) {
          if (property.type !== 'ObjectProperty') throw FAIL;
          const key = property.computed ? this.foldSingle(property.key, state) : staticPropertyKey(property.key, false);
          if (key === null || key === undefined) throw FAIL;
          const value = this.foldNode(property.value as Node, state);
          if (value.length !== 1) throw FAIL;
          entries.set(constToString(key as Const), value[0]!);
        }
        return [new ConstObject(entries)];
      }
      case 'MemberExpression':
      case 'OptionalMemberExpression':
        return this.foldMember(node, state);
      case 'CallExpression':
      case 'OptionalCallExpression':
      case 'NewExpression':
        return this.foldCall(node, state);
      case 'AssignmentExpression':
        if (node.operator === '=') return this.foldNode(node.right, state);
        throw FAIL;
      default:
        if (TRANSPARENT_WRAPPERS.has(node.type)) return this.foldNode((node as { expression: Node }).expression, state);
        throw FAIL;
    }
  }

  private foldSingle(node: Node, state: FoldState): Const {
    const values = this.foldNode(node, state);
    if (values.length !== 1) throw FAIL;
    return values[0]!;
  }

  private foldIdentifier(node: Identifier, state: FoldState): Const[] {
    const binding = referenceOf(node);
    if (binding === undefined) throw FAIL;
    if (binding === null) {
      if (node.name === 'undefined') return [undefined];
      if (node.name === 'NaN') return [NaN];
      if (node.name === 'Infinity') return [Infinity];
      throw FAIL;
    }
    if (state.env !== null && state.env.has(binding)) return [state.env.get(binding)!];
    if (this.inProgress.includes(binding)) throw FAIL;
    if (binding.kind !== 'const' && binding.kind !== 'let' && binding.kind !== 'var') throw FAIL;
    if (binding.defaults.length > 0) throw FAIL;
    const accumulation = this.accumulationOf(binding);
    if (accumulation === 'opaque') throw FAIL;
    // Inside an interpreted loop or callback, a binding declared outside it is a constant that
    // cannot see the loop's variables: fold it once, without the loop's environment.
    const outerEnv = state.env;
    if (outerEnv !== null) {
      const memo = state.memo?.get(binding);
      if (memo !== undefined) return memo;
      state.env = null;
    }
    this.inProgress.push(binding);
    try {
      if (accumulation !== 'none') return [this.foldAccumulation(node, binding, accumulation, state)];
      const out: Const[] = [];
      if (binding.init !== null) out.push(...this.foldPath(this.foldNode(binding.init, state), binding.path));
      else if (binding.assignments.length === 0) out.push(undefined);
      for (const assigned of binding.assignments) {
        if (assigned === null) throw FAIL;
        out.push(...this.foldNode(assigned, state));
      }
      const result = limit(dedupe(out));
      if (outerEnv !== null) (state.memo ??= new Map()).set(binding, result);
      return result;
    } finally {
      this.leave(binding);
      state.env = outerEnv;
    }
  }

  private foldPath(values: Const[], path: readonly PathStep[]): Const[] {
    let current = values;
    for (const step of path) {
      if ('rest' in step) throw FAIL;
      const key = 'key' in step ? step.key : String(step.index);
      current = current.map((value) => memberOfConst(value, key));
    }
    return current;
  }

  private foldMember(node: Node & { object: Node; property: Node; computed: boolean }, state: FoldState): Const[] {
    const keys: Const[] = node.computed
      ? this.foldNode(node.property, state)
      : node.property.type === 'Identifier'
        ? [node.property.name]
        : (() => {
            throw FAIL;
          })();
    // A literal container whose members are not all constant: `[a, 'x'][1]`.
    const container = this.literalContainer(node.object);
    if (container !== null && keys.length === 1) {
      const member = this.literalMember(container, constToString(keys[0]!));
      if (member !== null) return this.foldNode(member, state);
    }
    const objects = this.foldNode(node.object, state);
    return product(objects, keys, (object, key) => memberOfConst(object, constToString(key)));
  }

  private foldCall(node: CallExpression | NewExpression | Node, state: FoldState): Const[] {
    const call = node as CallExpression | NewExpression;
    const callee = unwrap(call.callee as Node);
    const args = call.arguments as Node[];
    // Method calls on folded receivers: 'abc'.split(''), [..].join(''), Buffer.from(..).toString().
    if ((callee.type === 'MemberExpression' || callee.type === 'OptionalMemberExpression') && call.type !== 'NewExpression') {
      const method = callee.computed ? this.foldSingle(callee.property, state) : (callee.property as Identifier).name;
      if (typeof method !== 'string') throw FAIL;
      const staticValues = this.values(callee);
      const staticResult = this.foldStaticCall(staticValues, args, state);
      if (staticResult !== null) return staticResult;
      if (method === 'decode' && args.length >= 1 && args[0]!.type !== 'SpreadElement' && this.isUtf8TextDecoder(callee.object)) {
        const bytes = this.foldSingle(args[0]!, state);
        addDecoder(state, 'bytes');
        if (bytes instanceof ConstBuffer) return [checkString(bytes.bytes.toString('utf8'))];
        if (Array.isArray(bytes)) return [checkString(Buffer.from((bytes as Const[]).map((b) => Number(toPrimitive(b)) & 255)).toString('utf8'))];
        throw FAIL;
      }
      // `String.fromCharCode.apply(null, codes)`, `atob.call(null, s)`: a known pure function called indirectly.
      if ((method === 'apply' || method === 'call') && args.every((arg) => arg.type !== 'SpreadElement')) {
        const forwarded =
          method === 'call' ? args.slice(1) : args[1] === undefined ? [] : [{ type: 'SpreadElement', argument: args[1] } as unknown as Node];
        const indirect = this.foldStaticCall(this.values(callee.object), forwarded, state);
        if (indirect !== null) return indirect;
      }
      const receivers = this.foldNode(callee.object, state);
      if ((method === 'map' || method === 'reduce' || method === 'filter' || method === 'forEach') && args[0]) {
        return receivers.map((receiver) => this.foldIteration(receiver, method, args, state));
      }
      const argValues = args.map((arg) => this.foldSingle(arg.type === 'SpreadElement' ? arg : arg, state));
      return receivers.map((receiver) => callMethod(receiver, method, argValues, state));
    }
    const staticValues = this.values(callee);
    const result = this.foldStaticCall(staticValues, args, state);
    if (result !== null) return result;
    // A helper of this file that returns one expression of its parameters: `const d = (i) => atob(t[i]); d(0)`.
    if (callee.type === 'Identifier' && call.type !== 'NewExpression') {
      const fn = this.inlinableFunction(callee);
      if (fn !== null) return [this.foldInlineCall(fn, args, state)];
    }
    throw FAIL;
  }

  /** A non-async, non-generator function bound to `id` whose body is one `return`, with plain, never reassigned parameters. */
  private inlinableFunction(id: Identifier): (Node & { params: Node[]; body: Node }) | null {
    const binding = referenceOf(id);
    if (!binding || binding.assignments.length > 0) return null;
    let fn: Node | null = null;
    if (binding.kind === 'function') fn = binding.declaration;
    else if (binding.kind === 'const' && binding.init !== null && binding.path.length === 0) fn = unwrap(binding.init);
    if (fn === null || (fn.type !== 'FunctionDeclaration' && fn.type !== 'FunctionExpression' && fn.type !== 'ArrowFunctionExpression')) return null;
    if (fn.async || fn.generator || fn.params.length > 4) return null;
    for (const param of fn.params) {
      if (param.type !== 'Identifier') return null;
      const paramBinding = declarationOf(param);
      if (!paramBinding || paramBinding.assignments.length > 0) return null;
    }
    return fn as Node & { params: Node[]; body: Node };
  }

  private foldInlineCall(fn: Node & { params: Node[]; body: Node }, args: Node[], state: FoldState): Const {
    const body = fn.body.type === 'BlockStatement' ? singleReturn(fn.body as Node & { body: Node[] }) : fn.body;
    if (body === null || this.inProgress.includes(fn) || args.some((arg) => arg.type === 'SpreadElement')) throw FAIL;
    const values = fn.params.map((_, i) => (args[i] === undefined ? undefined : this.foldSingle(args[i]!, state)));
    const outerEnv = state.env;
    const env = new Map(outerEnv ?? []);
    fn.params.forEach((param, i) => env.set(declarationOf(param)!, values[i]));
    state.env = env;
    this.inProgress.push(fn);
    try {
      return this.foldSingle(body, state);
    } finally {
      this.leave(fn);
      state.env = outerEnv;
    }
  }

  /** Calls of known pure globals: String.fromCharCode, atob, Buffer.from, parseInt, ... */
  private foldStaticCall(callee: Values, args: Node[], state: FoldState): Const[] | null {
    if (callee.size !== 1) return null;
    const name = [...callee][0]!;
    const spreadArgs = (): Const[] => {
      const out: Const[] = [];
      for (const arg of args) {
        if (arg.type === 'SpreadElement') {
          const value = this.foldSingle(arg.argument, state);
          if (typeof value === 'string') out.push(...Array.from(value));
          else if (Array.isArray(value)) out.push(...(value as Const[]));
          else throw FAIL;
        } else out.push(this.foldSingle(arg, state));
      }
      return out;
    };
    switch (name) {
      case 'String.fromCharCode':
      case 'String.fromCodePoint': {
        addDecoder(state, 'fromCharCode');
        const codes = spreadArgs().map((c) => Number(toPrimitive(c)));
        if (codes.length > MAX_FOLD_STRING) throw FAIL;
        return [name === 'String.fromCharCode' ? String.fromCharCode(...codes) : String.fromCodePoint(...codes)];
      }
      case 'atob':
      case 'module:buffer.atob': {
        addDecoder(state, 'base64');
        const input = constToString(spreadArgs()[0]);
        return [Buffer.from(input, 'base64').toString('latin1')];
      }
      case 'btoa':
        return [Buffer.from(constToString(spreadArgs()[0]), 'latin1').toString('base64')];
      case 'decodeURIComponent':
      case 'decodeURI':
      case 'unescape': {
        addDecoder(state, 'uri');
        const input = constToString(spreadArgs()[0]);
        return [name === 'unescape' ? unescape(input) : name === 'decodeURI' ? decodeURI(input) : decodeURIComponent(input)];
      }
      case 'escape':
      case 'encodeURIComponent':
        return [name === 'escape' ? escape(constToString(spreadArgs()[0])) : encodeURIComponent(constToString(spreadArgs()[0]))];
      case 'parseInt':
      case 'Number.parseInt': {
        const [s, radix] = spreadArgs();
        if (radix !== undefined && Number(radix) === 16) addDecoder(state, 'hex');
        return [parseInt(constToString(s), radix === undefined ? undefined : Number(radix))];
      }
      case 'parseFloat':
        return [parseFloat(constToString(spreadArgs()[0]))];
      case 'String':
        return [constToString(spreadArgs()[0])];
      case 'Number':
        return [Number(toPrimitive(spreadArgs()[0]))];
      case 'Array.from': {
        const [source] = spreadArgs();
        if (typeof source === 'string') return [Array.from(source)];
        if (Array.isArray(source)) return [[...(source as Const[])]];
        if (source instanceof ConstBuffer) return [Array.from(source.bytes)];
        throw FAIL;
      }
      case 'Array.of':
        return [spreadArgs()];
      case 'JSON.parse': {
        const text = constToString(spreadArgs()[0]);
        const parsed: unknown = JSON.parse(text);
        return [jsonToConst(parsed)];
      }
      case 'Buffer.from':
      case 'module:buffer.Buffer.from':
      // The deprecated `new Buffer(string, encoding)` / `Buffer(...)` decode the same way.
      case 'Buffer':
      case 'module:buffer.Buffer': {
        const [source, encoding] = spreadArgs();
        if (typeof source === 'string') {
          const enc = encoding === undefined ? 'utf8' : constToString(encoding);
          if (!Buffer.isEncoding(enc)) throw FAIL;
          if (enc === 'base64' || enc === 'base64url' || enc === 'hex') addDecoder(state, enc === 'hex' ? 'hex' : 'base64');
          return [new ConstBuffer(Buffer.from(source, enc))];
        }
        if (Array.isArray(source)) {
          addDecoder(state, 'bytes');
          return [new ConstBuffer(Buffer.from((source as Const[]).map((b) => Number(toPrimitive(b)) & 255)))];
        }
        if (source instanceof ConstBuffer) return [source];
        throw FAIL;
      }
      case 'Uint8Array':
      case 'Uint8Array.from': {
        const [source] = spreadArgs();
        if (Array.isArray(source)) {
          addDecoder(state, 'bytes');
          return [new ConstBuffer(Buffer.from((source as Const[]).map((b) => Number(toPrimitive(b)) & 255)))];
        }
        if (source instanceof ConstBuffer) return [new ConstBuffer(Buffer.from(source.bytes))];
        throw FAIL;
      }
      default:
        return null;
    }
  }

  /** `new TextDecoder()` (UTF-8), directly or through a constant: its `decode(bytes)` folds. */
  private isUtf8TextDecoder(node: Node): boolean {
    let current = unwrap(node);
    for (let hops = 0; hops < 4 && current.type === 'Identifier'; hops++) {
      const binding = referenceOf(current);
      if (!binding || binding.init === null || binding.path.length > 0 || binding.assignments.length > 0) return false;
      current = unwrap(binding.init);
    }
    if (current.type !== 'NewExpression') return false;
    const ctor = this.values(current.callee as Node);
    if (!ctor.has('TextDecoder') && !ctor.has('module:util.TextDecoder')) return false;
    const label = current.arguments[0];
    if (label === undefined) return true;
    const names = this.foldStrings(label as Node);
    return names !== null && names.every((n) => /^utf-?8$/i.test(n));
  }

  /** `arr.map(fn)`, `.filter(fn)`, `.reduce(fn, init)` with an inline arrow or function of constants. */
  private foldIteration(receiver: Const, method: string, args: Node[], state: FoldState): Const {
    const items: Const[] =
      typeof receiver === 'string'
        ? Array.from(receiver)
        : Array.isArray(receiver)
          ? (receiver as Const[])
          : receiver instanceof ConstBuffer
            ? Array.from(receiver.bytes)
            : (() => {
                throw FAIL;
              })();
    if (typeof receiver === 'string' && method !== 'reduce') throw FAIL; // strings have no map/filter
    const fn = unwrap(args[0]!);
    if (fn.type !== 'ArrowFunctionExpression' && fn.type !== 'FunctionExpression') throw FAIL;
    if (fn.async || fn.generator) throw FAIL;
    const params = fn.params.map((p) => (p.type === 'Identifier' ? this.paramBinding(p) : null));
    if (params.some((p) => p === null)) throw FAIL;
    const body = fn.body.type === 'BlockStatement' ? singleReturn(fn.body) : fn.body;
    if (body === null) throw FAIL;
    const outerEnv = state.env;
    const env = new Map(outerEnv ?? []);
    state.env = env;
    if (items.length > 100_000) throw FAIL;
    try {
      const invoke = (values: Const[]): Const => {
        params.forEach((p, i) => env.set(p!, values[i]));
        return this.foldSingle(body, state);
      };
      if (method === 'map') return items.map((item, index) => invoke([item, index]));
      if (method === 'filter') return items.filter((item, index) => truthy(invoke([item, index])));
      if (method === 'forEach') throw FAIL;
      let accumulator: Const = args[1] === undefined ? items[0] : this.foldSingle(args[1], state);
      const start = args[1] === undefined ? 1 : 0;
      for (let i = start; i < items.length; i++) accumulator = invoke([accumulator, items[i], i]);
      if (typeof accumulator === 'string') checkString(accumulator);
      return accumulator;
    } finally {
      state.env = outerEnv;
      if (/\^/.test(this.nodeOperators(body))) addDecoder(state, 'xor');
    }
  }

  private nodeOperators(node: Node): string {
    // Which operators a small decoder body uses (for explaining the decoding, e.g. XOR).
    const ops: string[] = [];
    const visit = (n: Node | null | undefined, depth: number): void => {
      if (!n || depth > 20) return;
      if (n.type === 'BinaryExpression' || n.type === 'AssignmentExpression') ops.push(n.operator);
      for (const [key, value] of Object.entries(n)) {
        if (key === '_parent' || !value || typeof value !== 'object') continue;
        if (Array.isArray(value)) {
          for (const item of value) if (item && typeof (item as Node).type === 'string') visit(item as Node, depth + 1);
        } else if (typeof (value as Node).type === 'string') visit(value as Node, depth + 1);
      }
    };
    visit(node, 0);
    return ops.join(' ');
  }

  private paramBinding(id: Identifier): Binding | null {
    return declarationOf(id) ?? null;
  }

  // ---------------------------------------------------------------------------------------------
  // Accumulation: a value built by later statements (`let s = ''; s += 'ev'; s += 'al'`,
  // `const a = []; for (const c of codes) a.push(c ^ 7)`). Folding replays those statements on
  // constants, in order, when every change has a simple statement shape; any other change to the
  // binding (inside a function, a condition, an unknown method) makes it unknown, never a stale value.

  /** 'none' when nothing changes the binding after its declaration; 'opaque' when changes cannot be replayed. */
  private accumulationOf(binding: Binding): Accumulation | 'none' | 'opaque' {
    let cached = this.accumulationCache.get(binding);
    if (cached === undefined) {
      cached = this.computeAccumulation(binding);
      this.accumulationCache.set(binding, cached);
    }
    return cached;
  }

  private computeAccumulation(binding: Binding): Accumulation | 'none' | 'opaque' {
    const sites: Node[] = [];
    let changes = false;
    let writes = 0;
    for (const ref of binding.references) {
      const site = mutationSite(ref);
      if (site === null) continue;
      sites.push(site);
      if ((site.type === 'AssignmentExpression' && unwrap(site.left as Node) === ref) || site.type === 'UpdateExpression') {
        writes++;
        if (site.type === 'UpdateExpression' || site.operator !== '=') changes = true;
      } else changes = true;
    }
    if (!changes) return 'none';
    // Every recorded write must be one of the sites found (no destructuring or loop-head writes).
    if (writes !== binding.assignments.length) return 'opaque';
    if (binding.init === null || binding.path.length > 0 || binding.id === null) return 'opaque';
    const declarator = binding.declaration;
    const statement = parentOf(declarator);
    const container = statement === null ? null : parentOf(statement);
    if (declarator.type !== 'VariableDeclarator' || statement === null || container === null) return 'opaque';
    const list = (container as { body?: unknown }).body;
    if (!Array.isArray(list)) return 'opaque';
    const from = list.indexOf(statement);
    if (from === -1) return 'opaque';
    const statements = new Set<Node>();
    let end = -1;
    for (const site of sites) {
      let top: Node = site;
      for (let hops = 0; hops < 64; hops++) {
        const parent = parentOf(top);
        if (parent === null || parent === container) break;
        top = parent;
      }
      if (parentOf(top) !== container) return 'opaque';
      const index = list.indexOf(top);
      if (index <= from) return 'opaque';
      if (!statements.has(top)) {
        if (!this.replayableStatement(top, binding)) return 'opaque';
        statements.add(top);
      }
      end = Math.max(end, top.end ?? Infinity);
    }
    return { list: list as Node[], from, statements, end };
  }

  /** True for a statement that folding can replay: a change of `binding`, or a simple loop of changes. */
  private replayableStatement(statement: Node, binding: Binding): boolean {
    if (statement.type === 'ExpressionStatement') {
      if (this.changesBinding(statement.expression, binding)) return true;
      const each = forEachCallback(statement.expression);
      return each !== null && this.replayableBody(each.body, binding, []);
    }
    if (statement.type === 'ForStatement') {
      const init = statement.init;
      if (init === null || init === undefined || init.type !== 'VariableDeclaration' || init.kind === 'const') return false;
      if (statement.test === null || statement.test === undefined || statement.update === null || statement.update === undefined) return false;
      const counters: Binding[] = [];
      for (const declarator of init.declarations) {
        if (declarator.id.type !== 'Identifier' || declarator.init === null || declarator.init === undefined) return false;
        const counter = declarationOf(declarator.id);
        if (counter === undefined) return false;
        counters.push(counter);
      }
      // The counters change only in the update clause.
      for (const counter of counters) {
        for (const ref of counter.references) {
          const site = mutationSite(ref);
          if (site !== null && !within(site, statement.update)) return false;
        }
      }
      const updates = statement.update.type === 'SequenceExpression' ? statement.update.expressions : [statement.update];
      if (!updates.every((u) => counters.some((c) => this.changesBinding(u, c, true)))) return false;
      return this.replayableBody(statement.body, binding, counters);
    }
    if (statement.type === 'ForOfStatement') {
      if (statement.await || statement.left.type !== 'VariableDeclaration') return false;
      const [declarator] = statement.left.declarations;
      if (statement.left.declarations.length !== 1 || declarator!.id.type !== 'Identifier') return false;
      const item = declarationOf(declarator!.id);
      if (item === undefined || item.assignments.length > 1) return false;
      return this.replayableBody(statement.body, binding, [item]);
    }
    return false;
  }

  /** A loop or callback body of local constants and changes of `binding` only. */
  private replayableBody(body: Node, binding: Binding, readOnly: Binding[]): boolean {
    const statements = body.type === 'BlockStatement' ? body.body : [body];
    if (statements.length === 0 || statements.length > 16) return false;
    for (const statement of statements) {
      if (statement.type === 'VariableDeclaration' && statement.kind !== 'var') {
        for (const declarator of statement.declarations) {
          if (declarator.id.type !== 'Identifier' || !declarator.init) return false;
          const local = declarationOf(declarator.id);
          if (local === undefined || local.assignments.length > 0) return false;
        }
        continue;
      }
      if (statement.type === 'ExpressionStatement' && this.changesBinding(statement.expression, binding)) continue;
      if (body.type !== 'BlockStatement' && this.changesBinding(statement, binding)) continue;
      return false;
    }
    return readOnly.every((b) => b.references.every((ref) => mutationSite(ref) === null || !within(ref, body)));
  }

  /** True when `expression` is `b = x`, `b op= x`, `b++`, `b[k] = x` or `b.push(x)` (and friends). */
  private changesBinding(expression: Node, binding: Binding, plainOnly = false): boolean {
    const target = (node: Node): boolean => {
      const inner = unwrap(node);
      return inner.type === 'Identifier' && referenceOf(inner) === binding;
    };
    switch (expression.type) {
      case 'AssignmentExpression': {
        if (expression.operator === '&&=' || expression.operator === '||=' || expression.operator === '??=') return false;
        if (target(expression.left)) return true;
        const left = expression.left as Node;
        return !plainOnly && left.type === 'MemberExpression' && target(left.object);
      }
      case 'UpdateExpression':
        return target(expression.argument);
      case 'CallExpression': {
        if (plainOnly) return false;
        const callee = expression.callee;
        if (callee.type !== 'MemberExpression' || !target(callee.object)) return false;
        const method = staticPropertyKey(callee.property, callee.computed);
        return method === 'push' || method === 'unshift' || method === 'pop' || method === 'shift' || method === 'reverse';
      }
      default:
        return false;
    }
  }

  /** Replays the accumulation of `binding` and returns its value after the last change. */
  private foldAccumulation(use: Node, binding: Binding, accumulation: Accumulation, state: FoldState): Const {
    if (use.start === null || use.start === undefined || use.start < accumulation.end) throw FAIL;
    const cached = this.replayCache.get(binding);
    if (cached === null || (cached === undefined && this.replaySteps > MAX_FILE_REPLAY_STEPS)) throw FAIL;
    if (cached !== undefined) {
      for (const decoder of cached.decoders) addDecoder(state, decoder);
      return cached.value;
    }
    // Replayed once per binding with its own budget, so that the answer does not depend on the use.
    const replayState: FoldState = { steps: 0, decoders: null, env: null };
    let value: Const;
    try {
      value = this.replayAccumulation(binding, accumulation, replayState);
    } catch (error) {
      if (error instanceof FoldFailure || error instanceof RangeError || error instanceof TypeError) this.replayCache.set(binding, null);
      throw error;
    } finally {
      this.replaySteps += replayState.steps + (replayState.loopSteps ?? 0);
    }
    const decoders = replayState.decoders === null ? [] : [...replayState.decoders];
    this.replayCache.set(binding, { value, decoders });
    for (const decoder of decoders) addDecoder(state, decoder);
    return value;
  }

  private replayAccumulation(binding: Binding, accumulation: Accumulation, state: FoldState): Const {
    const env = new Map<Binding, Const>();
    state.env = env;
    env.set(binding, mutableCopy(this.foldSingle(binding.init!, state)));
    for (let i = accumulation.from + 1; i < accumulation.list.length; i++) {
      const statement = accumulation.list[i]!;
      if (!accumulation.statements.has(statement)) continue;
      this.replay(statement, binding, env, state);
      if (statement.end !== null && statement.end !== undefined && statement.end >= accumulation.end) break;
    }
    const value = env.get(binding);
    if (typeof value === 'string') checkString(value);
    return value as Const;
  }

  private replay(statement: Node, binding: Binding, env: Map<Binding, Const>, state: FoldState): void {
    if (statement.type === 'ExpressionStatement' && this.changesBinding(statement.expression, binding)) {
      this.applyChange(statement.expression, binding, env, state);
      return;
    }
    const counted = (run: (iterate: () => boolean) => void): void => {
      // Each pass gets the ordinary per-fold budget; all passes together are bounded too.
      const saved = state.steps;
      let iterations = 0;
      run(() => {
        state.loopSteps = (state.loopSteps ?? 0) + (state.steps - saved);
        state.steps = saved;
        if (++iterations > MAX_LOOP_ITERATIONS || state.loopSteps > MAX_LOOP_STEPS) throw FAIL;
        return true;
      });
      state.steps = saved + 1;
    };
    const runBody = (body: Node): void => {
      const statements = body.type === 'BlockStatement' ? body.body : [body];
      for (const inner of statements) {
        if (inner.type === 'VariableDeclaration') {
          for (const declarator of inner.declarations) {
            const local = declarationOf(declarator.id as Identifier);
            if (local === undefined) throw FAIL;
            env.set(local, this.foldSingle(declarator.init!, state));
          }
        } else this.applyChange(inner.type === 'ExpressionStatement' ? inner.expression : inner, binding, env, state);
      }
    };
    if (/\^/.test(this.nodeOperators(statement))) addDecoder(state, 'xor');
    if (statement.type === 'ForStatement') {
      const init = statement.init as Node & { declarations: { id: Identifier; init: Node }[] };
      for (const declarator of init.declarations) {
        env.set(declarationOf(declarator.id)!, this.foldSingle(declarator.init, state));
      }
      counted((tick) => {
        while (tick() && truthy(this.foldSingle(statement.test!, state))) {
          runBody(statement.body);
          const updates = statement.update!.type === 'SequenceExpression' ? statement.update!.expressions : [statement.update!];
          for (const update of updates) {
            const counter = [...env.keys()].find((b) => this.changesBinding(update, b, true));
            if (counter === undefined) throw FAIL;
            this.applyChange(update, counter, env, state);
          }
        }
      });
      return;
    }
    let items: Const[];
    let body: Node;
    let params: (Binding | null)[];
    if (statement.type === 'ForOfStatement') {
      items = iterable(this.foldSingle(statement.right, state));
      body = statement.body;
      params = [declarationOf((statement.left as Node & { declarations: { id: Identifier }[] }).declarations[0]!.id) ?? null];
    } else if (statement.type === 'ExpressionStatement') {
      const each = forEachCallback(statement.expression);
      if (each === null) throw FAIL;
      items = iterable(this.foldSingle(each.receiver, state));
      body = each.body;
      params = each.params.map((p) => (p.type === 'Identifier' ? this.paramBinding(p) : null));
    } else throw FAIL;
    if (params.some((p) => p === null)) throw FAIL;
    counted((tick) => {
      items.forEach((item, index) => {
        tick();
        if (params[0]) env.set(params[0], item);
        if (params[1]) env.set(params[1], index);
        runBody(body);
      });
    });
  }

  /** Applies one change (`b += x`, `b.push(x)`, `b[k] = x`, `b++`) to the value of `binding` in `env`. */
  private applyChange(expression: Node, binding: Binding, env: Map<Binding, Const>, state: FoldState): void {
    const current = env.get(binding);
    switch (expression.type) {
      case 'AssignmentExpression': {
        const left = unwrap(expression.left as Node);
        const right = this.foldSingle(expression.right, state);
        const combine = (old: Const): Const => (expression.operator === '=' ? right : binaryOp(expression.operator.slice(0, -1), old, right));
        if (left.type === 'Identifier') {
          env.set(binding, combine(current));
          return;
        }
        if (left.type !== 'MemberExpression') throw FAIL;
        const key = constToString(left.computed ? this.foldSingle(left.property, state) : (left.property as Identifier).name);
        if (Array.isArray(current)) {
          const index = Number(key);
          if (!Number.isInteger(index) || index < 0 || index > current.length || index > MAX_LOOP_ITERATIONS) throw FAIL;
          (current as Const[])[index] = combine((current as Const[])[index]);
          return;
        }
        if (current instanceof ConstObject) {
          if (key === '__proto__') throw FAIL;
          const entries = new Map(current.entries);
          entries.set(key, combine(entries.get(key)));
          env.set(binding, new ConstObject(entries));
          return;
        }
        throw FAIL;
      }
      case 'UpdateExpression': {
        if (unwrap(expression.argument).type !== 'Identifier') throw FAIL;
        const number = Number(toPrimitive(current));
        env.set(binding, expression.operator === '++' ? number + 1 : number - 1);
        return;
      }
      case 'CallExpression': {
        if (!Array.isArray(current)) throw FAIL;
        const callee = expression.callee as Node & { property: Node; computed: boolean };
        const method = staticPropertyKey(callee.property, callee.computed);
        const array = current as Const[];
        const args = expression.arguments.map((arg) => this.foldSingle(arg, state));
        if (method === 'push') {
          if (array.length + args.length > MAX_LOOP_ITERATIONS) throw FAIL;
          array.push(...args);
        } else if (method === 'unshift') {
          if (array.length + args.length > MAX_LOOP_ITERATIONS) throw FAIL;
          array.unshift(...args);
        } else if (method === 'pop') array.pop();
        else if (method === 'shift') array.shift();
        else if (method === 'reverse') {
          addDecoder(state, 'reverse');
          array.reverse();
        } else throw FAIL;
        return;
      }
      default:
        throw FAIL;
    }
  }
}

/** The expression that changes the variable `ref` refers to, or null when `ref` only reads it. */
function mutationSite(ref: Identifier): Node | null {
  let node: Node = ref;
  let parent = parentOf(node);
  while (parent !== null && TRANSPARENT_WRAPPERS.has(parent.type)) {
    node = parent;
    parent = parentOf(node);
  }
  if (parent === null) return null;
  if (parent.type === 'AssignmentExpression' && parent.left === node) return parent;
  if (parent.type === 'UpdateExpression') return parent;
  if ((parent.type === 'MemberExpression' || parent.type === 'OptionalMemberExpression') && parent.object === node) {
    const outer = parentOf(parent);
    if (outer === null) return null;
    if ((outer.type === 'CallExpression' || outer.type === 'OptionalCallExpression') && outer.callee === parent) {
      const method = staticPropertyKey(parent.property, parent.computed);
      return method !== null && MUTATING_METHODS.has(method) ? outer : null;
    }
    if (outer.type === 'AssignmentExpression' && outer.left === parent) return outer;
    if (outer.type === 'UpdateExpression') return outer;
    if (outer.type === 'UnaryExpression' && outer.operator === 'delete') return outer;
  }
  return null;
}

/** True when `node` lies inside `container` (by source range). */
function within(node: Node, container: Node): boolean {
  return node.start != null && container.start != null && node.start >= container.start && node.end! <= container.end!;
}

/** `xs.forEach((x, i) => ...)` as a statement: its receiver, parameters and body. */
function forEachCallback(expression: Node): { receiver: Node; params: Node[]; body: Node } | null {
  if (expression.type !== 'CallExpression' || expression.arguments.length !== 1) return null;
  const callee = expression.callee;
  if (callee.type !== 'MemberExpression' || staticPropertyKey(callee.property, callee.computed) !== 'forEach') return null;
  const fn = expression.arguments[0]!;
  if (fn.type !== 'ArrowFunctionExpression' && fn.type !== 'FunctionExpression') return null;
  if (fn.async || fn.generator || fn.params.length > 2) return null;
  return { receiver: callee.object, params: fn.params, body: fn.body };
}

/** The items a folded value iterates over (`for...of`, `forEach`). */
function iterable(value: Const): Const[] {
  if (typeof value === 'string') return Array.from(value);
  if (Array.isArray(value)) return [...(value as Const[])];
  if (value instanceof ConstBuffer) return Array.from(value.bytes);
  throw FAIL;
}

/** A private copy of an accumulator's start value, so that replayed pushes do not touch shared constants. */
function mutableCopy(value: Const): Const {
  return Array.isArray(value) ? [...(value as Const[])] : value;
}

function singleReturn(block: Node & { body: Node[] }): Node | null {
  if (block.body.length !== 1) return null;
  const statement = block.body[0]!;
  return statement.type === 'ReturnStatement' && statement.argument ? statement.argument : null;
}

/** Canonical host path of an undeclared global name. */
export function globalPath(name: string): string {
  if (GLOBAL_OBJECT_NAMES.has(name)) return 'globalThis';
  return INHERITED_GLOBAL_NAMES.get(name) ?? name;
}

function canonical(path: string): string {
  let current = path;
  // Canonicalise prefixes: 'process.mainModule.require' -> 'module.require' -> 'require'.
  for (let i = 0; i < 4; i++) {
    let changed = false;
    for (const [from, to] of CANONICAL_PATHS) {
      if (current.startsWith(from) && (current.length === from.length || current.charCodeAt(from.length) === 46 /* . */)) {
        current = to + current.slice(from.length);
        changed = true;
        break;
      }
    }
    if (!changed) break;
  }
  if (current.startsWith('module:')) {
    // Interop `default` adds nothing: `require('vm').default.Script` is `vm.Script`.
    if (current.endsWith('.default')) current = current.slice(0, -'.default'.length);
    const inner = current.indexOf('.default.');
    if (inner !== -1) current = current.slice(0, inner) + current.slice(inner + '.default'.length);
  }
  return current;
}

/** The host path reached by reading `key` from a value with host path `value`. */
export function memberPath(value: string, key: string): string {
  if (key === 'constructor') {
    // Some objects' constructors are known capabilities: `module.constructor` is `Module`.
    const known = CANONICAL_PATHS.get(`${value}.constructor`);
    return known ?? constructorOf(value);
  }
  if (value === UNKNOWN) return UNKNOWN;
  if (value === 'globalThis') return globalPath(key);
  if (value.startsWith('descriptor:')) {
    if (key === 'value' || key === 'get' || key === 'set') return value.slice('descriptor:'.length);
    return UNKNOWN;
  }
  if (value.startsWith('<')) {
    if (key === 'call' || key === 'apply' || key === 'bind') {
      return value.includes('function') || value === '<class>' ? `Function.prototype.${key}` : UNKNOWN;
    }
    if (key === '__proto__') return PSEUDO_PROTOTYPES.get(value) ?? UNKNOWN;
    // `arguments.callee` is the running function.
    if (value === '<arguments>' && key === 'callee') return '<function>';
    // Built-in methods of literals are host functions: `[]['filter']` is Array.prototype.filter,
    // so `[]['filter']['constructor']` (JSFuck's route) is Function.
    const prototype = PSEUDO_METHOD_OWNERS.get(value);
    if (prototype !== undefined && prototype.methods.has(key)) return `${prototype.path}.${key}`;
    return UNKNOWN;
  }
  if (value === 'null' || value === 'undefined') return UNKNOWN;
  if (segmentCount(value) >= MAX_PATH_SEGMENTS) return UNKNOWN;
  if (key === '__proto__') {
    const proto = prototypeOf(value);
    if (proto !== UNKNOWN || value.endsWith('.prototype')) return proto;
  }
  return canonical(`${value}.${key}`);
}

/** `value.split('.').length`, without the array. */
function segmentCount(value: string): number {
  let count = 1;
  for (let i = value.indexOf('.'); i !== -1; i = value.indexOf('.', i + 1)) count++;
  return count;
}

function constructorOf(value: string): string {
  if (value === UNKNOWN) return '<constructor>';
  const pseudo = PSEUDO_CONSTRUCTORS.get(value);
  if (pseudo !== undefined) return pseudo;
  if (value.startsWith('<') || value === 'null' || value === 'undefined') return '<constructor>';
  if (value.endsWith('.prototype')) return value.slice(0, -'.prototype'.length);
  if (value === 'globalThis') return 'Object';
  if (OBJECT_PATHS.has(value) || (value.startsWith('module:') && !value.includes('.'))) return '<constructor>';
  if (value.startsWith('descriptor:')) return 'Object';
  // Every other host path read from a known object is taken to be a function.
  return 'Function';
}

function functionKind(node: Node): string {
  const fn = node as { async?: boolean; generator?: boolean };
  if (fn.async && fn.generator) return '<async generator function>';
  if (fn.async) return '<async function>';
  if (fn.generator) return '<generator function>';
  return '<function>';
}

function functionPseudo(ctor: string): string {
  switch (ctor) {
    case 'AsyncFunction':
      return '<async function>';
    case 'GeneratorFunction':
      return '<generator function>';
    case 'AsyncGeneratorFunction':
      return '<async generator function>';
    default:
      return '<function>';
  }
}

// -----------------------------------------------------------------------------------------------
// Operations on folded constants. They apply JavaScript's own semantics to primitive data only.

function checkString(value: string): string {
  if (value.length > MAX_FOLD_STRING) throw FAIL;
  return value;
}

function limit(values: Const[]): Const[] {
  if (values.length > MAX_UNION) throw FAIL;
  return values;
}

function dedupe(values: Const[]): Const[] {
  const seen = new Set<unknown>();
  const out: Const[] = [];
  for (const v of values) {
    const key = typeof v === 'object' && v !== null ? v : `${typeof v}:${String(v)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(v);
  }
  return out;
}

function product(left: Const[], right: Const[], op: (a: Const, b: Const) => Const): Const[] {
  const out: Const[] = [];
  for (const a of left) for (const b of right) out.push(op(a, b));
  return limit(out);
}

/** JavaScript's ToPrimitive for folded values (arrays join, objects become "[object Object]"). */
export function toPrimitive(value: Const): string | number | boolean | null | undefined | bigint {
  if (Array.isArray(value)) return checkString((value as Const[]).map((v) => (v === null || v === undefined ? '' : constToString(v))).join(','));
  // Buffers convert through Buffer.prototype.toString: UTF-8 text (`buf + ''`, `String(buf)`, vm and eval arguments).
  if (value instanceof ConstBuffer) return checkString(value.bytes.toString('utf8'));
  if (value instanceof ConstObject) return '[object Object]';
  if (value instanceof ConstRegExp) return String(value.regexp);
  return value as string | number | boolean | null | undefined | bigint;
}

/** JavaScript's ToString for folded values. */
export function constToString(value: Const): string {
  const primitive = toPrimitive(value);
  return typeof primitive === 'string' ? primitive : String(primitive);
}

function binaryOp(operator: string, a: Const, b: Const): Const {
  const x = toPrimitive(a) as never;
  const y = toPrimitive(b) as never;
  switch (operator) {
    case '+': {
      const r = (x as number) + (y as number);
      return typeof r === 'string' ? checkString(r) : r;
    }
    case '-':
      return (x as number) - (y as number);
    case '*':
      return (x as number) * (y as number);
    case '/':
      return (x as number) / (y as number);
    case '%':
      return (x as number) % (y as number);
    case '**':
      return (x as number) ** (y as number);
    case '^':
      return (x as number) ^ (y as number);
    case '|':
      return (x as number) | (y as number);
    case '&':
      return (x as number) & (y as number);
    case '<<':
      return (x as number) << (y as number);
    case '>>':
      return (x as number) >> (y as number);
    case '>>>':
      return (x as number) >>> (y as number);
    case '==':
      // eslint-disable-next-line eqeqeq
      return x == y;
    case '!=':
      // eslint-disable-next-line eqeqeq
      return x != y;
    case '===':
      return x === y;
    case '!==':
      return x !== y;
    case '<':
      return x < y;
    case '>':
      return x > y;
    case '<=':
      return x <= y;
    case '>=':
      return x >= y;
    default:
      throw FAIL;
  }
}

/** JavaScript truthiness: objects (arrays, buffers, object literals, regexps) are always truthy. */
function truthy(value: Const): boolean {
  if (typeof value === 'object' && value !== null) return true;
  return Boolean(value);
}

function unaryOp(operator: string, value: Const): Const {
  if (operator === '!') return !truthy(value);
  const x = toPrimitive(value) as never;
  switch (operator) {
    case '-':
      return -(x as number);
    case '+':
      return +(x as number);
    case '~':
      return ~(x as number);
    case 'void':
      return undefined;
    default:
      throw FAIL;
  }
}

function memberOfConst(object: Const, key: string): Const {
  if (typeof object === 'string') {
    if (key === 'length') return object.length;
    const index = Number(key);
    if (Number.isInteger(index)) return object[index];
    throw FAIL;
  }
  if (Array.isArray(object)) {
    if (key === 'length') return object.length;
    const index = Number(key);
    if (Number.isInteger(index)) return (object as Const[])[index];
    throw FAIL;
  }
  if (object instanceof ConstBuffer) {
    if (key === 'length') return object.bytes.length;
    const index = Number(key);
    if (Number.isInteger(index)) return object.bytes[index];
    throw FAIL;
  }
  if (object instanceof ConstObject) {
    if (object.entries.has(key)) return object.entries.get(key)!;
    throw FAIL;
  }
  throw FAIL;
}

function jsonToConst(value: unknown): Const {
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.map(jsonToConst);
  if (typeof value === 'object') {
    const entries = new Map<string, Const>();
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) entries.set(k, jsonToConst(v));
    return new ConstObject(entries);
  }
  throw FAIL;
}

const STRING_METHODS = new Set([
  'split',
  'slice',
  'substring',
  'substr',
  'concat',
  'replace',
  'replaceAll',
  'toLowerCase',
  'toUpperCase',
  'toLocaleLowerCase',
  'toLocaleUpperCase',
  'trim',
  'trimStart',
  'trimEnd',
  'charAt',
  'charCodeAt',
  'codePointAt',
  'at',
  'repeat',
  'padStart',
  'padEnd',
  'indexOf',
  'lastIndexOf',
  'includes',
  'startsWith',
  'endsWith',
  'normalize',
  'toString',
  'valueOf',
]);

const ARRAY_METHODS = new Set(['join', 'reverse', 'concat', 'slice', 'at', 'indexOf', 'includes', 'toString', 'flat', 'toReversed']);

function callMethod(receiver: Const, method: string, args: Const[], state: FoldState): Const {
  if (typeof receiver === 'number' && method === 'toString') {
    const radix = args[0] === undefined ? 10 : Number(toPrimitive(args[0]));
    return receiver.toString(radix);
  }
  if (typeof receiver === 'string') {
    if (!STRING_METHODS.has(method)) throw FAIL;
    if (method === 'repeat' && Number(args[0]) * receiver.length > MAX_FOLD_STRING) throw FAIL;
    if (method === 'padStart' || method === 'padEnd') {
      if (Number(args[0]) > MAX_FOLD_STRING) throw FAIL;
    }
    if (method === 'split') state.steps += Math.ceil(receiver.length / 64);
    if (args.some((a) => a instanceof ConstRegExp) && receiver.length > MAX_REGEXP_SUBJECT) throw FAIL;
    const primitiveArgs = args.map((a) => (Array.isArray(a) ? a : a instanceof ConstRegExp ? new RegExp(a.regexp.source, a.regexp.flags) : toPrimitive(a)));
    const result = (String.prototype as unknown as Record<string, (...a: unknown[]) => unknown>)[method]!.apply(receiver, primitiveArgs);
    if (typeof result === 'string') return checkString(result);
    if (Array.isArray(result)) return result as Const[];
    return result as Const;
  }
  if (Array.isArray(receiver)) {
    if (!ARRAY_METHODS.has(method)) throw FAIL;
    if (method === 'reverse' || method === 'toReversed') {
      addDecoder(state, 'reverse');
      return [...(receiver as Const[])].reverse();
    }
    if (method === 'join') {
      const separator = args[0] === undefined ? ',' : constToString(args[0]);
      return checkString((receiver as Const[]).map((v) => (v === null || v === undefined ? '' : constToString(v))).join(separator));
    }
    if (method === 'toString') return constToString(receiver);
    if (method === 'concat') {
      const out: Const[] = [...(receiver as Const[])];
      for (const a of args) {
        if (Array.isArray(a)) out.push(...(a as Const[]));
        else out.push(a);
      }
      return out;
    }
    if (method === 'flat') return (receiver as Const[]).flat() as Const[];
    const result = (Array.prototype as unknown as Record<string, (...a: unknown[]) => unknown>)[method]!.apply(receiver, args);
    return result as Const;
  }
  if (receiver instanceof ConstBuffer) {
    if (method === 'toString') {
      const encoding = args[0] === undefined ? 'utf8' : constToString(args[0]);
      if (!Buffer.isEncoding(encoding)) throw FAIL;
      return checkString(receiver.bytes.toString(encoding));
    }
    if (method === 'reverse') {
      addDecoder(state, 'reverse');
      return new ConstBuffer(Buffer.from(receiver.bytes).reverse());
    }
    throw FAIL;
  }
  throw FAIL;
}

export type { Expression };
