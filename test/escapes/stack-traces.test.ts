// Escapes through stack traces: Error.prepareStackTrace call sites (getThis/getFunction of host
// frames), replacing the global Error, Error.captureStackTrace, and error names that make Node's
// formatter throw a host TypeError (a Symbol name), plus host errors thrown at stack exhaustion.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Runner } from '../../executor/executor.js';
import { escapeSuite } from './escape-harness.js';

escapeSuite('stack traces', [
  {
    name: 'prepareStackTrace call sites: getThis and getFunction',
    body: `Error.prepareStackTrace = function (e, sites) { return sites; };
var sites = new Error('x').stack; if (typeof sites === 'string') return sites;
for (var i = 0; i < sites.length; i++) { var t = sites[i].getThis(); if (t) return t; var f = sites[i].getFunction(); if (f) return f; }
return null;`,
  },
  {
    name: 'defineProperty on Error.prepareStackTrace',
    body: `Object.defineProperty(Error, 'prepareStackTrace', { value: function (e, s) { return s; } }); return new Error().stack[0].getThis();`,
  },
  {
    name: 'replacing the global Error (CVE-2022-36067 shape)',
    body: `this.Error = { prepareStackTrace: function (e, s) { return s; } }; try { null.x; } catch (err) { var s = err.stack; return typeof s === 'string' ? s : s[0].getThis(); }`,
  },
  {
    name: 'Error.captureStackTrace with a call-site formatter',
    body: `try { Error.prepareStackTrace = function (e, s) { return s; }; } catch (x) {} var o = {}; Error.captureStackTrace(o); var s = o.stack; return typeof s === 'string' ? 'string' : s[1].getFunction();`,
  },
  {
    name: 'a Symbol error name makes .stack throw',
    body: `var e = new Error('x'); e.name = Symbol('s'); try { return e.stack; } catch (thrown) { return thrown.constructor.constructor('return process')(); }`,
  },
  {
    name: 'a Symbol message',
    body: `var e = new TypeError('x'); e.message = Symbol('m'); try { return e.stack; } catch (thrown) { return thrown.constructor.constructor('return process')(); }`,
  },
  {
    name: 'a name whose toString throws through a proxy (CVE-2023-30547 shape)',
    body: `var err = new Error(); err.name = { toString: new Proxy(function () { return ''; }, { apply: function (t, self, args) { throw args.constructor.constructor('return process')(); } }) };
try { return err.stack; } catch (thrown) { return thrown; }`,
  },
  {
    name: 'call sites in an async function (CVE-2023-29017 shape)',
    body: `var got; try { Error.prepareStackTrace = function (e, frames) { got = frames; return ''; }; } catch (x) {}
async function aa() { eval('1=1'); } return aa().then(function () { return got; }, function () { return got && got[0] && got[0].getThis(); });`,
  },
  {
    name: 'a host error raised at stack exhaustion inside a realm service',
    body: `var caught; function r() { try { r(); } catch (x) { try { console.log('edge'); } catch (y) { caught = caught || y; } } } r();
return caught === undefined ? 'none' : caught.constructor.constructor('return process')();`,
  },
  {
    name: 'a host error at stack exhaustion inside require',
    body: `var caught; function r() { try { r(); } catch (x) { try { require('path'); } catch (y) { caught = caught || y; } } } r();
return caught === undefined ? 'none' : caught.constructor.constructor('return process')();`,
  },
  {
    name: 'a host error at stack exhaustion inside setTimeout',
    body: `var caught; function r() { try { r(); } catch (x) { try { setTimeout(function () {}, 0); } catch (y) { caught = caught || y; } } } r();
return caught === undefined ? 'none' : caught.constructor.constructor('return process')();`,
  },
]);

describe('stack traces show guest frames only', () => {
  const runner = new Runner({ size: 1, warmRealms: 1, policy: { profile: 'strict', analysis: 'off' } });
  after(() => runner.close());

  it('leaves out host frames and never throws for odd names', async () => {
    const result = await runner.run(
      `function inner() { return new Error('here').stack; }
var weird = new Error('w'); weird.name = Symbol('n');
[inner(), weird.stack, String(new RangeError('r').stack).split('\\n').length > 0]`,
      { filename: 'guest.js' },
    );
    assert.equal(result.status, 'ok', JSON.stringify(result.error));
    const [stack, weird] = result.value as [string, string];
    assert.match(stack, /^Error: here\n {4}at inner \(guest\.js:1:/);
    assert.doesNotMatch(stack, /node:internal|dist\/executor|airlock:prelude|airlock:membrane|worker\.js/);
    assert.match(weird, /^Symbol\(n\): w/);
  });
});
