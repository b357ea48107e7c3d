// Config discovery and validation: airlock.config.{js,mjs,json}, .airlockrc.json or the `airlock`
// key of package.json, searched upward from the working directory (lilconfig), or one named file.
import { lilconfig, type Loader } from 'lilconfig';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { formatIssues, policyInputSchema, type PolicyInput } from '../policy/index.js';
import { UsageError } from './io.js';

/** What a config file may hold: a policy plus CLI-only settings. */
export const configSchema = policyInputSchema.extend({
  ignorePatterns: z.array(z.string().min(1)).optional(),
  $schema: z.string().optional(),
});
export type AirlockConfig = z.infer<typeof configSchema>;

const SEARCH_PLACES = ['package.json', '.airlockrc.json', 'airlock.config.json', 'airlock.config.js', 'airlock.config.mjs'];

const loadJson: Loader = async (filepath, content) => {
  try {
    return JSON.parse(content);
  } catch (error) {
    throw new UsageError(`config ${filepath}: invalid JSON (${(error as Error).message})`);
  }
};
const loadModule: Loader = async (filepath) => {
  const module = (await import(pathToFileURL(filepath).href)) as { default?: unknown };
  return module.default ?? module;
};

export interface LoadedConfig {
  config: AirlockConfig;
  /** The file it came from, or null for the built-in defaults. */
  filepath: string | null;
}

/** Loads the config: the named file, or the nearest discovered one, or none. */
export async function loadConfig(cwd: string, explicitPath: string | undefined, search: boolean): Promise<LoadedConfig> {
  const loader = lilconfig('airlock', {
    searchPlaces: SEARCH_PLACES,
    loaders: { '.json': loadJson, '.js': loadModule, '.mjs': loadModule, noExt: loadJson },
    stopDir: resolve('/'),
  });
  let found: { config: unknown; filepath: string } | null;
  try {
    if (explicitPath !== undefined) {
      const path = resolve(cwd, explicitPath);
      try {
        await readFile(path);
      } catch {
        throw new UsageError(`config file not found: ${explicitPath}`);
      }
      found = await loader.load(path);
    } else if (search) {
      found = await loader.search(cwd);
    } else found = null;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`could not load config: ${(error as Error).message}`);
  }
  if (found === null || found.config === undefined || found.config === null) return { config: {}, filepath: found?.filepath ?? null };
  const parsed = configSchema.safeParse(found.config);
  if (!parsed.success) throw new UsageError(`invalid config ${found.filepath}: ${formatIssues(parsed.error)}`);
  return { config: parsed.data, filepath: found.filepath };
}

/** Splits a config into its policy part and its CLI part. */
export function policyPart(config: AirlockConfig): PolicyInput {
  const { ignorePatterns: _ignore, $schema: _schema, ...policy } = config;
  return policy;
}
