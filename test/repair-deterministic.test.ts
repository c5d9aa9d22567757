/**
 * The deterministic syntax repairer, as a table: broken file → the exact text it must be repaired to.
 * Run with: node --experimental-vm-modules --no-warnings --import tsx --test test/repair-deterministic.test.ts
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { box } from './helpers/cli.ts';
import { fileURLToPath } from 'node:url';
import { compileVerdict } from '../src/analysis/compile.js';
import { repairSyntax, type SyntaxRepairOptions } from '../src/repair/deterministic/index.js';
import { surfaceChange, surfaceReference } from '../src/repair/deterministic/guard.js';
import { lastGoodExports, recordFits } from '../src/validate/last-good.js';
import { lex, withLexes } from '../src/repair/deterministic/tokens.js';
import { Rivals, type Settled } from '../src/repair/deterministic/rivals.js';
import { parseProgram, surfaceOf } from '../src/analysis/surface.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'repair');
const read = (name: string): string => fs.readFileSync(path.join(fixtures, name), 'utf8');

interface Case {
  name: string;
  file: string;
  fixed: string;
  format: 'commonjs' | 'module';
  /** What the note must say. */
  note: RegExp;
  edits: number;
}

const cases: Case[] = [
  { name: "the seed's demo: a doubled closing paren", file: 'worker.js', fixed: 'worker.fixed.js', format: 'commonjs', note: /^deleted '\)' at 4:3[89]$/, edits: 1 },
  { name: 'a missing brace, placed by indentation', file: 'missing-brace.js', fixed: 'missing-brace.fixed.js', format: 'commonjs', note: /^inserted '}' on its own line at 9:1 \(indentation\)$/, edits: 1 },
  { name: 'a missing comma between object properties', file: 'missing-comma.js', fixed: 'missing-comma.fixed.js', format: 'commonjs', note: /^inserted ',' at 3:13$/, edits: 1 },
  { name: 'a string left open', file: 'open-string.js', fixed: 'open-string.fixed.js', format: 'commonjs', note: /^inserted ''' at 1:30 \(string left open\)$/, edits: 1 },
  { name: 'two slips in one file', file: 'two-slips.js', fixed: 'two-slips.fixed.js', format: 'commonjs', note: /^inserted ',' at 3:28; inserted '\)' at 6:25$/, edits: 2 },
  { name: 'an ES module (.mjs)', file: 'module.mjs', fixed: 'module.fixed.mjs', format: 'module', note: /^inserted '\)' at 4:43$/, edits: 1 },
  { name: 'a hashbang file (.cjs)', file: 'hashbang.cjs', fixed: 'hashbang.fixed.cjs', format: 'commonjs', note: /^inserted '\)' at 4:22$/, edits: 1 },
  { name: 'CRLF line endings: the brace goes on a CRLF line', file: 'crlf.js', fixed: 'crlf.fixed.js', format: 'commonjs', note: /indentation/, edits: 1 },
  { name: 'a byte order mark', file: 'bom.js', fixed: 'bom.fixed.js', format: 'commonjs', note: /^inserted '\]' at 1:2\d$/, edits: 1 },
];

describe('repairSyntax: broken file → fixed text', () => {
  for (const c of cases) {
    it(c.name, () => {
      const text = read(c.file);
      const opts: SyntaxRepairOptions = { filename: path.join(fixtures, c.file), format: c.format };
      assert.equal(compileVerdict(text, opts.filename, c.format).ok, false, 'the fixture must be broken');
      const r = repairSyntax(text, opts);
      assert.ok(r.ok, r.ok ? '' : r.reason);
      assert.equal(r.text, read(c.fixed));
      assert.match(r.note, c.note);
      assert.equal(r.edits.length, c.edits);
      assert.ok(compileVerdict(r.text, opts.filename, c.format).ok);
      assert.ok(r.candidatesTried >= 1);
    });
  }

  it('a file that ends without a line break: "Unexpected end of input" is at its end', () => {
    // V8 puts that error at column 0 of the last line, here the line `  b: 2`.
    const text = 'module.exports = {\n  a: 1,\n  b: 2';
    const r = repairSyntax(text, { filename: 'end.js', format: 'commonjs' });
    assert.ok(r.ok, r.ok ? '' : r.reason);
    assert.equal(r.text, 'module.exports = {\n  a: 1,\n  b: 2\n}');
  });

  it('reports each edit in the coordinates of the original text', () => {
    const text = read('two-slips.js');
    const r = repairSyntax(text, { filename: 'two-slips.js', format: 'commonjs' });
    assert.ok(r.ok);
    assert.deepEqual(
      r.edits.map((e) => ({ kind: e.kind, line: e.line, column: e.column, before: e.before, after: e.after })),
      [
        { kind: 'insert', line: 3, column: 28, before: '', after: ',' },
        { kind: 'insert', line: 6, column: 25, before: '', after: ')' },
      ],
    );
    // applying the edits to the original, last first, gives the repaired text
    let out = text;
    for (const e of [...r.edits].reverse()) out = out.slice(0, e.offset) + e.after + out.slice(e.offset + e.before.length);
    assert.equal(out, r.text);
  });
});

/** A 10,000-line CommonJS file of small functions, as a generator writes them. */
function bigFile(): string {
  const lines: string[] = ["'use strict';", ''];
  let k = 0;
  while (lines.length < 10_000) {
    lines.push(
      `function step${k}(input, options) {`,
      `  const values = [input, options.scale * ${k}, ${k % 7}];`,
      '  if (values[0] > values[1]) {',
      `    return values.map((v) => v + ${k});`,
      '  }',
      `  return { id: ${k}, total: values.reduce((a, b) => a + b, 0) };`,
      '}',
      '',
    );
    k++;
  }
  lines.push(`module.exports = { ${Array.from({ length: k }, (_, i) => `step${i}`).join(', ')} };`, '');
  return lines.join('\n');
}

describe('repairSyntax on a 10,000-line file', () => {
  const original = bigFile();
  assert.ok(original.split('\n').length > 10_000);
  assert.ok(compileVerdict(original, 'big.js', 'commonjs').ok);

  // The time a repair of a large file takes is measured by `npm run bench:repair` (its p95 is
  // the large files'), not here: tests run four at a time on two cores, and a repair that runs
  // out of its budget is handed on, not wrong. So these give a budget no load can exhaust.
  const budget = { timeBudgetMs: 5000 };

  it('puts back a closing brace dropped in the middle', () => {
    const at = original.indexOf('  }\n  return { id: 600,');
    const broken = original.slice(0, at) + original.slice(at + 4);
    const r = repairSyntax(broken, { filename: 'big.js', format: 'commonjs', ...budget });
    assert.ok(r.ok, r.ok ? '' : r.reason);
    assert.equal(r.text, original);
    assert.match(r.note, /indentation/);
  });

  it('deletes a doubled paren near the end', () => {
    const at = original.lastIndexOf('a + b, 0)') + 'a + b, 0)'.length;
    const broken = original.slice(0, at) + ')' + original.slice(at);
    const r = repairSyntax(broken, { filename: 'big.js', format: 'commonjs', ...budget });
    assert.ok(r.ok, r.ok ? '' : r.reason);
    assert.equal(r.text, original);
  });
});

describe('repairSyntax gives up, and says why', () => {
  it('gives up on a hopeless file within its budget', () => {
    const budget = 80;
    const r = repairSyntax(read('hopeless.js'), { filename: 'hopeless.js', format: 'commonjs', timeBudgetMs: budget });
    assert.equal(r.ok, false);
    assert.ok(!r.ok && r.reason.length > 0);
    assert.match(!r.ok ? r.reason : '', /no candidate among \d+ parsed|time budget of 80 ms exhausted/);
    assert.ok(r.elapsedMs <= budget + 400, `took ${r.elapsedMs} ms`);
  });

  it('keeps to its budget on a large file it cannot repair', () => {
    const budget = 60;
    const big = bigFile();
    const mid = big.indexOf('function step600(');
    const broken = big.slice(0, mid) + 'const = = @@ ## (((( ;;; }}} [[[ \n' + big.slice(mid);
    // the clock binds past a floor of work, up to four budgets, and the work before the search
    // (lexing, the tolerant parse of 10,000 lines) is not cut short: the bound is drawn from this
    // machine's own time for that work, a 1 ms budget's run (unbudgeted, the search runs a
    // thousand candidates, 3.5 s on a quiet machine against ~80 ms for the 1 ms run)
    const floor = repairSyntax(broken, { filename: 'big.js', format: 'commonjs', timeBudgetMs: 1 });
    assert.match(!floor.ok ? floor.reason : '', /time budget of 1 ms exhausted/);
    const r = repairSyntax(broken, { filename: 'big.js', format: 'commonjs', timeBudgetMs: budget });
    assert.equal(r.ok, false);
    assert.match(!r.ok ? r.reason : '', /time budget of 60 ms exhausted after \d+ candidates/);
    assert.ok(r.elapsedMs <= 4 * budget + 2 * floor.elapsedMs + 200, `took ${r.elapsedMs} ms (a 1 ms budget's run: ${floor.elapsedMs} ms)`);
  });

  it('respects the candidate cap', () => {
    const r = repairSyntax(read('hopeless.js'), { filename: 'hopeless.js', format: 'commonjs', maxCandidates: 5 });
    assert.equal(r.ok, false);
    assert.ok(r.candidatesTried <= 5);
    assert.match(!r.ok ? r.reason : '', /cap of 5/);
  });

  it('says so when there is nothing to repair', () => {
    const r = repairSyntax('module.exports = 1;\n', { filename: 'ok.js', format: 'commonjs' });
    assert.equal(r.ok, false);
    assert.match(!r.ok ? r.reason : '', /nothing to repair/);
  });
});

describe('the last good version (git HEAD) as the surface reference', () => {
  const good = "function _mask() {}\nfunction concat() {}\nfunction toArrayBuffer() {}\nmodule.exports = {\n  concat,\n  mask: _mask,\n  toArrayBuffer\n};\n";
  // `:` typed as `)`: read from the broken text alone, `mask, _mask,` is as good a repair, and exports one name more.
  const broken = good.replace('mask: _mask', 'mask) _mask');

  it('keeps exactly the exports of the last good version', () => {
    // From the broken text alone the two readings export differently: the repairer hands the file on.
    const alone = repairSyntax(broken, { filename: 'u.js', format: 'commonjs' });
    assert.equal(alone.ok, false);
    assert.match(!alone.ok ? alone.reason : '', /^ambiguous exports: .*\(-_mask\)|^ambiguous exports: .*\(\+_mask\)/);
    const reference = lastGoodExports(good, broken, 'u.js', 'commonjs');
    assert.deepEqual(reference, ['concat', 'mask', 'toArrayBuffer']);
    const r = repairSyntax(broken, { filename: 'u.js', format: 'commonjs', lastGoodExports: reference });
    assert.ok(r.ok, JSON.stringify(r));
    assert.equal(r.text, good);
  });

  it('is not used when it is another file (many lines changed since) or does not parse', () => {
    const other = `${good}${Array.from({ length: 20 }, (_, i) => `exports.x${i} = ${i};`).join('\n')}\n`;
    assert.equal(lastGoodExports(other, broken, 'u.js', 'commonjs'), undefined, 'another file: no reference');
    assert.equal(lastGoodExports(good.replace('};', ''), broken, 'u.js', 'commonjs'), undefined, 'does not parse: no reference');
    // A record from the scan that no longer fits the text (a name since removed) is not used either.
    assert.equal(recordFits(['concat', 'mask', 'gone'], broken), false);
    assert.equal(recordFits(['concat', 'mask', 'toArrayBuffer'], broken), true);
  });

  it('without git: the exports the scan recorded while the file parsed are kept', async () => {
    const sb = box();
    const file = sb.write('lib/util.js', good);
    sb.config({ pm2Logs: false, stateDir: '../state', llm: { provider: 'none' } });
    const seen = await sb.runJson(['scan']);
    assert.deepEqual(seen.json.bugs, []);
    fs.writeFileSync(file, broken);
    const scan = await sb.runJson(['scan']);
    assert.deepEqual(scan.json.bugs[0].lastGoodExports, ['concat', 'mask', 'toArrayBuffer']);
    const r = await sb.runJson(['run']);
    assert.equal(r.json.fixes[0].outcome, 'applied', JSON.stringify(r.json.fixes[0]));
    assert.equal(fs.readFileSync(file, 'utf8'), good);

    // The same slip in a file the mechanic never saw parse: only the broken text to go by, which
    // does not say what it exports. The repairer hands it on (here to no model) and writes nothing.
    const fresh = box();
    const other = fresh.write('lib/util.js', broken);
    fresh.config({ pm2Logs: false, stateDir: '../state', llm: { provider: 'none' } });
    const alone = await fresh.runJson(['run']);
    assert.equal(alone.json.fixes[0].outcome, 'failed', JSON.stringify(alone.json.fixes[0]));
    assert.match(alone.json.fixes[0].reason, /ambiguous exports/);
    assert.equal(fs.readFileSync(other, 'utf8'), broken, 'the ambiguity the record settles');
  });

  it('an export added in the same edit as the slip is allowed: the text plainly writes it', async () => {
    const sb = box();
    const file = sb.write('lib/a.js', 'exports.a = 1;\n');
    // `(2;` is as likely a lost `)` as a stray `(`: no gate here, the surface is what is tested.
    sb.config({ pm2Logs: false, stateDir: '../state', llm: { provider: 'none' }, deterministic: { minConfidence: 0 } });
    await sb.runJson(['scan']);
    fs.writeFileSync(file, 'exports.a = 1;\nexports.b = (2;\n');
    const r = await sb.runJson(['run']);
    assert.equal(r.json.fixes[0].outcome, 'applied', JSON.stringify(r.json.fixes[0]));
    assert.match(fs.readFileSync(file, 'utf8'), /^exports\.a = 1;\nexports\.b = (2|\(2\));\n$/);
  });

  it('mechanic run: a tracked file is repaired to keep what HEAD exports', async () => {
    const sb = box();
    const file = sb.write('lib/util.js', good);
    assert.equal(sb.git('init', '-q'), 0);
    assert.equal(sb.git('add', 'lib/util.js'), 0);
    assert.equal(sb.git('commit', '-qm', 'good'), 0);
    fs.writeFileSync(file, broken);
    // Two edits stay below the confidence gate: no gate here, the surface is what is tested.
    sb.config({ pm2Logs: false, stateDir: '../state', llm: { provider: 'none' }, deterministic: { minConfidence: 0 } });
    const r = await sb.runJson(['run']);
    assert.equal(r.json.fixes[0].outcome, 'applied', JSON.stringify(r.json.fixes[0]));
    assert.equal(fs.readFileSync(file, 'utf8'), good);
  });
});

describe('the surface guard', () => {
  it('a slip in the exporting statement itself: the repair keeps it an exporting statement', () => {
    // `.` typed as `[`: inserting `]` parses too, and exports nothing.
    const a = "function f() {}\nexports.default = f;\nmodule[exports = exports.default;\n";
    const ra = repairSyntax(a, { filename: 'a.js', format: 'commonjs' });
    assert.ok(ra.ok, JSON.stringify(ra));
    assert.equal(ra.text, a.replace('module[exports', 'module.exports'));
    // `.` typed as `}`: deleting `}` and `default` would parse and export `exports`, not `exports.default`.
    const b = "function f() {}\nexports.default = f;\nmodule.exports = exports}default;\n";
    const rb = repairSyntax(b, { filename: 'b.js', format: 'commonjs' });
    assert.ok(rb.ok, JSON.stringify(rb));
    assert.equal(rb.text, b.replace('exports}default', 'exports.default'));
    const ref = surfaceReference(a, false);
    assert.match(surfaceChange('function f() {}\nexports.default = f;\nmodule[exports = exports.default];\n', false, ref) ?? '', /an exporting line is no longer an exporting statement/);
  });

  it('refuses a repair that makes a declaration out of an assignment', () => {
    const broken = 'var a = 1\nb = 2 +\n';
    const ref = surfaceReference(broken, false);
    assert.match(surfaceChange('var a = 1,\nb = 2\n', false, ref) ?? '', /adds top-level b/);
  });

  it('refuses a repair that loses an export the original shows', () => {
    const broken = 'exports.a = 1;\nexports.b = (2;\n';
    const ref = surfaceReference(broken, false);
    assert.equal(surfaceChange('exports.a = 1;\nexports.b = (2);\n', false, ref), undefined);
    assert.match(surfaceChange('exports.a = 1;\n', false, ref) ?? '', /loses export b/);
  });

  it('allows the names a missing brace had nested to come back to the top level', () => {
    const broken = 'function a() {\n  x();\n\nfunction b() {}\nmodule.exports = { a, b };\n';
    const ref = surfaceReference(broken, false);
    assert.equal(surfaceChange('function a() {\n  x();\n}\n\nfunction b() {}\nmodule.exports = { a, b };\n', false, ref), undefined);
  });

  it('one reference judges every candidate alike, whichever asks first for the names written anywhere', () => {
    const broken = 'function a() {\n  x();\n\nfunction b() {}\nmodule.exports = { a, b };\n';
    const back = 'function a() {\n  x();\n}\n\nfunction b() {}\nmodule.exports = { a, b };\n';
    const stranger = back.replace('function b() {}', 'function b() {}\nfunction z() {}');
    const ref = surfaceReference(broken, false);
    assert.match(surfaceChange(stranger, false, ref) ?? '', /adds top-level z/);
    assert.equal(surfaceChange(back, false, ref), undefined);
    assert.match(surfaceChange(stranger, false, ref) ?? '', /adds top-level z/);
    // an export only the tolerant tree's depths show (`exports.c` inside the unclosed function)
    const nested = 'function a() {\n  exports.c = 1;\n\nmodule.exports.a = a;\n';
    const nref = surfaceReference(nested, false);
    assert.equal(surfaceChange('function a() {\n  exports.c = 1;\n}\nmodule.exports.a = a;\nexports.c = 2;\n', false, nref), undefined);
    assert.match(surfaceChange('function a() {\n  exports.c = 1;\n}\nmodule.exports.a = a;\nexports.e = 2;\n', false, nref) ?? '', /adds export e/);
  });
});

describe('ambiguous exports: with only the broken text, a repair is taken only if no rival exports otherwise', () => {
  // Each text has two repairs about as likely that parse and export differently: the text does
  // not say which was meant, so the repairer hands the file on to the model.
  const handedOn: { name: string; text: string; differ: RegExp }[] = [
    { name: 'a property or a shorthand: `{ format parse }`', text: 'function format() {}\nfunction parse() {}\n\nmodule.exports = { format parse };\n', differ: /\((-|\+)parse\)/ },
    {
      name: 'the same inside a wrapper function, as UMD builds are',
      text: "(function (factory) {\n  factory();\n})(function () {\n  function format() {}\n  function parse() {}\n  module.exports = { format parse };\n});\n",
      differ: /\((-|\+)parse\)/,
    },
    { name: 'one property per line, a comma or a colon missing', text: 'function a() {}\nfunction b() {}\n\nmodule.exports = {\n\ta\n\tb\n};\n', differ: /\((-|\+)b\)/ },
    { name: 'the export a call or a name: `sortedIndexBy(`', text: 'function sortedIndexBy(a) { return a; }\nmodule.exports = sortedIndexBy(\n', differ: /=sortedIndexBy\(\), .*=sortedIndexBy\)|=sortedIndexBy, .*=sortedIndexBy\(\)\)/ },
    { name: 'the same at the very end of a file with no line break after it', text: 'function sortedIndexBy(a) { return a; }\n\nmodule.exports = sortedIndexBy(', differ: /=sortedIndexBy\(\), .*=sortedIndexBy\)|=sortedIndexBy, .*=sortedIndexBy\(\)\)/ },
    { name: 'a stray `)` or a missing `(`: `exports.default);`', text: 'function f() {}\nexports.default = f;\nmodule.exports = exports.default);\n', differ: /=exports\.default\(\)/ },
  ];
  for (const c of handedOn) {
    it(`hands on ${c.name}`, () => {
      const r = repairSyntax(c.text, { filename: 'x.js', format: 'commonjs' });
      assert.equal(r.ok, false, r.ok ? r.text : '');
      assert.match(!r.ok ? r.reason : '', /^ambiguous exports: /);
      assert.match(!r.ok ? r.reason : '', c.differ);
    });
  }

  // A rival that would not survive the validation ladder does not make a text ambiguous.
  const repaired: { name: string; text: string; fixed: string }[] = [
    {
      name: 'deleting a stray quote would read `__esModule` as a variable nothing declares',
      text: '\'use strict\';\n\nObject.defineProperty(exports, "__esModule, {\n  value: true\n});\nexports.default = f;\n\nfunction f() {}\n',
      fixed: '\'use strict\';\n\nObject.defineProperty(exports, "__esModule", {\n  value: true\n});\nexports.default = f;\n\nfunction f() {}\n',
    },
    {
      name: 'a likelier repair that only the tolerant reading refused wins: `exports;default`',
      text: 'function f() {}\nexports.default = f;\nmodule.exports = exports;default;\n',
      fixed: 'function f() {}\nexports.default = f;\nmodule.exports = exports.default;\n',
    },
  ];
  for (const c of repaired) {
    it(`repairs: ${c.name}`, () => {
      const r = repairSyntax(c.text, { filename: 'x.js', format: 'commonjs' });
      assert.ok(r.ok, r.ok ? '' : r.reason);
      assert.equal(r.text, c.fixed);
    });
  }

  it('the last good version settles what the text alone cannot', () => {
    const text = 'function format() {}\nfunction parse() {}\n\nmodule.exports = { format parse };\n';
    const r = repairSyntax(text, { filename: 'x.js', format: 'commonjs', lastGoodExports: ['format', 'parse'] });
    assert.ok(r.ok, r.ok ? '' : r.reason);
    assert.equal(r.text, text.replace('format parse', 'format, parse'));
  });
});

describe('export surface: `exports` written only through an escape', () => {
  // the walk for CommonJS exports is skipped in a text without `exports`: not in one that spells it with an escape
  it('reads exports from an escaped member or name', () => {
    assert.deepEqual(surfaceOf("module['\\x65xports'].a = 1;\nObject.defineProperty(\\u0065xports, 'b', { value: 2 });\n", false).exports, ['a', 'b']);
  });
  it('refuses a repair that loses one', () => {
    const broken = "module['\\x65xports'] = { a: 1, b: 2 };\nfoo(;\n";
    const ref = surfaceReference(broken, false);
    assert.match(surfaceChange("module['\\x65xports'] = { a: 1 };\nfoo();\n", false, ref) ?? '', /loses export b/);
    assert.equal(surfaceChange("module['\\x65xports'] = { a: 1, b: 2 };\nfoo();\n", false, ref), undefined);
  });
});

describe('export surface: a line that only reads `exports` is no exporting statement', () => {
  // a `(` typed as `;`: `exports, "__esModule", {…}` parses, and defines nothing
  const broken = "'use strict';\n\nObject.defineProperty;exports, \"__esModule\", {\n  value: true\n});\nexports.default = f;\nfunction f() {}\n";
  const ref = surfaceReference(broken, false);
  it('refuses a repair that leaves the line a read', () => {
    const read = "'use strict';\n\nObject.defineProperty;exports, \"__esModule\", {\n  value: true\n};\nexports.default = f;\nfunction f() {}\n";
    assert.match(surfaceChange(read, false, ref) ?? '', /an exporting line is no longer an exporting statement \(1 of 2\)/);
  });
  it('keeps the one that calls defineProperty again', () => {
    assert.equal(surfaceChange(broken.replace('defineProperty;', 'defineProperty('), false, ref), undefined);
  });
});

describe('export surface: an unindented `export` in a module begins a declaration', () => {
  // acorn-loose reads `export def ordinal;` as no export at all: the keyword itself still says one was written
  const broken = 'function ordinal(n) {\n  return n;\n}\n\nexport def ordinal;\n';
  it('refuses a repair that deletes the keyword', () => {
    const ref = surfaceReference(broken, true);
    assert.match(surfaceChange('function ordinal(n) {\n  return n;\n}\n\n def, ordinal;\n', true, ref) ?? '', /an export declaration is gone \(0 of 1 left\)/);
    // (the tolerant parse saw no default: that objection is another, contestable one)
    assert.doesNotMatch(surfaceChange('function ordinal(n) {\n  return n;\n}\n\nexport default ordinal;\n', true, ref) ?? '', /declaration/);
  });
  it('counts no `export` inside a template, nor in a CommonJS file', () => {
    const inTemplate = 'const src = `\nexport default 1;\n`;\nfoo(;\n';
    assert.equal(surfaceChange('const src = `\nexport default 1;\n`;\nfoo();\n', true, surfaceReference(inTemplate, true)), undefined);
    assert.equal(surfaceChange('function f() {}\nf();\n', false, surfaceReference('function f() {}\nexport f(;\n', false)), undefined);
  });
  it('hands the file on rather than propose a repair without its export', () => {
    const r = repairSyntax(broken, { filename: 'x.mjs', format: 'module' });
    assert.equal(r.ok, false, r.ok ? r.text : '');
    assert.match(!r.ok ? r.reason : '', /an export declaration is gone/);
  });
});

describe('rivals: judged on the statements around their difference', () => {
  const pad = Array.from({ length: 30 }, (_, i) => `function pad${i}() { return ${i}; }`).join('\n');
  const repair = `${pad}\nfunction* g() {\n  yield 1;\n  const a = (2);\n}\nmodule.exports = { g, pad0 };\n`;
  const rivals = new Rivals(repair, parseProgram(repair, false), surfaceOf(repair, false).exports, { filename: 'g.js', format: 'commonjs' }, surfaceReference(repair.replace('(2);', '(2;'), false));
  const cases: { name: string; rival: string; settled: Settled }[] = [
    { name: 'the same text', rival: repair, settled: 'same exports' },
    { name: 'another edit inside a function body', rival: repair.replace('return 3;', 'return [3];'), settled: 'same exports' },
    { name: 'a generator body that parses only where it stands (`yield`)', rival: repair.replace('(2);', '[2];'), settled: undefined },
    { name: 'a text V8 rejects inside the statements around the edit', rival: repair.replace('(2);', '(2;'), settled: 'does not parse' },
    { name: 'other exports: left to the whole text', rival: repair.replace('{ g, pad0 }', '{ g: pad0 }'), settled: undefined },
  ];
  for (const c of cases) it(`${c.name}: ${String(c.settled)}`, () => assert.equal(rivals.settle(c.rival), c.settled));

  it('differ: a rival that parses and exports otherwise, named', () => {
    assert.deepEqual(rivals.differ(repair.replace('{ g, pad0 }', '{ g: pad0 }')), { lost: ['pad0'], added: [] });
    assert.equal(rivals.differ(repair.replace('return 3;', 'return [3];')), undefined);
  });
});

describe('the lenient tokenizer', () => {
  it('never throws, and closes what the file leaves open', () => {
    const lx = lex("const s = 'open\nconst t = `tpl ${a + `inner`} end`\nconst r = /re[/]x/g; // c\n/* open comment");
    assert.ok(lx.tokens.some((t) => t.type === 'string' && t.unterminated));
    assert.ok(lx.tokens.some((t) => t.type === 'regex'));
    assert.equal(lx.lineStarts.length, 4);
  });
});

describe('the lexed texts one repair shares (withLexes)', () => {
  const text = read('worker.js');

  it('within a repair, a text lexed again is the Lexed made the first time, with the tokens a fresh lex makes', () => {
    const fresh = lex(text);
    withLexes(() => {
      const first = lex(text);
      assert.equal(lex(text), first);
      // a nested repair shares the memory of the one it runs in
      withLexes(() => assert.equal(lex(text), first));
      assert.notEqual(first, fresh);
      assert.deepEqual(first, fresh);
    });
  });

  it('outside a repair, and once it has ended, nothing is kept', () => {
    let inside: ReturnType<typeof lex> | undefined;
    withLexes(() => (inside = lex(text)));
    assert.notEqual(lex(text), inside);
    assert.notEqual(lex(text), lex(text));
  });
});
