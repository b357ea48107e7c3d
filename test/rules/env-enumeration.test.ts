import rule from '../../rules/env-enumeration.js';
import { ruleTester } from '../rule-tester.js';

ruleTester(rule, {
  valid: [
    'const port = process.env.PORT; const { NODE_ENV, LOG_LEVEL } = process.env;',
    'const cp = require("child_process");\ncp.spawn("node", ["x.js"], { env: process.env });',
    'const cp = require("child_process");\ncp.spawn("node", ["x.js"], { env: { ...process.env, FORCE_COLOR: "1" } });',
    'const cp = require("child_process");\nconst env = { ...process.env, NODE_OPTIONS: "" };\ndelete env.DEBUG;\nenv.PATH = extra + env.PATH;\ncp.execSync("make", { env });',
    'const env = Object.assign({}, process.env, { CI: "1" });\nrequire("child_process").spawnSync("npm", ["test"], { env: env });',
    'new Worker("./w.js", { env: process.env });',
    'if (Object.prototype.hasOwnProperty.call(process.env, "CI")) {}\nif (Object.hasOwn(process.env, name)) {}',
    'if ("HOME" in process.env) {}',
    'const key = "PORT"; process.env[key];',
    'function get(name) { return process.env[name] }\nget("PORT"); get("HOST");',
    'const v = process.env[`npm_config_${name}`];',
    'const env = {}; JSON.stringify(env); Object.keys(myEnv.vars);',
    'function f(process) { return JSON.stringify(process.env) }',
    'process.env.FOO = "bar"; delete process.env[name];',
  ],
  invalid: [
    { code: 'JSON.stringify(process.env)', errors: [{ messageId: 'serialize', line: 1, column: 16 }] },
    { code: "JSON.stringify(process['env'])", errors: [{ messageId: 'serialize', line: 1, column: 16 }] },
    { code: 'const e = process.env;\nconst body = JSON.stringify(e);', errors: [{ messageId: 'serialize', line: 2, column: 29 }] },
    { code: 'Object.keys(process.env).forEach((k) => out.push(k));', errors: [{ messageId: 'enumerate', line: 1, column: 13 }] },
    { code: 'for (const [k, v] of Object.entries(process.env)) send(k, v);', errors: [{ messageId: 'enumerate', line: 1, column: 37 }] },
    { code: 'for (const k in process.env) collect(k);', errors: [{ messageId: 'enumerate', line: 1, column: 17 }] },
    { code: 'const { PATH, ...rest } = process.env;', errors: [{ messageId: 'enumerate', line: 1, column: 27 }] },
    { code: 'const copy = { ...process.env };\nupload(copy);', errors: [{ messageId: 'spread', line: 1, column: 19 }] },
    { code: 'const all = Object.assign({}, process.env);', errors: [{ messageId: 'spread', line: 1, column: 31 }] },
    { code: 'report({ env: 1, data: process.env });', errors: [{ messageId: 'passed', line: 1, column: 24, message: 'stored under `data`' }] },
    { code: 'sendTelemetry(process.env);', errors: [{ messageId: 'passed', line: 1, column: 15 }] },
    { code: 'const { env } = process;\nconsole.log(env);', errors: [{ messageId: 'serialize', line: 2, column: 13 }] },
    { code: 'const g = globalThis;\nBuffer.from(JSON.stringify(g["pro" + "cess"].env)).toString("base64");', errors: [{ messageId: 'serialize', line: 2, column: 28 }] },
    { code: 'module.exports = () => process.env;', errors: [{ messageId: 'passed', line: 1, column: 24 }] },
    { code: 'const e = process.env;\nfunction read(k) { return e[k]; }\nread(input);', errors: [{ messageId: 'unknownKey', line: 2, column: 27 }] },
    { code: 'Reflect.ownKeys(process.env)', errors: [{ messageId: 'enumerate', line: 1, column: 17 }] },
  ],
});
