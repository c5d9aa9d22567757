// The dashboard in a real browser: Debian's chromium driven by playwright-core (no browser
// download). A project with a fix the CLI really applied is served by `mechanic serve`; the page
// shows the probes and the fix, its revert button puts the file back on disk, and nothing a file
// name says runs as HTML. Screenshots go to test-artifacts/ (git-ignored; CI keeps them).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { chromium, type Browser, type Page } from 'playwright-core';
import { box, closedPort, repoRoot, SEED_WORKER, waitFor, type Sandbox } from './helpers/cli.ts';
import { needs } from './helpers/require.ts';

const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/lib/chromium/chromium', '/usr/bin/chromium', '/usr/bin/chromium-browser'];
const executablePath = CANDIDATES.find((p): p is string => !!p && fs.existsSync(p));
const ARTIFACTS = path.join(repoRoot, 'test-artifacts', 'dashboard');

const FIXED_WORKER = SEED_WORKER.replace('x * 2));', 'x * 2);');
/** A real file name that is also markup: shown as text, it must never run. */
const HOSTILE_NAME = `x<img src=x onerror="window.__xss=1">.js`;

describe('the dashboard in chromium', needs('chromium (Debian package `chromium`)', executablePath ? undefined : 'not found: apt-get install chromium, or set CHROMIUM_PATH'), () => {
  let sb: Sandbox;
  let child: ChildProcess;
  let url: string;
  let browser: Browser;
  let page: Page;
  let fixId: string;
  const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });

  before(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    sb = box();
    sb.write('src/worker.js', SEED_WORKER);
    sb.write(`src/${HOSTILE_NAME}`, 'module.exports = (1;\n');
    sb.config({
      roots: ['src'],
      repairers: ['deterministic'],
      protect: [HOSTILE_NAME],
      pm2Logs: false,
      stateDir: '../state',
      probes: [
        { name: 'web', kind: 'tcp', host: '127.0.0.1', port: await closedPort(), timeoutMs: 1000 },
        { name: 'disk', kind: 'disk', path: '.' },
      ],
    });
    // Two cycles: a history strip of two results per probe, and the fix from the first.
    const run = await sb.runJson(['run']);
    const fix = run.json.fixes.find((f: any) => f.file.endsWith('worker.js'));
    assert.equal(fix.outcome, 'applied', JSON.stringify(fix));
    fixId = fix.id;
    await sb.run(['run']);
    assert.equal(sb.read('src/worker.js'), FIXED_WORKER);

    child = sb.spawn(['serve', '--port', '0']);
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    url = await waitFor('the server', () => /serving (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out)?.[1]);
    browser = await chromium.launch({ executablePath: executablePath!, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  });

  after(async () => {
    await browser?.close();
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
  });

  it('shows each probe with its status, history strip and uptime', async () => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.goto(url);
    await page.waitForSelector('body[data-loaded]');
    const web = page.locator('#probes tr[data-probe="web"]');
    await web.waitFor();
    assert.equal(await web.locator('.badge').textContent(), 'down');
    assert.equal(await web.locator('.strip span.down').count(), 2, 'two results, both down');
    assert.match((await web.textContent())!, /0% of 2/);
    assert.match((await web.textContent())!, /ECONNREFUSED/);
    const disk = page.locator('#probes tr[data-probe="disk"]');
    assert.equal(await disk.locator('.badge').textContent(), 'healthy');
    assert.match((await disk.textContent())!, /100% of 2/);
    assert.match((await page.locator('#daemon').textContent())!, /2 cycles, 1 fixes, 0 reverts · last cycle .*1\/2 healthy, 1 down/);
    assert.equal(await page.locator('#failing').isVisible(), false, 'no failing cycles shown');
    await shot('1-dashboard');
    assert.deepEqual(errors, [], 'no script errors, no CSP violations');
  });

  it('shows a daemon whose cycles fail, as the state records them', async () => {
    const file = path.join(sb.app, '..', 'state', 'state.json');
    const before = fs.readFileSync(file, 'utf8');
    const failure = { since: '2026-12-04T10:00:00.000Z', lastAt: '2026-12-04T10:05:00.000Z', cycles: 5, message: 'the syntax engine cannot start: <b>gone</b>' };
    fs.writeFileSync(file, JSON.stringify({ ...JSON.parse(before), cycleFailure: failure }));
    try {
      await page.goto(url);
      await page.waitForSelector('body[data-loaded]');
      const banner = page.locator('#failing');
      assert.equal(await banner.isVisible(), true);
      assert.match((await banner.textContent())!, /^cycles failing since .* \(5 in a row\): the syntax engine cannot start: <b>gone<\/b>$/);
      assert.equal(await banner.locator('b').count(), 0, 'the message is text, not markup');
    } finally {
      fs.writeFileSync(file, before);
    }
  });

  it('shows the fix with its diff, outcome and confidence, and a revert button', async () => {
    const fix = page.locator(`#fixes .fix[data-fix="${fixId}"]`);
    assert.equal(await fix.getAttribute('data-outcome'), 'applied');
    const text = (await fix.textContent())!;
    assert.match(text, /worker\.js:4/);
    assert.match(text, /deterministic · confidence 1/);
    assert.match(text, /validated: syntax, exports, undefined-names/);
    assert.equal(await page.locator('#bugs button').count(), 0, 'a protected file offers no retry or snooze');
    assert.ok(await fix.locator('pre.diff .add').isVisible(), 'the diff of an applied fix is open');
    assert.equal(await fix.locator('pre.diff .add').textContent(), '+const result = [1,2,3].map(x => x * 2);');
    assert.equal(await fix.locator('pre.diff .del').textContent(), '-const result = [1,2,3].map(x => x * 2));');
    assert.equal(await fix.locator('button[data-action="revert"]').count(), 1);
  });

  it('shows a hostile file name as text: nothing in it runs', async () => {
    const bug = page.locator('#bugs tbody tr');
    assert.equal(await bug.count(), 1);
    assert.match((await bug.textContent())!, /x<img src=x onerror="window\.__xss=1">\.js:1/);
    assert.match((await bug.textContent())!, /protected/);
    assert.equal(await page.locator('#bugs img').count(), 0, 'no element was made from the name');
    assert.equal(await page.evaluate('typeof window.__xss'), 'undefined');
  });

  it('an action without the token is refused in the browser too: 403, the file unchanged', async () => {
    const status = await page.evaluate(async (id) => {
      const r = await fetch('api/actions/revert', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ fixId: id }) });
      return r.status;
    }, fixId);
    assert.equal(status, 403);
    assert.equal(sb.read('src/worker.js'), FIXED_WORKER);
  });

  it('a page of another origin can neither read the dashboard nor act through it', async () => {
    const other = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>elsewhere</title>'));
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', () => r()));
    try {
      const evil = await browser.newPage();
      await evil.goto(`http://localhost:${(other.address() as { port: number }).port}/`);
      const outcome = await evil.evaluate(async ({ target, id }) => {
        let read = 'read';
        try {
          await (await fetch(target)).text();
        } catch {
          read = 'blocked';
        }
        // A simple request needs no preflight, so it is sent: without the token it changes nothing.
        await fetch(`${target}api/actions/revert`, { method: 'POST', mode: 'no-cors', body: JSON.stringify({ fixId: id }) }).catch(() => {});
        let withHeader = 'sent';
        try {
          await fetch(`${target}api/actions/revert`, { method: 'POST', headers: { 'X-Mechanic-Token': 'guess' }, body: '{}' });
        } catch {
          withHeader = 'blocked';
        }
        return { read, withHeader };
      }, { target: url, id: fixId });
      assert.deepEqual(outcome, { read: 'blocked', withHeader: 'blocked' });
      await evil.close();
      assert.equal(sb.read('src/worker.js'), FIXED_WORKER);
    } finally {
      await new Promise((r) => other.close(r));
    }
  });

  it('clicking revert puts the original bytes back on disk, and the page shows it', async () => {
    const fix = page.locator(`#fixes .fix[data-fix="${fixId}"]`);
    await fix.locator('button[data-action="revert"]').click();
    await page.locator('#message', { hasText: /reverted fix/ }).waitFor();
    assert.equal(sb.read('src/worker.js'), SEED_WORKER, 'the file on disk holds its pre-fix bytes');
    await page.locator(`#fixes .fix[data-fix="${fixId}"][data-outcome="reverted"]`).waitFor();
    assert.equal(await page.locator(`#fixes .fix[data-fix="${fixId}"] button[data-action="revert"]`).count(), 0, 'no second revert offered');
    await shot('2-after-revert');
    const log = JSON.parse(fs.readFileSync(path.join(sb.dir, 'state', 'mechanic-log.json'), 'utf8')) as any[];
    assert.ok(log.some((e) => e.type === 'revert' && e.fixId === fixId), 'the revert is in the log');
  });
});
