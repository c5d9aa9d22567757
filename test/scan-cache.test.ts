// The scan cache as a store (src/engine/cache.ts): what is set is what a reopened cache gives back,
// whatever order it is asked in, with the records kept in the file's text and found by position.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ScanCache, type CachedVerdict } from '../src/engine/cache.ts';

const ENGINE = 'node test';
const stateDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'mechanic-scan-cache-'));

/** Files across folders, named to sort in ways a plain walk would not: `-`, `.` and `/` neighbours, a tab, a quote. */
const FILES = ['/t/a-b/x.js', '/t/a.js', '/t/a/b.js', '/t/a/b/c.js', '/t/a/b.mjs', '/t/a/tab\there.js', '/t/a/"quoted".js', '/t/ab.js', '/t/b/z.cjs'].map((f) => f.split('/').join(path.sep));
const stat = (i: number) => `${i + 1}:${100 + i}:${1_700_000_000_000_000_000n + BigInt(i)}:${1_700_000_000_000_000_001n + BigInt(i)}`;
const verdict = (i: number): CachedVerdict =>
  i % 3 === 2 ? { ok: false, format: 'commonjs', line: i, column: 1, message: `bad ${i}`, errorType: 'SyntaxError', detail: 'd' } : { ok: true, format: i % 3 ? 'module' : 'commonjs' };

function written(): string {
  const dir = stateDir();
  const cache = ScanCache.open(dir, ENGINE);
  // Set out of order: save writes them in path order.
  for (const i of [4, 0, 8, 2, 6, 1, 3, 7, 5]) cache.set(FILES[i]!, stat(i), `scope${i % 2}`, verdict(i));
  assert.equal(cache.save(), true);
  return dir;
}

describe('scan cache', () => {
  it('gives back every record in path order, in reverse and shuffled, and misses what differs', () => {
    const dir = written();
    for (const order of [[...FILES.keys()].sort((a, b) => (FILES[a]! < FILES[b]! ? -1 : 1)), [...FILES.keys()].reverse(), [3, 8, 0, 5, 1, 7, 2, 6, 4]]) {
      const cache = ScanCache.open(dir, ENGINE);
      assert.equal(cache.dropped, undefined);
      assert.equal(cache.size, FILES.length);
      for (const i of order) {
        assert.deepEqual(cache.get(FILES[i]!, stat(i), `scope${i % 2}`), verdict(i), FILES[i]);
        assert.equal(cache.get(FILES[i]!, stat(i + 1), `scope${i % 2}`), undefined, 'another stat');
        assert.equal(cache.get(FILES[i]!, stat(i), `scope${(i + 1) % 2}`), undefined, 'another scope');
        assert.deepEqual(cache.peek(FILES[i]!), verdict(i));
      }
      for (const f of ['/t/a/b', '/t/a-b.js', '/t/a/b/c.jsx', '/t/0.js', '/u/a.js', '/t/a/tab'].map((x) => x.split('/').join(path.sep))) {
        assert.equal(cache.get(f, stat(0), 'scope0'), undefined, f);
        assert.equal(cache.peek(f), undefined, f);
      }
      assert.equal(cache.save(), false, 'nothing changed');
    }
  });

  it("gives the same with each file's folder as the walk gives it (one string a folder), and misses a file of another folder", () => {
    const dir = written();
    const folders = new Map<string, string>();
    const folderOf = (f: string) => {
      const d = f.slice(0, f.lastIndexOf(path.sep) + 1);
      if (!folders.has(d)) folders.set(d, d);
      return folders.get(d)!;
    };
    for (const order of [[...FILES.keys()].sort((a, b) => (FILES[a]! < FILES[b]! ? -1 : 1)), [...FILES.keys()].reverse(), [3, 8, 0, 5, 1, 7, 2, 6, 4]]) {
      const cache = ScanCache.open(dir, ENGINE);
      for (const i of order) {
        // First the file's name in another folder of the same length ('/t/c/' for '/t/a/'), asked
        // where the last file found was in the file's folder: not it.
        const other = FILES[i]!.replace(`${path.sep}a${path.sep}`, `${path.sep}c${path.sep}`).replace(`${path.sep}b${path.sep}`, `${path.sep}c${path.sep}`);
        if (other !== FILES[i]) assert.equal(cache.get(other, stat(i), `scope${i % 2}`, folderOf(other)), undefined, other);
        assert.deepEqual(cache.get(FILES[i]!, stat(i), `scope${i % 2}`, folderOf(FILES[i]!)), verdict(i), FILES[i]);
      }
    }
  });

  it('keeps what retain keeps, and a record set again replaces the one read', () => {
    const dir = written();
    const cache = ScanCache.open(dir, ENGINE);
    // Asked in path order with files gone between (the look-ahead) and a new one (a miss).
    const kept = [1, 3, 8];
    for (const i of kept) assert.deepEqual(cache.get(FILES[i]!, stat(i), `scope${i % 2}`), verdict(i));
    const added = ['/t/a/new.js'.split('/').join(path.sep)];
    assert.equal(cache.get(added[0]!, stat(20), 'scope0'), undefined);
    cache.set(added[0]!, stat(20), 'scope0', { ok: true, format: 'commonjs', exports: ['x'] });
    cache.set(FILES[3]!, stat(30), 'scope1', verdict(2));
    cache.retain(new Set([...kept.map((i) => FILES[i]!), ...added]));
    assert.equal(cache.size, 4);
    assert.equal(cache.save(), true);
    const again = ScanCache.open(dir, ENGINE);
    assert.equal(again.size, 4);
    assert.deepEqual(again.get(FILES[1]!, stat(1), 'scope1'), verdict(1));
    assert.deepEqual(again.get(FILES[8]!, stat(8), 'scope0'), verdict(8));
    assert.equal(again.get(FILES[3]!, stat(3), 'scope1'), undefined, 'replaced');
    assert.deepEqual(again.get(FILES[3]!, stat(30), 'scope1'), verdict(2));
    assert.deepEqual(again.get(added[0]!, stat(20), 'scope0'), { ok: true, format: 'commonjs' }, 'get leaves the exports out');
    assert.deepEqual(again.peek(added[0]!), { ok: true, format: 'commonjs', exports: ['x'] });
    for (const i of [0, 2, 4, 5, 6, 7]) assert.equal(again.peek(FILES[i]!), undefined, FILES[i]);
  });

  it('retains by a list in path order as by a set: records looked up, records listed but not looked up, and new ones', () => {
    const sorted = [...FILES].sort();
    for (const asArray of [false, true]) {
      const dir = written();
      const cache = ScanCache.open(dir, ENGINE);
      // 1 and 8 looked up; 6 listed yet never asked for (compared, not found by identity); the rest gone.
      for (const i of [1, 8]) assert.deepEqual(cache.get(FILES[i]!, stat(i), `scope${i % 2}`), verdict(i));
      const added = '/t/a/new.js'.split('/').join(path.sep);
      cache.set(added, stat(20), 'scope0', verdict(0));
      cache.set('/t/zz.js'.split('/').join(path.sep), stat(21), 'scope0', verdict(0));
      const listed = [FILES[1]!, FILES[6]!, FILES[8]!, added].sort();
      cache.retain(asArray ? listed : new Set(listed));
      assert.equal(cache.save(), true);
      const again = ScanCache.open(dir, ENGINE);
      assert.equal(again.size, 4, `${asArray ? 'array' : 'set'}`);
      for (const i of [1, 6, 8]) assert.deepEqual(again.peek(FILES[i]!), verdict(i), FILES[i]);
      assert.deepEqual(again.peek(added), verdict(0));
      for (const f of sorted) if (![1, 6, 8].some((i) => FILES[i] === f)) assert.equal(again.peek(f), undefined, f);
    }
  });
});
