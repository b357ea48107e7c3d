// fs-destructive: recursive deletion of the home folder, the working directory, the root or a
// system folder (fs.rm/rmSync/rmdir with `recursive`, rimraf, del, fs-extra remove/emptyDir,
// Deno.remove), wiping every entry listed from such a folder, writing raw disk devices, and shell
// commands that do the same (`rm -rf ~`, `rd /s /q C:\`, `Remove-Item -Recurse $HOME`, mkfs, dd).
import type { Node } from '@babel/types';
import { defineRule } from '../analyzer/rule-api.js';
import {
  abbreviate,
  destructiveCommand,
  fsCallOf,
  HOLE,
  isDestructiveTarget,
  processCallOf,
  symbolicPaths,
  withFacts,
  type FsCall,
} from './_audit.js';

const DISK_DEVICE = /^\/dev\/(?:sd[a-z]|hd[a-z]|nvme\d|xvd[a-z]|vd[a-z]|disk\d|mmcblk\d)/;

function describe(path: string): string {
  return abbreviate(path.split(HOLE).join('*'), 60);
}

export default defineRule({
  id: 'fs-destructive',
  meta: {
    type: 'problem',
    category: 'filesystem',
    description: 'Reports recursive deletion or wiping of the home folder, the working directory, the root or system folders, in code or in commands.',
    defaults: { strict: 'error', audit: 'error', recommended: 'error' },
    messages: {
      delete: '`{{api}}` recursively deletes `{{path}}`.',
      wipe: '`{{api}}` {{verb}} every entry listed from `{{path}}`.',
      disk: '`{{api}}` writes the raw disk device `{{path}}`.',
      command: '`{{api}}` runs a command that {{label}}: `{{command}}`.',
    },
  },
  create(context) {
    /** Writes and deletions of `<folder>/<unknown>` inside a destructive target; confirmed at exit. */
    const candidates: { call: FsCall; root: string; verb: string }[] = [];
    const check = (node: Node): void => {
      const call = fsCallOf(context, node);
      if (call !== null) {
        for (const { node: pathNode, op } of call.paths) {
          if (op !== 'delete' && op !== 'write') continue;
          for (const path of symbolicPaths(context, pathNode)) {
            if (op === 'write' && DISK_DEVICE.test(path)) {
              context.report({ node, messageId: 'disk', data: { api: call.api, path: describe(path) } });
              return;
            }
            if (op === 'delete' && call.recursive && !path.includes(HOLE) && isDestructiveTarget(path)) {
              context.report({ node, messageId: 'delete', data: { api: call.api, path: describe(path) } });
              return;
            }
            const slash = path.lastIndexOf('/');
            if (slash >= 0 && path.slice(slash + 1) === HOLE && isDestructiveTarget(path.slice(0, slash) || '/')) {
              candidates.push({ call, root: path.slice(0, slash) || '/', verb: op === 'delete' ? 'deletes' : 'overwrites' });
            }
          }
        }
        return;
      }
      const processCall = processCallOf(context, node);
      if (processCall === null) return;
      for (const line of processCall.lines) {
        const finding = destructiveCommand(line);
        if (finding === null) continue;
        context.report({ node, messageId: 'command', data: { api: processCall.api, label: finding.label, command: abbreviate(line, 80) } });
        return;
      }
    };
    const { visitor, facts } = withFacts(context, {
      CallExpression: check,
      OptionalCallExpression: check,
      'Program:exit': () => {
        if (candidates.length === 0) return;
        // A wiper lists a folder and then deletes or overwrites what it found.
        const listed = new Set<string>();
        for (const call of facts().fsCalls) {
          if (!/readdir|opendir|glob/i.test(call.api)) continue;
          for (const { node } of call.paths) for (const path of symbolicPaths(context, node)) listed.add(path.replace(/\/\*$/, ''));
        }
        const reported = new Set<Node>();
        for (const { call, root, verb } of candidates) {
          if (!listed.has(root) || reported.has(call.node)) continue;
          reported.add(call.node);
          context.report({ node: call.node, messageId: 'wipe', data: { api: call.api, verb, path: describe(root) } });
        }
      },
    });
    return visitor;
  },
});
