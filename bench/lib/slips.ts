/**
 * Seeded syntax slips over a named taxonomy, applied to real files: the corruptions the repair
 * benchmark asks the repairer to undo. Each slip is a small, realistic typing or editing error;
 * every class says exactly what it changes, so "restored exactly" has a meaning.
 */
import { lex, type Lexed, type Token } from '../../src/repair/deterministic/tokens.js';
import type { Random } from './prng.js';

export const SLIP_CLASSES = [
  'delete-token',
  'insert-token',
  'replace-token',
  'drop-closing-brace',
  'unterminated-string',
  'drop-comma',
  'doubled-paren',
] as const;
export type SlipClass = (typeof SLIP_CLASSES)[number];

export const SLIP_DESCRIPTIONS: Record<SlipClass, string> = {
  'delete-token': 'delete one punctuation token ( ) [ ] { } , ; : . => (never one whose neighbours would merge)',
  'insert-token': 'insert one of those tokens at a random token boundary, touching its left or right neighbour',
  'replace-token': 'replace one of those tokens with another of them',
  'drop-closing-brace': "delete a block's closing `}` that begins a line (the whole line when `}` stands alone on it)",
  'unterminated-string': "delete the closing quote of a one-line '...' or \"...\" string",
  'drop-comma': 'delete the comma between two properties of an object literal',
  'doubled-paren': 'type a `)` twice, as in the seed demo',
};

/** Punctuation the slips delete, insert and swap: the repairer's vocabulary. */
const PUNCT = ['(', ')', '[', ']', '{', '}', ',', ';', ':', '.', '=>'];
const PUNCT_SET = new Set(PUNCT);

export interface Slip {
  cls: SlipClass;
  offset: number;
  removed: string;
  inserted: string;
}

function isWord(c: string | undefined): boolean {
  return !!c && /[\w$\u0080-\uffff]/.test(c);
}

function isPunct(t: Token, v?: string): boolean {
  return t.type === 'punct' && (v === undefined ? PUNCT_SET.has(t.value) : t.value === v);
}

/** After putting `ins` at `at`, does it stand as one token of its own (no merge with its neighbours)? */
function standsAlone(text: string, at: number, del: number, ins: string): boolean {
  let ls = at;
  while (ls > 0 && text[ls - 1] !== '\n') ls--;
  let le = at + del;
  while (le < text.length && text[le] !== '\n') le++;
  const line = text.slice(ls, at) + ins + text.slice(at + del, le);
  const local = at - ls;
  if (!ins) {
    // a deletion: the neighbours must not join into one token
    if (isWord(text[at - 1]) && isWord(text[at + del])) return false;
    const before = lex(text.slice(ls, le)).tokens.length;
    const after = lex(line).tokens.length;
    return after === before - 1;
  }
  const toks = lex(line).tokens;
  return toks.some((t) => t.start === local && t.end === local + ins.length && t.type === 'punct');
}

type Site = { offset: number; del: number; ins: string };

/** Apply one slip of class `cls` at a random eligible site, or undefined when the file has none. */
export function applySlip(text: string, cls: SlipClass, rnd: Random, lexed?: Lexed, avoid?: [number, number]): { text: string; slip: Slip } | undefined {
  const lx = lexed ?? lex(text);
  const toks = lx.tokens;
  const ok = (s: Site): boolean => !avoid || s.offset + s.del < avoid[0] || s.offset > avoid[1];
  const make = (s: Site): { text: string; slip: Slip } => ({
    text: text.slice(0, s.offset) + s.ins + text.slice(s.offset + s.del),
    slip: { cls, offset: s.offset, removed: text.slice(s.offset, s.offset + s.del), inserted: s.ins },
  });
  for (let attempt = 0; attempt < 40; attempt++) {
    let site: Site | undefined;
    switch (cls) {
      case 'delete-token': {
        const t = toks[rnd.int(toks.length)]!;
        if (isPunct(t)) site = { offset: t.start, del: t.end - t.start, ins: '' };
        break;
      }
      case 'insert-token': {
        const i = 1 + rnd.int(Math.max(1, toks.length - 1));
        const prev = toks[i - 1]!;
        const next = toks[i];
        const at = rnd.chance(0.5) || !next ? prev.end : next.start;
        site = { offset: at, del: 0, ins: rnd.pick(PUNCT) };
        break;
      }
      case 'replace-token': {
        const t = toks[rnd.int(toks.length)]!;
        if (isPunct(t)) {
          const to = rnd.pick(PUNCT.filter((p) => p !== t.value));
          site = { offset: t.start, del: t.end - t.start, ins: to };
        }
        break;
      }
      case 'drop-closing-brace': {
        const candidates = sites(lx, (t, k) => isPunct(t, '}') && t.first && lx.match[k]! >= 0 && toks[lx.match[k]!]!.line !== t.line);
        if (!candidates.length) return undefined;
        const t = toks[rnd.pick(candidates)]!;
        const ls = lx.lineStarts[t.line]!;
        const ne = lx.lineStarts[t.line + 1] ?? text.length;
        const wholeLine = text.slice(ls, ne).trim() === '}';
        site = wholeLine ? { offset: ls, del: ne - ls, ins: '' } : { offset: t.start, del: 1, ins: '' };
        if (!ok(site)) continue;
        return make(site);
      }
      case 'unterminated-string': {
        const candidates = sites(lx, (t) => t.type === 'string' && !t.unterminated && t.end - t.start >= 2 && !/[\r\n]/.test(text.slice(t.start, t.end)));
        if (!candidates.length) return undefined;
        const t = toks[rnd.pick(candidates)]!;
        site = { offset: t.end - 1, del: 1, ins: '' };
        if (!ok(site)) continue;
        return make(site);
      }
      case 'drop-comma': {
        const candidates = sites(lx, (t, k) => {
          if (!isPunct(t, ',')) return false;
          const p = lx.parent[k]!;
          if (p < 0 || !isPunct(toks[p]!, '{')) return false;
          const before = toks[p - 1];
          if (!before || !(before.type === 'punct' ? ['=', '(', ',', ':', '[', '?', '=>', '||', '&&', '??'].includes(before.value) : before.value === 'return')) return false;
          const next = toks[k + 1];
          return !!next && !(next.type === 'punct' && next.value === '}');
        });
        if (!candidates.length) return undefined;
        const t = toks[rnd.pick(candidates)]!;
        site = { offset: t.start, del: 1, ins: '' };
        if (!ok(site)) continue;
        return make(site);
      }
      case 'doubled-paren': {
        const candidates = sites(lx, (t) => isPunct(t, ')'));
        if (!candidates.length) return undefined;
        const t = toks[rnd.pick(candidates)]!;
        site = { offset: t.end, del: 0, ins: ')' };
        if (!ok(site)) continue;
        return make(site);
      }
    }
    if (site && ok(site) && standsAlone(text, site.offset, site.del, site.ins)) return make(site);
  }
  return undefined;
}

function sites(lx: Lexed, test: (t: Token, k: number) => boolean): number[] {
  const out: number[] = [];
  lx.tokens.forEach((t, k) => {
    if (test(t, k)) out.push(k);
  });
  return out;
}
