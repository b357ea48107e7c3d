// no-intrinsic-mutation: writes to ECMAScript's built-in constructors and their prototypes
// (`Array.prototype.x = ...`, `Object.prototype.polluted = ...`, `Function.prototype.call = ...`,
// `Object.defineProperty(String.prototype, ...)`, `delete Promise.prototype.then`, `Array = ...`),
// however the built-in is reached: aliases, `''.constructor.prototype`, `[].__proto__`,
// `Object.getPrototypeOf([])`, folded keys, `Reflect.set`, `Object.assign`, `__defineGetter__`.
// Built-ins are shared by every piece of code in the realm, so a write there is prototype pollution
// or a hijack of what other code (including a sandbox's own services) calls. Also reported: writes
// through `x.constructor.prototype` and `x.__proto__` of values the analysis cannot name, the
// shape of prototype-pollution gadgets. User-defined classes and prototypes are not built-ins.
//
// Freezing (`Object.freeze(Array.prototype)`) hardens rather than mutates and is allowed. A
// polyfill (a definition guarded by "only if missing") is still a mutation; it is reported with
// its own message, at warning level outside the strict profile.
import { defineRule } from '../analyzer/rule-api.js';
import type { RuleContext } from '../analyzer/rule-api.js';
import type { Node } from '@babel/types';
import {
  abbreviate,
  isMember,
  isPolyfillGuarded,
  matchMemberKey,
  pathRoot,
  unwrap,
  writeSites,
  writtenPaths,
  INTRINSIC_CONSTRUCTORS,
} from './_sandbox.js';
import type { WriteSite } from './_sandbox.js';

type AnyNode = Node & Record<string, any>;

/** Built-in members that other rules own (stack-trace APIs). */
const OWNED_ELSEWHERE: ReadonlySet<string> = new Set(['Error.prepareStackTrace', 'Error.stackTraceLimit', 'Error.captureStackTrace']);
const CONSTRUCTOR: ReadonlySet<string> = new Set(['constructor']);
const PROTOTYPE: ReadonlySet<string> = new Set(['prototype']);
const PROTO: ReadonlySet<string> = new Set(['__proto__']);

export default defineRule({
  id: 'no-intrinsic-mutation',
  meta: {
    type: 'problem',
    category: 'sandbox-integrity',
    description: 'Disallows assigning, defining, deleting or re-parenting properties of built-in constructors and their prototypes.',
    defaults: { strict: 'error', audit: 'error', recommended: 'error' },
    messages: {
      mutate: '`{{text}}` {{verb}} the built-in `{{target}}`{{how}}; built-ins are shared by all code in the realm (prototype pollution, hijacked methods).',
      replace: '`{{text}}` replaces the built-in `{{target}}`; every later use of it in the realm runs this code instead.',
      indirect: '`{{text}}` writes to a prototype reached through `{{via}}`: the prototype-pollution gadget (it reaches Object.prototype when the object is plain).',
      polyfill: '`{{text}}` defines `{{target}}` on a built-in when it is missing (a polyfill); it still changes what every script in the realm sees.',
    },
  },
  create(context) {
    const check = (node: Node): void => {
      for (const site of writeSites(context, node)) checkSite(context, site);
    };
    const isCandidate = (node: AnyNode): boolean =>
      node.type !== 'UnaryExpression' || node.operator === 'delete';
    return {
      AssignmentExpression: check,
      UpdateExpression: check,
      UnaryExpression(node: AnyNode) {
        if (isCandidate(node)) check(node);
      },
      CallExpression: check,
      OptionalCallExpression: check,
    };
  },
});

function checkSite(context: RuleContext<string>, site: WriteSite): void {
  const text = abbreviate(context.text(site.node));
  let target: string | null = null;
  for (const path of writtenPaths(context, site)) {
    if (OWNED_ELSEWHERE.has(path)) continue;
    if (!INTRINSIC_CONSTRUCTORS.has(pathRoot(path))) continue;
    target = path;
    break;
  }
  if (target !== null) {
    if (isPolyfillGuarded(context, site)) {
      const strict = context.profile === 'strict';
      context.report({ node: site.node, messageId: 'polyfill', data: { text, target }, ...(strict ? {} : { severity: 'warn' }) });
      return;
    }
    const replacing = site.op === 'write' && (site.globalName !== null || !target.includes('.') && !target.includes('['));
    if (replacing) {
      context.report({ node: site.node, messageId: 'replace', data: { text, target } });
      return;
    }
    const { object, key } = splitTarget(target, site);
    context.report({ node: site.node, messageId: 'mutate', data: { text, target: object, verb: verbOf(site), how: howOf(site, key) } });
    return;
  }
  // `x.constructor.prototype.k = v`, `x.__proto__.k = v` on values the analysis cannot name.
  if (site.object === null || site.op === 'setPrototype') return;
  const via = indirectPrototype(context, site.object);
  if (via !== null) context.report({ node: site.node, messageId: 'indirect', data: { text, via } });
}

/** `Array.prototype.map` written with key `map` → the built-in object `Array.prototype` and the key. */
function splitTarget(path: string, site: WriteSite): { object: string; key: string | null } {
  if (path.endsWith('[?]')) return { object: path.slice(0, -3), key: null };
  if (site.keys !== null) {
    for (const key of site.keys) {
      if (path.endsWith(`.${key}`)) return { object: path.slice(0, -key.length - 1), key };
    }
  }
  return { object: path, key: null };
}

function verbOf(site: WriteSite): string {
  switch (site.op) {
    case 'delete':
      return 'deletes a member of';
    case 'setPrototype':
      return 're-parents';
    case 'define':
    case 'defineMany':
    case 'defineGetter':
    case 'defineSetter':
      return 'defines a property on';
    default:
      return 'modifies';
  }
}

function howOf(site: WriteSite, key: string | null): string {
  const parts: string[] = [];
  if (key !== null) parts.push(` (its \`${key}\`)`);
  if (site.via !== '') parts.push(` through ${site.via}`);
  if (site.keys === null && site.op !== 'setPrototype') parts.push(' with a key that cannot be resolved');
  return parts.join('');
}

/** `a.constructor.prototype` → 'constructor.prototype'; `a.__proto__` → '__proto__'; else null. */
function indirectPrototype(context: RuleContext<string>, object: Node): string | null {
  const inner = unwrap(object) as AnyNode;
  if (!isMember(inner)) return null;
  if (matchMemberKey(context, inner, PROTO) !== null) return `${abbreviate(context.text(inner), 40)}`;
  if (matchMemberKey(context, inner, PROTOTYPE) !== null) {
    const owner = unwrap(inner.object) as AnyNode;
    if (isMember(owner) && matchMemberKey(context, owner, CONSTRUCTOR) !== null) return abbreviate(context.text(inner), 40);
  }
  return null;
}
