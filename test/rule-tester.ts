// RuleTester: runs one rule over valid and invalid cases with node:test, in the shape ESLint and
// typescript-eslint use. Invalid cases name the message id, line and column of each finding.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../analyzer/engine.js';
import type { AnyRule } from '../analyzer/rule-api.js';
import type { ProfileName, Severity } from '../analyzer/types.js';
import { resolvePolicy } from '../policy/index.js';
import type { PolicyInput } from '../policy/index.js';

export interface ValidCase {
  code: string;
  filename?: string;
  /** Profile the rule runs under (default strict); the rule itself is always switched on. */
  profile?: ProfileName;
  options?: Record<string, unknown>;
  policy?: PolicyInput;
  name?: string;
}

export interface ExpectedError {
  messageId: string;
  line?: number;
  column?: number;
  endLine?: number;
  endColumn?: number;
  severity?: Exclude<Severity, 'off'>;
  /** Substring the rendered message must contain. */
  message?: string;
}

export interface InvalidCase extends ValidCase {
  errors: ExpectedError[];
}

function runCase(rule: AnyRule, testCase: ValidCase) {
  const severity = rule.meta.defaults[testCase.profile ?? 'strict'];
  const policy = resolvePolicy({
    ...testCase.policy,
    profile: testCase.profile ?? 'strict',
    rules: {
      ...(testCase.policy?.rules ?? {}),
      [rule.id]: [severity === 'off' ? 'error' : severity, testCase.options ?? {}],
    },
  });
  return analyze(testCase.code, { filename: testCase.filename ?? 'test.js', policy, rules: [rule] });
}

function label(testCase: ValidCase): string {
  const text = testCase.name ?? testCase.code.replace(/\s+/g, ' ');
  return text.length > 90 ? `${text.slice(0, 87)}...` : text;
}

/** Declares the tests for one rule. */
export function ruleTester(
  rule: AnyRule,
  cases: { valid: (string | ValidCase)[]; invalid: InvalidCase[] },
): void {
  describe(rule.id, () => {
    describe('valid', () => {
      for (const raw of cases.valid) {
        const testCase = typeof raw === 'string' ? { code: raw } : raw;
        it(label(testCase), () => {
          const report = runCase(rule, testCase);
          const fatal = report.findings.filter((f) => f.fatal);
          assert.deepEqual(fatal, [], `valid case must parse: ${fatal.map((f) => f.message).join('; ')}`);
          const mine = report.findings.filter((f) => f.ruleId === rule.id);
          assert.deepEqual(
            mine.map((f) => `${f.line}:${f.column} ${f.message}`),
            [],
            `expected no ${rule.id} findings`,
          );
        });
      }
    });
    describe('invalid', () => {
      for (const testCase of cases.invalid) {
        it(label(testCase), () => {
          assert.ok(testCase.errors.length > 0, 'an invalid case must expect at least one error');
          const report = runCase(rule, testCase);
          const fatal = report.findings.filter((f) => f.fatal && f.ruleId !== rule.id);
          assert.deepEqual(fatal.map((f) => f.message), [], 'invalid case must parse');
          const mine = report.findings.filter((f) => f.ruleId === rule.id);
          const describeAll = mine.map((f) => `${f.messageId}@${f.line}:${f.column} ${f.message}`).join('\n  ');
          assert.equal(mine.length, testCase.errors.length, `expected ${testCase.errors.length} finding(s), got:\n  ${describeAll}`);
          testCase.errors.forEach((expected, i) => {
            const actual = mine[i]!;
            assert.equal(actual.messageId, expected.messageId, `finding ${i}: messageId (${describeAll})`);
            if (expected.line !== undefined) assert.equal(actual.line, expected.line, `finding ${i}: line (${describeAll})`);
            if (expected.column !== undefined) assert.equal(actual.column, expected.column, `finding ${i}: column (${describeAll})`);
            if (expected.endLine !== undefined) assert.equal(actual.endLine, expected.endLine, `finding ${i}: endLine`);
            if (expected.endColumn !== undefined) assert.equal(actual.endColumn, expected.endColumn, `finding ${i}: endColumn`);
            if (expected.severity !== undefined) assert.equal(actual.severity, expected.severity, `finding ${i}: severity`);
            if (expected.message !== undefined) assert.ok(actual.message.includes(expected.message), `finding ${i}: message ${actual.message}`);
          });
        });
      }
    });
  });
}
