// Running an audit over many files: in-process for small sets, across a pool of worker threads
// (one per core) for large ones, in batches so that messaging stays cheap. Results keep file order.
import { availableParallelism } from 'node:os';
import { statSync } from 'node:fs';
import { Piscina } from 'piscina';
import { analyzeFile } from '../analyzer/file.js';
import type { AnalysisReport } from '../analyzer/types.js';
import type { Policy } from '../policy/index.js';
import type { AuditTask } from './audit-worker.js';

export interface AuditOptions {
  policy: Policy;
  /** Worker threads; 1 runs in-process; default: the machine's cores. */
  concurrency?: number;
  /** Called after each file or batch with the count done so far. */
  onProgress?(done: number, total: number): void;
}

/** Below this many files (or bytes) worker start-up costs more than it saves. */
const PARALLEL_MIN_FILES = 24;
const PARALLEL_MIN_BYTES = 512 * 1024;
const MAX_BATCH_FILES = 64;
const MAX_BATCH_BYTES = 2 * 1024 * 1024;

/** Audits the files; never throws for a file's content. */
export async function auditFiles(files: readonly string[], options: AuditOptions): Promise<AnalysisReport[]> {
  const concurrency = Math.max(1, options.concurrency ?? availableParallelism());
  const sizes = files.map((file) => {
    try {
      return statSync(file).size;
    } catch {
      return 0;
    }
  });
  const totalBytes = sizes.reduce((a, b) => a + b, 0);
  if (concurrency === 1 || (files.length < PARALLEL_MIN_FILES && totalBytes < PARALLEL_MIN_BYTES) || files.length < 2) {
    const out: AnalysisReport[] = [];
    for (const file of files) {
      out.push(await analyzeFile(file, { policy: options.policy }));
      options.onProgress?.(out.length, files.length);
    }
    return out;
  }
  // Batches balanced by bytes: a 9 MB bundle gets a batch of its own.
  const batches: { start: number; files: string[] }[] = [];
  let current: { start: number; files: string[] } = { start: 0, files: [] };
  let currentBytes = 0;
  const targetBytes = Math.min(MAX_BATCH_BYTES, Math.max(64 * 1024, totalBytes / (concurrency * 8)));
  files.forEach((file, i) => {
    if (current.files.length > 0 && (current.files.length >= MAX_BATCH_FILES || currentBytes + sizes[i]! > targetBytes)) {
      batches.push(current);
      current = { start: i, files: [] };
      currentBytes = 0;
    }
    current.files.push(file);
    currentBytes += sizes[i]!;
  });
  if (current.files.length > 0) batches.push(current);
  // Largest batches first, so the longest work starts early.
  const order = batches.map((b, i) => ({ b, i, bytes: b.files.reduce((s, _f, k) => s + sizes[b.start + k]!, 0) })).sort((x, y) => y.bytes - x.bytes);
  const pool = new Piscina<AuditTask, AnalysisReport[]>({
    filename: new URL('./audit-worker.js', import.meta.url).href,
    minThreads: Math.min(concurrency, batches.length),
    maxThreads: Math.min(concurrency, batches.length),
    idleTimeout: 1000,
  });
  const results: AnalysisReport[] = new Array(files.length);
  let done = 0;
  try {
    await Promise.all(
      order.map(async ({ b }) => {
        const reports = await pool.run({ files: b.files, policy: options.policy });
        reports.forEach((report, k) => (results[b.start + k] = report));
        done += b.files.length;
        options.onProgress?.(done, files.length);
      }),
    );
  } finally {
    await pool.destroy();
  }
  return results;
}
