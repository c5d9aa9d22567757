/**
 * The repairer's compiles spared (unparsable.ts): "it cannot parse" must never be said of a text
 * V8 compiles. Every one-token edit of texts full of what our lexer could misread (regexes,
 * templates, comments, strings holding brackets) and of tokens that stand side by side only in
 * a few places (`for (;;)`, `case 1: ;`, `[, a]`, `f(a,)`) is checked against V8 itself.
 * Run with: node --experimental-vm-modules --no-warnings --import tsx --test test/repair-unparsable.test.ts
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileVerdict } from '../src/analysis/compile.js';
import { cannotParse } from '../src/repair/deterministic/unparsable.js';
import { lex } from '../src/repair/deterministic/tokens.js';
import type { Edit } from '../src/repair/deterministic/candidates.js';

const apply = (text: string, e: Edit): string => text.slice(0, e.offset) + e.ins + text.slice(e.offset + e.del);

const TEXTS = [
  'function f(a, b) {\n  return g(a, [b, { c: 1 }]);\n}\n',
  "const s = '(' + x + \"[\" + `a${b ? { c: 1 }[d] : e}f${g(h)}` + '}';\nlet r = /[(\\]]+/g.test(s);\n",
  'if (a) /[)]/.test(b);\nx = y / (z) / 2;\nfoo() /* ) */ ; bar(1)\n',
  "var o = { a: [1, 2], b: function () { return this.a[0]; } };\n// }) ]\nmodule.exports = o;\n",
  'for (const k of Object.keys(m)) {\n  if (k) continue\n  /x/.exec(k)\n}\nwhile (i--) /y/.test(i);\n',
  'x = a++ / 2 + (b) / 3;\ny = `${`${z}`}` + [c][0];\n',
  'for (;;) { switch (a) { case 1: ; default: } }\nl: ;\nv = [, a, , ...b];\nf(a,);\n',
  'class A { #p = 1; *g() { yield this.#p; }; static s() { return new.target; } }\nq = a?.b ?? 1..toString();\nh = (x) => ({ ...x, y: x ? 1 : 2 });\n',
  // a '/' read as the words or the parentheses before it say
  'function f(a) {\n  if (a) return /[(]/.test(a) ? (a % 10) / 2 : typeof /[)]/;\n  return (g(a)) / (a) / 3 + a\n}\n',
  // words and literals side by side, on one line only where a keyword joins them
  "t = typeof 'q' in o; for (const v of w) void 0\nlet z = c /* */\n'u'\n3\nclass K { get 'g'() { return 1 } static async *m() { yield 2 } }\nx = { a: 'b', 'c': 1 } // d\n",
];
const EDITS = ['(', ')', '[', ']', '{', '}', ',', ';', ':', '.', '=>', 'if', ' '];

/** Every insertion, deletion and replacement of one character by a token the repairer may write. */
function* oneEdits(text: string): Generator<Edit> {
  for (let at = 0; at <= text.length; at++) {
    for (const ins of EDITS) {
      yield { offset: at, del: 0, ins };
      if (at < text.length) yield { offset: at, del: 1, ins };
    }
    if (at < text.length) yield { offset: at, del: 1, ins: '' };
  }
}

describe('texts that cannot parse', () => {
  it('are said only of texts V8 refuses, and of most that unbalance a bracket', () => {
    let said = 0;
    let unpaired = 0;
    for (const text of TEXTS) {
      assert.equal(compileVerdict(text, 'x.js', 'commonjs').ok, true, text);
      const lx = lex(text);
      for (const e of oneEdits(text)) {
        const cannot = cannotParse(lx, e);
        const ok = compileVerdict(apply(text, e), 'x.js', 'commonjs').ok;
        if (cannot) assert.equal(ok, false, `${JSON.stringify(e)} on ${JSON.stringify(text)}`);
        said += cannot ? 1 : 0;
        unpaired += !ok && /^[()[\]{}]$/.test(e.ins) && e.del === 0 ? 1 : 0;
      }
    }
    // not vacuous: most inserted brackets (all of which V8 refuses here) are known without it
    assert.ok(said > 0.5 * unpaired, `${said} known of ${unpaired}`);
  });

  const table: { name: string; text: string; edit: Edit; cannot: boolean }[] = [
    { name: 'a ")" put in', text: 'f(a, b);\n', edit: { offset: 7, del: 0, ins: ')' }, cannot: true },
    { name: 'a "," put in: they pair', text: '[a, b];\n', edit: { offset: 4, del: 0, ins: ',' }, cannot: false },
    { name: 'a "," beside another in a call', text: 'f(a, b);\n', edit: { offset: 4, del: 0, ins: ',' }, cannot: true },
    { name: 'a "," in a text whose brackets never paired', text: 'f(a, b;\n', edit: { offset: 4, del: 0, ins: ',' }, cannot: true },
    { name: 'a "," after a ".": never side by side', text: 'a.b;\n', edit: { offset: 2, del: 0, ins: ',' }, cannot: true },
    { name: 'a "=>" after a ",": never side by side', text: 'f(a, b);\n', edit: { offset: 4, del: 0, ins: ' =>' }, cannot: true },
    { name: 'a ";" before ")": as in for (;;)', text: 'for (;a) f();\n', edit: { offset: 7, del: 0, ins: ';' }, cannot: false },
    { name: 'a ";" in a call\'s parentheses', text: 'f(a);\n', edit: { offset: 3, del: 0, ins: ';' }, cannot: true },
    { name: 'a ";" in an object', text: 'o = { a: 1 };\n', edit: { offset: 10, del: 0, ins: ';' }, cannot: true },
    { name: 'a ";" in a block', text: 'if (a) { b }\n', edit: { offset: 10, del: 0, ins: ';' }, cannot: false },
    { name: 'a "." before a string', text: "o = { a : 'x' };\n", edit: { offset: 8, del: 1, ins: '.' }, cannot: true },
    { name: 'a "." that joins a number', text: 'f(1, b);\n', edit: { offset: 3, del: 0, ins: '.' }, cannot: false },
    { name: 'a "/" after ")" may be a regex', text: 'if (a) /[/.test(b);\n', edit: { offset: 0, del: 0, ins: '(' }, cannot: false },
    { name: 'a "/" after the edit', text: 'x = y\n/z/g;\n', edit: { offset: 5, del: 0, ins: ')' }, cannot: false },
    { name: 'inside a string', text: "s = '(';\n", edit: { offset: 5, del: 0, ins: ')' }, cannot: false },
    { name: 'beside a comment', text: 'f(a /* c */, b);\n', edit: { offset: 11, del: 0, ins: ')' }, cannot: true },
    { name: 'inside a comment', text: 'f(a /* c */, b);\n', edit: { offset: 7, del: 0, ins: ')' }, cannot: false },
    { name: "at a line comment's end", text: 'f(a); // c\ng(b);\n', edit: { offset: 10, del: 0, ins: ')' }, cannot: false },
    { name: "deleting a line comment's line break", text: 'f(a // c\n);\n', edit: { offset: 8, del: 1, ins: '' }, cannot: false },
    { name: "a regex after 'return'", text: 'function f(a) { return /[(]/.test(a) }\n', edit: { offset: 36, del: 0, ins: ')' }, cannot: true },
    { name: "a regex after '.return'", text: 'function f(a) { a.return /[(]/.test(a) }\n', edit: { offset: 38, del: 0, ins: ')' }, cannot: false },
    { name: 'a division after parentheses', text: 'x = (a % 10) / 2;\n', edit: { offset: 16, del: 0, ins: ')' }, cannot: true },
    { name: 'an edit in the parentheses before a division', text: 'x = (a % 10) / 2;\n', edit: { offset: 5, del: 0, ins: '(' }, cannot: false },
    { name: "a '/' after an if's parentheses", text: 'if (a) /x/.test(b);\n', edit: { offset: 18, del: 0, ins: ')' }, cannot: false },
    { name: 'a name beside a string on one line', text: "o = { a: 'x', b: 1 };\n", edit: { offset: 7, del: 1, ins: '' }, cannot: true },
    { name: 'a name and a string left beside each other elsewhere', text: "o = { a 'x', b: 1 };\n", edit: { offset: 20, del: 0, ins: ';' }, cannot: true },
    { name: 'a name and a string on two lines', text: "a = b\n'x'\n", edit: { offset: 0, del: 0, ins: ';' }, cannot: false },
    { name: 'a keyword beside a string', text: "function f() { return 'x' }\n", edit: { offset: 26, del: 0, ins: ';' }, cannot: false },
    { name: "inside a template's substitution", text: 's = `${a}`;\n', edit: { offset: 8, del: 0, ins: '}' }, cannot: false },
    { name: "inside a template's substitution, whatever follows", text: 's = `${a}`; g(\n', edit: { offset: 8, del: 0, ins: ',' }, cannot: false },
    { name: 'an HTML-like comment', text: 'x = 1; <!-- (\nf(a);\n', edit: { offset: 16, del: 0, ins: ')' }, cannot: false },
  ];
  for (const c of table) {
    it(c.name, () => {
      assert.equal(cannotParse(lex(c.text), c.edit), c.cannot);
      if (c.cannot) assert.equal(compileVerdict(apply(c.text, c.edit), 'x.js', 'commonjs').ok, false);
    });
  }
});
