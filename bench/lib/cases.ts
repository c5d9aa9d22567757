/**
 * The cases of bench:repair, made from the corpus by seeded slips: bench/repair.ts judges them,
 * bench/profile-repair.ts times them. One generator, so that a seed means the same cases in both.
 */
import { compileVerdict } from '../../src/analysis/compile.js';
import { lex, type Lexed } from '../../src/repair/deterministic/tokens.js';
import { CORPUS_PACKAGES, corpusFiles, type CorpusFile } from './corpus.js';
import { seededRandom, type Random } from './prng.js';
import { SLIP_CLASSES, applySlip, type Slip, type SlipClass } from './slips.js';

/** The share of cases taken from the large files. */
export const LARGE_SHARE = 0.05;

export interface Case {
  cls: SlipClass | 'two-slips';
  file: CorpusFile;
  broken: string;
  slips: Slip[];
}

export interface Corpus {
  moderate: CorpusFile[];
  large: CorpusFile[];
  lexOf: (f: CorpusFile) => Lexed;
  tokensOf: (f: CorpusFile) => string[];
}

/** The corpus's files of 1–60 KB and its large ones, each lexed once when first needed. */
export function loadCorpus(corpusDir: string): Corpus {
  const moderate = corpusFiles(corpusDir, CORPUS_PACKAGES, { minBytes: 1024, maxBytes: 60 * 1024 });
  const large = corpusFiles(corpusDir, CORPUS_PACKAGES, { minBytes: 60 * 1024 + 1, maxBytes: 600 * 1024 });
  const lexCache = new Map<string, Lexed>();
  const tokCache = new Map<string, string[]>();
  const lexOf = (f: CorpusFile): Lexed => {
    let lx = lexCache.get(f.file);
    if (!lx) lexCache.set(f.file, (lx = lex(f.text)));
    return lx;
  };
  const tokensOf = (f: CorpusFile): string[] => {
    let t = tokCache.get(f.file);
    if (!t) tokCache.set(f.file, (t = tokenTexts(lexOf(f))));
    return t;
  };
  return { moderate, large, lexOf, tokensOf };
}

/** The text of every token, in order: the file with whitespace and comments left out. */
function tokenTexts(lx: Lexed): string[] {
  return lx.tokens.map((t) => lx.text.slice(t.start, t.end));
}

/** Seeded cases: `perClass` single slips of each class, then `two` two-slip cases. */
export function makeCases(corpus: Corpus, seed: number, perClass: number, two: number): { cases: Case[]; rnd: Random; short: string[] } {
  const rnd = seededRandom(seed);
  const { moderate, large, lexOf } = corpus;
  const pickFile = (): CorpusFile => (rnd.chance(LARGE_SHARE) ? rnd.pick(large) : rnd.pick(moderate));
  const cases: Case[] = [];
  const short: string[] = [];
  for (const cls of SLIP_CLASSES) {
    let made = 0;
    let attempt = 0;
    for (; made < perClass && attempt < perClass * 30; attempt++) {
      const file = pickFile();
      const s = applySlip(file.text, cls, rnd, lexOf(file));
      if (!s || compileVerdict(s.text, file.file, file.format).ok) continue;
      cases.push({ cls, file, broken: s.text, slips: [s.slip] });
      made++;
    }
    if (made < perClass) short.push(`${cls} ${made} of ${perClass} (${attempt} attempts)`);
  }
  let made = 0;
  for (let attempt = 0; made < two && attempt < two * 30; attempt++) {
    const file = pickFile();
    const a = applySlip(file.text, rnd.pick(SLIP_CLASSES), rnd, lexOf(file));
    if (!a) continue;
    const span: [number, number] = [a.slip.offset - 2, a.slip.offset + a.slip.inserted.length + 2];
    const b = applySlip(a.text, rnd.pick(SLIP_CLASSES), rnd, undefined, span);
    if (!b || compileVerdict(b.text, file.file, file.format).ok) continue;
    // each slip must break the file on its own: one V8 accepts (a `;` dropped where ASI puts it
    // back) is no slip a repairer could see, and would count as a wrong fix whatever it did
    if (compileVerdict(a.text, file.file, file.format).ok) continue;
    const c: Case = { cls: 'two-slips', file, broken: b.text, slips: [a.slip, b.slip] };
    const bAt = slipOffsetInOriginal(c, 1);
    const bAlone = file.text.slice(0, bAt) + b.slip.inserted + file.text.slice(bAt + b.slip.removed.length);
    if (compileVerdict(bAlone, file.file, file.format).ok) continue;
    cases.push(c);
    made++;
  }
  if (made < two) short.push(`two slips ${made} of ${two}`);
  return { cases, rnd, short };
}

/** Where slip `i` of a case is in the original text (the second slip's offset is in the text the first left). */
export function slipOffsetInOriginal(c: Case, i: number): number {
  const s = c.slips[i]!;
  if (i === 0) return s.offset;
  const a = c.slips[0]!;
  return s.offset < a.offset ? s.offset : s.offset - a.inserted.length + a.removed.length;
}
