// ESLint's JSON shape, so existing tools read it: one entry per audited file (clean ones too).
// Info-level findings are not ESLint severities; they are listed under `infoMessages`.
import type { Formatter } from './types.js';
import type { Finding } from '../../analyzer/types.js';

function message(f: Finding) {
  return {
    ruleId: f.ruleId,
    severity: f.severity === 'error' ? 2 : 1,
    message: f.message,
    line: f.line,
    column: f.column,
    endLine: f.endLine,
    endColumn: f.endColumn,
    messageId: f.messageId,
    ...(f.fatal ? { fatal: true } : {}),
    fingerprint: f.fingerprint,
    ...(f.suppressed ? { suppressions: [{ kind: f.suppressed.kind, justification: f.suppressed.justification }] } : {}),
  };
}

export const json: Formatter = (reports) => {
  const out = reports.map((report) => {
    const active = report.findings.filter((f) => !f.suppressed);
    return {
      filePath: report.filename,
      messages: active.filter((f) => f.severity !== 'info').map(message),
      suppressedMessages: report.findings.filter((f) => f.suppressed).map(message),
      infoMessages: active.filter((f) => f.severity === 'info').map(message),
      errorCount: report.errorCount,
      fatalErrorCount: report.fatalErrorCount,
      warningCount: report.warningCount,
      fixableErrorCount: 0,
      fixableWarningCount: 0,
      infoCount: report.infoCount,
      verdict: report.verdict,
    };
  });
  return `${JSON.stringify(out)}\n`;
};
