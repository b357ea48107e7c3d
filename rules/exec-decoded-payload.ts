// exec-decoded-payload: a decoded constant, or data from the network, DNS or a file, reaching
// something that runs it: eval, the Function constructors, vm, string timers, Module._compile, a
// `new Worker(..., { eval: true })`, a module loader (a decoded specifier or an encoded `data:` URL),
// or a shell. This is the CWE-506 "hardcoded data interpreted as code" backdoor and the
// download-and-run dropper. Decoders are base64, hex, character codes, XOR (maps and loops, which the
// evaluator replays on constants), reversal, URI escapes, zlib, decryption and the p,a,c,k,e,d
// packer; the message shows what the payload decodes to whenever it folds. The bare `eval` reference
// is no-eval's finding; this one is about the hidden payload.
import type { Node } from '@babel/types';
import { defineRule } from '../analyzer/rule-api.js';
import type { RuleContext } from '../analyzer/rule-api.js';
import { unwrap } from '../analyzer/evaluate.js';
import type { Const } from '../analyzer/evaluate.js';
import {
  constText,
  dataUrlPayload,
  decodedCalleeName,
  decodingOperations,
  describeDecoders,
  execSink,
  packerCall,
  preview,
  sinkOfPath,
  suspiciousFile,
  traceFlow,
} from './_obfuscation.js';
import type { ExecSink, Flow, FlowSource } from './_obfuscation.js';

type MessageId =
  | 'decodedPayload'
  | 'decodedCommand'
  | 'decodedModule'
  | 'dataUrlModule'
  | 'decodedInput'
  | 'remotePayload'
  | 'filePayload'
  | 'packedPayload'
  | 'decodedSink';

/** Sinks that take a URL of code rather than code. */
const URL_SINKS: ReadonlySet<string> = new Set(['new Worker', 'new SharedWorker', 'importScripts']);

/** Methods whose callback receives the receiver's data: `fetch(u).then(r => r.text()).then(eval)`. */
const CALLBACK_METHODS: ReadonlySet<string> = new Set(['then', 'on', 'once', 'addListener', 'addEventListener', 'map', 'forEach']);

export default defineRule({
  id: 'exec-decoded-payload',
  meta: {
    type: 'problem',
    category: 'obfuscation',
    description:
      'Disallows decoded constants (base64, hex, character codes, XOR, reversed, packed) and network, DNS or file data reaching eval, Function, vm, timers, module loaders or a shell.',
    defaults: { strict: 'error', audit: 'error', recommended: 'error' },
    messages: {
      decodedPayload: 'Code decoded with {{decoders}} reaches `{{sink}}`: "{{preview}}".',
      decodedCommand: 'A command decoded with {{decoders}} reaches `{{sink}}`: "{{preview}}".',
      decodedModule: 'The module loaded by `{{sink}}` is named by {{decoders}} decoding: \'{{preview}}\'.',
      dataUrlModule: '`{{sink}}` loads code hidden in an encoded `data:` URL: "{{preview}}".',
      decodedInput: 'The output of {{decoders}} decoding reaches `{{sink}}`{{piece}}.',
      remotePayload: 'Data from {{source}}{{decoded}} reaches `{{sink}}`: code from outside the file is run.',
      filePayload: 'Data read by {{source}}{{decoded}} reaches `{{sink}}`.',
      packedPayload: 'Packed code (`function(p,a,c,k,e,d)`) is unpacked and run by `{{sink}}`{{preview}}.',
      decodedSink: '`{{sink}}` is reached through a name decoded with {{decoders}}: \'{{name}}\'.',
    },
  },
  create(context) {
    const check = (node: Node): void => {
      const args = (node as { arguments: Node[] }).arguments;
      if (args.length === 0) return;
      if (args.every(inertArgument) && !maybeDecodedCallee(context, (node as { callee: Node }).callee)) {
        callbackSink(context, node);
        return;
      }
      const sink = execSink(context, node);
      if (sink === null) {
        callbackSink(context, node);
        return;
      }
      if (checkPayload(context, node, sink)) return;
      const decodedName = decodedCalleeName(context, (node as { callee: Node }).callee);
      if (decodedName !== null) {
        context.report({
          node,
          messageId: 'decodedSink',
          data: { sink: sink.name, decoders: describeDecoders(decodedName.decoders), name: preview(decodedName.name, 40) },
        });
      }
    };
    const checkStaticImport = (node: Node & { source?: Node | null }): void => {
      const source = node.source;
      if (!source || source.type !== 'StringLiteral' || !/^\s*data:/i.test(source.value)) return;
      const payload = dataUrlPayload(source.value);
      if (payload === null || !payload.encoded) return;
      context.report({ node: source, messageId: 'dataUrlModule', data: { sink: 'import', preview: preview(payload.text) } });
    };
    return {
      CallExpression: check,
      OptionalCallExpression: check,
      NewExpression: check,
      ImportDeclaration: checkStaticImport,
      ExportAllDeclaration: checkStaticImport,
      ExportNamedDeclaration: checkStaticImport,
    };
  },
});

/** A cheap look at a callee: could its name be computed (`g[k]`, an alias of one, `.call` of one)? */
function maybeDecodedCallee(context: RuleContext<MessageId>, callee: Node, depth = 0): boolean {
  const inner = unwrap(callee);
  if (inner.type === 'MemberExpression' || inner.type === 'OptionalMemberExpression') {
    if (inner.computed && inner.property.type !== 'StringLiteral' && inner.property.type !== 'NumericLiteral') return true;
    return depth < 3 && maybeDecodedCallee(context, inner.object, depth + 1);
  }
  if (inner.type === 'CallExpression') return depth < 3 && maybeDecodedCallee(context, inner.callee, depth + 1) || inner.arguments.some((a) => a.type === 'CallExpression');
  if (inner.type === 'Identifier' && depth < 3) {
    const binding = context.resolve(inner);
    return !!binding && binding.init !== null && binding.kind !== 'function' && binding.kind !== 'import' && maybeDecodedCallee(context, binding.init, depth + 1);
  }
  return false;
}

/** Arguments that can carry no payload: numbers, functions, and strings other than `data:` URLs. */
function inertArgument(node: Node): boolean {
  switch (node.type) {
    case 'StringLiteral':
      return !/^\s*data:/i.test(node.value);
    case 'NumericLiteral':
    case 'BooleanLiteral':
    case 'NullLiteral':
    case 'ArrowFunctionExpression':
    case 'FunctionExpression':
    case 'ObjectExpression':
    case 'RegExpLiteral':
      return true;
    case 'TemplateLiteral':
      return node.expressions.length === 0 && !/^\s*data:/i.test(node.quasis[0]?.value.cooked ?? '');
    default:
      return false;
  }
}

/** Reports the first payload argument that is decoded or comes from outside; true when reported. */
function checkPayload(context: RuleContext<MessageId>, node: Node, sink: ExecSink): boolean {
  for (const arg of sink.payload) {
    const packed = packerCall(context, arg);
    if (packed !== null) {
      context.report({
        node,
        messageId: 'packedPayload',
        data: { sink: sink.name, preview: packed.unpacked === null ? '' : `: "${preview(packed.unpacked)}"` },
      });
      return true;
    }
    const folded = context.fold(arg);
    if (folded !== null) {
      const decoders = decodingOperations(folded.decoders);
      const text = folded.values.length > 0 ? constText(folded.values[0]!) : null;
      if ((sink.kind === 'loader' || URL_SINKS.has(sink.name)) && text !== null) {
        const dataUrl = dataUrlPayload(text);
        if (dataUrl !== null && (dataUrl.encoded || decoders.size > 0)) {
          context.report({ node, messageId: 'dataUrlModule', data: { sink: sink.name, preview: preview(dataUrl.text) } });
          return true;
        }
      }
      if (decoders.size === 0 || text === null) continue;
      // Decoders used only for formatting (`String.fromCharCode(10)`) do not make a payload.
      const flow = traceFlow(context, arg);
      if (flow.formatting > 0 && flow.decoders.size === 0) continue;
      const messageId = sink.kind === 'loader' ? 'decodedModule' : sink.kind === 'shell' ? 'decodedCommand' : 'decodedPayload';
      context.report({ node, messageId, data: { sink: sink.name, decoders: describeDecoders(new Set([...decoders, ...flow.decoders])), preview: preview(text) } });
      return true;
    }
    if (reportFlow(context, node, sink.name, traceFlow(context, arg))) return true;
  }
  return false;
}

/** Reports a flow from a source or through decoders into a sink; true when reported. */
function reportFlow(context: RuleContext<MessageId>, node: Node, sinkName: string, flow: Flow): boolean {
  const remote = flow.sources.find((s) => s.kind === 'network' || s.kind === 'dns');
  const decoded = flow.decoders.size > 0 ? `, decoded with ${describeDecoders(flow.decoders)},` : '';
  if (remote !== undefined) {
    context.report({ node, messageId: 'remotePayload', data: { sink: sinkName, source: describeSource(remote), decoded } });
    return true;
  }
  const file = flow.sources.find((s) => s.kind === 'file' && (suspiciousFile(s) || flow.decoders.size > 0));
  if (file !== undefined) {
    context.report({ node, messageId: 'filePayload', data: { sink: sinkName, source: describeSource(file), decoded } });
    return true;
  }
  // Images and media are steganography-exec's finding.
  if (flow.sources.some((s) => s.kind === 'media')) return false;
  if (flow.decoders.size > 0) {
    const piece = flow.decodedPiece === null ? '' : ` (one decoded part reads "${preview(flow.decodedPiece, 40)}")`;
    context.report({ node, messageId: 'decodedInput', data: { sink: sinkName, decoders: describeDecoders(flow.decoders), piece } });
    return true;
  }
  return false;
}

/** `fetch(u).then((r) => r.text()).then(eval)`, `socket.on('data', eval)`: a sink passed as the callback. */
function callbackSink(context: RuleContext<MessageId>, node: Node): void {
  if (node.type !== 'CallExpression' && node.type !== 'OptionalCallExpression') return;
  const callee = unwrap(node.callee);
  if (callee.type !== 'MemberExpression' && callee.type !== 'OptionalMemberExpression') return;
  if (callee.computed || callee.property.type !== 'Identifier' || !CALLBACK_METHODS.has(callee.property.name)) return;
  for (const arg of node.arguments) {
    const inner = unwrap(arg as Node);
    if (inner.type !== 'Identifier' && inner.type !== 'MemberExpression') continue;
    for (const path of context.values(inner)) {
      const sink = sinkOfPath(path);
      if (sink === null || sink.kind === 'loader') continue;
      // `[atob('...')].forEach(eval)`: the receiver's constant items are the payload.
      const folded = context.fold(callee.object);
      if (folded !== null && folded.values.length === 1) {
        const decoders = decodingOperations(folded.decoders);
        const item = folded.values[0]!;
        const text = Array.isArray(item) ? constText((item as Const[])[0] ?? '') : constText(item);
        if (decoders.size > 0 && text !== null) {
          context.report({ node: inner, messageId: sink.kind === 'shell' ? 'decodedCommand' : 'decodedPayload', data: { sink: sink.name, decoders: describeDecoders(decoders), preview: preview(text) } });
          return;
        }
      }
      reportFlow(context, inner, sink.name, traceFlow(context, callee.object));
      return;
    }
  }
}

function describeSource(source: FlowSource): string {
  const via = source.via.endsWith('.default') ? source.via.slice(0, -'.default'.length) : source.via;
  return source.detail === null ? `\`${via}\`` : `\`${via}\` of '${preview(source.detail, 60)}'`;
}
