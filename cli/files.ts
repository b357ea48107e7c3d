// Which files an audit reads: the named files, and under named directories every JS/TS source,
// honouring .gitignore files (the tree's own and those of enclosing folders up to the repository
// root) and --ignore-pattern globs. node_modules is skipped unless the audit is aimed into it.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { glob, globSync } from 'tinyglobby';
import ignore, { type Ignore } from 'ignore';
import { SOURCE_EXTENSIONS } from '../analyzer/source.js';
import { UsageError } from './io.js';

export interface CollectOptions {
  cwd: string;
  ignorePatterns: readonly string[];
  gitignore: boolean;
}

const SOURCE_GLOB = `**/*.{${SOURCE_EXTENSIONS.map((e) => e.slice(1)).join(',')}}`;
const DECLARATION_FILE = /\.d\.[cm]?ts$/;

/** Lists the files to audit, sorted, absolute. Throws UsageError for a path that does not exist. */
export async function collectFiles(paths: readonly string[], options: CollectOptions): Promise<string[]> {
  const out = new Set<string>();
  const patterns = ignore().add([...options.ignorePatterns]);
  for (const given of paths.length > 0 ? paths : ['.']) {
    const absolute = resolve(options.cwd, given);
    let info;
    try {
      info = statSync(absolute);
    } catch {
      throw new UsageError(`no such file or directory: ${given}`);
    }
    if (info.isFile()) {
      out.add(absolute); // a file named on the command line is always audited
      continue;
    }
    if (!info.isDirectory()) throw new UsageError(`not a file or directory: ${given}`);
    const intoNodeModules = absolute.split(sep).includes('node_modules');
    const ignoreDirs = ['**/.git/**', ...(intoNodeModules ? [] : ['**/node_modules/**'])];
    const found = await glob(SOURCE_GLOB, {
      cwd: absolute,
      absolute: true,
      dot: true,
      followSymbolicLinks: false,
      ignore: ignoreDirs,
      expandDirectories: false,
    });
    // Inside node_modules the project's own .gitignore (which lists node_modules) does not apply.
    const gitignores = options.gitignore && !intoNodeModules ? loadGitignores(absolute, intoNodeModules) : [];
    for (const file of found) {
      if (DECLARATION_FILE.test(file)) continue;
      const fromCwd = relative(options.cwd, file);
      if (!fromCwd.startsWith('..') && !isAbsolute(fromCwd) && fromCwd !== '' && patterns.ignores(fromCwd.split(sep).join('/'))) continue;
      if (gitignores.some((g) => isIgnoredBy(g, file))) continue;
      out.add(file);
    }
  }
  return [...out].sort();
}

interface GitignoreFile {
  dir: string;
  rules: Ignore;
}

function isIgnoredBy(g: GitignoreFile, file: string): boolean {
  const rel = relative(g.dir, file);
  if (rel.startsWith('..') || isAbsolute(rel)) return false;
  return g.rules.ignores(rel.split(sep).join('/'));
}

/** The .gitignore files that apply inside `root`: enclosing ones up to the repository root, and nested ones. */
function loadGitignores(root: string, intoNodeModules: boolean): GitignoreFile[] {
  const out: GitignoreFile[] = [];
  // Enclosing folders, up to (and including) the one holding .git.
  for (let dir = root; ; dir = dirname(dir)) {
    const file = join(dir, '.gitignore');
    if (existsSync(file) && dir !== root) {
      const rules = ignore().add(readFileSync(file, 'utf8'));
      // A folder named on the command line is audited even if an enclosing .gitignore lists it.
      const rel = relative(dir, root).split(sep).join('/');
      if (!rules.ignores(`${rel}/`)) out.push({ dir, rules });
    } else if (existsSync(file)) out.push({ dir, rules: ignore().add(readFileSync(file, 'utf8')) });
    if (existsSync(join(dir, '.git')) || dirname(dir) === dir) break;
  }
  // Nested .gitignore files are few; find them without descending into node_modules or .git.
  const nested = globSyncGitignores(root, intoNodeModules);
  for (const file of nested) {
    const dir = dirname(file);
    if (dir === root) continue;
    out.push({ dir, rules: ignore().add(readFileSync(file, 'utf8')) });
  }
  return out;
}

function globSyncGitignores(root: string, intoNodeModules: boolean): string[] {
  // tinyglobby's sync API keeps this simple; the walk skips the heavy folders.
  return globSync('**/.gitignore', {
    cwd: root,
    absolute: true,
    dot: true,
    followSymbolicLinks: false,
    ignore: ['**/.git/**', ...(intoNodeModules ? [] : ['**/node_modules/**'])],
  });
}

