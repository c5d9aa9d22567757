/**
 * The soak: `mechanic daemon` over a small real app under a real PM2 (an HTTP server, a queue
 * worker, a shared module both require), with failures injected on a schedule and the daemon
 * SIGKILLed at random moments (seeded) and started again at once. Shared by the quick form
 * (test/soak.test.ts) and the long form (bench/soak.ts).
 *
 * Everything is judged from outside the product: the bytes the driver wrote, `node --check`, the
 * app answering on HTTP and processing a job, the requests the model server saw. The product's own
 * records are read only where the question is about them: whether a fix on disk "is recorded as
 * validated" (its log, its journal), and which probe status changes it logged.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { seededRandom, type Random } from '../../bench/lib/prng.ts';
import { minimalEnv, runProcess } from '../../src/util/proc.ts';
import { cliPath, closedPort, nodeCheck, sandbox } from './cli.ts';
import { startModelServer, type ModelServer, type RecordedRequest } from './model-server.ts';
import { PM2_BIN } from './pm2.ts';

export interface SoakOptions {
  /** SIGKILLs of the daemon; the run ends once they are done and `minFaults` were injected. */
  kills: number;
  minFaults?: number;
  seed?: number;
  cycleIntervalMs?: number;
  /** Time from a daemon's start to its SIGKILL, uniform in [min, max]. */
  killAfterMs?: [number, number];
  /** Length of a healthy stretch between faults, uniform in [min, max]. */
  healthyMs?: [number, number];
  /** How long the app gets to run again after a fault before the driver puts it right itself. */
  recoverTimeoutMs?: number;
  /** Add the pm2 probe's built-in remedy (restart what is stopped or errored), its limits as short as the file cooldown. */
  remedy?: boolean;
  /** Without a remedy, how long a process stopped by hand is watched staying stopped. */
  stoppedWatchMs?: number;
  /** Progress lines. */
  onLine?: (line: string) => void;
}

export type FaultKind = 'slip-shared' | 'slip-server' | 'slip-worker' | 'runtime-shared' | 'stop-worker';
/** Crash loops: a syntax slip deployed into a file a PM2 process runs. */
export const CRASH_LOOPS: readonly FaultKind[] = ['slip-shared', 'slip-server', 'slip-worker'];

export interface FaultRecord {
  n: number;
  kind: FaultKind;
  at: number;
  /** The app was seen failing (HTTP or the job) after the injection: the fault bit. */
  bit: boolean;
  /** ms from the injection to the app answering HTTP and processing a job again, without the driver. */
  recoveredMs?: number;
  /** Not running again within `recoverTimeoutMs`: the driver put it right. */
  driverRestored?: boolean;
  /** The PM2 states of the app's processes when the driver gave up. */
  stuck?: string;
  /** When the driver gave up: what the mechanic logged since the fault (fixes, remedies). */
  mechanicLog?: string[];
  /** stop-worker without a remedy: still stopped after `stoppedWatchMs` (a person's stop stands). */
  stayedStopped?: boolean;
}

export interface ModelCallRecord {
  at: number;
  file: string;
  error: string;
  /** false: the call is about an error the file it sent can no longer raise (history). */
  fresh: boolean;
  why: string;
}

export interface ProbeChange {
  time: string;
  probe: string;
  from: string;
  to: string;
  reason: string;
}

export interface BadFile {
  kill: number;
  file: string;
  why: string;
}

export interface SoakResult {
  seed: number;
  kills: number;
  daemonStarts: number;
  cyclesReported: number;
  durationMs: number;
  faults: FaultRecord[];
  modelCalls: ModelCallRecord[];
  historyCalls: ModelCallRecord[];
  /** The distinct errors (file and error line) behind `historyCalls`. */
  historyErrors: string[];
  healthyStretches: number;
  healthyMs: number;
  /** Probe status changes the mechanic logged inside healthy stretches. */
  healthyProbeChanges: ProbeChange[];
  /** Times the app itself failed the oracle during a healthy stretch. */
  healthyOracleFailures: number;
  /** Files other than their original, an injected text or a validated fix after a kill. */
  badFiles: BadFile[];
  /** After-kill checks that found a fix in flight (journal `writing`/`reverting`), settled later. */
  inFlightAtKill: number;
  /** After-kill checks that found a validated fix (not the original text) on disk. */
  validatedFixAtKill: number;
  /** The app files at the end, each original or a validated fix that parses. */
  finalFilesOk: boolean;
}

const ORIGINAL: Record<string, string> = {
  'shared.js': `'use strict';
const VERSION = 'v1';

function render(url) {
  return JSON.stringify({ ok: true, version: VERSION, url });
}

function formatJob(job) {
  const items = (job.items || []).map((x) => x * 2);
  return { id: job.id, total: items.reduce((a, b) => a + b, 0) };
}

function handle(job) {
  return formatJob(job);
}

module.exports = { render, handle, VERSION };
`,
  'server.js': `'use strict';
const http = require('http');
const shared = require('./shared');

const port = Number(process.env.PORT);
const server = http.createServer((req, res) => {
  const body = shared.render(req.url);
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
});
server.listen(port, '127.0.0.1');
`,
  'worker.js': `'use strict';
const fs = require('fs');
const path = require('path');
const shared = require('./shared');

const queue = path.join(__dirname, 'queue');
const done = path.join(__dirname, 'done');

function poll() {
  for (const name of fs.readdirSync(queue)) {
    if (!name.endsWith('.json')) continue;
    const file = path.join(queue, name);
    let job;
    try {
      job = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch {
      continue;
    }
    let result;
    try {
      result = shared.handle(job);
    } catch (err) {
      console.error(err);
      result = { id: job.id, error: String(err) };
    }
    fs.writeFileSync(path.join(done, name), JSON.stringify(result));
    fs.rmSync(file, { force: true });
  }
}
setInterval(poll, 100);
`,
};
const APP_FILES = Object.keys(ORIGINAL);

/** Syntax slips the deterministic rung repairs: [file, original line, slipped line]. */
const SLIPS: Record<'slip-shared' | 'slip-server' | 'slip-worker', [string, string, string][]> = {
  'slip-shared': [
    ['shared.js', '  const items = (job.items || []).map((x) => x * 2);', '  const items = (job.items || []).map((x) => x * 2));'],
    ['shared.js', '  return JSON.stringify({ ok: true, version: VERSION, url });', '  return JSON.stringify({ ok: true, version: VERSION, url };'],
  ],
  'slip-server': [
    [
      'server.js',
      "  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });",
      "  res.writeHead(200, { 'content-type': 'application/json' 'content-length': Buffer.byteLength(body) });",
    ],
  ],
  'slip-worker': [['worker.js', '  for (const name of fs.readdirSync(queue)) {', '  for (const name of fs.readdirSync(queue) {']],
};

/** The longest a probe may take (the pm2 probe's timeout; the http probe's is shorter). */
const PROBE_TIMEOUT_MS = 3000;
const sha256 = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Times to running again, over the faults of these kinds that bit (a slip fixed before its deploy loaded it never did). */
export function summarizeTimes(
  faults: readonly FaultRecord[],
  kinds: readonly FaultKind[],
): { n: number; bit: number; recovered: number; medianMs: number; maxMs: number } {
  const of = faults.filter((f) => kinds.includes(f.kind));
  const bit = of.filter((f) => f.bit);
  const times = bit.filter((f) => f.recoveredMs !== undefined && !f.driverRestored).map((f) => f.recoveredMs!);
  return { n: of.length, bit: bit.length, recovered: times.length, medianMs: median(times), maxMs: times.length ? Math.max(...times) : NaN };
}

export async function runSoak(opts: SoakOptions): Promise<SoakResult> {
  const seed = opts.seed ?? 1;
  const rnd = seededRandom(seed);
  const cycleIntervalMs = opts.cycleIntervalMs ?? 500;
  const [killMin, killMax] = opts.killAfterMs ?? [100, 3000];
  const [healthyMin, healthyMax] = opts.healthyMs ?? [5000, 9000];
  const recoverTimeoutMs = opts.recoverTimeoutMs ?? 20_000;
  const minFaults = opts.minFaults ?? 5;
  const say = opts.onLine ?? (() => {});
  const t0 = Date.now();

  const sb = sandbox('mechanic-soak-');
  const pm2Home = sb.env.PM2_HOME!;
  const pm2Env = minimalEnv({ PM2_HOME: pm2Home, HOME: sb.home, PM2_DISCRETE_MODE: 'true' });
  const pm2 = (args: string[]) => runProcess(PM2_BIN, args, { cwd: sb.app, env: pm2Env, timeoutMs: 60_000 });
  let api: Pm2Api | undefined;
  /** A deploy's restart through PM2's API: milliseconds after the write, not a CLI start later. */
  const deployRestart = async (names: string[]) => {
    api ??= await connectPm2(pm2Home);
    for (const name of names) await api.call('restart', name);
  };
  const stateDir = path.join(sb.dir, 'state');
  const port = await closedPort();
  let model: ModelServer | undefined;
  let daemon: ChildProcess | undefined;

  /** Every text the driver put in each file (its original and each injected one). */
  const known = new Map<string, Set<string>>(APP_FILES.map((f) => [f, new Set([ORIGINAL[f]!])]));
  const filePath = (f: string) => path.join(sb.app, f);
  const writeApp = (f: string, text: string) => {
    known.get(f)!.add(text);
    const tmp = path.join(sb.dir, `.soak-${f}`);
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, filePath(f));
  };
  /** Injected faults on disk: the line each one put there, with the error it raises. */
  const faultLines: { file: string; line: string; error: RegExp }[] = [];

  const modelCalls: ModelCallRecord[] = [];
  const classify = (req: RecordedRequest): ModelCallRecord => {
    const prompt = String(req.body?.prompt ?? req.body?.messages?.map((m: { content: string }) => m.content).join('\n') ?? '');
    const file = path.basename(/FILE: (\S+)/.exec(prompt)?.[1] ?? '?');
    const error = /ERROR: ([\s\S]*?)\n(?:CODE|LINES)/.exec(prompt)?.[1] ?? '?';
    // The code the mechanic read from disk and sent: the whole file, or the numbered window.
    const code = /CODE: ([\s\S]*)\nFix the bug\./.exec(prompt)?.[1] ?? prompt.replace(/^\s*>?\s*\d+\| /gm, '');
    const live = faultLines.find((f) => f.file === file && code.includes(f.line) && f.error.test(error));
    return live
      ? { at: Date.now(), file, error, fresh: true, why: `the code sent holds the injected fault: ${live.line.trim()}` }
      : { at: Date.now(), file, error, fresh: false, why: 'the code sent holds no injected fault that raises this error' };
  };

  const httpOk = () =>
    new Promise<boolean>((resolve) => {
      const req = http.get({ host: '127.0.0.1', port, path: '/soak', timeout: 1000 }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => {
          try {
            const j = JSON.parse(body);
            resolve(res.statusCode === 200 && j.ok === true && j.version === 'v1');
          } catch {
            resolve(false);
          }
        });
      });
      req.on('timeout', () => req.destroy());
      req.on('error', () => resolve(false));
    });
  let jobN = 0;
  const jobOk = async (waitMs = 1500): Promise<boolean> => {
    const name = `j${++jobN}.json`;
    const tmp = path.join(sb.app, 'queue', `${name}.tmp`);
    fs.writeFileSync(tmp, JSON.stringify({ id: jobN, items: [1, 2, 3] }));
    fs.renameSync(tmp, path.join(sb.app, 'queue', name));
    const out = path.join(sb.app, 'done', name);
    const end = Date.now() + waitMs;
    while (Date.now() < end) {
      if (fs.existsSync(out)) {
        let ok = false;
        try {
          ok = JSON.parse(fs.readFileSync(out, 'utf8')).total === 12;
        } catch {
          // read while being written: not done yet
          await sleep(20);
          continue;
        }
        fs.rmSync(out, { force: true });
        return ok;
      }
      await sleep(25);
    }
    // Not taken: drop it so a worker coming back later does not answer an old question.
    fs.rmSync(path.join(sb.app, 'queue', name), { force: true });
    return false;
  };
  const appOk = async () => (await httpOk()) && (await jobOk());
  const pm2States = async () => {
    const r = await pm2(['jlist']);
    const line = r.stdout.split('\n').reverse().find((l) => l.startsWith('['));
    try {
      return (JSON.parse(line ?? '[]') as { name: string; pm2_env: { status: string } }[]).map((p) => `${p.name}:${p.pm2_env.status}`).join(' ');
    } catch {
      return `jlist exit ${r.code}`;
    }
  };

  // --- the product's records, read only to judge "recorded as validated" and logged changes ---
  const readLog = (): any[] => {
    try {
      return JSON.parse(fs.readFileSync(path.join(stateDir, 'mechanic-log.json'), 'utf8'));
    } catch {
      return [];
    }
  };
  const journal = (): any[] => {
    const dir = path.join(stateDir, 'journal');
    if (!fs.existsSync(dir)) return [];
    return fs
      .readdirSync(dir)
      .filter((n) => n.endsWith('.json'))
      .flatMap((n) => {
        try {
          return [JSON.parse(fs.readFileSync(path.join(dir, n), 'utf8'))];
        } catch {
          return [];
        }
      });
  };

  const badFiles: BadFile[] = [];
  let inFlightAtKill = 0;
  let validatedFixAtKill = 0;
  /** Files found mid-fix at a kill: they must be settled (original or validated) by a later check. */
  const unsettled = new Map<string, { kill: number; hash: string }>();

  /** Every app file: original, injected, or a validated fix that parses; else bad. */
  const checkFiles = (kill: number): void => {
    let log: any[] | undefined;
    let jr: any[] | undefined;
    for (const f of APP_FILES) {
      const text = fs.readFileSync(filePath(f), 'utf8');
      if (known.get(f)!.has(text)) {
        unsettled.delete(f);
        continue;
      }
      const hash = sha256(text);
      log ??= readLog();
      jr ??= journal();
      const parses = nodeCheck(filePath(f));
      const inLog = log.some((e) => e.type === 'fix' && e.outcome === 'applied' && e.fixedHash === hash && e.file === filePath(f) && (e.validated?.length ?? 0) > 0);
      const inJournal = jr.find((e) => e.file === filePath(f) && e.candidateHash === hash);
      if (parses && (inLog || inJournal?.phase === 'validated')) {
        validatedFixAtKill++;
        unsettled.delete(f);
        continue;
      }
      if (inJournal && (inJournal.phase === 'writing' || inJournal.phase === 'reverting')) {
        // Killed between the write and its verdict: recovery must settle it; judged at a later check.
        inFlightAtKill++;
        if (!unsettled.has(f)) unsettled.set(f, { kill, hash });
        continue;
      }
      badFiles.push({ kill, file: f, why: `${parses ? 'parses' : 'does not parse'}, not an original or injected text, no validated fix recorded with its hash ${hash.slice(0, 12)}` });
    }
  };

  const faults: FaultRecord[] = [];
  const healthyWindows: { start: number; end: number }[] = [];
  let healthyOracleFailures = 0;
  let kills = 0;
  let daemonStarts = 0;
  let cyclesReported = 0;

  const startDaemon = () => {
    daemonStarts++;
    const child = spawn(process.execPath, [cliPath, 'daemon', '--json'], { cwd: sb.app, env: sb.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let buf = '';
    child.stdout.on('data', (d) => {
      buf += d;
      const lines = buf.split('\n');
      buf = lines.pop()!;
      cyclesReported += lines.filter((l) => l.startsWith('{')).length;
    });
    child.stderr.resume();
    return child;
  };
  const exited = (c: ChildProcess) => new Promise<void>((r) => (c.exitCode !== null || c.signalCode !== null ? r() : c.once('exit', () => r())));

  try {
    // --- the app, under a real PM2: the server logs with timestamps, the worker without ---
    for (const f of APP_FILES) writeApp(f, ORIGINAL[f]!);
    fs.mkdirSync(path.join(sb.app, 'queue'));
    fs.mkdirSync(path.join(sb.app, 'done'));
    const eco = path.join(sb.dir, 'ecosystem.json');
    fs.writeFileSync(
      eco,
      JSON.stringify({
        apps: [
          { name: 'server', script: filePath('server.js'), cwd: sb.app, time: true, env: { PORT: String(port) } },
          { name: 'worker', script: filePath('worker.js'), cwd: sb.app },
        ],
      }),
    );
    const started = await pm2(['start', eco]);
    if (started.code !== 0) throw new Error(`pm2 start: ${started.stderr || started.stdout}`);
    await waitApp('the app to start', 20_000);

    // --- history: errors in both logs from code since replaced, before the mechanic ever reads ---
    writeApp('shared.js', ORIGINAL['shared.js']!.replace('return formatJob(job);', 'return legacyFormat(job);'));
    writeApp('server.js', ORIGINAL['server.js']!.replace('const body = shared.render(req.url);', 'const body = shared.render(req.url;'));
    await pm2(['restart', 'server', 'worker']);
    for (let i = 0; i < 3; i++) await jobOk(500);
    const quiet = Date.now() + 15_000;
    while (!/server:errored/.test(await pm2States()) && Date.now() < quiet) await sleep(200);
    // Fixed by a person well after the last error: older by any log's timestamp, to the second.
    await sleep(2100);
    for (const f of APP_FILES) writeApp(f, ORIGINAL[f]!);
    await pm2(['restart', 'server', 'worker']);
    await waitApp('the app to run again after the history was written', 20_000);
    say(`history written: ${fs.readdirSync(path.join(pm2Home, 'logs')).join(', ')}`);

    model = await startModelServer({
      onRequest: (req) => {
        if (['/api/generate', '/api/chat', '/v1/chat/completions'].includes(req.path)) modelCalls.push(classify(req));
      },
      // A model that knows the answer: the file as it was before the fault.
      answers: (req) => {
        const prompt = String(req.body?.prompt ?? '');
        const file = path.basename(/FILE: (\S+)/.exec(prompt)?.[1] ?? 'shared.js');
        return { text: ORIGINAL[file] ?? ORIGINAL['shared.js']! };
      },
    });
    sb.config({
      stateDir: '../state',
      cycleIntervalMs,
      // The default 6 h would hold the second slip in the same file; the soak breaks them again and again.
      fileCooldownMs: 1000,
      maxLogEntries: 1_000_000,
      restartStale: true,
      restartCheckMs: 1500,
      pm2Bin: PM2_BIN,
      llm: { baseUrl: model.url, timeoutMs: 10_000, retries: 0 },
      probes: [
        { name: 'apps', kind: 'pm2', processes: ['server', 'worker'], pm2Bin: PM2_BIN, timeoutMs: PROBE_TIMEOUT_MS, ...(opts.remedy ? { remedy: { cooldownMs: 1000, maxPerDay: 100_000 } } : {}) },
        { name: 'server', kind: 'http', url: `http://127.0.0.1:${port}/health`, timeoutMs: 2000 },
      ],
    });

    const killer = async () => {
      daemon = startDaemon();
      while (kills < opts.kills) {
        await sleep(killMin + rnd.next() * (killMax - killMin));
        const d = daemon;
        d.kill('SIGKILL');
        await exited(d);
        kills++;
        checkFiles(kills);
        daemon = startDaemon();
        if (kills % 25 === 0) say(`${kills}/${opts.kills} kills, ${faults.length} faults, ${modelCalls.length} model calls, ${badFiles.length} bad files`);
      }
    };
    const schedule = async () => {
      const order: FaultKind[] = ['slip-shared', 'runtime-shared', 'slip-server', 'stop-worker', 'slip-worker'];
      let round: FaultKind[] = [];
      while (kills < opts.kills || faults.length < minFaults) {
        await healthyStretch(rnd.int(healthyMax - healthyMin + 1) + healthyMin);
        if (!round.length) round = shuffle(order, rnd);
        await inject(round.shift()!);
      }
    };
    await Promise.all([killer().then(() => undefined), schedule()]);

    // --- the end: a clean stop, and every file original or a validated fix ---
    const last = daemon!;
    last.kill('SIGTERM');
    await exited(last);
    daemon = undefined;
    checkFiles(kills + 1);
    for (const [f, u] of unsettled) badFiles.push({ kill: u.kill, file: f, why: `a fix in flight at kill ${u.kill} (${u.hash.slice(0, 12)}) was never settled` });
    const finalFilesOk = APP_FILES.every((f) => {
      const text = fs.readFileSync(filePath(f), 'utf8');
      return text === ORIGINAL[f] || (nodeCheck(filePath(f)) && readLog().some((e) => e.type === 'fix' && e.outcome === 'applied' && e.fixedHash === sha256(text)));
    });

    const healthyProbeChanges = changesInHealthyStretches(readLog(), healthyWindows);
    return {
      seed,
      kills,
      daemonStarts,
      cyclesReported,
      durationMs: Date.now() - t0,
      faults,
      modelCalls,
      historyCalls: modelCalls.filter((c) => !c.fresh),
      historyErrors: [...new Set(modelCalls.filter((c) => !c.fresh).map((c) => `${c.file}: ${errorLine(c.error)}`))],
      healthyStretches: healthyWindows.length,
      healthyMs: healthyWindows.reduce((a, w) => a + (w.end - w.start), 0),
      healthyProbeChanges,
      healthyOracleFailures,
      badFiles,
      inFlightAtKill,
      validatedFixAtKill,
      finalFilesOk,
    };
  } finally {
    if (daemon) {
      daemon.kill('SIGKILL');
      await exited(daemon);
    }
    await model?.close();
    api?.disconnect();
    await pm2(['kill']).catch(() => undefined);
    sb.cleanup();
  }

  async function waitApp(what: string, timeoutMs: number): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      if (await appOk()) return;
      await sleep(200);
    }
    throw new Error(`soak: timed out waiting for ${what} (${await pm2States()})`);
  }

  /**
   * A stretch where nothing is injected. It starts once the app answers and the mechanic has had
   * time to see it (two cycles and a probe timeout); the app is watched the whole time.
   */
  async function healthyStretch(ms: number): Promise<void> {
    await waitApp('the app before a healthy stretch', 30_000);
    await sleep(2 * cycleIntervalMs + 2000);
    const start = Date.now();
    while (Date.now() - start < ms) {
      if (!(await appOk())) healthyOracleFailures++;
      await sleep(300);
    }
    // A probe that began inside the stretch may see the fault that follows it: its result is
    // stamped with its start, so the stretch's last PROBE_TIMEOUT_MS are not judged.
    healthyWindows.push({ start, end: Date.now() - PROBE_TIMEOUT_MS });
  }

  async function inject(kind: FaultKind): Promise<void> {
    const n = faults.length + 1;
    const rec: FaultRecord = { n, kind, at: Date.now(), bit: false };
    faults.push(rec);
    if (kind === 'stop-worker') {
      rec.at = Date.now();
      await pm2(['stop', 'worker']);
      rec.bit = true; // stopped for certain, however soon a remedy starts it again
      if (!opts.remedy) {
        // Nothing is configured to start it: a person's stop must stand.
        await sleep(opts.stoppedWatchMs ?? 5000);
        rec.bit = true;
        rec.stuck = await pm2States();
        rec.stayedStopped = /worker:stopped/.test(rec.stuck);
        say(`fault ${n} stop-worker: ${rec.stuck}; the driver starts it`);
        await pm2(['restart', 'worker']);
        return;
      }
    } else if (kind === 'runtime-shared') {
      // A deploy with a name typed wrong on a path only jobs take: the worker logs a ReferenceError per job.
      const line = `  return formatJob_${n}(job);`;
      faultLines.push({ file: 'shared.js', line, error: new RegExp(`formatJob_${n} is not defined`) });
      rec.at = Date.now();
      writeApp('shared.js', ORIGINAL['shared.js']!.replace('  return formatJob(job);', line));
      await deployRestart(['worker']);
    } else {
      const [file, good, bad] = rnd.pick(SLIPS[kind]);
      faultLines.push({ file, line: bad, error: /SyntaxError/ });
      rec.at = Date.now();
      writeApp(file, ORIGINAL[file]!.replace(good, bad));
      // The deploy restarts what runs the file: a crash loop under PM2.
      await deployRestart(file === 'shared.js' ? ['server', 'worker'] : [file.replace('.js', '')]);
    }
    const end = rec.at + recoverTimeoutMs;
    while (Date.now() < end) {
      const ok = await appOk();
      if (ok && rec.bit) {
        rec.recoveredMs = Date.now() - rec.at;
        say(`fault ${n} ${kind}: running again after ${rec.recoveredMs} ms`);
        return;
      }
      if (!ok) rec.bit = true;
      if (ok && !rec.bit && Date.now() - rec.at > 5000) {
        // The fault never showed (fixed before the deploy's restart loaded it).
        rec.recoveredMs = Date.now() - rec.at;
        say(`fault ${n} ${kind}: never bit`);
        return;
      }
      await sleep(200);
    }
    rec.driverRestored = true;
    rec.stuck = await pm2States();
    rec.mechanicLog = readLog()
      .filter((e) => e.type !== 'probe' && Date.parse(e.time) >= rec.at)
      .map((e) => `${e.type} ${e.outcome ?? e.action ?? ''} ${path.basename(e.file ?? e.probe ?? '')}: ${String(e.reason ?? e.detail ?? '').slice(0, 300)}${e.restart ? ` [restart ${e.restart.process}: ${e.restart.ok}]` : ''}`);
    say(`fault ${n} ${kind}: not running again after ${recoverTimeoutMs} ms (${rec.stuck}); the driver puts it right`);
    for (const f of APP_FILES) if (faultLines.some((l) => l.file === f && fs.readFileSync(filePath(f), 'utf8').includes(l.line))) writeApp(f, ORIGINAL[f]!);
    await pm2(['restart', 'server', 'worker']);
  }
}

interface Pm2Api {
  call(method: 'restart' | 'stop', name: string): Promise<void>;
  disconnect(): void;
}

/** PM2's programmatic client on the soak's PM2_HOME (the daemon the CLI started). */
async function connectPm2(home: string): Promise<Pm2Api> {
  const PM2 = createRequire(import.meta.url)('pm2') as { custom: new (o: object) => any };
  const client = new PM2.custom({ pm2_home: home, daemon_mode: true });
  await new Promise<void>((resolve, reject) => client.connect((err: Error | null) => (err ? reject(err) : resolve())));
  return {
    call: (method, name) => new Promise<void>((resolve, reject) => client[method](name, (err: Error | null) => (err ? reject(err) : resolve()))),
    disconnect: () => client.disconnect(),
  };
}

/** The line of a logged error that names it (`SyntaxError: …`), not the source line above it. */
export function errorLine(error: string): string {
  return error.split('\n').find((l) => /^\w*Error\b/.test(l.trim()))?.trim() ?? error.split('\n')[0]!;
}

function shuffle<T>(items: readonly T[], rnd: Random): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = rnd.int(i + 1);
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

/**
 * The probe status changes the mechanic logged inside healthy stretches. The first change of a
 * probe to `healthy` in a stretch is the late notice of the recovery before it (a daemon killed
 * before it could log it), not a change on a healthy app; every other change counts.
 */
export function changesInHealthyStretches(log: readonly any[], windows: readonly { start: number; end: number }[]): ProbeChange[] {
  const out: ProbeChange[] = [];
  for (const w of windows) {
    const seen = new Set<string>();
    for (const e of log) {
      if (e.type !== 'probe') continue;
      const t = Date.parse(e.time);
      if (t < w.start || t > w.end) continue;
      const first = !seen.has(e.probe);
      seen.add(e.probe);
      if (first && e.to === 'healthy') continue;
      out.push({ time: e.time, probe: e.probe, from: e.from, to: e.to, reason: e.reason });
    }
  }
  return out;
}
