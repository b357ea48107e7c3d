// The analyzer's entry point: decode, check limits, parse once, bind once, then run every enabled
// rule's visitor in one merged traversal; apply suppressions, fingerprint, and give a verdict.
// It never throws for bad input: every failure becomes a finding, and the verdict fails closed.
import { FLIPPED_ALIAS_KEYS } from '@babel/types';
import type { Node, File } from '@babel/types';
import type { ActiveSeverity, AnalysisReport, Finding, Language, SourceType } from './types.js';
import type { AnyRule, ReportDescriptor, RuleContext, VisitorHandler } from './rule-api.js';
import { decodeSource, languageOf, parseSource, sourceTypeOf } from './source.js';
import { bindProgram, BudgetError } from './scope.js';
import { Evaluator } from './evaluate.js';
import { walk, parentOf, parentKeyOf, typeIndexOf } from './walk.js';
import { applyDirectives, parseDirectives } from './suppressions.js';
import { assignFingerprints } from './fingerprint.js';
import { enterFileCaches, leaveFileCaches } from './file-cache.js';
import type { Policy, PolicyInput } from '../policy/index.js';
import { resolvePolicy, defaultPolicy } from '../policy/index.js';
import { RULES } from '../rules/index.js';

export interface AnalyzeOptions {
  /** Used for the language (by extension) and in the report. Default `input.js`. */
  filename?: string;
  /** A resolved policy, policy input, or nothing for the built-in `recommended` profile. */
  policy?: Policy | PolicyInput;
  /** Overrides the language implied by the file name. */
  language?: Language;
  /** Overrides module/script detection. */
  sourceType?: SourceType | 'unambiguous';
  /** The rules to draw from (default: the registry). Tests pass a single rule here. */
  rules?: readonly AnyRule[];
  /** Size of a file that was not read because it is over the limit (set by analyzeFile). */
  declaredBytes?: number;
}

interface ActiveRule {
  rule: AnyRule;
  severity: ActiveSeverity;
  options: Readonly<Record<string, unknown>>;
  explicit: boolean;
}

const activeRuleCache = new WeakMap<Policy, WeakMap<readonly AnyRule[], ActiveRule[]>>();

function activeRules(policy: Policy, rules: readonly AnyRule[]): ActiveRule[] {
  let byRules = activeRuleCache.get(policy);
  if (byRules === undefined) activeRuleCache.set(policy, (byRules = new WeakMap()));
  let active = byRules.get(rules);
  if (active === undefined) {
    active = [];
    for (const rule of rules) {
      const setting = policy.rules[rule.id];
      if (setting === undefined || setting.severity === 'off') continue;
      active.push({ rule, severity: setting.severity, options: setting.options, explicit: setting.explicit === true });
    }
    byRules.set(rules, active);
  }
  return active;
}

const MESSAGE_DATA = /\{\{\s*([\w.-]+)\s*\}\}/g;

/** Fills `{{name}}` placeholders in a message template. */
export function formatMessage(template: string, data: Record<string, string | number> | undefined): string {
  if (data === undefined) return template;
  return template.replace(MESSAGE_DATA, (whole, key: string) => (key in data ? String(data[key]) : whole));
}

/** Analyses one file's source under a policy. Never throws for any input. */
export function analyze(source: string | Uint8Array, options: AnalyzeOptions = {}): AnalysisReport {
  enterFileCaches();
  try {
    return analyzeText(source, options);
  } finally {
    leaveFileCaches();
  }
}

function analyzeText(source: string | Uint8Array, options: AnalyzeOptions): AnalysisReport {
  const started = performance.now();
  const filename = options.filename ?? 'input.js';
  const policy = options.policy === undefined ? defaultPolicy('recommended') : resolvePolicy(options.policy);
  const rules = options.rules ?? RULES;
  const findings: Finding[] = [];
  const bytes = options.declaredBytes ?? (typeof source === 'string' ? Buffer.byteLength(source, 'utf8') : source.byteLength);
  const report: AnalysisReport = {
    filename,
    verdict: 'accept',
    findings,
    errorCount: 0,
    warningCount: 0,
    infoCount: 0,
    fatalErrorCount: 0,
    suppressedCount: 0,
    sourceType: null,
    language: null,
    stats: { bytes, nodes: 0, durationMs: 0 },
  };
  /** Findings the engine itself makes (parse failures, budgets); their rules set the severity. */
  const engineFinding = (ruleId: string, messageId: string, message: string, line: number, column: number, fatal: boolean): void => {
    const severity = policy.rules[ruleId]?.severity ?? 'error';
    if (severity === 'off') return;
    findings.push({
      ruleId,
      messageId,
      message,
      severity,
      line,
      column,
      endLine: line,
      endColumn: column,
      ...(fatal ? { fatal: true } : {}),
      fingerprint: '',
    });
  };

  let text = '';
  try {
    if (bytes > policy.limits.maxSourceBytes) {
      engineFinding(
        'analysis-budget-exceeded',
        'size',
        `File not analysed: it is ${bytes} bytes, over the policy limit of ${policy.limits.maxSourceBytes} bytes.`,
        1,
        1,
        true,
      );
      return finish(report, policy, text, [], started);
    }
    const decoded = decodeSource(source);
    if (!decoded.ok) {
      engineFinding(
        'parse-failure',
        decoded.messageId,
        `File not analysed: ${decoded.messageId === 'binary' ? 'binary content' : 'invalid encoding'} (${decoded.detail}).`,
        1,
        1,
        true,
      );
      return finish(report, policy, text, [], started);
    }
    text = decoded.text.charCodeAt(0) === 0xfeff ? decoded.text.slice(1) : decoded.text;
    const language = options.language ?? languageOf(filename);
    report.language = language;

    // Rule instances for this file; text-level handlers run before parsing, so they also cover
    // files that do not parse. Contexts are instances of one class over one per-file state object,
    // so every file's contexts share hidden classes (a fresh prototype per file made V8 build new
    // maps for each file, which cost more than the rules themselves on small files).
    const active = activeRules(policy, rules);
    const enter = new Map<string, { id: string; fn: VisitorHandler }[]>();
    const exit = new Map<string, { id: string; fn: VisitorHandler }[]>();
    const textHandlers: { id: string; fn: (text: string) => void }[] = [];
    const file = new FileState(filename, text, policy, findings, lazyLineStarts(text));

    for (const { rule, severity, options: ruleOptions, explicit } of active) {
      if (rule.meta.engine) continue;
      const context = new Context(file, rule, severity, ruleOptions, explicit);
      let visitor;
      try {
        visitor = rule.create(context);
      } catch (error) {
        ruleCrash(findings, rule.id, error);
        continue;
      }
      for (const selector in visitor) {
        const handler = visitor[selector];
        if (handler === undefined) continue;
        if (selector === 'onSourceText') {
          textHandlers.push({ id: rule.id, fn: handler as (text: string) => void });
          continue;
        }
        const isExit = selector.endsWith(':exit');
        const name = isExit ? selector.slice(0, -5) : selector;
        const target = isExit ? exit : enter;
        const types = FLIPPED_ALIAS_KEYS[name];
        const entry = { id: rule.id, fn: handler as VisitorHandler };
        if (types === undefined) addHandler(target, name, entry);
        else for (let i = 0; i < types.length; i++) addHandler(target, types[i]!, entry);
      }
    }

    for (const { id, fn } of textHandlers) {
      try {
        fn(text);
      } catch (error) {
        ruleCrash(findings, id, error);
      }
    }

    const parsed = parseSource(text, language, options.sourceType ?? sourceTypeOf(filename));
    if (parsed.failure) {
      const failure = parsed.failure;
      if (failure.tooDeep) {
        engineFinding('analysis-budget-exceeded', 'nesting', `File not analysed: ${failure.message}.`, 1, 1, true);
      } else {
        engineFinding('parse-failure', 'syntax', `File not analysed: syntax error: ${failure.message}.`, failure.line, failure.column, true);
      }
      return finish(report, policy, text, [], started);
    }
    const ast: File = parsed.ast;
    const sourceType: SourceType = ast.program.sourceType === 'module' ? 'module' : 'script';
    file.sourceType = sourceType;
    report.sourceType = sourceType;

    // The binder lists the nodes of the types rules handle, in walk order: the rule pass runs over
    // that list rather than walking the tree a second time (when the only exit handler is
    // `Program:exit`, which comes last).
    const listed = exit.size === 0 || (exit.size === 1 && exit.has('Program'));
    const enterByType: ({ id: string; fn: VisitorHandler }[] | undefined)[] = [];
    if (listed) for (const [type, list] of enter) enterByType[typeIndexOf(type)] = list;
    const scope = bindProgram(ast.program, { maxNodes: policy.limits.maxAstNodes, listTypes: listed ? enterByType : [] });
    report.stats.nodes = scope.nodeCount;
    file.evaluator = new Evaluator(scope, sourceType);

    const call = (list: { id: string; fn: VisitorHandler }[], node: Node, parent: Node | null): void => {
      for (let i = 0; i < list.length; i++) {
        const entry = list[i]!;
        try {
          entry.fn(node, parent);
        } catch (error) {
          if (error instanceof RangeError && /call stack/.test(error.message)) {
            engineFinding('analysis-budget-exceeded', 'nesting', 'Analysis stopped: the code is nested too deeply to analyse.', node.loc?.start.line ?? 1, (node.loc?.start.column ?? 0) + 1, true);
          } else ruleCrash(findings, entry.id, error, node);
        }
      }
    };
    if (listed) {
      const { nodes, detachedParents } = scope;
      nodes.forEach((node, typeIndex) => call(enterByType[typeIndex]!, node, parentOf(node) ?? detachedParents.get(node) ?? null));
      const programExit = exit.get('Program');
      if (programExit !== undefined) call(programExit, ast.program, null);
    } else {
      walk(ast.program, {
        enter(node, parent) {
          const list = enter.get(node.type);
          if (list !== undefined) call(list, node, parent);
        },
        exit: (node, parent) => {
          const list = exit.get(node.type);
          if (list !== undefined) call(list, node, parent);
        },
        exitTypes: new Set(exit.keys()),
      });
    }

    return finish(report, policy, text, (ast.comments ?? []) as never[], started);
  } catch (error) {
    if (error instanceof BudgetError) {
      engineFinding('analysis-budget-exceeded', 'nodes', `File not analysed: ${error.message}.`, 1, 1, true);
    } else if (error instanceof RangeError) {
      engineFinding('analysis-budget-exceeded', 'nesting', 'Analysis stopped: the code is nested too deeply to analyse.', 1, 1, true);
    } else {
      engineFinding('internal-error', 'crash', `Analysis failed: ${describeError(error)}.`, 1, 1, true);
    }
    return finish(report, policy, text, [], started);
  }
}

function addHandler(target: Map<string, { id: string; fn: VisitorHandler }[]>, type: string, entry: { id: string; fn: VisitorHandler }): void {
  const list = target.get(type);
  if (list === undefined) target.set(type, [entry]);
  else list.push(entry);
}

/** What every rule context of one file shares. */
class FileState {
  evaluator: Evaluator | null = null;
  sourceType: SourceType = 'script';
  constructor(
    readonly filename: string,
    readonly source: string,
    readonly policy: Policy,
    readonly findings: Finding[],
    readonly lineStarts: () => number[],
  ) {}
}

/** One rule's view of a file: the RuleContext API over the file's shared state. */
class Context implements RuleContext {
  readonly id: string;
  constructor(
    readonly file: FileState,
    readonly rule: AnyRule,
    readonly severity: ActiveSeverity,
    readonly options: Readonly<Record<string, unknown>>,
    readonly explicit: boolean,
  ) {
    this.id = rule.id;
  }
  get filename(): string {
    return this.file.filename;
  }
  get source(): string {
    return this.file.source;
  }
  get sourceType(): SourceType {
    return this.file.sourceType;
  }
  get profile(): Policy['profile'] {
    return this.file.policy.profile;
  }
  get policy(): Policy {
    return this.file.policy;
  }
  report(descriptor: ReportDescriptor<string>): void {
    this.file.findings.push(makeFinding(this.rule, this.severity, this.explicit, descriptor, this.file.lineStarts));
  }
  resolve(id: Parameters<Evaluator['resolve']>[0]): ReturnType<Evaluator['resolve']> {
    return this.file.evaluator!.resolve(id);
  }
  isGlobalRef(node: Node, name?: string): boolean {
    return this.file.evaluator!.isGlobalRef(node, name);
  }
  values(node: Node): ReturnType<Evaluator['values']> {
    return this.file.evaluator!.values(node);
  }
  ownValues(node: Node): ReturnType<Evaluator['ownValues']> {
    return this.file.evaluator!.ownValues(node);
  }
  fold(node: Node): ReturnType<Evaluator['fold']> {
    return this.file.evaluator!.fold(node);
  }
  foldStrings(node: Node): ReturnType<Evaluator['foldStrings']> {
    return this.file.evaluator!.foldStrings(node);
  }
  callTarget(node: Node): ReturnType<Evaluator['callTarget']> {
    return this.file.evaluator!.callTarget(node);
  }
  memberKeys(node: Node): ReturnType<Evaluator['memberKeys']> {
    return this.file.evaluator!.memberKeys(node);
  }
  parentOf(node: Node): Node | null {
    return parentOf(node);
  }
  parentKeyOf(node: Node): string | null {
    return parentKeyOf(node);
  }
  text(node: Node): string {
    return node.start != null && node.end != null ? this.file.source.slice(node.start, node.end) : '';
  }
}

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

function ruleCrash(findings: Finding[], ruleId: string, error: unknown, node?: Node): void {
  const line = node?.loc?.start.line ?? 1;
  const column = (node?.loc?.start.column ?? 0) + 1;
  findings.push({
    ruleId: 'internal-error',
    messageId: 'ruleCrash',
    message: `Rule '${ruleId}' failed on this code (${describeError(error)}); the file is treated as unanalysed.`,
    severity: 'error',
    line,
    column,
    endLine: line,
    endColumn: column,
    fatal: true,
    fingerprint: '',
  });
}

function makeFinding(
  rule: AnyRule,
  severity: ActiveSeverity,
  explicit: boolean,
  descriptor: ReportDescriptor<string>,
  lineStarts: () => number[],
): Finding {
  const template = rule.meta.messages[descriptor.messageId] ?? descriptor.messageId;
  let start = descriptor.loc?.start;
  let end = descriptor.loc?.end;
  const loc = descriptor.node?.loc;
  if (start === undefined && loc) {
    start = { line: loc.start.line, column: loc.start.column + 1 };
    end = { line: loc.end.line, column: loc.end.column + 1 };
  } else if (start === undefined && descriptor.node?.start != null) {
    start = positionAt(lineStarts(), descriptor.node.start);
  }
  start ??= { line: 1, column: 1 };
  end ??= start;
  return {
    ruleId: rule.id,
    messageId: descriptor.messageId,
    message: formatMessage(template, descriptor.data),
    severity: descriptor.severity !== undefined && !explicit ? descriptor.severity : severity,
    line: start.line,
    column: start.column,
    endLine: end.line,
    endColumn: end.column,
    fingerprint: '',
    ...(descriptor.data ? { data: descriptor.data } : {}),
  };
}

function lazyLineStarts(text: string): () => number[] {
  let starts: number[] | null = null;
  return () => {
    if (starts === null) {
      starts = [0];
      for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
    }
    return starts;
  };
}

/** 1-based line and column of a character offset. */
export function positionAt(lineStarts: readonly number[], offset: number): { line: number; column: number } {
  let lo = 0;
  let hi = lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lineStarts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - lineStarts[lo]! + 1 };
}

function finish(
  report: AnalysisReport,
  policy: Policy,
  text: string,
  comments: { type: 'CommentLine' | 'CommentBlock'; value: string; loc?: { start: { line: number; column: number }; end: { line: number; column: number } } | null }[],
  started: number,
): AnalysisReport {
  const findings = report.findings;
  const directives = parseDirectives(comments);
  if (directives.length > 0) {
    if (policy.allowInlineSuppressions) {
      applyDirectives(findings, directives);
      const unusedSeverity = policy.rules['unused-suppression']?.severity ?? 'off';
      if (unusedSeverity !== 'off') {
        for (const d of directives) {
          if (d.used || d.kind === 'enable') continue;
          findings.push({
            ruleId: 'unused-suppression',
            messageId: 'unused',
            message: `Unused airlock-${d.kind} directive${d.rules.length ? ` (no ${d.rules.join(', ')} finding here)` : ''}.`,
            severity: unusedSeverity,
            line: d.line,
            column: d.column,
            endLine: d.endLine,
            endColumn: d.endColumn,
            fingerprint: '',
          });
        }
      }
    } else {
      const ignoredSeverity = policy.rules['inline-suppression-ignored']?.severity ?? 'off';
      if (ignoredSeverity !== 'off') {
        for (const d of directives) {
          if (d.kind === 'enable') continue;
          findings.push({
            ruleId: 'inline-suppression-ignored',
            messageId: 'ignored',
            message: `airlock-${d.kind} directive ignored: the '${policy.name}' policy does not honour inline suppressions.`,
            severity: ignoredSeverity,
            line: d.line,
            column: d.column,
            endLine: d.endLine,
            endColumn: d.endColumn,
            fingerprint: '',
          });
        }
      }
    }
  }
  findings.sort((a, b) => a.line - b.line || a.column - b.column || a.ruleId.localeCompare(b.ruleId));
  dedupeFindings(findings);
  if (findings.length > 0) assignFingerprints(findings, text.split('\n', findings[findings.length - 1]!.line));
  let reject = false;
  for (const finding of findings) {
    if (finding.suppressed) {
      report.suppressedCount++;
      continue;
    }
    if (finding.fatal) report.fatalErrorCount++;
    if (finding.severity === 'error') {
      report.errorCount++;
      reject = true;
    } else if (finding.severity === 'warn') report.warningCount++;
    else report.infoCount++;
  }
  report.verdict = reject ? 'reject' : 'accept';
  report.stats.durationMs = performance.now() - started;
  return report;
}

/** Two rules may reach the same node through different paths; keep one finding per rule and place. */
function dedupeFindings(findings: Finding[]): void {
  const seen = new Set<string>();
  let write = 0;
  for (const finding of findings) {
    const key = `${finding.ruleId}|${finding.messageId}|${finding.line}|${finding.column}|${finding.endLine}|${finding.endColumn}`;
    if (seen.has(key)) continue;
    seen.add(key);
    findings[write++] = finding;
  }
  findings.length = write;
}
