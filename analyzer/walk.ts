// The AST walker: an iterative depth-first walk over @babel/types' visitor keys. It is iterative so
// that deeply nested input (thousands of nested arrays or parentheses) cannot overflow the stack,
// and it skips TypeScript type-only subtrees, which carry no runtime behaviour.
import { VISITOR_KEYS } from '@babel/types';
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

/** The parent's key under which node hangs (`object`, `callee`, `arguments`...). */
export function parentKeyOf(node: Node): string | null {
  return (node as { _key?: string | null })._key ?? null;
}

export interface WalkCallbacks {
  /** Called before children; return false to skip the node's subtree (exit is still called). */
  enter(node: Node, parent: Node | null, key: string | null): boolean | void;
  exit?(node: Node, parent: Node | null, key: string | null): void;
  /** Node types `exit` is wanted for (default: all). Fewer exit frames make the walk cheaper. */
  exitTypes?: ReadonlySet<string>;
}

const EXIT = 1;

/**
 * Walks the tree iteratively. `recordParents` stores `_parent` / `_key` on every node (done once,
 * by the binder, so that rules can look upward without a second structure).
 */
export function walk(root: Node, callbacks: WalkCallbacks, recordParents = false): number {
  const nodes: (Node | null)[] = [root];
  const parents: (Node | null)[] = [null];
  const keys: (string | null)[] = [null];
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
    if (TYPE_ONLY_NODES.has(node.type) || (isAmbient(node) && node.type !== 'ClassProperty')) continue;
    count++;
    if (recordParents) {
      (node as { _parent?: Node | null })._parent = parent;
      (node as { _key?: string | null })._key = key;
    }
    const descend = enter(node, parent, key) !== false;
    if (exit && (exitTypes === undefined || exitTypes.has(node.type))) {
      nodes.push(node);
      parents.push(parent);
      keys.push(key);
      phases.push(EXIT);
    }
    if (!descend) continue;
    const visitorKeys = VISITOR_KEYS[node.type];
    if (visitorKeys === undefined) continue;
    // Push children in reverse so that they are visited in source order.
    for (let k = visitorKeys.length - 1; k >= 0; k--) {
      const childKey = visitorKeys[k]!;
      if (TYPE_ONLY_KEYS.has(childKey)) continue;
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
