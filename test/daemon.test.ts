// The daemon: cycles on its interval, one per state folder, and a clean stop on SIGTERM.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { nodeCheck, repoRoot, sandbox, SEED_WORKER, waitFor, type Sandbox } from './helpers/cli.ts';
import { startModelServer } from './helpers/model-server.ts';
import { PM2_BIN } from './helpers/pm2.ts';
import { minimalEnv, runProcess } from '../src/util/proc.ts';

const sandboxes: Sandbox[] = [];
after(() => sandboxes.forEach((s) => s.cleanup()));

function exited(child: import('node:child_process').ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    child.on('exit', (code) => resolve(code));
  });
}

describe('mechanic daemon', () => {
  it('runs cycles on its interval, refuses a second daemon, and stops on SIGTERM', async () => {
    const sb = sandbox();
    sandboxes.push(sb);
    sb.write('worker.js', SEED_WORKER);
    sb.config({ cycleIntervalMs: 300, llm: { provider: 'none' }, pm2Logs: false, stateDir: '../state' });
    const daemon = sb.spawn(['daemon', '--json']);
    let out = '';
    daemon.stdout!.on('data', (d) => (out += d));
    const lines = await waitFor('two cycles', () => {
      const l = out.split('\n').filter((x) => x.startsWith('{'));
      return l.length >= 2 && l;
    });
    const [c1, c2] = lines.map((l) => JSON.parse(l));
    assert.equal(c1.cycle, 1);
    assert.equal(c1.fixes[0].outcome, 'applied');
    assert.equal(c2.cycle, 2);
    assert.ok(Date.parse(c2.startedAt) - Date.parse(c1.startedAt) >= 290, 'cycles are an interval apart');
    assert.ok(nodeCheck(path.join(sb.app, 'worker.js')));

    const second = await sb.run(['daemon']);
    assert.equal(second.code, 3);
    assert.match(second.stderr, new RegExp(`another mechanic \\(pid ${daemon.pid}`));
    const run = await sb.run(['run']);
    assert.equal(run.code, 3, 'a run beside the daemon is refused too');

    daemon.kill('SIGTERM');
    const code = await exited(daemon);
    assert.equal(code, 0);
    assert.equal(fs.existsSync(path.join(sb.dir, 'state', 'mechanic.lock')), false, 'the lock is released');
    const status = await sb.runJson(['status']);
    assert.ok(status.json.totalCycles >= 2);
    assert.equal(status.json.running, null);
  });

  it('takes over a lock left by a killed daemon', async () => {
    const sb = sandbox();
    sandboxes.push(sb);
    sb.config({ cycleIntervalMs: 60_000, llm: { provider: 'none' }, pm2Logs: false, stateDir: '../state' });
    const first = sb.spawn(['daemon']);
    await waitFor('lock', () => fs.existsSync(path.join(sb.dir, 'state', 'mechanic.lock')));
    first.kill('SIGKILL');
    await exited(first);
    assert.equal(fs.existsSync(path.join(sb.dir, 'state', 'mechanic.lock')), true, 'the killed daemon left its lock');
    const before = (await sb.runJson(['status'])).json.totalCycles;
    const r = await sb.runJson(['run']);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /another mechanic/);
    // It ran a whole cycle under the lock it took over, and let it go.
    assert.equal((await sb.runJson(['status'])).json.totalCycles, before + 1);
    assert.equal(fs.existsSync(path.join(sb.dir, 'state', 'mechanic.lock')), false, 'the lock is released');
  });

  it('on SIGTERM mid-cycle leaves every file original or fixed', async () => {
    const sb = sandbox();
    sandboxes.push(sb);
    const originals: Record<string, string> = {};
    for (let i = 0; i < 3; i++) {
      const text = `function f${i}() {\n  return [${i}, 1;\n}\nmodule.exports = { f${i} };\n`;
      originals[`m${i}.js`] = text;
      sb.write(`m${i}.js`, text);
    }
    const server = await startModelServer({
      answers: (req: any) => {
        const m = /m(\d)\.js/.exec(req.body.prompt ?? '');
        const i = m ? Number(m[1]) : 0;
        // Slower than the test will wait: only an aborted model call lets the daemon stop in time.
        return { text: `function f${i}() {\n  return [${i}, 1];\n}\nmodule.exports = { f${i} };\n`, delayMs: 60_000 };
      },
    });
    try {
      sb.config({ repairers: ['llm'], cycleIntervalMs: 60_000, pm2Logs: false, stateDir: '../state', llm: { baseUrl: server.url } });
      const daemon = sb.spawn(['daemon']);
      let err = '';
      daemon.stderr!.on('data', (d) => (err += d));
      await waitFor('a model call under way', () => server.requests.some((q: any) => q.path === '/api/generate'));
      const t0 = Date.now();
      daemon.kill('SIGTERM');
      const code = await exited(daemon);
      assert.ok(Date.now() - t0 < 8_000, 'stopped promptly: the model call was aborted');
      assert.equal(code, 0, `a signal stop is a clean stop: ${err}`);
      assert.match(err, /SIGTERM: finishing the step under way, then stopping/);
      for (const [name, text] of Object.entries(originals)) {
        const now = sb.read(name);
        assert.ok(now === text || nodeCheck(path.join(sb.app, name)), `${name} is original or fixed`);
      }
      const leftovers = fs.readdirSync(sb.app).filter((n) => n.includes('.mechanic-tmp-'));
      assert.deepEqual(leftovers, []);
      assert.equal(fs.existsSync(path.join(sb.dir, 'state', 'mechanic.lock')), false);
      assert.doesNotThrow(() => JSON.parse(fs.readFileSync(path.join(sb.dir, 'state', 'state.json'), 'utf8')));
    } finally {
      await server.close();
    }
  });
});

describe('under PM2', () => {
  it('runs from examples/pm2/ecosystem.config.js, fixes, and stops cleanly with pm2 stop', async () => {
    const sb = sandbox();
    sandboxes.push(sb);
    sb.write('worker.js', SEED_WORKER);
    const config = sb.config({ cycleIntervalMs: 500, llm: { provider: 'none' }, pm2Logs: false, stateDir: '../state' });
    const pm2Home = path.join(sb.dir, 'pm2-home');
    const env = minimalEnv({ PM2_HOME: pm2Home, HOME: sb.home, MECHANIC_CONFIG: config, PM2_DISCRETE_MODE: 'true' });
    const pm2 = (args: string[]) => runProcess(PM2_BIN, args, { cwd: sb.app, env, timeoutMs: 60_000 });
    try {
      const started = await pm2(['start', path.join(repoRoot, 'examples', 'pm2', 'ecosystem.config.js')]);
      assert.equal(started.code, 0, started.stderr + started.stdout);
      await waitFor('worker.js fixed by the daemon under PM2', () => nodeCheck(path.join(sb.app, 'worker.js')), 30_000, 200);
      const list = await pm2(['jlist']);
      const apps = JSON.parse(list.stdout.split('\n').reverse().find((l) => l.startsWith('['))!);
      assert.equal(apps[0].name, 'code-mechanic');
      assert.equal(apps[0].pm2_env.status, 'online');
      assert.ok(fs.existsSync(path.join(sb.dir, 'state', 'mechanic.lock')));
      const stopped = await pm2(['stop', 'code-mechanic']);
      assert.equal(stopped.code, 0, stopped.stderr);
      await waitFor('lock released', () => !fs.existsSync(path.join(sb.dir, 'state', 'mechanic.lock')), 20_000);
      const log = fs.readFileSync(path.join(pm2Home, 'logs', 'code-mechanic-out.log'), 'utf8');
      assert.match(log, /cycle 1: no probes configured; 1 bug\(s\), 1 fixed/);
    } finally {
      await pm2(['kill']);
    }
  });
});
