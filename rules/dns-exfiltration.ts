// dns-exfiltration: DNS queries whose host name is built from data under a fixed zone
// (`${hex(secret)}.x.attacker.example`), the covert channel that passes most firewalls: dns.lookup,
// dns.resolve*, dns.promises, dns.Resolver instances, and nslookup/dig/host/ping commands. A name
// counts as built from data when its variable part comes from a taint source or passes through
// an encoder or chunker (hex/base64, encodeURIComponent, slice, match(/.{1,63}/g)...).
import type { Node } from '@babel/types';
import { defineRule, type RuleContext } from '../analyzer/rule-api.js';
import { unwrap } from '../analyzer/evaluate.js';
import { parameterOf, callSitesOf, staticMemberName, taintEngine, logicalParent } from '../analyzer/taint.js';
import { AUDIT_TAINT, HOLE, abbreviate, describeSources, networkSinkOf, processCallOf, symbolicStrings, withFacts, type NetworkSink } from './_audit.js';

/** A host name with a variable part followed by a constant zone of at least two labels. */
const ZONE_AFTER_HOLE = /\x00[^\x00]*?\.((?:[a-z0-9-]+\.)+[a-z]{2,})\.?$/i;
/** Encoders that turn arbitrary data into DNS-safe labels; chunkers only count on top of them. */
const ENCODERS = /^(?:btoa|from|charCodeAt|codePointAt|hex|toHex|encode|base32|base64)$/;
const ENCODING_ARGUMENT = /^(?:hex|base64|base64url|base32|16|32|36)$/;

/** True when the variable part of a host name is computed from data (encoded, chunked). */
function encodedData(ctx: RuleContext, node: Node, depth: number): boolean {
  if (depth > 6) return false;
  const n = unwrap(node);
  switch (n.type) {
    case 'CallExpression':
    case 'OptionalCallExpression': {
      const callee = unwrap(n.callee);
      const name = callee.type === 'Identifier' ? callee.name : staticMemberName(callee);
      if (name !== null && ENCODERS.test(name)) return true;
      if (name === 'toString' && n.arguments[0]) {
        const encoding = ctx.foldStrings(n.arguments[0] as Node);
        if (encoding !== null && encoding.some((e) => ENCODING_ARGUMENT.test(e))) return true;
      }
      if (callee.type === 'MemberExpression' || callee.type === 'OptionalMemberExpression') return encodedData(ctx, callee.object, depth + 1);
      return false;
    }
    case 'TemplateLiteral':
      return n.expressions.some((e) => encodedData(ctx, e as Node, depth + 1));
    case 'BinaryExpression':
      return (n.left.type !== 'PrivateName' && encodedData(ctx, n.left, depth + 1)) || encodedData(ctx, n.right, depth + 1);
    case 'MemberExpression':
    case 'OptionalMemberExpression':
      return encodedData(ctx, n.object, depth + 1);
    case 'Identifier': {
      const binding = ctx.resolve(n);
      if (!binding) return false;
      const param = parameterOf(binding);
      if (param !== null) {
        // A callback over chunks (`chunks.forEach((c) => dns.lookup(c + zone))`) or a helper's argument.
        const { parent, key } = logicalParent(param.fn);
        if (parent !== null && key === 'arguments' && (parent.type === 'CallExpression' || parent.type === 'OptionalCallExpression')) {
          const callee = unwrap(parent.callee);
          if (callee.type === 'MemberExpression' || callee.type === 'OptionalMemberExpression') return encodedData(ctx, callee.object, depth + 1);
        }
        return callSitesOf(ctx, param.fn).some((site) => {
          const arg = site.args[param.index];
          return arg !== undefined && encodedData(ctx, arg, depth + 1);
        });
      }
      const declaration = ctx.parentOf(binding.declaration);
      const loop = declaration === null ? null : ctx.parentOf(declaration);
      if (loop !== null && (loop.type === 'ForOfStatement' || loop.type === 'ForInStatement')) return encodedData(ctx, loop.right, depth + 1);
      return [binding.init, ...binding.assignments].some((value) => value !== null && encodedData(ctx, value, depth + 1));
    }
    default:
      return false;
  }
}

export default defineRule({
  id: 'dns-exfiltration',
  meta: {
    type: 'problem',
    category: 'network',
    description: 'Reports DNS queries whose host name is built from encoded or sensitive data under a fixed zone.',
    defaults: { strict: 'error', audit: 'error', recommended: 'error' },
    messages: {
      lookup: '`{{api}}` queries `{{host}}`: a host name built from {{data}} under the fixed zone `{{zone}}` (DNS exfiltration).',
    },
  },
  create(context) {
    const sinks: { sink: NetworkSink; host: Node; text: string; zone: string }[] = [];
    const consider = (sink: NetworkSink, host: Node, candidates: readonly string[]): void => {
      for (const text of candidates) {
        const match = ZONE_AFTER_HOLE.exec(text.trim());
        if (match === null || match[1]!.includes(HOLE)) continue;
        sinks.push({ sink, host, text: text.trim(), zone: match[1]! });
        return;
      }
    };
    const check = (node: Node): void => {
      const sink = networkSinkOf(context, node);
      if (sink !== null && sink.channel === 'dns') {
        const host = sink.parts.find((p) => p.role === 'host');
        if (host !== undefined) consider(sink, host.node, symbolicStrings(context, host.node));
        return;
      }
      const call = processCallOf(context, node);
      if (call === null || call.commandNode === null) return;
      const hosts: string[] = [];
      for (const line of call.lines) {
        const found = /\b(?:nslookup|dig|host|ping|drill|resolve-dnsname)\b(?:\s+-\S+(?:\s+\d+)?)*\s+["']?([^\s;&|'"]+)/i.exec(line);
        if (found !== null) hosts.push(found[1]!);
      }
      if (hosts.length > 0) consider({ node, api: call.api, channel: 'dns', parts: [], origins: [], method: null }, call.argvNode ?? call.commandNode, hosts);
    };
    const { visitor, facts } = withFacts(context, {
      CallExpression: check,
      OptionalCallExpression: check,
      'Program:exit': () => {
        if (sinks.length === 0) return;
        const engine = taintEngine(context, facts().program, AUDIT_TAINT);
        for (const { sink, host, text, zone } of sinks) {
          const taint = engine.of(host);
          const data = taint.mask !== 0 ? describeSources(taint.mask) : encodedData(context, host, 0) ? 'encoded data' : null;
          if (data === null) continue;
          context.report({ node: sink.node, messageId: 'lookup', data: { api: sink.api, host: abbreviate(text, 60), data, zone } });
        }
      },
    });
    return visitor;
  },
});
