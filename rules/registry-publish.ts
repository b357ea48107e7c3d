// registry-publish: self-propagation, the npm worm pattern. A file that reads npm tokens (the
// NPM_TOKEN / NODE_AUTH_TOKEN variables, an .npmrc, `_authToken` entries) and publishes
// (`npm publish`, `npm access`, `npm owner add`, `npm token create`, libnpmpublish) or writes to
// the registry API (PUT/DELETE to registry hosts, `/-/user/`, `/-/npm/v1/tokens`), and code that
// injects install hooks (preinstall/install/postinstall) into a package.json it writes.
import type { Node } from '@babel/types';
import { defineRule } from '../analyzer/rule-api.js';
import { unwrap } from '../analyzer/evaluate.js';
import { propertyName, staticMemberName } from '../analyzer/taint.js';
import { abbreviate, destinationOf, envReadNames, hostOf, symbolicPaths, symbolicStrings, withFacts, type NetworkSink } from './_audit.js';

const TOKEN_ENV = /^(?:NPM_TOKEN|NPM_AUTH_TOKEN|NODE_AUTH_TOKEN|NPM_CONFIG__AUTH(?:TOKEN)?|NPM_CONFIG_\/\/.*_AUTHTOKEN|.*NPM.*TOKEN.*)$/i;
const PUBLISH = /\b(?:npm|pnpm|yarn)(?:\.cmd)?\s+(?:--?[\w-]+(?:=\S+)?\s+)*(?:npm\s+)?(?:publish|unpublish|access\s+(?:grant|set|public|restricted|add)|owner\s+add|dist-tag\s+add|token\s+create|adduser|deprecate)\b/i;
const TOKEN_COMMAND = /\bnpm\s+(?:token\s+list|config\s+get\s+\S*_authToken|whoami)\b/i;
const SCRIPT_INJECT = /\bnpm\s+pkg\s+set\s+["']?scripts\.(?:pre|post)?install\b/i;
const REGISTRY_HOSTS = /^(?:registry\.npmjs\.(?:org|com)|registry\.yarnpkg\.com|npm\.pkg\.github\.com|registry\.npmmirror\.com|[\w.-]*npm[\w.-]*registry[\w.-]*)$/i;
const REGISTRY_WRITE_PATH = /\/-\/(?:user\/|npm\/v1\/tokens|package\/[^/]+\/(?:access|collaborators|dist-tags))/i;
const INSTALL_HOOKS: ReadonlySet<string> = new Set(['preinstall', 'install', 'postinstall']);
const PUBLISH_APIS: ReadonlySet<string> = new Set(['module:libnpmpublish.publish', 'module:libnpmpublish.unpublish', 'module:libnpmaccess.grant', 'module:libnpmaccess.setAccess']);

export default defineRule({
  id: 'registry-publish',
  meta: {
    type: 'problem',
    category: 'install-time',
    description: 'Reports npm self-propagation: publishing or registry writes in a file that reads npm tokens, and install hooks injected into package.json.',
    defaults: { strict: 'error', audit: 'error', recommended: 'error' },
    messages: {
      publish: '`{{api}}` runs `{{command}}` in a file that reads npm tokens ({{token}}): self-propagation.',
      registryWrite: '`{{api}}` sends a {{method}} to the npm registry (`{{url}}`) in a file that reads npm tokens ({{token}}).',
      scriptsRewrite: 'Injects the `{{hook}}` install hook into a package.json the file writes{{how}}.',
      republish: '`{{api}}` runs `{{command}}` after the file renames the package in the package.json it writes: self-propagation.',
    },
  },
  create(context) {
    const tokens: string[] = [];
    const publishes: { node: Node; api: string; command: string }[] = [];
    const injections: { node: Node; hook: string; how: string }[] = [];
    const manifestRenames: { node: Node; field: string }[] = [];
    const noteEnv = (names: readonly string[] | null): void => {
      const token = names?.find((n) => TOKEN_ENV.test(n));
      if (token !== undefined && tokens.length < 4) tokens.push(`process.env.${token}`);
    };
    const hooksIn = (node: Node): string | null => {
      const inner = unwrap(node);
      if (inner.type !== 'ObjectExpression') return null;
      for (const property of inner.properties) {
        const name = propertyName(context, property);
        if (name !== null && INSTALL_HOOKS.has(name)) return name;
      }
      return null;
    };
    const { visitor, facts } = withFacts(context, {
      MemberExpression: (node: Node & { object: Node }) => {
        if (context.values(node.object).has('process.env')) noteEnv(envReadNames(context, node));
      },
      ObjectProperty: (node: Node & { value: Node }) => {
        const parent = context.parentOf(node);
        if (parent?.type === 'ObjectPattern') {
          for (const value of context.ownValues(node)) if (value.startsWith('process.env.')) noteEnv([value.slice(12)]);
          return;
        }
        // { scripts: { postinstall: '...' } }
        if (propertyName(context, node) === 'scripts') {
          const hook = hooksIn(node.value);
          if (hook !== null) injections.push({ node, hook, how: '' });
        }
      },
      StringLiteral: (node: Node & { value: string }) => {
        if (node.value.includes('_authToken') && tokens.length < 4) tokens.push('`_authToken` entries');
      },
      TemplateElement: (node: Node & { value: { raw: string } }) => {
        if (node.value.raw.includes('_authToken') && tokens.length < 4) tokens.push('`_authToken` entries');
      },
      AssignmentExpression: (node: Node & { left: Node; right: Node }) => {
        // pkg.scripts.postinstall = '...'; pkg.scripts = { ...pkg.scripts, postinstall: '...' }
        const left = unwrap(node.left);
        const name = context.memberKeys(left)?.[0] ?? null;
        if (name === null) return;
        if (name === 'name' || name === 'version') {
          // A worm gives its copy a fresh identity before publishing it.
          const object = unwrap((left as Node & { object: Node }).object);
          if (object.type === 'Identifier' && /pkg|package|manifest|json/i.test(object.name)) manifestRenames.push({ node, field: name });
        }
        if (INSTALL_HOOKS.has(name)) {
          const object = unwrap((left as Node & { object: Node }).object);
          const parentName = context.memberKeys(object)?.[0] ?? null;
          if (parentName === 'scripts') injections.push({ node, hook: name, how: ` (\`${abbreviate(context.text(left), 40)}\`)` });
        } else if (name === 'scripts') {
          const hook = hooksIn(node.right);
          if (hook !== null) injections.push({ node, hook, how: ` (\`${abbreviate(context.text(left), 40)}\`)` });
        }
      },
      'Program:exit': () => {
        const all = facts();
        for (const call of all.fsCalls) {
          for (const { node, op } of call.paths) {
            if (op !== 'read') continue;
            if (symbolicPaths(context, node).some((p) => /(?:^|\/)\.npmrc$/.test(p))) tokens.push(`${call.api}(.npmrc)`);
          }
        }
        for (const call of all.processCalls) {
          for (const line of call.lines) {
            if (TOKEN_COMMAND.test(line)) tokens.push(`\`${abbreviate(line, 30)}\``);
            const publish = PUBLISH.exec(line);
            if (publish !== null) publishes.push({ node: call.node, api: call.api, command: publish[0] });
            if (SCRIPT_INJECT.test(line)) injections.push({ node: call.node, hook: 'install', how: ` (\`${abbreviate(line, 50)}\`)` });
          }
        }
        const writesPackageJson = all.fsCalls.some((call) => call.paths.some((p) => p.op === 'write' && symbolicStrings(context, p.node).some((s) => /(?:^|[\\/])package\.json$/i.test(s.trim()))));
        const token = tokens.length > 0 ? [...new Set(tokens)].slice(0, 2).join(', ') : null;
        const renamed = writesPackageJson ? manifestRenames.find((r) => r.field === 'name') : undefined;
        if (token === null && renamed !== undefined) {
          for (const { node, api, command } of publishes) context.report({ node, messageId: 'republish', data: { api, command } });
        }
        if (token !== null) {
          for (const { node, api, command } of publishes) context.report({ node, messageId: 'publish', data: { api, command, token } });
          for (const sink of all.sinks) {
            const write = registryWrite(sink);
            if (write !== null) context.report({ node: sink.node, messageId: 'registryWrite', data: { api: sink.api, method: write.method, url: abbreviate(write.url, 60), token } });
          }
        }
        if (injections.length > 0) {
          if (writesPackageJson) for (const { node, hook, how } of injections) context.report({ node, messageId: 'scriptsRewrite', data: { hook, how } });
        }
      },
      CallExpression: (node: Node & { callee: Node }) => {
        for (const value of context.values(node.callee)) {
          if (PUBLISH_APIS.has(value)) publishes.push({ node, api: value.slice(7), command: staticMemberName(unwrap(node.callee)) ?? 'publish' });
        }
      },
    });

    function registryWrite(sink: NetworkSink): { method: string; url: string } | null {
      if (sink.channel !== 'http') return null;
      const destination = destinationOf(context, sink);
      for (const url of destination.targets) {
        const host = hostOf(url) ?? hostOf(`//${url}`);
        if (host === null || !REGISTRY_HOSTS.test(host)) continue;
        const method = sink.method ?? sink.origins.find((o) => o.method !== null)?.method ?? null;
        if (method === 'PUT' || method === 'DELETE' || REGISTRY_WRITE_PATH.test(url)) return { method: method ?? 'request', url };
      }
      return null;
    }
    return visitor;
  },
});
