// The escape suite's detector must be able to fail: run in a plain `node:vm` context, which does not
// contain these attacks, the same harness reports them as escapes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import vm from 'node:vm';
import { containedProgram } from './escape-harness.js';

describe('the escape detector', () => {
  it('reports the host process reached through a plain vm context', () => {
    const verdict = vm.runInNewContext(containedProgram(`return this.constructor.constructor('return process')();`), {});
    assert.match(String(verdict), /^ESCAPED:returned:process/);
  });

  it('reports a host Function handed back', () => {
    const verdict = vm.runInNewContext(containedProgram(`return this.constructor.constructor;`), {});
    assert.match(String(verdict), /^ESCAPED:returned:(host-function|foreign-object)/);
  });

  it('reports a host error thrown at the guest', () => {
    const context = vm.createContext({ hostCall: () => (null as unknown as { x: () => void }).x() });
    const verdict = vm.runInContext(containedProgram(`hostCall();`), context);
    assert.match(String(verdict), /^ESCAPED:thrown:/);
  });

  it('reports a host object inside an array of loot', () => {
    const context = vm.createContext({ hostObject: { a: 1 } });
    const verdict = vm.runInContext(containedProgram(`return [1, 'x', hostObject];`), context);
    assert.match(String(verdict), /^ESCAPED:returned\[2\]:/);
  });

  it('says contained for the realm\u2019s own values', () => {
    const verdict = vm.runInNewContext(containedProgram(`return [1, {}, function () {}, new Error('x')];`), Object.create(null));
    assert.match(String(verdict), /^contained:returned/);
  });
});
