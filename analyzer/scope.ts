// The binder: one walk that records every declaration in its scope and resolves every identifier
// reference to its binding (or to the global object when nothing declares it). This is what lets
// rules tell the intrinsic `eval` from a user's own `eval`, and follow `const e = eval; e(s)`.
// It tracks only what rules need: declarations, their initialisers and destructuring paths, and
// the values later assigned to them.
import type { Node, Identifier } from '@babel/types';
import { walk, isAmbient, typeIndexOf } from './walk.js';

export type BindingKind =
  | 'var'
  | 'let'
  | 'const'
  | 'using'
  | 'param'
  | 'function'
  | 'class'
  | 'import'
  | 'catch'
  | 'enum'
  | 'namespace'
  | 'arguments';

/** A step from a destructuring source to the bound value: a property name or an array index. */
export type PathStep = { key: string } | { index: number } | { rest: true };

/** One declared name. */
export interface Binding {
  name: string;
  kind: BindingKind;
  /** The declaring identifier (absent for the implicit `arguments`). */
  id: Identifier | null;
  /** The declaring node: VariableDeclarator, Function, ClassDeclaration, ImportSpecifier... */
  declaration: Node;
  /** The expression the name is bound from (declarator init, TS import-equals require call). */
  init: Node | null;
  /** Destructuring steps from `init` to this name. Empty for a plain `const x = init`. */
  path: PathStep[];
  /** Default values met along the destructuring path (`{ a = eval } = o`). */
  defaults: Node[];
  /** Values assigned later; `null` marks an assignment whose value cannot be followed. */
  assignments: (Node | null)[];
  references: Identifier[];
  scope: Scope;
  /**
   * The binding's abstract values, memoised by the file's evaluator (a binding lives as long as its
   * file's analysis, so the memo needs no Map: most value lookups in a file are of bindings).
   */
  values: ReadonlySet<string> | undefined;
}

const NO_BINDINGS: ReadonlyMap<string, Binding> = new Map();

export type ScopeKind = 'program' | 'function' | 'block' | 'catch' | 'class' | 'module-block';

export class Scope {
  /** Names declared here. Most block scopes declare nothing, so the Map is made on the first name. */
  bindings: ReadonlyMap<string, Binding> = NO_BINDINGS;
  /** The implicit `arguments` of a function scope, made when first referenced. */
  argumentsBinding: Binding | undefined = undefined;
  constructor(
    readonly kind: ScopeKind,
    readonly node: Node,
    readonly parent: Scope | null,
  ) {}

  /** True for scopes that `var` declarations belong to. */
  get isVarScope(): boolean {
    return this.kind === 'program' || this.kind === 'function' || this.kind === 'module-block';
  }

  /** Adds a binding to this scope. */
  define(binding: Binding): void {
    if (this.bindings === NO_BINDINGS) this.bindings = new Map();
    (this.bindings as Map<string, Binding>).set(binding.name, binding);
  }

  lookup(name: string): Binding | undefined {
    for (let scope: Scope | null = this; scope !== null; scope = scope.parent) {
      // (Most block scopes declare nothing: skip them without a hash lookup.)
      if (scope.bindings === NO_BINDINGS) continue;
      const binding = scope.bindings.get(name);
      if (binding !== undefined) return binding;
    }
    return undefined;
  }
}

export interface ScopeInfo {
  program: Scope;
  nodeCount: number;
  /**
   * The nodes the walk met whose type `listTypes` selects, in walk order (pre-order), so that the
   * rule pass can run over a list instead of walking the tree again. Nodes under a type-only
   * import are listed too.
   */
  nodes: NodeList;
  /** Parents of the listed nodes the binder did not record `_parent` for (under type-only imports). */
  detachedParents: Map<Node, Node | null>;
  /** True when a `with` statement exists: bare names inside it may resolve to object properties. */
  hasWith: boolean;
}

/** Slots of the first and of the largest chunks of an EntryList. */
const FIRST_CHUNK_SLOTS = 384;
const CHUNK_SLOTS = 8192;

/**
 * A list of fixed-width entries (a node and its type index; a reference, its scope and the value
 * written), stored in fixed-size chunks. Growing one array per kind of field copied every array at
 * each growth (the binder allocated more for its lists than for everything else): chunks are
 * allocated once each, and stay in the young generation with the nodes they hold.
 */
class EntryList {
  protected readonly chunks: unknown[][] = [];
  protected current: unknown[] = [];
  protected fill = 0;
  length = 0;
  constructor(protected readonly width: number) {}

  /** The chunk with room for one more entry; the entry goes at `this.fill`. */
  protected room(): unknown[] {
    if (this.fill + this.width <= this.current.length) return this.current;
    // Chunks start small (most files are small) and double up to CHUNK_SLOTS.
    const size = Math.min(CHUNK_SLOTS, Math.max(FIRST_CHUNK_SLOTS, this.current.length * 2));
    this.current = new Array<unknown>(size - (size % this.width));
    this.chunks.push(this.current);
    this.fill = 0;
    return this.current;
  }

  /** Calls `fn` with each chunk and the number of slots used in it. */
  protected eachChunk(fn: (chunk: unknown[], used: number) => void): void {
    let left = this.length * this.width;
    for (const chunk of this.chunks) {
      const used = Math.min(chunk.length, left);
      fn(chunk, used);
      left -= used;
    }
  }
}

/** The nodes the binder lists for the rule pass, with their type indexes (typeIndexOf). */
export class NodeList extends EntryList {
  constructor() {
    super(2);
  }

  push(node: Node, typeIndex: number): void {
    const chunk = this.room();
    chunk[this.fill] = node;
    chunk[this.fill + 1] = typeIndex;
    this.fill += 2;
    this.length++;
  }

  /** Calls `fn` for each listed node in order. */
  forEach(fn: (node: Node, typeIndex: number) => void): void {
    this.eachChunk((chunk, used) => {
      for (let i = 0; i < used; i += 2) fn(chunk[i] as Node, chunk[i + 1] as number);
    });
  }
}

/** References met during the walk, resolved after it: the identifier, its scope, the value written. */
class PendingList extends EntryList {
  constructor() {
    super(3);
  }

  push(id: Identifier, scope: Scope, write: Node | null | typeof READ): void {
    const chunk = this.room();
    chunk[this.fill] = id;
    chunk[this.fill + 1] = scope;
    chunk[this.fill + 2] = write;
    this.fill += 3;
    this.length++;
  }

  forEach(fn: (id: Identifier, scope: Scope, write: Node | null | typeof READ) => void): void {
    this.eachChunk((chunk, used) => {
      for (let i = 0; i < used; i += 3) fn(chunk[i] as Identifier, chunk[i + 1] as Scope, chunk[i + 2] as Node | null | typeof READ);
    });
  }
}

const NO_STEPS: PathStep[] = [];
const NO_NODES: Node[] = [];

/** Node types that may open a scope (the binder needs their exit to pop it). */
const SCOPE_TYPES: ReadonlySet<string> = new Set([
  'FunctionDeclaration',
  'FunctionExpression',
  'ArrowFunctionExpression',
  'ObjectMethod',
  'ClassMethod',
  'ClassPrivateMethod',
  'ClassDeclaration',
  'ClassExpression',
  'StaticBlock',
  'BlockStatement',
  'ForStatement',
  'ForInStatement',
  'ForOfStatement',
  'SwitchStatement',
  'CatchClause',
  'TSModuleBlock',
  'TSEnumDeclaration',
]);

/** Every kind of function node. */
export const FUNCTION_TYPES: ReadonlySet<string> = new Set([
  'FunctionDeclaration',
  'FunctionExpression',
  'ArrowFunctionExpression',
  'ObjectMethod',
  'ClassMethod',
  'ClassPrivateMethod',
]);

/** The node types the binder's walk acts on (the cases of its switch); it only lists the others. */
const BINDER_TYPES: ReadonlySet<string> = new Set([
  'Identifier', 'Program', 'FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression', 'ObjectMethod',
  'ClassMethod', 'ClassPrivateMethod', 'ClassDeclaration', 'ClassExpression', 'StaticBlock', 'BlockStatement',
  'ForStatement', 'ForInStatement', 'ForOfStatement', 'SwitchStatement', 'CatchClause', 'TSModuleBlock',
  'VariableDeclaration', 'ImportDeclaration', 'TSImportEqualsDeclaration', 'TSEnumDeclaration', 'TSModuleDeclaration',
  'AssignmentExpression', 'UpdateExpression', 'WithStatement',
]);

/** BINDER_TYPES by type index (typeIndexOf), filled as types are met. */
const binderTypes: (boolean | undefined)[] = [];

/** True for every kind of function node. */
export function isFunctionNode(node: Node): boolean {
  return FUNCTION_TYPES.has(node.type);
}

/**
 * Resolution is stored on the identifiers themselves (`_ref` on a reference, `_decl` on a declaring
 * name) rather than in Maps keyed by node: a file has hundreds of thousands of identifiers, and
 * Maps that large were a good part of the analysis time (hashing, growth, and young-generation
 * copies of their tables).
 */
interface ResolvedIdentifier {
  _ref?: Binding | null | typeof PENDING;
  _decl?: Binding;
}

/** Marks a reference met during the walk but not yet resolved (resolution waits for hoisting). */
const PENDING = 0;

/** The binding an identifier in a reference position refers to, `null` for a global, `undefined` otherwise. */
export function referenceOf(id: Node): Binding | null | undefined {
  const ref = (id as ResolvedIdentifier)._ref;
  return ref === PENDING ? undefined : ref;
}

/** The binding a declaring identifier declares, or `undefined`. */
export function declarationOf(id: Node): Binding | undefined {
  return (id as ResolvedIdentifier)._decl;
}

/** No-op write marker for pending references that are plain reads. */
const READ = 1;

export interface BindOptions {
  maxNodes: number;
  /**
   * Which node types to list, by type index (typeIndexOf): the types the rule pass dispatches on.
   * Listing only those keeps the list short (a list of every node cost a tenth of a parse).
   * Default: every type.
   */
  listTypes?: readonly unknown[];
}

/** Builds the scope tree of a parsed program and resolves its references. */
export function bindProgram(program: Node, options: BindOptions): ScopeInfo {
  const listTypes = options.listTypes;
  const programScope = new Scope('program', program, null);
  let current = programScope;
  // Pending references: the identifier, its scope, and the value written to it (`READ` for plain
  // reads, `null` for a write that cannot be followed).
  const pending = new PendingList();
  /** Identifiers the walk must not take for references (declaring names, written targets...). */
  const handled = (id: Node): boolean => {
    const resolved = id as ResolvedIdentifier;
    return resolved._ref !== undefined || resolved._decl !== undefined;
  };
  let hasWith = false;
  const nodes = new NodeList();
  const detachedParents = new Map<Node, Node | null>();
  let sloppy = (program as { sourceType?: string }).sourceType !== 'module';

  const declare = (
    scope: Scope,
    id: Identifier,
    kind: BindingKind,
    declaration: Node,
    init: Node | null,
    path: PathStep[],
    defaults: Node[],
  ): void => {
    const existing = scope.bindings.get(id.name);
    if (existing !== undefined) {
      (id as ResolvedIdentifier)._decl = existing;
      // Redeclaration (`var x = a; var x = b`): both initialisers are possible values.
      if (init !== null) existing.assignments.push(path.length === 0 && defaults.length === 0 ? init : null);
      return;
    }
    const binding: Binding = {
      name: id.name,
      kind,
      id,
      declaration,
      init,
      path,
      defaults,
      assignments: [],
      references: [],
      scope,
      values: undefined,
    };
    scope.define(binding);
    (id as ResolvedIdentifier)._decl = binding;
  };

  /** Declares every identifier in a binding pattern, recording how to reach it from `init`. */
  const declarePattern = (
    scope: Scope,
    pattern: Node | null | undefined,
    kind: BindingKind,
    declaration: Node,
    init: Node | null,
    path: PathStep[] = NO_STEPS,
    defaults: Node[] = NO_NODES,
  ): void => {
    if (pattern === null || pattern === undefined) return;
    switch (pattern.type) {
      case 'Identifier':
        declare(scope, pattern, kind, declaration, init, path, defaults);
        return;
      case 'AssignmentPattern':
        declarePattern(scope, pattern.left, kind, declaration, init, path, [...defaults, pattern.right]);
        return;
      case 'RestElement':
        declarePattern(scope, pattern.argument, kind, declaration, init, [...path, { rest: true }], defaults);
        return;
      case 'ArrayPattern':
        pattern.elements.forEach((element, index) => {
          declarePattern(scope, element, kind, declaration, init, [...path, { index }], defaults);
        });
        return;
      case 'ObjectPattern':
        for (const property of pattern.properties) {
          if (property.type === 'RestElement') {
            declarePattern(scope, property.argument, kind, declaration, init, [...path, { rest: true }], defaults);
            continue;
          }
          const key = staticPropertyKey(property.key, property.computed);
          const step: PathStep = key === null ? { rest: true } : { key };
          declarePattern(scope, property.value, kind, declaration, init, [...path, step], defaults);
        }
        return;
      case 'TSParameterProperty':
        declarePattern(scope, pattern.parameter, kind, declaration, init, path, defaults);
        return;
      default:
        return;
    }
  };

  /** Records the identifiers written by an assignment target, with the value each receives. */
  const assignPattern = (pattern: Node, value: Node | null, scope: Scope): void => {
    switch (pattern.type) {
      case 'Identifier':
        // Marked now: the walk reaches this identifier later and must not take it for a read.
        (pattern as ResolvedIdentifier)._ref = PENDING;
        pending.push(pattern, scope, value);
        return;
      case 'AssignmentPattern':
        assignPattern(pattern.left, null, scope);
        return;
      case 'RestElement':
        assignPattern(pattern.argument, null, scope);
        return;
      case 'ArrayPattern':
        for (const element of pattern.elements) if (element) assignPattern(element, null, scope);
        return;
      case 'ObjectPattern':
        for (const property of pattern.properties) {
          if (property.type === 'RestElement') assignPattern(property.argument, null, scope);
          else assignPattern(property.value as Node, null, scope);
        }
        return;
      case 'TSAsExpression':
      case 'TSNonNullExpression':
      case 'TSSatisfiesExpression':
      case 'TSTypeAssertion':
      case 'ParenthesizedExpression':
        assignPattern(pattern.expression, value, scope);
        return;
      default:
        return; // member expressions: the walk visits them as ordinary references
    }
  };

  const varScope = (scope: Scope): Scope => {
    let s = scope;
    while (!s.isVarScope && s.parent !== null) s = s.parent;
    return s;
  };

  const push = (kind: ScopeKind, node: Node): Scope => {
    const scope = new Scope(kind, node, current);
    current = scope;
    return scope;
  };

  const nodeCount = walk(
    program,
    {
      enter(node, parent, key, typeIndex) {
        if (listTypes === undefined || listTypes[typeIndex] !== undefined) {
          nodes.push(node, typeIndex);
        }
        // Most node types need nothing from the binder: decide that from a table by type index
        // rather than by comparing the type name with every case below.
        let relevant = binderTypes[typeIndex];
        if (relevant === undefined) relevant = binderTypes[typeIndex] = BINDER_TYPES.has(node.type);
        if (!relevant) return;
        switch (node.type) {
          case 'Identifier': {
            if (handled(node)) return;
            if (!isReferencePosition(node, parent, key)) return;
            pending.push(node, current, READ);
            return;
          }
          case 'Program':
            if (node.directives.some((d) => d.value.value === 'use strict')) sloppy = false;
            return;
          case 'FunctionDeclaration': {
            if (node.id) {
              // Block-level function declarations are block-scoped, and also var-like in sloppy code.
              declare(current, node.id, 'function', node, null, NO_STEPS, NO_NODES);
              if (sloppy && !current.isVarScope) {
                const outer = varScope(current);
                if (!outer.bindings.has(node.id.name)) declare(outer, node.id, 'function', node, null, NO_STEPS, NO_NODES);
              }
            }
            enterFunction(node);
            return;
          }
          case 'FunctionExpression':
          case 'ArrowFunctionExpression':
          case 'ObjectMethod':
          case 'ClassMethod':
          case 'ClassPrivateMethod':
            enterFunction(node);
            return;
          case 'ClassDeclaration':
          case 'ClassExpression': {
            if (node.type === 'ClassDeclaration' && node.id) declare(current, node.id, 'class', node, null, NO_STEPS, NO_NODES);
            const scope = push('class', node);
            if (node.type === 'ClassExpression' && node.id) declare(scope, node.id, 'class', node, null, NO_STEPS, NO_NODES);
            return;
          }
          case 'StaticBlock':
            push('function', node);
            return;
          case 'BlockStatement':
            if (parent !== null && (FUNCTION_TYPES.has(parent.type) || parent.type === 'CatchClause')) return;
            push('block', node);
            return;
          case 'ForStatement':
          case 'ForInStatement':
          case 'ForOfStatement':
          case 'SwitchStatement':
            push('block', node);
            if (node.type === 'ForInStatement' || node.type === 'ForOfStatement') {
              if (node.left.type !== 'VariableDeclaration') assignPattern(node.left, null, current);
            }
            return;
          case 'CatchClause': {
            const scope = push('catch', node);
            declarePattern(scope, node.param, 'catch', node, null);
            return;
          }
          case 'TSModuleBlock':
            push('module-block', node);
            return;
          case 'VariableDeclaration': {
            const kind = node.kind === 'var' ? 'var' : node.kind === 'let' ? 'let' : node.kind === 'const' ? 'const' : 'using';
            const target = kind === 'var' ? varScope(current) : current;
            const forHead =
              parent !== null &&
              (parent.type === 'ForInStatement' || parent.type === 'ForOfStatement') &&
              key === 'left';
            for (const declarator of node.declarations) {
              // `for (const x of xs)`: x takes many values; none can be followed statically.
              const init = forHead ? null : declarator.init ?? null;
              declarePattern(target, declarator.id, kind, declarator, init);
              if (forHead) {
                const b = collectIds(declarator.id);
                for (const id of b) target.bindings.get(id.name)?.assignments.push(null);
              }
            }
            return;
          }
          case 'ImportDeclaration': {
            if (node.importKind === 'type' || node.importKind === 'typeof') {
              // Not bound, but the rule pass still visits the subtree (as a walk of the tree would).
              walk(node, {
                enter(child, childParent) {
                  if (child === node) return;
                  const childType = typeIndexOf(child.type);
                  if (listTypes !== undefined && listTypes[childType] === undefined) return;
                  nodes.push(child, childType);
                  detachedParents.set(child, childParent);
                },
              });
              return false;
            }
            for (const specifier of node.specifiers) {
              if (specifier.type === 'ImportSpecifier' && specifier.importKind === 'type') continue;
              // (The imported name is never a reference: its parent is the specifier.)
              declare(programScope, specifier.local, 'import', specifier, null, NO_STEPS, NO_NODES);
            }
            return;
          }
          case 'TSImportEqualsDeclaration':
            declare(current, node.id, 'import', node, node.moduleReference, NO_STEPS, NO_NODES);
            return;
          case 'TSEnumDeclaration':
            declare(current, node.id, 'enum', node, null, NO_STEPS, NO_NODES);
            push('block', node);
            return;
          case 'TSModuleDeclaration':
            if (node.id.type === 'Identifier') declare(current, node.id, 'namespace', node, null, NO_STEPS, NO_NODES);
            return;
          case 'AssignmentExpression':
            assignPattern(node.left, node.operator === '=' ? node.right : null, current);
            return;
          case 'UpdateExpression':
            if (node.argument.type === 'Identifier') {
              (node.argument as ResolvedIdentifier)._ref = PENDING;
              pending.push(node.argument, current, null);
            }
            return;
          case 'WithStatement':
            hasWith = true;
            return;
          default:
            return;
        }
      },
      exit(node) {
        if (current.node === node && current.parent !== null) current = current.parent;
      },
      exitTypes: SCOPE_TYPES,
    },
    true,
  );

  function enterFunction(node: Node): void {
    const scope = push('function', node);
    const fn = node as unknown as { id?: Identifier | null; params: Node[] };
    if (node.type === 'FunctionExpression' && fn.id) declare(scope, fn.id, 'function', node, null, NO_STEPS, NO_NODES);
    // (Other functions' ids are declared by their declaration, or are method keys.)
    for (const param of fn.params) declarePattern(scope, param, 'param', node, null);
  }

  if (nodeCount > options.maxNodes) {
    throw new BudgetError(`the file has ${nodeCount} syntax nodes, over the limit of ${options.maxNodes}`);
  }

  // Resolve after the walk, so hoisted declarations (`f(); function f() {}`) are seen.
  pending.forEach((id, scope, write) => {
    let binding = scope.lookup(id.name) ?? null;
    if (binding === null && id.name === 'arguments') binding = argumentsBinding(scope);
    (id as ResolvedIdentifier)._ref = binding;
    if (binding !== null) {
      binding.references.push(id);
      if (write !== READ) binding.assignments.push(write);
    }
  });
  return { program: programScope, nodeCount, nodes, detachedParents, hasWith };
}

function argumentsBinding(scope: Scope): Binding | null {
  for (let s: Scope | null = scope; s !== null; s = s.parent) {
    if (s.kind === 'function' && s.node.type !== 'ArrowFunctionExpression' && s.node.type !== 'StaticBlock') {
      let binding = s.argumentsBinding;
      if (binding === undefined) {
        binding = {
          name: 'arguments',
          kind: 'arguments',
          id: null,
          declaration: s.node,
          init: null,
          path: [],
          defaults: [],
          assignments: [],
          references: [],
          scope: s,
          values: undefined,
        };
        s.argumentsBinding = binding;
      }
      return binding;
    }
  }
  return null;
}

/** Identifiers bound by a pattern. */
export function collectIds(pattern: Node | null | undefined, out: Identifier[] = []): Identifier[] {
  if (!pattern) return out;
  switch (pattern.type) {
    case 'Identifier':
      out.push(pattern);
      break;
    case 'AssignmentPattern':
      collectIds(pattern.left, out);
      break;
    case 'RestElement':
      collectIds(pattern.argument, out);
      break;
    case 'ArrayPattern':
      for (const e of pattern.elements) collectIds(e, out);
      break;
    case 'ObjectPattern':
      for (const p of pattern.properties) collectIds(p.type === 'RestElement' ? p.argument : (p.value as Node), out);
      break;
    default:
      break;
  }
  return out;
}

/** The name of a non-computed property key (`a`, `'a'`, `1`), or null. */
export function staticPropertyKey(key: Node, computed: boolean): string | null {
  if (key.type === 'Identifier' && !computed) return key.name;
  if (key.type === 'StringLiteral') return key.value;
  if (key.type === 'NumericLiteral') return String(key.value);
  if (key.type === 'BigIntLiteral') return key.value;
  return null;
}

/** True when an identifier sits where it reads or writes a variable (not a property name or label). */
function isReferencePosition(node: Identifier, parent: Node | null, key: string | null): boolean {
  if (parent === null) return true;
  switch (parent.type) {
    case 'MemberExpression':
    case 'OptionalMemberExpression':
      return key !== 'property' || parent.computed;
    case 'ObjectProperty':
      // The value of a shorthand property is a separate node; the key is never a reference.
      return key === 'value' || (key === 'key' && parent.computed);
    case 'ObjectMethod':
    case 'ClassMethod':
    case 'ClassPrivateMethod':
    case 'ClassProperty':
    case 'ClassAccessorProperty':
    case 'TSPropertySignature':
    case 'TSDeclareMethod':
      return key === 'key' ? parent.computed === true : key === 'value';
    case 'LabeledStatement':
    case 'BreakStatement':
    case 'ContinueStatement':
      return false;
    case 'ExportSpecifier': {
      const exportNode = parentOfExport(parent);
      return key === 'local' && (exportNode === null || !exportNode.source);
    }
    case 'ExportNamespaceSpecifier':
    case 'ExportDefaultSpecifier':
    case 'ImportSpecifier':
    case 'ImportDefaultSpecifier':
    case 'ImportNamespaceSpecifier':
    case 'ImportAttribute':
      return false;
    case 'MetaProperty':
      return false;
    case 'TSEnumMember':
      return key !== 'id';
    case 'TSQualifiedName':
    case 'TSModuleDeclaration':
    case 'TSExternalModuleReference':
      return false;
    case 'PrivateName':
      return false;
    default:
      return !isAmbient(parent);
  }
}

function parentOfExport(specifier: Node): { source?: unknown } | null {
  return ((specifier as { _parent?: Node })._parent as { source?: unknown } | undefined) ?? null;
}

/** Thrown when a file is beyond the analysis budget; the engine turns it into a finding. */
export class BudgetError extends Error {
  override name = 'BudgetError';
}
