/**
 * A lenient JavaScript tokenizer for broken files: it never throws. Strings stop at the end of
 * their line, templates and block comments at the end of the file, a `/` is a regex or a
 * division by what precedes it. Beside the tokens it computes what the repair search needs to
 * read a file's structure: line starts and indentation, and the bracket pairs as a parser's
 * stack would match them.
 */

export type TokenType = 'punct' | 'name' | 'num' | 'string' | 'template' | 'regex';

export interface Token {
  type: TokenType;
  /** The token's text for punctuators and names; '' for literals (read them with slice). */
  value: string;
  start: number;
  end: number;
  /** 0-based line of the token's start. */
  line: number;
  /** The first token that starts on its line. */
  first: boolean;
  /** A string, template or comment that the file ends (or the line ends) before closing. */
  unterminated?: boolean;
  /** Template pieces: `...${` opens a substitution, `}...` closes one. */
  tplOpen?: boolean;
  tplClose?: boolean;
}

export interface Lexed {
  text: string;
  tokens: Token[];
  /** Offset where each 0-based line starts. */
  lineStarts: number[];
  /** Indentation width of each line (tabs count 4), -1 for lines with no token starting on them. */
  indent: number[];
  /** Index of the first token starting on each line, -1 if none. */
  lineFirst: number[];
  /** For each token, the index of the bracket it pairs with, or -1. */
  match: Int32Array;
  /** For each token, the number of brackets open before it (the parser's stack depth). */
  depth: Int32Array;
  /** For each token, the innermost bracket open before it, or -1. */
  parent: Int32Array;
  /** The file's line ending. */
  eol: string;
  /** Unmatched openers and closers of ( [ {, counted by kind: positive = more openers. */
  balance: { paren: number; bracket: number; brace: number };
}

const KEYWORDS_BEFORE_EXPRESSION = new Set([
  'return', 'typeof', 'instanceof', 'in', 'of', 'new', 'delete', 'void', 'throw', 'case', 'do', 'else', 'yield', 'await', 'extends',
]);

const PUNCTUATORS = [
  '>>>=', '...', '===', '!==', '**=', '<<=', '>>=', '>>>', '&&=', '||=', '??=',
  '=>', '==', '!=', '<=', '>=', '&&', '||', '??', '?.', '++', '--', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '**', '<<', '>>',
];

/** Multi-character punctuators by their first character (an ASCII code), longest first. */
const BY_FIRST: (string[] | undefined)[] = [];
for (const p of PUNCTUATORS) (BY_FIRST[p.charCodeAt(0)] ??= []).push(p);

function isIdStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 36 || c === 95 || c === 92 || c > 127;
}

function isIdPart(c: number): boolean {
  return isIdStart(c) || (c >= 48 && c <= 57);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

export function isLineBreak(c: number): boolean {
  return c === 10 || c === 13 || c === 0x2028 || c === 0x2029;
}

function isSpace(c: number): boolean {
  if (c === 32 || c === 9) return true;
  if (c < 128) return c === 11 || c === 12;
  return c === 0xa0 || c === 0xfeff || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x202f || c === 0x205f || c === 0x3000;
}

export const OPENERS: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
export const CLOSERS: Record<string, string> = { ')': '(', ']': '[', '}': '{' };

/**
 * The texts lexed within one repair (withLexes), by their text. A repair lexes the same texts
 * again and again: a rival that parses for its indentation, then for the evidence against it; the
 * text with one edit of a pair applied, as a state of the pair search, then as the root of the
 * single-edit search that judges the other edit. A Lexed is never changed once made, so one
 * serves all. Only texts below KEEP_MAX (a large file's rivals are many and each as large), up
 * to KEEP_BYTES in all.
 */
let kept: { known: Map<string, Lexed>; bytes: number } | undefined;
const KEEP_MAX = 48 * 1024;
const KEEP_BYTES = 1024 * 1024;

/** Run `f` with one memory of lexed texts, or within the one already running (a nested repair). */
export function withLexes<T>(f: () => T): T {
  if (kept) return f();
  kept = { known: new Map(), bytes: 0 };
  try {
    return f();
  } finally {
    kept = undefined;
  }
}

/** Tokenize `text` (BOM and hashbang are skipped as whitespace). Never throws. */
export function lex(text: string): Lexed {
  if (!kept || text.length >= KEEP_MAX) return lexText(text);
  let lx = kept.known.get(text);
  if (!lx) {
    lx = lexText(text);
    if (kept.bytes + text.length <= KEEP_BYTES) {
      kept.bytes += text.length;
      kept.known.set(text, lx);
    }
  }
  return lx;
}

function lexText(text: string): Lexed {
  const tokens: Token[] = [];
  const n = text.length;
  let i = 0;
  if (text.charCodeAt(0) === 0xfeff) i = 1;
  if (text.startsWith('#!', i)) while (i < n && !isLineBreak(text.charCodeAt(i))) i++;

  const lineStarts: number[] = [0];
  let line = 0;
  let lastLineWithToken = -1;
  /** 'b' for a `{` in code, 't' for a template substitution. */
  const braceStack: string[] = [];

  const newline = (at: number): void => {
    // called with `at` on a line break char; CRLF counts once
    if (text.charCodeAt(at) === 13 && text.charCodeAt(at + 1) === 10) return;
    line++;
    lineStarts.push(at + 1);
  };

  const push = (type: TokenType, start: number, end: number): Token => {
    const tok: Token = {
      type,
      value: type === 'punct' || type === 'name' ? text.slice(start, end) : '',
      start,
      end,
      line,
      first: lastLineWithToken !== line,
    };
    lastLineWithToken = line;
    tokens.push(tok);
    return tok;
  };

  const regexAllowed = (): boolean => {
    const prev = tokens[tokens.length - 1];
    if (!prev) return true;
    if (prev.type === 'punct') return !(prev.value === ')' || prev.value === ']' || prev.value === '}');
    if (prev.type === 'name') return KEYWORDS_BEFORE_EXPRESSION.has(prev.value);
    if (prev.type === 'template') return !!prev.tplOpen;
    return false;
  };

  /** Scan template text from `from` (just after ` or }) to its end; returns [end, opensSubstitution, terminated]. */
  const scanTemplate = (from: number): [number, boolean, boolean] => {
    let j = from;
    while (j < n) {
      const c = text.charCodeAt(j);
      if (c === 92) {
        j += 2;
        continue;
      }
      if (c === 96) return [j + 1, false, true];
      if (c === 36 && text.charCodeAt(j + 1) === 123) return [j + 2, true, true];
      if (isLineBreak(c)) newline(j);
      j++;
    }
    return [n, false, false];
  };

  while (i < n) {
    const c = text.charCodeAt(i);
    if (isLineBreak(c)) {
      newline(i);
      i++;
      continue;
    }
    if (isSpace(c)) {
      i++;
      continue;
    }
    // comments
    if (c === 47) {
      const d = text.charCodeAt(i + 1);
      if (d === 47) {
        while (i < n && !isLineBreak(text.charCodeAt(i))) i++;
        continue;
      }
      if (d === 42) {
        const close = text.indexOf('*/', i + 2);
        const end = close < 0 ? n : close + 2;
        for (let j = i + 2; j < end; j++) if (isLineBreak(text.charCodeAt(j))) newline(j);
        i = end;
        continue;
      }
      if (regexAllowed()) {
        const end = scanRegex(text, i);
        if (end > 0) {
          push('regex', i, end);
          i = end;
          continue;
        }
      }
    }
    if (c === 39 || c === 34) {
      const startLine = line;
      const wasFirst = lastLineWithToken !== line;
      let j = i + 1;
      let terminated = false;
      while (j < n) {
        const d = text.charCodeAt(j);
        if (d === c) {
          terminated = true;
          j++;
          break;
        }
        if (d === 92) {
          const e = text.charCodeAt(j + 1);
          if (isLineBreak(e)) {
            newline(j + 1);
            j += e === 13 && text.charCodeAt(j + 2) === 10 ? 3 : 2;
            continue;
          }
          j += 2;
          continue;
        }
        if (isLineBreak(d)) break;
        j++;
      }
      const tok: Token = { type: 'string', value: '', start: i, end: Math.min(j, n), line: startLine, first: wasFirst };
      if (!terminated) tok.unterminated = true;
      tokens.push(tok);
      lastLineWithToken = line;
      i = Math.min(j, n);
      continue;
    }
    if (c === 96) {
      const startLine = line;
      const wasFirst = lastLineWithToken !== line;
      const [end, opens, terminated] = scanTemplate(i + 1);
      const tok: Token = { type: 'template', value: '', start: i, end, line: startLine, first: wasFirst };
      if (opens) tok.tplOpen = true;
      if (!terminated) tok.unterminated = true;
      tokens.push(tok);
      lastLineWithToken = line;
      if (opens) braceStack.push('t');
      i = end;
      continue;
    }
    if (c === 125 && braceStack[braceStack.length - 1] === 't') {
      braceStack.pop();
      const startLine = line;
      const wasFirst = lastLineWithToken !== line;
      const [end, opens, terminated] = scanTemplate(i + 1);
      const tok: Token = { type: 'template', value: '', start: i, end, line: startLine, first: wasFirst, tplClose: true };
      if (opens) tok.tplOpen = true;
      if (!terminated) tok.unterminated = true;
      tokens.push(tok);
      lastLineWithToken = line;
      if (opens) braceStack.push('t');
      i = end;
      continue;
    }
    if (isDigit(c) || (c === 46 && isDigit(text.charCodeAt(i + 1)))) {
      let j = i + 1;
      while (j < n) {
        const d = text.charCodeAt(j);
        if (isIdPart(d) || d === 46) j++;
        else if ((d === 43 || d === 45) && (text.charCodeAt(j - 1) | 32) === 101 && !/^0[xX]/.test(text.slice(i, i + 2))) j++;
        else break;
      }
      push('num', i, j);
      i = j;
      continue;
    }
    if (isIdStart(c) || c === 35) {
      let j = i + 1;
      while (j < n) {
        const d = text.charCodeAt(j);
        if (isIdPart(d)) j++;
        else if (d >= 0xd800 && d <= 0xdfff) j++;
        else break;
      }
      if (c > 127 && isSpace(c)) {
        i++;
        continue;
      }
      push('name', i, j);
      i = j;
      continue;
    }
    // punctuators
    let len = 1;
    const longer = c < 128 ? BY_FIRST[c] : undefined;
    if (longer) {
      for (const p of longer) {
        if (text.startsWith(p, i)) {
          if (p === '?.' && isDigit(text.charCodeAt(i + 2))) continue;
          len = p.length;
          break;
        }
      }
    }
    if (c === 123) braceStack.push('b');
    else if (c === 125) braceStack.pop();
    push('punct', i, i + len);
    i += len;
  }

  return finish(text, tokens, lineStarts);
}

/** End of a regex literal starting at `at`, or -1 when the line ends first. */
function scanRegex(text: string, at: number): number {
  let j = at + 1;
  let inClass = false;
  const n = text.length;
  while (j < n) {
    const c = text.charCodeAt(j);
    if (isLineBreak(c)) return -1;
    if (c === 92) {
      j += 2;
      continue;
    }
    if (c === 91) inClass = true;
    else if (c === 93) inClass = false;
    else if (c === 47 && !inClass) {
      j++;
      while (j < n && isIdPart(text.charCodeAt(j))) j++;
      return j;
    }
    j++;
  }
  return -1;
}

function indentWidth(text: string, from: number): number {
  let w = 0;
  for (let j = from; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c === 32) w++;
    else if (c === 9) w += 4;
    else break;
  }
  return w;
}

/** Bracket kind by character code: ( [ { as 1 2 3, their closers negated. */
const BRACKET_KIND: Record<number, number> = { 40: 1, 41: -1, 91: 2, 93: -2, 123: 3, 125: -3 };

function finish(text: string, tokens: Token[], lineStarts: number[]): Lexed {
  const lines = lineStarts.length;
  const indent = new Array<number>(lines).fill(-1);
  const lineFirst = new Array<number>(lines).fill(-1);
  for (let t = 0; t < tokens.length; t++) {
    const tok = tokens[t]!;
    if (tok.first && lineFirst[tok.line] === -1) {
      lineFirst[tok.line] = t;
      indent[tok.line] = indentWidth(text, lineStarts[tok.line]!);
    }
  }
  const match = new Int32Array(tokens.length).fill(-1);
  const depth = new Int32Array(tokens.length);
  const parent = new Int32Array(tokens.length);
  const stack: number[] = [];
  // unmatched openers less closers, by kind: ( [ {
  const counts = [0, 0, 0];
  for (let t = 0; t < tokens.length; t++) {
    const tok = tokens[t]!;
    depth[t] = stack.length;
    parent[t] = stack.length ? stack[stack.length - 1]! : -1;
    if (tok.type === 'template') {
      if (tok.tplClose) {
        // the substitution's opener is the nearest open template piece
        for (let s = stack.length - 1; s >= 0; s--) {
          if (tokens[stack[s]!]!.type === 'template') {
            match[stack[s]!] = t;
            match[t] = stack[s]!;
            stack.length = s;
            break;
          }
        }
      }
      if (tok.tplOpen) stack.push(t);
      continue;
    }
    // by its one character: a lookup by a sliced string (`v in OPENERS`) was a third of this loop
    if (tok.type !== 'punct' || tok.end - tok.start !== 1) continue;
    const b = BRACKET_KIND[tok.value.charCodeAt(0)] ?? 0;
    if (b > 0) {
      stack.push(t);
      counts[b - 1]!++;
    } else if (b < 0) {
      counts[-b - 1]!--;
      const top = stack[stack.length - 1];
      if (top !== undefined && tokens[top]!.type === 'punct' && BRACKET_KIND[tokens[top]!.value.charCodeAt(0)] === -b) {
        stack.pop();
        match[top] = t;
        match[t] = top;
      }
    }
  }
  const balance = { paren: counts[0]!, bracket: counts[1]!, brace: counts[2]! };
  const eol = /\r\n/.test(text.slice(0, 4096)) ? '\r\n' : '\n';
  return { text, tokens, lineStarts, indent, lineFirst, match, depth, parent, eol, balance };
}

/** 0-based line of an offset. */
export function lineOf(lx: Pick<Lexed, 'lineStarts'>, offset: number): number {
  const ls = lx.lineStarts;
  let lo = 0;
  let hi = ls.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (ls[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Whether token `k` is read as a member: right after a '.' or '?.'. */
export function afterDot(lx: Lexed, k: number): boolean {
  const b = k > 0 ? lx.tokens[k - 1] : undefined;
  return !!b && b.type === 'punct' && (b.value === '.' || b.value === '?.');
}

/** How often the name `word` stands in `lx` read as a member (afterDot) and otherwise, token `skip` aside. */
export function nameUses(lx: Lexed, word: string, skip = -1): { bare: number; member: number } {
  let bare = 0;
  let member = 0;
  lx.tokens.forEach((t, k) => {
    if (k === skip || t.type !== 'name' || t.value !== word) return;
    if (afterDot(lx, k)) member++;
    else bare++;
  });
  return { bare, member };
}

/** Index of the first token that ends after `offset` (the token at or after it). */
export function tokenAt(lx: Lexed, offset: number): number {
  const toks = lx.tokens;
  let lo = 0;
  let hi = toks.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (toks[mid]!.end <= offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The offset of a 1-based line and column (columns count UTF-16 units, as V8 does). */
export function offsetOf(lx: Pick<Lexed, 'lineStarts' | 'text'>, line: number, column: number): number {
  const start = lx.lineStarts[Math.max(0, Math.min(line - 1, lx.lineStarts.length - 1))] ?? 0;
  return Math.min(lx.text.length, start + Math.max(0, column - 1));
}
