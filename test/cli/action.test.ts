// The GitHub Action: action.yml is a composite action that installs airlock, runs the audit with
// SARIF output, uploads it with github/codeql-action/upload-sarif and fails on findings; its audit
// step (action/run-audit.sh) is run here as the runner would, with GITHUB_OUTPUT.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { tree } from './cli-helpers.js';
import { CLI_BIN, repoPath } from '../helpers.js';

function runStep(cwd: string, env: Record<string, string>) {
  const output = join(cwd, 'github-output.txt');
  const result = spawnSync('bash', [repoPath('action', 'run-audit.sh')], {
    cwd,
    encoding: 'utf8',
    env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/tmp', GITHUB_OUTPUT: output, RUNNER_TEMP: cwd, AIRLOCK_BIN: CLI_BIN, ...env },
  });
  const outputs = Object.fromEntries(
    (existsSync(output) ? readFileSync(output, 'utf8') : '')
      .split('\n')
      .filter(Boolean)
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, outputs };
}

describe('action.yml', () => {
  const yml = readFileSync(repoPath('action.yml'), 'utf8');

  it('is a composite action that installs, audits with SARIF, uploads and fails on findings', () => {
    assert.match(yml, /^runs:\n {2}using: composite$/m);
    assert.match(yml, /npm ci --no-audit --no-fund --ignore-scripts/);
    assert.match(yml, /run: bash "\$GITHUB_ACTION_PATH\/action\/run-audit\.sh"/);
    assert.match(yml, /uses: github\/codeql-action\/upload-sarif@v3\n\s+with:\n\s+sarif_file: \$\{\{ steps\.audit\.outputs\.sarif-file \}\}/);
    assert.match(yml, /if: \$\{\{ inputs\.fail-on-findings == 'true' && steps\.audit\.outputs\.exit-code == '1' \}\}/);
  });

  it('never interpolates inputs into shell scripts (they reach the script as environment variables)', () => {
    const lines = yml.split('\n');
    let inRun = false;
    let runIndent = 0;
    for (const line of lines) {
      const indent = line.length - line.trimStart().length;
      if (inRun && line.trim() !== '' && indent <= runIndent) inRun = false;
      const run = /^(\s*)run: (.*)$/.exec(line);
      if (run) {
        inRun = run[2] === '|';
        runIndent = run[1]!.length;
        assert.doesNotMatch(run[2]!, /\$\{\{/, line);
        continue;
      }
      if (inRun) assert.doesNotMatch(line, /\$\{\{/, line);
    }
  });

  it('its audit step writes SARIF, records the exit code and annotates findings', () => {
    const root = tree({ 'src/a.js': 'eval(x);\n', 'src/b.js': 'export {};\n' });
    const step = runStep(root, { AIRLOCK_PATHS: 'src', AIRLOCK_ARGS: '--max-warnings 0' });
    assert.equal(step.status, 0, step.stderr);
    assert.equal(step.outputs['exit-code'], '1');
    assert.equal(step.outputs['sarif-written'], 'true');
    assert.equal(step.outputs['sarif-file'], join(root, 'airlock.sarif'));
    const sarif = JSON.parse(readFileSync(join(root, 'airlock.sarif'), 'utf8'));
    assert.equal(sarif.runs[0].results[0].ruleId, 'no-eval');
    assert.match(step.stdout, /^::error file=src\/a\.js,line=1,col=1/m);
  });

  it('clean code gives exit code 0; a usage error fails the step itself', () => {
    const root = tree({ 'src/b.js': 'export {};\n' });
    const clean = runStep(root, { AIRLOCK_PATHS: 'src', AIRLOCK_PROFILE: 'strict' });
    assert.equal(clean.status, 0, clean.stderr);
    assert.equal(clean.outputs['exit-code'], '0');
    const bad = runStep(root, { AIRLOCK_PATHS: 'src', AIRLOCK_PROFILE: 'nonsense' });
    assert.equal(bad.status, 2);
    assert.equal(bad.outputs['exit-code'], '2');
    assert.match(bad.stdout, /::error title=airlock::airlock audit could not run/);
  });
});
