// A real PM2 daemon (its own PM2_HOME) runs an app that breaks with the seed's real bug,
// `ReferenceError: readCorrectionFile is not defined`; the mechanic repairs it from PM2's error log.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { sandbox, waitFor, type Sandbox } from './helpers/cli.ts';
import { startModelServer } from './helpers/model-server.ts';
import { PM2_BIN } from './helpers/pm2.ts';
import { minimalEnv, runProcess } from '../src/util/proc.ts';

const broken = `'use strict';
const fs = require('fs');
function load(name) {
  return readCorrectionFile(name);
}
module.exports = { load };
`;
const fixed = `'use strict';
const fs = require('fs');
function readCorrectionFile(name) {
  return fs.existsSync(name) ? fs.readFileSync(name, 'utf8') : null;
}
function load(name) {
  return readCorrectionFile(name);
}
module.exports = { load };
`;

const sandboxes: { sb: Sandbox; pm2: (a: string[]) => ReturnType<typeof runProcess> }[] = [];
after(async () => {
  for (const { sb, pm2 } of sandboxes) {
    await pm2(['kill']);
    sb.cleanup();
  }
});

interface App {
  sb: Sandbox;
  pm2: (args: string[]) => ReturnType<typeof runProcess>;
  errLog: string;
  info(): Promise<{ status: string; restarts: number }>;
}

async function startApp(worker: string): Promise<App> {
  const sb = sandbox();
  const pm2Home = sb.env.PM2_HOME!;
  const env = minimalEnv({ PM2_HOME: pm2Home, HOME: sb.home, PM2_DISCRETE_MODE: 'true' });
  const pm2 = (args: string[]) => runProcess(PM2_BIN, args, { cwd: sb.app, env, timeoutMs: 60_000 });
  sandboxes.push({ sb, pm2 });
  const lib = sb.write('lib/corrections.js', broken);
  const past = new Date(Date.now() - 3_600_000);
  fs.utimesSync(lib, past, past);
  sb.write('worker.js', worker);
  sb.write('ecosystem.json', JSON.stringify({ apps: [{ name: 'corrections', script: path.join(sb.app, 'worker.js'), cwd: sb.app, restart_delay: 300, max_restarts: 1000, min_uptime: 100 }] }));
  const started = await pm2(['start', path.join(sb.app, 'ecosystem.json')]);
  assert.equal(started.code, 0, started.stderr);
  const errLog = path.join(pm2Home, 'logs', 'corrections-error.log');
  const info = async () => {
    const r = await pm2(['jlist']);
    const list = JSON.parse(r.stdout.split('\n').reverse().find((l) => l.startsWith('['))!);
    return { status: list[0].pm2_env.status as string, restarts: list[0].pm2_env.restart_time as number };
  };
  return { sb, pm2, errLog, info };
}

const errorsIn = (log: string) => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('ReferenceError: readCorrectionFile is not defined').length - 1 : 0);

describe('runtime repair of a PM2 process', () => {
  it('reads the crash from the PM2 error log, fixes it with the model, restarts the process, and it stays up', async () => {
    // The app crashes at start-up; PM2 keeps restarting it.
    const app = await startApp("const { load } = require('./lib/corrections');\nsetTimeout(() => load('corrections.txt'), 50);\nsetInterval(() => {}, 1000);\n");
    await waitFor('crashes in the PM2 error log', () => errorsIn(app.errLog) >= 2, 20_000);
    const server = await startModelServer({ answers: [{ text: fixed }] });
    try {
      app.sb.config({ llm: { baseUrl: server.url }, restartStale: true, restartCheckMs: 2_000, pm2Bin: PM2_BIN });
      const run = await app.sb.runJson(['run'], { timeoutMs: 90_000 });
      const fix = run.json.fixes.find((f: any) => f.bug.kind === 'runtime');
      assert.ok(fix, JSON.stringify(run.json, null, 1));
      assert.equal(fix.outcome, 'applied', JSON.stringify(fix));
      assert.equal(fix.bug.errorType, 'ReferenceError');
      assert.equal(fix.bug.message, 'readCorrectionFile is not defined');
      assert.match(fix.strategy, /^llm:/);
      assert.equal(fix.restart.process, 'corrections');
      assert.equal(fix.restart.ok, true, fix.restart.reason);
      assert.equal(app.sb.read('lib/corrections.js'), fixed);
      const prompt = server.requests.find((q: any) => q.path === '/api/generate')!.body.prompt as string;
      assert.match(prompt, /ReferenceError: readCorrectionFile is not defined/);

      // It stays up: online, no new restarts, no new errors.
      const a = await app.info();
      const errors = errorsIn(app.errLog);
      await new Promise((r) => setTimeout(r, 1_500));
      const b = await app.info();
      assert.equal(b.status, 'online');
      assert.equal(b.restarts, a.restarts, 'no restart since the fix');
      assert.equal(errorsIn(app.errLog), errors, 'no new error');
      const next = await app.sb.runJson(['scan']);
      assert.deepEqual(next.json.bugs, []);
    } finally {
      await server.close();
    }
  });

  it('a stale process: the file is fixed but the process runs old code — no edit, a restart, the error stops', async () => {
    // The app survives its error (it catches and logs it), so it keeps running the old code.
    const app = await startApp(
      "const { load } = require('./lib/corrections');\nsetInterval(() => { try { load('x'); } catch (err) { console.error(err); } }, 100);\n",
    );
    await waitFor('errors in the PM2 error log', () => errorsIn(app.errLog) >= 3, 20_000);
    // Someone fixes the file by hand; the running process does not reload it.
    fs.writeFileSync(path.join(app.sb.app, 'lib/corrections.js'), fixed);
    await waitFor('more errors from the old code', () => errorsIn(app.errLog) >= 6, 20_000);
    const before = await app.info();
    app.sb.config({ llm: { provider: 'none' }, restartStale: true, restartCheckMs: 1_500, pm2Bin: PM2_BIN });
    // What the log held before the mechanic first read it is history (no timestamps): no verdict
    // on the process from it. The errors logged after it began reading are what show it is stale.
    const first = await app.sb.runJson(['run'], { timeoutMs: 90_000 });
    assert.equal(first.json.bugs[0].history, true, JSON.stringify(first.json.bugs));
    assert.equal((await app.info()).restarts, before.restarts, 'no restart on history');
    const seen = errorsIn(app.errLog);
    await waitFor('errors logged after the mechanic began reading', () => errorsIn(app.errLog) >= seen + 2, 20_000);

    const scan = await app.sb.runJson(['scan']);
    const stale = scan.json.bugs.find((b: any) => b.kind === 'stale-process');
    assert.ok(stale, JSON.stringify(scan.json.bugs));
    assert.match(stale.staleBecause, /defines readCorrectionFile/);

    const run = await app.sb.runJson(['run'], { timeoutMs: 90_000 });
    const fix = run.json.fixes.find((f: any) => f.bug.kind === 'stale-process');
    assert.equal(fix.outcome, 'applied', JSON.stringify(fix));
    assert.equal(fix.strategy, 'restart');
    assert.equal(fix.restart.process, 'corrections');
    assert.equal(app.sb.read('lib/corrections.js'), fixed, 'no edit');
    const afterRestart = await app.info();
    assert.equal(afterRestart.restarts, before.restarts + 1);
    const errors = errorsIn(app.errLog);
    await new Promise((r) => setTimeout(r, 1_000));
    assert.equal(errorsIn(app.errLog), errors, 'the error stopped');
    assert.equal((await app.info()).status, 'online');
  });
});
