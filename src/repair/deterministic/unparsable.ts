/**
 * Compiles spared: most candidates the search judges only by whether they parse (rivals of a
 * repair found, the last level's) fail, and many fail for a reason plain to see in their tokens:
 * brackets that cannot pair (bench:repair's middle band: two in three), or two tokens side by
 * side that no JavaScript puts together (`a.,`, `, =>`, `(:`; on one line, two names or literals:
 * `key 'value'`, often the file's own slip, which a rival edit elsewhere leaves in place). The
 * answer is taken only where it is exact: the file's tokens as our lexer reads them are V8's
 * wherever the text is valid, and the candidate's are the file's with the edit's put in.
 * Otherwise: not known.
 *
 * Our lexer reads a valid text as V8 does except where a `/` could be a regex or a division and
 * its rule may guess wrong (after `)`, `}`, `++`, `--` or a word that may head an expression),
 * an HTML-like comment, or a line separator inside a string: a text with any of these is never
 * judged here, but for a `/` whose reading the tokens before it settle (settledSlash), and then
 * not for an edit among those tokens.
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

/**
 * Tokens that never stand side by side in valid JavaScript, by their punctuator or class (NAME,
 * num, string, template, regex; EOF: the end): a `.` reads a name next; an arrow follows its
 * parameters and heads its body; a list, a statement or an object's key has nothing to end or
 * join on either side of these.
 */
const NEVER_ADJACENT = new Set([
  ...['(', '[', '{', ',', ';', ':', '=>', '=', '?', ')', ']', '}', '.', 'EOF', 'string', 'num', 'template', 'regex'].map((b) => `.|${b}`),
  ...['(', '[', '{', ',', ';', ':', '=>', '=', '?'].map((a) => `${a}|.`),
  ...[',', '(', '[', '{', ';', ':', '=', '=>', '?'].map((a) => `${a}|=>`),
  ...[')', ']', '}', ',', ';', ':', '=', '?', 'EOF'].map((b) => `=>|${b}`),
  ...[';', ':', '='].map((b) => `,|${b}`),
  ...['(', '{', ';', ':', '=', '=>', '?'].map((a) => `${a}|,`),
  ...[',', '=', '?'].map((a) => `${a}|;`),
  ...[']', ':', '='].map((b) => `;|${b}`),
  ...['(', '[', '{', ';', ':', '=', '?'].map((a) => `${a}|:`),
  ...[')', ']', ',', ':', '=', '?'].map((b) => `:|${b}`),
]);

/**
 * Words that some construct reads beside a word or a literal on one line: keywords and reserved
 * words (`return 'x'`, `case 1`, `new A`, `x in o`, `typeof y`), contextual ones (`x of y`,
 * `import a from 'm'`, `get 'k'() {}`, `async f() {}`, `let a`, `using r`, `as 'n'`) and the
 * literal words. Any other word is a name, which no construct puts beside another (see operand).
 */
const JOINING_WORDS = new Set([
  'break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default', 'delete', 'do', 'else', 'enum', 'export', 'extends',
  'false', 'finally', 'for', 'function', 'if', 'import', 'in', 'instanceof', 'new', 'null', 'return', 'super', 'switch', 'this',
  'throw', 'true', 'try', 'typeof', 'var', 'void', 'while', 'with', 'yield', 'await', 'let', 'static', 'implements', 'interface',
  'package', 'private', 'protected', 'public', 'as', 'async', 'from', 'get', 'set', 'of', 'target', 'meta', 'accessor', 'using',
  'constructor', 'declare', 'type', 'module', 'namespace', 'abstract', 'readonly', 'undefined', 'arguments', 'eval',
]);

interface Reading {
  /** Each bracket's offset and kind, in order (a template piece `}…${` is two: a closer, then an opener). */
  at: Int32Array;
  kind: Int8Array;
  /** Tokens k whose pair (k-1, k) never stands side by side (k = the token count: the last one and the end). */
  never: Int32Array;
  /** Stretches [from, to] whose tokens settle how a `/` is read (see settledSlash): an edit in one leaves it doubtful. */
  settles: number[];
  /**
   * The brackets before bracket i left open, as a stack shared between prefixes (open[i]: its
   * top, a node; node n is of kind nodeKind[n] over nodeBelow[n]; -1: none); i past prefixOk:
   * a closer before it pairs with nothing.
   */
  open: Int32Array;
  prefixOk: number;
  /** The same from the end: the openers the brackets from bracket i on still need (need[i]); i below suffixOk: one of theirs is never closed. */
  need: Int32Array;
  suffixOk: number;
  nodeKind: Int8Array;
  nodeBelow: Int32Array;
  /** The bracket (its index) that opened each node of `open`. */
  nodeAt: Int32Array;
}

/** What open and need are made of (see Reading). */
function stacks(kind: Int8Array): Pick<Reading, 'open' | 'prefixOk' | 'need' | 'suffixOk' | 'nodeKind' | 'nodeBelow' | 'nodeAt'> {
  const n = kind.length;
  const nodeKind = new Int8Array(2 * n);
  const nodeBelow = new Int32Array(2 * n);
  const nodeAt = new Int32Array(n);
  let nodes = 0;
  const open = new Int32Array(n + 1);
  let top = -1;
  let prefixOk = n;
  for (let i = 0; i < n; i++) {
    open[i] = top;
    const v = kind[i]!;
    if (v > 0) {
      nodeKind[nodes] = v;
      nodeBelow[nodes] = top;
      nodeAt[nodes] = i;
      top = nodes++;
    } else if (top >= 0 && nodeKind[top] === -v) top = nodeBelow[top]!;
    else {
      prefixOk = i;
      break;
    }
  }
  if (prefixOk === n) open[n] = top;
  const need = new Int32Array(n + 1);
  top = -1;
  let suffixOk = 0;
  need[n] = -1;
  for (let i = n - 1; i >= 0; i--) {
    const v = kind[i]!;
    if (v < 0) {
      nodeKind[nodes] = -v;
      nodeBelow[nodes] = top;
      top = nodes++;
    } else if (top >= 0 && nodeKind[top] === v) top = nodeBelow[top]!;
    else {
      suffixOk = i + 1;
      break;
    }
    need[i] = top;
  }
  return { open, prefixOk, need, suffixOk, nodeKind, nodeBelow, nodeAt };
}

/** Per lexed text: its reading, or null when the lexer may misread it (see above). */
const known = new WeakMap<Lexed, Reading | null>();

function readingOf(lx: Lexed): Reading | null {
  let b = known.get(lx);
  if (b === undefined) known.set(lx, (b = read(lx)));
  return b;
}

function read(lx: Lexed): Reading | null {
  if (/<!--|-->|[\u2028\u2029]/.test(lx.text)) return null;
  const at: number[] = [];
  const kind: number[] = [];
  const never: number[] = [];
  const add = (offset: number, v: number): void => {
    at.push(offset);
    kind.push(v);
  };
  const toks = lx.tokens;
  const settles: number[] = [];
  // the tokens of the brackets open so far, as they nest (emptied where a closer pairs with none):
  // which '(' a ')' closes (opener[k])
  const nest: number[] = [];
  const opener = new Map<number, number>();
  const close = (k: number, v: number): void => {
    const top = nest[nest.length - 1];
    if (top !== undefined && openKind(toks[top]!) === v) opener.set(k, nest.pop()!);
    else nest.length = 0;
  };
  for (let k = 0; k < toks.length; k++) {
    const t = toks[k]!;
    if (t.type === 'template') {
      if (t.tplClose) {
        add(t.start, -SUBSTITUTION);
        close(k, SUBSTITUTION);
      }
      if (t.tplOpen) {
        add(t.start, SUBSTITUTION);
        nest.push(k);
      }
    } else if (t.type === 'punct') {
      const v = KIND[t.value];
      if (v) {
        add(t.start, v);
        if (v > 0) nest.push(k);
        else close(k, -v);
      } else if (t.value[0] === '/' && k > 0 && doubtfulBefore(toks[k - 1]!) && !settledSlash(toks, k, opener, settles)) return null;
    } else if (t.type === 'regex' && k > 0 && doubtfulBefore(toks[k - 1]!) && !settledSlash(toks, k, opener, settles)) return null;
    if (k > 0 && (NEVER_ADJACENT.has(`${classOf(toks[k - 1])}|${classOf(t)}`) || (operand(toks[k - 1]!) && operand(t) && !lineBetween(lx.text, toks[k - 1]!.end, t.start))))
      never.push(k);
  }
  if (NEVER_ADJACENT.has(`${classOf(toks[toks.length - 1])}|EOF`)) never.push(toks.length);
  const kinds = Int8Array.from(kind);
  return { at: Int32Array.from(at), kind: kinds, never: Int32Array.from(never), settles, ...stacks(kinds) };
}

/** The bracket kind a token opens (a template piece: a substitution), else 0. */
function openKind(t: Token): number {
  return t.type === 'template' ? (t.tplOpen ? SUBSTITUTION : 0) : t.type === 'punct' ? Math.max(0, KIND[t.value] ?? 0) : 0;
}

/** Reserved words after which a `/` opens a regex, as our lexer reads it, unless a `.` makes the word a property. */
const BEFORE_REGEX = new Set(['return', 'typeof', 'instanceof', 'in', 'new', 'delete', 'void', 'throw', 'case', 'do', 'else', 'extends']);
/** Words whose `(…)` heads a statement, after which a `/` opens a regex (`if (a) /x/.test(b)`), where our lexer reads a division. */
const HEADS = new Set(['if', 'while', 'for', 'with', 'await']);

/**
 * Whether the doubtful `/` at token k is surely read as our lexer reads it, in any text that
 * parses and shares the tokens around it, from the one before the word or the '(' that settles
 * it (noted in `settles`):
 * - a regex after a reserved word that no `.` makes a property (`return /x/`): no name is spelt
 *   so, and a regex follows the keyword;
 * - a division after a ')' whose '(' no statement's head opens (`(a % 10) / 2`): the parentheses
 *   close an expression. Which '(' it closes is read from the brackets between, which nest.
 */
function settledSlash(toks: readonly Token[], k: number, opener: ReadonlyMap<number, number>, settles: number[]): boolean {
  const t = toks[k]!;
  const prev = toks[k - 1]!;
  if (prev.type === 'name') {
    const dot = toks[k - 2];
    if (t.type !== 'regex' || !BEFORE_REGEX.has(prev.value) || (dot?.type === 'punct' && (dot.value === '.' || dot.value === '?.'))) return false;
    settles.push((dot ?? prev).start, t.end);
    return true;
  }
  if (prev.type !== 'punct' || prev.value !== ')') return false;
  const open = opener.get(k - 1);
  if (open === undefined) return false;
  const head = toks[open - 1];
  if (head?.type === 'name' && HEADS.has(head.value)) return false;
  settles.push((head ?? toks[open]!).start, t.end);
  return true;
}

function classOf(t: Token | undefined): string {
  return !t ? 'EOF' : t.type === 'punct' ? t.value : t.type === 'name' ? 'NAME' : t.type;
}

/**
 * A name (no word of JOINING_WORDS), a number or a closed string. Two of these on one line, with
 * only space or a comment between them (`a 'b'`, `2 '2'`, `key value`), never stand in valid
 * JavaScript: an expression ends with the first, and only an operator, a punctuator or a keyword
 * goes on from it (across a line break, a new statement may begin).
 */
function operand(t: Token): boolean {
  if (t.type === 'num') return true;
  if (t.type === 'string') return !t.unterminated;
  // (a word spelt with an escape, `\u0061s`, is left alone: V8 may read it as either)
  return t.type === 'name' && t.value[0] !== '#' && !t.value.includes('\\') && !JOINING_WORDS.has(t.value);
}

/** Whether text[from, to) holds a line break (our reading has no U+2028 or U+2029: see read). */
function lineBetween(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) return true;
  }
  return false;
}

function doubtfulBefore(t: Token): boolean {
  if (t.type === 'punct') return t.value === ')' || t.value === '}' || t.value === '++' || t.value === '--';
  return t.type === 'name' && DOUBTFUL_WORDS.has(t.value);
}

/** What an edit puts in, as the one token it is (NAME for a word), or '' for none; undefined: not one token. */
function insertedClass(ins: string): string | undefined {
  const t = ins.trim();
  if (t === '') return '';
  if (KIND[t] || t === ',' || t === ';' || t === ':' || t === '.' || t === '=>') return t;
  return /^[A-Za-z_$][\w$]*$/.test(t) ? 'NAME' : undefined;
}

/** Characters that, side by side, could be one token (a word, a number, `?.`, `=>`, `==`, `...`). */
function couldJoin(a: number, b: number): boolean {
  return (joinsAsWord(a) && joinsAsWord(b)) || (joinsAsOperator(a) && joinsAsOperator(b)) || (a === 46 && joinsAsWord(b)) || (joinsAsWord(a) && b === 46);
}

// couldJoin's character classes, at the module's level: asked per token pair, a closure made per
// call costs more than the test (and under tsx, esbuild's keepNames names each one as it is made)
function joinsAsWord(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 36 || c === 95;
}

function joinsAsOperator(c: number): boolean {
  return c >= 0 && c < 128 && '=<>!&|?+-*/%^.'.includes(String.fromCharCode(c));
}

/**
 * True only when the text `lx` with edit `e` applied surely does not compile: its brackets do
 * not pair, or two of its tokens stand side by side as no JavaScript has them. False: not known.
 */
export function cannotParse(lx: Lexed, e: Edit): boolean {
  const b = readingOf(lx);
  if (!b) return false;
  const text = lx.text;
  const lo = e.offset;
  const hi = e.offset + e.del;
  for (let j = 0; j < b.settles.length; j += 2) if (lo <= b.settles[j + 1]! && hi >= b.settles[j]!) return false;
  if (!PLAIN_EDIT.test(e.ins) || !PLAIN_EDIT.test(text.slice(lo, hi))) return false;
  // `-->` or `<!--` made at the edit would be a comment in a script
  if (/<!--|-->/.test(text.slice(Math.max(0, lo - 3), lo) + e.ins + text.slice(hi, hi + 3))) return false;
  // The edit touches only names, numbers, punctuators and plain space: no string, comment,
  // regex or template piece begins, ends or changes within it (a comment beside it stays one,
  // space to the tokens around it). The token after it keeps its reading unless it is a `/`,
  // whose reading depends on the token before it.
  const toks = lx.tokens;
  const first = tokenAt(lx, lo);
  let k = first;
  let gapFrom = first > 0 ? toks[first - 1]!.end : 0;
  for (; ; k++) {
    const t = toks[k];
    const gapTo = t ? t.start : text.length;
    if (!plainGap(text, gapFrom, gapTo, lo, hi)) return false;
    if (!t || t.start >= hi) {
      if (t && (t.type === 'regex' || (t.type === 'punct' && t.value[0] === '/'))) return false;
      break;
    }
    if (t.type !== 'name' && t.type !== 'num' && t.type !== 'punct') return false;
    gapFrom = t.end;
  }
  const paired = pairs(b, lo, hi, e.ins);
  return paired === 'no' || (paired === 'yes' && neverAdjacent(lx, b, e, first, k));
}

/**
 * Whether text[from, to), between two tokens, is only plain space and whole comments that the
 * edit [lo, hi) stays out of: not in one, nor at a line comment's end (what is put there joins
 * it), nor deleting any of one or the line break that ends it.
 */
function plainGap(text: string, from: number, to: number, lo: number, hi: number): boolean {
  for (let i = from; i < to; ) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) {
      i++;
      continue;
    }
    if (c !== 47) return false;
    const d = text.charCodeAt(i + 1);
    let end: number;
    if (d === 47) {
      end = i + 2;
      while (end < to && text.charCodeAt(end) !== 10 && text.charCodeAt(end) !== 13) end++;
      if (lo <= end && hi > i) return false;
    } else if (d === 42) {
      const close = text.indexOf('*/', i + 2);
      if (close < 0 || close + 2 > to) return false;
      end = close + 2;
      if (lo < end && hi > i) return false;
    } else return false;
    i = end;
  }
  return true;
}

/**
 * Whether the text with the edit holds two tokens side by side that never are: a pair of the
 * text's own the edit leaves, or one the edit makes with its neighbours. Only where the edit
 * takes out whole tokens (first … next-1) and puts in one that joins none beside it.
 */
function neverAdjacent(lx: Lexed, b: Reading, e: Edit, first: number, next: number): boolean {
  for (const k of b.never) if (k < first || k > next) return true;
  const toks = lx.tokens;
  const text = lx.text;
  const lo = e.offset;
  const hi = e.offset + e.del;
  if (first < next && (toks[first]!.start < lo || toks[next - 1]!.end > hi)) return false;
  const ins = insertedClass(e.ins);
  if (ins === undefined) return false;
  // the characters on each side of the edit's seams, in the text it makes (-1: none)
  const left = lo > 0 ? text.charCodeAt(lo - 1) : -1;
  const right = hi < text.length ? text.charCodeAt(hi) : -1;
  const joins = e.ins ? couldJoin(left, e.ins.charCodeAt(0)) || couldJoin(e.ins.charCodeAt(e.ins.length - 1), right) : couldJoin(left, right);
  if (joins) return false;
  const before = first > 0 ? classOf(toks[first - 1]) : 'BOF';
  const after = classOf(toks[next]);
  // a ';' or ',' put in where the brackets around it take none (the brackets up to it are the file's own)
  if ((ins === ';' || ins === ',') && firstAtOrAfter(b.at, lo) === firstAtOrAfter(b.at, hi) && outOfPlace(lx, b, firstAtOrAfter(b.at, lo), ins, before, after)) return true;
  if (ins === '') {
    const a = toks[first - 1];
    const b = toks[next];
    return NEVER_ADJACENT.has(`${before}|${after}`) || (!!a && !!b && operand(a) && operand(b) && !lineBetween(text, a.end, lo) && !lineBetween(text, hi, b.start));
  }
  return NEVER_ADJACENT.has(`${before}|${ins}`) || NEVER_ADJACENT.has(`${ins}|${after}`);
}

/** Tokens before a `{` that opens an object literal (or a pattern): an expression goes on there, never a block or a class body. */
const OBJECT_AFTER = new Set(['=', '+=', '-=', '*=', '/=', '%=', '**=', '<<=', '>>=', '>>>=', '&=', '|=', '^=', '&&=', '||=', '??=', '(', ',', '[', '?', '...']);

/**
 * Whether a `;` or `,` put in before bracket `from` stands where the innermost bracket open
 * there takes none: a `;` inside `[…]`, `${…}`, an object's `{…}` or a `(…)` no `for` heads; a `,`
 * beside another outside an array's `[…]` (`a,,b`). `before`, `after`: its neighbours' classes.
 */
function outOfPlace(lx: Lexed, b: Reading, from: number, ins: string, before: string, after: string): boolean {
  const top = b.open[from]!;
  if (ins === ',') return (before === ',' || after === ',') && (top < 0 || b.nodeKind[top] !== SQUARE);
  if (top < 0) return false;
  const kind = b.nodeKind[top];
  if (kind === SQUARE || kind === SUBSTITUTION) return true;
  const opener = tokenAt(lx, b.at[b.nodeAt[top]!]!);
  const pred = lx.tokens[opener - 1];
  if (kind === PAREN) return !(pred?.type === 'name' && (pred.value === 'for' || pred.value === 'await'));
  return pred?.type === 'punct' && OBJECT_AFTER.has(pred.value);
}

/**
 * Whether the brackets pair with those in [lo, hi) taken out and those of `ins` put in there:
 * 'unknown' where the edit sits in a template's substitution, where our lexer's reading of a
 * later '}' depends on the braces before it. The brackets before the edit left open are met,
 * through those the edit puts in, with what the brackets after it need.
 */
function pairs(b: Reading, lo: number, hi: number, ins: string): 'yes' | 'no' | 'unknown' {
  const from = firstAtOrAfter(b.at, lo);
  const to = firstAtOrAfter(b.at, hi);
  if (from > b.prefixOk) return 'no';
  const { nodeKind, nodeBelow } = b;
  for (let n = b.open[from]!; n >= 0; n = nodeBelow[n]!) if (nodeKind[n] === SUBSTITUTION) return 'unknown';
  // (only now: the brackets after an edit in a substitution may be read otherwise)
  if (to < b.suffixOk) return 'no';
  let open = b.open[from]!;
  const pushed: number[] = [];
  for (let j = 0; j < ins.length; j++) {
    const v = KIND[ins[j]!];
    if (!v) continue;
    if (v > 0) pushed.push(v);
    else if (pushed.length) {
      if (pushed.pop() !== -v) return 'no';
    } else {
      if (open < 0 || nodeKind[open] !== -v) return 'no';
      open = nodeBelow[open]!;
    }
  }
  let need = b.need[to]!;
  for (;;) {
    let v: number;
    if (pushed.length) v = pushed.pop()!;
    else if (open >= 0) {
      v = nodeKind[open]!;
      open = nodeBelow[open]!;
    } else return need < 0 ? 'yes' : 'no';
    if (need < 0 || nodeKind[need] !== v) return 'no';
    need = nodeBelow[need]!;
  }
}

/** The index of the first offset in `at` (ascending) at or after `x`. */
function firstAtOrAfter(at: Int32Array, x: number): number {
  let lo = 0;
  let hi = at.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (at[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
