// escaped-identifier: names written with escapes so that a text search does not find them:
// `\u0065val(x)`, `obj['\x65val']`, `require('\x63hild_process')`, `{ '\u005f_proto__': p }`.
// Only escapes that spell ASCII name characters count: a key or specifier written with `\u00e9` for
// `é` (what an ASCII-only minifier emits) and ordinary string data (ANSI colours, i18n text,
// binary tables) are left alone, because they hide nothing.
import type { Node } from '@babel/types';
import { defineRule } from '../analyzer/rule-api.js';
import type { RuleContext } from '../analyzer/rule-api.js';
import { unwrap } from '../analyzer/evaluate.js';
import { loaderCall, partialString } from './_modules.js';
import { preview } from './_obfuscation.js';

type MessageId = 'identifier' | 'memberKey' | 'propertyKey' | 'specifier';

/** Reflect and Object functions whose second argument is a property key. */
const KEY_FUNCTIONS: ReadonlySet<string> = new Set(['get', 'set', 'has', 'deleteProperty', 'defineProperty', 'getOwnPropertyDescriptor']);

/** Escapes in raw source text: \xHH, \uHHHH, \u{H...}, and legacy octal \NNN. */
const ESCAPE = /\\(?:x([0-9a-fA-F]{2})|u\{([0-9a-fA-F]+)\}|u([0-9a-fA-F]{4})|([0-3][0-7]{1,2}|[4-7][0-7]))/g;

/** Characters of names, paths and module specifiers: escaping them hides a word from a text search. */
function isNameCharacter(cp: number): boolean {
  return (
    (cp >= 0x30 && cp <= 0x39) ||
    (cp >= 0x41 && cp <= 0x5a) ||
    (cp >= 0x61 && cp <= 0x7a) ||
    cp === 0x5f ||
    cp === 0x24 ||
    cp === 0x2e ||
    cp === 0x2f ||
    cp === 0x3a ||
    cp === 0x2d ||
    cp === 0x40
  );
}

/** The escapes in raw text that spell name characters, e.g. ['\\x65']. */
function nameEscapes(raw: string): string[] {
  if (raw.indexOf('\\') === -1) return [];
  const out: string[] = [];
  ESCAPE.lastIndex = 0;
  let match: RegExpExecArray | null;
  while ((match = ESCAPE.exec(raw)) !== null) {
    // A backslash that is itself escaped (`\\x65`) starts no escape.
    let slashes = 0;
    for (let i = match.index - 1; i >= 0 && raw.charCodeAt(i) === 92; i--) slashes++;
    if (slashes % 2 === 1) continue;
    const hex = match[1] ?? match[2] ?? match[3];
    const cp = hex !== undefined ? parseInt(hex, 16) : parseInt(match[4]!, 8);
    if (isNameCharacter(cp)) out.push(match[0]);
  }
  return out;
}

export default defineRule({
  id: 'escaped-identifier',
  meta: {
    type: 'problem',
    category: 'obfuscation',
    description: 'Disallows unicode escapes in identifiers and hex/unicode escapes that spell member keys or module specifiers.',
    defaults: { strict: 'error', audit: 'warn', recommended: 'warn' },
    messages: {
      identifier: 'The identifier `{{raw}}` is written with escapes; it is `{{name}}`.',
      memberKey: 'The member key {{raw}} is written with escapes; it reads \'{{name}}\'.',
      propertyKey: 'The property name {{raw}} is written with escapes; it is \'{{name}}\'.',
      specifier: 'The module specifier {{raw}} is written with escapes; it loads \'{{name}}\'.',
    },
  },
  create(context) {
    /** The escaped string literals and template parts inside a key expression (`'\x65' + 'val'`). */
    const escapedParts = (node: Node, depth = 0): boolean => {
      const inner = unwrap(node);
      switch (inner.type) {
        case 'StringLiteral':
          return nameEscapes(rawOf(context, inner)).length > 0;
        case 'TemplateLiteral':
          return inner.quasis.some((q) => nameEscapes(q.value.raw).length > 0) || (depth < 8 && inner.expressions.some((e) => escapedParts(e as Node, depth + 1)));
        case 'BinaryExpression':
          return depth < 8 && inner.operator === '+' && inner.left.type !== 'PrivateName' && (escapedParts(inner.left, depth + 1) || escapedParts(inner.right, depth + 1));
        default:
          return false;
      }
    };
    const describe = (node: Node): { raw: string; name: string } | null => {
      const values = context.foldStrings(node);
      let name = values !== null && values.length === 1 ? values[0]! : null;
      if (name === null) {
        const partial = partialString(context, node);
        if (partial === null) return null;
        name = partial.replace(/\u0000/g, '…');
      }
      return { raw: preview(context.text(node), 60), name: preview(name, 60) };
    };
    const checkKey = (key: Node, messageId: 'memberKey' | 'propertyKey'): void => {
      const inner = unwrap(key);
      if (inner.type !== 'StringLiteral' && inner.type !== 'TemplateLiteral' && inner.type !== 'BinaryExpression') return;
      if (inner.type === 'StringLiteral' && rawOf(context, inner).indexOf('\\') === -1) return;
      if (!escapedParts(inner)) return;
      const text = describe(inner);
      if (text !== null) context.report({ node: inner, messageId, data: text });
    };
    const checkSpecifier = (source: Node | null | undefined): void => {
      if (!source) return;
      const inner = unwrap(source);
      if (inner.type === 'StringLiteral' && rawOf(context, inner).indexOf('\\') === -1) return;
      if (!escapedParts(inner)) return;
      const text = describe(inner);
      if (text !== null) context.report({ node: inner, messageId: 'specifier', data: text });
    };
    return {
      Identifier(node: Node & { name: string }) {
        if (node.start == null || node.end == null || node.end - node.start === node.name.length) return;
        const raw = context.text(node);
        if (nameEscapes(raw).length === 0) return;
        context.report({ node, messageId: 'identifier', data: { raw: preview(raw, 60), name: node.name } });
      },
      MemberExpression(node: Node & { computed: boolean; property: Node }) {
        if (node.computed) checkKey(node.property, 'memberKey');
      },
      OptionalMemberExpression(node: Node & { computed: boolean; property: Node }) {
        if (node.computed) checkKey(node.property, 'memberKey');
      },
      ObjectProperty(node: Node & { key: Node }) {
        checkKey(node.key, 'propertyKey');
      },
      ObjectMethod(node: Node & { key: Node }) {
        checkKey(node.key, 'propertyKey');
      },
      ClassMethod(node: Node & { key: Node }) {
        checkKey(node.key, 'propertyKey');
      },
      ClassProperty(node: Node & { key: Node }) {
        checkKey(node.key, 'propertyKey');
      },
      ImportDeclaration(node: Node & { source: Node }) {
        checkSpecifier(node.source);
      },
      ExportAllDeclaration(node: Node & { source: Node }) {
        checkSpecifier(node.source);
      },
      ExportNamedDeclaration(node: Node & { source?: Node | null }) {
        checkSpecifier(node.source);
      },
      CallExpression(node: Node & { callee: Node; arguments: Node[] }) {
        const first = node.arguments[0];
        // `Reflect.get(globalThis, '\x65val')`, `Object.getOwnPropertyDescriptor(o, '\x65val')`: keys as arguments.
        const second = node.arguments[1];
        if (second !== undefined && mayHoldEscapes(context, second)) {
          const callee = unwrap(node.callee);
          if (callee.type === 'MemberExpression' && !callee.computed && callee.property.type === 'Identifier' && KEY_FUNCTIONS.has(callee.property.name)) {
            const owner = context.values(callee.object);
            if (owner.has('Reflect') || owner.has('Object')) checkKey(second, 'memberKey');
          }
        }
        if (first === undefined || !mayHoldEscapes(context, first)) return;
        const loader = loaderCall(context, node);
        if (loader !== null && loader.specifier === first) checkSpecifier(first);
      },
      BinaryExpression(node: Node & { operator: string; left: Node }) {
        // `'\x65val' in globalThis`.
        if (node.operator === 'in' && mayHoldEscapes(context, node.left)) checkKey(node.left, 'memberKey');
      },
    };
  },
});

/** The raw source of a string literal (quotes included). */
function rawOf(context: RuleContext<MessageId>, node: Node): string {
  const extra = (node as { extra?: { raw?: string } }).extra;
  return extra?.raw ?? context.text(node);
}

/** Cheap pre-check before asking whether a call loads a module. */
function mayHoldEscapes(context: RuleContext<MessageId>, node: Node): boolean {
  const inner = unwrap(node);
  if (inner.type === 'StringLiteral') return rawOf(context, inner).indexOf('\\') !== -1;
  if (inner.type === 'TemplateLiteral') return inner.quasis.some((q) => q.value.raw.indexOf('\\') !== -1);
  if (inner.type === 'BinaryExpression') return context.text(inner).indexOf('\\') !== -1;
  return false;
}
