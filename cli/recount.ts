// Re-deriving a report's counts and verdict after the CLI changes its findings (a baseline marks
// some suppressed, the dependency audit raises install-time findings one level).
import type { AnalysisReport } from '../analyzer/types.js';

/** Recomputes error/warning/info/fatal/suppressed counts and the verdict from the findings. */
export function recountReport(report: AnalysisReport): void {
  let errors = 0;
  let warnings = 0;
  let infos = 0;
  let fatal = 0;
  let suppressed = 0;
  for (const finding of report.findings) {
    if (finding.suppressed) {
      suppressed++;
      continue;
    }
    if (finding.fatal) fatal++;
    if (finding.severity === 'error') errors++;
    else if (finding.severity === 'warn') warnings++;
    else infos++;
  }
  report.errorCount = errors;
  report.warningCount = warnings;
  report.infoCount = infos;
  report.fatalErrorCount = fatal;
  report.suppressedCount = suppressed;
  report.verdict = errors > 0 ? 'reject' : 'accept';
}
