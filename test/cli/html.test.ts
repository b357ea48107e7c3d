// The HTML report in a real browser (headless Chromium from Debian's packages): the page renders
// its summary, package table and code excerpts, and nothing from the audited code runs. The code,
// file names, package names and install scripts below all try to inject markup and scripts.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { airlock, tree } from './cli-helpers.js';

const INJECT = `</pre></details><script>document.title='PWNED-CODE'</script><img src=x onerror="document.title='PWNED-IMG'">`;

function chromium(): string | null {
  for (const candidate of ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome']) if (existsSync(candidate)) return candidate;
  return null;
}

/** Runs headless Chromium on a page with networking and background services off. */
function browse(page: string, ...args: string[]): string {
  const profile = mkdtempSync(join(tmpdir(), 'airlock-chromium-'));
  return execFileSync(
    chromium()!,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-dev-shm-usage',
      `--user-data-dir=${profile}`,
      ...args,
      pathToFileURL(page).href,
    ],
    { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'pipe'] },
  );
}

describe('airlock audit --format html', () => {
  let root: string;
  let page: string;
  before(async () => {
    root = tree({
      'src/app.js': `export function run(x) {\n  const note = "${INJECT.replace(/"/g, '\\"')}";\n  return eval(x + note);\n}\n`,
      'src/x<img src=y onerror=alert(1)>.js': 'eval(a)\n',
      'src/bidi.js': 'const isAdmin = false;\n/*\u202e } \u2066if (isAdmin)\u2069 \u2066 begin admins only */ eval(s);\n',
      'node_modules/x<b>pkg/package.json': JSON.stringify({
        name: '<img src=z onerror="document.title=\'PWNED-PKG\'">',
        version: '1.0.0',
        scripts: { postinstall: `node -e "${INJECT.replace(/"/g, "'")}"` },
      }),
      'node_modules/x<b>pkg/index.js': 'module.exports = (s) => eval(s);\n',
    });
    const run = await airlock(root, ['audit', 'src', 'node_modules', '--profile', 'audit', '-f', 'html', '-o', 'report.html']);
    assert.equal(run.code, 1, run.err);
    page = join(root, 'report.html');
  });

  it('is one self-contained page: inline CSS, no scripts, no external requests', () => {
    const html = readFileSync(page, 'utf8');
    assert.doesNotMatch(html, /<script/i);
    assert.doesNotMatch(html, /<img/i);
    assert.doesNotMatch(html, /<link|@import|url\(|src=["']?https?:/i);
    assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
    assert.match(html, /&lt;script&gt;document.title=&#39;PWNED-CODE&#39;&lt;\/script&gt;/);
    assert.match(html, /<span class="ctl">\\u\{202e\}<\/span>/, 'bidi controls are shown, not applied');
  });

  it('renders in headless Chromium with its summary, and no script from the findings runs', (t) => {
    if (chromium() === null) {
      if (process.env.CI) assert.fail('chromium is not installed (.ci/run installs it)');
      t.skip('chromium is not installed (apt-get install -y chromium)');
      return;
    }
    const dom = browse(page, '--dump-dom', '--virtual-time-budget=3000');
    assert.match(dom, /<title>airlock audit report<\/title>/, 'no injected script changed the title');
    assert.doesNotMatch(dom, /PWNED-(CODE|IMG|PKG)<\/title>/);
    assert.doesNotMatch(dom, /<script|<img|<b>pkg/i, 'no element from the findings was created');
    assert.match(dom, /<section id="summary">/);
    assert.match(dom, /files audited/);
    assert.match(dom, /<section id="packages">/);
    assert.match(dom, /&lt;img src=z onerror=/, 'the hostile package name is text');
    assert.match(dom, /&lt;\/pre&gt;&lt;\/details&gt;&lt;script&gt;/, 'the hostile code excerpt is text');
    const shot = join(root, 'report.png');
    browse(page, `--screenshot=${shot}`, '--window-size=1280,1400', '--hide-scrollbars');
    assert.ok(statSync(shot).size > 10_000, 'a screenshot was taken');
    process.stdout.write(`# screenshot: ${shot}\n`);
  });
});
