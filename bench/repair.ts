/**
 * Deterministic repair benchmark: `npm run bench:repair`.
 *
 * Real JavaScript from a fixed list of pinned npm packages (installed here into .cache/bench),
 * broken by seeded slips from a named taxonomy, keeping only texts that V8 rejects exactly as
 * `node --check` would; each is handed to repairSyntax with its default budget. A repair counts
 * as restored when its tokens are the original's (whitespace and comments aside), as a wrong fix
 * when it parses but its tokens differ, and as applied when its confidence reaches the rung's gate
 * (DEFAULT_MIN_CONFIDENCE); below the gate, or with no repair, the case is handed on to the model.
 * Prints a table per class, then the same figures for held-out seeds, and writes them into
 * docs/BENCHMARKS.md.
 *
 * Options: --seed N, --per-class N (single-slip cases per class), --two N (two-slip cases),
 * --budget MS, --verify N (cases double-checked with the real `node --check`), --no-write,
 * --doc PATH (the Markdown file the section is written into, default docs/BENCHMARKS.md),
 * --held-out A,B|none (seeds run after the main one, default 7,20261201), --held-out-per-class N
 * (default 100), --held-out-two N (default 200); the held-out seeds run in a child process of their
 * own once the main seed is done, so that no seed's times are taken while another run holds the
 * second core (--held-out-beside: at once, beside the main seed, for a quicker run whose times
 * are not the figures to quote),
 * --show WHAT (print cases: a class name — its cases not restored exactly; `wrong` — the wrong
 * fixes; `wrong-applied` — the wrong fixes above the gate; `surface` — the repairs that changed
 * the export surface; `gave-up` — the cases where the repairer found nothing; `proposed` — the
 * repairs below the gate), --show-class CLASS (only that class's cases), --show-max N (default 40),
 * --only two (with --no-write: repair only the two-slip cases; they are still made after the
 * single-slip cases, from the same seeded stream, so they are the cases a full run judges: a run
 * with --per-class 0 makes other two-slip cases).
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { compileVerdict } from '../src/analysis/compile.js';
import { DEFAULT_MIN_CONFIDENCE } from '../src/config/defaults.js';
import type { SyntaxRepair, SyntaxRepairOptions } from '../src/repair/deterministic/index.js';
import { lex } from '../src/repair/deterministic/tokens.js';
import { lastGoodExports, recordFits } from '../src/validate/last-good.js';
import { surfaceOf } from '../src/analysis/surface.js';
import { CORPUS_PACKAGES, DEFAULT_CORPUS_DIR, installCorpus } from './lib/corpus.js';
import { LARGE_SHARE, loadCorpus, makeCases, slipOffsetInOriginal, type Case, type Corpus } from './lib/cases.js';
import type { Random } from './lib/prng.js';
import { gitRevision, machine, markdownTable, pct, percentile, writeSection } from './lib/report.js';
import { FIRST_WAVE_CLASSES, SLIP_CLASSES, SLIP_DESCRIPTIONS } from './lib/slips.js';
import { shippedRepairer } from './lib/shipped.js';

/** Timed as it ships (see shippedRepairer); the oracles (cases, V8 verdicts, surfaces) are the sources'. */
const { repairSyntax } = await shippedRepairer();

const args = process.argv.slice(2);
const str = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const opt = (name: string, def: number): number => {
  const v = str(name);
  return v === undefined ? def : Number(v);
};
const SEED = opt('seed', 20240613);
const PER_CLASS = opt('per-class', 300);
const TWO = opt('two', 600);
const BUDGET = opt('budget', 300);
const VERIFY = opt('verify', 60);
const WRITE = !args.includes('--no-write');
const DOC = str('doc') ?? path.join('docs', 'BENCHMARKS.md');
const SHOW = str('show');
const SHOW_CLASS = str('show-class');
const SHOW_MAX = opt('show-max', 40);
const HELD_OUT_ARG = str('held-out') ?? '7,20261201';
const HELD_OUT = HELD_OUT_ARG === 'none' ? [] : HELD_OUT_ARG.split(',').filter(Boolean).map(Number);
const HELD_PER_CLASS = opt('held-out-per-class', 100);
const HELD_TWO = opt('held-out-two', 200);
/**
 * Held-out seeds beside the main one (one core each) rather than after it. Quicker, but their
 * times are not per-file times: on 2 cores V8's compiler and GC threads have no core to run on,
 * and seed 7's median was 13.8 ms beside the main seed against 9.2 ms alone.
 */
const HELD_BESIDE = args.includes('--held-out-beside');
/** Internal: run only the held-out seeds and write their figures to this file (the child process). */
const HELD_CHILD = str('held-out-child');
const GATE = DEFAULT_MIN_CONFIDENCE;
const ONLY = str('only');
if (ONLY !== undefined && ONLY !== 'two') {
  console.error(`bench:repair: --only takes 'two' (the two-slip cases), not '${ONLY}'`);
  process.exit(2);
}
if (ONLY && WRITE) {
  console.error('bench:repair: --only judges a part of the cases; add --no-write (the document holds whole runs)');
  process.exit(2);
}

const TARGETS = {
  wrongApplied: 0.005,
  singleRestored: 0.85,
  twoRestored: 0.7,
  medianMs: 10,
  p95Ms: 200,
  /** The first benchmark's single-slip targets, kept on its seven classes as a regression guard. */
  firstWaveParse: 0.97,
  firstWaveExact: 0.85,
};
for (const s of HELD_OUT) if (!Number.isFinite(s)) throw new Error(`--held-out: not a seed list: ${HELD_OUT_ARG}`);

interface Judged {
  parses: boolean;
  exact: boolean;
  /** The repair's tokens are the original's (whitespace and comments aside). */
  tokens: boolean;
  surfaceKept: boolean;
  surfaceChanged: boolean;
}

interface Outcome extends Judged {
  c: Case;
  r: SyntaxRepair;
  /** A repair at or above the gate: the rung would write it. */
  applied: boolean;
  /** Parses, but the tokens are not the original's. */
  wrong: boolean;
  wrongApplied: boolean;
  /** No repair, or one below the gate: the ladder goes on to the model. */
  handedOn: boolean;
  /** The same case with the file under git: HEAD (the original) given as the last good version. */
  git?: { parses: boolean; exact: boolean; surfaceChanged: boolean };
  /** The same case with the scan's record of the exports the file had while it parsed. */
  record?: { parses: boolean; exact: boolean; surfaceChanged: boolean };
}

function log(s: string): void {
  process.stderr.write((HELD_CHILD ? '[held-out child] ' : '') + s + '\n');
}

function sameTokens(original: readonly string[], text: string): boolean {
  const lx = lex(text);
  if (lx.tokens.length !== original.length) return false;
  for (let k = 0; k < original.length; k++) {
    const t = lx.tokens[k]!;
    if (text.slice(t.start, t.end) !== original[k]) return false;
  }
  return true;
}

/** Where slip `i` of a case is in the broken text. */
function slipOffsetInBroken(c: Case, i: number): number {
  const s = c.slips[i]!;
  if (i === 1 || c.slips.length < 2) return s.offset;
  const b = c.slips[1]!;
  return b.offset < s.offset ? s.offset + b.inserted.length - b.removed.length : s.offset;
}

function judge(corpus: Corpus, c: Case, r: SyntaxRepair): Judged {
  if (!r.ok) return { parses: false, exact: false, tokens: false, surfaceKept: false, surfaceChanged: false };
  const parses = compileVerdict(r.text, c.file.file, c.file.format).ok;
  if (!parses) throw new Error(`repairSyntax returned ok for a text that does not parse: ${c.file.name}`);
  const exact = r.text === c.file.text;
  const tokens = exact || sameTokens(corpus.tokensOf(c.file), r.text);
  const isModule = c.file.format === 'module';
  const before = surfaceOf(c.file.text, isModule).exports.join(',');
  const after = exact ? before : surfaceOf(r.text, isModule).exports.join(',');
  const surfaceKept = before === after;
  return { parses, exact, tokens, surfaceKept, surfaceChanged: !surfaceKept };
}

/** Calls on which repairSyntax threw (a repairer bug): counted as handed on, listed after the run. */
const threw: string[] = [];

function describeCase(c: Case): string {
  const slips = c.slips.map((s) => `${s.cls} @${s.offset} removed=${JSON.stringify(s.removed)} inserted=${JSON.stringify(s.inserted)}`).join(' + ');
  return `[${c.cls}] ${c.file.name} ${slips}`;
}

/** repairSyntax, with an exception turned into a give-up that says so (and the case kept for the report). */
function repair(c: Case, opts: SyntaxRepairOptions): SyntaxRepair {
  const started = performance.now();
  try {
    return repairSyntax(c.broken, opts);
  } catch (err) {
    const error = err instanceof Error ? (err.stack ?? err.message).split('\n').slice(0, 3).join(' / ') : String(err);
    threw.push(`${describeCase(c)}: ${error}`);
    return { ok: false, reason: `threw: ${error}`, candidatesTried: 0, elapsedMs: performance.now() - started };
  }
}

/** Repair every case; `lastGood` also runs the two variants with the last good exports given. */
function repairAll(corpus: Corpus, cases: Case[], lastGood: boolean): Outcome[] {
  const outcomes: Outcome[] = [];
  for (const c of cases) {
    const base = { filename: c.file.file, format: c.file.format, timeBudgetMs: BUDGET };
    const r = repair(c, base);
    const j = judge(corpus, c, r);
    const applied = r.ok && r.confidence >= GATE;
    const wrong = j.parses && !j.tokens;
    const o: Outcome = { c, r, ...j, applied, wrong, wrongApplied: wrong && applied, handedOn: !applied };
    if (lastGood) {
      // As validate/last-good settles it in the mechanic: HEAD when close, the record when it fits.
      const fromHead = lastGoodExports(c.file.text, c.broken, c.file.file, c.file.format);
      const g = judge(corpus, c, repair(c, { ...base, ...(fromHead ? { lastGoodExports: fromHead } : {}) }));
      const recorded = surfaceOf(c.file.text, c.file.format === 'module').exports;
      const fits = recordFits(recorded, c.broken);
      // the same reference as HEAD's (the usual case): the same call, so its outcome is reused
      const same = fits ? !!fromHead && fromHead.join('\n') === recorded.join('\n') : !fromHead;
      const k = same ? g : judge(corpus, c, repair(c, { ...base, ...(fits ? { lastGoodExports: recorded } : {}) }));
      o.git = { parses: g.parses, exact: g.exact, surfaceChanged: g.surfaceChanged };
      o.record = { parses: k.parses, exact: k.exact, surfaceChanged: k.surfaceChanged };
    }
    outcomes.push(o);
  }
  return outcomes;
}

/** What the held-out table needs of one case: small enough to pass from the child process. */
interface Brief {
  two: boolean;
  parses: boolean;
  restoredApplied: boolean;
  wrongApplied: boolean;
  handedOn: boolean;
  ms: number;
}

interface HeldResult {
  seed: number;
  briefs: Brief[];
  short: string[];
  seconds: number;
  threw: string[];
}

const brief = (o: Outcome): Brief => ({
  two: o.c.cls === 'two-slips',
  parses: o.parses,
  restoredApplied: o.tokens && o.applied,
  wrongApplied: o.wrongApplied,
  handedOn: o.handedOn,
  ms: o.r.elapsedMs,
});

/** One held-out seed: the same case generation and repair, smaller counts, no last-good variants. */
function runHeldOut(corpus: Corpus, seed: number): HeldResult {
  const started = Date.now();
  const before = threw.length;
  const h = makeCases(corpus, seed, HELD_PER_CLASS, HELD_TWO);
  const briefs = repairAll(corpus, h.cases, false).map(brief);
  const seconds = (Date.now() - started) / 1000;
  log(`held-out seed ${seed}: ${h.cases.length} cases in ${seconds.toFixed(1)} s${h.short.length ? ` (short: ${h.short.join('; ')})` : ''}`);
  return { seed, briefs, short: h.short, seconds, threw: threw.slice(before) };
}

/** The held-out seeds in a child process (this script again, --held-out-child). */
function heldOutInChild(): Promise<HeldResult[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-repair-held-'));
  const out = path.join(dir, 'held.json');
  const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!, ...args, '--held-out-child', out], { stdio: ['ignore', 'ignore', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      try {
        if (code !== 0) throw new Error(`the held-out child process ended with ${signal ?? `exit code ${code}`}`);
        resolve(JSON.parse(fs.readFileSync(out, 'utf8')) as HeldResult[]);
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

const count = (os_: readonly Outcome[], f: (o: Outcome) => boolean): number => os_.filter(f).length;
const rate = (os_: readonly Outcome[], f: (o: Outcome) => boolean): number => count(os_, f) / Math.max(1, os_.length);
const share = (os_: readonly Outcome[], f: (o: Outcome) => boolean): string => pct(count(os_, f), os_.length);
const restoredApplied = (o: Outcome): boolean => o.tokens && o.applied;
const ms = (os_: readonly Outcome[], p: number): string => percentile(os_.map((o) => o.r.elapsedMs), p).toFixed(1);

async function main(): Promise<void> {
  const t0 = Date.now();
  if (!compileVerdict('export {}', 'x.mjs', 'module').ok) throw new Error('run with node --experimental-vm-modules (npm run bench:repair does)');
  const corpusDir = path.resolve(DEFAULT_CORPUS_DIR);
  installCorpus(corpusDir, CORPUS_PACKAGES, log);
  const corpus = loadCorpus(corpusDir);
  const { moderate, large } = corpus;
  log(`corpus: ${moderate.length} files of 1-60 KB, ${large.length} large files (${large.map((f) => f.name).join(', ')})`);

  if (HELD_CHILD) {
    fs.writeFileSync(HELD_CHILD, JSON.stringify(HELD_OUT.map((seed) => runHeldOut(corpus, seed))));
    return;
  }
  // --held-out-beside: started now (the corpus is installed), beside the main seed
  const heldChild = HELD_OUT.length && HELD_BESIDE ? heldOutInChild() : undefined;
  heldChild?.catch(() => {}); // awaited below; no unhandled rejection meanwhile

  const made = makeCases(corpus, SEED, PER_CLASS, TWO);
  const { rnd, short } = made;
  const cases = ONLY === 'two' ? made.cases.filter((c) => c.cls === 'two-slips') : made.cases;
  log(`${cases.length} cases (seed ${SEED}); repairing with a ${BUDGET} ms budget ...`);
  if (short.length) log(`classes short of cases: ${short.join('; ')}`);
  let started = Date.now();
  const outcomes = repairAll(corpus, cases, true);
  log(`repaired in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  if (SHOW) {
    const inClass = (o: Outcome): boolean => !SHOW_CLASS || o.c.cls === SHOW_CLASS;
    const pick: ((o: Outcome) => boolean) | undefined =
      SHOW === 'surface'
        ? (o) => o.surfaceChanged
        : SHOW === 'gave-up'
          ? (o) => !o.r.ok
          : SHOW === 'proposed'
            ? (o) => o.r.ok && !o.applied
            : SHOW === 'wrong'
              ? (o) => o.wrong
              : SHOW === 'wrong-applied'
                ? (o) => o.wrongApplied
                : (o) => o.c.cls === SHOW && !o.exact;
    showCases(outcomes.filter((o) => inClass(o) && pick(o)));
  }

  const verified = verifyWithNode(outcomes, VERIFY, rnd);

  // held-out seeds: the same generation and repair, smaller counts, no last-good variants
  started = Date.now();
  // (A process of their own, not this one: its heap holds the main seed's outcomes.)
  const held = heldChild ? await heldChild : HELD_OUT.length ? await heldOutInChild() : [];
  log(`held-out seeds done ${((Date.now() - started) / 1000).toFixed(1)} s after the main seed`);
  for (const h of held) threw.push(...h.threw);

  // the table
  const single = outcomes.filter((o) => o.c.cls !== 'two-slips');
  const two = outcomes.filter((o) => o.c.cls === 'two-slips');
  const firstWave = outcomes.filter((o) => (FIRST_WAVE_CLASSES as readonly string[]).includes(o.c.cls));
  const secondWave = single.filter((o) => !(FIRST_WAVE_CLASSES as readonly string[]).includes(o.c.cls));
  const groups: [string, Outcome[]][] = [
    ...SLIP_CLASSES.map((cls) => [cls, outcomes.filter((o) => o.c.cls === cls)] as [string, Outcome[]]),
    ['**old classes (first wave)**', firstWave],
    ['**new classes (second wave)**', secondWave],
    ['**all single slips**', single],
    ['**two slips**', two],
    ['**overall**', outcomes],
  ];
  const rows: string[][] = [
    [
      'class',
      'cases',
      'parses again',
      'restored exactly',
      'restored (tokens)',
      'restored (tokens), applied',
      'wrong fix',
      'wrong fix applied',
      'handed on',
      'applied / proposed',
      'surface kept',
      'surface changed',
      'median ms',
      'p95 ms',
    ],
  ];
  for (const [name, os_] of groups) {
    if (ONLY && !os_.length) continue;
    rows.push([
      name,
      String(os_.length),
      share(os_, (o) => o.parses),
      share(os_, (o) => o.exact),
      share(os_, (o) => o.tokens),
      share(os_, restoredApplied),
      share(os_, (o) => o.wrong),
      `${share(os_, (o) => o.wrongApplied)} (${count(os_, (o) => o.wrongApplied)})`,
      share(os_, (o) => o.handedOn),
      `${count(os_, (o) => o.applied)} / ${count(os_, (o) => o.r.ok && !o.applied)}`,
      share(os_, (o) => o.surfaceKept),
      String(count(os_, (o) => o.surfaceChanged)),
      ms(os_, 50),
      ms(os_, 95),
    ]);
  }

  // held-out seeds, beside the main one
  const heldRows: string[][] = [
    ['seed', 'slips', 'cases', 'parses again', 'restored (tokens), applied', 'wrong fixes applied', 'handed on', 'median ms', 'p95 ms'],
  ];
  const heldRow = (seed: string, slips: string, bs: Brief[]): string[] => {
    const n = (f: (b: Brief) => boolean): number => bs.filter(f).length;
    return [
      seed,
      slips,
      String(bs.length),
      pct(n((b) => b.parses), bs.length),
      pct(n((b) => b.restoredApplied), bs.length),
      `${n((b) => b.wrongApplied)} (${pct(n((b) => b.wrongApplied), bs.length)})`,
      pct(n((b) => b.handedOn), bs.length),
      percentile(bs.map((b) => b.ms), 50).toFixed(1),
      percentile(bs.map((b) => b.ms), 95).toFixed(1),
    ];
  };
  const mainBriefs = outcomes.map(brief);
  for (const [seed, bs] of [[`${SEED} (main)`, mainBriefs] as const, ...held.map((h) => [String(h.seed), h.briefs] as const)]) {
    heldRows.push(heldRow(seed, 'single', bs.filter((b) => !b.two)), heldRow(seed, 'two', bs.filter((b) => b.two)));
  }

  const allMs = outcomes.map((o) => o.r.elapsedMs);
  const checks: [string, boolean, string][] = [
    [
      `wrong fixes applied ≤ ${TARGETS.wrongApplied * 100}% of single-slip cases`,
      rate(single, (o) => o.wrongApplied) <= TARGETS.wrongApplied,
      `${share(single, (o) => o.wrongApplied)}, ${count(single, (o) => o.wrongApplied)} of ${single.length}`,
    ],
    [
      `wrong fixes applied ≤ ${TARGETS.wrongApplied * 100}% of two-slip cases`,
      rate(two, (o) => o.wrongApplied) <= TARGETS.wrongApplied,
      `${share(two, (o) => o.wrongApplied)}, ${count(two, (o) => o.wrongApplied)} of ${two.length}`,
    ],
    [`single slips restored (tokens) and applied ≥ ${TARGETS.singleRestored * 100}%, all classes`, rate(single, restoredApplied) >= TARGETS.singleRestored, share(single, restoredApplied)],
    [`two slips restored (tokens) and applied ≥ ${TARGETS.twoRestored * 100}%`, rate(two, restoredApplied) >= TARGETS.twoRestored, share(two, restoredApplied)],
    [`median ≤ ${TARGETS.medianMs} ms per file`, percentile(allMs, 50) <= TARGETS.medianMs, `${percentile(allMs, 50).toFixed(1)} ms`],
    [`p95 ≤ ${TARGETS.p95Ms} ms per file`, percentile(allMs, 95) <= TARGETS.p95Ms, `${percentile(allMs, 95).toFixed(1)} ms`],
    [
      `old classes (first wave) parse again ≥ ${TARGETS.firstWaveParse * 100}% (the first benchmark's target, a regression guard)`,
      rate(firstWave, (o) => o.parses) >= TARGETS.firstWaveParse,
      share(firstWave, (o) => o.parses),
    ],
    [
      `old classes (first wave) restored exactly ≥ ${TARGETS.firstWaveExact * 100}% (the first benchmark's target, a regression guard)`,
      rate(firstWave, (o) => o.exact) >= TARGETS.firstWaveExact,
      share(firstWave, (o) => o.exact),
    ],
    ['zero repairs that change the export surface', outcomes.every((o) => !o.surfaceChanged), String(count(outcomes, (o) => o.surfaceChanged))],
    [
      'zero repairs that change the export surface, file under git (HEAD given as the last good version)',
      outcomes.every((o) => !o.git!.surfaceChanged),
      `${count(outcomes, (o) => o.git!.surfaceChanged)}; parses again ${share(outcomes, (o) => o.git!.parses)}, restored exactly ${share(outcomes, (o) => o.git!.exact)}`,
    ],
    [
      'zero repairs that change the export surface, file seen parsing by the scan (its recorded exports given)',
      outcomes.every((o) => !o.record!.surfaceChanged),
      `${count(outcomes, (o) => o.record!.surfaceChanged)}; parses again ${share(outcomes, (o) => o.record!.parses)}, restored exactly ${share(outcomes, (o) => o.record!.exact)}`,
    ],
  ];
  // why the cases handed on to the model were handed on
  const whys = new Map<string, number>();
  for (const o of outcomes) {
    if (!o.handedOn) continue;
    const why = o.r.ok
      ? `proposed below the gate (confidence < ${GATE})`
      : /^threw: /.test(o.r.reason)
        ? 'the repairer threw (a bug)'
        : /^ambiguous exports/.test(o.r.reason)
        ? 'ambiguous exports (a rival repair exports differently)'
        : /ran out before other repairs/.test(o.r.reason)
          ? 'out of budget before rivals were ruled out'
          : /^time budget/.test(o.r.reason)
            ? 'out of budget'
            : /cap of/.test(o.r.reason)
              ? 'candidate cap'
              : 'no candidate parsed (and kept the surface)';
    whys.set(why, (whys.get(why) ?? 0) + 1);
  }
  const handedOn = [...whys].sort((a, b) => b[1] - a[1]).map(([w, n]) => `${w} ${n}`).join(', ') || 'none';
  const shortClasses = SLIP_CLASSES.filter((cls) => {
    const os_ = outcomes.filter((o) => o.c.cls === cls);
    return rate(os_, restoredApplied) < TARGETS.singleRestored || rate(os_, (o) => o.wrongApplied) > TARGETS.wrongApplied;
  });

  const table = markdownTable(rows);
  const heldTable = markdownTable(heldRows);
  const targetLines = checks.map(([what, met, got]) => `- ${met ? 'met' : '**not met**'}: ${what} (measured: ${got})`).join('\n');
  const perPkg = new Map<string, number>();
  for (const c of cases) perPkg.set(c.file.pkg, (perPkg.get(c.file.pkg) ?? 0) + 1);
  const heldShort = held.flatMap((h) => h.short.map((s) => `seed ${h.seed}: ${s}`));
  const totalSeconds = (Date.now() - t0) / 1000;
  const body = [
    `Command: \`npm run bench:repair\` (seed ${SEED}, ${PER_CLASS} single-slip cases per class, ${TWO} two-slip cases, budget ${BUDGET} ms per file, default maxEdits 2, gate ${GATE}; held-out seeds ${HELD_OUT.length ? HELD_OUT.join(', ') : 'none'} with ${HELD_PER_CLASS} per class and ${HELD_TWO} two-slip cases).`,
    `Run: ${new Date().toISOString().slice(0, 10)}, revision ${gitRevision()}, on ${machine()}, ${Math.round(totalSeconds)} s in all.`,
    '',
    `Corpus: ${moderate.length} files of 1–60 KB and ${large.length} large files (${LARGE_SHARE * 100}% of cases: ${large.map((f) => f.name).join(', ')}) from ${CORPUS_PACKAGES.join(', ')}. Cases per package: ${[...perPkg].sort((a, b) => b[1] - a[1]).map(([p, n]) => `${p} ${n}`).join(', ')}. CommonJS cases: ${cases.filter((c) => c.file.format === 'commonjs').length}, ES module cases: ${cases.filter((c) => c.file.format === 'module').length}.`,
    ...(short.length || heldShort.length ? ['', `Classes short of cases (too few sites V8 rejects): ${[...short, ...heldShort].join('; ')}.`] : []),
    '',
    table,
    '',
    'Targets:',
    targetLines,
    '',
    `Classes below a single-slip target (restored (tokens) and applied, or wrong fixes applied): ${shortClasses.length ? shortClasses.join(', ') : 'none'}.`,
    '',
    `Handed on to the model (${count(outcomes, (o) => o.handedOn)} cases), by reason: ${handedOn}.`,
    '',
    `Equivalence with \`node --check\`: ${verified}.`,
    ...(threw.length ? ['', `repairSyntax threw on ${threw.length} calls (a repairer bug; counted as handed on): ${[...new Set(threw.map((t) => /^\[([^\]]+)\]/.exec(t)?.[1]))].join(', ')}.`] : []),
    '',
    `Held-out seeds: the same case generation and repair with other seeds and smaller counts (${HELD_PER_CLASS} single-slip cases per class, ${HELD_TWO} two-slip cases; without the last-good variants; ${HELD_BESIDE ? 'run in a second process beside the main seed, one core each: their times are not per-file times' : 'run in a process of their own after the main seed'}), beside the main seed's figures. A repairer tuned to the main seed's cases shows it here.`,
    '',
    HELD_OUT.length ? heldTable : '(held-out seeds not run)',
    '',
    'Classes (the first seven are the first wave, unchanged since the first benchmark; the rest were added for issue 12):',
    ...SLIP_CLASSES.map((c) => `- \`${c}\`: ${SLIP_DESCRIPTIONS[c]}.`),
    '- `two slips`: two slips of random classes (any of the above) at different places in one file, each of which alone makes V8 reject the file (a slip V8 accepts, such as a `;` dropped where ASI puts it back, is no slip a repairer could see).',
    '',
    `Columns: *parses again* — the repairer returned a repair (applied or not), and it compiles (V8, as \`node --check\`); *restored exactly* — the repair is the original file, byte for byte; *restored (tokens)* — the repair's tokens are the original's, whitespace and comments aside; *restored (tokens), applied* — that, and its confidence reaches the gate (${GATE}), so the rung would write it; *wrong fix* — a repair that parses but whose tokens differ from the original's; *wrong fix applied* — a wrong fix at or above the gate, one the rung would write (count in brackets); *handed on* — no repair, or one below the gate: the ladder goes on to the model; *applied / proposed* — repairs at or above the gate / repairs below it; *surface kept* — repaired and the export surface equals the original's; *surface changed* — repairs whose export surface differs from the original's (target 0); times are per file, the whole repairSyntax call. Old classes (first wave) aggregates the first seven classes, so their figures compare with earlier runs.`,
  ].join('\n');

  // a target judged on a part of the cases (or on none) says nothing
  console.log(`\n${table}\n\n${ONLY ? '(targets: a whole run)' : targetLines}\n\nhanded on: ${handedOn}\nnode --check: ${verified}`);
  if (HELD_OUT.length) console.log(`\nheld-out seeds:\n\n${heldTable}`);
  if (short.length || heldShort.length) console.log(`\nshort of cases: ${[...short, ...heldShort].join('; ')}`);
  if (threw.length) {
    console.log(`\nrepairSyntax threw on ${threw.length} call${threw.length === 1 ? '' : 's'} (counted as handed on):`);
    for (const t of threw.slice(0, 10)) console.log(`- ${t}`);
  }
  console.log(`\ntotal ${totalSeconds.toFixed(1)} s`);
  if (WRITE) {
    const doc = path.resolve(DOC);
    writeSection(doc, 'bench:repair', 'Deterministic repair', body);
    log(`written to ${path.relative(process.cwd(), doc)}`);
  }
}

/** Confirm a sample with the node binary itself: the broken text fails, the repaired text passes. */
function verifyWithNode(outcomes: Outcome[], n: number, rnd: Random): string {
  if (n <= 0) return 'not checked';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-repair-'));
  let agree = 0;
  let checked = 0;
  try {
    const sample = [...outcomes].sort(() => rnd.next() - 0.5).slice(0, n);
    for (const o of sample) {
      const ext = o.c.file.format === 'module' ? '.mjs' : '.cjs';
      const file = path.join(dir, `case${checked}${ext}`);
      fs.writeFileSync(file, o.c.broken);
      const broken = spawnSync(process.execPath, ['--check', file], { stdio: 'ignore' }).status !== 0;
      let fixed = true;
      if (o.r.ok) {
        fs.writeFileSync(file, o.r.text);
        fixed = spawnSync(process.execPath, ['--check', file], { stdio: 'ignore' }).status === 0;
      }
      checked++;
      if (broken && fixed) agree++;
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return `${agree} of ${checked} sampled cases agree (each broken text fails \`node --check\`, each repair passes it)`;
}

function showCases(list: Outcome[]): void {
  console.log(`${list.length} case${list.length === 1 ? '' : 's'}${list.length > SHOW_MAX ? `, the first ${SHOW_MAX}` : ''}:`);
  for (const o of list.slice(0, SHOW_MAX)) {
    const orig = o.c.file.text;
    const ctx = (t: string, at: number): string => JSON.stringify(t.slice(Math.max(0, at - 60), at + 60));
    const slips = o.c.slips.map((s) => `${s.cls} @${s.offset} removed=${JSON.stringify(s.removed)} inserted=${JSON.stringify(s.inserted)}`).join(' + ');
    const status = o.r.ok
      ? `${o.applied ? 'applied' : 'proposed'} confidence ${o.r.confidence.toFixed(2)} ${o.exact ? 'exact' : o.tokens ? 'tokens restored' : 'WRONG'}: ${o.r.note}`
      : `gave up: ${o.r.reason}`;
    console.log(`--- [${o.c.cls}] ${o.c.file.name} ${slips}\n    ${status}`);
    if (o.r.ok && (o.r.evidence.length || o.r.rival)) console.log(`    evidence: ${o.r.evidence.join('; ') || '-'}${o.r.rival ? `; rival: ${o.r.rival}` : ''}`);
    o.c.slips.forEach((_, i) => {
      console.log('orig  ', ctx(orig, slipOffsetInOriginal(o.c, i)));
      console.log('broken', ctx(o.c.broken, slipOffsetInBroken(o.c, i)));
    });
    if (o.r.ok) {
      if (o.surfaceChanged) {
        const isModule = o.c.file.format === 'module';
        console.log('exports', surfaceOf(orig, isModule).exports.join(','), '->', surfaceOf(o.r.text, isModule).exports.join(','));
      }
      for (const e of o.r.edits) console.log(`fix    ${e.line}:${e.column}`, ctx(o.r.text, e.offset));
    }
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
