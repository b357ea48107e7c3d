// A self-contained HTML report: one page with inline CSS, no scripts and no external requests
// (a Content-Security-Policy forbids them too). The audited code is hostile, so every piece of text
// that comes from it (file names, messages, code excerpts, package names and scripts) is escaped,
// and invisible or bidi control characters in excerpts are shown as visible escapes.
import { readFileSync } from 'node:fs';
import { relative, sep } from 'node:path';
import type { Finding } from '../../analyzer/types.js';
import type { PackageSummary } from '../deps.js';
import type { Formatter } from './types.js';
import { HIDDEN, visibleEscape } from './printable.js';

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ESCAPES[ch]!);
}


function escapeCode(text: string): string {
  let out = '';
  let last = 0;
  for (const match of text.matchAll(HIDDEN)) {
    out += escapeHtml(text.slice(last, match.index));
    out += `<span class="ctl">${visibleEscape(match[0])}</span>`;
    last = match.index! + match[0].length;
  }
  return out + escapeHtml(text.slice(last));
}

const CONTEXT_LINES = 2;
const MAX_LINE = 160;
const MAX_FINDINGS = 5000;

/** A window of a long (minified) line around the flagged column. */
function clip(line: string, column: number): string {
  if (line.length <= MAX_LINE) return line;
  const start = Math.max(0, Math.min(column - 1 - MAX_LINE / 4, line.length - MAX_LINE));
  return `${start > 0 ? '…' : ''}${line.slice(start, start + MAX_LINE)}${start + MAX_LINE < line.length ? '…' : ''}`;
}

function excerpt(lines: readonly string[] | null, f: Finding): string {
  if (lines === null || f.line < 1 || f.line > lines.length) return '';
  const from = Math.max(1, f.line - CONTEXT_LINES);
  const to = Math.min(lines.length, Math.max(f.line, Math.min(f.endLine, f.line + 4)) + CONTEXT_LINES);
  const width = String(to).length;
  const rows: string[] = [];
  for (let n = from; n <= to; n++) {
    const text = clip((lines[n - 1] ?? '').replace(/\r$/, ''), n === f.line ? f.column : 1);
    const hit = n >= f.line && n <= f.endLine;
    rows.push(`<span class="row${hit ? ' hit' : ''}"><span class="ln">${String(n).padStart(width)}</span> ${escapeCode(text)}</span>`);
  }
  return `<pre class="code">${rows.join('')}</pre>`;
}

const SEVERITY_LABEL = { error: 'error', warn: 'warning', info: 'note' } as const;

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function packageTable(packages: readonly PackageSummary[], verbose: boolean): string {
  const shown = packages.filter((p) => verbose || p.score > 0);
  const rows = shown.map(
    (p) => `<tr class="risk-${p.level}">
<td class="num">${p.score}</td><td><span class="badge ${p.level}">${p.level}</span></td>
<td><code>${escapeHtml(p.key)}</code><div class="dim">${p.paths.map(escapeHtml).join('<br>')}</div></td>
<td class="num">${p.files}</td>
<td>${[p.errors > 0 ? plural(p.errors, 'error') : '', p.warnings > 0 ? plural(p.warnings, 'warning') : '', p.unscanned > 0 ? `${p.unscanned} unscanned` : ''].filter(Boolean).join(', ') || '<span class="dim">none</span>'}</td>
<td>${p.capabilities.map((c) => `<span class="cap">${escapeHtml(c)}</span>`).join(' ')}</td>
<td>${p.stages.map(escapeHtml).join(', ')}</td>
<td>${p.installScripts.map((s) => `<div><b>${escapeHtml(s.hook)}</b> <code>${escapeCode(s.command)}</code></div>`).join('')}</td>
</tr>`,
  );
  return `<section id="packages"><h2>Packages</h2>
<p>${plural(packages.length, 'package')} audited; ${packages.filter((p) => p.score >= 3).length} at medium risk or above.${shown.length < packages.length ? ` ${plural(packages.length - shown.length, 'package')} with nothing to report not listed.` : ''}</p>
<table><thead><tr><th>score</th><th>risk</th><th>package</th><th>files</th><th>findings</th><th>capabilities</th><th>attack stages</th><th>install scripts</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table></section>`;
}

const STYLE = `
:root{--fg:#1d2330;--dim:#6b7280;--bg:#fff;--line:#e5e7eb;--err:#b91c1c;--warn:#b45309;--info:#1d4ed8;--hit:#fef3c7}
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
header{padding:20px 28px;background:#111827;color:#f9fafb}header h1{margin:0;font-size:22px}header p{margin:4px 0 0;color:#d1d5db}
main{padding:8px 28px 40px}h2{font-size:17px;margin:24px 0 8px}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin-top:16px}.card{border:1px solid var(--line);border-radius:8px;padding:10px 16px;min-width:130px}
.card b{display:block;font-size:24px}.card.err b{color:var(--err)}.card.warn b{color:var(--warn)}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid var(--line);padding:6px 8px;text-align:left;vertical-align:top}
th{font-size:12px;text-transform:uppercase;color:var(--dim)}td.num{text-align:right;font-variant-numeric:tabular-nums}
.badge{display:inline-block;border-radius:4px;padding:0 6px;font-size:12px;font-weight:600;color:#fff;background:var(--dim)}
.badge.critical,.badge.error{background:#7f1d1d}.badge.high{background:var(--err)}.badge.medium,.badge.warning{background:var(--warn)}.badge.low,.badge.note{background:var(--info)}.badge.none{background:#9ca3af}
.cap{display:inline-block;border:1px solid var(--line);border-radius:10px;padding:0 7px;margin:1px;font-size:12px}
.dim{color:var(--dim);font-size:12px}details{border:1px solid var(--line);border-radius:8px;margin:10px 0}summary{cursor:pointer;padding:8px 12px;font-weight:600;word-break:break-all}
.finding{border-top:1px solid var(--line);padding:8px 12px}.finding .msg{word-break:break-word}.finding .where{color:var(--dim);font-size:12px}
pre.code{margin:6px 0 0;padding:8px;background:#f8fafc;border:1px solid var(--line);border-radius:6px;overflow-x:auto;font:12px/1.5 ui-monospace,SFMono-Regular,Menlo,monospace}
.row{display:block;white-space:pre}.row.hit{background:var(--hit)}.ln{color:var(--dim);user-select:none}.ctl{color:#fff;background:var(--err);border-radius:3px;padding:0 2px}
.suppressed{opacity:.6}
`;

/** The HTML report formatter. */
export const html: Formatter = (reports, context) => {
  const totals = { errors: 0, warnings: 0, infos: 0, suppressed: 0, fatal: 0 };
  for (const r of reports) {
    totals.errors += r.errorCount;
    totals.warnings += r.warningCount;
    totals.infos += r.infoCount;
    totals.suppressed += r.suppressedCount;
    totals.fatal += r.fatalErrorCount;
  }
  // Suppressed findings and notes are listed only with --verbose, as in the stylish report.
  const show = (f: Finding): boolean => (f.suppressed ? context.verbose : context.verbose || f.severity !== 'info');
  const withFindings = reports.filter((r) => r.findings.some(show));
  withFindings.sort((a, b) => b.errorCount - a.errorCount || b.warningCount - a.warningCount || a.filename.localeCompare(b.filename));
  let budget = MAX_FINDINGS;
  const sections: string[] = [];
  for (const report of withFindings) {
    const name = relative(context.cwd, report.filename).split(sep).join('/') || report.filename;
    let lines: string[] | null = null;
    try {
      lines = readFileSync(report.filename, 'utf8').split('\n');
    } catch {
      lines = null;
    }
    const items: string[] = [];
    for (const f of report.findings.filter(show)) {
      if (budget-- <= 0) break;
      const level = SEVERITY_LABEL[f.severity];
      items.push(`<div class="finding${f.suppressed ? ' suppressed' : ''}">
<div><span class="badge ${level}">${level}</span> <span class="msg">${escapeCode(f.message)}</span> <code class="dim">${escapeHtml(f.ruleId)}</code></div>
<div class="where">line ${f.line}, column ${f.column}${f.suppressed ? ` · suppressed (${escapeHtml(f.suppressed.kind)}: ${escapeHtml(f.suppressed.justification)})` : ''}</div>
${excerpt(lines, f)}</div>`);
    }
    if (items.length === 0) continue;
    const counts = [report.errorCount > 0 ? plural(report.errorCount, 'error') : '', report.warningCount > 0 ? plural(report.warningCount, 'warning') : ''].filter(Boolean).join(', ');
    sections.push(`<details open><summary>${escapeCode(name)} <span class="dim">${counts}</span></summary>${items.join('\n')}</details>`);
  }
  const truncated = budget < 0 ? `<p class="dim">Only the first ${MAX_FINDINGS} findings are shown; use --format json or sarif for all.</p>` : '';
  const risky = context.packages?.filter((p) => p.score >= 3).length;
  const cards = [
    ['files audited', reports.length, ''],
    ['errors', totals.errors, totals.errors > 0 ? 'err' : ''],
    ['warnings', totals.warnings, totals.warnings > 0 ? 'warn' : ''],
    ['notes', totals.infos, ''],
    ['suppressed', totals.suppressed, ''],
    ['not analysed', totals.fatal, totals.fatal > 0 ? 'warn' : ''],
    ...(context.packages !== undefined ? [['packages', context.packages.length, ''], ['packages at risk', risky ?? 0, (risky ?? 0) > 0 ? 'err' : '']] : []),
  ] as [string, number, string][];
  const verdict = totals.errors > 0 ? `${plural(totals.errors, 'error')} found` : totals.warnings > 0 ? 'no errors; warnings to review' : 'no problems found';
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'">
<meta name="referrer" content="no-referrer"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>airlock audit report</title><style>${STYLE}</style></head>
<body><header><h1>airlock audit report</h1><p>airlock ${escapeHtml(context.version)} · profile ${escapeHtml(context.policy.profile)} · ${escapeHtml(verdict)}</p></header>
<main>
<section id="summary"><h2>Summary</h2><div class="cards">${cards.map(([label, n, cls]) => `<div class="card ${cls}"><b>${n}</b>${escapeHtml(label)}</div>`).join('')}</div></section>
${context.packages !== undefined ? packageTable(context.packages, context.verbose) : ''}
<section id="files"><h2>Findings by file</h2>${sections.length > 0 ? sections.join('\n') : '<p>No findings to show.</p>'}${truncated}</section>
</main></body></html>
`;
};


