// Analysing a file on disk: stat before reading, so an over-size file is reported without being
// loaded, and an unreadable one becomes a finding instead of an exception.
import { readFile, stat } from 'node:fs/promises';
import { analyze, type AnalyzeOptions } from './engine.js';
import type { AnalysisReport } from './types.js';
import { resolvePolicy, defaultPolicy } from '../policy/index.js';

/** Reads and analyses one file. Never throws: I/O errors become fatal findings. */
export async function analyzeFile(path: string, options: Omit<AnalyzeOptions, 'filename'> = {}): Promise<AnalysisReport> {
  const policy = options.policy === undefined ? defaultPolicy() : resolvePolicy(options.policy);
  try {
    const info = await stat(path);
    if (!info.isFile()) return unreadable(path, policy, 'it is not a regular file');
    if (info.size > policy.limits.maxSourceBytes) {
      // Let the engine produce its size finding without reading the file.
      return analyze(new Uint8Array(0), { ...options, policy, filename: path, declaredBytes: info.size });
    }
    const bytes = await readFile(path);
    return analyze(bytes, { ...options, policy, filename: path });
  } catch (error) {
    return unreadable(path, policy, (error as NodeJS.ErrnoException).code ?? String(error));
  }
}

function unreadable(path: string, policy: ReturnType<typeof defaultPolicy>, reason: string): AnalysisReport {
  const report = analyze('', { policy, filename: path });
  const severity = policy.rules['parse-failure']?.severity ?? 'error';
  if (severity !== 'off') {
    report.findings.push({
      ruleId: 'parse-failure',
      messageId: 'unreadable',
      message: `File not analysed: it could not be read (${reason}).`,
      severity,
      line: 1,
      column: 1,
      endLine: 1,
      endColumn: 1,
      fatal: true,
      fingerprint: 'unreadable',
    });
    report.fatalErrorCount++;
    if (severity === 'error') {
      report.errorCount++;
      report.verdict = 'reject';
    } else if (severity === 'warn') report.warningCount++;
    else report.infoCount++;
  }
  return report;
}
