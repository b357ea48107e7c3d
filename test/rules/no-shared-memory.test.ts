import rule from '../../rules/no-shared-memory.js';
import { ruleTester } from '../rule-tester.js';

ruleTester(rule, {
  valid: [
    "if (typeof SharedArrayBuffer !== 'undefined' && typeof Atomics === 'object') {}",
    'const buf = new ArrayBuffer(8); const view = new Int32Array(buf);',
    'function f(Atomics) { return Atomics.add(1); } const o = { Atomics: 1 }; o.Atomics;',
    "const s = 'Atomics.wait'; // new SharedArrayBuffer(8)",
  ],
  invalid: [
    { code: 'const sab = new SharedArrayBuffer(8);', errors: [{ messageId: 'sharedArrayBuffer', column: 17 }] },
    { code: 'Atomics.wait(view, 0, 0);', errors: [{ messageId: 'atomics', column: 1, message: 'Atomics.wait' }] },
    { code: 'const A = globalThis.Atomics;', errors: [{ messageId: 'global', column: 11 }] },
    { code: "const S = window['Shared' + 'ArrayBuffer'];", errors: [{ messageId: 'global', column: 11 }] },
    { code: "const A = Reflect.get(self, 'Atomics');", errors: [{ messageId: 'global', column: 11 }] },
    { code: 'const { Atomics: A } = globalThis;', errors: [{ messageId: 'global', column: 9 }] },
    { code: 'const t = setInterval(() => Atomics.add(counter, 0, 1), 0);', errors: [{ messageId: 'atomics', column: 29 }] },
  ],
});
