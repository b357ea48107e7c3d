// Shared data types of the analyzer: severities, findings and the per-file report.
// Findings are plain data so that every front door (CLI, library, HTTP) can render them.

/** How seriously a rule's finding is taken: `error` rejects, `warn` flags, `info` inventories. */
export type Severity = 'off' | 'info' | 'warn' | 'error';
export type ActiveSeverity = Exclude<Severity, 'off'>;

export const SEVERITY_RANK: Readonly<Record<Severity, number>> = { off: 0, info: 1, warn: 2, error: 3 };

/** The three built-in rule profiles. */
export type ProfileName = 'strict' | 'audit' | 'recommended';
export const PROFILE_NAMES: readonly ProfileName[] = ['strict', 'audit', 'recommended'];

export interface Suppression {
  kind: 'directive' | 'baseline' | 'allowlist';
  justification: string;
}

/** One problem found in one file. Lines and columns are 1-based; columns count UTF-16 units. */
export interface Finding {
  ruleId: string;
  messageId: string;
  message: string;
  severity: ActiveSeverity;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  /** The file could not be analysed at all (syntax error, binary, budget): fail closed. */
  fatal?: boolean;
  suppressed?: Suppression;
  /** Stable across unrelated edits: rule, message id, the flagged line's text and its occurrence. */
  fingerprint: string;
  /** Values that justified the finding (folded strings, resolved paths), for reviewers. */
  data?: Record<string, string | number>;
}

export type Verdict = 'accept' | 'reject';
export type SourceType = 'module' | 'script';

/** What `analyze` returns for one file. */
export interface AnalysisReport {
  filename: string;
  verdict: Verdict;
  /** Every finding, suppressed ones included (they carry `suppressed`). Sorted by position. */
  findings: Finding[];
  errorCount: number;
  warningCount: number;
  infoCount: number;
  fatalErrorCount: number;
  suppressedCount: number;
  sourceType: SourceType | null;
  language: Language | null;
  stats: { bytes: number; nodes: number; durationMs: number };
}

export type Language = 'js' | 'jsx' | 'ts' | 'tsx';

export interface SourcePosition {
  line: number;
  column: number;
}
export interface SourceRange {
  start: SourcePosition;
  end: SourcePosition;
}
