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
  // second wave (issue 12): added after the first seven so those cases stay as they were
  'keyword-typo',
  'arrow-typo',
  'drop-opening-brace',
  'extra-closing-brace',
  'drop-closing-bracket',
  'stray-char',
  'drop-colon',
] as const;
export type SlipClass = (typeof SLIP_CLASSES)[number];

/** The seven classes of the first benchmark, kept unchanged so their figures stay comparable. */
export const FIRST_WAVE_CLASSES: readonly SlipClass[] = SLIP_CLASSES.slice(0, 7);

/** The keywords `keyword-typo` mistypes. */
const TYPO_KEYWORDS = [
  'function', 'return', 'const', 'let', 'var', 'else', 'async', 'await', 'typeof', 'if', 'for', 'while', 'new', 'throw',
  'catch', 'switch', 'case', 'break', 'continue', 'instanceof', 'class', 'export', 'import', 'default', 'delete', 'yield', 'try', 'do',
];
const TYPO_KEYWORD_SET = new Set(TYPO_KEYWORDS);

export const SLIP_DESCRIPTIONS: Record<SlipClass, string> = {
  'delete-token': 'delete one punctuation token ( ) [ ] { } , ; : . => (never one whose neighbours would merge)',
  'insert-token': 'insert one of those tokens at a random token boundary, touching its left or right neighbour',
  'replace-token': 'replace one of those tokens with another of them',
  'drop-closing-brace': "delete a block's closing `}` that begins a line (the whole line when `}` stands alone on it)",
  'unterminated-string': "delete the closing quote of a one-line '...' or \"...\" string",
  'drop-comma': 'delete the comma between two properties of an object literal',
  'doubled-paren': 'type a `)` twice, as in the seed demo',
  'keyword-typo':
    'mistype one keyword token (' + TYPO_KEYWORDS.join(', ') +
    ') by swapping two adjacent letters, dropping one letter or doubling one letter, never into another keyword or reserved word (never after `.` or `?.`, where it is a property name)',
  'arrow-typo': 'type a `=>` as `=` or as `>=`',
  'drop-opening-brace':
    'delete the `{` that ends a line and opens a block (after the `)` of `if`, `for`, `while`, `switch`, `catch` or `function (...)`, or after `else`, `try`, `finally`, `do`, `=>`) whose `}` is on a later line, with the one space before it: `if (x) {` becomes `if (x)`',
  'extra-closing-brace':
    'type an extra `}`: half the cases duplicate a line holding only `}` (the copy on the next line, same indentation), half add a `}` at the end of a random code line, right after its last token',
  'drop-closing-bracket': 'delete one `]` (never one whose neighbours would merge)',
  'stray-char':
    'type one of `\\`, `@`, `#` or a backtick at a random token boundary, touching its left or right neighbour (half the cases), or in the middle of a name token (the other half)',
  'drop-colon':
    'delete the `:` between a key (a name, string, number or `[computed]` key) and its value in an object literal; a space after it stays, and never where key and value would merge',
};

/** Keywords, reserved words and contextual keywords: a typo must not land on one of them. */
const RESERVED = new Set([
  'break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default', 'delete', 'do', 'else', 'enum', 'export', 'extends',
  'false', 'finally', 'for', 'function', 'if', 'import', 'in', 'instanceof', 'new', 'null', 'return', 'super', 'switch', 'this',
  'throw', 'true', 'try', 'typeof', 'var', 'void', 'while', 'with', 'yield', 'let', 'static', 'implements', 'interface', 'package',
  'private', 'protected', 'public', 'await', 'async', 'of', 'get', 'set', 'arguments', 'eval', 'undefined', 'NaN', 'Infinity',
]);

/** One random typo of `word`: two adjacent letters swapped, one dropped or one doubled; undefined when it is a reserved word. */
function typo(word: string, rnd: Random): string | undefined {
  const kind = rnd.int(3);
  let out: string;
  if (kind === 0) {
    const i = rnd.int(word.length - 1);
    out = word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2);
  } else if (kind === 1) {
    const i = rnd.int(word.length);
    out = word.slice(0, i) + word.slice(i + 1);
  } else {
    const i = rnd.int(word.length);
    out = word.slice(0, i + 1) + word.slice(i);
  }
  return out && out !== word && !RESERVED.has(out) ? out : undefined;
}

/** Characters `stray-char` types. */
const STRAY = ['\\', '@', '#', '`'];

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
  // candidate sites of the second-wave classes, computed once per call
  let memo: number[] | undefined;
  let memo2: number[] | undefined;
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
          if (p < 0 || !objectBrace(lx, p, true)) return false;
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
      case 'keyword-typo': {
        const candidates = (memo ??= sites(lx, (t, k) => t.type === 'name' && TYPO_KEYWORD_SET.has(t.value) && !(k > 0 && (isPunct(toks[k - 1]!, '.') || isPunct(toks[k - 1]!, '?.')))));
        if (!candidates.length) return undefined;
        const t = toks[rnd.pick(candidates)]!;
        const w = typo(t.value, rnd);
        if (!w) continue;
        site = { offset: t.start, del: t.end - t.start, ins: w };
        if (!ok(site)) continue;
        return make(site);
      }
      case 'arrow-typo': {
        const candidates = (memo ??= sites(lx, (t) => isPunct(t, '=>')));
        if (!candidates.length) return undefined;
        const t = toks[rnd.pick(candidates)]!;
        site = { offset: t.start, del: 2, ins: rnd.chance(0.5) ? '=' : '>=' };
        break;
      }
      case 'drop-opening-brace': {
        const candidates = (memo ??= sites(lx, (t, k) => blockOpenerEndingLine(lx, k)));
        if (!candidates.length) return undefined;
        const t = toks[rnd.pick(candidates)]!;
        const space = text[t.start - 1] === ' ' ? 1 : 0;
        site = { offset: t.start - space, del: 1 + space, ins: '' };
        if (!ok(site)) continue;
        return make(site);
      }
      case 'extra-closing-brace': {
        if (rnd.chance(0.5)) {
          // duplicate a line holding only `}`
          const candidates = (memo ??= sites(lx, (t) => isPunct(t, '}') && t.first && lineText(lx, t.line).trim() === '}'));
          if (!candidates.length) continue;
          const t = toks[rnd.pick(candidates)]!;
          const ls = lx.lineStarts[t.line]!;
          const ne = lx.lineStarts[t.line + 1] ?? text.length;
          const line = text.slice(ls, ne);
          site = /[\r\n]$/.test(line) ? { offset: ne, del: 0, ins: line } : { offset: ne, del: 0, ins: lx.eol + line };
        } else {
          // a `}` right after the last token of a code line
          const candidates = (memo2 ??= sites(lx, (t, k) => {
            const next = toks[k + 1];
            if (next && next.line === t.line) return false;
            if (t.type === 'template' && t.tplOpen) return false;
            return !/[\r\n\u2028\u2029]/.test(text.slice(t.start, t.end));
          }));
          if (!candidates.length) continue;
          const t = toks[rnd.pick(candidates)]!;
          site = { offset: t.end, del: 0, ins: '}' };
        }
        if (!ok(site)) continue;
        return make(site);
      }
      case 'drop-closing-bracket': {
        const candidates = (memo ??= sites(lx, (t) => isPunct(t, ']')));
        if (!candidates.length) return undefined;
        const t = toks[rnd.pick(candidates)]!;
        site = { offset: t.start, del: 1, ins: '' };
        break;
      }
      case 'stray-char': {
        const ch = rnd.pick(STRAY);
        if (rnd.chance(0.5)) {
          // at a token boundary, touching the left or the right token
          const i = 1 + rnd.int(Math.max(1, toks.length - 1));
          const prev = toks[i - 1]!;
          const next = toks[i];
          site = { offset: rnd.chance(0.5) || !next ? prev.end : next.start, del: 0, ins: ch };
        } else {
          // in the middle of a name
          const candidates = (memo ??= sites(lx, (t) => t.type === 'name' && t.end - t.start >= 2));
          if (!candidates.length) continue;
          const t = toks[rnd.pick(candidates)]!;
          site = { offset: t.start + 1 + rnd.int(t.end - t.start - 1), del: 0, ins: ch };
        }
        if (!ok(site)) continue;
        return make(site);
      }
      case 'drop-colon': {
        const candidates = (memo ??= sites(lx, (t, k) => {
          if (!isPunct(t, ':')) return false;
          const p = lx.parent[k]!;
          if (p < 0 || !objectBrace(lx, p, false)) return false;
          const key = toks[k - 1]!;
          let keyStart: number;
          if (isPunct(key, ']')) keyStart = lx.match[k - 1]!;
          else if (key.type === 'name' || key.type === 'string' || key.type === 'num') keyStart = k - 1;
          else return false;
          return keyStart - 1 === p || (keyStart > 0 && isPunct(toks[keyStart - 1]!, ',') && lx.parent[keyStart - 1] === p);
        }));
        if (!candidates.length) return undefined;
        const t = toks[rnd.pick(candidates)]!;
        site = { offset: t.start, del: 1, ins: '' };
        break;
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

function lineText(lx: Lexed, line: number): string {
  return lx.text.slice(lx.lineStarts[line], lx.lineStarts[line + 1] ?? lx.text.length);
}

/** Is the `{` at token `p` an object literal's, by the token before it? */
function objectBrace(lx: Lexed, p: number, arrowToo: boolean): boolean {
  const toks = lx.tokens;
  if (!isPunct(toks[p]!, '{')) return false;
  const before = toks[p - 1];
  if (!before) return false;
  if (before.type === 'name') return before.value === 'return';
  if (before.type !== 'punct') return false;
  return ['=', '(', ',', ':', '[', '?', '||', '&&', '??', ...(arrowToo ? ['=>'] : [])].includes(before.value);
}

const BLOCK_AFTER_PAREN = new Set(['if', 'for', 'while', 'switch', 'catch', 'function']);
const BLOCK_AFTER_WORD = new Set(['else', 'try', 'finally', 'do']);

/**
 * Token `k` is a `{` that ends its line (not alone on it), opens a block statement or function body
 * (after the `)` of if/for/while/switch/catch/function(...), after else/try/finally/do, after `=>`),
 * and is closed on a later line.
 */
function blockOpenerEndingLine(lx: Lexed, k: number): boolean {
  const toks = lx.tokens;
  const t = toks[k]!;
  if (!isPunct(t, '{') || t.first) return false;
  const m = lx.match[k]!;
  if (m < 0 || toks[m]!.line <= t.line) return false;
  if (lineText(lx, t.line).slice(t.end - lx.lineStarts[t.line]!).trim() !== '') return false;
  const p = toks[k - 1];
  if (!p) return false;
  if (p.type === 'name') return BLOCK_AFTER_WORD.has(p.value);
  if (p.type !== 'punct') return false;
  if (p.value === '=>') return true;
  if (p.value !== ')') return false;
  const o = lx.match[k - 1]!;
  if (o < 1) return false;
  const name = (i: number, v?: string): boolean => i >= 0 && toks[i]!.type === 'name' && (v === undefined || toks[i]!.value === v);
  const b = o - 1;
  if (name(b) && BLOCK_AFTER_PAREN.has(toks[b]!.value)) return true;
  if (name(b, 'await') && name(b - 1, 'for')) return true; // for await (...)
  if (isPunct(toks[b]!, '*') && name(b - 1, 'function')) return true; // function* (...)
  if (name(b) && (name(b - 1, 'function') || (b >= 1 && isPunct(toks[b - 1]!, '*') && name(b - 2, 'function')))) return true; // function name(...)
  return false;
}
