// HttpHooks: modules from a base URL, only from origins on an allow-list (rexec's applet loader over a
// network). Redirects are followed by hand so every hop is checked against the allow-list; a request
// has one deadline (redirects and body included), a byte limit, and must answer 2xx with a plausible
// content type. Uses the global fetch, captured once at construction.
import type { ModuleHooks, ModuleSource } from '../types.js';
import { HookError } from './errors.js';
import { hasUrlScheme, isRelativeSpecifier } from './resolver.js';

export interface HttpHooksOptions {
  /** Origins modules may come from (`https://cdn.example`, `http://127.0.0.1:8080`). Default: the base URL's origin. */
  allowOrigins?: readonly string[];
  /** One deadline per load, redirects and body included, in milliseconds (default 5000). */
  timeoutMs?: number;
  /** Largest response body, in bytes (default 4 MiB). */
  maxBytes?: number;
  /** Most redirects one load follows (default 5). */
  maxRedirects?: number;
  /** Bare specifiers to URLs, as an import map's `imports` (`{ "lodash": "./vendor/lodash.js", "lib/": "./lib/" }`), relative to the base. */
  imports?: Readonly<Record<string, string>>;
  /** Extra request headers (an API token for a private registry, say). */
  headers?: Readonly<Record<string, string>>;
  /** Names the hooks in logs and errors (default `http:<base>`). */
  name?: string;
}

/** Media types accepted for module text; a response without a content type is accepted too. */
const MODULE_CONTENT_TYPES: ReadonlySet<string> = new Set([
  'application/javascript',
  'text/javascript',
  'application/x-javascript',
  'application/ecmascript',
  'text/ecmascript',
  'application/json',
  'text/json',
  'application/typescript',
  'application/x-typescript',
  'text/typescript',
  'text/x-typescript',
  'text/jsx',
  'text/plain',
]);
/** Static servers label `.ts` files as MPEG transport streams; accepted for TypeScript paths only. */
const TS_PATH = /\.[cm]?tsx?$/;

const ACCEPT = 'text/javascript, application/javascript, application/json, application/typescript, text/plain;q=0.5';
const MAX_REMEMBERED_REDIRECTS = 10_000;

/** Modules from a base URL on an origin allow-list. Locations are absolute http(s) URLs. */
export class HttpHooks implements ModuleHooks {
  readonly name: string;
  readonly base: string;
  readonly #allowed: ReadonlySet<string>;
  readonly #timeoutMs: number;
  readonly #maxBytes: number;
  readonly #maxRedirects: number;
  readonly #imports: ReadonlyMap<string, string>;
  readonly #headers: Readonly<Record<string, string>>;
  readonly #fetch: typeof fetch;
  /** Where a location ended up after redirects: its relative imports resolve against that. */
  readonly #finalUrls = new Map<string, string>();

  constructor(baseUrl: string | URL, options: HttpHooksOptions = {}) {
    const opts: HttpHooksOptions = Object.assign(Object.create(null) as HttpHooksOptions, options);
    let base: URL;
    try {
      base = new URL(String(baseUrl));
    } catch {
      throw new HookError(`http:${String(baseUrl)}`, String(baseUrl), 'bad-input', 'is not an absolute URL (base)');
    }
    this.name = opts.name ?? `http:${base.href}`;
    if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new HookError(this.name, base.href, 'bad-input', 'is not an http(s) URL (base)');
    this.base = base.href;
    const allowed = new Set<string>();
    for (const origin of opts.allowOrigins ?? [base.origin]) {
      let parsed: URL;
      try {
        parsed = new URL(origin);
      } catch {
        throw new HookError(this.name, origin, 'bad-input', 'is not an origin (allowOrigins)');
      }
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new HookError(this.name, origin, 'bad-input', 'is not an http(s) origin (allowOrigins)');
      allowed.add(parsed.origin);
    }
    this.#allowed = allowed;
    this.#timeoutMs = opts.timeoutMs ?? 5000;
    this.#maxBytes = opts.maxBytes ?? 4 * 1024 * 1024;
    this.#maxRedirects = opts.maxRedirects ?? 5;
    this.#imports = new Map(Object.entries(opts.imports ?? {}));
    this.#headers = { ...(opts.headers ?? {}) };
    if (typeof globalThis.fetch !== 'function') throw new HookError(this.name, this.base, 'bad-input', 'needs a global fetch (Node 18 or later)');
    this.#fetch = globalThis.fetch.bind(globalThis);
  }

  /** Resolves with URL semantics: relative to the referrer (after its redirects) or the base; bare names through `imports`. */
  resolve(specifier: string, referrer: string | null): string | null {
    if (typeof specifier !== 'string' || specifier === '' || specifier.includes('\0')) {
      throw new HookError(this.name, String(specifier), 'bad-input', 'is not a valid specifier');
    }
    let from = this.base;
    if (referrer !== null && referrer !== undefined) {
      if (typeof referrer !== 'string' || !this.#isAllowedUrl(referrer)) {
        throw new HookError(this.name, String(referrer), 'bad-input', 'is not a location of this hook (referrer)');
      }
      from = this.#finalUrls.get(referrer) ?? referrer;
    }
    let target: URL;
    if (hasUrlScheme(specifier)) {
      target = this.#parse(specifier, undefined, specifier);
    } else if (isRelativeSpecifier(specifier) || specifier.startsWith('/')) {
      target = this.#parse(specifier, from, specifier);
    } else {
      const mapped = this.#mapBare(specifier);
      if (mapped === null) return null;
      target = this.#parse(mapped, this.base, specifier);
    }
    this.#check(target, specifier, 'is');
    target.hash = '';
    return target.href;
  }

  /** Fetches a location: null on 404/410, HookError on anything refused or malformed. */
  async load(location: string): Promise<ModuleSource | null> {
    if (typeof location !== 'string') throw new HookError(this.name, String(location), 'bad-input', 'is not a location of this hook');
    let url = this.#parse(location, undefined, location);
    this.#check(url, location, 'is');
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.#timeoutMs);
    try {
      for (let hops = 0; ; hops++) {
        const response = await this.#request(url, controller.signal, location);
        if (response.status >= 300 && response.status < 400 && response.status !== 304) {
          await response.body?.cancel().catch(() => undefined);
          const next = response.headers.get('location');
          if (next === null) throw new HookError(this.name, location, 'bad-response', `got a ${response.status} redirect without a Location`);
          if (hops >= this.#maxRedirects) throw new HookError(this.name, location, 'bad-response', `was redirected more than ${this.#maxRedirects} times`);
          url = this.#parse(next, url.href, location);
          this.#check(url, location, 'redirects to a URL that is');
          continue;
        }
        if (response.status === 404 || response.status === 410) {
          await response.body?.cancel().catch(() => undefined);
          return null;
        }
        if (response.status < 200 || response.status > 299) {
          await response.body?.cancel().catch(() => undefined);
          throw new HookError(this.name, location, 'bad-response', `answered HTTP ${response.status}; only 2xx is accepted`);
        }
        this.#checkContentType(response, url, location);
        const source = await this.#readBody(response, location);
        url.hash = '';
        if (url.href !== location) this.#remember(location, url.href);
        return { source, filename: url.href };
      }
    } catch (error) {
      if (error instanceof HookError) throw error;
      if (controller.signal.aborted) throw new HookError(this.name, location, 'timeout', `did not load within ${this.#timeoutMs} ms`);
      throw new HookError(this.name, location, 'io', `could not be fetched (${describeFetchError(error)})`);
    } finally {
      clearTimeout(timer);
    }
  }

  async #request(url: URL, signal: AbortSignal, location: string): Promise<Response> {
    try {
      return await this.#fetch(url.href, {
        redirect: 'manual',
        signal,
        credentials: 'omit',
        headers: { accept: ACCEPT, ...this.#headers },
      });
    } catch (error) {
      if (signal.aborted) throw new HookError(this.name, location, 'timeout', `did not load within ${this.#timeoutMs} ms`);
      throw new HookError(this.name, location, 'io', `could not be fetched (${describeFetchError(error)})`);
    }
  }

  #checkContentType(response: Response, url: URL, location: string): void {
    const header = response.headers.get('content-type');
    if (header === null || header.trim() === '') return;
    const type = header.split(';')[0]!.trim().toLowerCase();
    if (MODULE_CONTENT_TYPES.has(type) || type.endsWith('+json')) return;
    if (type === 'video/mp2t' && TS_PATH.test(url.pathname)) return;
    throw new HookError(this.name, location, 'bad-response', `was served as '${type}', which is not module text`);
  }

  async #readBody(response: Response, location: string): Promise<string> {
    const declared = response.headers.get('content-length');
    if (declared !== null && Number(declared) > this.#maxBytes) {
      await response.body?.cancel().catch(() => undefined);
      throw new HookError(this.name, location, 'too-large', `is larger than the hook's limit of ${this.#maxBytes} bytes`);
    }
    if (response.body === null) return '';
    const reader = response.body.getReader();
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > this.#maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw new HookError(this.name, location, 'too-large', `is larger than the hook's limit of ${this.#maxBytes} bytes`);
      }
      chunks.push(value);
    }
    const bytes = new Uint8Array(total);
    let offset = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, offset);
      offset += chunk.byteLength;
    }
    return new TextDecoder('utf-8').decode(bytes);
  }

  #mapBare(specifier: string): string | null {
    const exact = this.#imports.get(specifier);
    if (exact !== undefined) return exact;
    let best: string | null = null;
    for (const key of this.#imports.keys()) {
      if (key.endsWith('/') && specifier.startsWith(key) && (best === null || key.length > best.length)) best = key;
    }
    return best === null ? null : this.#imports.get(best)! + specifier.slice(best.length);
  }

  #parse(text: string, base: string | undefined, input: string): URL {
    try {
      return base === undefined ? new URL(text) : new URL(text, base);
    } catch {
      throw new HookError(this.name, input, 'bad-input', 'is not a valid URL');
    }
  }

  #isAllowedUrl(text: string): boolean {
    try {
      const url = new URL(text);
      return (url.protocol === 'http:' || url.protocol === 'https:') && this.#allowed.has(url.origin);
    } catch {
      return false;
    }
  }

  #check(url: URL, input: string, subject: string): void {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new HookError(this.name, input, 'refused', `${subject} not an http(s) URL`);
    if (url.username !== '' || url.password !== '') throw new HookError(this.name, input, 'refused', `${subject} not allowed: it carries credentials`);
    if (!this.#allowed.has(url.origin)) throw new HookError(this.name, input, 'refused', `${subject} not on an allowed origin (${url.origin})`);
  }

  #remember(location: string, finalUrl: string): void {
    if (this.#finalUrls.size >= MAX_REMEMBERED_REDIRECTS) this.#finalUrls.delete(this.#finalUrls.keys().next().value!);
    this.#finalUrls.set(location, finalUrl);
  }
}

function describeFetchError(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  if (cause !== undefined && typeof cause.code === 'string') return cause.code;
  if (cause !== undefined && typeof cause.message === 'string') return cause.message;
  return error instanceof Error ? error.message : String(error);
}
