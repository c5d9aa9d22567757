// What the mechanic leaves behind on a terminal and on disk when it only looks: no warnings of the
// libraries it uses, no folders from `doctor`.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { box, closedPort, SEED_WORKER } from './helpers/cli.ts';

describe("ESLint's own warnings", () => {
  it('an /* eslint-env */ comment in a repaired file prints nothing on stderr', async () => {
    const sb = box();
    // The seed's worker with the comment ESLint 9 warns about; the undefined-names step reads it.
    sb.write('worker.js', `/* eslint-env node */\n${SEED_WORKER}`);
    sb.config({ llm: { provider: 'none' }, pm2Logs: false });
    const r = await sb.runJson(['run']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.json.fixes[0]?.outcome, 'applied');
    assert.ok(r.json.fixes[0].validated.includes('undefined-names'), 'ESLint ran on the file');
    assert.equal(r.stderr, '', 'nothing on stderr');
  });

  it('nor when a runtime error is weighed against the file (a ReferenceError name)', async () => {
    const sb = box();
    const file = sb.write('lib/job.js', `/* eslint-env node */\nfunction run() {\n  return readConfig();\n}\nmodule.exports = { run };\n`);
    const past = new Date(Date.now() - 3_600_000); // written before the error, so the file is weighed
    fs.utimesSync(file, past, past);
    sb.write('logs/app-error.log', `ReferenceError: readConfig is not defined\n    at run (${file}:3:10)\n`);
    sb.config({ llm: { provider: 'none' }, pm2Logs: false, logs: ['logs/*.log'] });
    const r = await sb.runJson(['scan']);
    assert.deepEqual(r.json.bugs.map((b: any) => [b.kind, b.file]), [['runtime', file]], 'readConfig is still undefined');
    assert.equal(r.stderr, '', 'nothing on stderr');
  });
});

describe('mechanic doctor', () => {
  it('reports and creates nothing: no state folder, no backup folder', async () => {
    const sb = box();
    const port = await closedPort();
    const stateDir = path.join(sb.dir, 'state-here');
    sb.config({ stateDir, llm: { baseUrl: `http://127.0.0.1:${port}` }, pm2Logs: false });
    const before = fs.readdirSync(sb.home);
    const r = await sb.runJson(['doctor']);
    assert.equal(r.code, 1, 'the model is unreachable');
    const state = r.json.checks.find((c: any) => c.name === 'state folder');
    assert.equal(state.ok, true, state.detail);
    assert.match(state.detail, /will be created/);
    assert.equal(fs.existsSync(stateDir), false, 'no state folder');
    assert.deepEqual(fs.readdirSync(sb.home), before, 'nothing new in HOME (the default state home)');
  });

  it('with the default state folder, leaves $XDG_STATE_HOME as it was', async () => {
    const sb = box();
    sb.config({ llm: { provider: 'none' }, pm2Logs: false });
    const r = await sb.runJson(['doctor']);
    assert.equal(r.code, 0, r.stdout);
    assert.equal(fs.existsSync(sb.env.XDG_STATE_HOME!), false, 'no state home');
  });

  it('says so when the state folder cannot be created', async () => {
    const sb = box();
    const blocker = sb.write('blocker', 'a file, not a folder\n');
    sb.config({ stateDir: path.join(blocker, 'state'), llm: { provider: 'none' }, pm2Logs: false });
    const r = await sb.runJson(['doctor']);
    assert.equal(r.code, 1);
    const state = r.json.checks.find((c: any) => c.name === 'state folder');
    assert.equal(state.ok, false);
    assert.match(state.detail, /blocker is not a folder/);
  });
});
