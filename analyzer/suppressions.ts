// Inline suppression directives: `// airlock-disable-next-line <rules> -- <reason>`,
// `// airlock-disable-line ...`, and `/* airlock-disable <rules> */ ... /* airlock-enable */`.
// They are honoured only when the policy allows it; code from untrusted submitters never gets to
// switch its own checks off (the policy reports each directive as ignored instead).
import type { Finding } from './types.js';

export interface Directive {
  kind: 'disable-next-line' | 'disable-line' | 'disable' | 'enable';
  /** Rule ids named; empty means every rule. */
  rules: string[];
  justification: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  used: boolean;
}

const DIRECTIVE = /^\s*airlock-(disable-next-line|disable-line|disable|enable)\b([^]*)$/;

interface CommentLike {
  type: 'CommentLine' | 'CommentBlock';
  value: string;
  loc?: { start: { line: number; column: number }; end: { line: number; column: number } } | null;
}

/** Reads the directives out of the file's comments. */
export function parseDirectives(comments: readonly CommentLike[]): Directive[] {
  const out: Directive[] = [];
  for (const comment of comments) {
    const match = DIRECTIVE.exec(comment.value);
    if (match === null || !comment.loc) continue;
    const kind = match[1] as Directive['kind'];
    if (comment.type === 'CommentBlock' && (kind === 'disable-next-line' || kind === 'disable-line') && comment.loc.start.line !== comment.loc.end.line) {
      continue; // ESLint's rule: line directives must sit on one line
    }
    const [list = '', ...reason] = (match[2] ?? '').split(/\s--\s|\s--$/);
    out.push({
      kind,
      rules: list
        .split(/[\s,]+/)
        .map((s) => s.trim())
        .filter((s) => s.length > 0),
      justification: reason.join(' -- ').trim(),
      line: comment.loc.start.line,
      column: comment.loc.start.column + 1,
      endLine: comment.loc.end.line,
      endColumn: comment.loc.end.column + 1,
      used: false,
    });
  }
  return out;
}

const UNSUPPRESSIBLE = new Set(['parse-failure', 'analysis-budget-exceeded', 'internal-error', 'inline-suppression-ignored', 'unused-suppression']);

/** Marks the findings that directives cover as suppressed, and the directives as used. */
export function applyDirectives(findings: Finding[], directives: Directive[]): void {
  if (directives.length === 0) return;
  const blocks = directives.filter((d) => d.kind === 'disable' || d.kind === 'enable').sort((a, b) => a.line - b.line || a.column - b.column);
  for (const finding of findings) {
    if (finding.fatal || UNSUPPRESSIBLE.has(finding.ruleId)) continue;
    const covers = (d: Directive): boolean => d.rules.length === 0 || d.rules.includes(finding.ruleId);
    let hit: Directive | undefined;
    for (const d of directives) {
      if (d.kind === 'disable-next-line' && d.endLine + 1 === finding.line && covers(d)) hit = d;
      else if (d.kind === 'disable-line' && d.line === finding.line && covers(d)) hit = d;
      if (hit) break;
    }
    if (!hit) {
      // Block directives: the last disable/enable before the finding that names its rule wins.
      let active: Directive | undefined;
      for (const d of blocks) {
        if (d.line > finding.line || (d.line === finding.line && d.column > finding.column)) break;
        if (!covers(d)) continue;
        active = d.kind === 'disable' ? d : undefined;
      }
      hit = active;
    }
    if (hit) {
      hit.used = true;
      finding.suppressed = { kind: 'directive', justification: hit.justification };
    }
  }
}
