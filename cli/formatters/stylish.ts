// The human-readable report, in ESLint's "stylish" layout: findings grouped by file, then a summary.
import { relative } from 'node:path';
import pc from 'picocolors';
import type { Formatter } from './types.js';
import { packageTableLines } from './packages.js';
import { printable } from './printable.js';

export const stylish: Formatter = (reports, context) => {
  const c = pc.createColors(context.color);
  const lines: string[] = [];
  let errors = 0;
  let warnings = 0;
  let infos = 0;
  let fatal = 0;
  let suppressed = 0;
  for (const report of reports) {
    errors += report.errorCount;
    warnings += report.warningCount;
    infos += report.infoCount;
    fatal += report.fatalErrorCount;
    suppressed += report.suppressedCount;
    const shown = report.findings.filter((f) => !f.suppressed && (context.verbose || f.severity !== 'info'));
    if (shown.length === 0) continue;
    lines.push('', c.underline(printable(relative(context.cwd, report.filename) || report.filename)));
    const width = Math.max(...shown.map((f) => `${f.line}:${f.column}`.length));
    for (const f of shown) {
      const where = `${f.line}:${f.column}`.padEnd(width);
      const level = f.severity === 'error' ? c.red('error') : f.severity === 'warn' ? c.yellow('warn ') : c.blue('info ');
      lines.push(`  ${c.dim(where)}  ${level}  ${printable(f.message)}  ${c.dim(f.ruleId)}`);
    }
  }
  if (context.packages !== undefined) lines.push(...packageTableLines(context.packages, c, context.verbose));
  const problems = errors + warnings;
  const notes: string[] = [];
  if (infos > 0 && !context.verbose) notes.push(`${infos} info note${infos === 1 ? '' : 's'} hidden (--verbose lists them)`);
  if (suppressed > 0) notes.push(`${suppressed} suppressed`);
  if (fatal > 0) notes.push(`${fatal} file${fatal === 1 ? '' : 's'} not fully analysed`);
  const fileCount = `${reports.length} file${reports.length === 1 ? '' : 's'} audited`;
  if (problems === 0) {
    lines.push(`${lines.length > 0 ? '\n' : ''}${c.green('✔')} No problems (${[fileCount, ...notes].join(', ')}).`);
  } else {
    const summary = `✖ ${problems} problem${problems === 1 ? '' : 's'} (${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'})`;
    lines.push('', `${errors > 0 ? c.red(c.bold(summary)) : c.yellow(c.bold(summary))} in ${[fileCount, ...notes].join(', ')}.`);
  }
  return `${lines.join('\n').replace(/^\n/, '')}\n`;
};
