// airlock's public library API.
export { analyze, formatMessage } from './analyzer/engine.js';
export type { AnalyzeOptions } from './analyzer/engine.js';
export type * from './analyzer/types.js';
export { defineRule } from './analyzer/rule-api.js';
export type { RuleModule, RuleContext, RuleMeta, Visitor } from './analyzer/rule-api.js';
export { resolvePolicy, defaultPolicy, PolicyError, SAFE_BUILTIN_MODULES, DEFAULT_LIMITS } from './policy/index.js';
export type { Policy, PolicyInput, Limits } from './policy/index.js';
export { RULES, RULES_BY_ID } from './rules/index.js';
export { analyzeFile } from './analyzer/file.js';
export { FsHooks, MemoryHooks, HttpHooks, HookError, isHookError, describeHooks, checkHooks } from './executor/hooks/index.js';
export { ERROR_CODES } from './executor/types.js';
export { Executor, Runner, run, closeSharedRunners, ExecutorError, DEFAULT_ISOLATION } from './executor/executor.js';
export type { ExecutorOptions, RunOptions, RunnerOptions, CallOptions, VerboseOption, Isolation } from './executor/executor.js';
export { ImportGateway, GatewaySession } from './executor/gateway.js';
export type { GatewayLogger } from './executor/gateway.js';
export type { ModuleHooks, ModuleSource, RunResult, RunStatus, RunError, ErrorCode, GatewayEvent } from './executor/types.js';
