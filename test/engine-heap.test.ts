// A syntax engine that dies on a file (its V8 heap bound) costs no verdict: the batch is judged
// again file by file, the file it dies on alone in an unbounded engine, and every verdict is
// node --check's own.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { SyntaxChecker } from '../dist/index.js';

describe('syntax engines with a heap bound', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mechanic-heap-'));
    // ~3.5 MB of CommonJS: compiling it needs far more than the 16 MB heap below.
    let big = 'module.exports = {\n';
    for (let i = 0; i < 45_000; i++) big += `  k${i}: function (a, b) { return [a, b, ${i}, "s${i}"].map((x) => x + 1); },\n`;
    fs.writeFileSync(path.join(dir, 'big.js'), `${big}};\n`);
    fs.writeFileSync(path.join(dir, 'small.js'), 'exports.a = 1;\n');
    fs.writeFileSync(path.join(dir, 'broken.js'), 'function (\n');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('an engine out of memory on one file: the file is judged alone, the others in their batch keep their verdicts', async () => {
    const checker = await SyntaxChecker.create(process.execPath, 2, { heap: { oldMb: 16, youngMb: 1 } });
    try {
      const files = ['small.js', 'big.js', 'broken.js'].map((f) => path.join(dir, f));
      const { verdicts, summary } = await checker.check(files);
      assert.ok((summary.retried ?? 0) >= 1, `no file was judged again: ${JSON.stringify(summary)}`);
      assert.equal(verdicts.length, 3);
      for (const v of verdicts) {
        assert.ok('ok' in v, `${v.file} not judged: ${'skipped' in v ? v.skipped : ''}`);
        const passes = spawnSync(process.execPath, ['--check', v.file]).status === 0;
        assert.equal(v.ok, passes, `${path.basename(v.file)}: node --check ${passes ? 'passes' : 'fails'}`);
      }
      const big = verdicts.find((v) => v.file.endsWith('big.js'))!;
      assert.ok('ok' in big && big.ok && big.exports?.length === 45_000, 'the big file keeps its export surface');
    } finally {
      await checker.close();
    }
  });

  it('an engine is retired once the module records it keeps add up, never for CommonJS files however many', async () => {
    // ~450 KB each: 40 of them are past the 16 MB of module records an engine may keep.
    let body = '';
    for (let i = 0; body.length < 450_000; i++) body += `function f${i}(a) { return a + ${i}; }\n`;
    const many = (ext: string) => Array.from({ length: 40 }, (_, k) => {
      const f = path.join(dir, `m${k}.${ext}`);
      fs.writeFileSync(f, ext === 'mjs' ? `${body}export { f0 };\n` : `${body}exports.f0 = f0;\n`);
      return f;
    });
    const probe = path.join(dir, 'thread.mjs');
    fs.writeFileSync(probe, "import { threadId } from 'node:worker_threads';\nexport function id() { return threadId; }\n");
    const checker = await SyntaxChecker.create(process.execPath, 1);
    try {
      const engine = () => checker.call<number>(pathToFileURL(probe).href, 'id');
      const first = await engine();
      const cjs = await checker.checkFiles(many('cjs'));
      assert.ok(cjs.every((v) => 'ok' in v && v.ok));
      assert.equal(await engine(), first, 'CommonJS compiles keep nothing: the same engine');
      const modules = await checker.checkFiles(many('mjs'));
      assert.ok(modules.every((v) => 'ok' in v && v.ok));
      assert.notEqual(await engine(), first, '18 MB of module records kept: a fresh engine');
    } finally {
      await checker.close();
    }
  });
});
