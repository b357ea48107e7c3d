import rule from '../../rules/parse-failure.js';
import { ruleTester } from '../rule-tester.js';

ruleTester(rule, {
  valid: [
    '',
    '#!/usr/bin/env node\nconsole.log(1)',
    '\uFEFFconst withBom = 1',
    { code: 'const x: number = <number>y;', filename: 'a.ts' },
    { code: 'const el = <div>{x}</div>', filename: 'a.jsx' },
    { code: 'const el = <div>{x}</div>', filename: 'a.js' },
    { code: 'const el: JSX.Element = <div />', filename: 'a.tsx' },
    { code: 'with (obj) { x }', filename: 'a.cjs' },
    { code: 'import x from "y"; export default x', filename: 'a.js' },
    { code: 'return 1', filename: 'a.cjs', name: 'top-level return in CommonJS' },
    { code: 'await x', filename: 'a.mjs' },
    { code: '@dec class A { accessor x = 1 }', filename: 'a.js' },
    { code: 'class A { constructor(@Inject() private x: X) {} }', filename: 'a.ts' },
  ],
  invalid: [
    { code: 'const x = ;', errors: [{ messageId: 'syntax', line: 1, column: 11 }] },
    { code: 'let a = 1;\nlet a = 2;', errors: [{ messageId: 'syntax', line: 2, column: 5 }] },
    { code: 'with (obj) {}', filename: 'a.mjs', errors: [{ messageId: 'syntax', line: 1 }] },
    { code: 'const x = <div/>', filename: 'a.ts', errors: [{ messageId: 'syntax' }] },
    { code: 'ok();\u0000', errors: [{ messageId: 'binary', line: 1, column: 1 }] },
  ],
});
