/**
 * Deterministic repair benchmark: `npm run bench:repair`.
 *
 * Real JavaScript from a fixed list of pinned npm packages (installed here into .cache/bench),
 * broken by seeded slips from a named taxonomy, keeping only texts that V8 rejects exactly as
 * `node --check` would; each is handed to repairSyntax with its default budget. Prints a table
 * per class and writes it into docs/BENCHMARKS.md.
 *
 * Options: --seed N, --per-class N (single-slip cases per class), --two N (two-slip cases),
 * --budget MS, --verify N (cases double-checked with the real `node --check`), --no-write,
 * --show CLASS (print the cases of a class that were not restored exactly; `surface`: the repairs
 * that changed the export surface; `gave-up`: the cases handed on to the LLM).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { compileVerdict, type ModuleFormat } from '../src/discover/syntax/compile.js';
import { repairSyntax, type SyntaxRepair } from '../src/repair/deterministic/index.js';
import { lex, type Lexed } from '../src/repair/deterministic/tokens.js';
import { lastGoodExports, recordFits } from '../src/validate/last-good.js';
import { surfaceOf } from '../src/validate/surface.js';
import { CORPUS_PACKAGES, DEFAULT_CORPUS_DIR, corpusFiles, installCorpus, type CorpusFile } from './lib/corpus.js';
import { seededRandom } from './lib/prng.js';
import { gitRevision, machine, markdownTable, pct, percentile, writeSection } from './lib/report.js';
import { SLIP_CLASSES, SLIP_DESCRIPTIONS, applySlip, type Slip, type SlipClass } from './lib/slips.js';

const args = process.argv.slice(2);
const opt = (name: string, def: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const SEED = opt('seed', 20240613);
const PER_CLASS = opt('per-class', 300);
const TWO = opt('two', 600);
const BUDGET = opt('budget', 300);
const VERIFY = opt('verify', 60);
const WRITE = !args.includes('--no-write');
const SHOW = args.includes('--show') ? args[args.indexOf('--show') + 1] : undefined;
const LARGE_SHARE = 0.05;

const TARGETS = { singleParse: 0.97, singleExact: 0.85, twoParse: 0.85, medianMs: 50, p95Ms: 500 };

interface Case {
  cls: SlipClass | 'two-slips';
  file: CorpusFile;
  broken: string;
  slips: Slip[];
}

interface Outcome {
  c: Case;
  r: SyntaxRepair;
  parses: boolean;
  exact: boolean;
  surfaceKept: boolean;
  surfaceChanged: boolean;
  /** The same case with the file under git: HEAD (the original) given as the last good version. */
  git: { parses: boolean; exact: boolean; surfaceChanged: boolean };
  /** The same case with the scan's record of the exports the file had while it parsed. */
  record: { parses: boolean; exact: boolean; surfaceChanged: boolean };
}

function log(s: string): void {
  process.stderr.write(s + '\n');
}

function main(): void {
  if (!compileVerdict('export {}', 'x.mjs', 'module').ok) throw new Error('run with node --experimental-vm-modules (npm run bench:repair does)');
  const corpusDir = path.resolve(DEFAULT_CORPUS_DIR);
  installCorpus(corpusDir, CORPUS_PACKAGES, log);
  const moderate = corpusFiles(corpusDir, CORPUS_PACKAGES, { minBytes: 1024, maxBytes: 60 * 1024 });
  const large = corpusFiles(corpusDir, CORPUS_PACKAGES, { minBytes: 60 * 1024 + 1, maxBytes: 600 * 1024 });
  log(`corpus: ${moderate.length} files of 1-60 KB, ${large.length} large files (${large.map((f) => f.name).join(', ')})`);

  const rnd = seededRandom(SEED);
  const lexCache = new Map<string, Lexed>();
  const lexOf = (f: CorpusFile): Lexed => {
    let lx = lexCache.get(f.file);
    if (!lx) lexCache.set(f.file, (lx = lex(f.text)));
    return lx;
  };
  const pickFile = (): CorpusFile => (rnd.chance(LARGE_SHARE) ? rnd.pick(large) : rnd.pick(moderate));

  const cases: Case[] = [];
  for (const cls of SLIP_CLASSES) {
    let made = 0;
    for (let attempt = 0; made < PER_CLASS && attempt < PER_CLASS * 30; attempt++) {
      const file = pickFile();
      const s = applySlip(file.text, cls, rnd, lexOf(file));
      if (!s || compileVerdict(s.text, file.file, file.format).ok) continue;
      cases.push({ cls, file, broken: s.text, slips: [s.slip] });
      made++;
    }
  }
  for (let made = 0, attempt = 0; made < TWO && attempt < TWO * 30; attempt++) {
    const file = pickFile();
    const a = applySlip(file.text, rnd.pick(SLIP_CLASSES), rnd, lexOf(file));
    if (!a) continue;
    const span: [number, number] = [a.slip.offset - 2, a.slip.offset + a.slip.inserted.length + 2];
    const b = applySlip(a.text, rnd.pick(SLIP_CLASSES), rnd, undefined, span);
    if (!b || compileVerdict(b.text, file.file, file.format).ok) continue;
    cases.push({ cls: 'two-slips', file, broken: b.text, slips: [a.slip, b.slip] });
    made++;
  }
  log(`${cases.length} cases (seed ${SEED}); repairing with a ${BUDGET} ms budget ...`);

  const outcomes: Outcome[] = [];
  const started = Date.now();
  const judge = (c: Case, r: SyntaxRepair) => {
    let parses = false;
    let exact = false;
    let surfaceKept = false;
    if (r.ok) {
      parses = compileVerdict(r.text, c.file.file, c.file.format).ok;
      if (!parses) throw new Error(`repairSyntax returned ok for a text that does not parse: ${c.file.name}`);
      exact = r.text === c.file.text;
      const isModule = c.file.format === 'module';
      const before = surfaceOf(c.file.text, isModule).exports.join(',');
      const after = exact ? before : surfaceOf(r.text, isModule).exports.join(',');
      surfaceKept = before === after;
    }
    return { parses, exact, surfaceKept, surfaceChanged: r.ok && !surfaceKept };
  };
  for (const c of cases) {
    const r = repairSyntax(c.broken, { filename: c.file.file, format: c.file.format, timeBudgetMs: BUDGET });
    // As validate/last-good settles it in the mechanic: HEAD when close, the record when it fits.
    const fromHead = lastGoodExports(c.file.text, c.broken, c.file.file, c.file.format);
    const g = judge(c, repairSyntax(c.broken, { filename: c.file.file, format: c.file.format, timeBudgetMs: BUDGET, ...(fromHead ? { lastGoodExports: fromHead } : {}) }));
    const recorded = surfaceOf(c.file.text, c.file.format === 'module').exports;
    const fits = recordFits(recorded, c.broken);
    const k = judge(c, repairSyntax(c.broken, { filename: c.file.file, format: c.file.format, timeBudgetMs: BUDGET, ...(fits ? { lastGoodExports: recorded } : {}) }));
    outcomes.push({
      c,
      r,
      ...judge(c, r),
      git: { parses: g.parses, exact: g.exact, surfaceChanged: g.surfaceChanged },
      record: { parses: k.parses, exact: k.exact, surfaceChanged: k.surfaceChanged },
    });
  }
  log(`repaired in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  if (SHOW === 'surface') showMisses(outcomes.filter((o) => o.surfaceChanged));
  else if (SHOW === 'gave-up') showMisses(outcomes.filter((o) => !o.r.ok));
  else if (SHOW) showMisses(outcomes.filter((o) => o.c.cls === SHOW && !o.exact));

  const verified = verifyWithNode(outcomes, VERIFY, rnd);

  // the table
  const groups: [string, Outcome[]][] = [
    ...SLIP_CLASSES.map((cls) => [cls, outcomes.filter((o) => o.c.cls === cls)] as [string, Outcome[]]),
    ['**all single slips**', outcomes.filter((o) => o.c.cls !== 'two-slips')],
    ['**two slips**', outcomes.filter((o) => o.c.cls === 'two-slips')],
    ['**overall**', outcomes],
  ];
  const rows: string[][] = [['class', 'cases', 'parses again', 'restored exactly', 'surface kept', 'surface changed', 'to the LLM', 'median ms', 'p95 ms']];
  for (const [name, os_] of groups) {
    const n = os_.length;
    const ms = os_.map((o) => o.r.elapsedMs);
    rows.push([
      name,
      String(n),
      pct(os_.filter((o) => o.parses).length, n),
      pct(os_.filter((o) => o.exact).length, n),
      pct(os_.filter((o) => o.surfaceKept).length, n),
      String(os_.filter((o) => o.surfaceChanged).length),
      pct(os_.filter((o) => !o.r.ok).length, n),
      percentile(ms, 50).toFixed(1),
      percentile(ms, 95).toFixed(1),
    ]);
  }
  const single = outcomes.filter((o) => o.c.cls !== 'two-slips');
  const two = outcomes.filter((o) => o.c.cls === 'two-slips');
  const allMs = outcomes.map((o) => o.r.elapsedMs);
  const rate = (os_: Outcome[], f: (o: Outcome) => boolean): number => os_.filter(f).length / Math.max(1, os_.length);
  const checks: [string, boolean, string][] = [
    [`single slips parse again ≥ ${TARGETS.singleParse * 100}%`, rate(single, (o) => o.parses) >= TARGETS.singleParse, pct(single.filter((o) => o.parses).length, single.length)],
    [`single slips restored exactly ≥ ${TARGETS.singleExact * 100}%`, rate(single, (o) => o.exact) >= TARGETS.singleExact, pct(single.filter((o) => o.exact).length, single.length)],
    [`two slips parse again ≥ ${TARGETS.twoParse * 100}%`, rate(two, (o) => o.parses) >= TARGETS.twoParse, pct(two.filter((o) => o.parses).length, two.length)],
    [`median ≤ ${TARGETS.medianMs} ms per file`, percentile(allMs, 50) <= TARGETS.medianMs, `${percentile(allMs, 50).toFixed(1)} ms`],
    [`p95 ≤ ${TARGETS.p95Ms} ms per file`, percentile(allMs, 95) <= TARGETS.p95Ms, `${percentile(allMs, 95).toFixed(1)} ms`],
    ['zero repairs that change the export surface', outcomes.every((o) => !o.surfaceChanged), String(outcomes.filter((o) => o.surfaceChanged).length)],
    [
      'zero repairs that change the export surface, file under git (HEAD given as the last good version)',
      outcomes.every((o) => !o.git.surfaceChanged),
      `${outcomes.filter((o) => o.git.surfaceChanged).length}; parses again ${pct(outcomes.filter((o) => o.git.parses).length, outcomes.length)}, restored exactly ${pct(outcomes.filter((o) => o.git.exact).length, outcomes.length)}`,
    ],
    [
      "zero repairs that change the export surface, file seen parsing by the scan (its recorded exports given)",
      outcomes.every((o) => !o.record.surfaceChanged),
      `${outcomes.filter((o) => o.record.surfaceChanged).length}; parses again ${pct(outcomes.filter((o) => o.record.parses).length, outcomes.length)}, restored exactly ${pct(outcomes.filter((o) => o.record.exact).length, outcomes.length)}`,
    ],
  ];
  // why the cases handed on to the LLM were handed on
  const whys = new Map<string, number>();
  for (const o of outcomes) {
    if (o.r.ok) continue;
    const why = /^ambiguous exports/.test(o.r.reason)
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
    return rate(os_, (o) => o.parses) < TARGETS.singleParse || rate(os_, (o) => o.exact) < TARGETS.singleExact;
  });

  const table = markdownTable(rows);
  const targetLines = checks.map(([what, met, got]) => `- ${met ? 'met' : '**not met**'}: ${what} (measured: ${got})`).join('\n');
  const perPkg = new Map<string, number>();
  for (const c of cases) perPkg.set(c.file.pkg, (perPkg.get(c.file.pkg) ?? 0) + 1);
  const body = [
    `Command: \`npm run bench:repair\` (seed ${SEED}, ${PER_CLASS} single-slip cases per class, ${TWO} two-slip cases, budget ${BUDGET} ms per file, default maxEdits 2).`,
    `Run: ${new Date().toISOString().slice(0, 10)}, revision ${gitRevision()}, on ${machine()}.`,
    '',
    `Corpus: ${moderate.length} files of 1–60 KB and ${large.length} large files (${LARGE_SHARE * 100}% of cases: ${large.map((f) => f.name).join(', ')}) from ${CORPUS_PACKAGES.join(', ')}. Cases per package: ${[...perPkg].sort((a, b) => b[1] - a[1]).map(([p, n]) => `${p} ${n}`).join(', ')}. CommonJS cases: ${cases.filter((c) => c.file.format === 'commonjs').length}, ES module cases: ${cases.filter((c) => c.file.format === 'module').length}.`,
    '',
    table,
    '',
    'Targets:',
    targetLines,
    '',
    `Classes below a single-slip target: ${shortClasses.length ? shortClasses.join(', ') : 'none'}.`,
    '',
    `Handed on to the LLM (${outcomes.filter((o) => !o.r.ok).length} cases), by reason: ${handedOn}.`,
    '',
    `Equivalence with \`node --check\`: ${verified}.`,
    '',
    'Classes:',
    ...SLIP_CLASSES.map((c) => `- \`${c}\`: ${SLIP_DESCRIPTIONS[c]}.`),
    '- `two slips`: two slips of random classes at different places in one file.',
    '',
    'Columns: *parses again* — the repair compiles (V8, as `node --check`); *restored exactly* — the repair is the original file, byte for byte; *surface kept* — repaired and the export surface equals the original\'s; *surface changed* — repairs whose export surface differs from the original\'s (target 0); *to the LLM* — the repairer gave up and the ladder goes on to the model; times are per file, the whole repairSyntax call.',
  ].join('\n');

  console.log(`\n${table}\n\n${targetLines}\n\nhanded on: ${handedOn}\nnode --check: ${verified}`);
  if (WRITE) {
    const doc = path.resolve('docs', 'BENCHMARKS.md');
    writeSection(doc, 'bench:repair', 'Deterministic repair', body);
    log(`written to ${path.relative(process.cwd(), doc)}`);
  }
}

/** Confirm a sample with the node binary itself: the broken text fails, the repaired text passes. */
function verifyWithNode(outcomes: Outcome[], n: number, rnd: ReturnType<typeof seededRandom>): string {
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

function showMisses(misses: Outcome[]): void {
  for (const o of misses.slice(0, 40)) {
    const s = o.c.slips[0]!;
    const at = s.offset;
    const orig = o.c.file.text;
    const ctx = (t: string): string => JSON.stringify(t.slice(Math.max(0, at - 60), at + 60));
    console.log(`--- ${o.c.file.name} @${at} removed=${JSON.stringify(s.removed)} inserted=${JSON.stringify(s.inserted)} ${o.r.ok ? 'note: ' + o.r.note : 'gave up: ' + o.r.reason}`);
    console.log('orig  ', ctx(orig));
    console.log('broken', ctx(o.c.broken));
    if (o.r.ok) {
      if (o.surfaceChanged) {
        const isModule = o.c.file.format === 'module';
        console.log('exports', surfaceOf(orig, isModule).exports.join(','), '->', surfaceOf(o.r.text, isModule).exports.join(','));
      }
      const e = o.r.edits[0]!;
      console.log('fix   ', JSON.stringify(o.r.text.slice(Math.max(0, e.offset - 60), e.offset + 60)));
    }
  }
}

main();
