// Shared by the benches: scratch folders of npm packages installed at bench time (never project
// dependencies), and the median that every figure is quoted as.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Installs packages into a scratch folder once; a marker file remembers what is there. */
export function npmInstall(dir: string, packages: readonly string[], log: (line: string) => void): void {
  const marker = join(dir, '.installed');
  const wanted = packages.join(' ');
  if (existsSync(marker) && readFileSync(marker, 'utf8') === wanted) return;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{ "name": "bench-scratch", "private": true }\n');
  log(`installing ${wanted} into ${dir} ...`);
  execFileSync('npm', ['install', '--prefix', dir, '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error', ...packages], { cwd: dir, stdio: 'inherit' });
  writeFileSync(marker, wanted);
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
