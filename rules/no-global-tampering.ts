// no-global-tampering: replacing, wrapping or deleting globals and host APIs that other code relies
// on: `JSON.parse = ...`, `globalThis.fetch = ...`, `XMLHttpRequest.prototype.send = ...`,
// `console.log = () => {}`, `process.emitWarning = ...`, `require('fs').readFileSync = ...`,
// `Object.defineProperty(globalThis, ...)`. Wrapping `fetch` or `XMLHttpRequest` is how skimmers
// and exfiltration hooks read every request; silencing `console` or `process.emitWarning` hides
// what a payload does. Built-in constructors and prototypes (`Array.prototype`, `Promise`) belong to
// no-intrinsic-mutation; the module loader (`require.cache`, `Module.prototype.require`) to the
// module-loading rules. New globals of your own (`window.myApp = ...`), event handler properties
// (`window.onload = ...`) and plain data (`process.exitCode`, `process.env.X`, `document.title`)
// are not tampering.
//
// In audit and recommended a plain wrapper is a warning; a replacement that itself sends data to a
// network sink (other than the API it wraps) is an error.
import { defineRule } from '../analyzer/rule-api.js';
import type { RuleContext } from '../analyzer/rule-api.js';
import type { Node } from '@babel/types';
import {
  abbreviate,
  describePath,
  forwardedSink,
  isPolyfillGuarded,
  pathRoot,
  writeSites,
  writtenPaths,
  INTRINSIC_CONSTRUCTORS,
  NODE_BUILTIN_MODULES,
} from './_sandbox.js';
import type { WriteSite } from './_sandbox.js';

type AnyNode = Node & Record<string, any>;

/** Globals whose members (or themselves) other code calls: namespaces, host APIs, host classes. */
const HOST_GLOBALS: ReadonlySet<string> = new Set([
  // ECMAScript namespaces (built-in constructors are no-intrinsic-mutation's).
  'JSON', 'Math', 'Reflect', 'Atomics', 'Intl', 'WebAssembly',
  'parseInt', 'parseFloat', 'isNaN', 'isFinite', 'encodeURIComponent', 'decodeURIComponent', 'encodeURI', 'decodeURI', 'escape', 'unescape',
  // Host functions.
  'console', 'fetch', 'XMLHttpRequest', 'WebSocket', 'EventSource', 'Request', 'Response', 'Headers', 'FormData',
  'URL', 'URLSearchParams', 'Blob', 'File', 'FileReader', 'Worker', 'SharedWorker', 'BroadcastChannel', 'MessageChannel',
  'MessagePort', 'postMessage', 'setTimeout', 'setInterval', 'setImmediate', 'clearTimeout', 'clearInterval', 'clearImmediate',
  'queueMicrotask', 'requestAnimationFrame', 'requestIdleCallback', 'structuredClone', 'atob', 'btoa', 'alert', 'confirm', 'prompt',
  'open', 'addEventListener', 'removeEventListener', 'dispatchEvent', 'getComputedStyle', 'matchMedia', 'Image', 'Audio', 'Notification',
  'TextEncoder', 'TextDecoder', 'AbortController', 'AbortSignal', 'Event', 'EventTarget', 'CustomEvent', 'MutationObserver',
  'IntersectionObserver', 'ResizeObserver', 'Element', 'HTMLElement', 'Node', 'Document', 'Window', 'HTMLFormElement',
  'HTMLInputElement', 'HTMLScriptElement', 'HTMLIFrameElement', 'HTMLAnchorElement', 'HTMLImageElement', 'Navigator', 'Storage',
  'History', 'Location', 'Crypto', 'SubtleCrypto', 'Performance', 'crypto', 'performance', 'navigator', 'document', 'history',
  'localStorage', 'sessionStorage', 'indexedDB', 'caches', 'process', 'Buffer', 'Deno', 'Bun', 'eval',
]);

/** Data properties of host objects that programs set as a matter of course. */
const DATA_PROPERTIES: ReadonlySet<string> = new Set([
  'process.exitCode', 'process.title', 'process.argv', 'process.argv0', 'process.execArgv', 'process.debugPort', 'process.env',
  'document.cookie', 'document.title', 'document.domain', 'document.designMode', 'document.dir', 'document.body', 'document.location',
  'history.scrollRestoration',
]);

const GLOBAL_DEFINING_OPS: ReadonlySet<string> = new Set(['define', 'defineMany', 'setPrototype', 'defineGetter', 'defineSetter', 'assign']);

export default defineRule({
  id: 'no-global-tampering',
  meta: {
    type: 'problem',
    category: 'sandbox-integrity',
    description: 'Disallows replacing, wrapping or deleting globals and host APIs (JSON.parse, fetch, console, XMLHttpRequest, process).',
    defaults: { strict: 'error', audit: 'warn', recommended: 'warn' },
    messages: {
      replace: '`{{text}}` {{verb}} `{{target}}`, a global API other code relies on{{sink}}.',
      globalObject: '`{{text}}` {{verb}} the global object itself{{sink}}.',
    },
  },
  create(context) {
    const check = (node: Node): void => {
      for (const site of writeSites(context, node)) checkSite(context, site);
    };
    return {
      AssignmentExpression: check,
      UpdateExpression: check,
      UnaryExpression(node: AnyNode) {
        if (node.operator === 'delete') check(node);
      },
      CallExpression: check,
      OptionalCallExpression: check,
    };
  },
});

function checkSite(context: RuleContext<string>, site: WriteSite): void {
  const paths = writtenPaths(context, site);
  if (paths.length === 0) return;
  const text = abbreviate(context.text(site.node));
  // `Object.defineProperty(globalThis, ...)`, `Object.setPrototypeOf(window, ...)`.
  if (site.object !== null && GLOBAL_DEFINING_OPS.has(site.op) && context.values(site.object).has('globalThis')) {
    const hostKeys = site.keys === null || site.keys.some((k) => isTamperTarget(k));
    if (site.op !== 'assign' || hostKeys) {
      report(context, site, 'globalObject', text, '', paths);
      return;
    }
  }
  for (const path of paths) {
    if (!isTamperTarget(path)) continue;
    report(context, site, 'replace', text, describePath(path), paths);
    return;
  }
}

function report(context: RuleContext<string>, site: WriteSite, messageId: 'replace' | 'globalObject', text: string, target: string, paths: string[]): void {
  const sink = site.op === 'delete' ? null : forwardedSink(context, site.value, paths);
  const sinkText = sink !== null ? `, and the replacement sends data to ${describePath(sink)}` : '';
  const guarded = sink === null && isPolyfillGuarded(context, site);
  const verb = verbOf(site, guarded);
  const severity = sink !== null ? 'error' : undefined;
  context.report({ node: site.node, messageId, data: { text, target, verb, sink: sinkText }, ...(severity ? { severity } : {}) });
}

function verbOf(site: WriteSite, guarded: boolean): string {
  if (guarded) return 'defines (when missing)';
  switch (site.op) {
    case 'delete':
      return 'deletes';
    case 'setPrototype':
      return 're-parents';
    case 'define':
    case 'defineMany':
    case 'defineGetter':
    case 'defineSetter':
      return 'redefines';
    default:
      return 'replaces';
  }
}

/** True for host paths whose replacement is tampering. */
function isTamperTarget(path: string): boolean {
  const root = pathRoot(path);
  if (INTRINSIC_CONSTRUCTORS.has(root)) return false;
  if (path.startsWith('module:')) {
    const slash = path.indexOf('.');
    const name = path.slice(7, slash === -1 ? undefined : slash);
    // Member writes on built-in modules (`fs.readFileSync = ...`); the loader itself is another rule's.
    return slash !== -1 && NODE_BUILTIN_MODULES.has(name) && name !== 'module';
  }
  if (!HOST_GLOBALS.has(root)) return false;
  // `fetch`, `JSON.parse`, `XMLHttpRequest.prototype.send`, `process.stdout.write`: deeper paths are
  // data hanging off host objects, not the APIs themselves.
  if (path.split('.').length > 3) return false;
  if (DATA_PROPERTIES.has(path)) return false;
  for (const data of DATA_PROPERTIES) if (path.startsWith(`${data}.`) || path.startsWith(`${data}[`)) return false;
  const dot = path.lastIndexOf('.');
  const last = dot === -1 ? path : path.slice(dot + 1);
  // Event handler properties (`window.onload`, `ws.onmessage`) are meant to be assigned.
  if (/^on[a-z]/.test(last)) return false;
  return true;
}
