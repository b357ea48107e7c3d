import rule from '../../rules/escaped-identifier.js';
import { ruleTester } from '../rule-tester.js';

ruleTester(rule, {
  valid: [
    // Ordinary string data with escapes: ANSI colours, i18n text, binary tables, JSON-ish quoting.
    "console.log('\\x1b[31mred\\x1b[0m');",
    "const greeting = 'caf\\u00e9 \\u2014 bienvenue';",
    "const messages = { hello: 'Gr\\u00fc\\u00df Gott', bye: '\\u0410\\u0434\\u0438\\u043e\\u0441' };",
    "const table = '\\x00\\x01\\x02\\x03\\xff';",
    "const label = 'say \\x22hi\\x22';",
    // Keys and names with escaped non-ASCII letters (what ASCII-only minifiers emit) hide nothing.
    "const t = { '\\u00e9t\\u00e9': 'summer' }; t['\\u00e9t\\u00e9'];",
    'var \\u00e9t\\u00e9 = 1;',
    // A backslash that is itself escaped starts no escape.
    "obj['a\\\\x65'];",
    "require('./lib\\\\x61.js');",
    // Plain keys and specifiers.
    "obj['eval']; require('child_process'); import('./x.js');",
    "const s = 'use \\x65val carefully';",
    "map.get(k, '\\x41'); store.set('key', '\\x41BC'); if ('\\u00e9' in accents) {}",
  ],
  invalid: [
    { code: '\\u0065val(code);', errors: [{ messageId: 'identifier', line: 1, column: 1, message: 'it is `eval`' }] },
    { code: 'const f = \\u{65}val;', errors: [{ messageId: 'identifier', line: 1, column: 11 }] },
    { code: 'obj.\\u0063onstructor;', errors: [{ messageId: 'identifier', line: 1, column: 5 }] },
    { code: "obj['\\x65val'](x);", errors: [{ messageId: 'memberKey', line: 1, column: 5, message: "reads 'eval'" }] },
    { code: "globalThis['\\145val'](x);", errors: [{ messageId: 'memberKey', column: 12 }] },
    { code: "x?.['\\u0065val'](1);", errors: [{ messageId: 'memberKey', column: 5 }] },
    { code: "x[`\\x65v${'al'}`];", errors: [{ messageId: 'memberKey', column: 3, message: "'eval'" }] },
    { code: "process['\\x65' + 'nv'];", errors: [{ messageId: 'memberKey', column: 9, message: "'env'" }] },
    { code: "process['\\x65n' + k];", errors: [{ messageId: 'memberKey', column: 9, message: "'en…'" }] },
    {
      code: "require('\\x63hild_process').exec('id');",
      errors: [{ messageId: 'specifier', line: 1, column: 9, message: "loads 'child_process'" }],
    },
    { code: "const r = require;\nr('\\u0063hild_process');", errors: [{ messageId: 'specifier', line: 2, column: 3 }] },
    { code: "import('\\u{63}hild_process');", errors: [{ messageId: 'specifier', column: 8 }] },
    { code: "import cp from '\\x63hild_process';", filename: 'x.mjs', errors: [{ messageId: 'specifier', column: 16 }] },
    { code: "export * from 'child\\x5fprocess';", filename: 'x.mjs', errors: [{ messageId: 'specifier', column: 15 }] },
    { code: "Reflect.get(globalThis, '\\x65val')(x);", errors: [{ messageId: 'memberKey', column: 25, message: "'eval'" }] },
    { code: "Object.getOwnPropertyDescriptor(globalThis, '\\u0065val');", errors: [{ messageId: 'memberKey', column: 45 }] },
    { code: "if ('\\x65val' in globalThis) {}", errors: [{ messageId: 'memberKey', column: 5 }] },
    { code: "const { '\\x65xec': run } = cp;", errors: [{ messageId: 'propertyKey', column: 9, message: "'exec'" }] },
    { code: "const o = { '\\u005f_proto__': p };", errors: [{ messageId: 'propertyKey', column: 13, message: '__proto__' }] },
    { code: "class A { '\\x63onstructor'() {} }", errors: [{ messageId: 'propertyKey', column: 11 }] },
    {
      code: "const k: any = (obj as any)['\\x65val'];",
      filename: 'a.ts',
      errors: [{ messageId: 'memberKey', column: 29 }],
    },
  ],
});
