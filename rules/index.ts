// The rule registry: one explicit list, sorted by id. A meta-test fails when a rule file, its test
// file or its doc page is missing from here or from the tree.
import type { AnyRule } from '../analyzer/rule-api.js';
import analysisBudgetExceeded from './analysis-budget-exceeded.js';
import browserDataTheft from './browser-data-theft.js';
import capabilityInventory from './capability-inventory.js';
import dnsExfiltration from './dns-exfiltration.js';
import envEnumeration from './env-enumeration.js';
import envReadSecret from './env-read-secret.js';
import escapedIdentifier from './escaped-identifier.js';
import execDecodedPayload from './exec-decoded-payload.js';
import exfiltrationFlow from './exfiltration-flow.js';
import fsDestructive from './fs-destructive.js';
import fsSensitivePath from './fs-sensitive-path.js';
import hiddenCode from './hidden-code.js';
import inlineSuppressionIgnored from './inline-suppression-ignored.js';
import installScript from './install-script.js';
import installTimeBehaviour from './install-time-behaviour.js';
import internalError from './internal-error.js';
import minifiedCode from './minified-code.js';
import noChildProcess from './no-child-process.js';
import noCodeCompilationApis from './no-code-compilation-apis.js';
import noConstructorEscape from './no-constructor-escape.js';
import noDomCodeInjection from './no-dom-code-injection.js';
import noDynamicImport from './no-dynamic-import.js';
import noDynamicRequire from './no-dynamic-require.js';
import noEval from './no-eval.js';
import noFunctionConstructor from './no-function-constructor.js';
import noGlobalObject from './no-global-object.js';
import noGlobalTampering from './no-global-tampering.js';
import noHostCallbackIntrospection from './no-host-callback-introspection.js';
import noHostHandles from './no-host-handles.js';
import noImpliedEval from './no-implied-eval.js';
import noIntrinsicMutation from './no-intrinsic-mutation.js';
import noModuleLoaderTampering from './no-module-loader-tampering.js';
import noNativeBinding from './no-native-binding.js';
import noNetwork from './no-network.js';
import noProtoAccess from './no-proto-access.js';
import noSharedMemory from './no-shared-memory.js';
import noStackIntrospection from './no-stack-introspection.js';
import noUnresolvedSensitiveAccess from './no-unresolved-sensitive-access.js';
import noWebassembly from './no-webassembly.js';
import noWith from './no-with.js';
import obfuscatedCode from './obfuscated-code.js';
import parseFailure from './parse-failure.js';
import registryPublish from './registry-publish.js';
import restrictedModule from './restricted-module.js';
import silentProcessExecution from './silent-process-execution.js';
import steganographyExec from './steganography-exec.js';
import suspiciousCommand from './suspicious-command.js';
import suspiciousEndpoint from './suspicious-endpoint.js';
import trojanSource from './trojan-source.js';
import unusedSuppression from './unused-suppression.js';

export const RULES: readonly AnyRule[] = [
  analysisBudgetExceeded,
  browserDataTheft,
  capabilityInventory,
  dnsExfiltration,
  envEnumeration,
  envReadSecret,
  escapedIdentifier,
  execDecodedPayload,
  exfiltrationFlow,
  fsDestructive,
  fsSensitivePath,
  hiddenCode,
  inlineSuppressionIgnored,
  installScript,
  installTimeBehaviour,
  internalError,
  minifiedCode,
  noChildProcess,
  noCodeCompilationApis,
  noConstructorEscape,
  noDomCodeInjection,
  noDynamicImport,
  noDynamicRequire,
  noEval,
  noFunctionConstructor,
  noGlobalObject,
  noGlobalTampering,
  noHostCallbackIntrospection,
  noHostHandles,
  noImpliedEval,
  noIntrinsicMutation,
  noModuleLoaderTampering,
  noNativeBinding,
  noNetwork,
  noProtoAccess,
  noSharedMemory,
  noStackIntrospection,
  noUnresolvedSensitiveAccess,
  noWebassembly,
  noWith,
  obfuscatedCode,
  parseFailure,
  registryPublish,
  restrictedModule,
  silentProcessExecution,
  steganographyExec,
  suspiciousCommand,
  suspiciousEndpoint,
  trojanSource,
  unusedSuppression,
] as AnyRule[];

export const RULES_BY_ID: ReadonlyMap<string, AnyRule> = new Map(RULES.map((rule) => [rule.id, rule]));
