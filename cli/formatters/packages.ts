// The per-package summary of a dependency audit, as text lines for the stylish report: risk score
// and level, capabilities, install scripts and finding counts, riskiest first.
import type { Colors } from 'picocolors/types.js';
import type { PackageSummary } from '../deps.js';
import { printable } from './printable.js';

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Lines of the package table; packages without findings or capabilities are listed only when verbose. */
export function packageTableLines(packages: readonly PackageSummary[], c: Colors, verbose: boolean): string[] {
  const shown = packages.filter((p) => verbose || p.score > 0);
  const risky = packages.filter((p) => p.score >= 3).length;
  const lines = ['', c.bold(`Packages: ${plural(packages.length, 'package')} audited, ${risky} at medium risk or above`)];
  if (shown.length === 0) return lines;
  const width = Math.min(48, Math.max(7, ...shown.map((p) => p.key.length)));
  lines.push(c.dim(`  ${'score'.padEnd(6)}${'risk'.padEnd(10)}${'package'.padEnd(width + 2)}findings / capabilities`));
  for (const p of shown) {
    const level = p.level === 'critical' || p.level === 'high' ? c.red(p.level.padEnd(10)) : p.level === 'medium' ? c.yellow(p.level.padEnd(10)) : c.dim(p.level.padEnd(10));
    const counts = [p.errors > 0 ? plural(p.errors, 'error') : '', p.warnings > 0 ? plural(p.warnings, 'warning') : '', p.unscanned > 0 ? `${p.unscanned} unscanned` : '']
      .filter(Boolean)
      .join(', ');
    const key = printable(p.key);
    const name = key.length > width ? `${key.slice(0, width - 1)}…` : key;
    lines.push(`  ${String(p.score).padEnd(6)}${level}${name.padEnd(width + 2)}${counts || 'no findings'}${p.capabilities.length > 0 ? c.dim(` · ${p.capabilities.join(', ')}`) : ''}`);
    for (const s of p.installScripts) lines.push(c.dim(`  ${''.padEnd(16)}${printable(s.hook)}: ${printable(s.command.length > 90 ? `${s.command.slice(0, 87)}...` : s.command)}`));
    if (p.stages.length > 0) lines.push(c.dim(`  ${''.padEnd(16)}attack stages: ${p.stages.join(', ')}`));
  }
  if (!verbose && shown.length < packages.length) lines.push(c.dim(`  (${plural(packages.length - shown.length, "package")} with nothing to report; --verbose lists them)`));
  return lines;
}
