// The one error type the shipped hooks throw. It is data: which hook, which input, why, and the stable
// executor error code the gateway should report, so a refusal reads the same from every front door.
import { ERROR_CODES } from '../types.js';
import type { ErrorCode } from '../types.js';

/** Why a hook refused or failed. */
export type HookErrorReason =
  /** A path (`..`, absolute, symlink, symlinked node_modules) that leads out of the hook's root. */
  | 'outside-root'
  /** A URL whose origin is not on the allow-list (also after a redirect), or a scheme the hook does not serve. */
  | 'refused'
  /** The module exists in name only: a subpath a package does not export, a bad `main`, a 404. */
  | 'not-found'
  /** A file or response larger than the hook's byte limit. */
  | 'too-large'
  /** A network read that passed the hook's time limit. */
  | 'timeout'
  /** A malformed specifier, referrer or location handed to the hook. */
  | 'bad-input'
  /** A `package.json` that does not parse or whose `exports`/`imports` are invalid. */
  | 'bad-package'
  /** A non-2xx status, a wrong content type, a redirect loop. */
  | 'bad-response'
  /** Any other I/O failure (permission denied, a network error...). */
  | 'io';

const CODE_BY_REASON: Readonly<Record<HookErrorReason, ErrorCode>> = {
  'outside-root': ERROR_CODES.IMPORT_DENIED,
  refused: ERROR_CODES.IMPORT_DENIED,
  'not-found': ERROR_CODES.MODULE_NOT_FOUND,
  'too-large': ERROR_CODES.SOURCE_TOO_LARGE,
  timeout: ERROR_CODES.HOOK_ERROR,
  'bad-input': ERROR_CODES.HOOK_ERROR,
  'bad-package': ERROR_CODES.HOOK_ERROR,
  'bad-response': ERROR_CODES.HOOK_ERROR,
  io: ERROR_CODES.HOOK_ERROR,
};

/**
 * An error from a shipped hook. The message names the hook and the input
 * (`fs:/srv/app: '../secret.js' leads outside the root`) and never shows a host path outside the root.
 */
export class HookError extends Error {
  override name = 'HookError';
  /** The stable executor error code for this refusal or failure. */
  readonly code: ErrorCode;

  constructor(
    /** The hook's `name` (`fs:/srv/app`, `memory`, `http:https://cdn.example`). */
    readonly hook: string,
    /** The specifier or location the hook was given. */
    readonly input: string,
    readonly reason: HookErrorReason,
    detail: string,
  ) {
    super(`${hook}: '${input}' ${detail}`);
    this.code = CODE_BY_REASON[reason];
  }
}

/** True for an error thrown by a shipped hook (works across copies of this module). */
export function isHookError(error: unknown): error is HookError {
  return error instanceof HookError || (typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'HookError' && typeof (error as { reason?: unknown }).reason === 'string');
}
