// The export surfaces a scan deferred, filled in while the daemon waits between cycles: within a
// budget of bytes and time a pass, each record kept only if the file is as its record says, until
// every parsing file's record has its surface (so a file that then breaks has lastGoodExports);
// a signal stops a fill between batches, and the daemon still stops at once.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { box, sandbox, waitFor, type Sandbox } from './helpers/cli.ts';
import { fillSurfaces, resolveConfig, scanSyntax, SyntaxChecker, type FileVerdict } from '../dist/index.js';

const sandboxes: Sandbox[] = [];
after(() => sandboxes.forEach((s) => s.cleanup()));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const name = (i: number) => `m${String(i).padStart(3, '0')}.js`;
/** A module of about `kb` KB exporting `v<i>`. */
function exporter(i: number, kb: number, exported = `v${i}`): string {
  let t = '';
  for (let k = 0; t.length < kb * 1024; k++) t += `function f${k}(a, b) {\n  const x = [a, b, ${k}].map((v) => v * 2);\n  return x.length > 2 ? { a, b, x } : null;\n}\n`;
  return `${t}exports.${exported} = f0;\n`;
}
/** A script that exports nothing (its record looks the same before and after a read). */
const script = (i: number) => `console.log(${i});\n// ${'y'.repeat(100)}\n`;

/** Each file's record in `<stateDir>/scan-cache.tsv`: whether it parses, and its export surface if recorded. */
function records(stateDir: string): Map<string, { ok: boolean; exports?: string[] }> {
  const lines = fs.readFileSync(path.join(stateDir, 'scan-cache.tsv'), 'utf8').split('\n');
  const out = new Map<string, { ok: boolean; exports?: string[] }>();
  for (const l of lines.filter((x) => x.startsWith('f'))) {
    const [file, , , verdict, exports] = l.slice(1).split('\t');
    out.set(file!, { ok: verdict === '0' || verdict === '1', ...(exports ? { exports: JSON.parse(exports) } : {}) });
  }
  assert.equal(lines.at(-2), `e${out.size}`, 'the cache file is whole');
  return out;
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    child.on('exit', (code) => resolve(code));
  });
}

describe('fillSurfaces (the idle pass)', () => {
  it('fills the deferred records a budget at a time, reads each file once, skips changed ones, changes no verdict', async () => {
    const sb = box();
    const EXPORTERS = 30;
    for (let i = 0; i < EXPORTERS; i++) sb.write(`lib/${name(i)}`, exporter(i, 1));
    for (let i = 0; i < 4; i++) sb.write(`bin/s${i}.js`, script(i));
    sb.write('lib/zz-bad.js', 'x = (1;\n');
    const config = resolveConfig({ pm2Logs: false, stateDir: '../state' }, { file: undefined, baseDir: sb.app });
    const checker = await SyntaxChecker.create(process.execPath, 2);
    try {
      const cold = await scanSyntax(config, checker, { racyWindowMs: 0, surfaceBudget: 5_000 });
      const surfaced = (vs: FileVerdict[]) => new Set(vs.filter((v) => 'ok' in v && v.ok && v.exports?.length).map((v) => path.basename(v.file)));
      const had = surfaced(cold.verdicts);
      assert.equal(had.size, 0, 'a first scan over its budget reads no surface');
      const deferred = Array.from({ length: EXPORTERS }, (_, i) => i).filter((i) => !had.has(name(i)));

      // A file changed since its record was made: its record is not this file, it is not read.
      const changed = deferred[0]!;
      fs.writeFileSync(path.join(sb.app, 'lib', name(changed)), exporter(changed, 1, 'renamed'));

      const empty = new Map<string, string>();
      const BYTES = 4_000;
      let passes = 0;
      let read = 0;
      let filled = 0;
      for (;;) {
        const r = await fillSurfaces(config, checker, { maxBytes: BYTES, racyWindowMs: 0, empty });
        passes++;
        assert.ok(r.bytes <= BYTES, `within the budget: ${r.bytes}`);
        read += r.read;
        filled += r.filled;
        if (!r.stopped) {
          assert.equal(r.left, 0);
          break;
        }
        assert.equal(r.stopped, 'bytes');
        assert.ok(passes < 40, 'passes move on');
      }
      assert.ok(passes >= 4, `a budget at a time: ${passes} passes`);
      assert.equal(filled, deferred.length - 1, 'every deferred exporter but the changed one');
      assert.equal(read, deferred.length - 1 + 4, 'each file read once: the scripts that export nothing are remembered');
      assert.equal((await fillSurfaces(config, checker, { racyWindowMs: 0, empty })).read, 0, 'nothing left to read');

      const recs = records(config.stateDir);
      for (let i = 0; i < EXPORTERS; i++) {
        if (i === changed) assert.equal(recs.get(name(i))?.exports, undefined, 'the changed file keeps its record as it was');
        else assert.deepEqual(recs.get(name(i))?.exports, [`v${i}`], name(i));
      }
      assert.equal(recs.get('zz-bad.js')?.ok, false);

      // Verdicts are the scan's: a rescan reads only the changed file, and says the same of the rest.
      const warm = await scanSyntax(config, checker, { racyWindowMs: 0 });
      assert.equal(warm.read, 1);
      const okOf = (vs: FileVerdict[]) => vs.map((v) => `${path.basename(v.file)} ${'ok' in v && v.ok}`);
      assert.deepEqual(okOf(warm.verdicts), okOf(cold.verdicts));

      // A deferred file that breaks now has the surface it had when it last parsed.
      const broken = deferred.slice(1, 4);
      for (const i of broken) fs.writeFileSync(path.join(sb.app, 'lib', name(i)), exporter(i, 1).replace('exports.', 'exports.(('));
      const later = await scanSyntax(config, checker, { racyWindowMs: 0 });
      for (const i of broken) {
        const v = later.verdicts.find((x) => path.basename(x.file) === name(i)) as { ok: boolean; lastGoodExports?: string[] };
        assert.equal(v.ok, false);
        assert.deepEqual(v.lastGoodExports, [`v${i}`], name(i));
      }
    } finally {
      await checker.close();
    }
  });
});

describe('mechanic daemon: idle fill', () => {
  it('after a few idle passes every parsing file has its surface, and a file that breaks is held to it', async () => {
    const sb = sandbox();
    sandboxes.push(sb);
    // ~4 MB, more than the scan's budget: the cold scan records no surface, the waits fill them in 1 MB at a time.
    const FILES = 160;
    for (let i = 0; i < FILES; i++) sb.write(`lib/${name(i)}`, exporter(i, 28));
    for (let i = 0; i < 5; i++) sb.write(`bin/s${i}.js`, script(i));
    // Older than the racy window when the first scan lists them: that scan's records are the fill's to complete.
    await sleep(2_100);
    // A fill runs only in what a cycle leaves of the interval: room for one on a loaded machine.
    sb.config({ cycleIntervalMs: 4_000, idleFillBytes: 1 << 20, llm: { provider: 'none' }, pm2Logs: false, stateDir: '../state' });
    const daemon = sb.spawn(['daemon', '--json']);
    let out = '';
    let err = '';
    daemon.stdout!.on('data', (d) => (out += d));
    daemon.stderr!.on('data', (d) => (err += d));
    const idle = () => err.split('\n').filter((l) => / idle: \d+ export surface/.test(l));
    // A pass that ends with nothing left.
    await waitFor('every surface filled in', () => idle().some((l) => !/ left/.test(l)), 120_000, 100);
    daemon.kill('SIGTERM');
    assert.equal(await exited(daemon), 0, err);
    const cycles = out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
    assert.equal(cycles[0].scan.surfacesDeferred, FILES + 5, 'the cold scan deferred every surface');
    const passes = idle();
    assert.ok(passes.length >= 2, `more than one idle pass:\n${passes.join('\n')}`);
    for (const l of passes) assert.ok(Number(/\(([\d.]+) MB/.exec(l)![1]) <= 1.05, `within idleFillBytes: ${l}`);

    const stateDir = path.join(sb.dir, 'state');
    const recs = records(stateDir);
    for (let i = 0; i < FILES; i++) assert.deepEqual(recs.get(name(i))?.exports, [`v${i}`], name(i));

    const config = resolveConfig({ pm2Logs: false, stateDir: '../state' }, { file: undefined, baseDir: sb.app });
    const checker = await SyntaxChecker.create(process.execPath, 2);
    try {
      const picks = [0, 137, FILES - 1];
      for (const i of picks) fs.writeFileSync(path.join(sb.app, 'lib', name(i)), exporter(i, 28).replace('exports.', 'exports.(('));
      const scan = await scanSyntax(config, checker, { racyWindowMs: 0 });
      assert.equal(scan.read, picks.length, 'the rest is unchanged');
      for (const i of picks) {
        const v = scan.verdicts.find((x) => path.basename(x.file) === name(i)) as { ok: boolean; lastGoodExports?: string[] };
        assert.equal(v.ok, false);
        assert.deepEqual(v.lastGoodExports, [`v${i}`], name(i));
      }
    } finally {
      await checker.close();
    }
  });

  it('stops promptly on SIGTERM during a fill, keeping what it filled', async () => {
    const sb = sandbox();
    sandboxes.push(sb);
    // ~20 MB, all of it deferred: an unbounded fill takes most of a second even on an idle box.
    const FILES = 700;
    for (let i = 0; i < FILES; i++) sb.write(`lib/${name(i)}`, exporter(i, 28));
    // Older than the racy window by the time the scan lists them: their records are reused by the fill.
    await sleep(2_100);
    sb.config({ cycleIntervalMs: 600_000, idleFillBytes: 1 << 30, idleFillMs: 600_000, llm: { provider: 'none' }, pm2Logs: false, stateDir: '../state' });
    const daemon = sb.spawn(['daemon', '--json']);
    let out = '';
    let err = '';
    daemon.stdout!.on('data', (d) => (out += d));
    daemon.stderr!.on('data', (d) => (err += d));
    await waitFor('the first cycle', () => out.includes('\n'), 120_000, 5);
    daemon.kill('SIGTERM');
    const t0 = Date.now();
    const code = await exited(daemon);
    const took = Date.now() - t0;
    assert.equal(code, 0, err);
    const line = err.split('\n').find((l) => / idle: \d+ export surface/.test(l));
    assert.ok(line, `a fill was under way when the signal came:\n${err}`);
    const m = / idle: (\d+) export surface\(s\) recorded of (\d+) file\(s\) read .*, (\d+) left, stopped$/.exec(line)!;
    assert.ok(m, `the fill stopped with records left: ${line}`);
    assert.ok(took < 5_000, `stopped in ${took} ms`);
    assert.equal(fs.existsSync(path.join(sb.dir, 'state', 'mechanic.lock')), false, 'the lock is released');
    // What it filled before the stop is saved, in a whole cache file.
    const cold = JSON.parse(out.split('\n')[0]!).scan;
    const withSurface = [...records(path.join(sb.dir, 'state')).values()].filter((r) => r.exports?.length).length;
    assert.equal(withSurface, FILES - cold.surfacesDeferred + Number(m[1]));
  });
});
