// suspicious-command: command lines that no ordinary program runs, folded from the arguments of a
// process call (or of any exec-like function): download-and-execute, encoded PowerShell, reverse
// shells, miners, persistence (cron, scheduled tasks, launchd, systemd, shell start-up files),
// living-off-the-land binaries, defence evasion, inline `node -e` code, chmod-then-run from a
// temporary location; and an interactive shell spawned in a file that opens sockets (the
// JavaScript reverse shell). Commands are folded through concatenation, templates, base64 and
// other decoders, so `Buffer.from('Y3VybC...', 'base64').toString()` is judged by what it runs.
import type { Node } from '@babel/types';
import { defineRule } from '../analyzer/rule-api.js';
import { unwrap } from '../analyzer/evaluate.js';
import { localFunction, staticMemberName } from '../analyzer/taint.js';
import {
  abbreviate,
  commandThreats,
  HOLE,
  networkInstanceOf,
  processCallOf,
  symbolicStrings,
  withFacts,
  type CommandFinding,
  type CommandThreat,
  type ProcessCall,
} from './_audit.js';

/** Names of user-level functions that run shell commands (reached when the analysis cannot resolve them). */
const EXEC_LIKE = /^(?:exec|execSync|execAsync|execCommand|execShell|spawn|spawnSync|run|runCommand|runSync|runShell|shell|system|sh|execute|executeCommand|command)$/;
const INTERACTIVE_SHELL = /^(?:.*[\\/])?(?:ba|z|da|k|fi)?sh(?:\.exe)?(?:\s+-i)?$|^(?:.*[\\/])?(?:cmd|powershell|pwsh)(?:\.exe)?$/i;
const SOCKET_KINDS: ReadonlySet<string> = new Set(['socket', 'websocket']);

type MessageId = Exclude<CommandThreat, 'destructive'>;

const DANGEROUS_INLINE = /child_process|\b(?:https?|net|tls|dns|dgram|http2)['"]|\beval\b|Function\s*\(|\bfetch\b|Buffer\.from|\batob\b|\bexec|\bspawn|XMLHttpRequest|WebSocket|homedir|\.ssh|\.npmrc|writeFile|fromCharCode|\\x[0-9a-f]{2}|\\u[0-9a-f]{4}/i;

/** Constant inline code (no holes) that reaches none of the usual payload capabilities. */
function isMildInlineCode(line: string): boolean {
  // A computed module path (`require(${JSON.stringify(dir)})`) is still a module of the package.
  const code = line.replace(/^[\s\S]*?\s(?:-e|--eval|-p|--print|-pe)(?:\s+|=)/i, '');
  const known = code.replace(/require\(\s*\x00\s*\)/g, 'require(module)');
  return !known.includes(HOLE) && !DANGEROUS_INLINE.test(known);
}

export default defineRule({
  id: 'suspicious-command',
  meta: {
    type: 'problem',
    category: 'process',
    description: 'Reports command lines that download and run code, open reverse shells, mine, persist, abuse system binaries or run inline code.',
    defaults: { strict: 'error', audit: 'error', recommended: 'error' },
    messages: {
      downloadExec: '{{where}} {{label}}: `{{command}}`{{decoded}}.',
      encodedPowershell: '{{where}} {{label}}: `{{command}}`{{decoded}}.',
      reverseShell: '{{where}} {{label}}: `{{command}}`{{decoded}}.',
      miner: '{{where}} {{label}}: `{{command}}`{{decoded}}.',
      persistence: '{{where}} {{label}}: `{{command}}`{{decoded}}.',
      lolbin: '{{where}} {{label}}: `{{command}}`{{decoded}}.',
      defenseEvasion: '{{where}} {{label}}: `{{command}}`{{decoded}}.',
      inlineCode: '{{where}} {{label}}: `{{command}}`{{decoded}}.',
      chmodExec: '{{where}} {{label}}: `{{command}}`{{decoded}}.',
      interactiveShell: '`{{api}}` starts an interactive shell (`{{command}}`) in a file that opens network sockets: a reverse shell.',
    },
  },
  create(context) {
    const shells: ProcessCall[] = [];
    const reportThreats = (node: Node, lines: string[], where: string, decoders: readonly string[]): void => {
      const seen = new Set<string>();
      for (const line of lines) {
        for (const threat of commandThreats(line)) {
          if (threat.threat === 'destructive' || seen.has(threat.threat)) continue;
          seen.add(threat.threat);
          report(node, threat, line, where, decoders);
          if (seen.size >= 3) return;
        }
      }
    };
    const report = (node: Node, threat: CommandFinding, line: string, where: string, decoders: readonly string[]): void => {
      // `node -e "<constant code>"` that loads nothing dangerous (test harnesses do this) is only a
      // warning outside the strict profile.
      const mild = threat.threat === 'inlineCode' && context.profile !== 'strict' && decoders.length === 0 && isMildInlineCode(line);
      context.report({
        ...(mild ? { severity: 'warn' as const } : {}),
        node,
        messageId: threat.threat as MessageId,
        data: {
          where,
          label: threat.label,
          command: abbreviate(line, 90),
          decoded: decoders.length > 0 ? ` (decoded from ${decoders.join(', ')})` : '',
        },
      });
    };
    const check = (node: Node): void => {
      const call = processCallOf(context, node);
      if (call !== null) {
        reportThreats(node, call.lines, `\`${call.api}\` runs a command that`, call.decoders);
        if (call.kind !== 'shell' && call.lines.some((line) => INTERACTIVE_SHELL.test(line.trim()))) shells.push(call);
        return;
      }
      if (node.type === 'NewExpression') return;
      // Any exec-like function given a command string: `run(\`curl ${u} | sh\`)`.
      const callee = unwrap((node as Node & { callee: Node }).callee);
      const name = callee.type === 'Identifier' ? callee.name : staticMemberName(callee);
      const first = (node as Node & { arguments: Node[] }).arguments[0];
      if (name === null || !EXEC_LIKE.test(name) || first === undefined) return;
      // A function defined in this file is analysed where it runs its command, not here.
      if (localFunction(context, callee) !== null) return;
      const lines = symbolicStrings(context, first).filter((s) => s.replace(new RegExp(HOLE, 'g'), '').trim().length > 0);
      const decoders = [...(context.fold(first)?.decoders ?? [])];
      reportThreats(node, lines, `\`${name}\` is given a command that`, decoders);
    };
    const { visitor, facts } = withFacts(context, {
      CallExpression: check,
      OptionalCallExpression: check,
      NewExpression: check,
      'Program:exit': () => {
        if (shells.length === 0) return;
        const sockets = facts().sinks.some((sink) => sink.channel === 'socket' || sink.channel === 'websocket' || sink.origins.some((o) => o.channel === 'socket'));
        const instances = sockets || facts().sinks.some((s) => SOCKET_KINDS.has(networkInstanceOf(context, s.node)?.kind ?? ''));
        if (!sockets && !instances) return;
        for (const call of shells) {
          context.report({ node: call.node, messageId: 'interactiveShell', data: { api: call.api, command: abbreviate(call.lines.find((l) => INTERACTIVE_SHELL.test(l.trim())) ?? '', 40) } });
        }
      },
    });
    return visitor;
  },
});
