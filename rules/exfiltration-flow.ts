// exfiltration-flow: data from a sensitive source reaching a network sink in the same file.
// Sources: the environment (whole, or secret-named variables), machine identity (os.hostname,
// userInfo, networkInterfaces, homedir, USER/HOSTNAME variables, `whoami` output), credential
// files (SSH keys, registry and cloud tokens, browser and wallet data), cookies, web storage, form
// input, key events and the clipboard. Sinks: http/https/http2, net/tls sockets, dgram, dns,
// fetch and the common HTTP clients, XMLHttpRequest, WebSocket, EventSource, sendBeacon,
// image/script `src`, and curl/wget/nslookup command lines. The flow is followed through
// variables, object literals and their mutations, string operations, JSON, base64/hex, local
// functions and callbacks (analyzer/taint.ts). Reading a secret to authenticate to a service (a
// token in an Authorization header, an API key in a query to a fixed host) is not exfiltration;
// the shapes that are: see rules/_audit.ts `decideFlow`.
import { defineRule } from '../analyzer/rule-api.js';
import { abbreviate, describeDestination, describeSources, fileFlows, flowSourceLabels, withFacts } from './_audit.js';

export default defineRule({
  id: 'exfiltration-flow',
  meta: {
    type: 'problem',
    category: 'network',
    description: 'Reports environment, identity, credential, cookie, storage, input, keystroke and clipboard data flowing to a network sink.',
    defaults: { strict: 'error', audit: 'error', recommended: 'error' },
    messages: {
      flow: 'Data from {{kinds}} ({{sources}}) flows to `{{sink}}`{{destination}}{{reason}}.',
    },
  },
  create(context) {
    const { visitor, facts } = withFacts(context, {
      'Program:exit': () => {
        for (const flow of fileFlows(context, facts())) {
          if (flow.reportedMask === 0) continue;
          context.report({
            node: flow.sink.node,
            messageId: 'flow',
            data: {
              kinds: describeSources(flow.reportedMask),
              sources: abbreviate(flowSourceLabels(flow), 80),
              sink: flow.sink.api,
              destination: describeDestination(flow.destination),
              reason: flow.reason === '' ? '' : ` ${flow.reason}`,
            },
          });
        }
      },
    });
    return visitor;
  },
});
