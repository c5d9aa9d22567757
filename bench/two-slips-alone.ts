/**
 * What the two-slip cases of bench:repair could reach: each case's two slips, each put alone into
 * the original file and repaired as a single slip. A two-slip case whose slips are both restored
 * (tokens) and applied alone is one a repairer of pairs can hope to restore; one with a slip the
 * single-edit search cannot settle alone it cannot, short of better single-slip evidence. Prints,
 * beside that ceiling, what repairSyntax makes of the two slips together.
 *
 *   node --experimental-vm-modules --no-warnings --import tsx bench/two-slips-alone.ts [--seed N] [--two N] [--budget MS]
 */
import path from 'node:path';
import { DEFAULT_MIN_CONFIDENCE } from '../src/config/defaults.js';
import { repairSyntax, type SyntaxRepair } from '../src/repair/deterministic/index.js';
import { lex } from '../src/repair/deterministic/tokens.js';
import { DEFAULT_CORPUS_DIR } from './lib/corpus.js';
import { loadCorpus, makeCases, slipOffsetInOriginal } from './lib/cases.js';
import { pct } from './lib/report.js';

const args = process.argv.slice(2);
const opt = (name: string, def: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const SEED = opt('seed', 20240613);
const TWO = opt('two', 300);
const BUDGET = opt('budget', 300);

const corpus = loadCorpus(path.resolve(DEFAULT_CORPUS_DIR));
const { cases } = makeCases(corpus, SEED, 0, TWO);

let both = 0;
let one = 0;
let together = 0;
let togetherOfBoth = 0;
for (const c of cases) {
  const original = corpus.tokensOf(c.file);
  const restoredApplied = (r: SyntaxRepair): boolean => {
    if (!r.ok || r.confidence < DEFAULT_MIN_CONFIDENCE) return false;
    const lx = lex(r.text);
    return lx.tokens.length === original.length && lx.tokens.every((t, k) => r.text.slice(t.start, t.end) === original[k]);
  };
  const opts = { filename: c.file.file, format: c.file.format, timeBudgetMs: BUDGET };
  const alone = c.slips.map((s, k) => {
    const at = slipOffsetInOriginal(c, k);
    return restoredApplied(repairSyntax(c.file.text.slice(0, at) + s.inserted + c.file.text.slice(at + s.removed.length), opts));
  });
  const pair = restoredApplied(repairSyntax(c.broken, opts));
  if (alone[0] && alone[1]) {
    both++;
    if (pair) togetherOfBoth++;
  } else if (alone[0] || alone[1]) one++;
  if (pair) together++;
}
const n = cases.length;
console.log(`seed ${SEED}, ${n} two-slip cases, budget ${BUDGET} ms`);
console.log(`both slips restored (tokens) and applied, each alone: ${both} (${pct(both, n)}); one of the two: ${one}; neither: ${n - both - one}`);
console.log(`the two together, restored (tokens) and applied: ${together} (${pct(together, n)}); of the ${both} whose slips are each settled alone: ${togetherOfBoth}`);
