// Closing the loop: a fix is done when the service runs again (a real PM2 daemon in a sandbox),
// a fix whose error comes back after the restart is reverted, and the cooldown starts only for
// attempts that reached a verdict; `retry` and `snooze` through the CLI.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { box, closedPort, sandbox, waitFor, type Sandbox } from './helpers/cli.ts';
import { startModelServer } from './helpers/model-server.ts';
import { PM2_BIN } from './helpers/pm2.ts';
import { minimalEnv, runProcess } from '../src/util/proc.ts';

const pm2s: { sb: Sandbox; pm2: (a: string[]) => ReturnType<typeof runProcess> }[] = [];
after(async () => {
  for (const { sb, pm2 } of pm2s) {
    await pm2(['kill']);
    sb.cleanup();
  }
});

interface App {
  sb: Sandbox;
  pm2: (args: string[]) => ReturnType<typeof runProcess>;
  script: string;
  errLog: string;
  info(): Promise<{ status: string; restarts: number }>;
}

/**
 * One PM2 app, `worker.js`, in a crash loop that PM2 gives up on quickly (`errored`). (No
 * restart_delay: with one, PM2 5 shows a process it gave up on as `waiting restart`.)
 */
async function crashLoop(code: string): Promise<App> {
  return pm2App(code, 'errored');
}

async function pm2App(code: string, ready: string): Promise<App> {
  const sb = sandbox();
  const env = minimalEnv({ PM2_HOME: sb.env.PM2_HOME!, HOME: sb.home, PM2_DISCRETE_MODE: 'true' });
  const pm2 = (args: string[]) => runProcess(PM2_BIN, args, { cwd: sb.app, env, timeoutMs: 60_000 });
  pm2s.push({ sb, pm2 });
  const script = sb.write('worker.js', code);
  const past = new Date(Date.now() - 3_600_000);
  fs.utimesSync(script, past, past);
  // `time`: stamped lines, so that a crash logged before the mechanic first reads the log is
  // known to be newer than the file (unstamped, it would be history)
  sb.write('ecosystem.json', JSON.stringify({ apps: [{ name: 'worker', script, cwd: sb.app, max_restarts: 2, min_uptime: 5_000, time: true }] }));
  const started = await pm2(['start', path.join(sb.app, 'ecosystem.json')]);
  assert.equal(started.code, 0, started.stderr);
  const info = async () => {
    const r = await pm2(['jlist']);
    const list = JSON.parse(r.stdout.split('\n').reverse().find((l) => l.startsWith('['))!);
    return { status: list[0].pm2_env.status as string, restarts: list[0].pm2_env.restart_time as number };
  };
  await waitFor(`the worker ${ready}`, async () => (await info()).status === ready, 30_000, 200);
  return { sb, pm2, script, errLog: path.join(sb.env.PM2_HOME!, 'logs', 'worker-error.log'), info };
}

describe('a fix is done when the service runs again', () => {
  it('a worker errored in a crash loop on a syntax slip is fixed and online again within one run, default cooldown', async (t) => {
    const slip = "'use strict';\nfunction double(items) {\n  return items.map((x) => x * 2));\n}\nsetInterval(() => double([1, 2, 3]), 1000);\nmodule.exports = { double };\n";
    const app = await crashLoop(slip);
    assert.match(fs.readFileSync(app.errLog, 'utf8'), /SyntaxError/);
    // Nothing but what the test needs: the default cooldown (6 h) and restartStale (off).
    app.sb.config({ llm: { provider: 'none' }, pm2Bin: PM2_BIN, restartCheckMs: 1_500 });
    const run = await app.sb.runJson(['run'], { timeoutMs: 90_000 });
    const fix = run.json.fixes.find((f: any) => f.file === app.script);
    assert.equal(fix.outcome, 'applied', JSON.stringify(fix));
    assert.equal(fix.bug.kind, 'syntax');
    assert.equal(fix.restart.process, 'worker');
    assert.equal(fix.restart.ok, true, fix.restart.reason);
    assert.match(fix.reason, /restarted worker; the error did not come back/);
    assert.equal(run.code, 0, run.stdout);
    assert.equal((await app.info()).status, 'online');
    t.diagnostic(`errored to online in one run of ${run.json.durationMs} ms (restartCheckMs 1500)`);

    // It stays up, and the next run finds nothing to hold back or do.
    await new Promise((r) => setTimeout(r, 1_000));
    assert.equal((await app.info()).status, 'online');
    const next = await app.sb.runJson(['run'], { timeoutMs: 60_000 });
    assert.equal(next.code, 0, JSON.stringify(next.json.fixes));
    assert.deepEqual(next.json.fixes.filter((f: any) => f.outcome !== 'skipped' || /cooldown/.test(f.reason)), []);
  });

  it('a process a person stopped stays stopped when its script is fixed', async () => {
    const good = "'use strict';\nfunction double(items) {\n  return items.map((x) => x * 2);\n}\nsetInterval(() => double([1, 2, 3]), 1000);\nmodule.exports = { double };\n";
    const app = await pm2App(good, 'online');
    assert.equal((await app.pm2(['stop', 'worker'])).code, 0);
    await waitFor('the worker stopped', async () => (await app.info()).status === 'stopped', 20_000, 200);
    // The slip comes later, while the process is stopped: no crash of it is ever logged.
    fs.writeFileSync(app.script, good.replace('x * 2);', 'x * 2));'));
    app.sb.config({ llm: { provider: 'none' }, pm2Bin: PM2_BIN, restartCheckMs: 1_000 });
    const run = await app.sb.runJson(['run'], { timeoutMs: 60_000 });
    const fix = run.json.fixes.find((f: any) => f.file === app.script);
    assert.equal(fix.outcome, 'applied', JSON.stringify(fix));
    assert.equal(fix.restart, undefined, fix.reason);
    assert.equal(app.sb.read('worker.js'), good);
    assert.equal((await app.info()).status, 'stopped');
  });

  it('a process a person stopped stays stopped, though an older crash in its log names the fixed file', async () => {
    const good = "'use strict';\nfunction double(items) {\n  return items.map((x) => x * 2);\n}\nsetInterval(() => double([1, 2, 3]), 1000);\nmodule.exports = { double };\n";
    const slipped = good.replace('x * 2);', 'x * 2));');
    // A crash loop on a slip, put right by hand and restarted: the log names the file.
    const app = await crashLoop(slipped);
    assert.match(fs.readFileSync(app.errLog, 'utf8'), /worker\.js/);
    fs.writeFileSync(app.script, good);
    assert.equal((await app.pm2(['restart', 'worker'])).code, 0);
    await waitFor('the worker online', async () => (await app.info()).status === 'online', 20_000, 200);
    // Then a person stops it, and the slip comes back while it is stopped.
    assert.equal((await app.pm2(['stop', 'worker'])).code, 0);
    await waitFor('the worker stopped', async () => (await app.info()).status === 'stopped', 20_000, 200);
    fs.writeFileSync(app.script, slipped);
    app.sb.config({ llm: { provider: 'none' }, pm2Bin: PM2_BIN, restartCheckMs: 1_000 });
    const run = await app.sb.runJson(['run'], { timeoutMs: 60_000 });
    const fix = run.json.fixes.find((f: any) => f.file === app.script && f.bug.kind === 'syntax');
    assert.equal(fix?.outcome, 'applied', JSON.stringify(run.json.fixes));
    assert.equal(fix.restart, undefined, fix.reason);
    assert.equal(app.sb.read('worker.js'), good);
    await new Promise((r) => setTimeout(r, 1_000));
    assert.equal((await app.info()).status, 'stopped', 'a person stopped it: it stays stopped');
  });

  it('a fix whose error comes back after the restart is reverted, and said so', async () => {
    const broken = "'use strict';\n// the port comes from the settings\nconst settings = {};\nconst port = settings.server.port;\nsetInterval(() => console.log(port), 1000);\n";
    const app = await crashLoop(broken);
    assert.match(fs.readFileSync(app.errLog, 'utf8'), /TypeError: Cannot read properties of undefined \(reading 'port'\)/);
    // A model answer that parses and passes every check, yet cures nothing: the same line throws.
    const uncured = broken.replace('// the port comes from the settings', '// the port comes from the settings (checked)');
    const server = await startModelServer({ answers: [{ text: uncured }] });
    try {
      app.sb.config({ llm: { baseUrl: server.url }, pm2Bin: PM2_BIN, restartCheckMs: 2_000 });
      const run = await app.sb.runJson(['run'], { timeoutMs: 90_000 });
      const fix = run.json.fixes.find((f: any) => f.file === app.script);
      assert.ok(fix, JSON.stringify(run.json, null, 1));
      assert.equal(fix.bug.errorType, 'TypeError');
      assert.equal(fix.outcome, 'reverted', JSON.stringify(fix));
      assert.match(fix.reason, /restarted worker, but TypeError: Cannot read properties of undefined \(reading 'port'\) came back/);
      assert.match(fix.reason, /the fix did not cure it: reverted, the original restored/);
      assert.equal(fix.restart.ok, false);
      assert.ok(fix.revertedAt);
      assert.equal(app.sb.read('worker.js'), broken, 'the original, byte for byte');
      assert.equal(run.code, 1);
      const status = await app.sb.runJson(['status']);
      assert.equal(status.json.totalReverts, 1);
      assert.equal(status.json.totalFixes, 0);
      const log = await app.sb.runJson(['log']);
      const revert = log.json.find((e: any) => e.type === 'revert');
      assert.equal(revert.fixId, fix.id);
      assert.equal(fs.readFileSync(revert.savedCurrent, 'utf8'), uncured, 'the undone fix is kept in a backup');
    } finally {
      await server.close();
    }
  });
});

const doubled = "'use strict';\nfunction double(items) {\n  return items.map((x) => x * 2));\n}\nmodule.exports = { double };\n";
const syntaxBroken = "function total(items) {\n  return items.reduce((a, b) => a + b, 0;\n}\nmodule.exports = { total };\n";
const syntaxFixed = syntaxBroken.replace('a + b, 0;', 'a + b, 0);');

describe('cooldown means tried and judged', () => {
  it('an attempt cut by shutdown gets a backoff, not the cooldown; retry lifts it', async () => {
    const sb = box();
    sb.write('lib/total.js', syntaxBroken);
    let asked!: () => void;
    const modelAsked = new Promise<void>((r) => (asked = r));
    // The first answer is slow enough for the daemon to be stopped while it waits.
    const server = await startModelServer({ answers: [{ text: syntaxFixed, delayMs: 30_000 }, { text: syntaxFixed }], onRequest: (q) => q.path === '/api/generate' && asked() });
    try {
      sb.config({ repairers: ['llm'], pm2Logs: false, llm: { baseUrl: server.url } });
      const daemon = sb.spawn(['daemon']);
      const exited = new Promise<number | null>((r) => daemon.on('close', r));
      await modelAsked;
      daemon.kill('SIGTERM');
      assert.equal(await exited, 0);
      assert.equal(sb.read('lib/total.js'), syntaxBroken);
      const log = await sb.runJson(['log']);
      const cut = log.json.find((e: any) => e.type === 'fix');
      assert.equal(cut.outcome, 'failed');
      assert.equal(cut.cut, 'shutdown');

      const held = await sb.runJson(['run']);
      assert.equal(held.json.fixes[0].outcome, 'skipped');
      assert.match(held.json.fixes[0].reason, /^backoff: the last attempt \d+s ago was cut short \(shutdown\) before a verdict; next in \d+[sm]$/);
      assert.equal(held.code, 1);

      const retried = await sb.run(['retry', 'lib/total.js']);
      assert.equal(retried.code, 0, retried.stderr);
      assert.match(retried.stdout, /lib\/total\.js: backoff lifted/);
      const fixed = await sb.runJson(['run']);
      assert.equal(fixed.json.fixes[0].outcome, 'applied', JSON.stringify(fixed.json.fixes[0]));
      assert.equal(sb.read('lib/total.js'), syntaxFixed);
      assert.equal(fixed.code, 0);
    } finally {
      await server.close();
    }
  });

  it('an attempt cut by a model outage gets a backoff that doubles; a verdict starts the cooldown', async () => {
    const sb = box();
    const file = sb.write('lib/total.js', syntaxBroken);
    sb.config({ repairers: ['llm'], pm2Logs: false, stateDir: '../state', llm: { baseUrl: `http://127.0.0.1:${await closedPort()}`, retries: 0 } });
    const first = await sb.runJson(['run']);
    assert.equal(first.json.fixes[0].outcome, 'failed');
    assert.equal(first.json.fixes[0].cut, 'model-outage');
    assert.match(first.json.fixes[0].reason, /model call failed/);
    const state = () => JSON.parse(fs.readFileSync(path.join(sb.dir, 'state', 'state.json'), 'utf8'));
    assert.equal(state().files[file].backoffMs, 120_000);
    const held = await sb.runJson(['run']);
    assert.match(held.json.fixes[0].reason, /^backoff: .* \(the model server was out\) before a verdict; next in \d+[sm]$/);

    // Out again after a retry: the backoff doubles.
    assert.equal((await sb.run(['retry', 'lib/total.js'])).code, 0);
    await sb.runJson(['run']);
    assert.equal(state().files[file].backoffMs, 240_000);

    // A verdict (the answer fails validation) starts the 6-hour cooldown.
    const server = await startModelServer({ answers: [{ text: syntaxBroken.replace('0;', '0;;') }] });
    try {
      sb.config({ repairers: ['llm'], pm2Logs: false, stateDir: '../state', llm: { baseUrl: server.url } });
      assert.equal((await sb.run(['retry', 'lib/total.js'])).code, 0);
      const judged = await sb.runJson(['run']);
      assert.equal(judged.json.fixes[0].outcome, 'reverted', JSON.stringify(judged.json.fixes[0]));
      assert.equal(judged.json.fixes[0].cut, undefined);
      const cooled = await sb.runJson(['run']);
      assert.match(cooled.json.fixes[0].reason, /^cooldown: last attempt on this file \d+s ago; next in 6\.0h$/);
      assert.equal(state().files[file].cut, undefined);
    } finally {
      await server.close();
    }
  });

  it('snooze holds a file back until a time, status shows it, retry lifts it; bad input changes nothing', async () => {
    const sb = box();
    sb.write('lib/total.js', doubled);
    // The test is of the hold, not of the confidence gate.
    sb.config({ pm2Logs: false, stateDir: '../state', llm: { provider: 'none' }, deterministic: { minConfidence: 0 } });
    const holdsFile = path.join(sb.dir, 'state', 'holds.json');

    for (const bad of [['snooze', 'lib/total.js', '2 hours'], ['snooze', 'lib/total.js', '0m'], ['snooze', 'lib/nope.js', '2h'], ['snooze', '../outside.js', '2h'], ['retry', 'lib/total.js'], ['retry', '20991231-000000-abcdef']]) {
      if (bad[1] === '../outside.js') fs.writeFileSync(path.join(sb.dir, 'outside.js'), 'x;\n');
      const r = await sb.run(bad);
      assert.equal(r.code, 2, `${bad.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.equal(fs.existsSync(holdsFile), false, `${bad.join(' ')} wrote nothing`);
    }
    assert.match((await sb.run(['snooze', 'lib/total.js', '2 hours'])).stderr, /duration: expected a number and a unit s, m, h or d \(30m, 2h, 1d\), got "2 hours"/);
    assert.match((await sb.run(['retry', 'lib/total.js'])).stderr, /no attempt or snooze is recorded for .*lib\/total\.js/);

    const t0 = Date.now();
    const snoozed = await sb.runJson(['snooze', 'lib/total.js', '2h']);
    assert.equal(snoozed.code, 0);
    const until = Date.parse(snoozed.json.until);
    assert.ok(until >= t0 + 7_200_000 && until <= Date.now() + 7_200_000, snoozed.json.until);

    const run = await sb.runJson(['run']);
    assert.equal(run.json.fixes[0].outcome, 'skipped');
    assert.equal(run.json.fixes[0].reason, `snoozed until ${snoozed.json.until} (mechanic retry lifts it)`);
    assert.equal(sb.read('lib/total.js'), doubled);
    assert.equal(run.code, 1, 'a snoozed bug is left for a person');

    const status = await sb.runJson(['status']);
    assert.deepEqual(status.json.snoozes.map((s: any) => [path.basename(s.file), s.until]), [['total.js', snoozed.json.until]]);
    assert.match((await sb.run(['status'])).stdout, new RegExp(`snoozed lib/total\\.js until ${snoozed.json.until.replace(/\./g, '\\.')} \\((2\\.0h|1\\d\\dm) left\\)`));

    const retried = await sb.run(['retry', 'lib/total.js']);
    assert.match(retried.stdout, /lib\/total\.js: snooze lifted/);
    const fixed = await sb.runJson(['run']);
    assert.equal(fixed.json.fixes[0].outcome, 'applied', JSON.stringify(fixed.json.fixes[0]));
    assert.equal(fixed.code, 0);
    assert.deepEqual((await sb.runJson(['status'])).json.snoozes, []);

    // By fix id (a prefix will do): the cooldown of that fix's file is lifted.
    const retriedById = await sb.runJson(['retry', fixed.json.fixes[0].id.slice(0, 12)]);
    assert.deepEqual(retriedById.json.lifted, ['cooldown']);
  });
});
