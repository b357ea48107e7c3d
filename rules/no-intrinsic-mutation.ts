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
  if (target === null && site.object !== null && site.op !== 'setPrototype') target = intrinsicOwner(context, site.object);
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
    // Outside strict, stubbing a static helper (`Date.now = ...` in a test) is a warning; prototypes,
    // Object and Function stay errors.
    const severity = context.profile !== 'strict' && isStaticHelper(object) ? 'warn' : undefined;
    context.report({ node: site.node, messageId: 'mutate', data: { text, target: object, verb: verbOf(site), how: howOf(site, key) }, ...(severity ? { severity } : {}) });
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

/**
 * `a.constructor.prototype` or `a.__proto__` on a value the analysis cannot name, or null.
 * `this.constructor.prototype` in class-like code is the object's own class and is not reported.
 */
function indirectPrototype(context: RuleContext<string>, object: Node): string | null {
  const inner = unwrap(object) as AnyNode;
  if (!isMember(inner)) return null;
  if (matchMemberKey(context, inner, PROTO) !== null) {
    return unwrap(inner.object).type === 'ThisExpression' ? null : abbreviate(context.text(inner), 40);
  }
  if (matchMemberKey(context, inner, PROTOTYPE) !== null) {
    const owner = unwrap(inner.object) as AnyNode;
    if (isMember(owner) && matchMemberKey(context, owner, CONSTRUCTOR) !== null && unwrap(owner.object).type !== 'ThisExpression') {
      return abbreviate(context.text(inner), 40);
    }
  }
  return null;
}

/**
 * `Object[Symbol.hasInstance].call = f`: a member chain that starts at a built-in and continues
 * through keys the analysis cannot fold. Returns the built-in it starts from, or null.
 */
function intrinsicOwner(context: RuleContext<string>, object: Node): string | null {
  let current = unwrap(object) as AnyNode;
  for (let hops = 0; hops < 6 && isMember(current); hops++) {
    const inner = unwrap(current.object) as AnyNode;
    for (const v of context.values(inner)) {
      if (v.startsWith('<') || v === '?') continue;
      if (INTRINSIC_CONSTRUCTORS.has(pathRoot(v)) && !OWNED_ELSEWHERE.has(v)) return `${v}[?]`;
    }
    current = inner;
  }
  return null;
}

/** Static members of built-in constructors other than Object and Function (`Date.now`, `Promise.resolve`). */
function isStaticHelper(object: string): boolean {
  return !object.includes('.') && !object.includes('[') && object !== 'Object' && object !== 'Function';
}
