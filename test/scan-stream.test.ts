// Files go to the engines as the walk lists them: the checker takes lists as they come (the
// engines judge the first while the next is not listed yet), and the scan's verdicts, its
// records and its listing are in path order whatever order the walk reads folders in.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { box } from './helpers/cli.ts';
import { listSourceFiles, resolveConfig, scanSyntax, SyntaxChecker, type FileVerdict } from '../dist/index.js';

const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

describe('a scan streamed from its walk', () => {
  let checker: SyntaxChecker | undefined;
  after(() => checker?.close());

  it('judges a list before the next one comes, and gives verdicts in the order the files came', async () => {
    const sb = box();
    const first = [sb.write('one/a.js', 'exports.a = 1;\n'), sb.write('one/b.js', 'x = (1;\n')];
    const second = [sb.write('two/c.mjs', 'export const c = 1;\n')];
    checker = await SyntaxChecker.create(process.execPath, 2);
    const judged = new Set<string>();
    let waiting: (() => void) | undefined;
    const onResult = (v: FileVerdict) => {
      judged.add(v.file);
      if (first.every((f) => judged.has(f))) waiting?.();
    };
    async function* lists() {
      yield first;
      // The second list comes only once the first is judged: a checker that waits for every list first never gets it.
      await new Promise<void>((resolve, reject) => {
        waiting = resolve;
        if (first.every((f) => judged.has(f))) resolve();
        setTimeout(() => reject(new Error('the first list was not judged before the next was listed')), 20_000).unref();
      });
      yield second;
    }
    const { verdicts, summary } = await checker.check(lists(), onResult);
    assert.deepEqual(
      verdicts.map((v) => [v.file, 'ok' in v && v.ok]),
      [
        [first[0], true],
        [first[1], false],
        [second[0], true],
      ],
    );
    assert.equal(summary.read, 3);
  });

  it('lists, judges and records in path order: a folder sorts as its name and `/`', async () => {
    const sb = box();
    // `a.js` < `a/` < `a0.js` by code unit; `b-c/` < `b.js` < `b/`: readdir's order is not these.
    const names = ['a0.js', 'a/x.js', 'a.js', 'b/y.js', 'b.js', 'b-c/z.js', 'a/deep/w.js', 'A.js', 'a/deep.js'];
    for (const n of names) sb.write(`src/${n}`, n.startsWith('b') ? 'x = (1;\n' : 'exports.v = 1;\n');
    const config = resolveConfig({ pm2Logs: false, stateDir: '../state' }, { file: undefined, baseDir: sb.app });
    checker ??= await SyntaxChecker.create(process.execPath, 2);
    const expected = names.map((n) => path.join(sb.app, 'src', n)).sort(byCodeUnit);
    assert.deepEqual((await listSourceFiles(config)).files, expected);
    const scan = await scanSyntax(config, checker, { racyWindowMs: 0 });
    assert.deepEqual(
      scan.verdicts.map((v) => v.file),
      expected,
    );
    assert.deepEqual(
      scan.verdicts.filter((v) => 'ok' in v && !v.ok).map((v) => path.basename(path.dirname(v.file)) + '/' + path.basename(v.file)),
      ['b-c/z.js', 'src/b.js', 'b/y.js'],
    );
    // The records, as save writes them: in path order, so a rescan finds each by moving on.
    const records = fs
      .readFileSync(path.join(config.stateDir, 'scan-cache.tsv'), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('d') || l.startsWith('f'));
    const written: string[] = [];
    let dir = '';
    for (const l of records) {
      if (l.startsWith('d')) dir = l.slice(1);
      else written.push(path.join(dir, l.slice(1).split('\t')[0]!));
    }
    assert.deepEqual(written, expected);
    // A limit asks for path order: the first error in it is b-c/z.js.
    const limited = await scanSyntax(config, checker, { racyWindowMs: 0, limit: 1, cache: false });
    assert.equal(limited.verdicts.at(-1)!.file, path.join(sb.app, 'src', 'b-c', 'z.js'));
    const rescan = await scanSyntax(config, checker, { racyWindowMs: 0 });
    assert.equal(rescan.read, 0);
    assert.deepEqual(
      rescan.verdicts.map((v) => v.file),
      expected,
    );
  });
});
