// Caches that live for one analyze() call. Rule helpers memoise facts about nodes that several rules
// ask for (what a call loads, where a request goes). Module-level WeakMaps keyed by nodes would do the
// same, but their entries outlive the file until a full collection, and millions of dead ephemeron
// entries make every young-generation collection slow (a third of analysis time was GC). These are
// plain Maps, emptied when the outermost analysis ends.

/** A Map that holds entries only while an analysis is running (outside one, `set` stores nothing). */
class FileCache<K, V> extends Map<K, V> {
  override set(key: K, value: V): this {
    if (depth > 0) super.set(key, value);
    return this;
  }
}

const caches: FileCache<unknown, unknown>[] = [];
let depth = 0;

/** A cache emptied after each file. Create it once, at module level. */
export function fileCache<K, V>(): Map<K, V> {
  const cache = new FileCache<K, V>();
  caches.push(cache as FileCache<unknown, unknown>);
  return cache;
}

/** Marks the start of an analysis (nested analyses share the outer file's caches). */
export function enterFileCaches(): void {
  depth++;
}

/** Marks the end of an analysis; the outermost one empties every cache. */
export function leaveFileCaches(): void {
  if (depth > 0) depth--;
  if (depth === 0) for (const cache of caches) if (cache.size > 0) cache.clear();
}
