// Export surfaces by the lexers (cjs-module-lexer, es-module-lexer) are exactly the full acorn
// parse's (surfaceOf), on hand-made cases and on every file of real packages; where the lexers
// cannot vouch for an entry the answer is the full parse.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { exportSurface, initLexers, lexedExports } from '../src/analysis/lexed.ts';
import { parseStrict, surfaceOf } from '../src/analysis/surface.ts';
import { repoRoot } from './helpers/cli.ts';

before(() => initLexers());

/** [source, is a module, answered by the lexers?] */
const CASES: [string, boolean, boolean][] = [
  ['exports.a = 1; module.exports.b = 2; exports["c d"] = 3;', false, true],
  ["Object.defineProperty(exports, '__esModule', { value: true }); Object.defineProperty(module.exports, 'e', { get() { return 1; } });", false, true],
  ['module.exports = { f, g: 1, "h": 2, [i]: 3, ...require("./j"), ...k };', false, true],
  ['module.exports = exports = { l: 1 };', false, true],
  ['module.exports = require("./m");', false, true],
  ['module.exports = function n() {}; module.exports = class {};', false, true],
  ['module.exports = a.b.c, 1;', false, true],
  ['function f() { exports.inner = 1; } if (x) exports.x1 = 1; else exports.x2 = 2;', false, true],
  ['exports.no == 1; exports.no2 += 1; exports.no3.deep = 1; a.exports.no4 = 1; $exports.no5 = 1;', false, true],
  ['exports[key] = value; for (const key in o) if (key in exports && exports[key] === o[key]) continue;', false, true],
  ['// module.exports = { commented }\nexports.real = 1;', false, false],
  ['var s = "exports.inString = 1"; exports.real = 1;', false, false],
  ['/** @type {number} */ exports.documented = 1;', false, true],
  ['\\u0065xports.escaped = 1;', false, false],
  ['a.\nexports.member = 1;', false, false],
  ['x = y // see a\nexports.afterComment = 1;', false, true],
  // A line ending in a dot, even in a comment: a member over two lines is for acorn to tell.
  ['x = y // see a.\nexports.afterDot = 1;', false, false],
  ['module.exports = await f();', false, false],
  ["export const { a, b: c } = o; export default 1; export * from './d'; export * as e from './f'; export { g as 'h i' };", true, true],
  ['export function f() {} export class C {} export let x = 1, y;', true, true],
  // A comment between `export` and its list: the list is still the file's.
  ['const g = 1, h = 2;\nexport /* the api */ { g, h as i };\nexport // more\n{ g as j };', true, true],
  ['export const a = 1; // module.exports = b', true, false],
  // cjs-module-lexer does not read module syntax: CommonJS records in a module go to acorn.
  ['export const a = 1;\nmodule.exports.b = 2;', true, false],
  // Words the scan cannot read, in strings, comments, templates and regular expressions: masked,
  // and V8 compiling the masked text proves none was code; in code the full parse answers.
  ['var m = "A module cannot have multiple default exports."; exports.real = 1;', false, true],
  ['// define getter functions for harmony exports\n/* more */\nexports.real = 1;', false, true],
  ['var r = /module[a]/, t = `module [x]`; exports.real = 1;', false, true],
  ["module['exports'] = { a: 1 };", false, false],
  ["var d = getNative(Object, 'defineProperty'); exports.x = 1;", false, true],
  ["Object['defineProperty'](exports, 'y', { value: 1 });", false, false],
  ['module.exports = { ...exports.base, extra: 1 }; exports.fast = { ...exports.full };', false, true],
  // A value read off the text (a function's extent by its brackets) or, where that reading could
  // be wrong, by acorn: the same entry either way.
  ['module.exports = function half(a) { return a / 2 /* } */ + "}" + `${{ a: "}" }.a}`; };', false, true],
  ['module.exports = function () { if (a) /}/.test(b); return (c) / d; };', false, true],
  ['module.exports = function () { x = a++ / 2; y = {} / 3; }, exports.after = 1;', false, true],
  ['module.exports = function () {}\n(other)', false, true],
  ['module.exports = function* gen() { yield /re}/; }', false, true],
  ["module.exports = class Named { m() { return '}'; } }; module.exports = require ( './x' );", false, true],
  ['module.exports = undefined; module.exports = this; module.exports = x.y; module.exports = x => x;', false, true],
  ["module.exports = exports.default; module.exports = a.b.c(1, ')'); module.exports = require('./y', z);", false, true],
  ["module.exports = require('./p' + q); module.exports = require(); module.exports = require(r); module.exports = a.b\n(c)", false, true],
  // An object's keys read off the text: its commas inside brackets, templates and arrows are no
  // property's end; keys acorn alone reads (accessors, numbers, computed, spreads) go to it.
  ["module.exports = { a: (1, 2), b: f(x, y), c: `${d, e}`, 'f g': [h, i], j() { return k, l; }, m: n => (o, p), q, async() {}, get: 1, };", false, true],
  ['module.exports = {}; module.exports = { r: { s: 1, t: 2 } }\nexports.u = 1;', false, true],
  ['module.exports = { get v() { return 1; }, w: 1 }; module.exports = { 0x10: 1 }; module.exports = { async x() {} };', false, true],
  ["module.exports = { y: 1 }.y; module.exports = { 'z\\u0061': 1, /* c */ aa: 2 };", false, true],
  ["module.exports = {\n\tab: 'x', // a comment, then a key\n\t/* { } */ 'a c' /* : */ : 1 // }\n};", false, true],
];

describe('export surfaces by the lexers', () => {
  it('hand-made cases: the same surface as the full parse; answered where the lexers can vouch', () => {
    for (const [text, isModule, answers] of CASES) {
      const lexed = lexedExports(text, isModule);
      assert.equal(!!lexed, answers, `${answers ? 'not answered' : 'answered'}: ${text}`);
      const full = surfaceOf(text, isModule).exports;
      if (lexed) assert.deepEqual(lexed, full, text);
      assert.deepEqual(exportSurface(text, isModule), full, text);
    }
  });

  it('every file of real packages: no difference from the full parse, and most answered by the lexers', () => {
    const packages = ['acorn', 'acorn-walk', 'acorn-loose', 'commander', 'diff', 'eslint', 'espree', 'yaml', 'zod', 'pg', 'pg-protocol', 'nodemailer', 'picomatch', 'tinyglobby', 'prom-client', 'ajv', 'globals', 'cjs-module-lexer', 'es-module-lexer'];
    let answered = 0;
    let compared = 0;
    const differences: string[] = [];
    for (const pkg of packages) {
      const root = path.join(repoRoot, 'node_modules', pkg);
      const type = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { type?: string }).type;
      for (const file of walk(root)) {
        const text = fs.readFileSync(file, 'utf8');
        if (!text.includes('export')) continue;
        const isModule = file.endsWith('.mjs') || (!file.endsWith('.cjs') && type === 'module');
        if (!parseStrict(text, isModule)) continue; // what V8 would not compile is never recorded
        compared++;
        const lexed = lexedExports(text, isModule);
        if (!lexed) continue;
        answered++;
        const full = surfaceOf(text, isModule).exports;
        if (JSON.stringify(lexed) !== JSON.stringify(full)) differences.push(`${path.relative(repoRoot, file)}: lexers ${JSON.stringify(lexed)}, parse ${JSON.stringify(full)}`);
      }
    }
    assert.deepEqual(differences, []);
    assert.ok(compared > 500, `only ${compared} files compared`);
    assert.ok(answered / compared > 0.9, `the lexers answered ${answered} of ${compared}`);
  });
});

function walk(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory() && e.name !== 'node_modules') walk(p, out);
    else if (e.isFile() && /\.(c|m)?js$/.test(e.name)) out.push(p);
  }
  return out;
}
