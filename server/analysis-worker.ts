// Worker-thread entry for POST /v1/analyze: gate 1 on one submission, off the server's event loop, so
// a large submission (up to the body limit) does not stall every other request while it is parsed.
// The served policies arrive once, as workerData; each task names one. Protocol: the worker posts
// `{ type: 'ready' }` once loaded, then answers each `{ id, task }` with `{ id, outcome }` or
// `{ id, error }`.
import { parentPort, workerData } from 'node:worker_threads';
import { analyze } from '../analyzer/engine.js';
import type { Finding, Language, SourceType, Verdict } from '../analyzer/types.js';
import { resolvePolicy } from '../policy/index.js';
import type { Limits, Policy } from '../policy/index.js';

export interface AnalysisTask {
  source: string;
  filename: string;
  policy: string;
  language?: Language;
  sourceType?: SourceType | 'unambiguous';
  /** Tighter source limits than the named policy's (a run's clamped limits). */
  limits?: Pick<Limits, 'maxSourceBytes' | 'maxAstNodes'>;
}

export interface AnalysisOutcome {
  verdict: Verdict;
  findings: Finding[];
  durationMs: number;
}

/** Gate 1 on one submission (also used on the calling thread when no analysis threads are set). */
export function analyzeWith(policy: Policy, task: AnalysisTask): AnalysisOutcome {
  const report = analyze(task.source, {
    filename: task.filename,
    policy: task.limits === undefined ? policy : resolvePolicy({ limits: { ...task.limits } }, policy),
    ...(task.language !== undefined ? { language: task.language } : {}),
    ...(task.sourceType !== undefined ? { sourceType: task.sourceType } : {}),
  });
  return { verdict: report.verdict, findings: report.findings, durationMs: report.stats.durationMs };
}

const port = parentPort;
const data = workerData as { airlockAnalysis?: { policies: Record<string, Policy> } } | null;
if (port !== null && data?.airlockAnalysis !== undefined) {
  const policies = new Map<string, Policy>(Object.entries(data.airlockAnalysis.policies));
  port.on('message', (message: { id: number; task: AnalysisTask }) => {
    const policy = policies.get(message.task.policy);
    if (policy === undefined) {
      port.postMessage({ id: message.id, error: `unknown policy '${message.task.policy}'` });
      return;
    }
    try {
      port.postMessage({ id: message.id, outcome: analyzeWith(policy, message.task) });
    } catch (error) {
      port.postMessage({ id: message.id, error: error instanceof Error ? error.message : String(error) });
    }
  });
  port.postMessage({ type: 'ready' });
}
