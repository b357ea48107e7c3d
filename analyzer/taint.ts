// Intra-file taint: does data from a source (environment, OS identity, credential files, cookies,
// key events...) reach a given expression? The analysis is demand-driven and runs backwards from
// the expressions a rule asks about (the data arguments of network sinks), so a file without sinks
// costs nothing. It is flow-insensitive and mostly field-insensitive, as the catalog proposes:
//
//   - bindings take the taint of their initialiser, every later assignment, compound assignments
//     (`buf += e.key`), destructuring defaults, the right side of `for...of/in`, and mutations made
//     through them (`o.x = t`, `a.push(t)`, `Object.assign(o, t)`);
//   - reading a member of a literal object bound to a const looks only at that property (so the
//     `url` of a config object does not inherit the taint of its `token`); other reads take the
//     whole object's taint;
//   - string operations, templates, JSON, base64/hex encoders, object and array literals, spreads
//     and unknown calls pass taint from receiver and arguments to the result;
//   - a call of a function defined in the file takes the taint of its return values; a parameter
//     takes the taint of the arguments at every call site in the file, and a callback parameter
//     that of the receiver it is called on (`arr.forEach(x => ...)`, `p.then(v => ...)`).
//
// What is a source (or a barrier that stops propagation) is decided by a TaintSpec, so the same
// machinery serves several rules; one engine per file and spec is cached. Every query is bounded
// by a step budget and a recursion depth; past a bound the answer is "clean", never an exception.
import type { Node, Identifier } from '@babel/types';
import type { RuleContext } from './rule-api.js';
import type { Binding } from './scope.js';
import { collectIds, FUNCTION_TYPES } from './scope.js';
import { unwrap } from './evaluate.js';
import { walk, parentOf, parentKeyOf } from './walk.js';
import { fileCache } from './file-cache.js';

/** Where tainted data came from: the node that produced it and a short description. */
export interface TaintOrigin {
  readonly node: Node;
  readonly label: string;
  readonly mask: number;
}

/** A set of source kinds (bit mask, defined by the spec) and a few of their origins. */
export interface Taint {
  readonly mask: number;
  readonly origins: readonly TaintOrigin[];
}

/** No taint. Returned by a spec's `classify` it is a barrier: the expression yields clean data. */
export const CLEAN: Taint = Object.freeze({ mask: 0, origins: Object.freeze([]) as readonly TaintOrigin[] });

/** Builds the taint of one source. */
export function sourceTaint(mask: number, node: Node, label: string): Taint {
  return { mask, origins: [{ node, label, mask }] };
}

/** Decides what is a source and what stops propagation. */
export interface TaintSpec {
  /**
   * The taint an (unwrapped) expression introduces: a source's taint, `CLEAN` for a barrier
   * (a hash, a boolean test, a read of an environment variable that is not a secret), or null to
   * let the engine propagate generically. Called often: keep it cheap.
   */
  classify(node: Node, ctx: RuleContext): Taint | null;
  /**
   * Extra taint received by parameter `paramIndex` of a function used as a callback: passed as
   * argument `argIndex` of `site` (a call), or assigned by `site` (an assignment, argIndex -1),
   * e.g. the event of a key listener or the data of `fs.readFile(secretPath, cb)`.
   */
  callbackParam?(site: Node, argIndex: number, paramIndex: number, ctx: RuleContext): Taint | null;
  /**
   * Adjusts the taint of a value stored under a known key: in an object literal (`container` is
   * the ObjectExpression) or by an assignment through a variable (`container` is its identifier).
   * Lets a spec treat `headers.authorization = token` as credential use rather than data.
   */
  property?(key: string, container: Node, taint: Taint, ctx: RuleContext): Taint;
}

const MAX_ORIGINS = 6;
const MAX_STEPS = 200_000;
const MAX_DEPTH = 300;

/** Union of two taints (origins deduplicated and capped). */
export function mergeTaint(a: Taint, b: Taint): Taint {
  if (b.mask === 0 && b.origins.length === 0) return a;
  if (a.mask === 0 && a.origins.length === 0) return b;
  if (a === b) return a;
  const origins = a.origins.slice();
  for (const origin of b.origins) {
    if (origins.length >= MAX_ORIGINS) break;
    if (!origins.some((o) => o.node === origin.node && o.label === origin.label)) origins.push(origin);
  }
  return { mask: a.mask | b.mask, origins };
}

/** Operators whose result carries no data of their operands (booleans). */
const BOOLEAN_OPERATORS: ReadonlySet<string> = new Set(['==', '!=', '===', '!==', '<', '>', '<=', '>=', 'in', 'instanceof']);

/** Methods whose results are booleans, indexes or digests: no data passes through them. */
const OPAQUE_METHODS: ReadonlySet<string> = new Set([
  'test',
  'includes',
  'startsWith',
  'endsWith',
  'indexOf',
  'lastIndexOf',
  'findIndex',
  'has',
  'hasOwnProperty',
  'some',
  'every',
  'localeCompare',
  'digest',
  'isArray',
  'isInteger',
]);

/** Methods that put their arguments into the receiver. */
const MUTATING_METHODS: ReadonlySet<string> = new Set(['push', 'unshift', 'splice', 'set', 'append', 'add', 'fill']);


/** True for every kind of function node. */
export function isFunction(node: Node | null | undefined): boolean {
  return node != null && FUNCTION_TYPES.has(node.type);
}

/** The Program node above `node`. */
export function programOf(node: Node): Node {
  let current = node;
  for (let p = parentOf(current); p !== null; p = parentOf(current)) current = p;
  return current;
}

function isCall(node: Node | null): node is Node & { callee: Node; arguments: Node[] } {
  return node !== null && (node.type === 'CallExpression' || node.type === 'OptionalCallExpression');
}

function isMember(node: Node | null): node is Node & { object: Node; property: Node; computed: boolean } {
  return node !== null && (node.type === 'MemberExpression' || node.type === 'OptionalMemberExpression');
}

/** The name of a member's property when it is written plainly or as a string literal. */
export function staticMemberName(node: Node): string | null {
  if (!isMember(node)) return null;
  const property = node.property;
  if (!node.computed && property.type === 'Identifier') return property.name;
  if (property.type === 'StringLiteral') return property.value;
  return null;
}

/** The parent of `node` above parentheses and TypeScript wrappers, with the key it hangs under. */
export function logicalParent(node: Node): { parent: Node | null; key: string | null; child: Node } {
  let child = node;
  let parent = parentOf(child);
  while (parent !== null && unwrap(parent) !== parent) {
    child = parent;
    parent = parentOf(child);
  }
  return { parent, key: parentKeyOf(child), child };
}

// -------------------------------------------------------------------------------------------------
// Def-use helpers (reusable by rules)

/** The function a parameter binding belongs to and its position, or null. */
export function parameterOf(binding: Binding): { fn: Node & { params: Node[] }; index: number; rest: boolean } | null {
  if (binding.kind !== 'param' || binding.id === null) return null;
  const fn = binding.declaration as Node & { params?: Node[] };
  if (!fn.params) return null;
  for (let i = 0; i < fn.params.length; i++) {
    const param = fn.params[i]!;
    if (collectIds(param).includes(binding.id)) return { fn: fn as Node & { params: Node[] }, index: i, rest: param.type === 'RestElement' };
  }
  return null;
}

/** The binding that names a function: its declaration's id, or the variable it initialises. */
export function functionNameBinding(ctx: RuleContext, fn: Node): Binding | null {
  const id = (fn as { id?: Identifier | null }).id;
  if (fn.type === 'FunctionDeclaration' && id) return ctx.resolve(id) ?? null;
  const { parent, key } = logicalParent(fn);
  if (parent === null) return null;
  if (parent.type === 'VariableDeclarator' && key === 'init' && parent.id.type === 'Identifier') return ctx.resolve(parent.id) ?? null;
  if (parent.type === 'AssignmentExpression' && key === 'right' && parent.left.type === 'Identifier') return ctx.resolve(parent.left) ?? null;
  return null;
}

/** A call site of a function defined in the file, with the arguments as the function sees them. */
export interface CallSite {
  call: Node;
  args: readonly Node[];
}

const callSiteCache = fileCache<Node, CallSite[]>();

/** Direct calls of a function defined in the file (through its name, `.call` and `.apply`). */
export function callSitesOf(ctx: RuleContext, fn: Node): readonly CallSite[] {
  const cached = callSiteCache.get(fn);
  if (cached !== undefined) return cached;
  const sites: CallSite[] = [];
  callSiteCache.set(fn, sites);
  const binding = functionNameBinding(ctx, fn);
  if (binding === null) {
    methodCallSites(ctx, fn, sites);
    return sites;
  }
  for (const reference of binding.references) {
    if (sites.length >= MAX_CALL_SITES) break;
    const { parent, key, child } = logicalParent(reference);
    if (parent === null) continue;
    if (isCall(parent) && key === 'callee') {
      sites.push({ call: parent, args: parent.arguments });
      continue;
    }
    if (parent.type === 'NewExpression' && key === 'callee') {
      sites.push({ call: parent, args: parent.arguments as Node[] });
      continue;
    }
    if (isMember(parent) && key === 'object' && parent.object === child) {
      const method = staticMemberName(parent);
      const outer = logicalParent(parent);
      if (!isCall(outer.parent) || outer.key !== 'callee') continue;
      const args = outer.parent.arguments;
      if (method === 'call') sites.push({ call: outer.parent, args: args.slice(1) });
      else if (method === 'apply') {
        const list = args[1] ? unwrap(args[1]) : null;
        if (list !== null && list.type === 'ArrayExpression') sites.push({ call: outer.parent, args: list.elements.filter((e): e is NonNullable<typeof e> => e !== null) as Node[] });
      }
    }
  }
  return sites;
}

/** Most call sites followed per function. */
const MAX_CALL_SITES = 64;

/**
 * Calls of a method defined in the file: `o.m(x)` for a method of the literal object a binding `o`
 * holds, `new C().m(x)`, `c.m(x)` with `const c = new C()` and `this.m(x)` inside C for a method of
 * a local class C, `C.m(x)` for a static one. (A method has no name binding of its own, so its
 * parameters would otherwise take nothing from its callers: `send(d) { fetch(u, { body: d }) }`.)
 */
function methodCallSites(ctx: RuleContext, fn: Node, sites: CallSite[]): void {
  let member: Node = fn;
  const { parent, key } = logicalParent(fn);
  if (parent !== null && parent.type === 'ObjectProperty' && key === 'value') member = parent;
  else if (fn.type !== 'ObjectMethod' && fn.type !== 'ClassMethod') return;
  if ((member as { computed?: boolean }).computed === true || (member.type === 'ClassMethod' && (member as Node & { kind: string }).kind !== 'method')) return;
  const memberKey = (member as Node & { key: Node }).key;
  const name =
    member.type !== 'ClassMethod' ? propertyName(ctx, member) : memberKey.type === 'Identifier' ? memberKey.name : memberKey.type === 'StringLiteral' ? memberKey.value : null;
  const holder = parentOf(member);
  if (name === null || holder === null) return;
  const receivers: Node[] = [];
  /** References of the binding an expression initialises (`const o = <expr>`), when nothing reassigns it. */
  const holdersOf = (expression: Node): readonly Node[] => {
    const { parent: declarator, key: slot } = logicalParent(expression);
    if (declarator === null || declarator.type !== 'VariableDeclarator' || slot !== 'init' || declarator.id.type !== 'Identifier') return [];
    const binding = ctx.resolve(declarator.id);
    return binding && binding.assignments.length === 0 ? binding.references : [];
  };
  if (holder.type === 'ObjectExpression') receivers.push(...holdersOf(holder));
  else if (holder.type === 'ClassBody') {
    const cls = parentOf(holder);
    if (cls === null) return;
    const id = (cls as { id?: Identifier | null }).id;
    const classBinding = cls.type === 'ClassDeclaration' && id ? ctx.resolve(id) : null;
    const classRefs = classBinding ? classBinding.references : cls.type === 'ClassExpression' ? holdersOf(cls) : [];
    if ((member as { static?: boolean }).static === true) receivers.push(...classRefs);
    else {
      for (const ref of classRefs) {
        const created = logicalParent(ref);
        if (created.parent === null || created.parent.type !== 'NewExpression' || created.key !== 'callee') continue;
        receivers.push(created.parent, ...holdersOf(created.parent));
      }
      for (const site of thisCallsOf(holder).get(name) ?? []) {
        if (sites.length >= MAX_CALL_SITES) return;
        sites.push(site);
      }
    }
  }
  for (const receiver of receivers) {
    if (sites.length >= MAX_CALL_SITES) return;
    const read = logicalParent(receiver);
    if (read.parent === null || !isMember(read.parent) || read.key !== 'object' || staticMemberName(read.parent) !== name) continue;
    const call = logicalParent(read.parent);
    if (isCall(call.parent) && call.key === 'callee') sites.push({ call: call.parent, args: call.parent.arguments });
  }
}

const thisCallCache = fileCache<Node, Map<string, CallSite[]>>();

/**
 * `this.m(x)` calls in a class's own methods (not in nested plain functions or classes, whose
 * `this` differs), by method name: one walk of the class body, shared by all its methods.
 */
function thisCallsOf(classBody: Node): ReadonlyMap<string, CallSite[]> {
  let calls = thisCallCache.get(classBody);
  if (calls !== undefined) return calls;
  const found = new Map<string, CallSite[]>();
  calls = found;
  thisCallCache.set(classBody, found);
  walk(classBody, {
    enter(node) {
      if (node.type === 'FunctionDeclaration' || node.type === 'FunctionExpression' || node.type === 'ObjectMethod' || (node.type === 'ClassBody' && node !== classBody)) return false;
      if (!isCall(node)) return;
      const callee = unwrap(node.callee);
      if (!isMember(callee) || unwrap(callee.object).type !== 'ThisExpression') return;
      const name = staticMemberName(callee);
      if (name === null) return;
      let list = found.get(name);
      if (list === undefined) found.set(name, (list = []));
      if (list.length < MAX_CALL_SITES) list.push({ call: node, args: node.arguments });
    },
  });
  return found;
}

/**
 * The function a callee expression denotes when it is defined in this file: through const
 * bindings, methods of literal objects (`o.get()`), methods of local classes called on an instance
 * (`new C().m()`, `const c = new C(); c.m()`) or on `this` inside the class.
 */
export function localFunction(ctx: RuleContext, callee: Node): Node | null {
  let current = unwrap(callee);
  if (isMember(current)) return localMethod(ctx, current);
  for (let hops = 0; hops < 6; hops++) {
    if (isFunction(current)) return current;
    if (current.type !== 'Identifier') return null;
    const binding = ctx.resolve(current);
    if (!binding) return null;
    if (binding.kind === 'function') return binding.declaration;
    if ((binding.kind !== 'const' && binding.kind !== 'let' && binding.kind !== 'var') || binding.init === null) return null;
    if (binding.path.length > 0 || binding.assignments.length > 0) return null;
    current = unwrap(binding.init);
  }
  return null;
}

function localMethod(ctx: RuleContext, member: Node & { object: Node }): Node | null {
  const name = staticMemberName(member);
  if (name === null) return null;
  const literal = literalObject(ctx, member.object);
  if (literal !== null) {
    for (const property of literal.properties) {
      if (propertyName(ctx, property) !== name) continue;
      if (property.type === 'ObjectMethod') return property;
      const value = unwrap((property as Node & { value: Node }).value);
      return isFunction(value) ? value : null;
    }
    return null;
  }
  const cls = localClassOf(ctx, member.object);
  if (cls === null) return null;
  const body = (cls as Node & { body: { body: Node[] } }).body.body;
  for (const element of body) {
    if (element.type !== 'ClassMethod' || (element as Node & { kind: string }).kind !== 'method') continue;
    const key = (element as Node & { key: Node; computed: boolean }).key;
    if (!(element as Node & { computed: boolean }).computed && key.type === 'Identifier' && key.name === name) return element;
  }
  return null;
}

/** The local class an expression is an instance of: `new C()`, a const holding one, or `this` in C. */
function localClassOf(ctx: RuleContext, node: Node): Node | null {
  let current = unwrap(node);
  for (let hops = 0; hops < 4; hops++) {
    if (current.type === 'ThisExpression') {
      for (let p = parentOf(current); p !== null; p = parentOf(p)) {
        if (p.type === 'ClassBody') return parentOf(p);
        if (p.type === 'FunctionDeclaration' || p.type === 'FunctionExpression') return null;
      }
      return null;
    }
    if (current.type === 'NewExpression') {
      const ctor = unwrap(current.callee as Node);
      if (ctor.type === 'ClassExpression') return ctor;
      if (ctor.type !== 'Identifier') return null;
      const binding = ctx.resolve(ctor);
      if (!binding) return null;
      if (binding.kind === 'class') return binding.declaration;
      if (binding.init !== null && unwrap(binding.init).type === 'ClassExpression' && binding.assignments.length === 0) return unwrap(binding.init);
      return null;
    }
    if (current.type !== 'Identifier') return null;
    const binding = ctx.resolve(current);
    if (!binding || binding.init === null || binding.path.length > 0 || binding.assignments.length > 0) return null;
    current = unwrap(binding.init);
  }
  return null;
}

const returnCache = fileCache<Node, Node[]>();

/** The expressions a function returns (an arrow's expression body, or its `return` arguments). */
export function returnedExpressions(fn: Node): readonly Node[] {
  const cached = returnCache.get(fn);
  if (cached !== undefined) return cached;
  const out: Node[] = [];
  returnCache.set(fn, out);
  const body = (fn as { body?: Node }).body;
  if (!body) return out;
  if (body.type !== 'BlockStatement') {
    out.push(body);
    return out;
  }
  walk(body, {
    enter(node) {
      if (isFunction(node)) return false;
      if (node.type === 'ReturnStatement' && node.argument) out.push(node.argument);
      return undefined;
    },
  });
  return out;
}

/** For `const x = { ... }` (never reassigned): the object literal. */
export function literalObject(ctx: RuleContext, node: Node): (Node & { properties: Node[] }) | null {
  let current = unwrap(node);
  for (let hops = 0; hops < 6; hops++) {
    if (current.type === 'ObjectExpression') return current as Node & { properties: Node[] };
    if (current.type !== 'Identifier') return null;
    const binding = ctx.resolve(current);
    if (!binding || binding.init === null || binding.path.length > 0 || binding.assignments.length > 0) return null;
    if (binding.kind !== 'const' && binding.kind !== 'let' && binding.kind !== 'var') return null;
    current = unwrap(binding.init);
  }
  return null;
}

/** The static key of an object literal property, or null for computed/unknown keys. */
export function propertyName(ctx: RuleContext, property: Node): string | null {
  if (property.type !== 'ObjectProperty' && property.type !== 'ObjectMethod') return null;
  const p = property as Node & { key: Node; computed: boolean };
  if (!p.computed) {
    if (p.key.type === 'Identifier') return p.key.name;
    if (p.key.type === 'StringLiteral') return p.key.value;
    if (p.key.type === 'NumericLiteral') return String(p.key.value);
    return null;
  }
  const folded = ctx.foldStrings(p.key);
  return folded !== null && folded.length === 1 ? folded[0]! : null;
}

// -------------------------------------------------------------------------------------------------
// The engine

const engines = fileCache<Node, Map<TaintSpec, TaintEngine>>();

/** The taint engine of a file (identified by its Program node) for a spec; created once per file. */
export function taintEngine(ctx: RuleContext, program: Node, spec: TaintSpec): TaintEngine {
  let bySpec = engines.get(program);
  if (bySpec === undefined) engines.set(program, (bySpec = new Map()));
  let engine = bySpec.get(spec);
  if (engine === undefined) bySpec.set(spec, (engine = new TaintEngine(ctx, spec)));
  return engine;
}

/** Answers "which sources reach this expression?" for one file. */
export class TaintEngine {
  private readonly nodeCache = new Map<Node, Taint>();
  private readonly bindingCache = new Map<Binding, Taint>();
  private readonly returnTaintCache = new Map<Node, Taint>();
  private readonly active = new Set<unknown>();
  private steps = 0;
  private depth = 0;
  /** True once a query ran out of budget (answers after that may miss flows). */
  exhausted = false;

  constructor(
    private readonly ctx: RuleContext,
    private readonly spec: TaintSpec,
  ) {}

  /** The sources whose data may reach `node`. */
  of(node: Node): Taint {
    const inner = unwrap(node);
    const cached = this.nodeCache.get(inner);
    if (cached !== undefined) return cached;
    if (this.active.has(inner)) return CLEAN;
    if (++this.steps > MAX_STEPS || this.depth > MAX_DEPTH) {
      this.exhausted = true;
      return CLEAN;
    }
    this.active.add(inner);
    this.depth++;
    let result: Taint;
    try {
      result = this.compute(inner);
    } finally {
      this.depth--;
      this.active.delete(inner);
    }
    this.nodeCache.set(inner, result);
    return result;
  }

  /** The sources whose data may reach a variable. */
  ofBinding(binding: Binding): Taint {
    const cached = this.bindingCache.get(binding);
    if (cached !== undefined) return cached;
    if (this.active.has(binding)) return CLEAN;
    this.active.add(binding);
    this.depth++;
    let result: Taint = CLEAN;
    try {
      result = this.computeBinding(binding);
    } finally {
      this.depth--;
      this.active.delete(binding);
    }
    this.bindingCache.set(binding, result);
    return result;
  }

  /** The sources whose data a function defined in this file may return. */
  ofReturns(fn: Node): Taint {
    const cached = this.returnTaintCache.get(fn);
    if (cached !== undefined) return cached;
    if (this.active.has(fn)) return CLEAN;
    this.active.add(fn);
    let result: Taint = CLEAN;
    try {
      for (const expression of returnedExpressions(fn)) result = mergeTaint(result, this.of(expression));
    } finally {
      this.active.delete(fn);
    }
    this.returnTaintCache.set(fn, result);
    return result;
  }

  private all(nodes: readonly (Node | null | undefined)[]): Taint {
    let result = CLEAN;
    for (const node of nodes) if (node) result = mergeTaint(result, this.of(node));
    return result;
  }

  private compute(node: Node): Taint {
    const classified = this.spec.classify(node, this.ctx);
    if (classified !== null) return classified;
    switch (node.type) {
      case 'Identifier': {
        const binding = this.ctx.resolve(node);
        return binding ? this.ofBinding(binding) : CLEAN;
      }
      case 'MemberExpression':
      case 'OptionalMemberExpression':
        return this.member(node);
      case 'CallExpression':
      case 'OptionalCallExpression':
        return this.call(node);
      case 'NewExpression': {
        let result = this.all((node.arguments as Node[]).filter((a) => !isFunction(unwrap(a))));
        // new Promise((resolve) => resolve(t)): the promise carries what is resolved.
        const executor = node.arguments[0] ? unwrap(node.arguments[0] as Node) : null;
        if (executor !== null && isFunction(executor)) result = mergeTaint(result, this.resolvedBy(executor));
        return result;
      }
      case 'TemplateLiteral':
        return this.all(node.expressions as Node[]);
      case 'TaggedTemplateExpression':
        return this.all(node.quasi.expressions as Node[]);
      case 'BinaryExpression':
        if (BOOLEAN_OPERATORS.has(node.operator)) return CLEAN;
        return mergeTaint(node.left.type === 'PrivateName' ? CLEAN : this.of(node.left), this.of(node.right));
      case 'LogicalExpression':
        return mergeTaint(this.of(node.left), this.of(node.right));
      case 'ConditionalExpression':
        return mergeTaint(this.of(node.consequent), this.of(node.alternate));
      case 'UnaryExpression':
        return node.operator === '-' || node.operator === '+' || node.operator === '~' ? this.of(node.argument) : CLEAN;
      case 'AssignmentExpression':
        return this.of(node.right);
      case 'SequenceExpression':
        return this.of(node.expressions[node.expressions.length - 1]!);
      case 'AwaitExpression':
      case 'YieldExpression':
      case 'SpreadElement':
        return node.argument ? this.of(node.argument) : CLEAN;
      case 'ObjectExpression': {
        let result = CLEAN;
        for (const property of node.properties) {
          if (property.type === 'SpreadElement') result = mergeTaint(result, this.of(property.argument));
          else if (property.type === 'ObjectProperty') {
            result = mergeTaint(result, this.keyed(property, node, this.of(property.value as Node)));
            if (property.computed) result = mergeTaint(result, this.of(property.key));
          }
        }
        return result;
      }
      case 'ArrayExpression':
        return this.all(node.elements as Node[]);
      default:
        return CLEAN;
    }
  }

  /** Taint of the values an executor passes to its first parameter (`resolve(t)`). */
  private resolvedBy(executor: Node): Taint {
    const first = (executor as Node & { params: Node[] }).params[0];
    if (first === undefined || first.type !== 'Identifier') return CLEAN;
    const binding = this.ctx.resolve(first);
    if (!binding) return CLEAN;
    let result = CLEAN;
    for (const reference of binding.references) {
      const { parent, key } = logicalParent(reference);
      if (isCall(parent) && key === 'callee') result = mergeTaint(result, this.all(parent.arguments));
    }
    return result;
  }

  private member(node: Node & { object: Node; property: Node; computed: boolean }): Taint {
    const keys = this.ctx.memberKeys(node);
    if (keys !== null && keys.length === 1 && keys[0] === 'length') return CLEAN;
    // Field-sensitive read of a literal object: `config.url` does not carry `config.token`.
    if (keys !== null && keys.length === 1) {
      const literal = literalObject(this.ctx, node.object);
      if (literal !== null) return this.literalField(literal, keys[0]!, node.object);
    }
    return this.of(node.object);
  }

  private literalField(literal: Node & { properties: Node[] }, key: string, objectNode: Node): Taint {
    let result = CLEAN;
    for (const property of literal.properties) {
      if (property.type === 'SpreadElement') {
        result = mergeTaint(result, this.of((property as Node & { argument: Node }).argument));
        continue;
      }
      if (property.type !== 'ObjectProperty') continue;
      const name = propertyName(this.ctx, property);
      if (name === null || name === key) result = mergeTaint(result, this.keyed(property, literal, this.of((property as Node & { value: Node }).value)));
    }
    // Later writes to the same key (or to unknown keys) through the variable.
    const id = unwrap(objectNode);
    if (id.type === 'Identifier') {
      const binding = this.ctx.resolve(id);
      if (binding) {
        for (const reference of binding.references) result = mergeTaint(result, this.mutation(reference, key));
      }
    }
    return result;
  }

  /** The taint of a literal property's value after the spec's per-key adjustment. */
  private keyed(property: Node, container: Node, taint: Taint): Taint {
    if (taint.mask === 0 || !this.spec.property) return taint;
    const name = propertyName(this.ctx, property);
    return name === null ? taint : this.spec.property(name, container, taint, this.ctx);
  }

  private call(node: Node & { callee: Node; arguments: Node[] }): Taint {
    const callee = unwrap(node.callee);
    const fn = localFunction(this.ctx, callee);
    if (fn !== null) return this.ofReturns(fn);
    let result = CLEAN;
    if (isMember(callee)) {
      const method = staticMemberName(callee);
      if (method !== null && OPAQUE_METHODS.has(method)) return CLEAN;
      result = this.of(callee.object);
    }
    for (const arg of node.arguments) {
      const inner = unwrap(arg);
      // A callback's results become part of the call's result: `keys.map((k) => env[k])`.
      if (isFunction(inner)) result = mergeTaint(result, this.ofReturns(inner));
      else result = mergeTaint(result, this.of(arg));
    }
    return result;
  }

  private computeBinding(binding: Binding): Taint {
    let result = CLEAN;
    switch (binding.kind) {
      case 'param':
        result = this.parameter(binding);
        break;
      case 'var':
      case 'let':
      case 'const':
      case 'using': {
        if (binding.init !== null) result = this.of(binding.init);
        for (const fallback of binding.defaults) result = mergeTaint(result, this.of(fallback));
        for (const assigned of binding.assignments) if (assigned !== null) result = mergeTaint(result, this.of(assigned));
        // `for (const x of xs)`: x takes the taint of xs.
        const declaration = parentOf(binding.declaration);
        const loop = declaration === null ? null : parentOf(declaration);
        if (loop !== null && (loop.type === 'ForOfStatement' || loop.type === 'ForInStatement') && parentKeyOf(declaration!) === 'left') {
          result = mergeTaint(result, this.of(loop.right));
        }
        break;
      }
      default:
        return CLEAN;
    }
    for (const reference of binding.references) result = mergeTaint(result, this.mutation(reference, null));
    return result;
  }

  /** Taint a variable receives through one of its references: `x += t`, `x.k = t`, `x.push(t)`... */
  private mutation(reference: Identifier, onlyKey: string | null): Taint {
    const { parent, key, child } = logicalParent(reference);
    if (parent === null) return CLEAN;
    if (parent.type === 'AssignmentExpression' && key === 'left') {
      return parent.operator !== '=' && onlyKey === null ? this.of(parent.right) : CLEAN;
    }
    if ((parent.type === 'ForOfStatement' || parent.type === 'ForInStatement') && key === 'left') {
      return onlyKey === null ? this.of(parent.right) : CLEAN;
    }
    if (isCall(parent) && key === 'arguments' && parent.arguments[0] === child) {
      // Object.assign(x, t)
      const callee = unwrap(parent.callee);
      if (isMember(callee) && staticMemberName(callee) === 'assign' && this.ctx.values(callee).has('Object.assign')) {
        return this.all(parent.arguments.slice(1));
      }
      return CLEAN;
    }
    if (!isMember(parent) || key !== 'object') return CLEAN;
    // A write under another key of a literal object does not reach the field asked about.
    const firstKey = staticMemberName(parent);
    if (onlyKey !== null && firstKey !== null && firstKey !== onlyKey) return CLEAN;
    // Climb a member chain rooted at the reference: x.a.b = t, x.list.push(t), x.push(t).
    let top: Node = parent;
    let up = logicalParent(top);
    while (isMember(up.parent) && up.key === 'object') {
      top = up.parent;
      up = logicalParent(top);
    }
    if (up.parent !== null && up.parent.type === 'AssignmentExpression' && up.key === 'left') {
      let assigned = this.of(up.parent.right);
      const assignedKey = staticMemberName(top);
      if (assignedKey !== null && this.spec.property && assigned.mask !== 0) assigned = this.spec.property(assignedKey, reference, assigned, this.ctx);
      // `o[secretName] = 1` stores data in the key too.
      if (isMember(top) && top.computed && assignedKey === null) assigned = mergeTaint(assigned, this.of(top.property));
      return assigned;
    }
    if (isCall(up.parent) && up.key === 'callee') {
      const method = staticMemberName(top);
      const onReference = top === parent;
      if (method !== null && MUTATING_METHODS.has(method) && (!onReference || onlyKey === null)) return this.all(up.parent.arguments);
    }
    return CLEAN;
  }

  private parameter(binding: Binding): Taint {
    const param = parameterOf(binding);
    if (param === null) return CLEAN;
    const { fn, index, rest } = param;
    let result = CLEAN;
    for (const site of callSitesOf(this.ctx, fn)) {
      const args = rest ? site.args.slice(index) : site.args.slice(index, index + 1);
      result = mergeTaint(result, this.all(args));
    }
    const { parent, key } = logicalParent(fn);
    if (parent !== null && key === 'arguments' && (parent.type === 'CallExpression' || parent.type === 'OptionalCallExpression' || parent.type === 'NewExpression')) {
      const args = (parent as Node & { arguments: Node[] }).arguments;
      const argIndex = args.findIndex((a) => unwrap(a) === fn);
      const callee = unwrap((parent as Node & { callee: Node }).callee);
      if (isCall(parent) && isMember(callee)) result = mergeTaint(result, this.of(callee.object));
      const extra = this.spec.callbackParam?.(parent, argIndex, index, this.ctx);
      if (extra) result = mergeTaint(result, extra);
    } else if (parent !== null && parent.type === 'AssignmentExpression' && key === 'right') {
      const extra = this.spec.callbackParam?.(parent, -1, index, this.ctx);
      if (extra) result = mergeTaint(result, extra);
    }
    return result;
  }
}
