// The Policy: the one object both gates read. Gate 1 takes its rule settings, suppression stance
// and source limits; gate 2 takes its analysis mode, granted modules and globals, and run limits.
import type { ProfileName, Severity } from '../analyzer/types.js';

export interface RuleSetting {
  severity: Severity;
  options: Readonly<Record<string, unknown>>;
  /** Set by the user (config, flag, request) rather than by the profile: rules may not escalate it. */
  explicit?: boolean;
}

export interface Limits {
  /** Largest source text analysed or run, in bytes (UTF-8). */
  maxSourceBytes: number;
  /** Most syntax nodes one file may have before analysis stops (fail closed). */
  maxAstNodes: number;
  /** Wall-clock limit of one run, in milliseconds, asynchronous work included. */
  timeoutMs: number;
  /** Heap limit of the worker running guest code, in MiB. */
  memoryMb: number;
  /** Most bytes of stdout + stderr a run may write before it is cut. */
  maxOutputBytes: number;
  /** Most modules one run may load through the import gateway. */
  maxModules: number;
}

export type AnalysisMode = 'enforce' | 'warn' | 'off';

export interface ModulePolicy {
  /** Built-in modules and packages guest code may import (`path`, `lodash`, `date-fns/*`). */
  allow: readonly string[];
  /** Packages analysed under `trustedProfile` instead of the policy's profile (still run in the realm). */
  trusted: readonly string[];
  /** Default `audit`: trusted code is judged for malice, not for the dynamic features the realm contains. */
  trustedProfile: ProfileName;
}

/** A fully resolved policy: every field present, every rule setting known. */
export interface Policy {
  name: string;
  profile: ProfileName;
  rules: Readonly<Record<string, RuleSetting>>;
  /** Honour `airlock-disable` comments. Never for code from untrusted submitters. */
  allowInlineSuppressions: boolean;
  /** Whether gate 1 blocks (`enforce`), only reports (`warn`), or is skipped (`off`) before a run. */
  analysis: AnalysisMode;
  limits: Limits;
  modules: ModulePolicy;
  /** Extra realm globals granted to guest code beyond the safe default set. */
  globals: readonly string[];
  /** Whether guest code may call `exit(code)` to end its run (never the host process). */
  allowExit: boolean;
}
