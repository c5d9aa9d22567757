// Export surfaces within a scan's budget: a cold scan of a tree larger than the budget records
// none and answers first; changed files always get theirs; rescans fill in the records that lack
// one; a file that breaks before its surface was recorded has no reference from the scan (the
// repair falls back on git HEAD or the broken text). Verdicts never change.
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

  it('cold: the verdicts are node --check\'s, no surface is read, and a rescan fills some in', async () => {
    const cold = await scan();
    assert.equal(cold.read, FILES + 1);
    for (const v of cold.verdicts) {
      assert.ok('ok' in v);
      assert.equal(v.ok, spawnSync(process.execPath, ['--check', v.file]).status === 0, v.file);
    }
    assert.equal(withSurface(cold.verdicts).size, 0, 'more first-seen files than the budget holds: none read');
    assert.equal(cold.surfacesDeferred, FILES);

    // A rescan of an unchanged tree starts no engine to fill records in (a daemon's engines live on).
    const idle = await SyntaxChecker.create(process.execPath, 2);
    try {
      const rescan = await scanSyntax(config, idle, { racyWindowMs: 0, surfaceBudget: BUDGET });
      assert.equal(rescan.read, 0);
      assert.equal(rescan.surfacesFilled, undefined, 'no engine started to fill records in');
    } finally {
      await idle.close();
    }
    // Where engines run, it fills records in, within the budget.
    const fill = await scan();
    assert.equal(fill.read, 0);
    const filled = fill.surfacesFilled ?? 0;
    assert.ok(filled >= 1 && filled <= 5, `filled within 5 KB: ${filled}`);

    // Every file breaks: those filled in are held to the surface they had, the others have no reference.
    for (let i = 0; i < FILES; i++) fs.writeFileSync(file(i), body(i).replace(' = ', ' = (('));
    const broken = await scan();
    assert.equal(broken.read, FILES);
    const held: number[] = [];
    for (let i = 0; i < FILES; i++) {
      const v = broken.verdicts.find((x) => x.file === file(i)) as { ok: boolean; lastGoodExports?: string[] };
      assert.equal(v.ok, false);
      if (v.lastGoodExports) {
        assert.deepEqual(v.lastGoodExports, [`v${i}`]);
        held.push(i);
      }
    }
    assert.equal(held.length, filled, 'a reference exactly where a surface was recorded');

    // Changed files get their surface whatever the budget (here none at all).
    const renamed = FILES - 1;
    for (let i = 0; i < FILES; i++) fs.writeFileSync(file(i), i === renamed ? body(i, 'renamed') : body(i));
    const fixed = await scan(0);
    assert.equal(fixed.read, FILES);
    assert.equal(withSurface(fixed.verdicts).size, FILES);
    assert.equal(fixed.surfacesDeferred, undefined);

    // Now any file that breaks has the surface it had when it last parsed.
    for (const i of [0, 13, renamed]) fs.writeFileSync(file(i), body(i).replace(' = ', ' = (('));
    const later = await scan();
    for (const i of [0, 13, renamed]) {
      const v = later.verdicts.find((x) => x.file === file(i)) as { ok: boolean; lastGoodExports?: string[] };
      assert.equal(v.ok, false);
      assert.deepEqual(v.lastGoodExports, i === renamed ? ['renamed'] : [`v${i}`], `m${i}`);
    }
  });

  it('rescans fill in the records that lack a surface, a budget at a time', async () => {
    const fresh = box();
    try {
      for (let i = 0; i < FILES; i++) fresh.write(`lib/m${String(i).padStart(2, '0')}.js`, body(i));
      const cfg = resolveConfig({ pm2Logs: false, stateDir: '../state' }, { file: undefined, baseDir: fresh.app });
      const again = () => scanSyntax(cfg, checker, { racyWindowMs: 0, surfaceBudget: BUDGET });
      assert.equal((await again()).surfacesDeferred, FILES);
      let filled = 0;
      let rescans = 0;
      for (; rescans < 20 && filled < FILES; rescans++) {
        const warm = await again();
        assert.equal(warm.read, 0, 'nothing changed: nothing compiled');
        assert.ok((warm.surfacesFilled ?? 0) <= 5, `within the budget: ${warm.surfacesFilled}`);
        filled += warm.surfacesFilled ?? 0;
      }
      assert.equal(filled, FILES, `every record filled in ${rescans} rescans`);
      assert.ok(rescans >= 4, `a budget at a time: ${rescans}`);
      assert.equal((await again()).surfacesFilled, undefined, 'nothing left to fill');
    } finally {
      fresh.cleanup();
    }
  });

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

describe('first-seen files', () => {
  // (A tree within the budget gets every surface in full: see scan.test's cold and warm scans.)
  it('a first scan over its budget reads none; a rescan fills them in, by a parse where the lexers cannot tell; new files that fit get theirs at once', async () => {
    const sb = box();
    // More than the budget: no first-seen file gets its surface.
    sb.write('lib/big.js', `// ${'x'.repeat(10_000)}\n`);
    const lexed = sb.write('lib/lexed.js', 'exports.a = 1;\n');
    // A conditional after `module.exports =`: the text alone does not show it, acorn does.
    const parsed = sb.write('lib/parsed.js', 'var a, b, c;\nmodule.exports = a ? b : c;\n');
    const config = resolveConfig({ pm2Logs: false, stateDir: '../state' }, { file: undefined, baseDir: sb.app });
    const checker = await SyntaxChecker.create(process.execPath, 1);
    const find = <T,>(vs: FileVerdict[], f: string) => vs.find((v) => v.file === f) as T;
    const exportsOf = (vs: FileVerdict[], f: string) => find<{ exports?: string[] }>(vs, f).exports;
    try {
      const scan = (surfaceBudget: number) => scanSyntax(config, checker, { racyWindowMs: 0, surfaceBudget });
      const cold = await scan(1_000);
      assert.equal(cold.read, 3);
      assert.equal(exportsOf(cold.verdicts, lexed), undefined);
      assert.equal(exportsOf(cold.verdicts, parsed), undefined);
      assert.equal(cold.surfacesDeferred, 3);
      // The engine lives on: the rescan fills both records in (big.js does not fit), parsed.js's with the parse.
      const rescan = await scan(1_000);
      assert.equal(rescan.read, 0);
      assert.equal(rescan.surfacesFilled, 2);
      // Filled in: a file that then breaks is held to the surface it had.
      fs.writeFileSync(parsed, 'var a, b, c;\nmodule.exports = a ? b : ;\n');
      fs.writeFileSync(lexed, 'exports.a = (1;\n');
      const broken = await scan(0);
      assert.equal(broken.read, 2);
      assert.deepEqual(find<{ lastGoodExports?: string[] }>(broken.verdicts, parsed).lastGoodExports, ['=ConditionalExpression']);
      assert.deepEqual(find<{ lastGoodExports?: string[] }>(broken.verdicts, lexed).lastGoodExports, ['a']);
      // A file with a record changes: its surface is read whatever it takes; a new file that fits gets its own.
      fs.writeFileSync(parsed, 'var a, b, c;\nmodule.exports = a || b;\n');
      const added = sb.write('lib/added.js', 'exports.n = 1;\n');
      const changed = await scan(1_000);
      assert.equal(changed.read, 2);
      assert.deepEqual(exportsOf(changed.verdicts, parsed), ['=LogicalExpression']);
      assert.deepEqual(exportsOf(changed.verdicts, added), ['n']);
      assert.equal(changed.surfacesDeferred, undefined);
    } finally {
      await checker.close();
      sb.cleanup();
    }
  });
});
