/**
 * Repair speed profile: the bench:repair cases (same generation), repairSyntax on each with its
 * default budget, no last-good variants. Prints median/p95 and the process's CPU time, and with
 * --out FILE writes every verdict (ok, text digest, confidence, evidence, reason) so that two
 * revisions can be compared case by case. Run under `node --cpu-prof` to see where time goes.
 *
 *   node --experimental-vm-modules --expose-internals --no-warnings --import tsx bench/profile-repair.ts \
 *     [--seed N] [--per-class N] [--two N] [--out FILE] [--limit N]
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { compileVerdict } from '../src/analysis/compile.js';
import { repairSyntax } from '../src/repair/deterministic/index.js';
import { lex, type Lexed } from '../src/repair/deterministic/tokens.js';
import { CORPUS_PACKAGES, DEFAULT_CORPUS_DIR, corpusFiles, type CorpusFile } from './lib/corpus.js';
import { seededRandom } from './lib/prng.js';
import { percentile } from './lib/report.js';
import { SLIP_CLASSES, applySlip } from './lib/slips.js';

const args = process.argv.slice(2);
const str = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const num = (name: string, def: number): number => Number(str(name) ?? def);
const SEED = num('seed', 20240613);
const PER_CLASS = num('per-class', 10);
const TWO = num('two', 40);
const OUT = str('out');
const BUDGET = num('budget', 300);
const LARGE_SHARE = 0.05;

const dir = path.resolve(DEFAULT_CORPUS_DIR);
const moderate = corpusFiles(dir, CORPUS_PACKAGES, { minBytes: 1024, maxBytes: 60 * 1024 });
const large = corpusFiles(dir, CORPUS_PACKAGES, { minBytes: 60 * 1024 + 1, maxBytes: 600 * 1024 });
const lexCache = new Map<string, Lexed>();
const lexOf = (f: CorpusFile): Lexed => {
  let lx = lexCache.get(f.file);
  if (!lx) lexCache.set(f.file, (lx = lex(f.text)));
  return lx;
};

// the case generation of bench/repair.ts (makeCases), kept in step with it
interface Case { cls: string; file: CorpusFile; broken: string }
const rnd = seededRandom(SEED);
const pickFile = (): CorpusFile => (rnd.chance(LARGE_SHARE) ? rnd.pick(large) : rnd.pick(moderate));
const cases: Case[] = [];
for (const cls of SLIP_CLASSES) {
  let made = 0;
  for (let attempt = 0; made < PER_CLASS && attempt < PER_CLASS * 30; attempt++) {
    const file = pickFile();
    const s = applySlip(file.text, cls, rnd, lexOf(file));
    if (!s || compileVerdict(s.text, file.file, file.format).ok) continue;
    cases.push({ cls, file, broken: s.text });
    made++;
  }
}
let made = 0;
for (let attempt = 0; made < TWO && attempt < TWO * 30; attempt++) {
  const file = pickFile();
  const a = applySlip(file.text, rnd.pick(SLIP_CLASSES), rnd, lexOf(file));
  if (!a) continue;
  const span: [number, number] = [a.slip.offset - 2, a.slip.offset + a.slip.inserted.length + 2];
  const b = applySlip(a.text, rnd.pick(SLIP_CLASSES), rnd, undefined, span);
  if (!b || compileVerdict(b.text, file.file, file.format).ok) continue;
  if (compileVerdict(a.text, file.file, file.format).ok) continue;
  const aOff = a.slip.offset;
  const bAt = b.slip.offset < aOff ? b.slip.offset : b.slip.offset - a.slip.inserted.length + a.slip.removed.length;
  const bAlone = file.text.slice(0, bAt) + b.slip.inserted + file.text.slice(bAt + b.slip.removed.length);
  if (compileVerdict(bAlone, file.file, file.format).ok) continue;
  cases.push({ cls: 'two-slips', file, broken: b.text });
  made++;
}
const limit = num('limit', cases.length);
const MAX_BYTES = num('max-bytes', Infinity);

const cpu0 = process.cpuUsage();
const times: number[] = [];
const lines: string[] = [];
for (const c of cases.slice(0, limit)) {
  if (c.broken.length > MAX_BYTES) continue;
  const r = repairSyntax(c.broken, { filename: c.file.file, format: c.file.format, timeBudgetMs: BUDGET });
  times.push(r.elapsedMs);
  const digest = r.ok
    ? { ok: true, text: createHash('sha1').update(r.text).digest('hex').slice(0, 12), confidence: r.confidence, evidence: r.evidence, rival: r.rival, note: r.note, tried: r.candidatesTried }
    : { ok: false, reason: r.reason, tried: r.candidatesTried };
  lines.push(JSON.stringify({ cls: c.cls, file: c.file.name, bytes: c.broken.length, ms: r.elapsedMs, ...digest }));
}
const cpu = process.cpuUsage(cpu0);
const byClass = new Map<string, number[]>();
lines.forEach((l, i) => {
  const cls = (JSON.parse(l) as { cls: string }).cls;
  byClass.set(cls, [...(byClass.get(cls) ?? []), times[i]!]);
});
console.log(`${times.length} cases (seed ${SEED}): median ${percentile(times, 50).toFixed(1)} ms, p95 ${percentile(times, 95).toFixed(1)} ms, sum ${times.reduce((a, b) => a + b, 0).toFixed(0)} ms, cpu ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms`);
if (args.includes('--classes')) for (const [cls, ts] of byClass) console.log(`  ${cls}: median ${percentile(ts, 50).toFixed(1)} p95 ${percentile(ts, 95).toFixed(1)}`);
if (OUT) fs.writeFileSync(OUT, lines.join('\n') + '\n');
