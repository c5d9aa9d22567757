/**
 * Repair speed profile: the bench:repair cases (same generation), repairSyntax on each with its
 * default budget, no last-good variants. Prints median/p95 and the process's CPU time, and with
 * --out FILE writes every verdict (ok, text digest, confidence, evidence, reason) so that two
 * revisions can be compared case by case. Run under `node --cpu-prof` to see where time goes.
 * Times the build in dist/ (see shippedRepairer): `npm run build` first.
 *
 *   node --experimental-vm-modules --expose-internals --no-warnings --import tsx bench/profile-repair.ts \
 *     [--seed N] [--per-class N] [--two N] [--out FILE] [--limit N]
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { loadCorpus, makeCases } from './lib/cases.js';
import { DEFAULT_CORPUS_DIR } from './lib/corpus.js';
import { percentile } from './lib/report.js';
import { shippedRepairer } from './lib/shipped.js';

const { repairSyntax } = await shippedRepairer();

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

const { cases } = makeCases(loadCorpus(path.resolve(DEFAULT_CORPUS_DIR)), SEED, PER_CLASS, TWO);
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
