import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import rule from '../../rules/internal-error.js';
import { defineRule } from '../../analyzer/rule-api.js';
import { analyze } from '../../analyzer/engine.js';
import { resolvePolicy } from '../../policy/index.js';
import { ruleTester } from '../rule-tester.js';

// The rule has no visitor of its own: it reports when another rule throws.
ruleTester(rule, { valid: ['const ok = true'], invalid: [] as never[] });

describe('internal-error', () => {
  const broken = defineRule({
    id: 'no-eval',
    meta: {
      type: 'problem',
      category: 'code-execution',
      description: 'A rule that throws on every call expression.',
      defaults: { strict: 'error', audit: 'error', recommended: 'error' },
      messages: { x: 'x' },
    },
    create: () => ({
      CallExpression() {
        throw new TypeError('boom');
      },
    }),
  });
  it('turns a throwing rule into a fatal finding instead of crashing', () => {
    const report = analyze('f()', { policy: resolvePolicy({ profile: 'strict' }), rules: [broken, rule] });
    assert.equal(report.verdict, 'reject');
    const finding = report.findings.find((f) => f.ruleId === 'internal-error');
    assert.ok(finding, 'internal-error finding');
    assert.equal(finding.fatal, true);
    assert.match(finding.message, /Rule 'no-eval' failed on this code \(TypeError: boom\)/);
  });
});
