import rule from '../../rules/fs-destructive.js';
import { ruleTester } from '../rule-tester.js';

const H = 'const fs = require("fs"), path = require("path"), os = require("os");\n';

ruleTester(rule, {
  valid: [
    H + 'fs.rmSync(path.join(__dirname, "dist"), { recursive: true, force: true });',
    H + 'fs.rmSync(path.join(process.cwd(), "node_modules/.cache"), { recursive: true });',
    H + 'fs.rmSync(path.join(os.homedir(), ".myapp", "cache"), { recursive: true, force: true });',
    H + 'fs.unlinkSync(os.homedir());',
    'const rimraf = require("rimraf");\nrimraf.sync("build");',
    H + 'for (const f of fs.readdirSync(os.tmpdir())) if (f.startsWith("myapp-")) fs.unlinkSync(path.join(os.tmpdir(), f));',
    H + 'for (const f of fs.readdirSync(path.join(os.homedir(), ".myapp"))) fs.unlinkSync(path.join(os.homedir(), ".myapp", f));',
    'require("child_process").execSync("rm -rf dist build");',
    'require("child_process").execSync("rm -rf ./node_modules/.cache");',
    'const remove = (x) => x; remove("/");',
    '// rm -rf ~\nconst warning = "never run rm -rf /";',
  ],
  invalid: [
    { code: H + 'fs.rmSync(os.homedir(), { recursive: true, force: true });', errors: [{ messageId: 'delete', line: 2, column: 1, message: '`~`' }] },
    { code: H + 'fs.rmdirSync(process.env.HOME + "/", { recursive: true });', errors: [{ messageId: 'delete', line: 2, column: 1 }] },
    { code: H + 'fs.promises.rm(process.cwd(), { recursive: true, force: true });', errors: [{ messageId: 'delete', line: 2, column: 1, message: '$cwd' }] },
    { code: 'const rimraf = require("rimraf");\nrimraf("/");', errors: [{ messageId: 'delete', line: 2, column: 1 }] },
    { code: 'import { rimrafSync } from "rimraf";\nrimrafSync("C:\\\\");', filename: 'x.mjs', errors: [{ messageId: 'delete', line: 2, column: 1 }] },
    { code: 'const fse = require("fs-extra");\nfse.removeSync(require("os").homedir() + "/Documents");', errors: [{ messageId: 'delete', line: 2, column: 1 }] },
    { code: H + 'const opts = { recursive: true };\nfs.rmSync("/etc", opts);', errors: [{ messageId: 'delete', line: 3, column: 1 }] },
    {
      code: H + 'const home = os.homedir();\nfor (const f of fs.readdirSync(home)) fs.rmSync(path.join(home, f), { recursive: true, force: true });',
      errors: [{ messageId: 'wipe', line: 3, column: 39, message: 'deletes every entry' }],
    },
    {
      code: H + 'fs.readdirSync(os.homedir()).forEach((f) => fs.writeFileSync(path.join(os.homedir(), f), ""));',
      errors: [{ messageId: 'wipe', line: 2, column: 45, message: 'overwrites' }],
    },
    { code: H + 'fs.writeFileSync("/dev/sda", Buffer.alloc(512));', errors: [{ messageId: 'disk', line: 2, column: 1 }] },
    { code: 'require("child_process").execSync("rm -rf ~");', errors: [{ messageId: 'command', line: 1, column: 1 }] },
    { code: 'require("child_process").exec("rm -rf --no-preserve-root /");', errors: [{ messageId: 'command', line: 1, column: 1 }] },
    { code: 'require("child_process").exec("rm -rf $HOME/*");', errors: [{ messageId: 'command', line: 1, column: 1 }] },
    { code: 'require("child_process").exec("rd /s /q C:\\\\");', errors: [{ messageId: 'command', line: 1, column: 1 }] },
    { code: 'require("child_process").spawn("powershell", ["-c", "Remove-Item -Recurse -Force $env:USERPROFILE"]);', errors: [{ messageId: 'command', line: 1, column: 1 }] },
    { code: 'const cp = require("child_process");\ncp.execSync(Buffer.from("cm0gLXJmIC8=", "base64").toString());', errors: [{ messageId: 'command', line: 2, column: 1 }] },
  ],
});
