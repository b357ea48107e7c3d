import rule from '../../rules/no-webassembly.js';
import { ruleTester } from '../rule-tester.js';

ruleTester(rule, {
  valid: [
    "if (typeof WebAssembly === 'object') { useWasm(); }",
    'const o = { WebAssembly: 1 }; o.WebAssembly;',
    'function f(WebAssembly) { return WebAssembly.compile(b); }',
    "const s = 'WebAssembly.instantiate'; // WebAssembly.Module",
    'const m = wasmModule.exports;',
  ],
  invalid: [
    { code: 'WebAssembly.instantiate(bytes);', errors: [{ messageId: 'name', column: 1, message: 'WebAssembly.instantiate' }] },
    {
      name: 'vm2: WebAssembly.JSTag catches host exceptions outside instrumented catch clauses',
      code: 'const inst = new WebAssembly.Instance(mod, { js: { tag: WebAssembly.JSTag } });',
      errors: [{ messageId: 'name', column: 18 }, { messageId: 'name', column: 57 }],
    },
    {
      name: 'CVE-2023-37903: compileStreaming calls back into host inspect',
      code: 'WebAssembly.compileStreaming(obj).catch(() => {});',
      errors: [{ messageId: 'name', column: 1 }],
    },
    { code: "globalThis['Web' + 'Assembly'].compile(b);", errors: [{ messageId: 'global', column: 1 }] },
    { code: 'const { WebAssembly: W } = window;', errors: [{ messageId: 'global', column: 9 }] },
    { code: "const W = Reflect.get(self, 'WebAssembly');", errors: [{ messageId: 'global', column: 11 }] },
    { code: 'const W = WebAssembly;\nnew W.Memory({ initial: 1, shared: true });', errors: [{ messageId: 'name', line: 1, column: 11 }] },
  ],
});
