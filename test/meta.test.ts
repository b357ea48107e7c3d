// Meta-test: every registered rule has its file, test file and doc page; every rule file is
// registered; the registry is sorted; docs follow the skeleton and their examples behave.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { RULES } from '../rules/index.js';
import { analyze } from '../analyzer/engine.js';
import { resolvePolicy } from '../policy/index.js';
import { repoPath } from './helpers.js';

const DOC_SECTIONS = ['## Why this is dangerous', '## Incorrect', '## Correct', '## How to fix', '## When not to use it'];

/** The fenced code blocks under a `## Heading` of a markdown page, with their languages. */
function examples(markdown: string, heading: string): { lang: string; code: string }[] {
  const start = markdown.indexOf(heading);
  if (start === -1) return [];
  const rest = markdown.slice(start + heading.length);
  const end = rest.search(/\n## /);
  const section = end === -1 ? rest : rest.slice(0, end);
  const blocks: { lang: string; code: string }[] = [];
  for (const match of section.matchAll(/```(\w*)\n([\s\S]*?)```/g)) blocks.push({ lang: match[1] ?? '', code: match[2] ?? '' });
  return blocks;
}

describe('rule registry', () => {
  it('is sorted by id and has no duplicates', () => {
    const ids = RULES.map((r) => r.id);
    assert.deepEqual(ids, [...ids].sort(), 'registry must be sorted');
    assert.equal(new Set(ids).size, ids.length);
  });
  it('registers every file under rules/', () => {
    const files = readdirSync(repoPath('rules'))
      .filter((f) => f.endsWith('.ts') && f !== 'index.ts' && !f.startsWith('_'))
      .map((f) => f.slice(0, -3));
    const ids = new Set(RULES.map((r) => r.id));
    assert.deepEqual(files.filter((f) => !ids.has(f)), [], 'rule files missing from the registry');
  });
  for (const rule of RULES) {
    describe(rule.id, () => {
      it('has a kebab-case id, a description, profile defaults and messages', () => {
        assert.match(rule.id, /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
        assert.ok(rule.meta.description.length > 10);
        for (const profile of ['strict', 'audit', 'recommended'] as const) {
          assert.ok(['off', 'info', 'warn', 'error'].includes(rule.meta.defaults[profile]));
        }
        assert.ok(Object.keys(rule.meta.messages).length > 0);
      });
      it('has its rule file and test file', () => {
        assert.ok(existsSync(repoPath('rules', `${rule.id}.ts`)), `rules/${rule.id}.ts`);
        assert.ok(existsSync(repoPath('test', 'rules', `${rule.id}.test.ts`)), `test/rules/${rule.id}.test.ts`);
      });
      const docPath = repoPath('docs', 'rules', `${rule.id}.md`);
      it('has a doc page with the fixed skeleton', () => {
        assert.ok(existsSync(docPath), `docs/rules/${rule.id}.md`);
        const doc = readFileSync(docPath, 'utf8');
        assert.ok(doc.startsWith(`# ${rule.id}\n`), 'doc starts with "# <rule-id>"');
        for (const section of DOC_SECTIONS) assert.ok(doc.includes(section), `doc section "${section}"`);
      });
      it('doc examples behave as documented', () => {
        if (!existsSync(docPath)) return;
        const doc = readFileSync(docPath, 'utf8');
        const policy = resolvePolicy({ profile: 'strict', rules: { [rule.id]: rule.meta.defaults.strict === 'off' ? 'error' : rule.meta.defaults.strict } });
        const runnable = (lang: string): boolean => ['js', 'ts', 'jsx', 'tsx', 'javascript', 'typescript'].includes(lang);
        const fileFor = (lang: string): string => (lang.startsWith('t') ? 'example.ts' : 'example.js');
        const incorrect = examples(doc, '## Incorrect').filter((b) => runnable(b.lang));
        const correct = examples(doc, '## Correct').filter((b) => runnable(b.lang));
        if (!rule.meta.engine) assert.ok(incorrect.length > 0 && correct.length > 0, 'doc has runnable incorrect and correct examples');
        for (const block of incorrect) {
          const report = analyze(block.code, { filename: fileFor(block.lang), policy });
          assert.ok(report.findings.some((f) => f.ruleId === rule.id), `incorrect example not flagged:\n${block.code}`);
        }
        for (const block of correct) {
          const report = analyze(block.code, { filename: fileFor(block.lang), policy });
          const mine = report.findings.filter((f) => f.ruleId === rule.id);
          assert.deepEqual(mine.map((f) => f.message), [], `correct example flagged:\n${block.code}`);
        }
      });
    });
  }
});
