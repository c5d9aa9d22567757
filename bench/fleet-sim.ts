/**
 * Fleet simulation: `npm run bench:fleet`.
 *
 * N hosts, each with its own mechanic daemon, share one model server. Bugs appear on every host
 * at a rate; each daemon's cycle repairs at most maxFixesPerRun of them, the deterministic rung
 * first, and sends the rest to the shared server, which answers `--slots` requests at a time in
 * the order they came. The simulation shows at which fleet size the server's queue starts to
 * grow, and what the mechanic then does: a call that waits longer than llm.timeoutMs (queue wait
 * included: the client's clock runs from the request) is cut, the attempt is a model outage (no
 * verdict, not counted toward escalateAfter) and its file backs off (2 min doubling to 30 min,
 * src/state/holds.ts) instead of the 6 h cooldown; llm.fileBudgetMs bounds the feedback retry.
 *
 * The mechanic's settings are the code's own defaults (configSchema.parse({}), the model rung's
 * budget from llmRepairer, the backoff constants from state/holds.ts); flags override them.
 *
 * The model server's time per answer: --service-ms <ms> (a figure you give), or --model-url <url>
 * (measured: --samples calls to your server with a window-sized repair prompt), or by default
 * measured on the project's model test server answering with --delay-ms (default 12000, a
 * stand-in for a 30B-class coder on one GPU writing a ~300-token search/replace answer; the
 * measurement then adds only the HTTP path). The output says which.
 *
 * Options: --hosts 10,50,... --rates 0.25,1,4 (new bugs per host per hour) --hours 24 --slots 1
 *   --syntax-share 0.5 --deterministic 0.732 --accept 0.6 --seed 1
 *   --no-write (print only), --section <name> (the marked section of docs/FLEET.md to replace)
 *   --max-fixes --cycle-ms --timeout-ms --file-budget-ms --escalate-after (override the defaults)
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { configSchema } from '../src/config/schema.js';
import { callModel } from '../src/llm/call.js';
import { baseUrlOf, getProvider } from '../src/llm/registry.js';
import { llmSchema, type LlmSettings } from '../src/llm/settings.js';
import { llmRepairer } from '../src/repair/repairers/llm.js';
import { BACKOFF_BASE_MS, BACKOFF_MAX_MS } from '../src/state/holds.js';
import { startModelServer } from '../test/helpers/model-server.js';
import { seededRandom, type Random } from './lib/prng.js';
import { gitRevision, machine, markdownTable, percentile, writeSection } from './lib/report.js';

const HOUR = 3_600_000;
const log = (s: string) => process.stderr.write(`${s}\n`);

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
function num(name: string, fallback: number): number {
  const v = flag(name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name}: expected a number, got "${v}"`);
  return n;
}
function list(name: string, fallback: number[]): number[] {
  const v = flag(name);
  return v === undefined ? fallback : v.split(',').map((x) => Number(x));
}

// The mechanic's settings: the code's defaults, unless a flag says otherwise.
const defaults = configSchema.parse({});
const settings = {
  maxFixesPerRun: num('max-fixes', defaults.maxFixesPerRun),
  cycleIntervalMs: num('cycle-ms', defaults.cycleIntervalMs),
  fileCooldownMs: defaults.fileCooldownMs,
  escalateAfter: num('escalate-after', defaults.escalateAfter),
  timeoutMs: num('timeout-ms', defaults.llm.timeoutMs),
  // What the model rung itself uses: llm.fileBudgetMs, else its default (2 × timeoutMs).
  fileBudgetMs: num('file-budget-ms', llmRepairer({ llm: { ...defaults.llm, baseUrl: baseUrlOf(defaults.llm)!, timeoutMs: num('timeout-ms', defaults.llm.timeoutMs) }, roots: [] }).budgetMs!),
  feedbackRetry: defaults.llm.feedbackRetry,
  backoffBaseMs: BACKOFF_BASE_MS,
  backoffMaxMs: BACKOFF_MAX_MS,
};
const workload = {
  hosts: list('hosts', [10, 25, 50, 100, 200]),
  rates: list('rates', [0.25, 1, 4]),
  hours: num('hours', 24),
  slots: num('slots', 1),
  /** Share of new bugs that are syntax errors (the rest: runtime errors, which only the model fixes). */
  syntaxShare: num('syntax-share', 0.5),
  /** Syntax slips the deterministic rung applies: docs/BENCHMARKS.md, single slips "restored (tokens), applied" (73.2%). */
  deterministic: num('deterministic', 0.732),
  /** Model answers that pass validation: assumed, not measured (no pinned model in CI). */
  accept: num('accept', 0.6),
  seed: num('seed', 1),
};

/** The model server's time per answer, and how it was found. */
async function serviceTime(): Promise<{ ms: number; how: string }> {
  const given = flag('service-ms');
  if (given !== undefined) return { ms: num('service-ms', 0), how: `given: --service-ms ${given}` };
  const samples = num('samples', 3);
  // About the size of a window prompt (bench:prompt: window prompts stay under 6,000 characters).
  const prompt = `You are a senior Node.js engineer fixing a production bug.\n${'  const total = items.reduce((sum, x) => sum + x.price, 0);\n'.repeat(90)}`;
  const url = flag('model-url');
  const delay = num('delay-ms', 12_000);
  const server = url ? undefined : await startModelServer({ answers: [{ text: '<<<<<<< SEARCH\na\n=======\nb\n>>>>>>> REPLACE', delayMs: delay }] });
  const llm: LlmSettings = llmSchema.parse({
    provider: flag('provider') ?? 'ollama',
    baseUrl: url ?? server!.url,
    ...(flag('model') ? { model: flag('model') } : {}),
    retries: 0,
  });
  const provider = getProvider(llm)!;
  const times: number[] = [];
  try {
    for (let i = 0; i < samples; i++) {
      const t0 = performance.now();
      await callModel(provider, { prompt }, llm);
      times.push(performance.now() - t0);
      log(`  sample ${i + 1}/${samples}: ${Math.round(times[i]!)} ms`);
    }
  } finally {
    await server?.close();
  }
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  const how = url
    ? `measured: ${samples} calls to ${url} (${llm.provider}, ${llm.model}), a ${prompt.length}-character prompt, mean ${Math.round(mean)} ms`
    : `measured: ${samples} calls through the mechanic's model client to the project's model test server answering after ${delay} ms (a stand-in for a 30B-class model on one GPU), mean ${Math.round(mean)} ms`;
  return { ms: mean, how };
}

/** A binary heap of timed events; ties run in the order they were scheduled. */
class Events {
  private heap: { t: number; seq: number; fn: () => void }[] = [];
  private seq = 0;
  now = 0;
  at(t: number, fn: () => void): void {
    const h = this.heap;
    h.push({ t, seq: this.seq++, fn });
    for (let i = h.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (this.less(h[p]!, h[i]!)) break;
      [h[p], h[i]] = [h[i]!, h[p]!];
      i = p;
    }
  }
  private less(a: { t: number; seq: number }, b: { t: number; seq: number }): boolean {
    return a.t < b.t || (a.t === b.t && a.seq < b.seq);
  }
  run(until: number): void {
    const h = this.heap;
    while (h.length && h[0]!.t <= until) {
      const top = h[0]!;
      const last = h.pop()!;
      if (h.length) {
        h[0] = last;
        for (let i = 0; ; ) {
          const l = 2 * i + 1;
          const r = l + 1;
          let m = i;
          if (l < h.length && this.less(h[l]!, h[m]!)) m = l;
          if (r < h.length && this.less(h[r]!, h[m]!)) m = r;
          if (m === i) break;
          [h[m], h[i]] = [h[i]!, h[m]!];
          i = m;
        }
      }
      this.now = top.t;
      top.fn();
    }
  }
}

interface Bug {
  host: number;
  arrived: number;
  syntax: boolean;
  /** The deterministic rung fixes it (decided when it appears). */
  deterministic: boolean;
  heldUntil: number;
  backoffMs: number;
  failures: number;
  escalated: boolean;
  fixedAt?: number;
}

interface Request {
  enqueued: number;
  deadline: number;
  started?: number;
  done: boolean;
  onAnswer(): void;
  onTimeout(): void;
}

interface Result {
  hosts: number;
  rate: number;
  rho: number;
  arrived: number;
  fixed: number;
  escalated: number;
  openHalf: number;
  openEnd: number;
  calls: number;
  timedOut: number;
  waitP50: number;
  waitP95: number;
  utilization: number;
  cycles: number;
  cappedCycles: number;
  fixP50: number;
  fixP95: number;
}

/** One run: `hosts` daemons, `rate` new bugs per host per hour, one server answering in `serviceMs`. */
function simulate(hosts: number, rate: number, serviceMs: number, rnd: Random): Result {
  const ev = new Events();
  const end = workload.hours * HOUR;
  const open: Bug[][] = Array.from({ length: hosts }, () => []);
  const queue: Request[] = [];
  let busy = 0;
  let busyMs = 0;
  const waits: number[] = [];
  const fixTimes: number[] = [];
  const r = { arrived: 0, fixed: 0, escalated: 0, calls: 0, timedOut: 0, cycles: 0, cappedCycles: 0, openHalf: 0 };

  // The server: `slots` answers at a time, first come first served; a request whose client gave
  // up is dropped from the queue, or its answer stopped (Ollama cancels on disconnect).
  const startNext = () => {
    while (busy < workload.slots && queue.length) {
      const q = queue.shift()!;
      if (q.done) continue;
      busy++;
      q.started = ev.now;
      waits.push(ev.now - q.enqueued);
      const took = serviceMs * (0.5 + rnd.next());
      const began = ev.now;
      ev.at(Math.min(ev.now + took, q.deadline), () => {
        if (q.done) return;
        q.done = true;
        busy--;
        busyMs += ev.now - began;
        if (ev.now >= q.deadline && ev.now - began < took) {
          r.timedOut++;
          q.onTimeout();
        } else q.onAnswer();
        startNext();
      });
    }
  };
  const call = (deadline: number, onAnswer: () => void, onTimeout: () => void) => {
    r.calls++;
    const q: Request = { enqueued: ev.now, deadline, done: false, onAnswer, onTimeout };
    queue.push(q);
    ev.at(deadline, () => {
      if (q.done || q.started !== undefined) return;
      q.done = true;
      r.timedOut++;
      onTimeout();
    });
    startNext();
  };

  const closeBug = (b: Bug) => {
    b.fixedAt = ev.now;
    r.fixed++;
    fixTimes.push(ev.now - b.arrived);
    open[b.host] = open[b.host]!.filter((x) => x !== b);
  };

  // One attempt up the ladder (src/repair/fix.ts), then `next()`.
  const attempt = (b: Bug, next: () => void) => {
    if (b.syntax && b.deterministic) {
      closeBug(b);
      return ev.at(ev.now + 100, next);
    }
    const budgetEnd = ev.now + settings.fileBudgetMs;
    const failed = () => {
      // A verdict: counts toward escalation, and the cooldown starts.
      b.failures++;
      b.backoffMs = 0;
      b.heldUntil = ev.now + settings.fileCooldownMs;
      if (b.failures >= settings.escalateAfter) {
        b.escalated = true;
        r.escalated++;
      }
      next();
    };
    const cut = () => {
      // No answer judged: a model outage, a doubling backoff, not counted.
      b.backoffMs = b.backoffMs ? Math.min(settings.backoffMaxMs, b.backoffMs * 2) : settings.backoffBaseMs;
      b.heldUntil = ev.now + b.backoffMs;
      next();
    };
    const ask = (second: boolean) =>
      call(
        Math.min(ev.now + settings.timeoutMs, budgetEnd),
        () => {
          if (rnd.chance(workload.accept)) {
            closeBug(b);
            next();
          } else if (!second && settings.feedbackRetry && ev.now < budgetEnd) ask(true);
          else failed();
        },
        second ? failed : cut,
      );
    ask(false);
  };

  const cycle = (host: number) => {
    const started = ev.now;
    const eligible = open[host]!.filter((b) => !b.escalated && b.heldUntil <= started && b.arrived <= started);
    // Syntax errors first (priority 100), then runtime errors, oldest first.
    eligible.sort((a, b) => Number(b.syntax) - Number(a.syntax) || a.arrived - b.arrived);
    const todo = eligible.slice(0, settings.maxFixesPerRun);
    r.cycles++;
    if (eligible.length > todo.length) r.cappedCycles++;
    const step = (i: number) => {
      if (i >= todo.length) {
        const nextAt = Math.max(started + settings.cycleIntervalMs, ev.now);
        if (nextAt < end) ev.at(nextAt, () => cycle(host));
        return;
      }
      attempt(todo[i]!, () => step(i + 1));
    };
    step(0);
  };

  for (let h = 0; h < hosts; h++) {
    // Daemons started at different times: each its own phase.
    ev.at(rnd.next() * settings.cycleIntervalMs, () => cycle(h));
    // New bugs: a Poisson process per host.
    const arrive = () => {
      const syntax = rnd.chance(workload.syntaxShare);
      open[h]!.push({ host: h, arrived: ev.now, syntax, deterministic: syntax && rnd.chance(workload.deterministic), heldUntil: 0, backoffMs: 0, failures: 0, escalated: false });
      r.arrived++;
      const gap = (-Math.log(1 - rnd.next()) / rate) * HOUR;
      if (ev.now + gap < end) ev.at(ev.now + gap, arrive);
    };
    if (rate > 0) ev.at((-Math.log(1 - rnd.next()) / rate) * HOUR, arrive);
  }
  ev.at(end / 2, () => {
    r.openHalf = open.reduce((n, o) => n + o.filter((b) => !b.escalated).length, 0);
  });
  ev.run(end);

  const modelShare = workload.syntaxShare * (1 - workload.deterministic) + (1 - workload.syntaxShare);
  const callsPerBug = 1 + (settings.feedbackRetry ? 1 - workload.accept : 0);
  return {
    hosts,
    rate,
    rho: (hosts * rate * modelShare * callsPerBug * serviceMs) / (workload.slots * HOUR),
    ...r,
    openEnd: open.reduce((n, o) => n + o.filter((b) => !b.escalated).length, 0),
    waitP50: percentile(waits, 50),
    waitP95: percentile(waits, 95),
    utilization: busyMs / (workload.slots * end),
    fixP50: percentile(fixTimes, 50),
    fixP95: percentile(fixTimes, 95),
  };
}

/** The backlog of open bugs rose by half again in the second half of the run, by more than one bug per two hosts. */
const growing = (x: Result) => x.openEnd > x.openHalf * 1.5 && x.openEnd - x.openHalf > x.hosts * 0.5;

/** The smallest fleet whose backlog grows, by bisection between 1 host and `hi`. */
function simulatedKnee(rate: number, serviceMs: number, hi: number): number {
  const run = (n: number) => growing(simulate(n, rate, serviceMs, seededRandom(workload.seed * 7_919 + n)));
  while (!run(hi)) hi *= 2;
  let lo = 1;
  while (hi - lo > Math.max(1, hi * 0.02)) {
    const mid = Math.floor((lo + hi) / 2);
    if (run(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}

const dur = (ms: number) => (!Number.isFinite(ms) ? '–' : ms < 1_000 ? `${Math.round(ms)} ms` : ms < 120_000 ? `${(ms / 1000).toFixed(0)} s` : ms < 2 * HOUR ? `${(ms / 60_000).toFixed(0)} min` : `${(ms / HOUR).toFixed(1)} h`);

async function main(): Promise<void> {
  log('model server time per answer:');
  const service = await serviceTime();
  log(`  ${service.how}`);
  const modelShare = workload.syntaxShare * (1 - workload.deterministic) + (1 - workload.syntaxShare);
  const callsPerBug = 1 + (settings.feedbackRetry ? 1 - workload.accept : 0);
  const capacity = (workload.slots * HOUR) / service.ms;
  const rows: string[][] = [['hosts', 'bugs/host/h', 'load ρ', 'server busy', 'wait p50', 'wait p95', 'calls', 'timed out', 'bugs', 'fixed', 'escalated', 'open at 12 h → 24 h', 'cycles at the cap', 'fix p50', 'fix p95', 'queue']];
  for (const rate of workload.rates) {
    for (const hosts of workload.hosts) {
      const t0 = performance.now();
      const x = simulate(hosts, rate, service.ms, seededRandom(workload.seed * 1_000_003 + hosts * 31 + Math.round(rate * 1000)));
      const grows = growing(x);
      rows.push([
        String(hosts),
        String(rate),
        x.rho.toFixed(2),
        `${(100 * x.utilization).toFixed(0)}%`,
        dur(x.waitP50),
        dur(x.waitP95),
        String(x.calls),
        x.calls ? `${((100 * x.timedOut) / x.calls).toFixed(1)}%` : '–',
        String(x.arrived),
        `${x.fixed} (${x.arrived ? ((100 * x.fixed) / x.arrived).toFixed(0) : 0}%)`,
        String(x.escalated),
        `${x.openHalf} → ${x.openEnd}`,
        x.cycles ? `${((100 * x.cappedCycles) / x.cycles).toFixed(1)}%` : '–',
        dur(x.fixP50),
        dur(x.fixP95),
        grows ? '**grows**' : 'steady',
      ]);
      log(`  ${hosts} hosts × ${rate}/h: ρ ${x.rho.toFixed(2)}, open ${x.openHalf} → ${x.openEnd} (${Math.round(performance.now() - t0)} ms)`);
    }
  }
  const knees = workload.rates.map((rate) => {
    const estimate = Math.floor(capacity / (rate * modelShare * callsPerBug));
    const simulated = simulatedKnee(rate, service.ms, Math.ceil(estimate * 1.5));
    return `${rate}/h: ${estimate} hosts by ρ = 1, ${simulated} in the simulation`;
  });
  const perHostCap = (settings.maxFixesPerRun * HOUR) / settings.cycleIntervalMs;
  const body = [
    `Command: \`npm run bench:fleet${process.argv.slice(2).length ? ' -- ' + process.argv.slice(2).join(' ') : ''}\``,
    `Run: ${new Date().toISOString().slice(0, 10)}, revision ${gitRevision()}, on ${machine()}; ${workload.hours} simulated hours per row, seed ${workload.seed}.`,
    '',
    `Model server: ${workload.slots} answer${workload.slots === 1 ? '' : 's'} at a time; time per answer ${service.how}. Capacity ≈ ${Math.round(capacity)} answers/h.`,
    `Mechanic (the code's defaults): maxFixesPerRun ${settings.maxFixesPerRun}, cycleIntervalMs ${settings.cycleIntervalMs}, llm.timeoutMs ${settings.timeoutMs}, llm.fileBudgetMs ${settings.fileBudgetMs} (default: 2 × timeoutMs), llm.feedbackRetry ${settings.feedbackRetry}, fileCooldownMs ${settings.fileCooldownMs}, escalateAfter ${settings.escalateAfter}, outage backoff ${settings.backoffBaseMs / 60_000} min doubling to ${settings.backoffMaxMs / 60_000} min.`,
    `Workload: ${100 * workload.syntaxShare}% syntax errors, of which ${(100 * workload.deterministic).toFixed(1)}% the deterministic rung applies (docs/BENCHMARKS.md); the rest and every runtime error go to the model: ${(100 * modelShare).toFixed(1)}% of bugs. Model answers accepted by validation: ${100 * workload.accept}% (assumed), so ${callsPerBug.toFixed(2)} calls per model bug with the feedback retry.`,
    '',
    markdownTable(rows),
    '',
    `Load ρ = model calls asked per hour × time per answer ÷ answers at a time. The backlog starts to grow (the first fleet size at which it does, found by bisection) at: ${knees.join('; ')}. Each daemon on its own attempts at most ${perHostCap} bugs an hour (maxFixesPerRun × cycles per hour).`,
  ].join('\n');
  process.stdout.write(body + '\n');
  if (!process.argv.includes('--no-write')) {
    const doc = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'FLEET.md');
    writeSection(doc, flag('section') ?? 'bench:fleet', 'Simulation', body);
    log(`written to ${doc}`);
  }
}

await main();
