// install-time-behaviour: code that runs only while npm installs the package (gated on
// npm_lifecycle_event / npm_lifecycle_script / npm_config_* / npm_package_*, or on 'postinstall'
// in process.argv) and that uses the network, starts a process, or touches files outside the
// package. Legitimate install steps build native code from the package folder; payloads hide
// behind these checks so that they run on developer and CI machines but not in tests. The gated
// region is an `if` (or, after `if (!install) return;`, the rest of the block), a `?:`, an `&&`
// or a `switch`, and functions of the file called from it.
import type { Node } from '@babel/types';
import { defineRule, type RuleContext } from '../analyzer/rule-api.js';
import { unwrap } from '../analyzer/evaluate.js';
import { walk } from '../analyzer/walk.js';
import { abbreviate, commandThreats, envReadNames, isLifecycleEnvName, isPlainToolCommand, normalizePath, symbolicStrings, withFacts, ROOT_HOME, type FileFacts } from './_audit.js';

const INSTALL_WORD = /^(?:--?)?(?:pre|post)?install$/;

/** The lifecycle variable or argument a test expression depends on, or null. */
function lifecycleGate(context: RuleContext, test: Node, depth = 0): string | null {
  if (depth > 2) return null;
  let found: string | null = null;
  let argv = false;
  let installWord = false;
  walk(test, {
    enter(node) {
      if (found !== null) return false;
      if (node.type === 'FunctionExpression' || node.type === 'ArrowFunctionExpression') return false;
      if (node.type === 'StringLiteral' && INSTALL_WORD.test(node.value)) installWord = true;
      if (node.type === 'MemberExpression' || node.type === 'OptionalMemberExpression') {
        const objectValues = context.values(node.object);
        if (objectValues.has('process.env')) {
          const names = envReadNames(context, node);
          const name = names?.find(isLifecycleEnvName);
          if (name !== undefined) found = `process.env.${name}`;
          return false;
        }
        if (context.values(node).has('process.argv') || objectValues.has('process.argv')) argv = true;
      }
      if (node.type === 'Identifier') {
        for (const value of context.values(node)) {
          if (value.startsWith('process.env.') && isLifecycleEnvName(value.slice(12))) found = value;
        }
        const binding = context.resolve(node);
        if (binding && binding.init !== null && (binding.kind === 'const' || binding.kind === 'let' || binding.kind === 'var')) {
          const inner = lifecycleGate(context, binding.init, depth + 1);
          if (inner !== null) found = inner;
        }
        if (context.values(node).has('process.argv')) argv = true;
      }
      return undefined;
    },
  });
  if (found === null && argv && installWord) found = "'install' in process.argv";
  return found;
}

/** True when a statement leaves its function or the process: `return`, `throw`, `process.exit()`. */
function exits(context: RuleContext, statement: Node): boolean {
  const s = statement.type === 'BlockStatement' && statement.body.length === 1 ? statement.body[0]! : statement;
  if (s.type === 'ReturnStatement' || s.type === 'ThrowStatement') return true;
  if (s.type === 'ExpressionStatement') {
    const e = unwrap(s.expression);
    return (e.type === 'CallExpression' || e.type === 'OptionalCallExpression') && context.values(e.callee).has('process.exit');
  }
  return false;
}

type Range = [number, number];

export default defineRule({
  id: 'install-time-behaviour',
  meta: {
    type: 'problem',
    category: 'install-time',
    description: 'Reports code gated on npm lifecycle variables that uses the network, starts a process or touches files outside the package.',
    defaults: { strict: 'error', audit: 'error', recommended: 'error' },
    messages: {
      gated: 'Code that runs only during npm install (gated on `{{gate}}`) {{what}}.',
    },
  },
  create(context) {
    /** Conditionals seen in the walk; judged at the end, and only if the file reads a lifecycle variable. */
    const candidates: Node[] = [];
    const gatesOf = (node: Node): { node: Node; gate: string; ranges: Range[] } | null => {
      let test: Node;
      const ranges: Range[] = [];
      switch (node.type) {
        case 'IfStatement': {
          test = node.test;
          ranges.push([node.start ?? 0, node.end ?? 0]);
          if (exits(context, node.consequent)) {
            // `if (npm_lifecycle_event !== 'postinstall') return;` gates the rest of the block.
            const block = context.parentOf(node) as (Node & { body?: Node[] }) | null;
            if (block !== null && Array.isArray(block.body)) ranges.push([node.end ?? 0, block.end ?? 0]);
          }
          break;
        }
        case 'ConditionalExpression':
          test = node.test;
          ranges.push([node.start ?? 0, node.end ?? 0]);
          break;
        case 'LogicalExpression':
          test = node.left;
          ranges.push([node.right.start ?? 0, node.right.end ?? 0]);
          break;
        case 'SwitchStatement':
          test = node.discriminant;
          ranges.push([node.start ?? 0, node.end ?? 0]);
          break;
        default:
          return null;
      }
      const gate = lifecycleGate(context, test);
      return gate === null ? null : { node: test, gate, ranges };
    };
    const collect = (node: Node): void => {
      candidates.push(node);
    };
    /** Nodes that read a lifecycle variable or process.argv (argv counts only with an install word). */
    const reads: Node[] = [];
    let argvReads: Node[] = [];
    let installWord = false;
    const noteRead = (node: Node & { object: Node }): void => {
      const values = context.values(node.object);
      if (values.has('process.env')) {
        if (envReadNames(context, node)?.some(isLifecycleEnvName)) reads.push(node);
      } else if (values.has('process.argv') || (values.has('process') && context.values(node).has('process.argv'))) {
        if (argvReads.length < 64) argvReads.push(node);
      }
    };
    const { visitor, facts } = withFacts(context, {
      IfStatement: collect,
      ConditionalExpression: collect,
      LogicalExpression: (node: Node & { operator: string }) => {
        if (node.operator === '&&') candidates.push(node);
      },
      SwitchStatement: collect,
      MemberExpression: noteRead,
      OptionalMemberExpression: noteRead,
      StringLiteral: (node: Node & { value: string }) => {
        if (!installWord && node.value.length <= 13 && node.value.includes('install') && INSTALL_WORD.test(node.value)) installWord = true;
      },
      ObjectProperty: (node: Node) => {
        // const { npm_lifecycle_event: event } = process.env
        if (context.parentOf(node)?.type !== 'ObjectPattern') return;
        for (const value of context.ownValues(node)) if (value.startsWith('process.env.') && isLifecycleEnvName(value.slice(12))) reads.push(node);
      },
      'Program:exit': () => {
        if (!installWord) argvReads = [];
        if ((reads.length === 0 && argvReads.length === 0) || candidates.length === 0) return;
        const positions = lifecyclePositions(context, [...reads, ...argvReads]);
        const all = facts();
        for (const candidate of candidates) {
          if (!mentions(positions, testOf(candidate))) continue;
          const found = gatesOf(candidate);
          if (found === null) continue;
          const { node, gate, ranges } = found;
          const region = expand(all, ranges);
          const inside = (n: Node): boolean => region.some(([a, b]) => (n.start ?? -1) >= a && (n.end ?? -1) <= b);
          const what: string[] = [];
          const net = all.sinks.find((s) => s.channel !== 'command' && inside(s.node));
          if (net) what.push(`uses the network (\`${net.api}\`)`);
          // npm_config_*/npm_package_* are ordinary configuration for build tools (npm_config_python,
          // npm_config_build_from_source): under them only a suspicious command counts.
          const configGate = /^process\.env\.npm_(?:config|package)_/i.test(gate);
          const proc = all.processCalls.find(
            (c) =>
              inside(c.node) &&
              (configGate
                ? c.lines.some((line) => commandThreats(line).length > 0)
                : !(c.lines.length > 0 && c.lines.every(isPlainToolCommand))),
          );
          if (proc) what.push(`starts a process (\`${proc.api}\`${proc.lines[0] ? `: \`${abbreviate(proc.lines[0], 40)}\`` : ''})`);
          const outside = all.fsCalls.find((c) => inside(c.node) && c.paths.some((p) => symbolicStrings(context, p.node).some((s) => outsidePackage(normalizePath(s)))));
          if (outside) what.push(`touches files outside the package (\`${outside.api}\`)`);
          if (what.length === 0) continue;
          context.report({ node, messageId: 'gated', data: { gate, what: what.join(', ') } });
        }
      },
    });
    return visitor;
  },
});

/** The expression a conditional tests. */
function testOf(node: Node): Node {
  switch (node.type) {
    case 'IfStatement':
    case 'ConditionalExpression':
      return node.test;
    case 'LogicalExpression':
      return node.left;
    case 'SwitchStatement':
      return node.discriminant;
    default:
      return node;
  }
}

/**
 * Sorted offsets where lifecycle data is read: the reads themselves and the references of
 * variables initialised from them (two levels of aliasing).
 */
function lifecyclePositions(context: RuleContext, reads: readonly Node[]): number[] {
  const positions: number[] = [];
  let frontier: readonly Node[] = reads;
  for (let round = 0; round < 3 && frontier.length > 0; round++) {
    const next: Node[] = [];
    for (const read of frontier) {
      positions.push(read.start ?? -1);
      // Climb to a declarator whose initialiser holds the read: `const go = env.npm_lifecycle_event === 'x'`.
      let child: Node = read;
      for (let parent = context.parentOf(child), depth = 0; parent !== null && depth < 8; child = parent, parent = context.parentOf(parent), depth++) {
        if (parent.type === 'VariableDeclarator') {
          if (context.parentKeyOf(child) === 'init' && parent.id.type === 'Identifier') {
            const binding = context.resolve(parent.id);
            if (binding) next.push(...binding.references.slice(0, 64));
          } else if (parent.id.type === 'ObjectPattern') {
            for (const id of collectPatternIds(parent.id)) {
              const binding = context.resolve(id);
              if (binding) next.push(...binding.references.slice(0, 64));
            }
          }
          break;
        }
        if (parent.type.endsWith('Statement') || parent.type === 'Program') break;
      }
    }
    frontier = next;
  }
  return positions.sort((a, b) => a - b);
}

function collectPatternIds(pattern: Node): (Node & { type: 'Identifier' })[] {
  const out: (Node & { type: 'Identifier' })[] = [];
  walk(pattern, {
    enter(node, parent, key) {
      if (node.type === 'Identifier' && key !== 'key') out.push(node as Node & { type: 'Identifier' });
      return undefined;
    },
  });
  return out;
}

/** True when a sorted offset list has an entry inside the node. */
function mentions(positions: readonly number[], node: Node): boolean {
  const start = node.start ?? 0;
  const end = node.end ?? 0;
  let lo = 0;
  let hi = positions.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (positions[mid]! < start) lo = mid + 1;
    else hi = mid;
  }
  return lo < positions.length && positions[lo]! < end;
}

/** The region plus the bodies of local functions called from it (a few levels deep). */
function expand(facts: FileFacts, ranges: Range[]): Range[] {
  const region = ranges.slice();
  for (let round = 0; round < 3; round++) {
    let grew = false;
    for (const { call, fn } of facts.localCalls) {
      const inRegion = region.some(([a, b]) => (call.start ?? -1) >= a && (call.end ?? -1) <= b);
      const range: Range = [fn.start ?? 0, fn.end ?? 0];
      if (inRegion && !region.some(([a, b]) => a <= range[0] && range[1] <= b)) {
        region.push(range);
        grew = true;
      }
    }
    if (!grew) break;
  }
  return region;
}

/** Paths in the home folder, at absolute locations, or in temporary folders. */
function outsidePackage(path: string): boolean {
  return path === ROOT_HOME || path.startsWith(`${ROOT_HOME}/`) || path.startsWith('$tmp') || (path.startsWith('/') && !path.startsWith('/\u0000')) || /^[a-z]:\//.test(path);
}
