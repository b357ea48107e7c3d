// `--cache`: per-file results kept between audits, keyed by the file's content hash, a hash of the
// resolved policy and airlock's version (plus a stamp of its compiled rules, so a rebuilt airlock
// never serves stale results). One JSON file per policy+version under the cache folder; written
// atomically. A missing, corrupt or foreign cache file is ignored, never fatal.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile, unlink } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AnalysisReport } from '../analyzer/types.js';
import type { Policy } from '../policy/index.js';

const CACHE_FORMAT = 1;

export interface CacheEntry {
  hash: string;
  report: AnalysisReport;
}

interface CacheFile {
  airlockCache: number;
  key: string;
  entries: Record<string, CacheEntry>;
}

/** The default cache folder: node_modules/.cache/airlock when node_modules exists, else .airlock-cache. */
export function defaultCacheLocation(cwd: string): string {
  return existsSync(join(cwd, 'node_modules')) ? join(cwd, 'node_modules', '.cache', 'airlock') : join(cwd, '.airlock-cache');
}

/** JSON with object keys sorted, so that equal policies hash equally. */
function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value as Record<string, unknown>).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${stableStringify((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

let buildStamp: string | null = null;
/**
 * A hash of airlock's compiled analyzer, rules and policy code: it changes when airlock is rebuilt
 * with different code, and not when an identical build is reinstalled (a CI cache stays valid).
 */
function analyzerBuildStamp(): string {
  if (buildStamp === null) {
    const hash = createHash('sha256');
    const here = dirname(fileURLToPath(import.meta.url));
    for (const dir of [join(here, '..', 'analyzer'), join(here, '..', 'rules'), join(here, '..', 'policy')]) {
      try {
        for (const name of readdirSync(dir).sort()) {
          if (!name.endsWith('.js')) continue;
          hash.update(`${name}\u0000`).update(readFileSync(join(dir, name))).update('\u0000');
        }
      } catch {
        hash.update(`${dir}:missing`);
      }
    }
    buildStamp = hash.digest('hex');
  }
  return buildStamp;
}

/** The cache key of a policy under this airlock build. */
export function cacheKey(policy: Policy, version: string): string {
  return createHash('sha256').update(`${CACHE_FORMAT}\u0000${version}\u0000${analyzerBuildStamp()}\u0000${stableStringify(policy)}`).digest('hex');
}

/** Content hash of a file, or null when it cannot be read (such files are analysed, not cached). */
function hashFile(path: string): string | null {
  try {
    return createHash('sha256').update(readFileSync(path)).digest('hex');
  } catch {
    return null;
  }
}

function looksLikeReport(value: unknown): value is AnalysisReport {
  const r = value as Partial<AnalysisReport>;
  return (
    typeof r === 'object' &&
    r !== null &&
    Array.isArray(r.findings) &&
    typeof r.errorCount === 'number' &&
    typeof r.warningCount === 'number' &&
    typeof r.infoCount === 'number' &&
    typeof r.fatalErrorCount === 'number' &&
    typeof r.suppressedCount === 'number' &&
    (r.verdict === 'accept' || r.verdict === 'reject') &&
    typeof r.stats === 'object' &&
    r.findings.every((f) => typeof f === 'object' && f !== null && typeof f.ruleId === 'string' && typeof f.line === 'number' && typeof f.fingerprint === 'string')
  );
}

export interface CacheLookup {
  /** Cached reports by file index. */
  hits: Map<number, AnalysisReport>;
  /** Indexes of files to analyse. */
  misses: number[];
}

/** An audit cache for one policy, rooted at `base` (paths are stored relative to it). */
export class AuditCache {
  private entries = new Map<string, CacheEntry>();
  private readonly hashes = new Map<string, string>();
  private dirty = false;
  /** Why the stored cache was not used, if it was unreadable (for a one-line note). */
  problem: string | null = null;

  private constructor(
    readonly file: string,
    private readonly key: string,
    private readonly base: string,
  ) {}

  /** Opens the cache for a policy; a missing or bad cache file starts an empty cache. */
  static async open(location: string, base: string, policy: Policy, version: string): Promise<AuditCache> {
    const key = cacheKey(policy, version);
    const cache = new AuditCache(join(location, `audit-${key.slice(0, 24)}.json`), key, base);
    let text: string;
    try {
      text = await readFile(cache.file, 'utf8');
    } catch {
      return cache; // no cache yet
    }
    try {
      const data = JSON.parse(text) as Partial<CacheFile>;
      if (data.airlockCache !== CACHE_FORMAT || data.key !== key || typeof data.entries !== 'object' || data.entries === null) {
        cache.problem = 'it was written by another airlock build or policy';
      } else cache.entries = new Map(Object.entries(data.entries));
    } catch (error) {
      cache.problem = `it is not valid JSON (${(error as Error).message.slice(0, 80)})`;
    }
    return cache;
  }

  private relativePath(file: string): string {
    return relative(this.base, file).split(sep).join('/');
  }

  /** Splits the files into cached reports and files to analyse, hashing each file's content. */
  lookup(files: readonly string[]): CacheLookup {
    const hits = new Map<number, AnalysisReport>();
    const misses: number[] = [];
    files.forEach((file, i) => {
      const hash = hashFile(file);
      if (hash === null) {
        misses.push(i);
        return;
      }
      this.hashes.set(file, hash);
      const entry = this.entries.get(this.relativePath(file));
      if (entry !== undefined && entry !== null && entry.hash === hash && looksLikeReport(entry.report)) {
        // A deep copy: the CLI later marks findings (baseline, install-time raise) in place.
        const report = structuredClone(entry.report);
        report.filename = file;
        hits.set(i, report);
      } else misses.push(i);
    });
    return { hits, misses };
  }

  /** Records fresh reports (before the CLI changes them). Files whose hash is unknown are skipped. */
  store(reports: readonly AnalysisReport[]): void {
    for (const report of reports) {
      const hash = this.hashes.get(report.filename);
      if (hash === undefined) continue;
      this.entries.set(this.relativePath(report.filename), { hash, report: structuredClone(report) });
      this.dirty = true;
    }
  }

  /** Writes the cache (atomically) if it changed; drops entries of files that no longer exist. Returns an error message or null. */
  async save(): Promise<string | null> {
    if (!this.dirty && this.problem === null) return null;
    const kept: Record<string, CacheEntry> = Object.create(null) as Record<string, CacheEntry>;
    for (const [path, entry] of this.entries) {
      if (this.hashes.has(resolve(this.base, path)) || existsSync(resolve(this.base, path))) kept[path] = entry;
    }
    const body: CacheFile = { airlockCache: CACHE_FORMAT, key: this.key, entries: kept };
    const tmp = `${this.file}.${process.pid}.${Date.now()}.tmp`;
    try {
      await mkdir(dirname(this.file), { recursive: true });
      await writeFile(tmp, JSON.stringify(body));
      await rename(tmp, this.file);
      return null;
    } catch (error) {
      await unlink(tmp).catch(() => {});
      return `could not write the cache ${this.file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`;
    }
  }
}
