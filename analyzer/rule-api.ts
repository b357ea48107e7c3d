// The rule API: what a rule file imports. A rule is data (`meta`) plus `create(context)`, which
// returns a visitor keyed by Babel node type (or alias such as `Function`), merged by the engine
// into the one traversal of the file.
import type { Node, Identifier } from '@babel/types';
import type { ActiveSeverity, ProfileName, Severity, SourcePosition, SourceType } from './types.js';
import type { Binding } from './scope.js';
import type { CallTarget, FoldResult, Values } from './evaluate.js';
import type { Policy } from '../policy/types.js';

export type RuleCategory =
  | 'code-execution'
  | 'module-loading'
  | 'sandbox-integrity'
  | 'process'
  | 'filesystem'
  | 'environment'
  | 'network'
  | 'browser'
  | 'obfuscation'
  | 'install-time'
  | 'meta';

export interface RuleMeta<MessageIds extends string> {
  /** `problem`: dangerous behaviour; `suggestion`: inventory or hygiene. */
  type: 'problem' | 'suggestion';
  category: RuleCategory;
  /** One sentence: what the rule finds. */
  description: string;
  /** The rule's severity in each built-in profile. */
  defaults: Readonly<Record<ProfileName, Severity>>;
  /** Message templates; `{{name}}` is replaced from the report's data. */
  messages: Readonly<Record<MessageIds, string>>;
  /** Engine-reported rules (parse failures, budgets, suppressions) have no visitor. */
  engine?: boolean;
}

export type VisitorHandler = (node: any, parent: Node | null) => void;

/** Node type (or alias, or `Type:exit`) to handler. `onSourceText` runs on the raw text, before parsing. */
export interface Visitor {
  [selector: string]: VisitorHandler | ((text: string) => void) | undefined;
  onSourceText?: (text: string) => void;
}

export interface ReportDescriptor<MessageIds extends string> {
  messageId: MessageIds;
  /** The node to report at; or give `loc` for text-level findings. */
  node?: Node;
  loc?: { start: SourcePosition; end?: SourcePosition };
  data?: Record<string, string | number>;
  /** Override the configured severity for this one finding (e.g. audit raising to error). */
  severity?: ActiveSeverity;
}

/** What a rule sees of the file under analysis. */
export interface RuleContext<MessageIds extends string = string> {
  readonly id: string;
  readonly filename: string;
  readonly source: string;
  readonly sourceType: SourceType;
  readonly profile: ProfileName;
  readonly policy: Policy;
  readonly severity: ActiveSeverity;
  /** Options for this rule from the policy (`rules: { id: [severity, options] }`). */
  readonly options: Readonly<Record<string, unknown>>;
  report(descriptor: ReportDescriptor<MessageIds>): void;
  /** The binding an identifier refers to (or declares); `null` for an undeclared global; `undefined` for a property name, label... */
  resolve(id: Identifier): Binding | null | undefined;
  /** True when `node` is a reference to the undeclared global `name` (through parentheses and TS wrappers). */
  isGlobalRef(node: Node, name?: string): boolean;
  /** Host paths the expression may evaluate to, following aliases: 'eval', 'globalThis', 'module:fs', '?'. */
  values(node: Node): Values;
  /** Host paths first reached at this node (not carried in from an alias). */
  ownValues(node: Node): Values;
  /** Folded constant values, or null when unknown. */
  fold(node: Node): FoldResult | null;
  /** Folded strings, or null when any possible value is unknown. */
  foldStrings(node: Node): string[] | null;
  /** The function a call reaches through `.call/.apply/Reflect.apply/construct`, and its arguments. */
  callTarget(node: Node): CallTarget;
  /** The keys a member expression may read, or null when the key cannot be folded. */
  memberKeys(node: Node): readonly string[] | null;
  parentOf(node: Node): Node | null;
  /** The key under which `node` hangs in its parent (`callee`, `object`, `arguments`...). */
  parentKeyOf(node: Node): string | null;
  /** The source text of a node. */
  text(node: Node): string;
}

export interface RuleModule<MessageIds extends string = string> {
  /** Kebab-case id, equal to the file name under rules/. */
  id: string;
  meta: RuleMeta<MessageIds>;
  create(context: RuleContext<MessageIds>): Visitor;
}

/** Declares a rule; typing the message ids so that a misspelt id is a compile error. */
export function defineRule<MessageIds extends string>(rule: RuleModule<MessageIds>): RuleModule<MessageIds> {
  return rule;
}

export type AnyRule = RuleModule<string>;

/** Docs page path for a rule, relative to the package root. */
export function ruleDocsPath(id: string): string {
  return `docs/rules/${id}.md`;
}
