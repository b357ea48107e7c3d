// browser-data-theft: keyloggers, clipboard theft and hijacking, form skimming, and cookie or
// storage harvesting in browser code. With a network sink the data reaches (exfiltration-flow's
// taint), each is reported at its source: the key listener, the clipboard read, the form field
// query, the cookie or storage read. Without one, only the shapes that are suspicious on their
// own are reported, as warnings: a page-wide key listener that buffers keystrokes, a clipboard
// read, and a crypto address written to the clipboard (an error when the file also reads the
// clipboard or matches addresses: a clipper).
import type { Node } from '@babel/types';
import { defineRule } from '../analyzer/rule-api.js';
import { unwrap } from '../analyzer/evaluate.js';
import { isFunction, logicalParent, staticMemberName } from '../analyzer/taint.js';
import { abbreviate, BROWSER_SOURCES, calleeValuesOf, fileFlows, SOURCE, withFacts } from './_audit.js';

const GLOBAL_TARGETS: ReadonlySet<string> = new Set(['globalThis', 'document', 'document.body', 'document.documentElement']);
const KEY_EVENT = /^(?:keydown|keypress|keyup|input|beforeinput|textinput)$/i;
const KEY_FIELDS: ReadonlySet<string> = new Set(['key', 'keyCode', 'which', 'code', 'charCode', 'data', 'value']);
const ADDRESS = /^(?:bc1[a-z0-9]{25,59}|[13][a-km-zA-HJ-NP-Z1-9]{25,34}|0x[a-fA-F0-9]{40}|T[1-9A-HJ-NP-Za-km-z]{33}|4[0-9AB][1-9A-HJ-NP-Za-km-z]{93}|[LM][a-km-zA-HJ-NP-Z1-9]{26,33}|D[5-9A-HJ-NP-U][1-9A-HJ-NP-Za-km-z]{32})$/;
const ADDRESS_PATTERN = /0x\[a-fA-F0-9\]\{40\}|0x\[0-9a-fA-F\]\{40\}|bc1|\[13\]\[a-km-zA-HJ-NP-Z1-9\]|\^T\[|\[a-km-zA-HJ-NP-Z1-9\]\{2[5-9]/;

type MessageId = 'keylogger' | 'clipboardRead' | 'clipboardHijack' | 'formSkimming' | 'cookieHarvest' | 'storageHarvest';

export default defineRule({
  id: 'browser-data-theft',
  meta: {
    type: 'problem',
    category: 'browser',
    description: 'Reports keyloggers, clipboard theft and hijacking, form skimming, and cookie or storage harvesting, as errors when the data reaches the network.',
    defaults: { strict: 'error', audit: 'warn', recommended: 'off' },
    messages: {
      keylogger: '{{what}}{{sink}}.',
      clipboardRead: '{{what}}{{sink}}.',
      clipboardHijack: '{{what}}.',
      formSkimming: '{{what}}{{sink}}.',
      cookieHarvest: '{{what}}{{sink}}.',
      storageHarvest: '{{what}}{{sink}}.',
    },
  },
  create(context) {
    const pending: { node: Node; messageId: MessageId; what: string }[] = [];
    const addresses: { node: Node; value: string }[] = [];
    let readsClipboard = false;
    let matchesAddresses = false;

    /** A page-wide key listener whose handler appends key data to a variable outside it. */
    const bufferedKeys = (fn: Node): boolean => {
      const param = (fn as Node & { params?: Node[] }).params?.[0];
      if (param === undefined || param.type !== 'Identifier') return false;
      const binding = context.resolve(param);
      if (!binding) return false;
      const start = fn.start ?? 0;
      const end = fn.end ?? 0;
      const outside = (target: Node): boolean => {
        const root = unwrap(target);
        let id: Node = root;
        while (id.type === 'MemberExpression' || id.type === 'OptionalMemberExpression') id = (id as Node & { object: Node }).object;
        if (id.type !== 'Identifier') return false;
        const b = context.resolve(id);
        if (b === null) return true;
        if (!b || b.id === null) return false;
        return (b.id.start ?? 0) < start || (b.id.start ?? 0) > end;
      };
      return binding.references.some((reference) => {
        const { parent, key } = logicalParent(reference);
        if (parent === null || key !== 'object' || !KEY_FIELDS.has(staticMemberName(parent) ?? '') && staticMemberName(parent) !== 'target') return false;
        for (let node: Node | null = parent, depth = 0; node !== null && node !== fn && depth < 8; node = context.parentOf(node), depth++) {
          const up = context.parentOf(node);
          if (up === null) return false;
          if (up.type === 'AssignmentExpression' && context.parentKeyOf(node) === 'right' && outside(up.left)) return true;
          if ((up.type === 'CallExpression' || up.type === 'OptionalCallExpression') && context.parentKeyOf(node) === 'arguments') {
            const callee = unwrap(up.callee);
            const method = staticMemberName(callee);
            if ((method === 'push' || method === 'concat' || method === 'append') && outside((callee as Node & { object: Node }).object)) return true;
          }
        }
        return false;
      });
    };

    const check = (node: Node): void => {
      const call = node as Node & { callee: Node; arguments: Node[] };
      const callee = unwrap(call.callee);
      const method = staticMemberName(callee);
      if (method === null) return;
      if (method === 'addEventListener' && call.arguments.length >= 2) {
        const types = context.foldStrings(call.arguments[0]!);
        const handler = unwrap(call.arguments[1]!);
        if (types === null || !types.some((t) => KEY_EVENT.test(t)) || !isFunction(handler)) return;
        const target = context.values((callee as Node & { object: Node }).object);
        if (![...target].some((v) => GLOBAL_TARGETS.has(v))) return;
        if (bufferedKeys(handler)) pending.push({ node, messageId: 'keylogger', what: `A ${types.join('|')} listener on the page buffers keystrokes` });
        return;
      }
      const values = calleeValuesOf(context, call);
      if (values.has('navigator.clipboard.readText') || values.has('navigator.clipboard.read')) {
        readsClipboard = true;
        pending.push({ node, messageId: 'clipboardRead', what: 'Reads the clipboard' });
        return;
      }
      if (values.has('navigator.clipboard.writeText') || method === 'setData') {
        const arg = call.arguments[method === 'setData' ? 1 : 0];
        const folded = arg ? context.foldStrings(arg) : null;
        const address = folded?.find((s) => ADDRESS.test(s.trim()));
        if (address !== undefined) addresses.push({ node, value: address });
        if (method === 'getData') readsClipboard = true;
        return;
      }
      if (method === 'getData' && context.text(callee).includes('clipboardData')) readsClipboard = true;
    };
    const checkAssignment = (node: Node & { left: Node; right: Node }): void => {
      // document.onkeypress = function (e) { buf += e.key }
      const left = unwrap(node.left);
      const name = staticMemberName(left);
      if (name === null || !/^on(?:keydown|keypress|keyup|input)$/.test(name)) return;
      const target = context.values((left as Node & { object: Node }).object);
      const handler = unwrap(node.right);
      if ([...target].some((v) => GLOBAL_TARGETS.has(v)) && isFunction(handler) && bufferedKeys(handler)) {
        pending.push({ node, messageId: 'keylogger', what: `A page-wide ${name} handler buffers keystrokes` });
      }
    };
    const { visitor, facts } = withFacts(context, {
      CallExpression: check,
      OptionalCallExpression: check,
      AssignmentExpression: checkAssignment,
      RegExpLiteral: (node: Node & { pattern: string }) => {
        if (ADDRESS_PATTERN.test(node.pattern)) matchesAddresses = true;
      },
      'Program:exit': () => {
        const reported = new Set<string>();
        const report = (node: Node, messageId: MessageId, what: string, sink: string, error: boolean): void => {
          const key = `${node.start}:${messageId}`;
          if (reported.has(key)) return;
          reported.add(key);
          context.report({ node, messageId, data: { what, sink }, ...(error ? { severity: 'error' as const } : {}) });
        };
        for (const flow of fileFlows(context, facts())) {
          if ((flow.taint.mask & BROWSER_SOURCES) === 0) continue;
          const sink = ` and sends it to \`${flow.sink.api}\``;
          for (const origin of flow.taint.origins) {
            if ((origin.mask & SOURCE.keys) !== 0) report(origin.node, 'keylogger', `Keystrokes captured by ${origin.label}`, sink, true);
            else if ((origin.mask & SOURCE.clipboard) !== 0) report(origin.node, 'clipboardRead', `Clipboard contents (${origin.label})`, sink, true);
            else if ((origin.mask & (SOURCE.sensitiveInput | SOURCE.input)) !== 0 && (flow.reportedMask & (SOURCE.sensitiveInput | SOURCE.input)) !== 0) {
              report(origin.node, 'formSkimming', `Form data read by ${abbreviate(origin.label, 60)}`, sink, true);
            } else if ((origin.mask & SOURCE.cookie) !== 0 && (flow.reportedMask & SOURCE.cookie) !== 0) report(origin.node, 'cookieHarvest', 'Cookies are read', sink, true);
            else if ((origin.mask & SOURCE.storageAll) !== 0 && (flow.reportedMask & SOURCE.storageAll) !== 0) {
              report(origin.node, 'storageHarvest', `Web storage (${origin.label}) is read whole`, sink, true);
            }
          }
        }
        const flagged = new Set([...reported].map((k) => k.split(':')[0]));
        for (const { node, messageId, what } of pending) {
          if (flagged.has(String(node.start))) continue;
          report(node, messageId, what, '', false);
        }
        for (const { node, value } of addresses) {
          const clipper = readsClipboard || matchesAddresses;
          report(node, 'clipboardHijack', `Writes the crypto address \`${abbreviate(value, 48)}\` to the clipboard${clipper ? ' in a file that reads the clipboard or matches addresses (a clipper)' : ''}`, '', clipper);
        }
      },
    });
    return visitor;
  },
});
