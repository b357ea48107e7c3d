// Where airlock's own files are (docs, package.json), found from this module's location.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | null = null;

/** The package root: the folder holding airlock's package.json. */
export function packageRoot(): string {
  if (root === null) {
    let dir = dirname(fileURLToPath(import.meta.url));
    for (let i = 0; i < 6; i++) {
      try {
        const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string };
        if (pkg.name === 'airlock') break;
      } catch {
        // keep climbing
      }
      dir = dirname(dir);
    }
    root = dir;
  }
  return root;
}

/** airlock's version from its package.json. */
export function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}
