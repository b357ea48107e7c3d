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
import { symbolicStrings, withFacts } from './_audit.js';
import type { FileFacts } from './_audit.js';
import { HOLE } from './_modules.js';

type MessageId =
  | 'decodedPayload'
  | 'decodedCommand'
  | 'decodedModule'
  | 'dataUrlModule'
  | 'decodedInput'
  | 'remotePayload'
  | 'filePayload'
  | 'packedPayload'
  | 'decodedSink'
  | 'downloadedRun';

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
      downloadedRun: '`{{sink}}` runs \'{{path}}\', a file written with data from {{source}} (line {{line}}): a downloaded program is run.',
    },
  },
  create(context) {
    /** Loader calls whose specifier is not a payload itself: compared with downloaded files at the end. */
    const loaders: { node: Node; specifier: Node; name: string }[] = [];
    const check = (node: Node): void => {
      const args = (node as { arguments: Node[] }).arguments;
      if (args.length === 0) return;
      if (args.every(inertArgument) && !maybeDecodedCallee(context, (node as { callee: Node }).callee)) {
        if (mayLoad((node as { callee: Node }).callee)) {
          const loader = execSink(context, node);
          if (loader !== null && loader.kind === 'loader' && loader.payload[0] !== undefined) loaders.push({ node, specifier: loader.payload[0], name: loader.name });
        }
        callbackSink(context, node);
        return;
      }
      const sink = execSink(context, node);
      if (sink === null) {
        callbackSink(context, node);
        return;
      }
      if (checkPayload(context, node, sink)) return;
      if (sink.kind === 'loader' && sink.payload[0] !== undefined) loaders.push({ node, specifier: sink.payload[0], name: sink.name });
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
    const { visitor, facts } = withFacts(context, {
      CallExpression: check,
      OptionalCallExpression: check,
      NewExpression: check,
      ImportDeclaration: checkStaticImport,
      ExportAllDeclaration: checkStaticImport,
      ExportNamedDeclaration: checkStaticImport,
      'Program:exit': () => downloadedRuns(context, facts(), loaders),
    });
    return visitor;
  },
});

const WRITE_APIS = /\.(?:writeFile|writeFileSync|appendFile|appendFileSync|outputFile|outputFileSync|createWriteStream)$/;

/**
 * The dropper: data from the network written to a file that the same file then spawns, executes
 * through a shell command, or loads as a module (`writeFileSync(p, body); spawn(p)`,
 * `res.pipe(fs.createWriteStream(p))` then `require(p)`).
 */
function downloadedRuns(context: RuleContext<MessageId>, facts: FileFacts, loaders: readonly { node: Node; specifier: Node; name: string }[]): void {
  if (facts.fsCalls.length === 0 || (facts.processCalls.length === 0 && loaders.length === 0)) return;
  const written = new Map<string, { source: FlowSource; node: Node; path: string }>();
  for (const call of facts.fsCalls) {
    if (!WRITE_APIS.test(call.api) || call.paths.length === 0) continue;
    const data = downloadedData(context, call.node, call.api.endsWith('createWriteStream'));
    if (data === null) continue;
    for (const path of symbolicStrings(context, call.paths[0]!.node)) {
      if (path.includes(HOLE) || path.length < 2) continue;
      written.set(normalizeRunPath(path), { source: data, node: call.node, path });
    }
  }
  if (written.size === 0) return;
  const report = (node: Node, sink: string, from: { source: FlowSource; node: Node; path: string }): void => {
    context.report({ node, messageId: 'downloadedRun', data: { sink, path: preview(from.path, 60), source: describeSource(from.source), line: from.node.loc?.start.line ?? 0 } });
  };
  for (const call of facts.processCalls) {
    let hit: string | null = null;
    for (const line of call.lines) {
      for (const word of line.split(/[\s;&|()]+/)) {
        const key = normalizeRunPath(word.replace(/^["']|["']$/g, ''));
        if (written.has(key)) hit = key;
      }
    }
    if (hit !== null) report(call.node, call.api, written.get(hit)!);
  }
  for (const loader of loaders) {
    for (const path of symbolicStrings(context, loader.specifier)) {
      const key = normalizeRunPath(path);
      const from = written.get(key);
      if (from !== undefined) {
        report(loader.node, loader.name, from);
        break;
      }
    }
  }
}

/** One spelling per file location: `./x` and `$dir/x`, `/tmp/x` and `$tmp/x`. */
function normalizeRunPath(path: string): string {
  return path.replace(/\\/g, '/').replace(/^\.\//, '$dir/').replace(/^\/tmp\//, '$tmp/').replace(/\/{2,}/g, '/');
}

/** The network source of what a write call writes (its data argument, or what is piped into its stream). */
function downloadedData(context: RuleContext<MessageId>, call: Node, stream: boolean): FlowSource | null {
  const remote = (node: Node | undefined): FlowSource | null => {
    if (node === undefined) return null;
    return traceFlow(context, node).sources.find((s) => s.kind === 'network') ?? null;
  };
  if (!stream) return remote((call as { arguments: Node[] }).arguments[1]);
  // `res.pipe(fs.createWriteStream(p))`, or `const out = fs.createWriteStream(p); res.pipe(out)`.
  let child: Node = call;
  let parent = context.parentOf(child);
  if (parent?.type === 'VariableDeclarator' && parent.id.type === 'Identifier') {
    const binding = context.resolve(parent.id);
    for (const ref of (binding ?? { references: [] }).references) {
      const found = pipedFrom(context, ref);
      if (found !== null) return remote(found);
    }
    return null;
  }
  const from = pipedFrom(context, child);
  return from === null ? null : remote(from);
}

/** `x.pipe(node)` or `pipeline(x, node)`: x. */
function pipedFrom(context: RuleContext<MessageId>, node: Node): Node | null {
  const parent = context.parentOf(node) as (Node & { callee?: Node; arguments?: Node[] }) | null;
  if (parent === null || (parent.type !== 'CallExpression' && parent.type !== 'OptionalCallExpression') || !parent.arguments!.includes(node as never)) return null;
  const callee = unwrap(parent.callee!);
  if ((callee.type === 'MemberExpression' || callee.type === 'OptionalMemberExpression') && !callee.computed && callee.property.type === 'Identifier' && callee.property.name === 'pipe') return callee.object;
  const index = parent.arguments!.indexOf(node as never);
  if (index > 0 && [...context.values(callee)].some((v) => v.endsWith('.pipeline'))) return parent.arguments![0]!;
  return null;
}

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

const ESCAPE = /\\(?:x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|u\{[0-9a-fA-F]+\}|[0-7]{1,3})/g;

/**
 * How a constant payload is hidden without a decoder call, or null: printable characters written as
 * escape sequences (4 or more), or a `.join('')` of an array of single characters (6 or more).
 * Follows const aliases, concatenation and templates.
 */
function hiddenSpelling(context: RuleContext<MessageId>, node: Node, depth: number): string | null {
  if (depth > 4) return null;
  const inner = unwrap(node) as Node & Record<string, any>;
  switch (inner.type) {
    case 'StringLiteral':
      return escapedPrintable(String(inner.extra?.raw ?? '')) >= 4 ? 'escape sequences' : null;
    case 'TemplateLiteral': {
      let count = 0;
      for (const quasi of inner.quasis) count += escapedPrintable(quasi.value.raw);
      if (count >= 4) return 'escape sequences';
      for (const expression of inner.expressions) {
        const found = hiddenSpelling(context, expression, depth + 1);
        if (found !== null) return found;
      }
      return null;
    }
    case 'BinaryExpression':
      if (inner.operator !== '+') return null;
      return hiddenSpelling(context, inner.left, depth + 1) ?? hiddenSpelling(context, inner.right, depth + 1);
    case 'Identifier': {
      const binding = context.resolve(inner as never);
      if (!binding || binding.init === null || binding.path.length > 0 || binding.assignments.length > 0) return null;
      return hiddenSpelling(context, binding.init, depth + 1);
    }
    case 'CallExpression': {
      const callee = unwrap(inner.callee) as Node & Record<string, any>;
      if (callee.type !== 'MemberExpression' || callee.computed || (callee.property as { name?: string }).name !== 'join') return null;
      const array = unwrap(callee.object) as Node & Record<string, any>;
      if (array.type !== 'ArrayExpression' || array.elements.length < 6) return null;
      const separator = inner.arguments[0] as (Node & Record<string, any>) | undefined;
      if (separator === undefined || separator.type !== 'StringLiteral' || separator.value !== '') return null;
      return array.elements.every((e: Node & Record<string, any> | null) => e !== null && e.type === 'StringLiteral' && e.value.length === 1) ? 'a character array' : null;
    }
    default:
      return null;
  }
}

/** Escape sequences in raw source text that stand for printable ASCII (which never needs escaping). */
function escapedPrintable(raw: string): number {
  let count = 0;
  for (const match of raw.matchAll(ESCAPE)) {
    const body = match[0].slice(1);
    const code = body[0] === 'x' ? parseInt(body.slice(1), 16) : body[0] === 'u' ? parseInt(body.replace(/[u{}]/g, ''), 16) : parseInt(body, 8);
    if (code >= 0x20 && code < 0x7f) count++;
  }
  return count;
}

/** `require(...)`, `import(...)`, `module.require(...)`, `Module._load(...)` by their spelling. */
function mayLoad(callee: Node): boolean {
  const inner = unwrap(callee);
  if (inner.type === 'Import') return true;
  if (inner.type === 'Identifier') return inner.name === 'require';
  return (inner.type === 'MemberExpression' || inner.type === 'OptionalMemberExpression') && !inner.computed && inner.property.type === 'Identifier' && (inner.property.name === 'require' || inner.property.name === '_load');
}

/** Arguments that can carry no payload: numbers, functions, and strings other than `data:` URLs. */
function inertArgument(node: Node): boolean {
  switch (node.type) {
    case 'StringLiteral':
      return !/^\s*data:/i.test(node.value) && !(node.value.length >= 4 && escapedPrintable(String(node.extra?.raw ?? '')) >= 4);
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
      if (decoders.size === 0 && text !== null && sink.kind !== 'loader') {
        // No decoder ran, but the text is spelled so that it cannot be read: `eval('\x72\x65...')`,
        // `exec(['c','u','r','l'].join(''))`.
        const spelling = hiddenSpelling(context, arg, 0);
        if (spelling !== null) {
          context.report({ node, messageId: sink.kind === 'shell' ? 'decodedCommand' : 'decodedPayload', data: { sink: sink.name, decoders: spelling, preview: preview(text) } });
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
