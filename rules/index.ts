// The rule registry: one explicit list, sorted by id. A meta-test fails when a rule file, its test
// file or its doc page is missing from here or from the tree.
import type { AnyRule } from '../analyzer/rule-api.js';
import analysisBudgetExceeded from './analysis-budget-exceeded.js';
import inlineSuppressionIgnored from './inline-suppression-ignored.js';
import installScript from './install-script.js';
import internalError from './internal-error.js';
import noCodeCompilationApis from './no-code-compilation-apis.js';
import noConstructorEscape from './no-constructor-escape.js';
import noDynamicImport from './no-dynamic-import.js';
import noDynamicRequire from './no-dynamic-require.js';
import noEval from './no-eval.js';
import noFunctionConstructor from './no-function-constructor.js';
import noImpliedEval from './no-implied-eval.js';
import noProtoAccess from './no-proto-access.js';
import noWith from './no-with.js';
import parseFailure from './parse-failure.js';
import unusedSuppression from './unused-suppression.js';

export const RULES: readonly AnyRule[] = [
  analysisBudgetExceeded,
  inlineSuppressionIgnored,
  installScript,
  internalError,
  noCodeCompilationApis,
  noConstructorEscape,
  noDynamicImport,
  noDynamicRequire,
  noEval,
  noFunctionConstructor,
  noImpliedEval,
  noProtoAccess,
  noWith,
  parseFailure,
  unusedSuppression,
] as AnyRule[];

export const RULES_BY_ID: ReadonlyMap<string, AnyRule> = new Map(RULES.map((rule) => [rule.id, rule]));
