// no-network: every outbound network capability: http/https/http2 requests, net/tls
// connections, dgram sockets, DNS lookups, fetch and the common HTTP clients, XMLHttpRequest,
// WebSocket, EventSource, sendBeacon and image/script `src` loads, however the function is
// reached (aliases, destructuring, folded names, Reflect). A network function handed to other
// code (`new Client({ fetch })`) counts too. The `allowHosts` option lists hosts that may be
// contacted (`api.example.com`, `*.example.com`); a call is allowed when every destination it may
// have folds to a listed host.
import type { Node } from '@babel/types';
import { defineRule } from '../analyzer/rule-api.js';
import { logicalParent } from '../analyzer/taint.js';
import { TRANSPARENT_WRAPPERS } from '../analyzer/walk.js';
import { abbreviate, calleeValuesOf, destinationOf, displayPath, hostOf, HOLE, NETWORK_FACTORIES, NETWORK_PATHS, networkSinkOf } from './_audit.js';

function allowed(host: string, patterns: readonly string[]): boolean {
  for (const raw of patterns) {
    const pattern = raw.toLowerCase();
    if (pattern === host) return true;
    if (pattern.startsWith('*.') && (host.endsWith(pattern.slice(1)) || host === pattern.slice(2))) return true;
  }
  return false;
}

export default defineRule({
  id: 'no-network',
  meta: {
    type: 'problem',
    category: 'network',
    description: 'Reports every outbound network capability (Node network modules, fetch, XMLHttpRequest, WebSocket, EventSource, sendBeacon), with an optional host allowlist.',
    defaults: { strict: 'error', audit: 'off', recommended: 'off' },
    messages: {
      network: '`{{api}}` opens an outbound network connection{{destination}}.',
      reference: '`{{api}}` is handed to other code, which can use the network with it.',
    },
  },
  create(context) {
    const allowHosts = Array.isArray(context.options.allowHosts) ? (context.options.allowHosts as unknown[]).filter((h): h is string => typeof h === 'string') : [];
    const check = (node: Node): void => {
      const sink = networkSinkOf(context, node);
      if (sink !== null && !sink.instance && sink.channel !== 'command') {
        const destination = destinationOf(context, sink);
        const hosts = destination.targets.map((t) => (t.includes('://') || t.startsWith('//') ? hostOf(t) : hostOf(`//${t}`)));
        if (allowHosts.length > 0 && hosts.length > 0 && hosts.every((h) => h !== null && !h.includes(HOLE) && allowed(h, allowHosts))) return;
        const first = destination.targets.find((t) => !t.startsWith(HOLE));
        context.report({ node, messageId: 'network', data: { api: sink.api, destination: first ? ` to \`${abbreviate(first, 60)}\`` : '' } });
        return;
      }
      if (sink === null && node.type !== 'AssignmentExpression') {
        const values = calleeValuesOf(context, node as Node & { callee: Node });
        for (const value of values) {
          if (NETWORK_FACTORIES.has(value)) {
            context.report({ node, messageId: 'network', data: { api: displayPath(value), destination: '' } });
            return;
          }
        }
      }
    };
    const checkReference = (node: Node): void => {
      const direct = context.parentOf(node);
      if (direct === null || !(direct.type === 'CallExpression' || direct.type === 'NewExpression' || direct.type === 'OptionalCallExpression' || direct.type === 'ObjectProperty' || direct.type === 'ArrayExpression' || TRANSPARENT_WRAPPERS.has(direct.type))) return;
      const { parent, key } = logicalParent(node);
      if (parent === null) return;
      const escapes = key === 'arguments' || (parent.type === 'ObjectProperty' && key === 'value' && context.parentOf(parent)?.type === 'ObjectExpression') || parent.type === 'ArrayExpression';
      if (!escapes) return;
      for (const value of context.values(node)) {
        if (!NETWORK_PATHS.has(value)) continue;
        if (key === 'arguments') {
          // Reflect.apply(fetch, ...) and friends are calls, reported as such.
          const callee = calleeValuesOf(context, parent as Node & { callee: Node });
          if (callee.has(value)) return;
        }
        context.report({ node, messageId: 'reference', data: { api: displayPath(value) } });
        return;
      }
    };
    return {
      CallExpression: check,
      OptionalCallExpression: check,
      NewExpression: check,
      AssignmentExpression: check,
      Identifier: checkReference,
      MemberExpression: checkReference,
    };
  },
});
