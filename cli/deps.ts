// The dependency audit (`airlock audit node_modules --profile audit`, or `--deps`): findings grouped
// by package (name@version, from the package root each file belongs to), lifecycle scripts read
// from each package.json and reported there (rule `install-script`), the files those scripts run
// audited with their findings raised one level, and a per-package summary: capabilities, findings,
// attack stages and a 0-10 risk score (RULES-CATALOG 6.6).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { glob } from 'tinyglobby';
import type { ActiveSeverity, AnalysisReport, Finding } from '../analyzer/types.js';
import { SEVERITY_RANK } from '../analyzer/types.js';
import { assignFingerprints } from '../analyzer/fingerprint.js';
import { formatMessage } from '../analyzer/engine.js';
import type { Policy } from '../policy/index.js';
import { RULES_BY_ID } from '../rules/index.js';
import { recountReport } from './recount.js';

/** Lifecycle scripts npm runs on install (`prepare` for git and local dependencies). */
export const LIFECYCLE_HOOKS = ['preinstall', 'install', 'postinstall', 'prepare'] as const;
export type LifecycleHook = (typeof LIFECYCLE_HOOKS)[number];

/** Commands of common hooks that build native code or set up git hooks: reported as info. */
const BENIGN_COMMANDS = new Set([
  'node-gyp',
  'node-gyp-build',
  'prebuild-install',
  'node-pre-gyp',
  'cmake-js',
  'husky',
  'patch-package',
  'opencollective-postinstall',
  'is-ci',
  'tsc',
  'echo',
  'exit',
  'true',
]);

/** Risky shapes in a script, each making the finding an error. */
const RISKY_PATTERNS: readonly [RegExp, string][] = [
  [/\b(curl|wget|Invoke-WebRequest|iwr|Start-BitsTransfer|certutil|bitsadmin)\b/i, 'downloads from the network'],
  [/(?<!\|)\|(?!\|)\s*(sudo\s+)?(sh|bash|zsh|dash|ksh|node|python3?|perl|ruby|iex|powershell|pwsh)(?=\s|$|;|&|\))/i, 'pipes into an interpreter'],
  [/(^|[\s;&|(])(node|nodejs)(\.exe)?\s+(-[^\s]*\s+)*(-e|-p|--eval|--print|-pe)\b/, 'runs inline code with node -e'],
  [/\bhttps?:\/\/|\bftp:\/\//i, 'names a remote URL'],
  [/\bbase64\s+(-d|--decode|-D)\b|\bfrombase64string\b/i, 'decodes a base64 payload'],
  [/\/dev\/tcp\/|\bnc\s+(-\w*\s+)*-e\b|\bncat\b|\bsocat\b/i, 'opens a raw socket'],
  [/(^|[\s;&|])eval\s/, 'evaluates a string as shell code'],
  [/\b(powershell|pwsh)\b.*\s-(e|enc|encodedcommand)\b/i, 'runs an encoded PowerShell command'],
  [/\brm\s+-\w*r\w*\s+(~|\/|\$HOME)(\s|$)/, 'deletes the home or root folder'],
  [/\b(crontab|schtasks|launchctl|systemctl)\b/i, 'installs a persistent task'],
  [/\.npmrc\b|\bnpm\s+(publish|token)\b/i, 'touches npm credentials or publishing'],
];

export interface ScriptAssessment {
  severity: ActiveSeverity;
  /** Why the script is risky (empty for plain ones). */
  reasons: string[];
  /** Files `node` runs (or preloads), as written. */
  targets: string[];
  /** Shell scripts the command runs (`sh x.sh`), as written: not analysed, but named. */
  shellTargets: string[];
}

/** Splits a shell command into simple commands at `&&`, `||`, `;`, `|`, outside quotes. */
function splitCommands(command: string): string[][] {
  const out: string[][] = [];
  let words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  const endWord = (): void => {
    if (inWord) words.push(word);
    word = '';
    inWord = false;
  };
  const endCommand = (): void => {
    endWord();
    if (words.length > 0) out.push(words);
    words = [];
  };
  for (let i = 0; i < command.length; i++) {
    const ch = command[i]!;
    if (quote !== null) {
      if (ch === quote) quote = null;
      else if (ch === '\\' && quote === '"' && i + 1 < command.length) word += command[++i];
      else word += ch;
      continue;
    }
    if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
    } else if (ch === '\\' && i + 1 < command.length) {
      word += command[++i];
      inWord = true;
    } else if (ch === ' ' || ch === '\t' || ch === '\n') endWord();
    else if (ch === ';' || ch === '|' || ch === '&' || ch === '(' || ch === ')') {
      endCommand();
      if (command[i + 1] === ch) i++;
    } else {
      word += ch;
      inWord = true;
    }
  }
  endCommand();
  return out;
}

/** Node options that take a value as the next word. */
const NODE_VALUE_OPTIONS = new Set(['-r', '--require', '--import', '--loader', '--experimental-loader', '-C', '--conditions', '--input-type', '--title', '--env-file', '--stack-size']);
const NODE_PRELOAD_OPTIONS = new Set(['-r', '--require', '--import', '--loader', '--experimental-loader']);
const ENV_ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;

/** Classifies one lifecycle script and names the files it runs. */
export function assessScript(hook: string, command: string): ScriptAssessment {
  const reasons: string[] = [];
  for (const [pattern, reason] of RISKY_PATTERNS) if (pattern.test(command)) reasons.push(reason);
  const targets: string[] = [];
  const shellTargets: string[] = [];
  let allBenign = true;
  for (let words of splitCommands(command)) {
    // Leading environment assignments and wrappers do not change what runs.
    while (words.length > 0 && (ENV_ASSIGNMENT.test(words[0]!) || ['cross-env', 'env', 'exec', 'npx', 'sudo', 'nohup', 'time'].includes(words[0]!))) {
      words = words.slice(1);
      while (words[0]?.startsWith('--') && words[0] !== '--') words = words.slice(1);
    }
    if (words.length === 0) continue;
    const program = basename(words[0]!).replace(/\.(exe|cmd)$/i, '');
    if (!BENIGN_COMMANDS.has(program)) allBenign = false;
    if (program === 'node' || program === 'nodejs') {
      for (let i = 1; i < words.length; i++) {
        const w = words[i]!;
        if (w === '-e' || w === '-p' || w === '--eval' || w === '--print' || w === '-pe') break;
        if (NODE_VALUE_OPTIONS.has(w)) {
          if (NODE_PRELOAD_OPTIONS.has(w) && words[i + 1] !== undefined && /^\.{0,2}\//.test(words[i + 1]!)) targets.push(words[i + 1]!);
          i++;
          continue;
        }
        if (w.startsWith('-')) continue;
        targets.push(w);
        break;
      }
    } else if (['sh', 'bash', 'zsh', 'dash'].includes(program) && words[1] !== undefined && !words[1].startsWith('-')) {
      shellTargets.push(words[1]);
    } else if (/^\.{0,2}\/.+\.(sh|js|cjs|mjs)$/.test(words[0]!)) {
      (words[0]!.endsWith('.sh') ? shellTargets : targets).push(words[0]!);
    }
  }
  if (hook === 'preinstall') reasons.push('runs before the package is even installed');
  const severity: ActiveSeverity = reasons.length > 0 ? 'error' : allBenign ? 'info' : 'warn';
  return { severity, reasons, targets, shellTargets };
}

export interface InstallScript {
  /** The package.json that declares it. */
  manifest: string;
  hook: LifecycleHook;
  command: string;
  assessment: ScriptAssessment;
  /** Absolute paths of the files it runs that exist. */
  files: string[];
  /** Targets named but not found. */
  missing: string[];
}

export interface PackageInfo {
  /** name@version, or the folder's path when it has no package.json. */
  key: string;
  name: string;
  version: string;
  /** Package folders (a package may be installed more than once). */
  roots: string[];
  manifests: string[];
  scripts: InstallScript[];
  /** Native code: a binding.gyp or prebuilt .node files. */
  native: boolean;
}

export interface PackagePlan {
  packages: Map<string, PackageInfo>;
  /** Package key of each file's package root, by root folder. */
  rootOf(file: string): string;
  /** Install-time files: absolute path to the scripts (package and hook) that run it. */
  installFiles: Map<string, { pkg: string; hook: LifecycleHook }[]>;
  /** Files to audit that the file walk did not list (script targets without a JS extension, or outside the paths). */
  extraFiles: string[];
}

function isNodeModulesPackageRoot(dir: string): boolean {
  const parent = dirname(dir);
  const name = basename(dir);
  if (basename(parent) === 'node_modules') return !name.startsWith('.') && !name.startsWith('@');
  return basename(parent).startsWith('@') && basename(dirname(parent)) === 'node_modules';
}

interface Manifest {
  name?: unknown;
  version?: unknown;
  scripts?: unknown;
  gypfile?: unknown;
}

function readManifest(path: string): Manifest | null {
  try {
    const data = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    return typeof data === 'object' && data !== null && !Array.isArray(data) ? (data as Manifest) : null;
  } catch {
    return null;
  }
}

/** Resolves a script target as node would: the path, then with .js/.cjs/.mjs, then as a folder's index. */
function resolveTarget(root: string, target: string): string | null {
  const base = resolve(root, target);
  for (const candidate of [base, `${base}.js`, `${base}.cjs`, `${base}.mjs`, join(base, 'index.js')]) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // try the next form
    }
  }
  return null;
}

/** Finds the packages of the audited files and of the folders audited, and their install scripts. */
export async function planPackages(files: readonly string[], dirs: readonly string[], cwd: string, includeNodeModules = true): Promise<PackagePlan> {
  const rootCache = new Map<string, string>();
  const roots = new Set<string>();
  const auditedDirs = new Set(dirs);
  /** The package root of a folder: a node_modules package folder, an audited folder with a package.json, or the nearest named package.json. */
  const rootOfDir = (dir: string): string => {
    const cached = rootCache.get(dir);
    if (cached !== undefined) return cached;
    let found: string | null = null;
    const chain: string[] = [];
    for (let d = dir; ; d = dirname(d)) {
      const hit = rootCache.get(d);
      if (hit !== undefined) {
        found = hit;
        break;
      }
      chain.push(d);
      if (isNodeModulesPackageRoot(d) || (auditedDirs.has(d) && existsSync(join(d, 'package.json')))) {
        found = d;
        break;
      }
      if (dirname(d) === d) break;
    }
    if (found === null) {
      // Outside node_modules: the nearest package.json with a name, else the working folder.
      for (let d = dir; ; d = dirname(d)) {
        const manifest = join(d, 'package.json');
        if (existsSync(manifest) && typeof readManifest(manifest)?.name === 'string') {
          found = d;
          break;
        }
        if (dirname(d) === d) break;
      }
      found ??= cwd;
    }
    for (const d of chain) rootCache.set(d, found);
    return found;
  };
  for (const file of files) roots.add(rootOfDir(dirname(file)));
  // Packages with no source files still have scripts: find every package root under the folders.
  for (const dir of dirs) {
    // Like the file walk: node_modules only when the audit is aimed into it (or is a --deps audit).
    const skipNodeModules = !includeNodeModules && !dir.split(sep).includes('node_modules');
    const manifests = await glob('**/package.json', {
      cwd: dir,
      absolute: true,
      dot: true,
      followSymbolicLinks: false,
      ignore: ['**/.git/**', ...(skipNodeModules ? ['**/node_modules/**'] : [])],
      expandDirectories: false,
    });
    for (const manifest of manifests) {
      const root = dirname(manifest);
      if (isNodeModulesPackageRoot(root) || root === dir) roots.add(root);
    }
  }
  const packages = new Map<string, PackageInfo>();
  const keyOfRoot = new Map<string, string>();
  const installFiles = new Map<string, { pkg: string; hook: LifecycleHook }[]>();
  const listed = new Set(files);
  const extraFiles: string[] = [];
  for (const root of [...roots].sort()) {
    const manifestPath = join(root, 'package.json');
    const manifest = existsSync(manifestPath) ? readManifest(manifestPath) : null;
    const name = typeof manifest?.name === 'string' && manifest.name !== '' ? manifest.name : null;
    const version = typeof manifest?.version === 'string' ? manifest.version : '0.0.0';
    const key = name !== null ? `${name}@${version}` : `${relative(cwd, root).split(sep).join('/') || '.'} (no package.json name)`;
    keyOfRoot.set(root, key);
    let info = packages.get(key);
    if (info === undefined) {
      info = { key, name: name ?? key, version: name !== null ? version : '', roots: [], manifests: [], scripts: [], native: false };
      packages.set(key, info);
    }
    info.roots.push(root);
    if (manifest === null) continue;
    info.manifests.push(manifestPath);
    if (manifest.gypfile === true || existsSync(join(root, 'binding.gyp'))) info.native = true;
    const scripts = typeof manifest.scripts === 'object' && manifest.scripts !== null ? (manifest.scripts as Record<string, unknown>) : {};
    for (const hook of LIFECYCLE_HOOKS) {
      const command = scripts[hook];
      if (typeof command !== 'string' || command.trim() === '') continue;
      const assessment = assessScript(hook, command);
      const found: string[] = [];
      const missing: string[] = [];
      for (const target of assessment.targets) {
        const file = resolveTarget(root, target);
        if (file === null) {
          missing.push(target);
          continue;
        }
        found.push(file);
        let users = installFiles.get(file);
        if (users === undefined) installFiles.set(file, (users = []));
        users.push({ pkg: key, hook });
        if (!listed.has(file)) {
          listed.add(file);
          extraFiles.push(file);
        }
      }
      info.scripts.push({ manifest: manifestPath, hook, command, assessment, files: found, missing });
    }
  }
  return {
    packages,
    rootOf: (file) => keyOfRoot.get(rootOfDir(dirname(file))) ?? keyOfRoot.get(cwd) ?? '.',
    installFiles,
    extraFiles,
  };
}

/** Capability names shown in the summary. */
export const CAPABILITY_LABELS = {
  network: 'network',
  process: 'child process',
  filesystem: 'file system',
  environment: 'env',
  'dynamic-code': 'dynamic code',
  native: 'native',
  install: 'install scripts',
} as const;
export type Capability = keyof typeof CAPABILITY_LABELS;

/** Fallback when the capability-inventory rule is absent: the capability a rule's finding implies. */
const RULE_CAPABILITY: ReadonlyMap<string, Capability> = new Map([
  ['no-child-process', 'process'],
  ['suspicious-command', 'process'],
  ['silent-process-execution', 'process'],
  ['write-then-execute', 'process'],
  ['fs-sensitive-path', 'filesystem'],
  ['fs-destructive', 'filesystem'],
  ['steganography-exec', 'filesystem'],
  ['no-network', 'network'],
  ['exfiltration-flow', 'network'],
  ['dns-exfiltration', 'network'],
  ['suspicious-endpoint', 'network'],
  ['env-enumeration', 'environment'],
  ['env-read-secret', 'environment'],
  ['no-eval', 'dynamic-code'],
  ['no-function-constructor', 'dynamic-code'],
  ['no-implied-eval', 'dynamic-code'],
  ['no-code-compilation-apis', 'dynamic-code'],
  ['exec-decoded-payload', 'dynamic-code'],
  ['no-dynamic-require', 'dynamic-code'],
  ['no-dynamic-import', 'dynamic-code'],
  ['no-dom-code-injection', 'dynamic-code'],
  ['no-native-binding', 'native'],
  ['install-script', 'install'],
  ['install-time-behaviour', 'install'],
]);

/** capability-inventory message ids to capabilities. */
const INVENTORY_CAPABILITY: ReadonlyMap<string, Capability> = new Map([
  ['process', 'process'],
  ['filesystem', 'filesystem'],
  ['network', 'network'],
  ['environment', 'environment'],
  ['dynamic-code', 'dynamic-code'],
  ['native', 'native'],
  ['install', 'install'],
]);

/** Attack stages (GuardDog-style), from warn and error findings. */
export type AttackStage = 'execution' | 'persistence/credential access' | 'exfiltration/C2';
const RULE_STAGE: ReadonlyMap<string, AttackStage> = new Map([
  ...(
    [
      'no-eval',
      'no-function-constructor',
      'no-implied-eval',
      'no-code-compilation-apis',
      'exec-decoded-payload',
      'no-child-process',
      'suspicious-command',
      'silent-process-execution',
      'write-then-execute',
      'no-native-binding',
      'install-script',
      'install-time-behaviour',
      'no-dynamic-require',
      'no-dynamic-import',
      'no-dom-code-injection',
      'steganography-exec',
    ] as const
  ).map((id) => [id, 'execution'] as [string, AttackStage]),
  ...(
    [
      'fs-sensitive-path',
      'fs-destructive',
      'env-enumeration',
      'env-read-secret',
      'registry-publish',
      'clipboard-or-input-capture',
      'browser-data-theft',
      'no-module-loader-tampering',
      'no-global-tampering',
    ] as const
  ).map((id) => [id, 'persistence/credential access'] as [string, AttackStage]),
  ...(['exfiltration-flow', 'dns-exfiltration', 'suspicious-endpoint', 'no-network'] as const).map((id) => [id, 'exfiltration/C2'] as [string, AttackStage]),
]);

/** Engine and bookkeeping rules: they say a file was not analysed, not that it is risky. */
const META_RULES = new Set(['parse-failure', 'analysis-budget-exceeded', 'internal-error', 'unused-suppression', 'inline-suppression-ignored', 'capability-inventory', 'minified-code']);

export type RiskLevel = 'none' | 'low' | 'medium' | 'high' | 'critical';

export interface PackageSummary {
  key: string;
  name: string;
  version: string;
  /** Package folders relative to the working folder. */
  paths: string[];
  files: number;
  capabilities: string[];
  installScripts: { hook: string; command: string; severity: ActiveSeverity }[];
  errors: number;
  warnings: number;
  infos: number;
  /** Files that could not be analysed (syntax errors, budgets). */
  unscanned: number;
  stages: AttackStage[];
  score: number;
  level: RiskLevel;
}

/** Score 0-10 from the highest severity and the number of distinct attack stages (RULES-CATALOG 6.6). */
export function riskScore(highest: ActiveSeverity | null, stages: number, capabilities: number): number {
  if (highest === null) return 0;
  if (highest === 'info') return capabilities >= 3 ? 2 : 1;
  const base = highest === 'error' ? 6 : 3;
  return Math.min(10, base + stages + (stages >= 2 ? 1 : 0));
}

/** The risk level of a score. */
export function riskLevel(score: number): RiskLevel {
  return score === 0 ? 'none' : score <= 2 ? 'low' : score <= 5 ? 'medium' : score <= 8 ? 'high' : 'critical';
}

const RAISE: Readonly<Record<ActiveSeverity, ActiveSeverity>> = { info: 'warn', warn: 'error', error: 'error' };

function scriptFinding(manifestPath: string, text: string, script: InstallScript, severity: ActiveSeverity, raisedBy: string[]): Finding {
  const rule = RULES_BY_ID.get('install-script');
  const template = rule?.meta.messages.script ?? '`{{hook}}` script runs at install time: `{{command}}`{{details}}.';
  const details: string[] = [...script.assessment.reasons];
  if (raisedBy.length > 0) details.push(`it runs ${raisedBy.join(', ')}, which has errors`);
  if (script.assessment.shellTargets.length > 0) details.push(`it runs the shell script ${script.assessment.shellTargets.join(', ')} (not analysed)`);
  if (script.missing.length > 0) details.push(`target ${script.missing.join(', ')} not found`);
  const command = script.command.length > 120 ? `${script.command.slice(0, 117)}...` : script.command;
  // Place the finding on the script's line in package.json.
  const scriptsAt = text.search(/"scripts"\s*:/);
  const keyPattern = new RegExp(`"${script.hook}"\\s*:\\s*"((?:[^"\\\\]|\\\\.)*)"`, 'g');
  keyPattern.lastIndex = Math.max(0, scriptsAt);
  const match = keyPattern.exec(text);
  const at = match?.index ?? Math.max(0, scriptsAt);
  const before = text.slice(0, at);
  const line = before.split('\n').length;
  const column = at - before.lastIndexOf('\n');
  const length = match?.[0].length ?? 1;
  return {
    ruleId: 'install-script',
    messageId: 'script',
    message: formatMessage(template, { hook: script.hook, command, details: details.length > 0 ? `: ${details.join('; ')}` : '' }),
    severity,
    line,
    column,
    endLine: line,
    endColumn: column + length,
    fingerprint: '',
    data: { hook: script.hook, command: script.command },
  };
}

export interface PackageAuditResult {
  /** The reports, with package.json reports appended for packages with install scripts. */
  reports: AnalysisReport[];
  packages: PackageSummary[];
}

/** Groups the reports by package, raises install-time findings, reports install scripts, and scores each package. */
export function auditPackages(plan: PackagePlan, reports: readonly AnalysisReport[], policy: Policy, cwd: string): PackageAuditResult {
  const setting = policy.rules['install-script'];
  const scriptSeverity = setting?.severity ?? 'off';
  // 1. Findings in files that install scripts run are raised one level.
  const filesWithErrors = new Set<string>();
  for (const report of reports) {
    const users = plan.installFiles.get(report.filename);
    if (users === undefined) continue;
    const hooks = [...new Set(users.map((u) => u.hook))].join('/');
    let changed = false;
    for (const f of report.findings) {
      if (f.suppressed) continue;
      const raised = RAISE[f.severity];
      if (raised !== f.severity) {
        f.severity = raised;
        changed = true;
      }
      f.message = `${f.message} [runs at install time: ${hooks}]`;
    }
    if (changed) recountReport(report);
    if (report.errorCount > 0) filesWithErrors.add(report.filename);
  }
  // 2. Install scripts become findings on their package.json.
  const out = [...reports];
  const manifestReports = new Map<string, AnalysisReport>();
  if (scriptSeverity !== 'off') {
    for (const info of plan.packages.values()) {
      for (const manifestPath of info.manifests) {
        const root = dirname(manifestPath);
        const scripts = info.scripts.filter((s) => s.manifest === manifestPath);
        if (scripts.length === 0) continue;
        let text = '';
        try {
          text = readFileSync(manifestPath, 'utf8');
        } catch {
          continue;
        }
        const findings: Finding[] = [];
        for (const script of scripts) {
          const raisedBy = script.files.filter((f) => filesWithErrors.has(f)).map((f) => relative(root, f).split(sep).join('/'));
          let severity: ActiveSeverity = raisedBy.length > 0 ? 'error' : script.assessment.severity;
          if (setting?.explicit) severity = scriptSeverity as ActiveSeverity;
          findings.push(scriptFinding(manifestPath, text, script, severity, raisedBy));
        }
        findings.sort((a, b) => a.line - b.line || a.column - b.column);
        assignFingerprints(findings, text.split('\n'));
        const report: AnalysisReport = {
          filename: manifestPath,
          verdict: 'accept',
          findings,
          errorCount: 0,
          warningCount: 0,
          infoCount: 0,
          fatalErrorCount: 0,
          suppressedCount: 0,
          sourceType: null,
          language: null,
          stats: { bytes: Buffer.byteLength(text), nodes: 0, durationMs: 0 },
        };
        recountReport(report);
        manifestReports.set(manifestPath, report);
        out.push(report);
      }
    }
  }
  // 3. Per-package summaries.
  const byKey = new Map<string, { info: PackageInfo | undefined; reports: AnalysisReport[] }>();
  for (const report of out) {
    const key = plan.rootOf(report.filename);
    let group = byKey.get(key);
    if (group === undefined) byKey.set(key, (group = { info: plan.packages.get(key), reports: [] }));
    group.reports.push(report);
  }
  for (const [key, info] of plan.packages) if (!byKey.has(key)) byKey.set(key, { info, reports: [] });
  const packages: PackageSummary[] = [];
  for (const [key, { info, reports: group }] of byKey) {
    const capabilities = new Set<Capability>();
    const stages = new Set<AttackStage>();
    let highest: ActiveSeverity | null = null;
    let errors = 0;
    let warnings = 0;
    let infos = 0;
    let unscanned = 0;
    let files = 0;
    for (const report of group) {
      if (!manifestReports.has(report.filename)) files++;
      if (report.fatalErrorCount > 0) unscanned++;
      errors += report.errorCount;
      warnings += report.warningCount;
      infos += report.infoCount;
      for (const f of report.findings) {
        if (f.suppressed) continue;
        const capability = f.ruleId === 'capability-inventory' ? INVENTORY_CAPABILITY.get(f.messageId) : RULE_CAPABILITY.get(f.ruleId);
        if (capability !== undefined) capabilities.add(capability);
        if (META_RULES.has(f.ruleId)) continue;
        if (highest === null || SEVERITY_RANK[f.severity] > SEVERITY_RANK[highest]) highest = f.severity;
        const stage = RULE_STAGE.get(f.ruleId);
        if (stage !== undefined && f.severity !== 'info') stages.add(stage);
      }
    }
    if (info?.native) capabilities.add('native');
    if ((info?.scripts.length ?? 0) > 0) capabilities.add('install');
    // Capabilities alone (inventory notes, native code, install hooks) are low risk, not none.
    const score = riskScore(highest ?? (capabilities.size > 0 ? 'info' : null), stages.size, capabilities.size);
    packages.push({
      key,
      name: info?.name ?? key,
      version: info?.version ?? '',
      paths: (info?.roots ?? []).map((r) => relative(cwd, r).split(sep).join('/') || '.'),
      files,
      capabilities: [...capabilities].sort().map((c) => CAPABILITY_LABELS[c]),
      installScripts: (info?.scripts ?? []).map((s) => ({
        hook: s.hook,
        command: s.command,
        severity: manifestReports.get(s.manifest)?.findings.find((f) => f.data?.hook === s.hook)?.severity ?? s.assessment.severity,
      })),
      errors,
      warnings,
      infos,
      unscanned,
      stages: [...stages].sort(),
      score,
      level: riskLevel(score),
    });
  }
  packages.sort((a, b) => b.score - a.score || b.errors - a.errors || b.warnings - a.warnings || a.key.localeCompare(b.key));
  return { reports: out, packages };
}
