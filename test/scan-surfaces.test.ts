// Export surfaces within a scan's budget: a cold scan of a large tree records the surfaces of a
// share of its files and answers first; changed files always get theirs; rescans fill in the
// records that lack one; a file that breaks before its surface was recorded has no reference
// from the scan (the repair falls back on git HEAD or the broken text). Verdicts never change.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { box, type Sandbox } from './helpers/cli.ts';
import { resolveConfig, scanSyntax, SyntaxChecker, type FileVerdict } from '../dist/index.js';

const FILES = 30;
/** ~1 KB each: a budget of 5 KB reads five or so surfaces a scan. */
const body = (i: number, name = `v${i}`) => `exports.${name} = ${i};\n// ${'x'.repeat(1000)}\n`;
const BUDGET = 5_000;

describe('export surfaces within a budget', () => {
  let sb: Sandbox;
  let checker: SyntaxChecker;
  let config: ReturnType<typeof resolveConfig>;
  const scan = (surfaceBudget = BUDGET) => scanSyntax(config, checker, { racyWindowMs: 0, surfaceBudget });
  const file = (i: number) => path.join(sb.app, 'lib', `m${String(i).padStart(2, '0')}.js`);
  const withSurface = (vs: FileVerdict[]) => new Set(vs.filter((v) => 'ok' in v && v.ok && v.exports?.length).map((v) => v.file));

  before(async () => {
    sb = box();
    for (let i = 0; i < FILES; i++) sb.write(`lib/m${String(i).padStart(2, '0')}.js`, body(i));
    sb.write('lib/zz-bad.js', 'x = (1;\n');
    config = resolveConfig({ pm2Logs: false, stateDir: '../state' }, { file: undefined, baseDir: sb.app });
    checker = await SyntaxChecker.create(process.execPath, 2);
  });
  after(() => checker.close());

  it('cold: the verdicts are node --check\'s, a share of the surfaces is read, and rescans fill in the rest', async () => {
    const cold = await scan();
    assert.equal(cold.read, FILES + 1);
    for (const v of cold.verdicts) {
      assert.ok('ok' in v);
      assert.equal(v.ok, spawnSync(process.execPath, ['--check', v.file]).status === 0, v.file);
    }
    const read = withSurface(cold.verdicts);
    assert.ok(read.size >= 1 && read.size <= 5, `surfaces read within 5 KB: ${read.size}`);
    assert.equal(cold.surfacesDeferred, FILES - read.size);

    // A rescan of an unchanged tree starts no engine to fill records in (a daemon's engines live on).
    const idle = await SyntaxChecker.create(process.execPath, 2);
    try {
      const rescan = await scanSyntax(config, idle, { racyWindowMs: 0, surfaceBudget: BUDGET });
      assert.equal(rescan.read, 0);
      assert.equal(rescan.surfacesFilled, undefined, 'no engine started to fill records in');
    } finally {
      await idle.close();
    }

    // A file that breaks before its surface was recorded: no reference from the scan.
    const deferred = Array.from({ length: FILES }, (_, i) => i).find((i) => !read.has(file(i)))!;
    const surfaced = Array.from({ length: FILES }, (_, i) => i).find((i) => read.has(file(i)))!;
    const keep = fs.readFileSync(file(deferred), 'utf8');
    fs.writeFileSync(file(deferred), keep.replace(' = ', ' = (('));
    fs.writeFileSync(file(surfaced), body(surfaced).replace(' = ', ' = (('));
    const broken = await scan();
    const of = (i: number) => broken.verdicts.find((v) => v.file === file(i)) as { ok?: boolean; lastGoodExports?: string[] };
    assert.ok(of(deferred).ok === false && of(surfaced).ok === false);
    assert.equal(of(deferred).lastGoodExports, undefined, 'no surface recorded: no reference');
    assert.deepEqual(of(surfaced).lastGoodExports, [`v${surfaced}`]);

    // Changed files get their surface whatever the budget (here none at all).
    fs.writeFileSync(file(deferred), body(deferred, 'renamed'));
    fs.writeFileSync(file(surfaced), body(surfaced));
    const fixed = await scan(0);
    assert.deepEqual(withSurface(fixed.verdicts), new Set([file(deferred), file(surfaced)]));

    // Rescans of unchanged files fill in the records that lack a surface, a budget at a time (the
    // scan of the two broken files spent what its budget had left on two or so).
    assert.ok((broken.surfacesFilled ?? 0) >= 1 && (fixed.surfacesFilled ?? 0) === 0, `${broken.surfacesFilled} ${fixed.surfacesFilled}`);
    let filled = broken.surfacesFilled ?? 0;
    let rescans = 0;
    for (; rescans < 20 && filled < FILES - read.size - 1; rescans++) {
      const warm = await scan();
      assert.equal(warm.read, 0, 'nothing changed: nothing compiled');
      assert.ok((warm.surfacesFilled ?? 0) <= 5, `within the budget: ${warm.surfacesFilled}`);
      filled += warm.surfacesFilled ?? 0;
    }
    assert.equal(filled, FILES - read.size - 1, `every record filled in ${rescans} rescans`);
    assert.ok(rescans >= 4, `a budget at a time: ${rescans}`);
    const done = await scan();
    assert.equal(done.surfacesFilled, undefined, 'nothing left to fill');

    // Now any file that breaks has the surface it had when it last parsed.
    for (const i of [0, 13, FILES - 1]) fs.writeFileSync(file(i), body(i).replace(' = ', ' = (('));
    const later = await scan();
    for (const i of [0, 13, FILES - 1]) {
      const v = later.verdicts.find((x) => x.file === file(i)) as { ok: boolean; lastGoodExports?: string[] };
      assert.equal(v.ok, false);
      assert.deepEqual(v.lastGoodExports, i === deferred ? ['renamed'] : [`v${i}`], `m${i}`);
    }
  });
});

describe('sources read as node reads them', () => {
  it('a NUL byte makes a file binary only within its first 8 KB, counted in bytes, not characters', async () => {
    const sb = box();
    const files = {
      early: sb.write('early.js', Buffer.from('// a\0\nexports.a = 1;\n')),
      late: sb.write('late.js', Buffer.from(`// ${'x'.repeat(9000)}\0\nexports.a = 1;\n`)),
      // 3,000 three-byte characters: the NUL is character 3,003 but byte 9,003.
      wide: sb.write('wide.js', Buffer.from(`// ${'€'.repeat(3000)}\0\nexports.a = 1;\n`)),
    };
    const checker = await SyntaxChecker.create(process.execPath, 1);
    try {
      const [early, late, wide] = await checker.checkFiles(Object.values(files));
      assert.match((early as { skipped?: string }).skipped ?? '', /binary file/);
      for (const v of [late!, wide!]) {
        assert.ok('ok' in v, `${v.file} judged: ${JSON.stringify(v)}`);
        assert.equal(v.ok, spawnSync(process.execPath, ['--check', v.file]).status === 0, v.file);
      }
    } finally {
      await checker.close();
    }
  });
});

describe('a cold scan reads surfaces by the lexers alone', () => {
  // (A tree within the budget gets every surface in full: see scan.test's cold and warm scans.)
  it('a first-seen file whose surface only a parse tells is left for a fill; a changed one gets it at once', async () => {
    const sb = box();
    // More than the budget: the files that fit are a share, their surfaces lexed.
    sb.write('lib/big.js', `// ${'x'.repeat(10_000)}\n`);
    const lexed = sb.write('lib/lexed.js', 'exports.a = 1;\n');
    // A conditional after `module.exports =`: the text alone does not show it, acorn does.
    const parsed = sb.write('lib/parsed.js', 'var a, b, c;\nmodule.exports = a ? b : c;\n');
    const config = resolveConfig({ pm2Logs: false, stateDir: '../state' }, { file: undefined, baseDir: sb.app });
    const checker = await SyntaxChecker.create(process.execPath, 1);
    const exportsOf = (vs: FileVerdict[], f: string) => (vs.find((v) => v.file === f) as { exports?: string[] }).exports;
    try {
      const scan = (surfaceBudget: number) => scanSyntax(config, checker, { racyWindowMs: 0, surfaceBudget });
      const cold = await scan(1_000);
      assert.equal(cold.read, 3);
      assert.deepEqual(exportsOf(cold.verdicts, lexed), ['a']);
      assert.equal(exportsOf(cold.verdicts, parsed), undefined, 'not parsed in the cold scan');
      assert.equal(cold.surfacesDeferred, 2, 'big.js did not fit, parsed.js was not parsed');
      // The engine lives on: the rescan fills the record in, with the parse.
      const rescan = await scan(1_000);
      assert.equal(rescan.read, 0);
      assert.equal(rescan.surfacesFilled, 1);
      // Filled in: the file that then breaks is held to the surface it had.
      fs.writeFileSync(parsed, 'var a, b, c;\nmodule.exports = a ? b : ;\n');
      const broken = (await scan(0)).verdicts.find((v) => v.file === parsed) as { ok: boolean; lastGoodExports?: string[] };
      assert.equal(broken.ok, false);
      assert.deepEqual(broken.lastGoodExports, ['=ConditionalExpression']);
      // A file with a record changes: its surface is read whatever it takes (and the budget).
      fs.writeFileSync(parsed, 'var a, b, c;\nmodule.exports = a || b;\n');
      const changed = await scan(0);
      assert.equal(changed.read, 1);
      assert.deepEqual(exportsOf(changed.verdicts, parsed), ['=LogicalExpression']);
    } finally {
      await checker.close();
      sb.cleanup();
    }
  });
});
