// Bearer-token authentication. Tokens are kept as SHA-256 digests; a presented token is hashed and
// compared with every configured digest by timingSafeEqual, without stopping at the first match, so
// the time taken says nothing about which token (or how much of one) was close.
import { timingSafeEqual } from 'node:crypto';
import type { TokenEntry } from './config.js';
import { sha256 } from './config.js';

/** Who made a request: a configured token, or the anonymous loopback client when no token is set. */
export interface Client {
  /** The token's name (`anonymous` without auth). Safe to log: never the token itself. */
  name: string;
  /** Policies it may use; null: every served policy. */
  policies: readonly string[] | null;
}

export type AuthResult = { ok: true; client: Client } | { ok: false; reason: string };

const BEARER = /^Bearer[ \t]+([^\s]+)[ \t]*$/i;
const ANONYMOUS: Client = Object.freeze({ name: 'anonymous', policies: null });
/** Longest Authorization header looked at (longer ones are refused before hashing). */
const MAX_HEADER = 4096;

/** Checks an Authorization header against the configured tokens. */
export function authenticate(header: string | string[] | undefined, tokens: readonly TokenEntry[]): AuthResult {
  if (tokens.length === 0) return { ok: true, client: ANONYMOUS };
  if (header === undefined || header === '') return { ok: false, reason: 'missing bearer token (send Authorization: Bearer <token>)' };
  if (Array.isArray(header) || header.length > MAX_HEADER) return { ok: false, reason: 'malformed Authorization header' };
  const match = BEARER.exec(header);
  if (match === null) return { ok: false, reason: 'the Authorization header must be Bearer <token>' };
  const digest = sha256(match[1]!);
  let found: TokenEntry | null = null;
  for (const entry of tokens) {
    // Every entry is compared; `found` is set without branching out of the loop.
    const equal = timingSafeEqual(digest, entry.digest);
    if (equal && found === null) found = entry;
  }
  if (found === null) return { ok: false, reason: 'invalid bearer token' };
  return { ok: true, client: { name: found.name, policies: found.policies } };
}

/** Whether a client may use a policy. */
export function mayUsePolicy(client: Client, policy: string): boolean {
  return client.policies === null || client.policies.includes(policy);
}

/** The policy a request gets when it names none: the server default, or the client's first allowed. */
export function defaultPolicyFor(client: Client, serverDefault: string): string {
  if (client.policies === null || client.policies.includes(serverDefault)) return serverDefault;
  return client.policies[0]!;
}
