// Baselines: `--write-baseline <file>` records today's findings; `--baseline <file>` then fails
// only on findings that are not in it. Entries match by file (relative to the baseline's folder),
// rule and fingerprint; the fingerprint is built from the flagged line's text, not its number, so
// entries survive edits elsewhere in the file. Line and message are kept for reviewers only.
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { dirname, relative, resolve, sep } from 'node:path';
import type { AnalysisReport } from '../analyzer/types.js';
import { UsageError } from './io.js';
import { recountReport } from './recount.js';

export interface BaselineEntry {
  file: string;
  ruleId: string;
  fingerprint: string;
  line: number;
  message: string;
}

export interface BaselineFile {
  airlockBaseline: 1;
  createdWith: string;
  findings: BaselineEntry[];
}

export interface BaselineResult {
  /** Findings matched by the baseline (now suppressed). */
  matched: number;
  /** Baseline entries that matched nothing in the audited files (fixed, or the file moved). */
  unused: number;
}

function keyOf(file: string, ruleId: string, fingerprint: string): string {
  return `${file}\u0000${ruleId}\u0000${fingerprint}`;
}

function relativeTo(dir: string, file: string): string {
  return relative(dir, file).split(sep).join('/');
}

/** Writes the unsuppressed error and warning findings of the reports as a baseline. Returns the count. */
export async function writeBaseline(path: string, reports: readonly AnalysisReport[], version: string): Promise<number> {
  const dir = dirname(path);
  const findings: BaselineEntry[] = [];
  for (const report of reports) {
    const file = relativeTo(dir, report.filename);
    for (const f of report.findings) {
      if (f.suppressed || f.severity === 'info') continue;
      findings.push({ file, ruleId: f.ruleId, fingerprint: f.fingerprint, line: f.line, message: f.message });
    }
  }
  findings.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.ruleId.localeCompare(b.ruleId)));
  const body: BaselineFile = { airlockBaseline: 1, createdWith: version, findings };
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(path, `${JSON.stringify(body, null, 2)}\n`);
  } catch (error) {
    throw new UsageError(`cannot write baseline ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return findings.length;
}

/** Reads and validates a baseline file; a missing or malformed one is a usage error. */
export async function readBaseline(path: string): Promise<BaselineFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read baseline ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`baseline ${path} is not valid JSON (${(error as Error).message})`);
  }
  const body = data as Partial<BaselineFile>;
  if (typeof body !== 'object' || body === null || body.airlockBaseline !== 1 || !Array.isArray(body.findings)) {
    throw new UsageError(`baseline ${path} is not an airlock baseline (write one with --write-baseline)`);
  }
  for (const [i, entry] of body.findings.entries()) {
    const e = entry as Partial<BaselineEntry>;
    if (typeof e !== 'object' || e === null || typeof e.file !== 'string' || typeof e.ruleId !== 'string' || typeof e.fingerprint !== 'string') {
      throw new UsageError(`baseline ${path}: entry ${i} needs string file, ruleId and fingerprint`);
    }
  }
  return body as BaselineFile;
}

/** Marks findings that the baseline lists as suppressed (kind 'baseline') and recounts the reports. */
export function applyBaseline(path: string, baseline: BaselineFile, reports: readonly AnalysisReport[], label = path): BaselineResult {
  const dir = dirname(resolve(path));
  const remaining = new Map<string, number>();
  for (const e of baseline.findings) {
    const key = keyOf(e.file, e.ruleId, e.fingerprint);
    remaining.set(key, (remaining.get(key) ?? 0) + 1);
  }
  const audited = new Set<string>();
  let matched = 0;
  const justification = `in the baseline ${label}`;
  for (const report of reports) {
    const file = relativeTo(dir, report.filename);
    audited.add(file);
    let changed = false;
    for (const f of report.findings) {
      if (f.suppressed) continue;
      const key = keyOf(file, f.ruleId, f.fingerprint);
      const left = remaining.get(key) ?? 0;
      if (left === 0) continue;
      remaining.set(key, left - 1);
      f.suppressed = { kind: 'baseline', justification };
      matched++;
      changed = true;
    }
    if (changed) recountReport(report);
  }
  // Entries for files outside this audit (e.g. with --changed-since) are not "unused".
  let unused = 0;
  for (const e of baseline.findings) {
    if (!audited.has(e.file)) continue;
    const key = keyOf(e.file, e.ruleId, e.fingerprint);
    const left = remaining.get(key) ?? 0;
    if (left > 0) {
      unused++;
      remaining.set(key, left - 1);
    }
  }
  return { matched, unused };
}
