// Runtime errors read from a PM2 error log become bugs and go up the same ladder.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { sandbox, type Sandbox } from './helpers/cli.ts';
import { startModelServer } from './helpers/model-server.ts';

const sandboxes: Sandbox[] = [];
after(() => sandboxes.forEach((s) => s.cleanup()));

const broken = `'use strict';
function load(name) {
  return readCorrectionFile(name);
}
module.exports = { load };
`;
const fixed = `'use strict';
const fs = require('fs');
function readCorrectionFile(name) {
  return fs.readFileSync(name, 'utf8');
}
function load(name) {
  return readCorrectionFile(name);
}
module.exports = { load };
`;

/** Run the app for real and keep its stderr where PM2 keeps an app's error log. */
function crashInto(sb: Sandbox): string {
  const r = spawnSync(process.execPath, [path.join(sb.app, 'index.js')], { encoding: 'utf8' });
  assert.notEqual(r.status, 0);
  const log = path.join(sb.env.PM2_HOME!, 'logs', 'app-error.log');
  fs.mkdirSync(path.dirname(log), { recursive: true });
  fs.appendFileSync(log, r.stderr);
  return r.stderr;
}

describe('runtime errors from PM2 error logs', () => {
  it('turns a ReferenceError into a bug and a validated model fix', async () => {
    const sb = sandbox();
    sandboxes.push(sb);
    const file = sb.write('lib/corrections.js', broken);
    sb.write('index.js', "require('./lib/corrections').load('x');\n");
    const past = new Date(Date.now() - 3600_000);
    fs.utimesSync(file, past, past);
    const stderr = crashInto(sb);
    assert.match(stderr, /ReferenceError: readCorrectionFile is not defined/);

    const server = await startModelServer({ answers: [{ text: fixed }] });
    try {
      sb.config({ roots: ['.'], llm: { baseUrl: server.url } });
      const scan = await sb.runJson(['scan']);
      assert.equal(scan.json.bugs.length, 1, JSON.stringify(scan.json));
      const bug = scan.json.bugs[0];
      assert.equal(bug.kind, 'runtime');
      assert.equal(bug.file, file);
      assert.equal(bug.line, 3);
      assert.equal(bug.errorType, 'ReferenceError');
      assert.equal(bug.message, 'readCorrectionFile is not defined');
      assert.ok(bug.priority < 100, 'runtime bugs rank below syntax bugs');

      const run = await sb.runJson(['run']);
      const fix = run.json.fixes[0];
      assert.equal(fix.outcome, 'applied', JSON.stringify(fix));
      assert.match(fix.strategy, /^llm:ollama:/);
      assert.equal(sb.read('lib/corrections.js'), fixed);
      const prompt = server.requests.find((q: any) => q.path === '/api/generate')!.body.prompt as string;
      assert.match(prompt, /ERROR: [^]*ReferenceError: readCorrectionFile is not defined/);
      assert.match(prompt, /FILE: lib\/corrections\.js/);

      // The app now runs; the settled error is not raised again next cycle.
      assert.equal(spawnSync(process.execPath, ['-e', "require('./lib/corrections').load('index.js')"], { cwd: sb.app }).status, 0);
      const next = await sb.runJson(['scan']);
      assert.deepEqual(next.json.bugs, []);
    } finally {
      await server.close();
    }
  });

  it('does not edit a file that changed after the error was logged (stale process)', async () => {
    const sb = sandbox();
    sandboxes.push(sb);
    sb.write('lib/corrections.js', broken);
    sb.write('index.js', "require('./lib/corrections').load('x');\n");
    crashInto(sb);
    sb.config({ roots: ['.'], repairers: ['llm'], llm: { provider: 'none' } });
    await sb.runJson(['scan']);
    // Someone fixes the file by hand; the log still holds the old process's error.
    await new Promise((r) => setTimeout(r, 20));
    const run1 = await sb.runJson(['run']);
    assert.equal(run1.json.fixes.length, 1);
    fs.writeFileSync(path.join(sb.app, 'lib/corrections.js'), fixed);
    const later = new Date(Date.now() + 5000);
    fs.utimesSync(path.join(sb.app, 'lib/corrections.js'), later, later);
    sb.config({ roots: ['.'], repairers: ['llm'], llm: { provider: 'none' }, fileCooldownMs: 0 });
    const run2 = await sb.runJson(['run']);
    const fix = run2.json.fixes[0];
    assert.equal(fix.outcome, 'skipped');
    assert.match(fix.reason, /stale process/);
    assert.equal(sb.read('lib/corrections.js'), fixed);
  });
});
