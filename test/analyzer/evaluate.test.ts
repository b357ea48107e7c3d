// The evaluator: constant folding and host-path values, on the forms attackers use to hide names.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Node } from '@babel/types';
import { parseSource } from '../../analyzer/source.js';
import { bindProgram, type Binding } from '../../analyzer/scope.js';
import { Evaluator } from '../../analyzer/evaluate.js';

/** Evaluates the initialiser of `probe` in `code`. */
function probe(code: string): { evaluator: Evaluator; node: Node; binding: Binding } {
  const parsed = parseSource(code, 'ts', 'unambiguous');
  assert.ok(parsed.ast, parsed.failure?.message);
  const program = parsed.ast.program;
  const scope = bindProgram(program, { maxNodes: 1e6 });
  const evaluator = new Evaluator(scope, program.sourceType === 'module' ? 'module' : 'script');
  const binding = scope.program.bindings.get('probe');
  assert.ok(binding?.init, 'code declares probe with an initialiser');
  return { evaluator, node: binding.init, binding };
}

const fold = (code: string) => {
  const { evaluator, node } = probe(code);
  return evaluator.foldStrings(node);
};
const values = (code: string) => {
  const { evaluator, binding } = probe(code);
  return [...evaluator.bindingValues(binding)].sort();
};

describe('constant folding', () => {
  const cases: [string, string[] | null][] = [
    ["const probe = 'ev' + 'al'", ['eval']],
    ["const probe = `${'e'}v${'a'}l`", ['eval']],
    ["const a = 'ev'; const b = a + 'al'; const probe = b", ['eval']],
    ['const probe = String.fromCharCode(101, 118, 97, 108)', ['eval']],
    ['const probe = String.fromCharCode(...[101, 118, 97, 108])', ['eval']],
    ["const probe = ['e', 'v', 'a', 'l'].join('')", ['eval']],
    ["const probe = 'lave'.split('').reverse().join('')", ['eval']],
    ["const probe = atob('ZXZhbA==')", ['eval']],
    ["const probe = Buffer.from('6576616c', 'hex').toString()", ['eval']],
    ["const probe = Buffer.from('ZXZhbA==', 'base64').toString('utf8')", ['eval']],
    ["const probe = decodeURIComponent('%65val')", ['eval']],
    ["const probe = [101, 118, 97, 108].map((c) => String.fromCharCode(c)).join('')", ['eval']],
    ["const probe = [0x4f, 0x5c, 0x4b, 0x46].map((c) => String.fromCharCode(c ^ 42)).join('')", ['eval']],
    ["const probe = 'xevalx'.slice(1, 5)", ['eval']],
    ["const probe = 'EVAL'.toLowerCase()", ['eval']],
    ["const probe = 'e-v-a-l'.replace(/-/g, '')", ['eval']],
    ["const t = ['log', 'eval']; const probe = t[1]", ['eval']],
    ["const o = { k: 'eval' }; const probe = o.k", ['eval']],
    ["const probe = cond ? 'eval' : 'log'", ['eval', 'log']],
    ["const probe = (![] + [])[+[]]", ['f']],
    ["const probe = ([][[]] + [])[1]", ['n']],
    ["const probe = (0, 'eval')", ['eval']],
    ["const probe = ('ev' + 'al') as string", ['eval']],
    ["const probe = (101).toString(36)", ['2t']],
    ['const probe = parseInt("ff", 16)', ['255']],
    // A local helper that returns one expression of its parameters is folded at its call.
    ["const t = ['ZXZhbA==']; const d = (i) => atob(t[i]); const probe = d(0)", ['eval']],
    ["function pick(a, b) { return a + b; } const probe = pick('ev', 'al')", ['eval']],
    ["function loop(x) { return loop(x); } const probe = loop('a')", null],
    ["async function later(x) { return x; } const probe = later('eval')", null],
    ["let s = 'ev'; s = s + 'al'; const probe = s", null],
    ['const probe = unknownValue', null],
    ["const probe = 'a'.repeat(1e9)", null],
    ['const probe = Math.random() > 0.5 ? "a" : b', null],
  ];
  for (const [code, expected] of cases) {
    it(code, () => assert.deepEqual(fold(code)?.sort() ?? null, expected));
  }
  it('reports the decoders it used', () => {
    const { evaluator, node } = probe("const probe = atob('ZXZhbA==')");
    assert.ok(evaluator.fold(node)?.decoders.has('base64'));
  });
});

describe('host-path values', () => {
  const cases: [string, string[]][] = [
    ['const probe = eval', ['eval']],
    ['const e = eval; const probe = e', ['eval']],
    ['const probe = window.eval', ['eval']],
    ["const probe = globalThis['ev' + 'al']", ['eval']],
    ["const { eval: probe } = globalThis", ['eval']],
    ['const probe = (0, eval)', ['eval']],
    ['const probe = a || eval', ['a', 'eval']],
    ['const probe = Math.random() || eval', ['?', 'eval']],
    ["const probe = Reflect.get(self, 'eval')", ['eval']],
    ["const probe = Object.getOwnPropertyDescriptor(globalThis, 'eval').value", ['eval']],
    ['const probe = (() => {}).constructor', ['Function']],
    ['const probe = (async () => {}).constructor', ['AsyncFunction']],
    ['const probe = (function* () {}).constructor', ['GeneratorFunction']],
    ['const probe = [].constructor.constructor', ['Function']],
    ["const probe = ''['constructor']['constructor']", ['Function']],
    ['const probe = anything.constructor.constructor', ['Function']],
    ['const probe = Object.getPrototypeOf(async function () {}).constructor', ['AsyncFunction']],
    ['const probe = process.mainModule.require', ['require']],
    ['const probe = module.require', ['require']],
    ["const probe = require('node:child_process').exec", ['module:child_process.exec']],
    ["const { exec: probe } = require('child_' + 'process')", ['module:child_process.exec']],
    ["import { createRequire } from 'module'; const probe = createRequire(import.meta.url)", ['require']],
    ['const probe = eval.bind(null)', ['eval']],
    ['const probe = window.globalThis.self', ['globalThis']],
    ['const probe = constructor.constructor', ['Function']],
    ['function f(eval) { return eval } const probe = f', ['<function>']],
    ['const probe = someGlobal.eval', ['someGlobal.eval']],
    ['let o = {}; const probe = o.eval', ['?']],
  ];
  for (const [code, expected] of cases) {
    it(code, () => assert.deepEqual(values(code), expected));
  }
  it('top-level this is the global object in scripts only', () => {
    assert.deepEqual(values('const probe = this'), ['globalThis']);
    assert.deepEqual(values('export {}; const probe = this'), ['?']);
    assert.deepEqual(values('function f() { return this } const probe = f()'), ['?']);
  });
});

describe('scope resolution', () => {
  it('sees hoisted declarations before their use', () => {
    assert.deepEqual(values('const probe = eval; function eval() {}'), ['<function>']);
    assert.deepEqual(values('const probe = (() => eval)(); var eval = 1'), ['?']);
  });
  it('treats ambient TypeScript declarations as globals at run time', () => {
    assert.deepEqual(values('declare const process: any; const probe = process.env'), ['process.env']);
  });
  it('keeps block scoping apart', () => {
    assert.deepEqual(values('{ const eval = 1 } const probe = eval'), ['eval']);
  });
});
