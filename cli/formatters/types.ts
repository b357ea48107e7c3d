// The shared signature of report formatters: data in, text out (rendering is the last step).
import type { AnalysisReport } from '../../analyzer/types.js';
import type { Policy } from '../../policy/index.js';
import type { PackageSummary } from '../deps.js';

export interface FormatContext {
  cwd: string;
  color: boolean;
  policy: Policy;
  /** List info-level findings too (stylish hides them by default). */
  verbose: boolean;
  /** Version of airlock, for SARIF's tool.driver. */
  version: string;
  /** Per-package summaries of a dependency audit (`--deps`, or the audit profile). */
  packages?: readonly PackageSummary[];
  /** A baseline was applied: baselined findings carry `suppressed.kind === 'baseline'`. */
  baseline?: boolean;
}

export type Formatter = (reports: readonly AnalysisReport[], context: FormatContext) => string;
