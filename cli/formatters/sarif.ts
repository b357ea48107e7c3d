// SARIF 2.1.0 for code-scanning services: every enabled rule with its help text from its doc page,
// results with regions relative to the source root, and stable partial fingerprints.
import { readFileSync } from 'node:fs';
import { relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Formatter } from './types.js';
import type { ActiveSeverity } from '../../analyzer/types.js';
import { RULES } from '../../rules/index.js';
import type { AnyRule } from '../../analyzer/rule-api.js';
import { ruleDocsPath } from '../../analyzer/rule-api.js';
import { packageRoot } from '../package.js';

const LEVEL: Readonly<Record<ActiveSeverity, 'error' | 'warning' | 'note'>> = { error: 'error', warn: 'warning', info: 'note' };
const SECURITY_SEVERITY: Readonly<Record<ActiveSeverity, string>> = { error: '8.0', warn: '5.0', info: '2.0' };

const docCache = new Map<string, string | null>();
/** A rule's doc page (markdown), or null when missing. */
export function ruleDoc(id: string): string | null {
  if (!docCache.has(id)) {
    try {
      docCache.set(id, readFileSync(`${packageRoot()}/${ruleDocsPath(id)}`, 'utf8'));
    } catch {
      docCache.set(id, null);
    }
  }
  return docCache.get(id)!;
}

/** The plain-text help: the "why" section of the doc page, or the description. */
function helpText(rule: AnyRule, doc: string | null): string {
  if (doc === null) return rule.meta.description;
  const match = /## Why this is dangerous[^\n]*\n([\s\S]*?)(?=\n## )/.exec(doc);
  return (match?.[1] ?? rule.meta.description).trim().replace(/\s*\n\s*/g, ' ');
}

function pascal(id: string): string {
  return id.replace(/(^|-)([a-z0-9])/g, (_m, _d, ch: string) => ch.toUpperCase());
}

export const sarif: Formatter = (reports, context) => {
  const used = new Set<string>();
  for (const report of reports) for (const f of report.findings) used.add(f.ruleId);
  const rules = RULES.filter((r) => used.has(r.id) || (context.policy.rules[r.id]?.severity ?? 'off') !== 'off');
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const root = context.cwd.endsWith(sep) ? context.cwd : context.cwd + sep;
  const results = [];
  for (const report of reports) {
    const rel = relative(context.cwd, report.filename);
    const outside = rel.startsWith('..');
    const uri = outside ? pathToFileURL(report.filename).href : rel.split(sep).map(encodeURIComponent).join('/');
    for (const f of report.findings) {
      results.push({
        ruleId: f.ruleId,
        ...(index.has(f.ruleId) ? { ruleIndex: index.get(f.ruleId) } : {}),
        level: LEVEL[f.severity],
        message: { text: f.message },
        locations: [
          {
            physicalLocation: {
              artifactLocation: outside ? { uri } : { uri, uriBaseId: '%SRCROOT%' },
              region: {
                startLine: f.line,
                startColumn: f.column,
                endLine: Math.max(f.endLine, f.line),
                endColumn: f.endLine > f.line ? f.endColumn : Math.max(f.endColumn, f.column + 1),
              },
            },
          },
        ],
        partialFingerprints: { 'airlockFingerprint/v1': f.fingerprint },
        ...(f.suppressed
          ? {
              suppressions: [
                {
                  kind: f.suppressed.kind === 'directive' ? 'inSource' : 'external',
                  justification: f.suppressed.justification,
                  properties: { airlockKind: f.suppressed.kind },
                },
              ],
            }
          : {}),
        ...(context.baseline ? { baselineState: f.suppressed?.kind === 'baseline' ? 'unchanged' : 'new' } : {}),
      });
    }
  }
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'airlock',
            version: context.version,
            semanticVersion: context.version,
            rules: rules.map((rule) => {
              const doc = ruleDoc(rule.id);
              const severity = context.policy.rules[rule.id]?.severity ?? 'off';
              const level = severity === 'off' ? 'none' : LEVEL[severity];
              return {
                id: rule.id,
                name: pascal(rule.id),
                shortDescription: { text: rule.meta.description },
                fullDescription: { text: rule.meta.description },
                help: { text: helpText(rule, doc), ...(doc !== null ? { markdown: doc } : {}) },
                defaultConfiguration: { level },
                properties: {
                  tags: ['security', rule.meta.category],
                  precision: rule.meta.type === 'problem' ? 'high' : 'medium',
                  ...(severity !== 'off' ? { 'security-severity': SECURITY_SEVERITY[severity] } : {}),
                },
              };
            }),
          },
        },
        originalUriBaseIds: { '%SRCROOT%': { uri: pathToFileURL(root).href } },
        invocations: [{ executionSuccessful: true }],
        results,
        ...(context.packages !== undefined ? { properties: { airlockPackages: context.packages } } : {}),
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
};
