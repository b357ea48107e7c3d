// Building a Policy: profile defaults from the rule registry, then the user's overrides, validated.
import { z } from 'zod';
import type { ProfileName, Severity } from '../analyzer/types.js';
import { PROFILE_NAMES } from '../analyzer/types.js';
import type { AnyRule } from '../analyzer/rule-api.js';
import { RULES, RULES_BY_ID } from '../rules/index.js';
import type { Limits, Policy, RuleSetting } from './types.js';

export type { Policy, Limits, RuleSetting, AnalysisMode, ModulePolicy } from './types.js';

/** Built-in modules granted by default: pure-JS, no I/O, no host reach. */
export const SAFE_BUILTIN_MODULES: readonly string[] = [
  'assert',
  'buffer',
  'events',
  'path',
  'querystring',
  'string_decoder',
  'url',
  'util',
];

/**
 * The profile trusted packages are analysed under unless the policy names another: `audit`, which asks
 * whether a package behaves maliciously (exfiltration, commands, tampering) rather than whether it uses
 * the dynamic features the realm contains anyway (lodash's `Function('return this')()`).
 */
export const DEFAULT_TRUSTED_PROFILE: ProfileName = 'audit';

const MIB = 1024 * 1024;

export const DEFAULT_LIMITS: Readonly<Record<ProfileName, Limits>> = {
  strict: {
    maxSourceBytes: 2 * MIB,
    maxAstNodes: 2_000_000,
    timeoutMs: 1000,
    memoryMb: 64,
    maxOutputBytes: 1 * MIB,
    maxModules: 256,
  },
  recommended: {
    maxSourceBytes: 16 * MIB,
    maxAstNodes: 8_000_000,
    timeoutMs: 5000,
    memoryMb: 128,
    maxOutputBytes: 4 * MIB,
    maxModules: 1024,
  },
  audit: {
    maxSourceBytes: 16 * MIB,
    maxAstNodes: 8_000_000,
    timeoutMs: 5000,
    memoryMb: 128,
    maxOutputBytes: 4 * MIB,
    maxModules: 1024,
  },
};

const severitySchema = z.enum(['off', 'info', 'warn', 'error']);
const ruleEntrySchema = z.union([
  severitySchema,
  z.tuple([severitySchema]),
  z.tuple([severitySchema, z.record(z.string(), z.unknown())]),
]);

const limitsSchema = z
  .object({
    maxSourceBytes: z.number().int().positive(),
    maxAstNodes: z.number().int().positive(),
    timeoutMs: z.number().int().positive(),
    memoryMb: z.number().int().min(8),
    maxOutputBytes: z.number().int().nonnegative(),
    maxModules: z.number().int().nonnegative(),
  })
  .partial()
  .strict();

/** The shape users write in config files and API requests. Every field is optional. */
export const policyInputSchema = z
  .object({
    name: z.string().min(1).optional(),
    profile: z.enum(PROFILE_NAMES as [ProfileName, ...ProfileName[]]).optional(),
    rules: z.record(z.string(), ruleEntrySchema).optional(),
    allowInlineSuppressions: z.boolean().optional(),
    analysis: z.enum(['enforce', 'warn', 'off']).optional(),
    limits: limitsSchema.optional(),
    modules: z
      .object({
        allow: z.array(z.string().min(1)).optional(),
        trusted: z.array(z.string().min(1)).optional(),
        trustedProfile: z.enum(PROFILE_NAMES as [ProfileName, ...ProfileName[]]).optional(),
      })
      .strict()
      .optional(),
    globals: z.array(z.string().min(1)).optional(),
    allowExit: z.boolean().optional(),
  })
  .strict();

export type PolicyInput = z.input<typeof policyInputSchema>;

/** A policy or config that failed validation; the message names every bad field. */
export class PolicyError extends Error {
  override name = 'PolicyError';
  readonly code = 'AIRLOCK_BAD_POLICY';
}

/** Formats zod issues as `path: problem` lines. */
export function formatIssues(error: z.ZodError, prefix = ''): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.length > 0 ? issue.path.join('.') : '(root)';
      return `${prefix}${path}: ${issue.message}`;
    })
    .join('; ');
}

/** The rule settings of a built-in profile, derived from each rule's `meta.defaults`. */
export function profileRules(profile: ProfileName, rules: readonly AnyRule[] = RULES): Record<string, RuleSetting> {
  const out: Record<string, RuleSetting> = {};
  for (const rule of rules) out[rule.id] = { severity: rule.meta.defaults[profile], options: {} };
  return out;
}

/**
 * Resolves user input (config file, API request, CLI flags) into a complete Policy. Unknown rule
 * ids and malformed values throw a PolicyError with every problem listed.
 */
export function resolvePolicy(input: PolicyInput | Policy = {}, base?: Policy): Policy {
  if (isResolvedPolicy(input)) return input;
  const parsed = policyInputSchema.safeParse(input);
  if (!parsed.success) throw new PolicyError(`invalid policy: ${formatIssues(parsed.error)}`);
  const data = parsed.data;
  const profile: ProfileName = data.profile ?? base?.profile ?? 'recommended';
  const profileChanged = base !== undefined && data.profile !== undefined && data.profile !== base.profile;
  const startRules = base && !profileChanged ? { ...base.rules } : profileRules(profile);
  const unknown: string[] = [];
  for (const [id, entry] of Object.entries(data.rules ?? {})) {
    if (!RULES_BY_ID.has(id)) {
      unknown.push(id);
      continue;
    }
    const [severity, options] = typeof entry === 'string' ? [entry, {}] : [entry[0], entry[1] ?? {}];
    startRules[id] = { severity: severity as Severity, options, explicit: true };
  }
  if (unknown.length > 0) {
    throw new PolicyError(`invalid policy: unknown rule${unknown.length > 1 ? 's' : ''} ${unknown.map((id) => `'${id}'`).join(', ')} (see 'airlock rules')`);
  }
  const baseLimits = base && !profileChanged ? base.limits : DEFAULT_LIMITS[profile];
  return {
    name: data.name ?? base?.name ?? profile,
    profile,
    rules: startRules,
    allowInlineSuppressions: data.allowInlineSuppressions ?? (base && !profileChanged ? base.allowInlineSuppressions : profile !== 'strict'),
    analysis: data.analysis ?? base?.analysis ?? 'enforce',
    limits: { ...baseLimits, ...data.limits },
    modules: {
      allow: data.modules?.allow ?? base?.modules.allow ?? SAFE_BUILTIN_MODULES,
      trusted: data.modules?.trusted ?? base?.modules.trusted ?? [],
      trustedProfile: data.modules?.trustedProfile ?? base?.modules.trustedProfile ?? DEFAULT_TRUSTED_PROFILE,
    },
    globals: data.globals ?? base?.globals ?? [],
    allowExit: data.allowExit ?? base?.allowExit ?? false,
  };
}

/** The built-in policy of a profile. */
export function defaultPolicy(profile: ProfileName = 'recommended'): Policy {
  let cached = defaultPolicies.get(profile);
  if (cached === undefined) defaultPolicies.set(profile, (cached = resolvePolicy({ profile })));
  return cached;
}
const defaultPolicies = new Map<ProfileName, Policy>();

function isResolvedPolicy(value: unknown): value is Policy {
  const v = value as Partial<Policy>;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.name === 'string' &&
    typeof v.profile === 'string' &&
    typeof v.rules === 'object' &&
    typeof v.limits === 'object' &&
    typeof v.modules === 'object' &&
    typeof v.allowInlineSuppressions === 'boolean' &&
    Object.values(v.rules ?? {}).every((s) => typeof s === 'object' && s !== null && 'severity' in s)
  );
}
