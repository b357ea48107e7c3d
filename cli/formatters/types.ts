// The shared signature of report formatters: data in, text out (rendering is the last step).
import type { AnalysisReport } from '../../analyzer/types.js';
import type { Policy } from '../../policy/index.js';

export interface FormatContext {
  cwd: string;
  color: boolean;
  policy: Policy;
  /** List info-level findings too (stylish hides them by default). */
  verbose: boolean;
  /** Version of airlock, for SARIF's tool.driver. */
  version: string;
}

export type Formatter = (reports: readonly AnalysisReport[], context: FormatContext) => string;
