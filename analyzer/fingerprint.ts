// Stable finding fingerprints: they survive edits elsewhere in the file (lines shifting), so a
// baseline or code-scanning alert follows the finding rather than its line number.
import { createHash } from 'node:crypto';
import type { Finding } from './types.js';

/** Sets `fingerprint` on each finding: rule, message id, the flagged line's text, and its occurrence. */
export function assignFingerprints(findings: Finding[], lines: readonly string[]): void {
  const seen = new Map<string, number>();
  for (const finding of findings) {
    const lineText = (lines[finding.line - 1] ?? '').replace(/\s+/g, ' ').trim();
    const key = `${finding.ruleId}\u0000${finding.messageId}\u0000${lineText}`;
    const occurrence = seen.get(key) ?? 0;
    seen.set(key, occurrence + 1);
    finding.fingerprint = createHash('sha256').update(`${key}\u0000${occurrence}`).digest('hex').slice(0, 32);
  }
}
