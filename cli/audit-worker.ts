// Worker-thread entry for parallel audits: analyses a batch of files under a resolved policy.
import { analyzeFile } from '../analyzer/file.js';
import type { AnalysisReport } from '../analyzer/types.js';
import type { Policy } from '../policy/index.js';

export interface AuditTask {
  files: string[];
  policy: Policy;
}

/** Piscina calls the default export once per task. */
export default async function auditBatch(task: AuditTask): Promise<AnalysisReport[]> {
  const out: AnalysisReport[] = [];
  for (const file of task.files) out.push(await analyzeFile(file, { policy: task.policy }));
  return out;
}
