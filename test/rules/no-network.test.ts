import rule from '../../rules/no-network.js';
import { ruleTester } from '../rule-tester.js';

ruleTester(rule, {
  valid: [
    'const http = require("http");\nhttp.createServer((req, res) => res.end("ok")).listen(3000);',
    'function fetch(url) { return cache.get(url) }\nfetch("https://x.example");',
    'const client = { get(u) { return u } }; client.get("https://x.example");',
    'const u = new URL("https://api.example.com/x"); console.log(u.href);',
    '// fetch("https://x.example")\nconst text = "use fetch() to call https://api.example.com";',
    'req.write(data); socket.send(msg); ws.send(x);',
    { code: 'fetch("https://api.example.com/v1/items");', options: { allowHosts: ['api.example.com'] } },
    { code: 'require("https").get({ hostname: "cdn.example.com", path: "/a" });', options: { allowHosts: ['*.example.com'] } },
  ],
  invalid: [
    { code: 'fetch("https://api.example.com/v1/items");', errors: [{ messageId: 'network', line: 1, column: 1, message: 'api.example.com' }] },
    { code: 'fetch(url);', options: { allowHosts: ['api.example.com'] }, errors: [{ messageId: 'network', line: 1, column: 1 }] },
    { code: 'fetch("https://evil.example.net/x");', options: { allowHosts: ['*.example.com'] }, errors: [{ messageId: 'network', line: 1, column: 1 }] },
    { code: 'const { request } = require("node:https");\nrequest({ host: "x.example", method: "POST" }).end("d");', errors: [{ messageId: 'network', line: 2, column: 1 }] },
    { code: 'const h = require("ht" + "tp");\nh["g" + "et"]("http://x.example");', errors: [{ messageId: 'network', line: 2, column: 1 }] },
    { code: 'require("net").connect(80, "x.example");', errors: [{ messageId: 'network', line: 1, column: 1 }] },
    { code: 'const s = require("dgram").createSocket("udp4");\ns.send("x", 53, "x.example");', errors: [{ messageId: 'network', line: 1, column: 11 }] },
    { code: 'require("dns").promises.resolveTxt("x.example");', errors: [{ messageId: 'network', line: 1, column: 1 }] },
    { code: 'const x = new XMLHttpRequest();\nx.open("GET", "/a");\nx.send();', errors: [{ messageId: 'network', line: 1, column: 11 }] },
    { code: 'new WebSocket("wss://x.example"); new EventSource("/events");', errors: [{ messageId: 'network', line: 1, column: 1 }, { messageId: 'network', line: 1, column: 35 }] },
    { code: 'navigator.sendBeacon("/log", data);', errors: [{ messageId: 'network', line: 1, column: 1 }] },
    { code: 'const f = globalThis["fe" + "tch"];\nf("https://x.example");', errors: [{ messageId: 'network', line: 2, column: 1 }] },
    { code: 'Reflect.apply(fetch, null, ["https://x.example"]);', errors: [{ messageId: 'network', line: 1, column: 1 }] },
    { code: 'const axios = require("axios");\naxios.post("https://x.example", {});', errors: [{ messageId: 'network', line: 2, column: 1 }] },
    { code: 'new ApolloClient({ fetch });', errors: [{ messageId: 'reference', line: 1, column: 20 }] },
    { code: 'new Image().src = "https://x.example/p.gif";', errors: [{ messageId: 'network', line: 1, column: 1 }] },
  ],
});
