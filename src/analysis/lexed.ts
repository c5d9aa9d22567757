import * as acorn from 'acorn';
import { compiles } from './compile.js';
import { moduleExportsValue, surfaceOf } from './surface.js';

/**
 * The export surface of a file that parses, as surfaceOf (a full acorn parse) gives it, reached
 * without parsing the whole file where the lexers Node itself uses for this question can vouch
 * for every entry: es-module-lexer for a module's exports, and for CommonJS records
 * (`exports.x =`, `module.exports = …`, `Object.defineProperty(exports, 'x', …)`) a plain scan
 * of the text whose every finding cjs-module-lexer confirms is code (not a comment, string or
 * regular expression). A word the scan cannot read (`exports.` ending a sentence in a string,
 * `module` before a comment) is masked and V8 compiles the text again: if it still compiles, no
 * masked word was code, and acorn would have seen none of them. Whatever the scan cannot read
 * exactly, or the lexer does not confirm, falls back to the full parse: the surface is always
 * the one surfaceOf gives.
 */
type CjsLexer = { parse(source: string): { exports: string[]; reexports: string[] } };
type EsLexer = typeof import('es-module-lexer');

let cjsLexer: CjsLexer | undefined;
let esLexer: EsLexer | undefined;
let loading: Promise<void> | undefined;

/** Load (once) the lexers' WebAssembly. Never rejects: without them every surface is a full parse. */
export function initLexers(): Promise<void> {
  loading ??= (async () => {
    try {
      const [cjs, es] = await Promise.all([import('cjs-module-lexer'), import('es-module-lexer')]);
      await Promise.all([cjs.init(), es.init()]);
      cjsLexer = cjs;
      esLexer = es;
    } catch {
      cjsLexer = esLexer = undefined;
    }
  })();
  return loading;
}

/** How the last surfaces were reached (for the benchmark and the tests); `masked`: lexed after a mask compiled. */
export const lexedStats = { lexed: 0, parsed: 0, masked: 0 };

/** The export surface of text that parses (see surfaceOf); the lexers where they can answer. */
export function exportSurface(text: string, isModule: boolean): string[] {
  const lexed = lexedExports(text, isModule);
  if (lexed) {
    lexedStats.lexed++;
    return lexed;
  }
  lexedStats.parsed++;
  return surfaceOf(text, isModule).exports;
}

/** The surface by the lexers, or undefined where only a full parse can tell. */
export function lexedExports(text: string, isModule: boolean): string[] | undefined {
  if (!cjsLexer || !esLexer) return undefined;
  if (hasEscapedName(text)) return undefined;
  const out = new Set<string>();
  if (isModule) {
    let exports: ReturnType<EsLexer['parse']>[1];
    try {
      exports = esLexer.parse(text)[1];
    } catch {
      return undefined;
    }
    for (const e of exports) {
      if (e.typeOnly) return undefined;
      const name = e.type === 'reexport-all' ? `*:${e.from}` : e.name;
      if (name.includes('\\')) return undefined;
      out.add(name);
    }
  }
  const unread: Span[] = [];
  if (!commonJsRecords(text, isModule, out, unread)) return undefined;
  if (unread.length) {
    if (!outsideCode(text, isModule, unread)) return undefined;
    lexedStats.masked++;
  }
  return [...out].sort();
}

/** A word the scan could not read: code (then only a parse tells what it means) or not. */
type Span = { start: number; end: number };

/**
 * `@` is no token of JavaScript (while decorators are not shipped: checked once), and any text
 * in a comment, string, template or regular expression: with each span masked by `@`s, the text
 * compiles only if no span was code. A failed compile, for whatever reason, proves nothing.
 */
function outsideCode(text: string, isModule: boolean, spans: Span[]): boolean {
  atIsNoToken ??= !compiles('@x class A {}', 'commonjs') && !compiles('@x class A {}', 'module');
  if (!atIsNoToken) return false;
  spans.sort((a, b) => a.start - b.start);
  let masked = '';
  let at = 0;
  for (const s of spans) {
    if (s.start < at) continue; // the same word twice
    masked += `${text.slice(at, s.start)}${'@'.repeat(s.end - s.start)}`;
    at = s.end;
  }
  masked += text.slice(at);
  return compiles(masked, isModule ? 'module' : 'commonjs');
}
let atIsNoToken: boolean | undefined;

// Names whose spelling decides an entry; an escape in one (`\u0065xports`) is read by acorn alone.
const DECIDING = /exports|module|defineProperty|Object/;
const ESCAPE = /\\u(?:([0-9a-fA-F]{4})|\{([0-9a-fA-F]+)\})/g;

function hasEscapedName(text: string): boolean {
  for (let i = text.indexOf('\\u'); i >= 0; ) {
    // The run of name characters (and escapes) around it, decoded.
    let a = i;
    while (a > 0 && isRunChar(text.charCodeAt(a - 1))) a--;
    let b = i + 2;
    while (b < text.length && isRunChar(text.charCodeAt(b))) b++;
    const decoded = text.slice(a, b).replace(ESCAPE, (_s, x: string | undefined, y: string | undefined) => {
      const cp = parseInt(x ?? y!, 16);
      return cp <= 0x10ffff ? String.fromCodePoint(cp) : '';
    });
    if (DECIDING.test(decoded)) return true;
    i = text.indexOf('\\u', b);
  }
  return false;
}

function isRunChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36 || c === 92 || c === 123 || c === 125;
}

const WORDS = /\bexports\b|\bmodule\b|\bdefineProperty\b/g;
const NAME = /[A-Za-z_$][\w$]*/y;
const PROBE = '$mechanic_probe_';

/** A finding of the scan: its entries, and the span cjs-module-lexer must see as `exports.<probe> =`. */
interface Finding {
  start: number;
  end: number;
  entries: string[];
  /** What follows the probe so that it reads as an assignment (a defineProperty span ends at its key). */
  tail?: string;
}

/**
 * Add what surfaceOf's CommonJS walk would add; a word it cannot read goes to `unread` (it counts
 * for nothing if it is not code). False when the text holds something only a parse reads, or a
 * finding the lexer does not confirm as code.
 */
function commonJsRecords(text: string, isModule: boolean, out: Set<string>, unread: Span[]): boolean {
  const findings: Finding[] = [];
  WORDS.lastIndex = 0;
  for (let m = WORDS.exec(text); m; m = WORDS.exec(text)) {
    const at = m.index;
    const word = m[0];
    const span = { start: at, end: at + word.length };
    const before = identifierSide(text.charCodeAt(at - 1));
    const after = identifierSide(text.charCodeAt(at + word.length));
    if (before === 'unknown' || after === 'unknown') {
      unread.push(span);
      continue;
    }
    if (before === 'part' || after === 'part') continue; // `$exports`, `exportsX`: another name
    const prev = previousSignificant(text, at);
    if (prev === 'unknown') {
      unread.push(span);
      continue;
    }
    if (prev === '.') continue; // `a.exports`, `a.module`: a property, never the exports object
    let r: Finding | 'none' | 'unknown';
    if (word === 'defineProperty') {
      // Only `Object.defineProperty(…)`, handled from `Object`: any other spelling counts nothing,
      // unless it is a quoted key (`Object['defineProperty']`), which acorn alone reads (a string
      // is no code, yet means something here: never masked).
      const q = text.charCodeAt(at - 1);
      if (q === 0x27 || q === 0x22 || q === 0x60) {
        // Only as a key (`[` before the quote) can it name the call; elsewhere a string means nothing here.
        const key = previousSignificant(text, at - 1);
        if (key === '[' || key === 'unknown') return false;
      }
      continue;
    } else if (word === 'module') {
      const dot = skipSpace(text, at + 6);
      if (dot < 0 || text[dot] === '[') {
        unread.push(span); // module['exports']: acorn reads it, if it is code
        continue;
      }
      if (text[dot] !== '.') continue;
      const e = skipSpace(text, dot + 1);
      if (e < 0) {
        unread.push(span);
        continue;
      }
      if (!text.startsWith('exports', e) || identifierSide(text.charCodeAt(e + 7)) !== 'none') continue;
      r = afterExportsObject(text, at, e + 7, true, isModule);
      WORDS.lastIndex = e + 7;
    } else {
      r = afterExportsObject(text, at, at + 7, false, isModule);
    }
    if (r === 'unknown') unread.push(span);
    else if (r !== 'none') findings.push(r);
    // `Object.defineProperty(` right before: its target may be this very word
  }
  defineProperties(text, findings, unread);
  if (!findings.length) return true;
  return confirmed(text, findings, out);
}

/** `exports` (or `module.exports`) ends at `end`: what follows it. */
function afterExportsObject(text: string, start: number, end: number, isModuleExports: boolean, isModule: boolean): Finding | 'none' | 'unknown' {
  const p = skipSpace(text, end);
  if (p < 0) return 'unknown';
  const c = text[p];
  if (c === '.') {
    const n = skipSpace(text, p + 1);
    if (n < 0) return 'unknown';
    NAME.lastIndex = n;
    const name = NAME.exec(text)?.[0];
    if (!name) return 'unknown';
    const side = identifierSide(text.charCodeAt(n + name.length));
    if (side !== 'none') return 'unknown';
    return assigned(text, n + name.length) ?? { start, end: n + name.length, entries: [name] };
  }
  if (c === '[') {
    const k = skipSpace(text, p + 1);
    if (k < 0) return 'unknown';
    let key: string;
    let keyEnd: number;
    const q = text[k];
    if (q === "'" || q === '"') {
      const close = text.indexOf(q, k + 1);
      if (close < 0) return 'unknown';
      key = text.slice(k + 1, close);
      if (/[\\\n\r]/.test(key)) return 'unknown';
      keyEnd = close + 1;
    } else {
      NAME.lastIndex = k;
      const id = NAME.exec(text)?.[0];
      if (!id || identifierSide(text.charCodeAt(k + id.length)) !== 'none') return 'unknown';
      key = `[${id}]`;
      keyEnd = k + id.length;
    }
    const b = skipSpace(text, keyEnd);
    if (b < 0 || text[b] !== ']') return 'unknown';
    return assigned(text, b + 1) ?? { start, end: b + 1, entries: [key] };
  }
  if (c === '=' && text[p + 1] !== '=' && text[p + 1] !== '>') {
    if (!isModuleExports) return 'none'; // `exports = …` rebinds a variable: no entry
    const entries = moduleExportsEntries(text, p + 1, isModule);
    return entries ? { start, end, entries } : 'unknown';
  }
  return 'none';
}

/** After a member `exports.x` ending at `at`: `undefined` if `=` assigns it, else 'none' or 'unknown'. */
function assigned(text: string, at: number): undefined | 'none' | 'unknown' {
  const p = skipSpace(text, at);
  if (p < 0) return 'unknown';
  if (text[p] === '=' && text[p + 1] !== '=' && text[p + 1] !== '>') return undefined;
  return 'none';
}

/** `module.exports = <value>`: the value parsed on its own (acorn from that offset), as surfaceOf reads it. */
function moduleExportsEntries(text: string, from: number, isModule: boolean): string[] | undefined {
  // At the top level of a script `yield` and `await` are names; in a generator or an async
  // function they are operators: only the enclosing parse knows.
  if (/^\s*(?:yield|await)\b/.test(text.slice(from, from + 64))) return undefined;
  // The common values read off the text: acorn building a function's whole tree to name it was
  // most of a cold scan's surface time.
  const read = valueByText(text, from);
  if (read) return [read];
  const keys = objectKeysByText(text, from);
  if (keys) return keys;
  let node: acorn.Expression;
  try {
    node = acorn.parseExpressionAt(text, from, {
      ecmaVersion: 'latest',
      sourceType: isModule ? 'module' : 'script',
      allowAwaitOutsideFunction: true,
      allowReturnOutsideFunction: true,
      allowHashBang: true,
    });
  } catch {
    return undefined;
  }
  const value = node.type === 'SequenceExpression' ? node.expressions[0]! : node;
  const set = new Set<string>();
  moduleExportsValue(value, set);
  return [...set];
}

/** Names that are no identifier after `module.exports =` (a literal, `this`, an operator word): acorn reads those. */
const NOT_A_NAME = new Set([
  'break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default', 'delete', 'do', 'else', 'enum', 'export', 'extends',
  'false', 'finally', 'for', 'function', 'if', 'import', 'in', 'instanceof', 'new', 'null', 'return', 'super', 'switch', 'this',
  'throw', 'true', 'try', 'typeof', 'var', 'void', 'while', 'with', 'yield', 'await', 'async', 'let', 'static',
]);

/**
 * The entry of `module.exports = <value>` (the value from `from`) where the text alone shows what
 * acorn's parse of it would be: a name, `require('x')`, a function or a class without `extends`,
 * each followed by what cannot continue an expression (`;`, `,`, `)`, `]`, `}`, `:` or the end).
 * A function's or class's extent is found by matching brackets over a reading of the tokens that
 * gives up (undefined: acorn decides) wherever that reading could be wrong. The value is code:
 * the caller's finding is confirmed as code by cjs-module-lexer.
 */
function valueByText(text: string, from: number): string | undefined {
  const s = skipSpace(text, from);
  if (s < 0) return undefined;
  NAME.lastIndex = s;
  const word = NAME.exec(text)?.[0];
  if (!word || identifierSide(text.charCodeAt(s + word.length)) !== 'none') return undefined;
  let end: number;
  let entry: string;
  if (word === 'function' || word === 'class') {
    let p = skipSpace(text, s + word.length);
    if (p < 0) return undefined;
    if (word === 'function' && text[p] === '*') p = skipSpace(text, p + 1);
    if (p < 0) return undefined;
    NAME.lastIndex = p;
    const name = NAME.exec(text)?.[0];
    if (name !== undefined) {
      if (identifierSide(text.charCodeAt(p + name.length)) !== 'none' || NOT_A_NAME.has(name)) return undefined;
      p = skipSpace(text, p + name.length);
      if (p < 0) return undefined;
    }
    if (word === 'function') {
      if (text[p] !== '(') return undefined;
      p = skipSpace(text, closeOf(text, p));
      if (p < 0) return undefined;
    }
    if (text[p] !== '{') return undefined;
    end = closeOf(text, p);
    entry = `=${name ?? word}`;
  } else {
    if (NOT_A_NAME.has(word)) return undefined;
    // A name, a chain of property names (`exports.default`), and perhaps a call of it.
    let chain = word;
    end = s + word.length;
    for (;;) {
      const dot = skipSpace(text, end);
      if (dot < 0 || text[dot] !== '.' || text[dot + 1] === '.') break;
      const p = skipSpace(text, dot + 1);
      if (p < 0) return undefined;
      NAME.lastIndex = p;
      const prop = NAME.exec(text)?.[0];
      if (!prop || identifierSide(text.charCodeAt(p + prop.length)) !== 'none') return undefined;
      chain += `.${prop}`;
      end = p + prop.length;
    }
    entry = `=${chain}`;
    const open = skipSpace(text, end);
    if (open >= 0 && text[open] === '(') {
      end = closeOf(text, open);
      if (end < 0) return undefined;
      entry = `=${chain}()`;
      if (chain === 'require') {
        // `require('x')` names its first argument, when that is a string literal.
        const q = skipSpace(text, open + 1);
        if (q < 0) return undefined;
        if (text[q] === "'" || text[q] === '"') {
          const close = stringEnd(text, q);
          if (close < 0) return undefined;
          const value = text.slice(q + 1, close - 1);
          if (value.includes('\\')) return undefined;
          const after = skipSpace(text, close);
          if (after < 0) return undefined;
          if (text[after] === ')' || text[after] === ',') entry = `=require(${value})`;
        } else if (text[q] !== ')') return undefined; // another literal is named too: for acorn
      }
    }
  }
  if (end < 0) return undefined;
  const next = skipSpace(text, end);
  if (next < 0) return undefined;
  return next === text.length || ';,)]}:'.includes(text[next]!) ? entry : undefined;
}

/**
 * The entries of `module.exports = { … }` (the value from `from`) where the text alone shows the
 * object's keys as acorn reads them: each property a name or a plain string, then `:`, `,`, `}`
 * or a method's `(`; its value skipped over the tokens (see closeOf, which gives up wherever its
 * reading could be wrong), the object followed by what cannot continue an expression. Anything
 * else (computed or numeric keys, spreads, `get`/`set`/`async`/`*` methods) is for acorn. Parsing
 * the object with acorn was most of what export surfaces cost a cold scan.
 */
function objectKeysByText(text: string, from: number): string[] | undefined {
  const open = skipSpace(text, from);
  if (open < 0 || text[open] !== '{') return undefined;
  const commas: number[] = [];
  const end = closeOf(text, open, commas);
  if (end < 0) return undefined;
  const next = skipSpace(text, end);
  if (next < 0 || !(next === text.length || ';,)]}:'.includes(text[next]!))) return undefined;
  const keys = new Set<string>();
  const starts = [open, ...commas];
  for (let k = 0; k < starts.length; k++) {
    const p = skipGap(text, starts[k]! + 1);
    if (p < 0) return undefined;
    // `{}`, or a trailing comma: the object's own `}`.
    if (p === end - 1) {
      if (k === starts.length - 1) break;
      return undefined;
    }
    let key: string;
    let after: number;
    const q = text[p];
    if (q === "'" || q === '"') {
      after = stringEnd(text, p);
      if (after < 0) return undefined;
      key = text.slice(p + 1, after - 1);
      if (key.includes('\\')) return undefined;
    } else {
      NAME.lastIndex = p;
      const name = NAME.exec(text)?.[0];
      if (!name || identifierSide(text.charCodeAt(p + name.length)) !== 'none') return undefined;
      key = name;
      after = p + name.length;
    }
    const t = skipGap(text, after);
    if (t < 0) return undefined;
    const c = text[t];
    // `name: value`, `name,` or `name }` (shorthand, names only), `name(…) { … }` (a method).
    if (c === ':' || c === '(' || ((c === ',' || t === end - 1) && q !== "'" && q !== '"')) keys.add(key);
    else return undefined;
  }
  return [...keys];
}

/** After a `(` that follows one of these, a `/` after its `)` starts a regular expression. */
const CONTROL = new Set(['if', 'while', 'for', 'with']);
/** Words after which a `/` starts a regular expression; after other names it divides. */
const BEFORE_EXPRESSION = new Set(['return', 'typeof', 'instanceof', 'in', 'new', 'delete', 'void', 'throw', 'case', 'do', 'else']);
/** Words after which a `/` may be either (`of`, `yield`, `await` are names too; ASI after `break`). */
const EITHER = new Set(['of', 'yield', 'await', 'break', 'continue', 'debugger', 'let']);
const TEMPLATE = 0;
// What a `/` at this point is.
const DIVIDES = 0;
const REGEXP = 1;
const UNSURE = 2;

/**
 * The end (after the closer) of the bracket that opens at `open`, `(` or `{`, over the tokens of
 * the text: strings, templates (and the code in them), comments and regular expressions skipped.
 * -1 where the reading could be wrong: a `/` that may divide or start a regular expression, a
 * character past ASCII in code, an escape in a name, an HTML-like comment, a bracket unmatched.
 * With `commas`, the offsets of the commas directly inside that bracket are put in it.
 */
function closeOf(text: string, open: number, commas?: number[]): number {
  /** The closers expected, innermost last; TEMPLATE for a template's `${`; `)` + 1 for a control `(`. */
  const stack: number[] = [];
  let slash: number = REGEXP;
  let afterDot = false;
  let lastWord = '';
  let i = open;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || (c >= 0x09 && c <= 0x0d)) {
      i++;
      continue;
    }
    if (c >= 128 || c === 0x5c /* \ */) return -1;
    const dot: boolean = afterDot;
    afterDot = false;
    const word = lastWord;
    lastWord = '';
    if (c === 0x28 /* ( */ || c === 0x5b /* [ */ || c === 0x7b /* { */) {
      stack.push(c === 0x28 ? (CONTROL.has(word) ? 0x2a : 0x29) : c === 0x5b ? 0x5d : 0x7d);
      slash = REGEXP;
      i++;
    } else if (c === 0x29 || c === 0x5d || c === 0x7d) {
      const want = stack.pop();
      if (want === TEMPLATE && c === 0x7d) {
        i = templateEnd(text, i + 1, stack);
        if (i < 0) return -1;
        slash = afterTemplatePart(text, i);
        continue;
      }
      const control = want === 0x2a && c === 0x29;
      if (want !== c && !control) return -1;
      if (!stack.length) return i + 1;
      slash = c === 0x29 ? (control ? REGEXP : DIVIDES) : c === 0x5d ? DIVIDES : UNSURE;
      i++;
    } else if (c === 0x27 || c === 0x22) {
      i = stringEnd(text, i);
      if (i < 0) return -1;
      slash = DIVIDES;
    } else if (c === 0x60 /* ` */) {
      i = templateEnd(text, i + 1, stack);
      if (i < 0) return -1;
      slash = afterTemplatePart(text, i);
    } else if (c === 0x2f /* / */) {
      const d = text.charCodeAt(i + 1);
      if (d === 0x2f) i = lineEnd(text, i + 2);
      else if (d === 0x2a) {
        const close = text.indexOf('*/', i + 2);
        if (close < 0) return -1;
        i = close + 2;
      } else if (slash === REGEXP) {
        i = regExpEnd(text, i + 1);
        if (i < 0) return -1;
        slash = DIVIDES;
      } else if (slash === DIVIDES) {
        slash = REGEXP;
        i++;
      } else return -1;
      // a comment changes nothing of what a `/` after it is
      if (d === 0x2f || d === 0x2a) {
        afterDot = dot;
        lastWord = word;
      }
    } else if ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c === 0x24 || c === 0x23 /* # */) {
      let j = i + 1;
      while (j < n && isNamePart(text.charCodeAt(j))) j++;
      const next = text.charCodeAt(j);
      if (next >= 128 || next === 0x5c) return -1;
      const w = text.slice(i, j);
      // A property name (`a.return`) is no keyword.
      slash = dot ? DIVIDES : BEFORE_EXPRESSION.has(w) ? REGEXP : EITHER.has(w) ? UNSURE : DIVIDES;
      lastWord = dot ? '' : w;
      i = j;
    } else if (c >= 0x30 && c <= 0x39) {
      let j = i + 1;
      // Digits, letters (hex, exponent, BigInt), `_` and a decimal point; an exponent's sign is read as an operator.
      while (j < n && (isNamePart(text.charCodeAt(j)) || text.charCodeAt(j) === 0x2e)) j++;
      slash = DIVIDES;
      i = j;
    } else if (c === 0x2e /* . */) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0x30 && d <= 0x39) {
        let j = i + 1;
        while (j < n && isNamePart(text.charCodeAt(j))) j++;
        slash = DIVIDES;
        i = j;
      } else if (d === 0x2e && text.charCodeAt(i + 2) === 0x2e) {
        slash = REGEXP;
        i += 3;
      } else {
        afterDot = true;
        slash = UNSURE;
        i++;
      }
    } else if (c === 0x3c /* < */ && text.startsWith('<!--', i)) return -1;
    else if (c === 0x2d /* - */ && text.startsWith('-->', i)) return -1;
    else if ((c === 0x2b || c === 0x2d) && text.charCodeAt(i + 1) === c) {
      // `a++ / b` divides, `++/x/` does not parse: which one is for a parse to tell
      slash = UNSURE;
      i += 2;
    } else if (c === 0x3f /* ? */ && text.charCodeAt(i + 1) === 0x2e && !(text.charCodeAt(i + 2) >= 0x30 && text.charCodeAt(i + 2) <= 0x39)) {
      afterDot = true; // `?.`
      slash = UNSURE;
      i += 2;
    } else {
      // Any other punctuator: an operand follows. (`commas`: those directly inside the bracket.)
      if (commas && c === 0x2c && stack.length === 1) commas.push(i);
      slash = REGEXP;
      i++;
    }
  }
  return -1;
}

function isNamePart(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36;
}

/** After a template's part ending before `at`: an operand follows its `${`, an operator its backtick. */
function afterTemplatePart(text: string, at: number): number {
  return text.charCodeAt(at - 1) === 0x7b ? REGEXP : DIVIDES;
}

/** After the quote that closes the string opening at `at`; -1 at a line break or the end. */
function stringEnd(text: string, at: number): number {
  const q = text.charCodeAt(at);
  for (let i = at + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === q) return i + 1;
    if (c === 0x5c) i++;
    else if (c === 0x0a || c === 0x0d) return -1;
  }
  return -1;
}

/** From inside a template at `at`: after its closing backtick, or after a `${` (TEMPLATE pushed). */
function templateEnd(text: string, at: number, stack: number[]): number {
  for (let i = at; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x60) return i + 1;
    if (c === 0x5c) i++;
    else if (c === 0x24 && text.charCodeAt(i + 1) === 0x7b) {
      stack.push(TEMPLATE);
      return i + 2;
    }
  }
  return -1;
}

/** After a regular expression whose body starts at `at` (its flags included); -1 at a line break. */
function regExpEnd(text: string, at: number): number {
  let inClass = false;
  for (let i = at; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c) i++;
    else if (c === 0x0a || c === 0x0d || c === 0x2028 || c === 0x2029) return -1;
    else if (c === 0x5b) inClass = true;
    else if (c === 0x5d) inClass = false;
    else if (c === 0x2f && !inClass) {
      let j = i + 1;
      while (j < text.length && isNamePart(text.charCodeAt(j))) j++;
      return j;
    }
  }
  return -1;
}

/** The line break ending a `//` comment that starts before `at` (or the end). */
/**
 * Past spaces and comments from `at` (-1 in an unclosed block comment), where closeOf has read the
 * tokens already: there a `//` or `/*` is a comment.
 */
function skipGap(text: string, at: number): number {
  let i = at;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) i++;
    else if (c === 0x2f && text.charCodeAt(i + 1) === 0x2f) i = lineEnd(text, i + 2);
    else if (c === 0x2f && text.charCodeAt(i + 1) === 0x2a) {
      const close = text.indexOf('*/', i + 2);
      if (close < 0) return -1;
      i = close + 2;
    } else break;
  }
  return i;
}

function lineEnd(text: string, at: number): number {
  for (let i = at; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a || c === 0x0d || c === 0x2028 || c === 0x2029) return i;
  }
  return text.length;
}

/** `Object.defineProperty(exports|module.exports, 'x', …)`: entry x, its target confirmed with it; what it cannot read goes to `unread`. */
function defineProperties(text: string, findings: Finding[], unread: Span[]): void {
  const call = /\bObject\s*\.\s*defineProperty\b/g;
  for (let m = call.exec(text); m; m = call.exec(text)) {
    const at = m.index;
    // Unread: `Object` masked (a call of it is code, and fails the masked compile).
    const unreadHere = (): void => void unread.push({ start: at, end: at + 6 });
    const before = identifierSide(text.charCodeAt(at - 1));
    if (before === 'unknown') {
      unreadHere();
      continue;
    }
    if (before === 'part') continue;
    const prev = previousSignificant(text, at);
    if (prev === 'unknown') {
      unreadHere();
      continue;
    }
    if (prev === '.') continue;
    const open = skipSpace(text, at + m[0].length);
    if (open < 0) {
      unreadHere();
      continue;
    }
    if (text[open] !== '(') continue; // not called here: nothing recorded
    let t = skipSpace(text, open + 1);
    if (t < 0) {
      unreadHere();
      continue;
    }
    if (text.startsWith('module', t) && identifierSide(text.charCodeAt(t + 6)) === 'none') {
      const d = skipSpace(text, t + 6);
      if (d < 0) {
        unreadHere();
        continue;
      }
      if (text[d] !== '.') continue;
      t = skipSpace(text, d + 1);
      if (t < 0) {
        unreadHere();
        continue;
      }
    } else if (text.startsWith('...', t)) {
      unreadHere();
      continue;
    }
    if (!text.startsWith('exports', t) || identifierSide(text.charCodeAt(t + 7)) !== 'none') continue;
    const comma = skipSpace(text, t + 7);
    if (comma < 0) {
      unreadHere();
      continue;
    }
    if (text[comma] !== ',') continue;
    const k = skipSpace(text, comma + 1);
    if (k < 0) {
      unreadHere();
      continue;
    }
    const q = text[k];
    if (q === "'" || q === '"') {
      const close = text.indexOf(q, k + 1);
      if (close < 0) {
        unreadHere();
        continue;
      }
      const key = text.slice(k + 1, close);
      if (/[\\\n\r]/.test(key)) {
        unreadHere();
        continue;
      }
      findings.push({ start: at, end: close + 1, entries: [key], tail: '=(0' });
      continue;
    }
    // An identifier key names nothing (surfaceOf keeps literal keys only); anything else: a parse.
    NAME.lastIndex = k;
    if (!NAME.exec(text)) {
      unreadHere();
      continue;
    }
  }
}

/**
 * Each finding's span rewritten as `exports.<probe>`, the text lexed once: a finding counts only
 * if cjs-module-lexer sees its probe assigned, i.e. it is code, not a comment, string or regex.
 */
function confirmed(text: string, findings: Finding[], out: Set<string>): boolean {
  findings.sort((a, b) => a.start - b.start);
  let probe = '';
  let at = 0;
  for (const [k, f] of findings.entries()) {
    if (f.start < at) return false; // overlapping spans: not a shape the scan knows
    probe += `${text.slice(at, f.start)}exports.${PROBE}${k}${f.tail ?? ''}`;
    at = f.end;
  }
  probe += text.slice(at);
  let seen: Set<string>;
  try {
    seen = new Set(cjsLexer!.parse(probe).exports);
  } catch {
    return false;
  }
  for (let k = 0; k < findings.length; k++) if (!seen.has(`${PROBE}${k}`)) return false;
  for (const f of findings) for (const e of f.entries) out.add(e);
  return true;
}

/** Whether a character next to a word makes it part of a longer name. */
function identifierSide(code: number): 'none' | 'part' | 'unknown' {
  if (Number.isNaN(code)) return 'none';
  if ((code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95 || code === 36) return 'part';
  if (code === 92) return 'unknown'; // an escape
  if (code < 128) return 'none';
  const ch = String.fromCharCode(code);
  if (/[\p{ID_Continue}\u200c\u200d]/u.test(ch)) return 'part';
  // Other non-ASCII: a space of another kind is code, a symbol is a comment's text: only a parse tells.
  return 'unknown';
}

/**
 * The character before `at`, past spaces on the same line and block comments. A line break in
 * between is 'unknown': the line before may end in a `//` comment whose last character is a dot.
 */
function previousSignificant(text: string, at: number): string {
  let i = at - 1;
  let crossedLine = false;
  for (;;) {
    while (i >= 0 && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) {
      if (text[i] === '\n' || text[i] === '\r') {
        crossedLine = true;
        // The line before may end in a `//` comment: what counts is the code before it.
        const lineStart = text.lastIndexOf('\n', i - 1) + 1;
        const line = text.slice(lineStart, i);
        const comment = line.indexOf('//');
        if (comment >= 0 && /\.\s*$/.test(line.slice(0, comment))) return 'unknown';
      }
      i--;
    }
    if (i < 0) return '';
    const c = text[i]!;
    if (c === '/' && text[i - 1] === '*') {
      const open = text.lastIndexOf('/*', i - 2);
      if (open < 0) return 'unknown';
      i = open - 1;
      continue;
    }
    // A spread (`...exports.x`): the word is not a property.
    if (c === '.' && text[i - 1] === '.' && text[i - 2] === '.' && text[i - 3] !== '.') return '...';
    if (c === '.' && (crossedLine || text[i - 1] === '.')) return 'unknown'; // `a.⏎exports`, or dots the scan cannot read
    return c;
  }
}

/** The first non-space position from `at` (spaces and line breaks), or -1 at a comment. */
function skipSpace(text: string, at: number): number {
  let i = at;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) i++;
    else if (c === 0x2f && (text.charCodeAt(i + 1) === 0x2f || text.charCodeAt(i + 1) === 0x2a)) return -1;
    else break;
  }
  return i;
}
