// steganography-exec: bytes read from an image or other media file (fs reads of .png/.jpg/.gif/.bmp/
// .ico/.svg/.wav/.mp3/fonts..., fetches of such URLs, pixel readers like jimp/pngjs, and message
// extractors like steggy/stegcloak) that are sliced, decoded and given to eval, Function, vm,
// a module loader or a shell. A payload hidden in a logo ships past every text-based review; the
// decoding step is the only code that shows. The flow is followed back from each sink through
// variables, accumulation loops, callbacks, promise chains and local helpers.
import type { Node } from '@babel/types';
import { defineRule } from '../analyzer/rule-api.js';
import type { RuleContext } from '../analyzer/rule-api.js';
import { unwrap } from '../analyzer/evaluate.js';
import { describeDecoders, execSink, preview, sinkOfPath, traceFlow } from './_obfuscation.js';
import type { Flow } from './_obfuscation.js';

type MessageId = 'mediaPayload';

const CALLBACK_METHODS: ReadonlySet<string> = new Set(['then', 'on', 'once', 'map', 'forEach']);

export default defineRule({
  id: 'steganography-exec',
  meta: {
    type: 'problem',
    category: 'obfuscation',
    description: 'Disallows data read from image or media files (or pixel and steganography readers) reaching eval, Function, vm, a module loader or a shell.',
    defaults: { strict: 'error', audit: 'error', recommended: 'error' },
    messages: {
      mediaPayload: 'Data from {{source}}{{decoded}} reaches `{{sink}}`: code hidden in a media file is run.',
    },
  },
  create(context) {
    const check = (node: Node): void => {
      const args = (node as { arguments: Node[] }).arguments;
      if (args.length === 0 || args.every(isInert)) return;
      const sink = execSink(context, node);
      if (sink !== null) {
        for (const arg of sink.payload) {
          if (report(context, node, sink.name, traceFlow(context, arg))) return;
        }
        return;
      }
      // `Jimp.read('logo.png').then(decode).then(eval)`: a sink given as the callback.
      if (node.type !== 'CallExpression' && node.type !== 'OptionalCallExpression') return;
      const callee = unwrap((node as { callee: Node }).callee);
      if (callee.type !== 'MemberExpression' && callee.type !== 'OptionalMemberExpression') return;
      if (callee.computed || callee.property.type !== 'Identifier' || !CALLBACK_METHODS.has(callee.property.name)) return;
      for (const arg of args) {
        const inner = unwrap(arg);
        if (inner.type !== 'Identifier' && inner.type !== 'MemberExpression') continue;
        for (const path of context.values(inner)) {
          const found = sinkOfPath(path);
          if (found === null || found.kind === 'loader') continue;
          report(context, inner, found.name, traceFlow(context, callee.object));
          return;
        }
      }
    };
    return { CallExpression: check, OptionalCallExpression: check, NewExpression: check };
  },
});

function isInert(node: Node): boolean {
  return (
    node.type === 'StringLiteral' ||
    node.type === 'NumericLiteral' ||
    node.type === 'BooleanLiteral' ||
    node.type === 'NullLiteral' ||
    node.type === 'ArrowFunctionExpression' ||
    node.type === 'FunctionExpression' ||
    node.type === 'ObjectExpression'
  );
}

function report(context: RuleContext<MessageId>, node: Node, sink: string, flow: Flow): boolean {
  const media = flow.sources.find((s) => s.kind === 'media');
  if (media === undefined) return false;
  const via = media.via.endsWith('.default') ? media.via.slice(0, -'.default'.length) : media.via;
  const source = media.detail === null ? `\`${via}\`` : `'${preview(media.detail, 60)}' (\`${via}\`)`;
  const decoded = flow.decoders.size > 0 ? `, decoded with ${describeDecoders(flow.decoders)},` : '';
  context.report({ node, messageId: 'mediaPayload', data: { source, decoded, sink } });
  return true;
}
