// A syntax engine that cannot start (its module does not load: here dist/ copied where acorn does
// not resolve) stops the scan at once and loudly: exit 1 naming the cause, no file reported as
// scanned, a few engine starts rather than one a file. The daemon logs it each cycle, tells its
// channels once (daemon.failing), shows it in status and /health, and recovers once the install
// is fixed (daemon.recovered). An engine that starts but fails every file stops it too.
// (A file that kills its engine: see engine-heap.test.ts.)
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot, runCli, waitFor } from './helpers/cli.ts';

const CAUSE = /the syntax engine cannot start: Cannot find package 'acorn' imported from .*compile\.js/;

describe('a syntax engine that cannot start', () => {
  let dir: string;
  let bin: string;
  const env = (): NodeJS.ProcessEnv => ({ PATH: process.env.PATH, HOME: path.join(dir, 'home'), XDG_STATE_HOME: path.join(dir, 'home', 'state'), NO_COLOR: '1' });
  const config = (name: string, extra: object = {}): string => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, JSON.stringify({ roots: [path.join(dir, 'tree')], stateDir: path.join(dir, `state-${name}`), pm2Logs: false, llm: { provider: 'none' }, ...extra }));
    return file;
  };

  before(() => {
    dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mechanic-engine-start-')));
    // The CLI runs as one bundle (its dependencies inside); the engine's modules are dist/'s own,
    // which import acorn from a node_modules that is not there.
    fs.cpSync(path.join(repoRoot, 'dist'), path.join(dir, 'mechanic', 'dist'), { recursive: true });
    fs.copyFileSync(path.join(repoRoot, 'package.json'), path.join(dir, 'mechanic', 'package.json'));
    bin = path.join(dir, 'mechanic', 'dist', 'cli', 'bin.cjs');
    fs.mkdirSync(path.join(dir, 'tree'));
    fs.mkdirSync(path.join(dir, 'home'));
    for (let i = 0; i < 250; i++) fs.writeFileSync(path.join(dir, 'tree', `f${i}.js`), `module.exports = ${i};\n`);
    fs.writeFileSync(path.join(dir, 'tree', 'broken.js'), 'function (\n');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (const args of [['scan', '--json'], ['scan'], ['run', '--json']])
    it(`mechanic ${args.join(' ')}: exits 1 at once, naming the engine's error, and reports no file`, async () => {
      const started = Date.now();
      const r = await runCli(['--config', config(`${args.join('-')}.json`), ...args], { cwd: dir, env: env(), timeoutMs: 60_000, cli: bin });
      const ms = Date.now() - started;
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, CAUSE);
      assert.match(r.stderr, /^mechanic: error: /m);
      // No report at all: neither "0 bugs" nor a file skipped one by one.
      assert.equal(r.stdout, '');
      // One engine start a file took ~22 s of CPU on 200 files.
      assert.ok(ms < 10_000, `took ${ms} ms`);
    });

  it('an engine that starts but fails every file (a corrupt install): exits 1 after a few files, not an engine a file', async () => {
    // Another copy, its dependencies resolved, whose engine throws on any file it is asked to check.
    const copy = path.join(dir, 'corrupt');
    fs.cpSync(path.join(dir, 'mechanic'), copy, { recursive: true });
    fs.symlinkSync(path.join(repoRoot, 'node_modules'), path.join(copy, 'node_modules'), 'dir');
    const worker = path.join(copy, 'dist', 'engine', 'worker.js');
    const text = fs.readFileSync(worker, 'utf8');
    const head = 'export function checkFile(item, rules = ownRules) {';
    assert.ok(text.includes(head), 'worker.js as built');
    fs.writeFileSync(worker, text.replace(head, `${head}\n    throw new Error(\`corrupt install (\${item.file})\`);`));
    const started = Date.now();
    const r = await runCli(['--config', config('corrupt.json'), 'scan', '--json'], { cwd: dir, env: env(), timeoutMs: 60_000, cli: path.join(copy, 'dist', 'cli', 'bin.cjs') });
    const ms = Date.now() - started;
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^mechanic: error: the syntax engine fails on every file \(3 in a row, .*\): Error: corrupt install \(/m);
    assert.equal(r.stdout, '');
    // An engine a file (each judged again alone) took ~16 s on 200 files.
    assert.ok(ms < 10_000, `took ${ms} ms`);
  });

  it('a cycle that finishes, by `mechanic run` too, ends the run of failed cycles the state holds', async () => {
    fs.mkdirSync(path.join(dir, 'tree-ok'));
    fs.writeFileSync(path.join(dir, 'tree-ok', 'ok.js'), 'module.exports = 1;\n');
    const cfg = config('after-run.json', { roots: [path.join(dir, 'tree-ok')] });
    const stateDir = path.join(dir, 'state-after-run.json');
    fs.mkdirSync(stateDir, { recursive: true });
    const failure = { since: '2026-12-04T10:00:00.000Z', lastAt: '2026-12-04T10:05:00.000Z', cycles: 4, message: 'the syntax engine cannot start: gone' };
    fs.writeFileSync(path.join(stateDir, 'state.json'), JSON.stringify({ version: 1, totalCycles: 4, cycleFailure: failure }));
    const before = await runCli(['--config', cfg, 'status', '--json'], { cwd: dir, env: env(), timeoutMs: 30_000 });
    assert.deepEqual((JSON.parse(before.stdout) as { cycleFailure: unknown }).cycleFailure, failure);
    assert.equal(before.code, 1, 'failing cycles make status exit 1');
    // The repository's own build, whose engine starts.
    const run = await runCli(['--config', cfg, 'run', '--json'], { cwd: dir, env: env(), timeoutMs: 60_000 });
    assert.equal(run.code, 0, run.stderr);
    const after = await runCli(['--config', cfg, 'status', '--json'], { cwd: dir, env: env(), timeoutMs: 30_000 });
    assert.equal((JSON.parse(after.stdout) as { cycleFailure: unknown }).cycleFailure, null, after.stdout);
  });

  it('the daemon logs it every cycle, tells its channels once (across a restart), shows it in status, /health and /metrics, and recovers once the install is fixed', async () => {
    // A command channel: each event's JSON appended to a file.
    const events = path.join(dir, 'events.jsonl');
    const catTo = path.join(dir, 'cat-to.mjs');
    fs.writeFileSync(catTo, "import fs from 'node:fs';\nlet s = '';\nprocess.stdin.on('data', (d) => (s += d)).on('end', () => fs.appendFileSync(process.argv[2], s.trim() + '\\n'));\n");
    const cfg = config('daemon.json', { cycleIntervalMs: 300, notify: [{ type: 'command', command: [process.execPath, catTo, events] }] });
    const told = (): { event: string; reason?: string; attempts?: number; status?: string }[] =>
      fs.existsSync(events) ? fs.readFileSync(events, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { event: string }) : [];
    /** A daemon (serving /health and /metrics); `out()` is what it printed so far. */
    const start = () => {
      const child = spawn(process.execPath, [bin, '--config', cfg, 'daemon', '--http', '127.0.0.1:0'], { cwd: dir, env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      child.stdout.on('data', (d) => (text += d));
      child.stderr.on('data', (d) => (text += d));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      const url = (): string => /serving (http:\/\/127\.0\.0\.1:\d+\/)/.exec(text)![1]!;
      return { child, exited, out: () => text, failed: () => (text.match(/cycle failed: .*/g) ?? []).length, url };
    };
    const health = async (url: string): Promise<{ code: number; doc: { status: string; checks: Record<string, { status: string; output?: string; observedValue?: number }[]> } }> => {
      const r = await fetch(`${url}health`);
      return { code: r.status, doc: (await r.json()) as never };
    };
    const failingGauge = async (url: string): Promise<number> => Number(/^mechanic_cycles_failing (\d+)$/m.exec(await (await fetch(`${url}metrics`)).text())![1]);
    const failureOf = async (): Promise<{ code: number | null; failure: { cycles: number; message: string; since: string } | null }> => {
      const st = await runCli(['--config', cfg, 'status', '--json'], { cwd: dir, env: env(), timeoutMs: 30_000, cli: bin });
      return { code: st.code, failure: (JSON.parse(st.stdout) as { cycleFailure: { cycles: number; message: string; since: string } | null }).cycleFailure };
    };
    let d = start();
    try {
      await waitFor('three failed cycles', () => d.failed() >= 3);
      for (const line of d.out().match(/cycle failed: .*/g)!) assert.match(line, CAUSE);
      assert.doesNotMatch(d.out(), /cycle \d+: /, 'no cycle reported as done');
      // Told once for the run of failures, with the cause.
      await waitFor('daemon.failing delivered', () => told().some((e) => e.event === 'daemon.failing'));
      const failingEvents = told().filter((e) => e.event === 'daemon.failing');
      assert.equal(failingEvents.length, 1, JSON.stringify(told()));
      assert.match(failingEvents[0]!.reason!, CAUSE);
      assert.equal(failingEvents[0]!.attempts, 1);
      // status: the run of failures, and exit 1 (a monitor reads the exit code).
      const st = await failureOf();
      assert.equal(st.code, 1);
      assert.ok(st.failure && st.failure.cycles >= 2, JSON.stringify(st));
      assert.match(st.failure.message, CAUSE);
      const text = await runCli(['--config', cfg, 'status'], { cwd: dir, env: env(), timeoutMs: 30_000, cli: bin });
      assert.match(text.stdout, /cycles failing since \S+ \(\d+ in a row, the last \S+\): the syntax engine cannot start/);
      // /health fails, naming the cycles, though no probe is down.
      const h = await health(d.url());
      assert.equal(h.code, 503);
      assert.equal(h.doc.status, 'fail');
      assert.equal(h.doc.checks['mechanic:cycles']![0]!.status, 'fail');
      assert.match(h.doc.checks['mechanic:cycles']![0]!.output!, CAUSE);
      assert.ok((await failingGauge(d.url())) >= 2);

      // Restarted while failing (PM2 or systemd would): the same run goes on, told no second time.
      d.child.kill('SIGTERM');
      assert.equal(await d.exited, 0, d.out());
      const before = (await failureOf()).failure!;
      d = start();
      await waitFor('two more failed cycles', () => d.failed() >= 2);
      const goingOn = (await failureOf()).failure!;
      assert.equal(goingOn.since, before.since, 'the same run of failures');
      assert.ok(goingOn.cycles >= before.cycles + 2, `${before.cycles} then ${goingOn.cycles}`);
      assert.equal(told().filter((e) => e.event === 'daemon.failing').length, 1, 'no second daemon.failing after the restart');

      // The install fixed: acorn resolves from the copy's node_modules.
      fs.symlinkSync(path.join(repoRoot, 'node_modules'), path.join(dir, 'mechanic', 'node_modules'), 'dir');
      const done = await waitFor('a cycle that scans', () => /cycle \d+: .*1 bug\(s\)/.exec(d.out()));
      assert.ok(done, d.out());
      await waitFor('daemon.recovered delivered', () => told().some((e) => e.event === 'daemon.recovered'));
      const recovered = told().filter((e) => e.event === 'daemon.recovered');
      assert.equal(recovered.length, 1);
      assert.ok(recovered[0]!.attempts! >= goingOn.cycles, JSON.stringify(recovered[0]));
      assert.equal(told().filter((e) => e.event === 'daemon.failing').length, 1, 'still one daemon.failing for the whole run');
      const after = await failureOf();
      assert.equal(after.failure, null);
      const h2 = await health(d.url());
      assert.equal(h2.code, 200, JSON.stringify(h2.doc));
      assert.equal(h2.doc.checks['mechanic:cycles'], undefined);
      assert.equal(await failingGauge(d.url()), 0);
    } finally {
      d.child.kill('SIGTERM');
      fs.rmSync(path.join(dir, 'mechanic', 'node_modules'), { force: true });
    }
    assert.equal(await d.exited, 0, d.out());
  });
});
