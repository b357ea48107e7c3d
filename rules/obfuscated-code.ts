// obfuscated-code: a structural score for code that was run through an obfuscator, as opposed to a
// minifier. Minifiers shorten names and drop whitespace; obfuscators add machinery that no minifier
// emits: `_0x…` names, a string array with a rotation loop (`while(!![])` around
// `a.push(a.shift())`, checked by a `parseInt(...)/0x1 + ...` checksum) and an accessor that every
// member key goes through (`obj[_0x3a1f(0x152)]`), control-flow flattening driven by
// `'3|1|0|2'.split('|')`, self-defending regexps, the p,a,c,k,e,d packer, JSFuck character
// harvesting (`(![]+[])[+[]]`), jjencode/aaencode, and strings written as `\x` escapes. Each signal
// adds to the score; a file at or above the threshold is reported once, at its strongest signal,
// with the signals listed. In the audit profile the finding is an error when the file also reaches
// an execution, loader, network or shell sink.
import type { Node } from '@babel/types';
import { defineRule } from '../analyzer/rule-api.js';
import type { RuleContext } from '../analyzer/rule-api.js';
import { unwrap } from '../analyzer/evaluate.js';
import { parentOf } from '../analyzer/walk.js';
import { execSink, isPackerFunction, sourceOfCall } from './_obfuscation.js';
import { staticSpecifier } from './_modules.js';

/** Score at which a file is reported. */
const THRESHOLD = 4;

/** The base64 alphabet of javascript-obfuscator's string decoder (lower case first). */
const OBFUSCATOR_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/=';
/** Regexps that self-defending obfuscator output tests its own source against. */
const SELF_DEFENDING: ReadonlySet<string> = new Set(['(((.+)+)+)+$', '^([^ ]+( +[^ ]+)+)+[^ ]}', '\\w+ *\\(\\) *{\\w+ *[\'|"].+[\'|"];? *}']);
/** Modules whose use makes obfuscation an error in the audit profile. */
const SINK_MODULES: ReadonlySet<string> = new Set(['child_process', 'vm', 'module', 'worker_threads', 'http', 'https', 'http2', 'net', 'dns', 'tls', 'dgram']);
const SINK_NAMES: ReadonlySet<string> = new Set([
  'eval',
  'Function',
  'require',
  'fetch',
  'setTimeout',
  'setInterval',
  'exec',
  'execSync',
  'spawn',
  'spawnSync',
  'execFile',
  'execFileSync',
  'fork',
  'runInThisContext',
  'runInNewContext',
  'runInContext',
  'compileFunction',
  '_compile',
  'request',
  'get',
  'connect',
  'createConnection',
  'XMLHttpRequest',
  'WebSocket',
  'Script',
  'sendBeacon',
]);
const GLOBAL_OBJECTS: ReadonlySet<string> = new Set(['globalThis', 'global', 'window', 'self']);
const IDENTIFIER_NAME = /^[A-Za-z_$][\w$]*$/;
/** Reserved words that ES3-era code had to write as `obj['default']`. */
const RESERVED_WORDS: ReadonlySet<string> = new Set([
  'default', 'catch', 'finally', 'delete', 'in', 'instanceof', 'new', 'return', 'switch', 'this', 'throw', 'try', 'typeof', 'var',
  'void', 'while', 'with', 'break', 'case', 'class', 'const', 'continue', 'debugger', 'do', 'else', 'enum', 'export', 'extends',
  'false', 'for', 'function', 'if', 'import', 'null', 'super', 'true', 'let', 'static', 'yield', 'package', 'private', 'protected',
  'public', 'interface', 'implements',
]);

interface Signal {
  weight: number;
  text: string;
  node: Node | null;
}

export default defineRule({
  id: 'obfuscated-code',
  meta: {
    type: 'problem',
    category: 'obfuscation',
    description:
      'Reports obfuscator output: _0x names, rotated string arrays with accessors, control-flow flattening, packers, JSFuck, escaped string tables; minified code is not reported.',
    defaults: { strict: 'error', audit: 'warn', recommended: 'warn' },
    messages: {
      obfuscated: 'Obfuscated code (score {{score}}): {{signals}}.{{sinks}}',
    },
  },
  create(context) {
    const hexNames = new Set<string>();
    let firstHexName: Node | null = null;
    let whileTrue: Node | null = null;
    let pushShift: Node | null = null;
    let rotation: Node | null = null;
    let checksumTerms = 0;
    let checksum: Node | null = null;
    let computedMembers = 0;
    let accessorKeys = 0;
    let accessorExample: Node | null = null;
    let decoderKeys = 0;
    let decoderKey: Node | null = null;
    let packer: Node | null = null;
    let jsfuck = 0;
    let jsfuckNode: Node | null = null;
    let boolArrays = 0;
    let strings = 0;
    let escapedStrings = 0;
    let escapes = 0;
    let escapedNode: Node | null = null;
    let flattening: Node | null = null;
    let selfDefending: Node | null = null;
    let alphabet: Node | null = null;
    let stringArrayFunction: Node | null = null;
    let proxies = 0;
    let proxyNode: Node | null = null;
    let fragmentKeys = 0;
    let fragmentNode: Node | null = null;
    let shortConcats = 0;
    let accessorFunction: Node | null = null;
    let dotKeys = 0;
    let bracketKeys = 0;
    let numbers = 0;
    let hexNumbers = 0;
    let jjTokens = 0;
    let jjNode: Node | null = null;
    let aaTokens = 0;
    let aaNode: Node | null = null;
    const sinkCandidates: Node[] = [];
    const candidate = (node: Node): void => {
      if (sinkCandidates.length < 300) sinkCandidates.push(node);
    };

    const loop = (node: Node & { test?: Node | null }): void => {
      const test = node.test ? unwrap(node.test) : null;
      if (test && isNotNotArray(test)) whileTrue ??= node;
    };
    const member = (node: Node & { computed: boolean; object: Node; property: Node }): void => {
      if (!node.computed) {
        dotKeys++;
        if (node.property.type === 'Identifier' && node.property.name.length >= 2 && /^[$_]+$/.test(node.property.name) && /\$/.test(node.property.name)) {
          jjTokens++;
          jjNode ??= node;
        }
        return;
      }
      const property = node.property;
      const type = property.type;
      if (type === 'StringLiteral') {
        // Obfuscators write `a.b` as `a['b']`; minifiers do the opposite.
        if (IDENTIFIER_NAME.test(property.value) && !RESERVED_WORDS.has(property.value)) bracketKeys++;
        return;
      }
      if (type === 'NumericLiteral') return;
      computedMembers++;
      if (type === 'BinaryExpression' && isLiteralConcatenation(property)) {
        fragmentKeys++;
        fragmentNode ??= node;
      }
      const object = unwrap(node.object);
      if (object.type === 'Identifier' && GLOBAL_OBJECTS.has(object.name)) candidate(node);
      if (type === 'CallExpression') {
        const call = property as Node & { callee: Node; arguments: Node[] };
        const callee = call.callee;
        if (callee.type === 'Identifier' && call.arguments.length >= 1 && call.arguments.length <= 2 && call.arguments.every(isSmallLiteral)) {
          if (callee.name === 'atob') {
            decoderKeys++;
            decoderKey ??= node;
          } else {
            accessorKeys++;
            accessorExample ??= node;
          }
        } else if (callee.type === 'MemberExpression' && !callee.computed && callee.property.type === 'Identifier' && (callee.property.name === 'fromCharCode' || callee.property.name === 'from')) {
          decoderKeys++;
          decoderKey ??= node;
        }
      }
      if (jsfuck < 10 && object.type === 'BinaryExpression' && isBracketOnly(object, { budget: 200 }) && isBracketOnly(property, { budget: 200 })) {
        jsfuck++;
        jsfuckNode ??= node;
      }
    };
    const memberKeyName = (member: Node): string | null => {
      if (member.type !== 'MemberExpression' && member.type !== 'OptionalMemberExpression') return null;
      if (!member.computed && member.property.type === 'Identifier') return member.property.name;
      if (member.computed && member.property.type === 'StringLiteral') return member.property.value;
      return null;
    };

    return {
      Identifier(node: Node & { name: string }, parent: Node | null) {
        const name = node.name;
        const at = name.indexOf('_0x');
        if (at !== -1 && at <= 2 && /^[a-z]?\d?_0x[0-9a-f]{3,}$/i.test(name)) {
          if (hexNames.size < 5000) hexNames.add(name);
          firstHexName ??= node;
        }
        if (name.length > 1 && name.charCodeAt(0) === 0xff9f) {
          aaTokens++;
          aaNode ??= node;
        }
        if (SINK_NAMES.has(name) && parent !== null) {
          // `eval(x)`, `new Function(x)`, `cp.exec(x)`: note the call for the audit escalation.
          if ((parent.type === 'CallExpression' || parent.type === 'NewExpression') && parent.callee === node) candidate(parent);
          else if (parent.type === 'MemberExpression' && parent.property === node) {
            const call = parentOf(parent);
            if (call !== null && (call.type === 'CallExpression' || call.type === 'NewExpression') && call.callee === parent) candidate(call);
          }
        }
      },
      WhileStatement: loop,
      DoWhileStatement: loop,
      ForStatement: loop,
      UnaryExpression(node: Node & { operator: string; argument: Node }) {
        if (node.operator === '!' && node.argument.type === 'ArrayExpression' && node.argument.elements.length === 0) boolArrays++;
      },
      NumericLiteral(node: Node & { extra?: { raw?: string } }) {
        numbers++;
        const raw = node.extra?.raw;
        if (raw !== undefined && raw.length > 2 && raw.charCodeAt(0) === 48 && (raw.charCodeAt(1) === 120 || raw.charCodeAt(1) === 88)) hexNumbers++;
      },
      StringLiteral(node: Node & { value: string; extra?: { raw?: string } }, parent: Node | null) {
        strings++;
        const value = node.value;
        const raw = node.extra?.raw;
        if (raw !== undefined && raw.length !== value.length + 2 && (raw.indexOf('\\x') !== -1 || raw.indexOf('\\u') !== -1)) {
          const count = printableEscapes(raw);
          if (count > 0) {
            escapedStrings++;
            escapes += count;
            escapedNode ??= node;
          }
        }
        if (value.length === OBFUSCATOR_ALPHABET.length && value === OBFUSCATOR_ALPHABET) alphabet ??= node;
        else if (SELF_DEFENDING.has(value)) selfDefending ??= node;
        else if (value.length >= 5 && value.indexOf('|') !== -1 && /^\d+(\|\d+){2,}$/.test(value) && parent !== null && memberKeyName(parent) === 'split') {
          flattening ??= node;
        }
      },
      FunctionExpression(node: Node, parent: Node | null) {
        if (isPackerFunction(node)) packer ??= node;
        // Control-flow flattening's proxies: `{ nZRIp: function (h, i) { return h + i; } }`.
        if (parent !== null && parent.type === 'ObjectProperty' && isProxyFunction(node) && randomKey(parent as Node & { key: Node; computed: boolean })) {
          proxies++;
          proxyNode ??= parent;
        }
        if (accessorFunction === null && isAccessorFunction(node)) accessorFunction = node;
      },
      FunctionDeclaration(node: Node) {
        if (accessorFunction === null && isAccessorFunction(node)) accessorFunction = node;
      },
      AssignmentExpression(node: Node & { left: Node; right: Node }) {
        // `function _0x5329() { const a = [...strings]; _0x5329 = function () { return a; }; return _0x5329(); }`
        if (stringArrayFunction !== null || node.left.type !== 'Identifier' || node.right.type !== 'FunctionExpression') return;
        const name = node.left.name;
        for (let p = parentOf(node), hops = 0; p !== null && hops < 6; p = parentOf(p), hops++) {
          if (p.type === 'FunctionDeclaration' || p.type === 'FunctionExpression') {
            if (p.id?.name === name && holdsStringArray(p)) stringArrayFunction = p;
            return;
          }
        }
      },
      BinaryExpression(node: Node & { operator: string; left: Node; right: Node }) {
        if (node.operator === '+') {
          // Minifiers fold 'ab' + 'cd'; string splitting leaves short fragments.
          if (node.right.type === 'StringLiteral' && node.right.value.length <= 4 && (node.left.type === 'StringLiteral' || node.left.type === 'BinaryExpression')) shortConcats++;
          return;
        }
        if (node.operator !== '/' || node.right.type !== 'NumericLiteral') return;
        let left = node.left;
        if (left.type === 'UnaryExpression' && left.operator === '-') left = left.argument;
        if (left.type === 'CallExpression' && left.callee.type === 'Identifier' && left.callee.name === 'parseInt') {
          checksumTerms++;
          checksum ??= node;
        }
      },
      MemberExpression: member,
      OptionalMemberExpression: member,
      CallExpression(node: Node & { callee: Node; arguments: Node[] }) {
        if (rotation !== null) return;
        if (memberKeyName(node.callee) !== 'push' || node.arguments.length !== 1) return;
        const inner = node.arguments[0]!;
        if (inner.type !== 'CallExpression' || inner.arguments.length !== 0 || memberKeyName(inner.callee) !== 'shift') return;
        const a = (node.callee as { object: Node }).object;
        const b = (inner.callee as { object: Node }).object;
        if (a.type !== 'Identifier' || b.type !== 'Identifier' || a.name !== b.name) return;
        pushShift ??= node;
        if (inRotationFunction(node)) rotation = node;
      },
      ImportDeclaration(node: Node & { source: { value: string } }) {
        if (SINK_MODULES.has(node.source.value.replace(/^node:/, ''))) candidate(node);
      },
      'Program:exit'() {
        const signals: Signal[] = [];
        const add = (weight: number, text: string, node: Node | null): void => {
          if (weight > 0) signals.push({ weight, text, node });
        };
        if (rotation !== null) add(4, 'a string array rotated by `push(shift())` in a self-invoking function', rotation);
        else if (pushShift !== null && whileTrue !== null) add(3, 'a `while (!![])` loop rotating an array with `push(shift())`', pushShift);
        if (whileTrue !== null && rotation === null && pushShift === null) add(2, 'a `while (!![])` loop', whileTrue);
        if (checksumTerms >= 3) add(3, `a checksum of ${checksumTerms} \`parseInt(...)/n\` terms`, checksum);
        if (hexNames.size >= 20) add(3, `${hexNames.size} \`_0x…\` names`, firstHexName);
        else if (hexNames.size >= 5) add(2, `${hexNames.size} \`_0x…\` names`, firstHexName);
        if (accessorKeys >= 10 && accessorKeys >= computedMembers * 0.3) add(3, `${accessorKeys} of ${computedMembers} computed member keys produced by accessor calls like \`${snippet(context, accessorExample)}\``, accessorExample);
        else if (accessorKeys >= 5) add(1, `${accessorKeys} member keys produced by accessor calls`, accessorExample);
        if (decoderKeys >= 3) add(2, `${decoderKeys} member keys decoded at run time`, decoderKey);
        else if (decoderKeys >= 1) add(1, 'a member key decoded at run time', decoderKey);
        if (packer !== null) add(5, 'the `function(p,a,c,k,e,d)` packer', packer);
        if (jsfuck >= 3) add(5, 'JSFuck character harvesting like `(![]+[])[+[]]`', jsfuckNode);
        else if (jsfuck >= 1) add(2, 'JSFuck character harvesting', jsfuckNode);
        if (boolArrays >= 10) add(1, `${boolArrays} booleans written as \`![]\``, null);
        if (escapes >= 20 && escapedStrings >= 5) add(2, `${escapedStrings} strings spelled with \`\\x\`/\`\\u\` escapes`, escapedNode);
        else if (escapes >= 5) add(1, `${escapedStrings} strings spelled with escapes`, escapedNode);
        if (flattening !== null) add(3, 'control-flow flattening driven by a `\'…|…\'.split(\'|\')` sequence', flattening);
        if (selfDefending !== null) add(3, 'a self-defending regular expression', selfDefending);
        if (alphabet !== null) add(2, "javascript-obfuscator's base64 alphabet", alphabet);
        if (stringArrayFunction !== null) add(3, 'a self-replacing function that returns a string array', stringArrayFunction);
        if (bracketKeys >= 10 && bracketKeys >= (bracketKeys + dotKeys) * 0.5) add(2, `${bracketKeys} of ${bracketKeys + dotKeys} member accesses written as \`obj['name']\``, null);
        if (proxies >= 3) add(3, `${proxies} operator and call proxies in objects with random keys (control-flow flattening)`, proxyNode);
        if (fragmentKeys >= 15) add(3, `${fragmentKeys} member keys assembled from string fragments like \`${snippet(context, fragmentNode)}\``, fragmentNode);
        else if (fragmentKeys >= 5) add(2, `${fragmentKeys} member keys assembled from string fragments`, fragmentNode);
        if (shortConcats >= 30) add(1, `${shortConcats} strings split into short fragments`, null);
        if (accessorFunction !== null) add(2, 'a string-array accessor that subtracts a hex offset from its index', accessorFunction);
        if (hexNumbers >= 20 && hexNumbers >= numbers * 0.5) add(1, `${hexNumbers} of ${numbers} numbers written in hex`, null);
        if (jjTokens >= 20) add(4, 'jjencode-style `$.$_$` member names', jjNode);
        if (aaTokens >= 3) add(4, 'aaencode-style `ﾟωﾟ` names', aaNode);
        const score = signals.reduce((sum, s) => sum + s.weight, 0);
        if (score < THRESHOLD) return;
        signals.sort((a, b) => b.weight - a.weight);
        const at = signals.find((s) => s.node !== null)?.node ?? null;
        const sinks = context.profile === 'audit' || context.profile === 'strict' ? reachedSinks(context, sinkCandidates) : [];
        const descriptor = {
          messageId: 'obfuscated' as const,
          data: {
            score,
            signals: signals.map((s) => s.text).join('; '),
            sinks: sinks.length === 0 ? '' : ` The file also reaches ${sinks.slice(0, 4).join(', ')}.`,
          },
          ...(context.profile === 'audit' && sinks.length > 0 ? { severity: 'error' as const } : {}),
        };
        if (at !== null) context.report({ node: at, ...descriptor });
        else context.report({ loc: { start: { line: 1, column: 1 } }, ...descriptor });
      },
    };
  },
});

/** `!![]`: how obfuscators write `true`. */
function isNotNotArray(node: Node): boolean {
  return (
    node.type === 'UnaryExpression' &&
    node.operator === '!' &&
    node.argument.type === 'UnaryExpression' &&
    node.argument.operator === '!' &&
    node.argument.argument.type === 'ArrayExpression' &&
    node.argument.argument.elements.length === 0
  );
}

/** `0x1a2`, `-0x1`, `'0x1f'`, `'abcd'`: the arguments of a string-array accessor. */
function isSmallLiteral(node: Node): boolean {
  if (node.type === 'NumericLiteral') return true;
  if (node.type === 'StringLiteral') return node.value.length <= 8;
  return node.type === 'UnaryExpression' && node.operator === '-' && node.argument.type === 'NumericLiteral';
}

/** An expression made only of `[]`, `{}`, `!`, `+`, `-`, `~`, member access and calls of those (JSFuck). */
function isBracketOnly(node: Node, state: { budget: number }): boolean {
  if (--state.budget < 0) return false;
  switch (node.type) {
    case 'ArrayExpression':
      return node.elements.every((e) => e !== null && e.type !== 'SpreadElement' && isBracketOnly(e, state));
    case 'ObjectExpression':
      return node.properties.length === 0;
    case 'UnaryExpression':
      return (node.operator === '!' || node.operator === '+' || node.operator === '-' || node.operator === '~') && isBracketOnly(node.argument, state);
    case 'BinaryExpression':
      return node.operator === '+' && node.left.type !== 'PrivateName' && isBracketOnly(node.left, state) && isBracketOnly(node.right, state);
    case 'MemberExpression':
      return node.computed && isBracketOnly(node.object, state) && isBracketOnly(node.property, state);
    case 'CallExpression':
      return isBracketOnly(node.callee, state) && node.arguments.every((a) => a.type !== 'SpreadElement' && isBracketOnly(a, state));
    default:
      return false;
  }
}

/** Escapes in raw string text that spell printable ASCII (`\x68`, `\u0065`), as obfuscators write whole strings. */
function printableEscapes(raw: string): number {
  let count = 0;
  const escape = /\\(?:x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4}))/g;
  let match: RegExpExecArray | null;
  while ((match = escape.exec(raw)) !== null) {
    const cp = parseInt(match[1] ?? match[2]!, 16);
    if (cp >= 0x20 && cp < 0x7f) count++;
  }
  return count;
}

/** `push(shift())` inside a function that is called right away with a numeric argument. */
function inRotationFunction(node: Node): boolean {
  let functions = 0;
  for (let p = parentOf(node), hops = 0; p !== null && hops < 40; p = parentOf(p), hops++) {
    if (p.type !== 'FunctionExpression' && p.type !== 'ArrowFunctionExpression') continue;
    if (++functions > 3) return false;
    let child: Node = p;
    let call = parentOf(child);
    while (call !== null && (call.type === 'ParenthesizedExpression' || call.type === 'SequenceExpression')) {
      child = call;
      call = parentOf(child);
    }
    if (call !== null && call.type === 'CallExpression' && call.callee === child && call.arguments.some((a) => a.type === 'NumericLiteral')) return true;
  }
  return false;
}

/** `'arg' + 'v'`: a key made only of string literals joined with `+`. */
function isLiteralConcatenation(node: Node): boolean {
  let current: Node = node;
  for (let depth = 0; depth < 64; depth++) {
    if (current.type !== 'BinaryExpression' || current.operator !== '+' || current.right.type !== 'StringLiteral') return false;
    if (current.left.type === 'StringLiteral') return true;
    current = current.left;
  }
  return false;
}

/** `function (h, i) { return h + i; }` or `function (h, i, j) { return h(i, j); }`: an operator or call proxy. */
function isProxyFunction(node: Node): boolean {
  if (node.type !== 'FunctionExpression' || node.params.length === 0 || node.params.length > 6) return false;
  const names = node.params.map((p) => (p.type === 'Identifier' ? p.name : null));
  if (names.includes(null)) return false;
  const body = node.body.body;
  if (body.length !== 1 || body[0]!.type !== 'ReturnStatement' || !body[0]!.argument) return false;
  const value = body[0]!.argument;
  const isParam = (n: Node, index: number): boolean => n.type === 'Identifier' && n.name === names[index];
  if ((value.type === 'BinaryExpression' || value.type === 'LogicalExpression') && names.length === 2) return isParam(value.left as Node, 0) && isParam(value.right, 1);
  if (value.type === 'CallExpression' && isParam(value.callee, 0)) return value.arguments.length === names.length - 1 && value.arguments.every((a, i) => isParam(a as Node, i + 1));
  return false;
}

/** Keys like `nZRIp`: five random letters with capitals inside (not camelCase words). */
function randomKey(property: Node & { key: Node; computed: boolean }): boolean {
  const key = property.key.type === 'StringLiteral' ? property.key.value : !property.computed && property.key.type === 'Identifier' ? property.key.name : null;
  if (key === null || !/^[A-Za-z]{5}$/.test(key)) return false;
  const capitals = key.replace(/[^A-Z]/g, '').length;
  return capitals >= 2 && !/^[a-z]+[A-Z][a-z]+$/.test(key) && !/^[A-Z]+$/.test(key) && !/^[A-Z][a-z]+$/.test(key);
}

/** `function (a, b) { a = a - 0x1e3; ... }`: the index shift of a string-array accessor. */
function isAccessorFunction(node: Node): boolean {
  if (node.type !== 'FunctionExpression' && node.type !== 'FunctionDeclaration') return false;
  const first = node.params[0];
  if (!first || first.type !== 'Identifier' || node.params.length > 3) return false;
  const statement = node.body.body[0];
  if (!statement || statement.type !== 'ExpressionStatement') return false;
  let expression = statement.expression;
  if (expression.type === 'SequenceExpression') expression = expression.expressions[0]!;
  if (expression.type !== 'AssignmentExpression' || expression.left.type !== 'Identifier' || expression.left.name !== first.name) return false;
  const hex = (n: Node): boolean => n.type === 'NumericLiteral' && /^0x/i.test((n as { extra?: { raw?: string } }).extra?.raw ?? '');
  if (expression.operator === '-=') return hex(expression.right);
  const right = expression.right;
  return expression.operator === '=' && right.type === 'BinaryExpression' && right.operator === '-' && right.left.type === 'Identifier' && right.left.name === first.name && hex(right.right);
}

/** A function whose body holds a literal array of at least 5 strings. */
function holdsStringArray(fn: Node & { body?: Node }): boolean {
  const body = fn.body;
  if (!body || body.type !== 'BlockStatement') return false;
  for (const statement of body.body) {
    if (statement.type !== 'VariableDeclaration') continue;
    for (const declarator of statement.declarations) {
      const init = declarator.init;
      if (init && init.type === 'ArrayExpression' && init.elements.length >= 5 && init.elements.every((e) => e !== null && e.type === 'StringLiteral')) return true;
    }
  }
  return false;
}

function snippet(context: RuleContext, node: Node | null): string {
  if (node === null) return '';
  const text = context.text(node).replace(/\s+/g, ' ');
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** Execution, loader, network and shell sinks among the candidates noted during the walk. */
function reachedSinks(context: RuleContext, candidates: readonly Node[]): string[] {
  const found = new Set<string>();
  for (const node of candidates) {
    if (found.size >= 6) break;
    if (node.type === 'ImportDeclaration') {
      found.add(`the \`${(node as { source: { value: string } }).source.value}\` module`);
      continue;
    }
    if (node.type === 'MemberExpression' || node.type === 'OptionalMemberExpression') {
      // `global[_0x1(0x2)]`: the global object under a hidden name.
      if (context.memberKeys(node) === null) found.add('the global object under a computed name');
      continue;
    }
    if (node.type !== 'CallExpression' && node.type !== 'NewExpression' && node.type !== 'OptionalCallExpression') continue;
    const sink = execSink(context, node);
    if (sink !== null) {
      if (sink.kind === 'loader') {
        const specifiers = staticSpecifier(context, sink.payload[0]!);
        if (specifiers === null) found.add(`\`${sink.name}\` of a computed name`);
        else {
          const sensitive = specifiers.find((s) => SINK_MODULES.has(s.replace(/^node:/, '').split('/')[0]!));
          if (sensitive !== undefined) found.add(`\`${sink.name}('${sensitive}')\``);
        }
      } else found.add(`\`${sink.name}\``);
      continue;
    }
    const source = sourceOfCall(context, node);
    if (source !== null && (source.kind === 'network' || source.kind === 'dns')) found.add(`\`${source.via}\``);
  }
  return [...found];
}
