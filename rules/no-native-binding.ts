// no-native-binding: native code and the ways to smuggle it in. `process.binding`,
// `process._linkedBinding` and `process.dlopen` reach Node's C++ internals and load shared
// libraries directly (`process.binding('spawn_sync')` runs commands without child_process,
// `process.binding('contextify')` compiles code without vm). Native addons (`.node` files)
// are machine code that no analysis reads: loading one from a computed path, or from a path
// the script itself wrote, is how droppers run their payload. `LD_PRELOAD`, `LD_AUDIT` and
// `DYLD_INSERT_LIBRARIES` in an environment object or in `process.env` inject a library into
// every process started afterwards; `rundll32`, `regsvr32` and `mshta` run DLLs and scripts on
// Windows. A `require` of a constant relative `.node` path (a package's own prebuilt addon) is
// a warning in audit and recommended.
import { defineRule } from '../analyzer/rule-api.js';
import type { RuleContext } from '../analyzer/rule-api.js';
import type { Node } from '@babel/types';
import type { Binding } from '../analyzer/scope.js';
import type { Values } from '../analyzer/evaluate.js';
import { unwrap } from '../analyzer/evaluate.js';
import { abbreviate, callTargetOf, HOLE, isOwnLocation, isPathSpecifier, loaderCall, partialString, quoteValues, staticSpecifier } from './_modules.js';

const BINDING_PATHS: ReadonlyMap<string, string> = new Map([
  ['process.binding', 'process.binding'],
  ['process._linkedBinding', 'process._linkedBinding'],
  ['process.dlopen', 'process.dlopen'],
]);
const BINDING_KEYS: ReadonlySet<string> = new Set(['binding', '_linkedBinding', 'dlopen', 'value', 'get']);

/** Bindings that only describe values (types, constants, configuration): a warning outside strict. */
const INFORMATIONAL_BINDINGS: ReadonlySet<string> = new Set(['util', 'types', 'constants', 'config', 'uv', 'errors', 'buffer']);

const HIJACK_VARIABLES: ReadonlySet<string> = new Set(['LD_PRELOAD', 'LD_AUDIT', 'DYLD_INSERT_LIBRARIES']);
const HIJACK_IN_COMMAND = /\b(LD_PRELOAD|LD_AUDIT|DYLD_INSERT_LIBRARIES)=/;
const LOLBIN = /(?:^|[\s"'\\/&|;(])(rundll32|regsvr32|mshta)(?:\.exe)?(?=$|[\s"',;)])/i;

/** Functions whose first argument (and argv array) is a command. */
const COMMAND_RUNNERS: ReadonlySet<string> = new Set([
  'exec', 'execSync', 'spawn', 'spawnSync', 'execFile', 'execFileSync', 'fork',
]);
/** fs functions that write a file, and the index of the destination argument. */
const FS_WRITERS: ReadonlyMap<string, number> = new Map([
  ['writeFileSync', 0], ['writeFile', 0], ['appendFileSync', 0], ['appendFile', 0], ['createWriteStream', 0],
  ['copyFileSync', 1], ['copyFile', 1], ['renameSync', 1], ['rename', 1], ['cpSync', 1], ['cp', 1],
  ['symlinkSync', 1], ['symlink', 1], ['linkSync', 1], ['link', 1],
]);

interface NativeLoad {
  node: Node;
  specifier: Node;
  values: string[] | null;
  partial: string | null;
}

export default defineRule({
  id: 'no-native-binding',
  meta: {
    type: 'problem',
    category: 'sandbox-integrity',
    description: 'Disallows process.binding/dlopen, native addons from computed or written paths, library injection variables and Windows proxy-execution binaries.',
    defaults: { strict: 'error', audit: 'error', recommended: 'error' },
    messages: {
      binding: '`{{text}}` reaches `{{name}}`, raw access to Node\'s native internals{{detail}}.',
      nativeComputed: 'This loads a native addon from a path computed at run time ({{value}}); native code cannot be analysed.',
      nativeWritten: 'This loads a native addon from a path the file itself writes ({{value}}): a dropped binary.',
      nativeConstant: 'This loads the native addon {{value}}; native code cannot be analysed.',
      envHijack: '`{{name}}` is set{{where}}: it injects a shared library into every process started with it.',
      lolbin: 'The command runs `{{name}}` ({{value}}), a Windows binary used to run DLLs and scripts by proxy.',
    },
  },
  create(context) {
    const loads: NativeLoad[] = [];
    const writtenBindings = new Set<Binding>();
    const writtenPaths = new Set<string>();
    const lenient = context.profile !== 'strict';

    const bindingIn = (values: Values): string | null => {
      for (const value of values) {
        const name = BINDING_PATHS.get(value);
        if (name !== undefined) return name;
      }
      return null;
    };

    const reportBinding = (node: Node, name: string): void => {
      if (isTestOnly(context, node)) return;
      let detail = '';
      let informational = false;
      const parent = context.parentOf(node);
      if (parent !== null && parent.type === 'CallExpression' && parent.callee === node && parent.arguments[0]) {
        const arg = parent.arguments[name === 'process.dlopen' ? 1 : 0];
        const folded = arg && arg.type !== 'SpreadElement' ? context.foldStrings(arg) : null;
        if (folded !== null) detail = ` (${quoteValues(folded)})`;
        // lodash's `process.binding('util')` type checks: a plain use, not an attack.
        informational = name === 'process.binding' && folded !== null && folded.every((b) => INFORMATIONAL_BINDINGS.has(b));
      }
      context.report({ node, messageId: 'binding', data: { text: abbreviate(context.text(node)), name, detail }, ...(informational && lenient ? { severity: 'warn' as const } : {}) });
    };

    function checkMember(node: Node & { object: Node; property: Node; computed: boolean }): void {
      const keys = node.computed ? null : node.property.type === 'Identifier' ? node.property.name : null;
      if (keys !== null && !BINDING_KEYS.has(keys) && !HIJACK_VARIABLES.has(keys)) return;
      if (node.computed && node.property.type === 'NumericLiteral') return;
      const name = bindingIn(context.ownValues(node));
      if (name !== null && bindingIn(context.values(node.object)) === null) {
        reportBinding(node, name);
        return;
      }
      // `process.env.LD_PRELOAD = lib`, `env['LD_' + 'PRELOAD'] = lib`.
      const parent = context.parentOf(node);
      if (parent === null || parent.type !== 'AssignmentExpression' || parent.left !== node) return;
      const memberKeys = context.memberKeys(node);
      const variable = memberKeys?.find((k) => HIJACK_VARIABLES.has(k));
      if (variable === undefined || clears(context, parent.right)) return;
      const where = context.values(node.object).has('process.env') ? ' in `process.env`' : ' in an environment object';
      context.report({ node, messageId: 'envHijack', data: { name: variable, where } });
    }

    function checkProperty(node: Node & { key: Node; computed: boolean; value: Node }): void {
      const parent = context.parentOf(node);
      if (parent === null) return;
      if (parent.type === 'ObjectPattern') {
        const name = bindingIn(context.ownValues(node));
        if (name !== null) reportBinding(node, name);
        return;
      }
      // `{ ...process.env, LD_PRELOAD: '/tmp/x.so' }`: a string (or unknown) value, not a flag.
      const key = node.computed ? context.foldStrings(node.key)?.[0] : node.key.type === 'Identifier' ? node.key.name : node.key.type === 'StringLiteral' ? node.key.value : undefined;
      if (key === undefined || !HIJACK_VARIABLES.has(key)) return;
      const value = unwrap(node.value);
      if (value.type === 'BooleanLiteral' || value.type === 'NumericLiteral' || clears(context, value)) return;
      context.report({ node, messageId: 'envHijack', data: { name: key, where: ' in an environment object' } });
    }

    function checkCall(node: Node & { callee: Node; arguments: Node[] }): void {
      const callee = unwrap(node.callee);
      if (callee.type !== 'Identifier' && callee.type !== 'MemberExpression' && callee.type !== 'OptionalMemberExpression' && callee.type !== 'Import' && callee.type !== 'CallExpression') return;
      // Reflect.get(process, 'binding') and friends.
      if (callee.type === 'MemberExpression') {
        const name = bindingIn(context.ownValues(node));
        if (name !== null && !node.arguments.some((a) => bindingIn(context.values(a)) !== null) && bindingIn(context.values(callee.object)) === null) {
          reportBinding(node, name);
          return;
        }
      }
      const loader = loaderCall(context, node);
      if (loader !== null) {
        if (loader.specifier !== null) noteLoad(node, loader.specifier);
        return;
      }
      const target = callTargetOf(context, node);
      for (const fn of target.callee) {
        if (!fn.startsWith('module:')) continue;
        const dot = fn.lastIndexOf('.');
        const module = fn.slice('module:'.length, dot === -1 ? undefined : dot);
        const method = dot === -1 ? '' : fn.slice(dot + 1);
        if ((module === 'child_process') && COMMAND_RUNNERS.has(method) && target.args !== null) {
          checkCommand(target.args);
          return;
        }
        if ((module === 'fs' || module === 'fs/promises' || module === 'fs.promises') && FS_WRITERS.has(method) && target.args !== null) {
          noteWrite(target.args[FS_WRITERS.get(method)!]);
          return;
        }
      }
      // Reflect.set(process.env, 'LD_PRELOAD', lib), Object.defineProperty(process.env, ...).
      if (target.callee.has('Reflect.set') || target.callee.has('Object.defineProperty') || target.callee.has('Reflect.defineProperty')) {
        const args = target.args;
        if (args === null || args.length < 2 || args[1]!.type === 'SpreadElement') return;
        const keys = context.foldStrings(args[1]!);
        const variable = keys?.find((k) => HIJACK_VARIABLES.has(k));
        if (variable !== undefined && context.values(args[0]!).has('process.env')) {
          context.report({ node, messageId: 'envHijack', data: { name: variable, where: ' in `process.env`' } });
        }
      }
    }

    function checkCommand(args: readonly Node[]): void {
      const parts: { node: Node; text: string }[] = [];
      const first = args[0];
      if (first !== undefined && first.type !== 'SpreadElement') {
        const text = partialString(context, first);
        if (text !== null) parts.push({ node: first, text });
      }
      const argv = args[1];
      if (argv !== undefined && argv.type !== 'SpreadElement') {
        const folded = context.fold(argv);
        const literal = unwrap(argv);
        if (folded !== null) {
          for (const value of folded.values) if (Array.isArray(value)) parts.push({ node: argv, text: value.map(String).join(' ') });
        } else if (literal.type === 'ArrayExpression') {
          // `['/c', 'mshta', url]`: the known words still say what runs.
          const words = literal.elements.map((e) => (e === null || e.type === 'SpreadElement' ? HOLE : partialString(context, e) ?? HOLE));
          parts.push({ node: argv, text: words.join(' ') });
        }
      }
      for (const { node, text } of parts) {
        const lolbin = LOLBIN.exec(text);
        if (lolbin !== null) {
          context.report({ node, messageId: 'lolbin', data: { name: lolbin[1]!.toLowerCase(), value: quoteValues([text]) } });
          return;
        }
        const hijack = HIJACK_IN_COMMAND.exec(text);
        if (hijack !== null) {
          context.report({ node, messageId: 'envHijack', data: { name: hijack[1]!, where: ' in the command line' } });
          return;
        }
      }
    }

    function noteWrite(arg: Node | undefined): void {
      if (arg === undefined || arg.type === 'SpreadElement') return;
      const inner = unwrap(arg);
      if (inner.type === 'Identifier') {
        const binding = context.resolve(inner);
        if (binding) writtenBindings.add(binding);
      }
      const values = staticSpecifier(context, inner);
      if (values !== null) for (const v of values) writtenPaths.add(v);
      else {
        const partial = partialString(context, inner);
        if (partial !== null) writtenPaths.add(partial);
      }
    }

    function noteLoad(node: Node, specifier: Node): void {
      const values = staticSpecifier(context, specifier);
      if (values !== null) {
        if (values.some((v) => /\.node$/i.test(v))) loads.push({ node, specifier, values, partial: null });
        return;
      }
      const partial = partialString(context, specifier);
      // An unknown path whose known tail is `.node`, or any unknown path the file also writes.
      loads.push({ node, specifier, values: null, partial });
    }

    const isWritten = (load: NativeLoad): boolean => {
      const inner = unwrap(load.specifier);
      if (inner.type === 'Identifier') {
        const binding = context.resolve(inner);
        if (binding && writtenBindings.has(binding)) return true;
      }
      if (load.values !== null) return load.values.some((v) => writtenPaths.has(v));
      return load.partial !== null && writtenPaths.has(load.partial);
    };

    return {
      MemberExpression: checkMember,
      OptionalMemberExpression: checkMember,
      ObjectProperty: checkProperty,
      ImportSpecifier(node: Node) {
        const name = bindingIn(context.ownValues(node));
        if (name !== null) reportBinding(node, name);
      },
      ImportDeclaration(node: Node & { source: Node & { value: string } }) {
        if (/\.node$/i.test(node.source.value)) loads.push({ node: node.source, specifier: node.source, values: [node.source.value], partial: null });
      },
      CallExpression: checkCall,
      OptionalCallExpression: checkCall,
      'Program:exit'() {
        for (const load of loads) {
          const shown = load.values !== null ? quoteValues(load.values) : `\`${abbreviate(context.text(load.specifier))}\``;
          if (isWritten(load)) {
            context.report({ node: load.node, messageId: 'nativeWritten', data: { value: shown } });
          } else if (load.values === null) {
            if (load.partial !== null && /\.node$/i.test(load.partial) && load.partial !== HOLE) {
              context.report({ node: load.node, messageId: 'nativeComputed', data: { value: shown } });
            }
          } else {
            const packaged = load.values.every((v) => (isPathSpecifier(v) && !v.startsWith('/') && !/^[a-zA-Z]:/.test(v)) || isOwnLocation(v) || !isPathSpecifier(v));
            context.report({ node: load.node, messageId: 'nativeConstant', data: { value: shown }, ...(packaged && lenient ? { severity: 'warn' as const } : {}) });
          }
        }
      },
    };
  },
});

/** True when a value is only tested for presence: `process.binding && ...`, `typeof process.dlopen`. */
function isTestOnly(context: RuleContext, node: Node): boolean {
  const parent = context.parentOf(node);
  if (parent === null) return false;
  const key = context.parentKeyOf(node);
  if (parent.type === 'UnaryExpression') return parent.operator === 'typeof' || parent.operator === '!';
  if (parent.type === 'LogicalExpression') {
    if (parent.operator !== '&&') return false;
    // `a && process.binding && use()`: the right side of a test is still a test.
    return key === 'left' || isTestOnly(context, parent);
  }
  if (parent.type === 'IfStatement' || parent.type === 'ConditionalExpression') return key === 'test';
  if (parent.type === 'BinaryExpression') return ['===', '!==', '==', '!='].includes(parent.operator);
  return false;
}

/** True for a value that clears a variable (`''`, `undefined`, `null`) rather than setting it. */
function clears(context: RuleContext, node: Node): boolean {
  const inner = unwrap(node);
  if (inner.type === 'NullLiteral' || (inner.type === 'Identifier' && inner.name === 'undefined')) return true;
  const folded = context.fold(inner);
  return folded !== null && folded.values.every((v) => v === '' || v === undefined || v === null);
}
