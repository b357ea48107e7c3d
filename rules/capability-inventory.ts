// capability-inventory: what a file can do, one info finding per capability kind per file, at the
// first place the capability is reached: `process` (child_process and its wrappers), `filesystem`
// (fs and its wrappers), `network` (Node network modules, HTTP clients, fetch, XMLHttpRequest,
// WebSocket, EventSource, sendBeacon), `environment` (process.env), `dynamic-code` (eval,
// Function, vm, dynamic require/import, WebAssembly compilation) and `native` (process.binding,
// dlopen, .node addons, FFI modules). The message ids are stable so that audits can aggregate
// capabilities per package (the Socket/LavaMoat-style summary).
import type { Node } from '@babel/types';
import { defineRule } from '../analyzer/rule-api.js';
import { normalizeSpecifier, unwrap } from '../analyzer/evaluate.js';
import { calleeValuesOf, NETWORK_MODULES, NETWORK_PATHS, PROCESS_API_PATHS } from './_audit.js';

type Kind = 'process' | 'filesystem' | 'network' | 'environment' | 'dynamic-code' | 'native';

const MODULE_KINDS: ReadonlyMap<string, Kind> = new Map<string, Kind>([
  ...['child_process', 'execa', 'cross-spawn', 'shelljs', 'child-process-promise', 'cluster'].map((m) => [m, 'process'] as const),
  ...['fs', 'fs/promises', 'fs-extra', 'graceful-fs', 'original-fs', 'rimraf', 'del', 'glob', 'fast-glob', 'globby', 'tinyglobby', 'mz/fs'].map((m) => [m, 'filesystem'] as const),
  ...[...NETWORK_MODULES].map((m) => [m, 'network'] as const),
  ...['vm', 'vm2', 'isolated-vm', 'module', 'inspector'].map((m) => [m, 'dynamic-code'] as const),
  ...['ffi-napi', 'ffi', 'ref-napi', 'node-gyp-build', 'bindings', 'koffi', 'node-ffi', 'prebuild-install', 'node-pre-gyp', '@mapbox/node-pre-gyp'].map((m) => [m, 'native'] as const),
]);
const GLOBAL_KINDS: ReadonlyMap<string, Kind> = new Map<string, Kind>([
  ['fetch', 'network'],
  ['XMLHttpRequest', 'network'],
  ['WebSocket', 'network'],
  ['EventSource', 'network'],
  ['eval', 'dynamic-code'],
  ['Function', 'dynamic-code'],
]);
const MEMBER_KINDS: ReadonlyMap<string, Kind> = new Map<string, Kind>([
  ['process.binding', 'native'],
  ['process._linkedBinding', 'native'],
  ['process.dlopen', 'native'],
  ['navigator.sendBeacon', 'network'],
  ['eval', 'dynamic-code'],
  ['Function', 'dynamic-code'],
  ['AsyncFunction', 'dynamic-code'],
  ['GeneratorFunction', 'dynamic-code'],
  ['WebAssembly.compile', 'dynamic-code'],
  ['WebAssembly.instantiate', 'dynamic-code'],
  ['WebAssembly.Module', 'dynamic-code'],
  ['fetch', 'network'],
  ['XMLHttpRequest', 'network'],
  ['WebSocket', 'network'],
]);
const MEMBER_NAMES: ReadonlySet<string> = new Set(['env', 'binding', '_linkedBinding', 'dlopen', 'sendBeacon', 'eval', 'Function', 'constructor', 'compile', 'instantiate', 'Module', 'fetch', 'XMLHttpRequest', 'WebSocket']);
const LOADERS: ReadonlySet<string> = new Set(['require', 'import', 'module:module._load', 'module:module.prototype.require']);

/** The kind of a module specifier. */
function moduleKind(specifier: string): Kind | null {
  const name = normalizeSpecifier(specifier);
  if (/\.node$/i.test(name)) return 'native';
  const direct = MODULE_KINDS.get(name);
  if (direct !== undefined) return direct;
  const root = name.startsWith('@') ? name.split('/').slice(0, 2).join('/') : name.split('/')[0]!;
  return MODULE_KINDS.get(root) ?? null;
}

/** The kind of a host path ('module:fs.readFileSync', 'process.env.HOME', 'fetch'...). */
function valueKind(value: string): Kind | null {
  if (value === 'process.env' || value.startsWith('process.env.')) return 'environment';
  if (PROCESS_API_PATHS.has(value)) return 'process';
  if (NETWORK_PATHS.has(value)) return 'network';
  if (value.startsWith('module:')) {
    const rest = value.slice(7);
    for (const [module, kind] of MODULE_KINDS) if (rest === module || rest.startsWith(`${module}.`)) return kind;
    return null;
  }
  return MEMBER_KINDS.get(value) ?? null;
}

export default defineRule({
  id: 'capability-inventory',
  meta: {
    type: 'suggestion',
    category: 'meta',
    description: 'Lists what each file can do: process, filesystem, network, environment, dynamic-code and native capabilities, one info finding per kind.',
    defaults: { strict: 'info', audit: 'info', recommended: 'off' },
    messages: {
      process: 'Capability: starts processes (`{{what}}`).',
      filesystem: 'Capability: uses the file system (`{{what}}`).',
      network: 'Capability: uses the network (`{{what}}`).',
      environment: 'Capability: reads the environment (`{{what}}`).',
      'dynamic-code': 'Capability: runs code built at run time (`{{what}}`).',
      native: 'Capability: loads native code (`{{what}}`).',
    },
  },
  create(context) {
    const seen = new Set<Kind>();
    const note = (node: Node, kind: Kind | null, what: string): void => {
      if (kind === null || seen.has(kind)) return;
      seen.add(kind);
      context.report({ node, messageId: kind, data: { what: what.length > 60 ? `${what.slice(0, 57)}...` : what } });
    };
    const values = (node: Node, fromValues: Iterable<string>): void => {
      for (const value of fromValues) {
        const kind = valueKind(value);
        if (kind !== null && !seen.has(kind)) note(node, kind, value.replace(/^module:/, ''));
      }
    };
    const loaded = (node: Node): void => {
      const target = calleeValuesOf(context, node as Node & { callee: Node });
      let loader = false;
      for (const value of target) if (LOADERS.has(value)) loader = true;
      if (!loader) {
        values(node, target);
        return;
      }
      let known = false;
      for (const value of context.values(node)) {
        if (!value.startsWith('module:')) continue;
        known = true;
        note(node, moduleKind(value.slice(7)), value.slice(7));
      }
      if (!known) {
        const arg = (node as Node & { arguments: Node[] }).arguments[0];
        if (arg !== undefined && context.foldStrings(arg) === null) note(node, 'dynamic-code', `${context.text(unwrap((node as Node & { callee: Node }).callee))}(<computed>)`);
      }
    };
    return {
      ImportDeclaration: (node: Node & { source: { value: string }; importKind?: string }) => {
        if (node.importKind === 'type') return;
        note(node, moduleKind(node.source.value), node.source.value);
      },
      TSImportEqualsDeclaration: (node: Node & { moduleReference: Node & { expression?: { value: string } } }) => {
        const specifier = node.moduleReference.expression?.value;
        if (specifier !== undefined) note(node, moduleKind(specifier), specifier);
      },
      ExportAllDeclaration: (node: Node & { source: { value: string } }) => note(node, moduleKind(node.source.value), node.source.value),
      CallExpression: loaded,
      OptionalCallExpression: loaded,
      NewExpression: (node: Node & { callee: Node }) => values(node, calleeValuesOf(context, node)),
      ImportExpression: (node: Node & { source: Node }) => {
        const folded = context.foldStrings(node.source);
        if (folded === null) note(node, 'dynamic-code', 'import(<computed>)');
        else for (const specifier of folded) note(node, moduleKind(specifier), specifier);
      },
      Identifier: (node: Node & { name: string }) => {
        const kind = GLOBAL_KINDS.get(node.name);
        if (kind === undefined || seen.has(kind) || context.resolve(node as never) !== null) return;
        note(node, kind, node.name);
      },
      MemberExpression: (node: Node & { property: Node; computed: boolean }) => {
        if (!node.computed && (node.property.type !== 'Identifier' || !MEMBER_NAMES.has(node.property.name))) return;
        values(node, context.ownValues(node));
      },
    };
  },
});
