// The AST walker: an iterative depth-first walk over @babel/types' visitor keys. It is iterative so
// that deeply nested input (thousands of nested arrays or parentheses) cannot overflow the stack,
// and it skips TypeScript type-only subtrees, which carry no runtime behaviour.
import { FLIPPED_ALIAS_KEYS, VISITOR_KEYS } from '@babel/types';
import type { Node } from '@babel/types';

/** Keys whose subtrees are types only (never evaluated at run time). */
const TYPE_ONLY_KEYS = new Set([
  'typeAnnotation',
  'typeParameters',
  'returnType',
  'superTypeParameters',
  'implements',
  'typeArguments',
  'predicate',
]);

/** Node types that are type-level declarations; they and their subtrees are skipped. */
const TYPE_ONLY_NODES = new Set([
  'TSInterfaceDeclaration',
  'TSTypeAliasDeclaration',
  'TSDeclareFunction',
  'TSDeclareMethod',
  'TSIndexSignature',
  'TSTypeAnnotation',
  'TSTypeParameterDeclaration',
  'TSTypeParameterInstantiation',
  'InterfaceDeclaration',
  'TypeAlias',
  'DeclareVariable',
  'DeclareFunction',
]);

/** Wrapper expressions that only change the static type, never the value. */
export const TRANSPARENT_WRAPPERS = new Set([
  'ParenthesizedExpression',
  'TSAsExpression',
  'TSSatisfiesExpression',
  'TSNonNullExpression',
  'TSTypeAssertion',
  'TSInstantiationExpression',
  'TypeCastExpression',
]);

/** True for `declare ...` TypeScript statements, which emit no code. */
export function isAmbient(node: Node): boolean {
  return (node as { declare?: boolean }).declare === true;
}

/** Node's parent, recorded by the first walk over the tree. */
export function parentOf(node: Node): Node | null {
  return (node as { _parent?: Node | null })._parent ?? null;
}

/**
 * The parent's key under which node hangs (`object`, `callee`, `arguments`...). Found from the
 * parent on demand rather than stored: a second stored property pushed many node types (member,
 * binary, assignment expressions) past their in-object slots, and the property arrays that made
 * cost more than every lookup rules do.
 */
export function parentKeyOf(node: Node): string | null {
  const parent = parentOf(node);
  if (parent === null) return null;
  const fields = parent as unknown as Record<string, unknown>;
  for (const key of typeInfoOf(parent.type).keys) {
    const child = fields[key];
    if (child === node) return key;
    if (Array.isArray(child) && indexInSourceOrder(child as (Node | null)[], node) !== -1) return key;
  }
  return null;
}

/** Index of `node` in an array of nodes kept in source order (binary search by position for long ones). */
function indexInSourceOrder(items: readonly (Node | null)[], node: Node): number {
  if (items.length <= 16 || typeof node.start !== 'number') return items.indexOf(node);
  let lo = 0;
  let hi = items.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const item = items[mid];
    const start = item?.start;
    if (item === node) return mid;
    if (item === null || item === undefined || typeof start !== 'number') return items.indexOf(node);
    if (start < node.start) lo = mid + 1;
    else if (start > node.start) hi = mid - 1;
    else return items.indexOf(node);
  }
  return items.indexOf(node);
}

export interface WalkCallbacks {
  /** Called before children; return false to skip the node's subtree (exit is still called). */
  enter(node: Node, parent: Node | null, key: string | null, typeIndex: number): boolean | void;
  exit?(node: Node, parent: Node | null, key: string | null): void;
  /** Node types `exit` is wanted for (default: all). Fewer exit frames make the walk cheaper. */
  exitTypes?: ReadonlySet<string>;
}

const EXIT = 1;

/** What the walk needs to know about a node type, computed once per type. */
interface TypeInfo {
  /** A small number standing for the type (see typeIndexOf). */
  index: number;
  /** Type-level declarations: the node and its subtree are skipped. */
  skip: boolean;
  /** Statements, declarations and class members may carry `declare` (TypeScript); expressions never do. */
  mayBeAmbient: boolean;
  /** Visitor keys minus the type-only ones, in source order. */
  keys: readonly string[];
}

const EXPRESSION_TYPES: ReadonlySet<string> = new Set(FLIPPED_ALIAS_KEYS['Expression'] ?? []);
const typeInfos = new Map<string, TypeInfo>();
let typeCount = 0;

/**
 * A small integer for a node type, the same for the whole process. The walk passes it to `enter`
 * so that per-type tables can be arrays: a lookup by type name hashes and compares strings.
 */
export function typeIndexOf(type: string): number {
  return typeInfoOf(type).index;
}

function typeInfoOf(type: string): TypeInfo {
  let info = typeInfos.get(type);
  if (info === undefined) {
    info = {
      index: typeCount++,
      skip: TYPE_ONLY_NODES.has(type),
      // ClassProperty is the exception kept from the original walk: `declare x` fields are still visited.
      mayBeAmbient: !EXPRESSION_TYPES.has(type) && type !== 'ClassProperty',
      keys: (VISITOR_KEYS[type] ?? []).filter((key) => !TYPE_ONLY_KEYS.has(key)),
    };
    typeInfos.set(type, info);
  }
  return info;
}

/** Depth at which the recursive walk hands a subtree to the iterative one (stack safety). */
const MAX_RECURSION = 512;

/**
 * Walks the tree depth-first in source order. `recordParents` stores `_parent` on every node (done
 * once, by the binder, so that rules can look upward without a second structure). Subtrees are
 * walked recursively (cheaper than keeping explicit stacks) down to MAX_RECURSION levels, and
 * iteratively below that, so deeply nested input (long member chains, nested arrays) cannot
 * overflow the stack.
 */
export function walk(root: Node, callbacks: WalkCallbacks, recordParents = false): number {
  const walker = new Walker(callbacks, recordParents);
  walker.visit(root, null, null, 0);
  return walker.count;
}

class Walker {
  count = 0;
  private readonly enter: WalkCallbacks['enter'];
  private readonly exit: WalkCallbacks['exit'];
  private readonly exitTypes: ReadonlySet<string> | undefined;
  constructor(
    private readonly callbacks: WalkCallbacks,
    private readonly recordParents: boolean,
  ) {
    this.enter = callbacks.enter;
    this.exit = callbacks.exit;
    this.exitTypes = callbacks.exitTypes;
  }

  visit(node: Node, parent: Node | null, key: string | null, depth: number): void {
    if (depth >= MAX_RECURSION) {
      this.count += walkIterative(node, parent, key, this.callbacks, this.recordParents);
      return;
    }
    const info = typeInfoOf(node.type);
    if (info.skip || (info.mayBeAmbient && isAmbient(node))) return;
    this.count++;
    if (this.recordParents) (node as { _parent?: Node | null })._parent = parent;
    const descend = this.enter(node, parent, key, info.index) !== false;
    if (descend) {
      const childKeys = info.keys;
      for (let k = 0; k < childKeys.length; k++) {
        const childKey = childKeys[k]!;
        const child = (node as unknown as Record<string, unknown>)[childKey];
        if (child === null || child === undefined) continue;
        if (Array.isArray(child)) {
          for (let i = 0; i < child.length; i++) {
            const item = child[i] as Node | null;
            if (item !== null && item !== undefined) this.visit(item, node, childKey, depth + 1);
          }
        } else if (typeof (child as Node).type === 'string') {
          this.visit(child as Node, node, childKey, depth + 1);
        }
      }
    }
    if (this.exit !== undefined && (this.exitTypes === undefined || this.exitTypes.has(node.type))) this.exit(node, parent, key);
  }
}

/** The same walk with explicit stacks, for subtrees nested deeper than the recursive walk goes. */
function walkIterative(root: Node, rootParent: Node | null, rootKey: string | null, callbacks: WalkCallbacks, recordParents: boolean): number {
  const nodes: (Node | null)[] = [root];
  const parents: (Node | null)[] = [rootParent];
  const keys: (string | null)[] = [rootKey];
  const phases: number[] = [0];
  let count = 0;
  const { enter, exit, exitTypes } = callbacks;
  while (nodes.length > 0) {
    const node = nodes.pop()!;
    const parent = parents.pop()!;
    const key = keys.pop()!;
    const phase = phases.pop()!;
    if (phase === EXIT) {
      exit!(node, parent, key);
      continue;
    }
    const info = typeInfoOf(node.type);
    if (info.skip || (info.mayBeAmbient && isAmbient(node))) continue;
    count++;
    if (recordParents) {
      (node as { _parent?: Node | null })._parent = parent;
    }
    const descend = enter(node, parent, key, info.index) !== false;
    if (exit && (exitTypes === undefined || exitTypes.has(node.type))) {
      nodes.push(node);
      parents.push(parent);
      keys.push(key);
      phases.push(EXIT);
    }
    if (!descend) continue;
    const childKeys = info.keys;
    // Push children in reverse so that they are visited in source order.
    for (let k = childKeys.length - 1; k >= 0; k--) {
      const childKey = childKeys[k]!;
      const child = (node as unknown as Record<string, unknown>)[childKey];
      if (child === null || child === undefined) continue;
      if (Array.isArray(child)) {
        for (let i = child.length - 1; i >= 0; i--) {
          const item = child[i] as Node | null;
          if (item === null || item === undefined) continue;
          nodes.push(item);
          parents.push(node);
          keys.push(childKey);
          phases.push(0);
        }
      } else if (typeof (child as Node).type === 'string') {
        nodes.push(child as Node);
        parents.push(node);
        keys.push(childKey);
        phases.push(0);
      }
    }
  }
  return count;
}
