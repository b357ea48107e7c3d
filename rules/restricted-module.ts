// restricted-module: imports of modules the policy does not grant. In strict, every module a
// file loads must be in `policy.modules.allow` (`node:` prefixes ignored, `pkg/*` granting
// sub-paths): static `import` and `export ... from`, TypeScript's `import x = require()`,
// `require` and `import()` with constant specifiers (also `module.require`, `createRequire`,
// `Module._load`, aliases, and each member of a folded union such as `c ? 'fs' : 'path'`).
// Relative and absolute paths are not checked here: they go through the module hooks and are
// analysed themselves. `data:`, `http:` and other URL specifiers are checked like names.
//
// Options, in any profile: `{ deny: ['child_process', 'lodash/*'] }` reports those modules even
// where the allow list is not enforced; `{ allowList: true | false }` turns enforcement of the
// policy's allow list on or off (default: on in strict only).
import { defineRule } from '../analyzer/rule-api.js';
import type { Node } from '@babel/types';
import { isPathSpecifier, loaderCall, moduleListed, normalizeModule, staticSpecifier, urlScheme } from './_modules.js';

export default defineRule({
  id: 'restricted-module',
  meta: {
    type: 'problem',
    category: 'module-loading',
    description: 'Disallows importing modules that the policy does not grant, and modules on a configured deny list.',
    defaults: { strict: 'error', audit: 'off', recommended: 'off' },
    messages: {
      notGranted: "{{how}} '{{module}}', which the policy does not grant (modules.allow: {{allowed}}).",
      denied: "{{how}} '{{module}}', which is on this rule's deny list.",
    },
  },
  create(context) {
    const deny = Array.isArray(context.options.deny) ? (context.options.deny as unknown[]) : [];
    const enforceAllow = typeof context.options.allowList === 'boolean' ? context.options.allowList : context.profile === 'strict';
    const allow = context.policy.modules.allow;
    if (deny.length === 0 && !enforceAllow) return {};
    const allowed = allow.length === 0 ? 'nothing' : allow.length > 8 ? `${allow.slice(0, 8).join(', ')}, ...` : allow.join(', ');

    const check = (node: Node, specifier: string, how: string): void => {
      if (isPathSpecifier(specifier)) return;
      const module = urlScheme(specifier) !== null && !specifier.startsWith('node:') ? specifier : normalizeModule(specifier);
      if (moduleListed(module, deny)) {
        context.report({ node, messageId: 'denied', data: { how, module } });
        return;
      }
      if (enforceAllow && !moduleListed(module, allow)) {
        context.report({ node, messageId: 'notGranted', data: { how, module, allowed } });
      }
    };

    const checkSource = (source: Node & { value: string }, how: string): void => check(source, source.value, how);

    const onCall = (node: Node): void => {
      const loader = loaderCall(context, node);
      if (loader === null || loader.specifier === null) return;
      const values = staticSpecifier(context, loader.specifier);
      if (values === null) return; // a computed name is no-dynamic-require's / no-dynamic-import's finding
      const how = loader.kind === 'import' ? 'This imports' : `This loads (through \`${loader.name}\`)`;
      for (const value of new Set(values)) check(loader.specifier, value, how);
    };

    return {
      ImportDeclaration(node: Node & { source: Node & { value: string }; importKind?: string; specifiers: (Node & { importKind?: string })[] }) {
        if (node.importKind === 'type' || node.importKind === 'typeof') return;
        // `import { type A } from 'm'` is erased when every name is a type.
        if (node.specifiers.length > 0 && node.specifiers.every((s) => s.importKind === 'type' || s.importKind === 'typeof')) return;
        checkSource(node.source, 'This imports');
      },
      ExportNamedDeclaration(node: Node & { source?: (Node & { value: string }) | null; exportKind?: string }) {
        if (node.source && node.exportKind !== 'type') checkSource(node.source, 'This re-exports');
      },
      ExportAllDeclaration(node: Node & { source: Node & { value: string }; exportKind?: string }) {
        if (node.exportKind !== 'type') checkSource(node.source, 'This re-exports');
      },
      TSImportEqualsDeclaration(node: Node & { moduleReference: Node; importKind?: string }) {
        if (node.importKind === 'type' || node.moduleReference.type !== 'TSExternalModuleReference') return;
        checkSource(node.moduleReference.expression, 'This imports');
      },
      CallExpression: onCall,
      OptionalCallExpression: onCall,
    };
  },
});
