// no-webassembly (strict): any reference to `WebAssembly`, by name or through the global object.
// WebAssembly runs code that no JavaScript analysis can read, and its host integration has been a
// sandbox escape route: `WebAssembly.JSTag` lets wasm catch JavaScript exceptions (host errors
// included) outside every `catch` a sandbox instruments, and Node's `compileStreaming` /
// `instantiateStreaming` call back into host code with guest objects (the vm2 custom-inspect
// escape, CVE-2023-37903). `typeof WebAssembly` feature tests are allowed.
import { defineRule } from '../analyzer/rule-api.js';
import { abbreviate, globalCapabilityVisitor } from './_sandbox.js';

const NAMES: ReadonlySet<string> = new Set(['WebAssembly']);

export default defineRule({
  id: 'no-webassembly',
  meta: {
    type: 'problem',
    category: 'sandbox-integrity',
    description: 'Disallows WebAssembly, which runs code no JavaScript analysis can read.',
    defaults: { strict: 'error', audit: 'info', recommended: 'off' },
    messages: {
      name: '`{{text}}` uses WebAssembly: it runs binary code that no analysis of this file can read, and its host integration (JSTag, streaming compilation) has been a sandbox escape route.',
      global: '`{{text}}` reaches WebAssembly through the global object.',
    },
  },
  create(context) {
    return globalCapabilityVisitor(context, NAMES, (node, _name, how) => {
      const parent = context.parentOf(node);
      const shown = how === 'name' && parent !== null && (parent.type === 'MemberExpression' || parent.type === 'OptionalMemberExpression') ? parent : node;
      context.report({ node, messageId: how, data: { text: abbreviate(context.text(shown)) } });
    });
  },
});
