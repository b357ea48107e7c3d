// fs-sensitive-path: reads and writes of the files that hold credentials (SSH keys, cloud and
// registry tokens, browser profiles, wallets, system account data, .env files outside the
// package) and writes to persistence locations (shell start-up files, authorized_keys, cron,
// launch agents, systemd units, the Startup folder). Paths are folded over symbolic roots:
// `os.homedir()`, `process.env.HOME/USERPROFILE/APPDATA/LOCALAPPDATA`, `'~'`, `os.userInfo().homedir`,
// through `path.join/resolve`, templates, concatenation, lists iterated with forEach/for...of, and
// the arguments of local helper functions. Commands that read such files (`cat ~/.aws/credentials`)
// count too.
import type { Node } from '@babel/types';
import { defineRule } from '../analyzer/rule-api.js';
import {
  abbreviate,
  classifyPath,
  commandReadPaths,
  fsCallOf,
  HOLE,
  processCallOf,
  symbolicPaths,
  type FsOperation,
  type PathCategory,
} from './_audit.js';

const VERBS: Readonly<Record<FsOperation, string>> = { read: 'reads', probe: 'checks for', write: 'writes', delete: 'deletes' };

export default defineRule({
  id: 'fs-sensitive-path',
  meta: {
    type: 'problem',
    category: 'filesystem',
    description: 'Reports reads and writes of credential, browser-profile, wallet and system files, and writes to persistence locations.',
    defaults: { strict: 'error', audit: 'error', recommended: 'warn' },
    messages: {
      credential: '`{{api}}` {{verb}} {{label}}: `{{path}}`.',
      system: '`{{api}}` {{verb}} {{label}}: `{{path}}`.',
      browser: '`{{api}}` {{verb}} {{label}}: `{{path}}`.',
      wallet: '`{{api}}` {{verb}} {{label}}: `{{path}}`.',
      persistence: '`{{api}}` {{verb}} {{label}} (persistence): `{{path}}`.',
      credentialWrite: '`{{api}}` {{verb}} {{label}}: `{{path}}`.',
      envFile: '`{{api}}` {{verb}} {{label}}: `{{path}}`.',
      command: '`{{api}}` runs a command that reads {{label}}: `{{command}}`.',
    },
  },
  create(context) {
    const check = (node: Node): void => {
      const call = fsCallOf(context, node);
      if (call !== null) {
        for (const { node: pathNode, op } of call.paths) {
          for (const path of symbolicPaths(context, pathNode)) {
            const finding = classifyPath(path, op);
            if (finding === null) continue;
            context.report({
              node,
              messageId: finding.category as PathCategory,
              data: { api: call.api, verb: VERBS[op], label: finding.label, path: abbreviate(path.split(HOLE).join('*'), 80) },
            });
            return;
          }
        }
        return;
      }
      const processCall = processCallOf(context, node);
      if (processCall === null) return;
      for (const line of processCall.lines) {
        const [first] = commandReadPaths(line);
        if (first === undefined) continue;
        context.report({ node, messageId: 'command', data: { api: processCall.api, label: first.finding.label, command: abbreviate(line, 80) } });
        return;
      }
    };
    return { CallExpression: check, OptionalCallExpression: check, NewExpression: check };
  },
});
