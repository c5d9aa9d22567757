/**
 * A compile spared: a candidate whose brackets cannot pair fails V8 whatever else it holds, and
 * most candidates the search judges only by whether they parse (rivals of a repair found, the
 * last level's) are such (bench:repair's middle band: two in three). The answer is taken only
 * where it is exact: the file's tokens as our lexer reads them are V8's wherever the text is
 * valid, and the candidate's are the file's with the edit's put in. Otherwise: not known.
 *
 * Our lexer reads a valid text as V8 does except where a `/` could be a regex or a division and
 * its rule may guess wrong (after `)`, `}`, `++`, `--` or a word that may head an expression),
 * an HTML-like comment, or a line separator inside a string: a text with any of these is never
 * judged here.
 */
import type { Edit } from './candidates.js';
import { tokenAt, type Lexed, type Token } from './tokens.js';

/** Bracket kinds; a template's `${ … }` pairs as one more. Openers positive, closers negative. */
const PAREN = 1;
const SQUARE = 2;
const BRACE = 3;
const SUBSTITUTION = 4;
const KIND: Record<string, number> = { '(': PAREN, ')': -PAREN, '[': SQUARE, ']': -SQUARE, '{': BRACE, '}': -BRACE };

/** Words after which our lexer's regex-or-division rule may guess wrong (as keywords or as names, `break⏎/re/`). */
const DOUBTFUL_WORDS = new Set([
  'return', 'typeof', 'instanceof', 'in', 'of', 'new', 'delete', 'void', 'throw', 'case', 'do', 'else', 'yield', 'await', 'extends',
  'default', 'let', 'async', 'get', 'set', 'static', 'break', 'continue', 'debugger',
]);

/** Characters an edit may remove or put in and leave every string, comment, regex and template where it was. */
const PLAIN_EDIT = /^[A-Za-z0-9_$ \t\r\n()[\]{},;:.=>]*$/;

interface Brackets {
  /** Each bracket's offset and kind, in order (a template piece `}…${` is two: a closer, then an opener). */
  at: Int32Array;
  kind: Int8Array;
}

/** Per lexed text: its brackets, or null when the lexer may misread it (see above). */
const known = new WeakMap<Lexed, Brackets | null>();

function bracketsOf(lx: Lexed): Brackets | null {
  let b = known.get(lx);
  if (b === undefined) known.set(lx, (b = readBrackets(lx)));
  return b;
}

function readBrackets(lx: Lexed): Brackets | null {
  if (/<!--|-->|[\u2028\u2029]/.test(lx.text)) return null;
  const at: number[] = [];
  const kind: number[] = [];
  const add = (offset: number, v: number): void => {
    at.push(offset);
    kind.push(v);
  };
  const toks = lx.tokens;
  for (let k = 0; k < toks.length; k++) {
    const t = toks[k]!;
    if (t.type === 'template') {
      if (t.tplClose) add(t.start, -SUBSTITUTION);
      if (t.tplOpen) add(t.start, SUBSTITUTION);
    } else if (t.type === 'punct') {
      const v = KIND[t.value];
      if (v) add(t.start, v);
      else if (t.value[0] === '/' && k > 0 && doubtfulBefore(toks[k - 1]!)) return null;
    } else if (t.type === 'regex' && k > 0 && doubtfulBefore(toks[k - 1]!)) return null;
  }
  return { at: Int32Array.from(at), kind: Int8Array.from(kind) };
}

function doubtfulBefore(t: Token): boolean {
  if (t.type === 'punct') return t.value === ')' || t.value === '}' || t.value === '++' || t.value === '--';
  return t.type === 'name' && DOUBTFUL_WORDS.has(t.value);
}

/**
 * True only when the text `lx` with edit `e` applied surely does not compile: its brackets do
 * not pair. False: not known (they pair, or the edit or the text is one this cannot read).
 */
export function bracketsCannotPair(lx: Lexed, e: Edit): boolean {
  const b = bracketsOf(lx);
  if (!b) return false;
  const text = lx.text;
  const lo = e.offset;
  const hi = e.offset + e.del;
  if (!PLAIN_EDIT.test(e.ins) || !PLAIN_EDIT.test(text.slice(lo, hi))) return false;
  // `-->` or `<!--` made at the edit would be a comment in a script
  if (/<!--|-->/.test(text.slice(Math.max(0, lo - 3), lo) + e.ins + text.slice(hi, hi + 3))) return false;
  // The edit touches only names, numbers, punctuators and plain space: no string, comment,
  // regex or template piece begins, ends or changes within it. The token after it keeps its
  // reading unless it is a `/`, whose reading depends on the token before it.
  const toks = lx.tokens;
  const first = tokenAt(lx, lo);
  let k = first;
  let gapFrom = first > 0 ? toks[first - 1]!.end : 0;
  for (; ; k++) {
    const t = toks[k];
    const gapTo = t ? t.start : text.length;
    for (let i = gapFrom; i < gapTo; i++) {
      const c = text.charCodeAt(i);
      if (c !== 32 && c !== 9 && c !== 10 && c !== 13) return false;
    }
    if (!t || t.start >= hi) {
      if (t && (t.type === 'regex' || (t.type === 'punct' && t.value[0] === '/'))) return false;
      break;
    }
    if (t.type !== 'name' && t.type !== 'num' && t.type !== 'punct') return false;
    gapFrom = t.end;
  }
  return !pairs(b, lo, hi, e.ins);
}

/** Whether the brackets pair with those in [lo, hi) taken out and those of `ins` put in there (false also where it cannot tell). */
function pairs(b: Brackets, lo: number, hi: number, ins: string): boolean {
  const { at, kind } = b;
  const stack = new Int8Array(at.length + ins.length + 1);
  let top = 0;
  let i = 0;
  for (; i < at.length && at[i]! < lo; i++) if (!step(kind[i]!)) return false;
  // inside a template's substitution our lexer's reading of a '}' depends on the braces before it
  for (let s = 0; s < top; s++) if (stack[s] === SUBSTITUTION) return true;
  for (let j = 0; j < ins.length; j++) {
    const v = KIND[ins[j]!];
    if (v && !step(v)) return false;
  }
  while (i < at.length && at[i]! < hi) i++;
  for (; i < at.length; i++) if (!step(kind[i]!)) return false;
  return top === 0;

  function step(v: number): boolean {
    if (v > 0) {
      stack[top++] = v;
      return true;
    }
    return top > 0 && stack[--top] === -v;
  }
}
