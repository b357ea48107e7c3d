// The engine's contract: never throws, fails closed, honours suppressions only when allowed,
// fingerprints that survive unrelated edits, and policy validation with clear messages.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../analyzer/engine.js';
import { resolvePolicy, PolicyError } from '../../policy/index.js';

const strict = resolvePolicy({ profile: 'strict' });
const recommended = resolvePolicy({ profile: 'recommended' });

describe('analyze', () => {
  it('accepts clean code and rejects dangerous code', () => {
    assert.equal(analyze('export const sum = (a, b) => a + b;', { policy: strict }).verdict, 'accept');
    assert.equal(analyze('eval(x)', { policy: strict }).verdict, 'reject');
  });

  it('detects module and script source types and parses TS, JSX and TSX', () => {
    assert.equal(analyze('import x from "y"; x()', { filename: 'a.js' }).sourceType, 'module');
    assert.equal(analyze('var x = 1', { filename: 'a.js' }).sourceType, 'script');
    assert.equal(analyze('var x = 1', { filename: 'a.mjs' }).sourceType, 'module');
    for (const [filename, code] of [
      ['a.ts', 'const n: number = 1; export type T = { a: string };'],
      ['a.tsx', 'export const C = (p: { x: string }) => <div>{p.x}</div>;'],
      ['a.jsx', 'export const C = () => <div />;'],
      ['a.mts', 'export const x = 1 as const;'],
      ['a.cts', 'import fs = require("fs"); export = fs;'],
    ]) {
      const report = analyze(code!, { filename, policy: recommended });
      assert.equal(report.fatalErrorCount, 0, `${filename}: ${report.findings.map((f) => f.message).join()}`);
    }
  });

  it('turns bad bytes into fatal findings instead of throwing', () => {
    const binary = analyze(new Uint8Array([0x41, 0x00, 0x42]), { policy: strict });
    assert.equal(binary.verdict, 'reject');
    assert.equal(binary.findings[0]!.messageId, 'binary');
    const latin1 = analyze(new Uint8Array([0x2f, 0x2f, 0xe9, 0x0a]), { policy: strict });
    assert.equal(latin1.findings[0]!.messageId, 'encoding');
    const bom = analyze(new Uint8Array([0xef, 0xbb, 0xbf, 0x78, 0x3d, 0x31]), { policy: strict });
    assert.equal(bom.verdict, 'accept');
    const empty = analyze('', { policy: strict });
    assert.equal(empty.verdict, 'accept');
    assert.equal(empty.findings.length, 0);
  });

  it('reports syntax errors at their location, fail closed in strict and as unscanned in audit', () => {
    const report = analyze('let x = 1;\nlet y = ;', { policy: strict });
    assert.equal(report.verdict, 'reject');
    assert.deepEqual([report.findings[0]!.ruleId, report.findings[0]!.line, report.findings[0]!.fatal], ['parse-failure', 2, true]);
    const audit = analyze('let y = ;', { policy: resolvePolicy({ profile: 'audit' }) });
    assert.equal(audit.findings[0]!.severity, 'warn');
  });

  it('survives pathological input: deep nesting, long chains, huge literals', () => {
    const deep = analyze(`x = ${'('.repeat(50_000)}1${')'.repeat(50_000)}`, { policy: strict });
    assert.equal(deep.verdict, 'reject');
    const chain = analyze(`x = ${Array.from({ length: 2_000 }, (_, i) => `'s${i}'`).join(' + ')};`, { policy: strict });
    assert.equal(chain.fatalErrorCount, 0);
    // Past what the parser's stack can follow, the file is reported, not crashed on.
    const longer = analyze(`x = ${Array.from({ length: 50_000 }, (_, i) => `'s${i}'`).join(' + ')};`, { policy: strict });
    assert.deepEqual(longer.findings.map((f) => f.messageId), ['nesting']);
    const members = analyze(`x = a${'.b'.repeat(20_000)};`, { policy: strict });
    assert.equal(members.fatalErrorCount, 0);
    const folded = analyze(`globalThis[${Array.from({ length: 5_000 }, () => "'e'").join('+')}]`, { policy: strict });
    assert.ok(folded.findings.every((f) => f.ruleId !== 'internal-error'));
  });

  it('treats an over-size file as unanalysed', () => {
    const policy = resolvePolicy({ profile: 'strict', limits: { maxSourceBytes: 100 } });
    const report = analyze('x'.repeat(101), { policy });
    assert.equal(report.findings[0]!.messageId, 'size');
    assert.equal(report.verdict, 'reject');
  });

  it('gives one finding per evasion, sorted by position', () => {
    const report = analyze('const e = eval;\ne(a);\ne(b);\nwindow["ev" + "al"](c);', { policy: strict });
    const noEval = report.findings.filter((f) => f.ruleId === 'no-eval');
    assert.deepEqual(noEval.map((f) => f.line), [1, 4]);
  });
});

describe('suppressions', () => {
  const code = [
    '// airlock-disable-next-line no-eval -- generated loader',
    'eval(a);',
    'eval(b); // airlock-disable-line',
    '/* airlock-disable no-eval -- legacy block */',
    'eval(c);',
    '/* airlock-enable no-eval */',
    'eval(d);',
  ].join('\n');

  it('honours next-line, line and block directives where the policy allows', () => {
    const report = analyze(code, { policy: recommended });
    const active = report.findings.filter((f) => f.ruleId === 'no-eval' && !f.suppressed);
    assert.deepEqual(active.map((f) => f.line), [7]);
    const suppressed = report.findings.filter((f) => f.suppressed);
    assert.deepEqual(suppressed.map((f) => [f.line, f.suppressed!.justification]), [
      [2, 'generated loader'],
      [3, ''],
      [5, 'legacy block'],
    ]);
    assert.equal(report.suppressedCount, 3);
  });

  it('ignores every directive in strict and reports each one', () => {
    const report = analyze(code, { policy: strict });
    assert.equal(report.findings.filter((f) => f.ruleId === 'no-eval' && !f.suppressed).length, 4);
    assert.equal(report.findings.filter((f) => f.ruleId === 'inline-suppression-ignored').length, 3);
  });

  it('a directive for another rule does not hide this one', () => {
    const report = analyze('// airlock-disable-next-line no-with\neval(a);', { policy: recommended });
    assert.equal(report.verdict, 'reject');
    assert.ok(report.findings.some((f) => f.ruleId === 'unused-suppression'));
  });

  it('cannot suppress fatal findings', () => {
    const report = analyze('// airlock-disable-next-line\nlet = ;', { policy: recommended });
    assert.equal(report.verdict, 'reject');
  });
});

describe('fingerprints', () => {
  it('stay the same when unrelated lines are added above', () => {
    const before = analyze('eval(a);\neval(a);', { policy: strict }).findings.map((f) => f.fingerprint);
    const after = analyze('const added = 1;\n\n// note\neval(a);\neval(a);', { policy: strict }).findings.map((f) => f.fingerprint);
    assert.deepEqual(after, before);
    assert.notEqual(before[0], before[1], 'identical lines get distinct fingerprints by occurrence');
  });
});

describe('policy validation', () => {
  it('names unknown rules and bad values', () => {
    assert.throws(() => resolvePolicy({ rules: { 'no-such-rule': 'error' } }), /unknown rule 'no-such-rule'/);
    assert.throws(() => resolvePolicy({ rules: { 'no-eval': 'loud' as never } }), PolicyError);
    assert.throws(() => resolvePolicy({ profile: 'lenient' as never }), /profile/);
    assert.throws(() => resolvePolicy({ limits: { timeoutMs: -1 } }), /limits\.timeoutMs/);
    assert.throws(() => resolvePolicy({ extra: true } as never), /Unrecognized key/);
  });
  it('starts from the profile and applies overrides', () => {
    const policy = resolvePolicy({ profile: 'strict', rules: { 'no-eval': 'warn' }, limits: { timeoutMs: 50 } });
    assert.equal(policy.rules['no-eval']!.severity, 'warn');
    assert.equal(policy.limits.timeoutMs, 50);
    assert.equal(policy.allowInlineSuppressions, false);
    assert.equal(resolvePolicy({ profile: 'recommended' }).allowInlineSuppressions, true);
  });
});
