// Walks from everything the realm can reach (its global object, console, timers, require, errors,
// promises, granted built-in modules) and reports the first object that is not the realm's own.
import { escapeSuite } from './escape-harness.js';

const WALK = `function walk(roots) {
  var seen = new Set(); var queue = roots.slice(); var top = Object.getPrototypeOf({});
  while (queue.length > 0 && seen.size < 20000) {
    var o = queue.shift();
    if (o === null || (typeof o !== 'object' && typeof o !== 'function') || seen.has(o)) continue;
    seen.add(o);
    var p = o, last = o;
    while (p !== null) { last = p; p = Object.getPrototypeOf(p); }
    if (last !== top && last !== o) return o;
    var keys = Reflect.ownKeys(o);
    for (var i = 0; i < keys.length; i++) {
      var d; try { d = Object.getOwnPropertyDescriptor(o, keys[i]); } catch (e) { continue; }
      if (d) queue.push(d.value, d.get, d.set);
    }
    queue.push(Object.getPrototypeOf(o));
  }
  return 'walked ' + seen.size;
}`;

escapeSuite('host objects reachable from the realm', [
  { name: 'everything reachable from the global object', body: `${WALK}\nreturn walk([this]);` },
  {
    name: 'console, timers, handles and queueMicrotask',
    body: `${WALK}\nvar h = setTimeout(function () {}, 1); var i = setInterval(function () {}, 1000); clearTimeout(h); clearInterval(i);
return walk([console, setTimeout, h, i, h.ref(), queueMicrotask, setImmediate(function () {})]);`,
  },
  {
    name: 'errors from the gateway and from realm services',
    body: `${WALK}\nvar errs = []; try { require('fs'); } catch (e) { errs.push(e); } try { require(1); } catch (e) { errs.push(e); } try { setTimeout('code'); } catch (e) { errs.push(e); }
try { eval('import("x")'); } catch (e) { errs.push(e); } return walk(errs);`,
  },
  {
    name: 'promises the realm settles and the require function',
    body: `${WALK}\nvar p = new Promise(function (r) { queueMicrotask(function () { r(1); }); }); return p.then(function () { return walk([p, require, require('path')]); });`,
  },
  {
    name: 'granted built-in modules',
    body: `${WALK}\nreturn walk([require('path'), require('events'), require('buffer'), require('util'), require('url'), require('querystring'), require('string_decoder')]);`,
    timeoutMs: 15000,
  },
]);
