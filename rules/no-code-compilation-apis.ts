// no-code-compilation-apis: host APIs that compile source text or bytes into running code,
// other than eval and Function (which have their own rules): node:vm (`runInThisContext`,
// `runInNewContext`, `runInContext`, `Script`, `compileFunction`, `SourceTextModule`), a
// worker_threads `Worker` started with `{ eval: true }` or from a `data:` URL, the CommonJS
// loader's `Module.prototype._compile` (`module._compile`, `new Module()._compile`,
// `module.constructor.prototype._compile`), the inspector's `Session` (which can post
// `Runtime.evaluate`), and in strict `WebAssembly.compile` / `instantiate` / `Module`.
// Each is reported once where it is reached: an import specifier, a member read, a destructured
// property, a `Reflect.get`, a re-export.
import { defineRule } from '../analyzer/rule-api.js';
import type { RuleContext } from '../analyzer/rule-api.js';
import type { Node } from '@babel/types';
import type { Values } from '../analyzer/evaluate.js';
import { unwrap } from '../analyzer/evaluate.js';
import { abbreviate, normalizeModule, partialString, urlScheme } from './_modules.js';

const VM_APIS: ReadonlySet<string> = new Set(['runInThisContext', 'runInNewContext', 'runInContext', 'Script', 'compileFunction', 'SourceTextModule', 'createScript']);
const WASM_APIS: ReadonlySet<string> = new Set(['compile', 'instantiate', 'Module', 'compileStreaming', 'instantiateStreaming']);

/** Host path -> the message and the name to show. Built once. */
type SensitiveKind = 'vm' | 'moduleCompile' | 'inspector' | 'wasm';
const SENSITIVE = new Map<string, { messageId: SensitiveKind; name: string }>();
for (const api of VM_APIS) SENSITIVE.set(`module:vm.${api}`, { messageId: 'vm', name: `vm.${api}` });
for (const api of WASM_APIS) SENSITIVE.set(`WebAssembly.${api}`, { messageId: 'wasm', name: `WebAssembly.${api}` });
SENSITIVE.set('module:module.prototype._compile', { messageId: 'moduleCompile', name: 'Module.prototype._compile' });
SENSITIVE.set('module._compile', { messageId: 'moduleCompile', name: 'module._compile' });
SENSITIVE.set('module:inspector.Session', { messageId: 'inspector', name: 'inspector.Session' });
SENSITIVE.set('module:inspector/promises.Session', { messageId: 'inspector', name: 'inspector.Session' });

/** Member names worth evaluating (everything else is skipped cheaply). */
const INTERESTING_KEYS: ReadonlySet<string> = new Set([...VM_APIS, ...WASM_APIS, '_compile', 'Session', 'value', 'get']);

/** Method names of calls that can return an API (`Reflect.get`, `.bind`, through `.call`/`.apply`). */
const CALL_KEYS: ReadonlySet<string> = new Set(['get', 'bind', 'call', 'apply']);

const WORKER_PATHS: ReadonlySet<string> = new Set(['module:worker_threads.Worker']);

export default defineRule({
  id: 'no-code-compilation-apis',
  meta: {
    type: 'problem',
    category: 'code-execution',
    description: 'Disallows node:vm, eval workers, Module.prototype._compile, inspector sessions and (strict) WebAssembly compilation.',
    defaults: { strict: 'error', audit: 'warn', recommended: 'error' },
    messages: {
      vm: '`{{text}}` reaches `{{name}}`, which compiles and runs source text.',
      vmComputed: '`{{text}}` reads a computed member of `node:vm`; every one of its functions compiles or runs code.',
      moduleCompile: '`{{text}}` reaches `{{name}}`, the CommonJS loader\'s compiler, which runs any source text as a module.',
      inspector: '`{{text}}` reaches `{{name}}`, which can evaluate code through the inspector protocol.',
      wasm: '`{{text}}` reaches `{{name}}`, which compiles WebAssembly bytes into running code.',
      workerEval: '`new Worker(..., { eval: true })` runs its first argument as source text.',
      workerOptions: '`new Worker` is given options that cannot be known statically; with `eval: true` it runs source text.',
      workerDataUrl: '`new Worker` runs code from a `{{scheme}}:` URL ({{value}}).',
      reexport: 'This re-exports `{{name}}` from `{{module}}`, handing a code-compiling API to importers.',
    },
  },
  create(context) {
    const strict = context.profile === 'strict';

    const sensitiveIn = (values: Values): string | null => {
      for (const value of values) {
        const entry = SENSITIVE.get(value);
        if (entry === undefined) continue;
        if (entry.messageId === 'wasm' && !strict) continue;
        return value;
      }
      return null;
    };

    const report = (node: Node, path: string): void => {
      const entry = SENSITIVE.get(path)!;
      context.report({ node, messageId: entry.messageId, data: { text: abbreviate(context.text(node)), name: entry.name } });
    };

    const carried = (node: Node): boolean => sensitiveIn(context.values(node)) !== null;

    function checkMember(node: Node & { object: Node; property: Node; computed: boolean }): void {
      if (!node.computed) {
        if (node.property.type !== 'Identifier' || !INTERESTING_KEYS.has(node.property.name)) return;
      } else if (node.property.type === 'StringLiteral') {
        if (!INTERESTING_KEYS.has(node.property.value)) return;
      } else if (node.property.type === 'NumericLiteral') return;
      else if (context.memberKeys(node) === null) {
        // `vm[name]`: every export of vm compiles or runs code (or prepares a context for it).
        if (context.values(node.object).has('module:vm')) context.report({ node, messageId: 'vmComputed', data: { text: abbreviate(context.text(node)) } });
        return;
      }
      const path = sensitiveIn(context.ownValues(node));
      if (path === null || carried(node.object)) return;
      report(node, path);
    }

    function checkIntroduction(node: Node): void {
      const path = sensitiveIn(context.ownValues(node));
      if (path !== null) report(node, path);
    }

    function checkCall(node: Node & { callee: Node; arguments: Node[] }): void {
      const callee = unwrap(node.callee);
      // Only `Reflect.get(vm, 'Script')`-like calls (and `.bind`) return an API; skip the rest unevaluated.
      if (callee.type === 'MemberExpression') {
        if (!callee.computed && callee.property.type === 'Identifier' && !CALL_KEYS.has(callee.property.name)) return;
      } else if (callee.type === 'Identifier') {
        if (!context.values(callee).has('Reflect.get')) return;
      } else return;
      const path = sensitiveIn(context.ownValues(node));
      if (path === null) return;
      if ((callee.type === 'MemberExpression' && carried(callee.object)) || node.arguments.some((a) => carried(a))) return;
      report(node, path);
    }

    function checkWorker(node: Node & { callee: Node; arguments: Node[] }): void {
      const target = context.callTarget(node);
      if (!target.construct) return;
      let isWorker = false;
      for (const value of target.callee) if (WORKER_PATHS.has(value)) isWorker = true;
      if (!isWorker) return;
      const args = target.args;
      if (args === null) {
        if (strict) context.report({ node, messageId: 'workerOptions' });
        return;
      }
      const [source, options] = args;
      if (source !== undefined) {
        const text = partialString(context, source) ?? partialString(context, unwrapUrl(context, source) ?? source);
        const scheme = text === null ? null : urlScheme(text);
        if (scheme === 'data' || scheme === 'blob' || scheme === 'http' || scheme === 'https') {
          context.report({ node, messageId: 'workerDataUrl', data: { scheme, value: `'${abbreviate(text!.replace(/\u0000/g, '…'))}'` } });
          return;
        }
      }
      if (options === undefined || options.type === 'SpreadElement') return;
      const evalFlag = evalOption(context, options);
      if (evalFlag === 'true') context.report({ node, messageId: 'workerEval' });
      else if (evalFlag === 'unknown' && strict) context.report({ node, messageId: 'workerOptions' });
    }

    return {
      MemberExpression: checkMember,
      OptionalMemberExpression: checkMember,
      ObjectProperty(node: Node) {
        if (context.parentOf(node)?.type !== 'ObjectPattern') return;
        const path = sensitiveIn(context.ownValues(node));
        if (path === null) return;
        report(node, path);
      },
      ImportSpecifier: checkIntroduction,
      CallExpression: checkCall,
      OptionalCallExpression: checkCall,
      NewExpression: checkWorker,
      ExportNamedDeclaration(node: Node & { source?: { value: string } | null; specifiers: Node[]; exportKind?: string }) {
        if (!node.source || node.exportKind === 'type') return;
        const module = normalizeModule(node.source.value);
        for (const specifier of node.specifiers) {
          const local = specifier.type === 'ExportSpecifier' ? (specifier.local as Node) : null;
          const name = local === null ? '*' : local.type === 'Identifier' ? local.name : local.type === 'StringLiteral' ? local.value : '*';
          const path = name === '*' || name === 'default' ? `module:${module}` : `module:${module}.${name}`;
          if (module === 'vm' && (name === '*' || name === 'default')) {
            context.report({ node: specifier, messageId: 'reexport', data: { name: 'vm', module } });
          } else if (sensitiveIn(new Set([path])) !== null) {
            context.report({ node: specifier, messageId: 'reexport', data: { name: SENSITIVE.get(path)!.name, module } });
          }
        }
      },
      ExportAllDeclaration(node: Node & { source: { value: string }; exportKind?: string }) {
        if (node.exportKind === 'type') return;
        const module = normalizeModule(node.source.value);
        if (module === 'vm' || module === 'inspector' || module === 'inspector/promises') {
          context.report({ node, messageId: 'reexport', data: { name: '*', module } });
        }
      },
    };
  },
});

/** `new URL('data:...')` as a Worker source: the URL string. */
function unwrapUrl(context: RuleContext, node: Node): Node | null {
  const inner = unwrap(node);
  if (inner.type !== 'NewExpression' || !context.values(inner.callee).has('URL')) return null;
  const first = inner.arguments[0];
  return first !== undefined && first.type !== 'SpreadElement' ? first : null;
}

/** The `eval` option of a Worker's options: 'true', 'false' or 'unknown'. */
function evalOption(context: RuleContext, options: Node): 'true' | 'false' | 'unknown' {
  const folded = context.fold(options);
  if (folded !== null) {
    let any = false;
    for (const value of folded.values) {
      if (value === undefined || value === null) continue;
      if (typeof value !== 'object' || !('entries' in value)) return 'unknown';
      const flag = (value as { entries: ReadonlyMap<string, unknown> }).entries.get('eval');
      if (flag) any = true;
    }
    return any ? 'true' : 'false';
  }
  const literal = unwrap(options);
  if (literal.type !== 'ObjectExpression') {
    // An options object that is a known literal elsewhere in the file.
    return 'unknown';
  }
  let result: 'true' | 'false' | 'unknown' = 'false';
  for (const property of literal.properties) {
    if (property.type === 'SpreadElement') {
      result = 'unknown';
      continue;
    }
    if (property.type !== 'ObjectProperty') continue;
    const key = property.computed ? context.foldStrings(property.key) : property.key.type === 'Identifier' ? [property.key.name] : property.key.type === 'StringLiteral' ? [property.key.value] : null;
    if (key === null) {
      result = 'unknown';
      continue;
    }
    if (!key.includes('eval')) continue;
    const value = context.fold(property.value as Node);
    if (value === null) return 'unknown';
    if (value.values.some((v) => Boolean(v))) return 'true';
  }
  return result;
}
