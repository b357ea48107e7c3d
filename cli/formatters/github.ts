// GitHub Actions workflow commands: one annotation per finding, shown on the pull request diff.
import { relative, sep } from 'node:path';
import type { Formatter } from './types.js';
import { printable } from './printable.js';

/** Escapes data and property values as the workflow-command syntax requires. */
function escapeData(value: string): string {
  return value.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
function escapeProperty(value: string): string {
  return escapeData(value).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export const github: Formatter = (reports, context) => {
  const lines: string[] = [];
  for (const report of reports) {
    const file = relative(context.cwd, report.filename).split(sep).join('/');
    for (const f of report.findings) {
      if (f.suppressed || (f.severity === 'info' && !context.verbose)) continue;
      const command = f.severity === 'error' ? 'error' : f.severity === 'warn' ? 'warning' : 'notice';
      const props = [
        `file=${escapeProperty(file)}`,
        `line=${f.line}`,
        `col=${f.column}`,
        `endLine=${f.endLine}`,
        `endColumn=${f.endColumn}`,
        `title=${escapeProperty(`airlock(${f.ruleId})`)}`,
      ].join(',');
      lines.push(`::${command} ${props}::${escapeData(printable(f.message))}`);
    }
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
};
