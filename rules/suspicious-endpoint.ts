// suspicious-endpoint: network destinations and download sources that ordinary code does not
// use: raw public IP addresses, TLDs favoured by malware, tunnels (ngrok, trycloudflare), OAST and
// request-bin services (interact.sh, burpcollaborator, webhook.site, pipedream), paste and
// anonymous file-sharing sites, dynamic DNS, URL shorteners, public-IP lookups, messenger bot and
// webhook APIs (Discord webhooks, the Telegram bot API, Slack hooks), and the cloud metadata
// service. The URL or host is folded (split strings, templates, variables), and only destinations
// count: a URL in a comment or an unused string is not reported. A warning, raised to an error
// when the endpoint receives sensitive data (exfiltration-flow) or serves a download that the
// file writes or runs.
import type { Node } from '@babel/types';
import { defineRule } from '../analyzer/rule-api.js';
import {
  classifyEndpoint,
  describeSources,
  fileFlows,
  hostOf,
  isLocalHost,
  symbolicStrings,
  urlsIn,
  withFacts,
  processCallOf,
  sinkTargets,
  type EndpointFinding,
  type NetworkSink,
} from './_audit.js';

const DOWNLOAD_TOOLS = /\b(?:curl|wget|iwr|irm|invoke-webrequest|invoke-restmethod|certutil|bitsadmin|start-bitstransfer|downloadstring|downloadfile)\b/i;

/** The suspicious endpoint a sink's own URL or host parts name (not those of the call that opened it). */
function ownEndpoint(context: Parameters<typeof symbolicStrings>[0], sink: NetworkSink): EndpointFinding | null {
  if (sink.channel === 'command') {
    for (const line of processCallOf(context, sink.node)?.lines ?? []) {
      for (const url of urlsIn(line)) {
        const found = classifyEndpoint(url);
        if (found !== null) return found;
      }
    }
    return null;
  }
  for (const { text, host } of sinkTargets(context, sink)) {
    const found = classifyEndpoint(host ? `//${text.trim()}` : text);
    if (found !== null) return found;
  }
  return null;
}

export default defineRule({
  id: 'suspicious-endpoint',
  meta: {
    type: 'problem',
    category: 'network',
    description: 'Reports network destinations on raw IPs, shady TLDs, tunnels, OAST, request-bin, paste, file-share and messenger-bot hosts, and the cloud metadata service.',
    defaults: { strict: 'warn', audit: 'warn', recommended: 'off' },
    messages: {
      endpoint: '`{{api}}` connects to {{label}}{{why}}.',
      cloudMetadata: '`{{api}}` queries {{label}}, where cloud credentials live{{why}}.',
    },
  },
  create(context) {
    const { visitor, facts } = withFacts(context, {
      'Program:exit': () => {
        const all = facts();
        const found: { sink: NetworkSink; endpoint: EndpointFinding }[] = [];
        for (const sink of all.sinks) {
          const endpoint = ownEndpoint(context, sink);
          if (endpoint !== null) found.push({ sink, endpoint });
        }
        if (found.length === 0) return;
        const flows = fileFlows(context, all);
        const writesOrRuns = all.processCalls.length > 0 || all.fsCalls.some((call) => call.paths.some((p) => p.op === 'write'));
        const elsewhere = all.sinks.some((sink) =>
          sink.parts.some((part) =>
            (part.role === 'url' || part.role === 'host') &&
            symbolicStrings(context, part.node).some((text) => {
              const host = part.role === 'host' ? hostOf(`//${text}`) : hostOf(text);
              return host !== null && !isLocalHost(host) && classifyEndpoint(part.role === 'host' ? `//${text}` : text)?.category !== 'cloudMetadata' && !host.includes('\u0000');
            }),
          ),
        );
        for (const { sink, endpoint } of found) {
          const flow = flows.find((f) => f.taint.mask !== 0 && (f.sink === sink || f.sink.origins.includes(sink)));
          let why = '';
          if (flow !== undefined) why = ` and sends it ${describeSources(flow.taint.mask)}`;
          else if (endpoint.category !== 'cloudMetadata') {
            const command = sink.channel === 'command' && processCallOf(context, sink.node)?.lines.some((line) => DOWNLOAD_TOOLS.test(line));
            const get = sink.channel === 'http' && (sink.method === null || sink.method === 'GET') && writesOrRuns;
            if (command || get) why = ' to download something the file then writes or runs';
          } else if (elsewhere) why = ' in a file that also sends requests elsewhere';
          context.report({
            node: sink.node as Node,
            messageId: endpoint.category === 'cloudMetadata' ? 'cloudMetadata' : 'endpoint',
            data: { api: sink.api, label: endpoint.label, why },
            ...(why !== '' ? { severity: 'error' as const } : {}),
          });
        }
      },
    });
    return visitor;
  },
});
