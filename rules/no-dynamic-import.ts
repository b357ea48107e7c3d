// no-dynamic-import: `import()` of a module whose name is computed at run time, or of code that
// does not come from the local tree (`data:`, `blob:`, `http(s):` URLs) or from an absolute
// `file:` URL. Like `require(x)`, a computed specifier hides what is loaded from the analyzer and
// from the policy; an inline or remote URL loads code that no one analysed. Specifiers built from
// constants and the module's own location (`new URL('./x.js', import.meta.url)`) are constant.
// Static `import`/`export ... from` of a remote or inline URL is reported too.
import { defineRule } from '../analyzer/rule-api.js';
import type { Node } from '@babel/types';
import { unwrap } from '../analyzer/evaluate.js';
import { abbreviate, isOwnLocation, quoteValues, REMOTE_OR_INLINE_SCHEMES, staticSpecifier, urlScheme } from './_modules.js';

export default defineRule({
  id: 'no-dynamic-import',
  meta: {
    type: 'problem',
    category: 'module-loading',
    description: 'Disallows import() with a computed specifier or a data:, blob:, http(s): or file: URL.',
    defaults: { strict: 'error', audit: 'warn', recommended: 'warn' },
    messages: {
      dynamic: '`import()` loads a module whose name is computed at run time (`{{specifier}}`).',
      inline: '`import()` runs code from a `{{scheme}}:` URL ({{value}}), which no analysis has seen.',
      remote: '`import()` loads code from the network ({{value}}).',
      fileUrl: '`import()` loads an absolute `file:` URL ({{value}}), outside the module tree.',
      staticUrl: 'This `import` loads code from a `{{scheme}}:` URL ({{value}}), which no analysis has seen.',
    },
  },
  create(context) {
    const check = (node: Node, source: Node | undefined): void => {
      if (source === undefined || source.type === 'SpreadElement') return;
      const values = staticSpecifier(context, source);
      if (values === null) {
        context.report({ node, messageId: 'dynamic', data: { specifier: abbreviate(context.text(source)) } });
        return;
      }
      for (const value of values) {
        const scheme = urlScheme(value);
        if (scheme === null) continue;
        const shown = quoteValues([value]);
        if (scheme === 'data' || scheme === 'blob') {
          context.report({ node, messageId: 'inline', data: { scheme, value: shown }, severity: 'error' });
          return;
        }
        if (REMOTE_OR_INLINE_SCHEMES.has(scheme)) {
          context.report({ node, messageId: 'remote', data: { value: shown }, severity: 'error' });
          return;
        }
        // `new URL('./x.js', import.meta.url)` folds to a file: URL under the module's own folder.
        if (scheme === 'file' && !isOwnLocation(value)) {
          context.report({ node, messageId: 'fileUrl', data: { value: shown } });
          return;
        }
      }
    };
    // `import x from 'https://...'`, `export * from 'data:...'`: the same code from outside, loaded at link time.
    const checkStatic = (node: Node & { source?: Node | null }): void => {
      const source = node.source;
      if (!source || source.type !== 'StringLiteral') return;
      const scheme = urlScheme(source.value);
      if (scheme === null || (scheme !== 'data' && scheme !== 'blob' && !REMOTE_OR_INLINE_SCHEMES.has(scheme))) return;
      // Deno and browser modules import from CDNs by URL: in recommended that is how they are written.
      const inline = scheme === 'data' || scheme === 'blob';
      if (!inline && context.profile === 'recommended') return;
      context.report({ node: source, messageId: 'staticUrl', data: { scheme, value: quoteValues([source.value]) }, ...(inline ? { severity: 'error' as const } : {}) });
    };
    return {
      ImportDeclaration: checkStatic,
      ExportAllDeclaration: checkStatic,
      ExportNamedDeclaration: checkStatic,
      CallExpression(node: Node & { callee: Node; arguments: Node[] }) {
        if (unwrap(node.callee).type !== 'Import') return;
        check(node, node.arguments[0]);
      },
      ImportExpression(node: Node & { source: Node }) {
        check(node, node.source);
      },
    };
  },
});
