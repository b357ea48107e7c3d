// no-child-process: any call that starts a process through child_process (exec, execSync, spawn,
// spawnSync, fork, execFile, execFileSync) or the common wrappers (execa, cross-spawn, shelljs,
// Bun.spawn), however the function is reached: import, require, destructuring, aliases, namespace
// imports, computed or folded method names, `.call/.apply/Reflect.apply`, promisify. In the audit
// profile a plain run of a common tool with constant arguments (`git status`) is only inventory.
import type { Node } from '@babel/types';
import { defineRule } from '../analyzer/rule-api.js';
import { unwrap } from '../analyzer/evaluate.js';
import { logicalParent } from '../analyzer/taint.js';
import { TRANSPARENT_WRAPPERS } from '../analyzer/walk.js';
import { abbreviate, displayPath, isPlainToolCommand, PROCESS_API_PATHS, processCallOf, HOLE } from './_audit.js';

const WRAPPERS: ReadonlySet<string> = new Set(['module:util.promisify', 'module:util.callbackify']);

export default defineRule({
  id: 'no-child-process',
  meta: {
    type: 'problem',
    category: 'process',
    description: 'Reports every call that starts a child process, through child_process or its common wrappers, however it is reached.',
    defaults: { strict: 'error', audit: 'warn', recommended: 'off' },
    messages: {
      childProcess: '`{{api}}` starts a process{{command}}{{how}}.',
      passed: '`{{api}}` is handed to other code, which can start processes with it.',
    },
  },
  create(context) {
    const check = (node: Node): void => {
      const call = processCallOf(context, node);
      if (call === null) return;
      const known = call.lines.filter((line) => !line.includes(HOLE));
      const command =
        known.length > 0 ? `: \`${abbreviate(known[0]!, 70)}\`${call.decoders.length > 0 ? ` (decoded from ${call.decoders.join(', ')})` : ''}` : ' with a command that cannot be resolved statically';
      const how = call.via === 'direct' || call.via === 'new' ? '' : ` (called through ${call.via})`;
      const plain = call.lines.length > 0 && call.lines.every((line) => isPlainToolCommand(line));
      context.report({
        node,
        messageId: 'childProcess',
        data: { api: call.api, command, how },
        ...(plain && context.severity === 'warn' ? { severity: 'info' as const } : {}),
      });
    };
    /** `run(cp.exec)`: a process function given to code the analysis does not follow. */
    const checkPassed = (node: Node): void => {
      const direct = context.parentOf(node);
      if (direct === null || (direct.type !== 'CallExpression' && direct.type !== 'OptionalCallExpression' && direct.type !== 'NewExpression' && !TRANSPARENT_WRAPPERS.has(direct.type))) return;
      const { parent, key } = logicalParent(node);
      if (parent === null || key !== 'arguments') return;
      if (parent.type !== 'CallExpression' && parent.type !== 'OptionalCallExpression' && parent.type !== 'NewExpression') return;
      let api: string | null = null;
      for (const value of context.values(node)) if (PROCESS_API_PATHS.has(value)) api = value;
      if (api === null) return;
      const callee = context.callTarget(parent).callee;
      if ([...callee].some((v) => WRAPPERS.has(v) || PROCESS_API_PATHS.has(v))) return;
      const inner = unwrap((parent as Node & { callee: Node }).callee);
      if (inner.type === 'MemberExpression' && !inner.computed && inner.property.type === 'Identifier' && inner.property.name === 'bind') return;
      context.report({ node, messageId: 'passed', data: { api: displayPath(api) } });
    };
    return {
      CallExpression: check,
      OptionalCallExpression: check,
      NewExpression: check,
      MemberExpression: checkPassed,
      OptionalMemberExpression: checkPassed,
      Identifier: checkPassed,
    };
  },
});
