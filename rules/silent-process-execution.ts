// silent-process-execution: a child process started detached, with its output discarded (or its
// window hidden) and then unref'ed, so that it outlives the parent without a trace: the way
// install-time payloads start their second stage. In the audit profile it is a warning (update
// notifiers do this legitimately), raised to an error when the command itself is suspicious or
// talks to the network, or when the file also sends data over the network.
import type { Node } from '@babel/types';
import { defineRule } from '../analyzer/rule-api.js';
import { logicalParent, staticMemberName } from '../analyzer/taint.js';
import { abbreviate, commandSinkOf, commandThreats, HOLE, optionValues, processCallOf, withFacts, type ProcessCall } from './_audit.js';

/** True when the process object returned by the call is unref'ed (chained, or through its variable). */
function isUnrefed(context: Parameters<typeof processCallOf>[0], call: Node): boolean {
  const isUnrefCall = (member: Node | null, key: string | null): boolean => {
    if (member === null || key !== 'object' || staticMemberName(member) !== 'unref') return false;
    const outer = logicalParent(member);
    return outer.parent !== null && outer.key === 'callee' && (outer.parent.type === 'CallExpression' || outer.parent.type === 'OptionalCallExpression');
  };
  const { parent, key } = logicalParent(call);
  if (isUnrefCall(parent, key)) return true;
  let id: Node | null = null;
  if (parent?.type === 'VariableDeclarator' && key === 'init') id = parent.id;
  else if (parent?.type === 'AssignmentExpression' && key === 'right') id = parent.left;
  if (id === null || id.type !== 'Identifier') return false;
  const binding = context.resolve(id);
  if (!binding) return false;
  return binding.references.some((reference) => {
    const up = logicalParent(reference);
    return isUnrefCall(up.parent, up.key);
  });
}

function isSilent(context: Parameters<typeof processCallOf>[0], call: ProcessCall): { hidden: string } | null {
  const options = call.optionsNode;
  if (options === null) return null;
  if (!(optionValues(context, options, 'detached') ?? []).includes(true)) return null;
  const stdio = optionValues(context, options, 'stdio') ?? [];
  const ignored = stdio.some((v) => v === 'ignore' || (Array.isArray(v) && v.length > 0 && v.every((s) => s === 'ignore' || s === null || s === undefined)));
  const hidden = (optionValues(context, options, 'windowsHide') ?? []).includes(true);
  if (!ignored && !hidden) return null;
  return { hidden: ignored ? 'with its output discarded' : 'with its window hidden' };
}

export default defineRule({
  id: 'silent-process-execution',
  meta: {
    type: 'problem',
    category: 'process',
    description: 'Reports child processes started detached, silenced and unref\'ed so that they outlive the parent unseen.',
    defaults: { strict: 'error', audit: 'warn', recommended: 'off' },
    messages: {
      silent: '`{{api}}` starts a detached process {{hidden}} and unrefs it{{command}}{{why}}.',
    },
  },
  create(context) {
    const found: { call: ProcessCall; hidden: string }[] = [];
    const check = (node: Node): void => {
      const call = processCallOf(context, node);
      if (call === null) return;
      const silent = isSilent(context, call);
      if (silent === null || !isUnrefed(context, node)) return;
      found.push({ call, hidden: silent.hidden });
    };
    const { visitor, facts } = withFacts(context, {
      CallExpression: check,
      OptionalCallExpression: check,
      NewExpression: check,
      'Program:exit': () => {
        for (const { call, hidden } of found) {
          const known = call.lines.find((l) => !l.includes(HOLE)) ?? call.lines[0];
          const threat = call.lines.flatMap((line) => commandThreats(line)).find((t) => t.threat !== 'destructive');
          const networkTool = commandSinkOf(context, call) !== null;
          const networkInFile = facts().sinks.some((sink) => sink.node !== call.node);
          const why = threat ? `: the command ${threat.label}` : networkTool ? ': the command uses the network' : networkInFile ? ' in a file that also uses the network' : '';
          context.report({
            node: call.node,
            messageId: 'silent',
            data: { api: call.api, hidden, command: known && known !== HOLE ? ` (\`${abbreviate(known, 60)}\`)` : '', why },
            ...(why !== '' ? { severity: 'error' as const } : {}),
          });
        }
      },
    });
    return visitor;
  },
});
