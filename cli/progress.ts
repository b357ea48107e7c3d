// A small progress line on stderr for long audits: only on a terminal, never under CI, and
// redrawn at most ten times a second. stdout stays machine-clean.
import type { CliIO } from './io.js';

export interface Progress {
  update(done: number, total: number): void;
  done(): void;
}

/** A progress reporter, or a silent one when progress is not wanted. */
export function createProgress(io: CliIO, enabled: boolean): Progress {
  const ci = io.env.CI !== undefined && io.env.CI !== '' && io.env.CI !== 'false';
  if (!enabled || !io.stderrIsTTY || ci) return { update() {}, done() {} };
  let last = 0;
  let shown = false;
  const started = Date.now();
  return {
    update(done, total) {
      const now = Date.now();
      if (done < total && now - last < 100) return;
      last = now;
      shown = true;
      const seconds = ((now - started) / 1000).toFixed(1);
      io.stderr(`\r\u001b[2Kairlock: ${done}/${total} files (${seconds}s)`);
    },
    done() {
      if (shown) io.stderr('\r\u001b[2K');
    },
  };
}
