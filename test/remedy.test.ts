// Probe remedies through the `mechanic` CLI: a command (argv, no shell, minimal environment,
// killed at its timeout) and the pm2 probe's restart, under a real PM2 daemon (its own
// PM2_HOME), held to cooldownMs and maxPerDay across separate `mechanic run`s, never beside a fix.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { box, runCli, SEED_WORKER, waitFor, type Sandbox } from './helpers/cli.ts';
import { PM2_BIN } from './helpers/pm2.ts';
import { minimalEnv, runProcess } from '../src/util/proc.ts';

const node = process.execPath;
/** A probe that is down every time: a command exiting 1. */
const downProbe = (extra: Record<string, unknown> = {}) => ({ name: 'feed', kind: 'command', command: [node, '-e', 'process.exit(1)'], ...extra });
/** A remedy program that appends its argv, environment and folder to runs.jsonl (one line a run). */
const recorder = "require('fs').appendFileSync('runs.jsonl', JSON.stringify({ argv: process.argv.slice(1), secret: process.env.CM_SECRET ?? null, greeting: process.env.GREETING ?? null, cwd: process.cwd() }) + '\\n')";
// A remedy's file exists, empty, a moment before its line is written: read, it holds no run yet.
const runsOf = (sb: Sandbox) => (fs.existsSync(path.join(sb.app, 'runs.jsonl')) ? sb.read('runs.jsonl').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l)) : []);
const remedyLog = async (sb: Sandbox) => (await sb.runJson(['log', '--limit', '200'])).json.filter((e: any) => e.type === 'remedy');
const stateOf = (sb: Sandbox) => {
  const dir = path.join(sb.home, 'state', 'code-mechanic');
  const [folder] = fs.readdirSync(dir);
  return JSON.parse(fs.readFileSync(path.join(dir, folder!, 'state.json'), 'utf8'));
};

describe('remedy config', () => {
  const cases: { title: string; probe: Record<string, unknown>; key: RegExp }[] = [
    { title: 'a remedy without a command on a kind that has no built-in one', probe: downProbe({ remedy: { cooldownMs: 1000 } }), key: /^\s+probes\[1\]\.remedy\.command: required: the program to run, as argv/m },
    { title: 'a command given as one string (it would need a shell)', probe: downProbe({ remedy: { command: 'systemctl restart feed; rm -rf /' } }), key: /^\s+probes\[1\]\.remedy\.command: /m },
    { title: 'maxPerDay 0', probe: downProbe({ remedy: { command: ['true'], maxPerDay: 0 } }), key: /^\s+probes\[1\]\.remedy\.maxPerDay: /m },
    { title: 'a negative cooldown', probe: downProbe({ remedy: { command: ['true'], cooldownMs: -1 } }), key: /^\s+probes\[1\]\.remedy\.cooldownMs: /m },
    { title: 'a misspelt key', probe: downProbe({ remedy: { command: ['true'], cooldown: 60000 } }), key: /^\s+probes\[1\]\.remedy\.cooldown: unknown key/m },
  ];
  for (const c of cases)
    it(`rejects ${c.title}, naming the key, and changes nothing`, async () => {
      const sb = box();
      sb.config({ pm2Logs: false, probes: [{ name: 'ok', kind: 'command', command: ['true'] }, c.probe] });
      const r = await sb.run(['run']);
      assert.equal(r.code, 2, r.stdout + r.stderr);
      assert.match(r.stderr, c.key);
      assert.ok(!fs.existsSync(path.join(sb.home, 'state')), 'no state written');
    });

  it('a pm2 probe may have a remedy without a command (its built-in restart)', async () => {
    const sb = box();
    sb.config({ pm2Logs: false, probes: [{ name: 'apps', kind: 'pm2', pm2Bin: '/no/such/pm2', remedy: { maxPerDay: 2 } }] });
    const r = await sb.runJson(['run']);
    assert.equal(r.code, 1);
    assert.equal(r.json.probes[0].status, 'down');
    // PM2 cannot be asked: the remedy fails with the reason, and counts as a run.
    assert.equal(r.json.remedies.length, 1);
    assert.equal(r.json.remedies[0].outcome, 'failed');
    assert.match(r.json.remedies[0].reason, /pm2 jlist: cannot start/);
  });
});

describe('a command remedy', () => {
  it('runs when the probe is down, argv passed literally (no shell), minimal environment; recorded in the log and the state; then held by its cooldown', async () => {
    const sb = box();
    const argv = ['; touch pwned1', '$(touch pwned2)', '`touch pwned3`', 'a b', '&& echo hi > pwned4'];
    sb.config({ pm2Logs: false, probes: [downProbe({ remedy: { command: [node, '-e', recorder, ...argv], env: { GREETING: 'hi' }, cooldownMs: 3_600_000 } })] });
    const r = await sb.runJson(['run'], { env: { CM_SECRET: 'hunter2' } });
    assert.equal(r.code, 1, 'the probe was down');
    const [remedy] = r.json.remedies;
    assert.equal(remedy.outcome, 'ok', remedy.reason);
    assert.equal(remedy.reason, 'exit 0');
    assert.equal(remedy.probe, 'feed');
    const runs = runsOf(sb);
    assert.equal(runs.length, 1);
    assert.deepEqual(runs[0].argv, argv, 'every argument arrives as written');
    assert.equal(runs[0].secret, null, "the mechanic's environment is not passed on");
    assert.equal(runs[0].greeting, 'hi');
    assert.equal(fs.realpathSync(runs[0].cwd), sb.app, 'runs in the config folder');
    for (const f of fs.readdirSync(sb.app)) assert.ok(!f.startsWith('pwned'), `a shell ran: ${f}`);
    const logged = await remedyLog(sb);
    assert.equal(logged.length, 1);
    assert.equal(logged[0].outcome, 'ok');
    assert.deepEqual(logged[0].action.slice(3), argv);
    assert.equal(stateOf(sb).remedies.feed.runs.length, 1);

    // The next run: down again, but within the cooldown: held, nothing runs.
    const again = await sb.runJson(['run']);
    assert.equal(again.json.remedies[0].outcome, 'skipped');
    assert.match(again.json.remedies[0].reason, /^cooldown: last run .* ago; next in /);
    assert.equal(runsOf(sb).length, 1);
    assert.equal((await remedyLog(sb)).length, 1, 'a held remedy is not logged');
    const text = await sb.run(['run']);
    assert.match(text.stdout, /^remedies:\n\s+held\s+feed: .* cooldown: /m);
  });

  it('is killed at its timeout, with the programs it started, and recorded as failed', async () => {
    const sb = box();
    // The remedy starts a program of its own that shares its output: both must go at the timeout.
    const sleeper =
      "const g = require('child_process').spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'inherit' }); require('fs').writeFileSync('sleeper.pids', JSON.stringify([process.pid, g.pid])); setTimeout(() => {}, 60000)";
    sb.config({ pm2Logs: false, probes: [downProbe({ remedy: { command: [node, '-e', sleeper], timeoutMs: 700 } })] });
    const started = Date.now();
    const r = await sb.runJson(['run'], { timeoutMs: 30_000 });
    assert.ok(Date.now() - started < 15_000);
    const [remedy] = r.json.remedies;
    assert.equal(remedy.outcome, 'failed');
    assert.equal(remedy.timedOut, true);
    assert.match(remedy.reason, /^timed out after 700 ms: killed$/);
    assert.ok(remedy.durationMs >= 700 && remedy.durationMs < 5_000, String(remedy.durationMs));
    const gone = (pid: number) => {
      try {
        process.kill(pid, 0);
        return false;
      } catch {
        return true;
      }
    };
    // Killed at once; a moment for the orphan to be reaped.
    for (const pid of JSON.parse(sb.read('sleeper.pids')) as number[]) await waitFor(`process ${pid} gone`, () => gone(pid), 5_000);
    const logged = await remedyLog(sb);
    assert.equal(logged.length, 1);
    assert.equal(logged[0].outcome, 'failed');
    const text = await sb.run(['log']);
    assert.match(text.stdout, /remedy feed: .* failed \(timed out after 700 ms: killed\)/);
  });

  it('--dry-run says what it would run, and runs and records nothing', async () => {
    const sb = box();
    sb.config({ pm2Logs: false, probes: [downProbe({ remedy: { command: [node, '-e', recorder, 'x'] } })] });
    const r = await sb.run(['run', '--dry-run']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^remedies:\n\s+would run\s+feed: .* dry run: would run .*-e/m);
    assert.equal(runsOf(sb).length, 0);
    assert.ok(!fs.existsSync(path.join(sb.home, 'state')), 'no state or log written');
  });

  it('a run is counted before it starts: a mechanic killed during its remedy does not get to run it again within the cooldown', async () => {
    const sb = box();
    const slow = "require('fs').appendFileSync('runs.jsonl', JSON.stringify({ pid: process.pid }) + '\\n'); setTimeout(() => {}, 30000)";
    sb.config({ pm2Logs: false, probes: [downProbe({ remedy: { command: [node, '-e', slow], cooldownMs: 3_600_000, timeoutMs: 60_000 } })] });
    const child = sb.spawn(['run']);
    const exited = new Promise((res) => child.once('exit', res));
    const end = Date.now() + 20_000;
    while (runsOf(sb).length === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    assert.equal(runsOf(sb).length, 1, 'the remedy started');
    child.kill('SIGKILL');
    await exited;
    process.kill(runsOf(sb)[0].pid, 'SIGKILL'); // the orphaned remedy
    const again = await sb.runJson(['run']);
    assert.equal(again.json.remedies[0].outcome, 'skipped');
    assert.match(again.json.remedies[0].reason, /^cooldown: /);
    assert.equal(runsOf(sb).length, 1);
  });

  it('waits while a fix is in flight (an open journal entry): shown in a dry run', async () => {
    const sb = box();
    sb.config({ pm2Logs: false, probes: [downProbe({ remedy: { command: [node, '-e', recorder] } })] });
    await sb.runJson(['run']); // creates the state folder
    const folder = path.dirname(path.join(sb.home, 'state', 'code-mechanic', fs.readdirSync(path.join(sb.home, 'state', 'code-mechanic'))[0]!, 'x'));
    const file = sb.write('lib/busy.js', 'module.exports = 1;\n');
    fs.mkdirSync(path.join(folder, 'journal'), { recursive: true });
    fs.writeFileSync(path.join(folder, 'journal', 'fix-1.json'), JSON.stringify({ id: 'fix-1', file, originalHash: 'x', backup: '/nonexistent', phase: 'writing', startedAt: new Date().toISOString() }));
    const r = await sb.runJson(['run', '--dry-run']);
    assert.equal(r.json.remedies[0].outcome, 'skipped');
    assert.equal(r.json.remedies[0].reason, `a fix of ${file} is in flight`);
  });

  it('does nothing while the probe is failing but not yet down (failureThreshold)', async () => {
    const sb = box();
    sb.config({ pm2Logs: false, probes: [downProbe({ failureThreshold: 2, remedy: { command: [node, '-e', recorder], cooldownMs: 0 } })] });
    const first = await sb.runJson(['run']);
    assert.equal(first.json.probes[0].status, 'degraded');
    assert.deepEqual(first.json.remedies, []);
    assert.equal(runsOf(sb).length, 0);
    const second = await sb.runJson(['run']);
    assert.equal(second.json.probes[0].status, 'down');
    assert.equal(second.json.remedies[0].outcome, 'ok');
    assert.equal(runsOf(sb).length, 1);
  });
});

// ---------------------------------------------------------------------------------------------

interface Pm2Box {
  sb: Sandbox;
  pm2(args: string[]): ReturnType<typeof runProcess>;
  status(name: string): Promise<string | undefined>;
  waitStatus(name: string, want: (s: string | undefined) => boolean, timeoutMs?: number): Promise<string | undefined>;
}

const daemons: Pm2Box[] = [];
after(async () => {
  for (const d of daemons) await d.pm2(['kill']);
});

/** A PM2 daemon in the sandbox's PM2_HOME running the sandbox's own app files. */
async function pm2Box(apps: { name: string; script: string; options?: Record<string, unknown> }[], files: Record<string, string>): Promise<Pm2Box> {
  const sb = box();
  for (const [rel, text] of Object.entries(files)) sb.write(rel, text);
  const env = minimalEnv({ PM2_HOME: sb.env.PM2_HOME!, HOME: sb.home, PM2_DISCRETE_MODE: 'true' });
  const pm2 = (args: string[]) => runProcess(PM2_BIN, args, { cwd: sb.app, env, timeoutMs: 60_000 });
  const eco = sb.write('ecosystem.json', JSON.stringify({ apps: apps.map((a) => ({ name: a.name, script: path.join(sb.app, a.script), cwd: sb.app, ...a.options })) }));
  const d: Pm2Box = {
    sb,
    pm2,
    async status(name) {
      const r = await pm2(['jlist']);
      const list = JSON.parse(r.stdout.split('\n').reverse().find((l) => l.startsWith('[')) ?? '[]');
      return list.find((p: any) => p.name === name)?.pm2_env.status;
    },
    async waitStatus(name, want, timeoutMs = 20_000) {
      const end = Date.now() + timeoutMs;
      let s: string | undefined;
      while (Date.now() < end) {
        if (want((s = await d.status(name)))) return s;
        await new Promise((r) => setTimeout(r, 150));
      }
      throw new Error(`${name} is ${s} after ${timeoutMs} ms`);
    },
  };
  daemons.push(d);
  const started = await pm2(['start', eco]);
  assert.equal(started.code, 0, started.stderr);
  return d;
}

describe('the pm2 probe\'s built-in remedy (a real PM2 daemon)', () => {
  it('a pm2 probe without its own pm2Bin asks the top-level one, a relative path read from the config folder', async () => {
    const d = await pm2Box([{ name: 'web', script: 'web.js' }], { 'web.js': 'setInterval(() => {}, 1000);\n' });
    await d.waitStatus('web', (s) => s === 'online');
    // The real pm2 behind a wrapper that leaves a mark: the mark says which program the probe ran.
    const mark = path.join(d.sb.dir, 'wrapper-ran');
    fs.mkdirSync(path.join(d.sb.app, 'tools'), { recursive: true });
    fs.writeFileSync(path.join(d.sb.app, 'tools', 'pm2'), `#!/bin/sh\n: > '${mark}'\nexec '${PM2_BIN}' "$@"\n`, { mode: 0o755 });
    const config = d.sb.config({ pm2Logs: false, pm2Bin: './tools/pm2', probes: [{ name: 'apps', kind: 'pm2', processes: ['web'] }] });
    // Started from another folder, as PM2 and systemd start the daemon.
    const r = await runCli(['-c', config, 'run', '--json'], { cwd: d.sb.dir, env: d.sb.env, timeoutMs: 90_000 });
    const probe = JSON.parse(r.stdout).probes[0];
    assert.equal(probe.status, 'healthy', JSON.stringify(probe));
    assert.ok(fs.existsSync(mark), 'the probe ran the configured pm2');
    assert.equal(r.code, 0, r.stderr);
  });

  it('restarts a stopped app, within cooldownMs and maxPerDay, over several mechanic runs', async () => {
    const d = await pm2Box([{ name: 'web', script: 'web.js' }, { name: 'other', script: 'other.js' }], {
      'web.js': 'setInterval(() => {}, 1000);\n',
      'other.js': 'setInterval(() => {}, 1000);\n',
    });
    await d.waitStatus('web', (s) => s === 'online');
    await d.waitStatus('other', (s) => s === 'online');
    const configure = (remedy: Record<string, unknown>) =>
      d.sb.config({ pm2Logs: false, pm2Bin: PM2_BIN, probes: [{ name: 'apps', kind: 'pm2', processes: ['web'], pm2Bin: PM2_BIN, remedy }] });
    configure({ cooldownMs: 3_600_000, maxPerDay: 2 });
    const run = async () => (await d.sb.runJson(['run'], { timeoutMs: 90_000 })).json;
    const stopWeb = async () => {
      assert.equal((await d.pm2(['stop', 'web'])).code, 0);
      await d.waitStatus('web', (s) => s === 'stopped');
    };

    // Healthy: no remedy.
    assert.deepEqual((await run()).remedies, []);

    // 1. Stopped → restarted.
    await stopWeb();
    assert.equal((await d.pm2(['stop', 'other'])).code, 0);
    let r = await run();
    assert.equal(r.probes[0].status, 'down');
    assert.match(r.probes[0].reason, /web stopped/);
    assert.deepEqual(r.remedies.map((x: any) => [x.process, x.outcome]), [['web', 'ok']], 'only the watched process');
    assert.deepEqual(r.remedies[0].action, ['pm2', 'restart', 'web']);
    assert.equal(await d.waitStatus('web', (s) => s === 'online'), 'online');
    assert.equal(await d.status('other'), 'stopped', 'a process the probe does not watch is left alone');

    // 2. Stopped again: held by the cooldown (an hour), left stopped.
    await stopWeb();
    r = await run();
    assert.equal(r.remedies[0].outcome, 'skipped');
    assert.match(r.remedies[0].reason, /^cooldown: last run \d+(\.\d)? s ago; next in 59 min \d+ s$/);
    assert.equal(await d.status('web'), 'stopped');

    // 3. No cooldown any more (the runs already counted stay counted): restarted, the second run of the day.
    configure({ cooldownMs: 0, maxPerDay: 2 });
    r = await run();
    assert.equal(r.remedies[0].outcome, 'ok', r.remedies[0].reason);
    await d.waitStatus('web', (s) => s === 'online');

    // 4. Stopped again: held by maxPerDay, left stopped.
    await stopWeb();
    r = await run();
    assert.equal(r.remedies[0].outcome, 'skipped');
    assert.match(r.remedies[0].reason, /^maxPerDay 2 reached \(2 runs in the past 24 h\); next in 23 h 59 min$/);
    await new Promise((res) => setTimeout(res, 1_000));
    assert.equal(await d.status('web'), 'stopped');

    const logged = await remedyLog(d.sb);
    assert.deepEqual(logged.map((e: any) => [e.probe, e.process, e.outcome]), [['apps', 'web', 'ok'], ['apps', 'web', 'ok']]);
    assert.equal(stateOf(d.sb).remedies['apps/web'].runs.length, 2);
  });

  it('leaves a process whose file a fix tried this cycle to the fix, which runs it again', async () => {
    // A worker whose module has a syntax slip: it crashes until PM2 gives up (errored); every exit
    // counts as unstable however slowly a loaded machine starts node.
    const d = await pm2Box([{ name: 'worker', script: 'worker.js', options: { max_restarts: 2, min_uptime: 3_600_000 } }], {
      'worker.js': "const { processData } = require('./lib/process');\nprocessData();\nsetInterval(() => {}, 1000);\n",
      'lib/process.js': SEED_WORKER,
    });
    await d.waitStatus('worker', (s) => s === 'errored');
    d.sb.config({ pm2Logs: false, llm: { provider: 'none' }, pm2Bin: PM2_BIN, probes: [{ name: 'apps', kind: 'pm2', pm2Bin: PM2_BIN, remedy: { cooldownMs: 0 } }] });

    const first = (await d.sb.runJson(['run'], { timeoutMs: 90_000 })).json;
    const fix = first.fixes.find((f: any) => f.file.endsWith(path.join('lib', 'process.js')));
    assert.equal(fix?.outcome, 'applied', JSON.stringify(first.fixes));
    // The fix restarts the process it kept down; the remedy does not run beside it.
    assert.equal(fix.restart?.process, 'worker', JSON.stringify(fix));
    assert.equal(fix.restart.ok, true, fix.restart.reason);
    assert.ok(first.remedies.every((x: any) => x.outcome === 'skipped'), JSON.stringify(first.remedies));
    for (const x of first.remedies) assert.match(x.reason, /^(a fix of .*lib\/process\.js was tried this cycle|no watched process is stopped or errored: nothing a restart brings back)$/);
    assert.equal((await remedyLog(d.sb)).length, 0);
    assert.equal(await d.status('worker'), 'online');

    // The next cycle finds it up: nothing to remedy.
    const second = (await d.sb.runJson(['run'], { timeoutMs: 90_000 })).json;
    assert.equal((await remedyLog(d.sb)).length, 0, JSON.stringify(second.remedies));
    await new Promise((res) => setTimeout(res, 1_500));
    assert.equal(await d.status('worker'), 'online', 'it stays up: the fix cured it');
  });
});

describe('daemon lines', () => {
  it('name the probes that are not healthy and why bugs were skipped, counted by reason', async () => {
    const sb = box();
    sb.write('lib/a.js', SEED_WORKER);
    sb.write('vendor/b.js', SEED_WORKER);
    sb.write('vendor/c.js', SEED_WORKER);
    sb.config({
      pm2Logs: false,
      protect: ['vendor/**'],
      maxFixesPerRun: 0,
      probes: [{ name: 'ok', kind: 'command', command: ['true'] }, downProbe({ remedy: { command: [node, '-e', recorder] } })],
    });
    const r = await sb.run(['daemon', '--cycles', '1'], { timeoutMs: 60_000 });
    assert.match(r.stdout, /cycle 1: 1\/2 healthy, 1 down \(feed down: exit 1, expected exit 0\); 3 bug\(s\), 0 fixed, 3 skipped \(2 protected, 1 per-run cap reached\); remedies: 1 ran; \d+ ms$/m);
    assert.match(r.stdout, /^\S+\s+remedy ok feed: .* exit 0$/m);
  });
});
