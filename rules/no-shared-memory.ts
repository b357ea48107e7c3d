// no-shared-memory (strict): `SharedArrayBuffer` and `Atomics`, by name or through the global
// object. Shared memory gives code a high-resolution clock (a counter in another thread), the raw
// material of timing side channels such as Spectre, and `Atomics.wait` blocks the thread it runs
// on, which in a sandbox sharing the host's thread freezes the host. `typeof` feature tests are
// allowed.
import { defineRule } from '../analyzer/rule-api.js';
import { abbreviate, globalCapabilityVisitor } from './_sandbox.js';

const NAMES: ReadonlySet<string> = new Set(['SharedArrayBuffer', 'Atomics']);

export default defineRule({
  id: 'no-shared-memory',
  meta: {
    type: 'problem',
    category: 'sandbox-integrity',
    description: 'Disallows SharedArrayBuffer and Atomics (timing side channels, blocking waits).',
    defaults: { strict: 'error', audit: 'info', recommended: 'off' },
    messages: {
      sharedArrayBuffer: '`{{text}}` uses SharedArrayBuffer: shared memory builds high-resolution timers for side-channel attacks.',
      atomics: '`{{text}}` uses Atomics: `Atomics.wait` blocks the thread (in a sandbox, possibly the host\'s) and shared counters make precise timers.',
      global: '`{{text}}` reaches {{name}} through the global object.',
    },
  },
  create(context) {
    return globalCapabilityVisitor(context, NAMES, (node, name, how) => {
      const parent = context.parentOf(node);
      const shown = how === 'name' && parent !== null && (parent.type === 'MemberExpression' || parent.type === 'OptionalMemberExpression') ? parent : node;
      const messageId = how === 'global' ? 'global' : name === 'Atomics' ? 'atomics' : 'sharedArrayBuffer';
      context.report({ node, messageId, data: { text: abbreviate(context.text(shown)), name } });
    });
  },
});
