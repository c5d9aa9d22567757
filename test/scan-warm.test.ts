// The warm scan: folder listings kept between scans never hide a file added, removed or renamed,
// and package scopes read off the walk are the lookup's, key for key.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { box } from './helpers/cli.ts';
import { FolderListings, LISTINGS_FILE } from '../src/discover/listings.ts';
import { SCAN_CACHE_FILE } from '../src/engine/cache.ts';
import { walkScopes } from '../src/discover/scopes.ts';
import { listSourceFiles, treeOf } from '../src/discover/files.ts';
import { TreeWalk } from '../src/discover/walk.ts';
import { PackageScopes } from '../src/analysis/format.ts';
import { rulesOfThisNode } from '../src/analysis/rules.ts';

const BROKEN = 'const a = [1, 2;\n';
const FINE = 'module.exports = 1;\n';

/** The files of a scan's syntax bugs, relative to the app. */
const bugFiles = (json: any, app: string): string[] => json.bugs.filter((b: any) => b.kind === 'syntax').map((b: any) => path.relative(app, b.file)).sort();

describe('warm scan: kept folder listings', () => {
  it('sees a file added, removed, renamed in, and one added under a folder whose mtime was set back', async () => {
    const sb = box();
    sb.write('add/ok.js', FINE);
    sb.write('remove/gone.js', BROKEN);
    sb.write('remove/stays.js', FINE);
    sb.write('from/moved.js', BROKEN);
    sb.write('to/ok.js', FINE);
    sb.write('times/ok.js', FINE);
    sb.write('deep/a/b/c/ok.js', FINE);
    sb.config({ pm2Logs: false, stateDir: '../state' });
    // A whole second: set back exactly later (utimes would round a fraction of a millisecond).
    const times = path.join(sb.app, 'times');
    const second = Math.floor(Date.now() / 1000) - 60;
    fs.utimesSync(times, second, second);
    // Past the racy window, so that every folder's listing is kept by the first scan.
    await sleep(2100);
    // Listings never create the state folder (a dry run creates none): a mechanic's state has one.
    fs.mkdirSync(path.join(sb.dir, 'state'));
    const cold = await sb.runJson(['scan']);
    assert.deepEqual(bugFiles(cold.json, sb.app), ['from/moved.js', 'remove/gone.js']);
    const kept = fs.readFileSync(path.join(sb.dir, 'state', LISTINGS_FILE), 'utf8');
    for (const dir of ['add', 'remove', 'from', 'to', 'times', 'deep/a/b/c']) assert.ok(kept.includes(`\n${path.join(sb.app, dir)}\t`), `${dir} listing kept`);
    const warm = await sb.runJson(['scan']);
    assert.deepEqual(bugFiles(warm.json, sb.app), bugFiles(cold.json, sb.app));
    assert.equal(warm.json.scan.cached, warm.json.filesScanned);

    sb.write('add/new.js', BROKEN);
    fs.rmSync(path.join(sb.app, 'remove/gone.js'));
    fs.renameSync(path.join(sb.app, 'from/moved.js'), path.join(sb.app, 'to/moved.js'));
    sb.write('times/new.js', BROKEN);
    sb.write('deep/a/b/c/new.js', BROKEN);
    // The folder's mtime as it was listed: its ctime still says it changed.
    fs.utimesSync(times, second, second);
    assert.equal(fs.statSync(times).mtimeMs, second * 1000);
    const after = await sb.runJson(['scan']);
    assert.deepEqual(bugFiles(after.json, sb.app), ['add/new.js', 'deep/a/b/c/new.js', 'times/new.js', 'to/moved.js']);
    assert.equal(after.json.filesScanned, 9);
  });

  it('keeps the listings of the first scan, which makes the state folder: the next scan reads no folder', async () => {
    const sb = box();
    sb.write('lib/ok.js', FINE);
    sb.write('lib/deep/broken.js', BROKEN);
    sb.config({ pm2Logs: false, stateDir: '../state' });
    await sleep(2100);
    assert.ok(!fs.existsSync(path.join(sb.dir, 'state')), 'no state folder before the first scan');
    const first = await sb.runJson(['scan']);
    assert.deepEqual(bugFiles(first.json, sb.app), ['lib/deep/broken.js']);
    const file = path.join(sb.dir, 'state', LISTINGS_FILE);
    assert.ok(fs.existsSync(file), 'the first scan kept its listings');
    const listed = fs.readFileSync(file, 'utf8');
    for (const dir of ['lib', 'lib/deep']) assert.ok(listed.includes(`\n${path.join(sb.app, dir)}\t`), `${dir} listing kept`);
    const warm = await sb.runJson(['scan']);
    assert.deepEqual(bugFiles(warm.json, sb.app), ['lib/deep/broken.js']);
    assert.equal(warm.json.scan.cached, warm.json.filesScanned);
    assert.equal(fs.readFileSync(file, 'utf8'), listed, 'every folder listed from the kept listings');
  });

  it('sees a package.json whose type is edited in place, its size and mtime as they were, its folder unchanged', async () => {
    const sb = box();
    const pj = path.join(sb.app, 'pkg', 'package.json');
    sb.write('pkg/package.json', '{ "type": "commonjs" }\n');
    sb.write('pkg/esm.js', 'export default 1;\n');
    sb.config({ pm2Logs: false, stateDir: '../state' });
    await sleep(2100);
    fs.mkdirSync(path.join(sb.dir, 'state'));
    assert.deepEqual(bugFiles((await sb.runJson(['scan'])).json, sb.app), ['pkg/esm.js'], 'ES module syntax in a CommonJS package');
    const warm = await sb.runJson(['scan']);
    assert.deepEqual(bugFiles(warm.json, sb.app), ['pkg/esm.js']);
    assert.equal(warm.json.scan.cached, 1);
    const listed = fs.readFileSync(path.join(sb.dir, 'state', LISTINGS_FILE), 'utf8');
    const folder = fs.statSync(path.dirname(pj)).mtimeMs;
    const before = fs.statSync(pj);
    // Written over, not replaced: the folder's entries and times stay as the listing has them.
    fs.writeFileSync(pj, '{ "type": "module"   }\n');
    fs.utimesSync(pj, before.atime, before.mtime);
    assert.equal(fs.statSync(pj).size, before.size);
    assert.equal(fs.statSync(path.dirname(pj)).mtimeMs, folder);
    const after = await sb.runJson(['scan']);
    assert.deepEqual(bugFiles(after.json, sb.app), [], 'the same file, now in a module package, parses');
    assert.equal(after.json.scan.read, 1);
    assert.equal(fs.readFileSync(path.join(sb.dir, 'state', LISTINGS_FILE), 'utf8'), listed, 'every folder listed from the kept listings');
  });

  it('runs the configuration on kept listings: a folder excluded after a warm scan is left out', async () => {
    const sb = box();
    sb.write('lib/bad.js', BROKEN);
    sb.write('vendor/bad.js', BROKEN);
    sb.config({ pm2Logs: false, stateDir: '../state' });
    await sleep(2100);
    await sb.runJson(['scan']);
    assert.deepEqual(bugFiles((await sb.runJson(['scan'])).json, sb.app), ['lib/bad.js', 'vendor/bad.js']);
    sb.config({ pm2Logs: false, stateDir: '../state', exclude: ['vendor/**'] });
    assert.deepEqual(bugFiles((await sb.runJson(['scan'])).json, sb.app), ['lib/bad.js']);
    sb.config({ pm2Logs: false, stateDir: '../state' });
    assert.deepEqual(bugFiles((await sb.runJson(['scan'])).json, sb.app), ['lib/bad.js', 'vendor/bad.js']);
  });
});

describe('warm scan: state files', () => {
  it('are ASCII, names and messages past it escaped, and a rescan takes every verdict and listing from them', async () => {
    const sb = box();
    sb.write('\u00f1and\u00fa/caf\u00e9.js', FINE);
    // V8's report quotes the source line: a Cyrillic word goes into the cached error verdict.
    sb.write('msg/bad.js', 'const s = "\u043f\u0440\u0438\u0432\u0435\u0442" +;\n');
    sb.write('msg/ok.mjs', 'export const caf\u00e9 = 1;\n');
    sb.config({ pm2Logs: false, stateDir: '../state' });
    await sleep(2100);
    fs.mkdirSync(path.join(sb.dir, 'state'));
    const cold = await sb.runJson(['scan']);
    assert.deepEqual(bugFiles(cold.json, sb.app), ['msg/bad.js']);
    assert.match(cold.json.bugs[0].detail, /\u043f\u0440\u0438\u0432\u0435\u0442/);
    const state = (f: string) => fs.readFileSync(path.join(sb.dir, 'state', f), 'latin1');
    for (const f of [SCAN_CACHE_FILE, LISTINGS_FILE]) assert.doesNotMatch(state(f), /[\u0080-\uffff]/, `${f} is ASCII`);
    assert.ok(state(LISTINGS_FILE).includes('\\u00f1and\\u00fa'), 'the folder past ASCII is listed, escaped');
    const warm = await sb.runJson(['scan']);
    assert.equal(warm.json.scan.cached, warm.json.filesScanned);
    assert.equal(warm.json.filesScanned, 3);
    assert.deepEqual(warm.json.bugs, cold.json.bugs);
    assert.deepEqual(warm.json.skipped, cold.json.skipped);
  });
});

describe('FolderListings', () => {
  const tmp = (): string => fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mechanic-listings-')));

  it('keeps a listing only once the folder is older than the racy window', () => {
    const dir = tmp();
    const state = path.join(dir, 'state');
    fs.mkdirSync(state);
    fs.writeFileSync(path.join(dir, 'a.js'), FINE);
    // Listed just after it changed: not kept, so read again next time.
    let l = FolderListings.open(state);
    assert.deepEqual(l.list(dir, Date.now())?.names.sort(), ['a.js', 'state']);
    l.save(dir);
    l = FolderListings.open(state);
    l.list(dir, Date.now());
    assert.deepEqual(l.counts, { read: 1, reused: 0 });
    // Listed as if 5 s later: kept, and reused while the folder's stat is the same.
    l.list(dir, Date.now() + 5000);
    l.save(dir);
    l = FolderListings.open(state);
    assert.deepEqual(l.list(dir, Date.now() + 5000)?.names.sort(), ['a.js', 'state']);
    assert.deepEqual(l.counts, { read: 0, reused: 1 });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reads a folder again when an entry is added, even with its mtime set back; names with tabs and quotes survive', () => {
    const dir = tmp();
    const state = path.join(dir, '.state');
    fs.mkdirSync(state);
    const odd = ['tab\there.js', '"quoted".js', 'back\\slash.js', 'line\nbreak.js'];
    for (const n of odd) fs.writeFileSync(path.join(dir, n), FINE);
    fs.mkdirSync(path.join(dir, 'sub'));
    const second = Math.floor(Date.now() / 1000) - 60;
    fs.utimesSync(dir, second, second);
    const later = Date.now() + 5000;
    let l = FolderListings.open(state);
    l.list(dir, later);
    l.save(dir);
    l = FolderListings.open(state);
    const reused = l.list(dir, later)!;
    assert.equal(l.counts.reused, 1);
    assert.deepEqual(new Set(reused.names), new Set([...odd, 'sub', '.state']));
    assert.equal(reused.kinds[reused.names.indexOf('sub')], 'd');
    fs.writeFileSync(path.join(dir, 'new.js'), FINE);
    fs.utimesSync(dir, second, second);
    assert.equal(fs.statSync(dir).mtimeMs, second * 1000);
    l = FolderListings.open(state);
    assert.ok(l.list(dir, later)!.names.includes('new.js'));
    assert.deepEqual(l.counts, { read: 1, reused: 0 });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("writes names past ASCII escaped, and an older file's raw ones so when it writes again", () => {
    const dir = tmp();
    const state = path.join(dir, 'state');
    fs.mkdirSync(state);
    fs.writeFileSync(path.join(dir, '\u00e9.js'), FINE);
    fs.mkdirSync(path.join(dir, 'sub'));
    const later = Date.now() + 5000;
    let l = FolderListings.open(state);
    for (const d of [dir, path.join(dir, 'sub')]) l.list(d, later);
    l.save(dir);
    const file = path.join(state, LISTINGS_FILE);
    const ascii = fs.readFileSync(file, 'utf8');
    assert.ok(ascii.includes('\t"\\u00e9.js"'), 'escaped, quoted');
    // As a build before escaping wrote it: the name raw.
    fs.writeFileSync(file, ascii.replace('"\\u00e9.js"', '\u00e9.js'));
    fs.writeFileSync(path.join(dir, 'sub', 'new.js'), FINE);
    l = FolderListings.open(state);
    assert.ok(l.list(dir, later)!.names.includes('\u00e9.js'));
    l.list(path.join(dir, 'sub'), later);
    assert.deepEqual(l.counts, { read: 1, reused: 1 });
    assert.equal(l.save(dir), true);
    assert.doesNotMatch(fs.readFileSync(file, 'latin1'), /[\u0080-\uffff]/);
    l = FolderListings.open(state);
    assert.ok(l.list(dir, later)!.names.includes('\u00e9.js'));
    assert.equal(l.counts.reused, 1);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('writes nothing when every folder is listed from here; drops a folder removed, keeps one read again', () => {
    const dir = tmp();
    const state = path.join(dir, 'state');
    fs.mkdirSync(state);
    for (const sub of ['keep', 'gone', 'grows']) fs.mkdirSync(path.join(dir, sub));
    const later = Date.now() + 5000;
    const walk = (l: FolderListings) => {
      for (const d of [dir, ...fs.readdirSync(dir).filter((n) => n !== 'state').map((n) => path.join(dir, n))]) l.list(d, later);
    };
    let l = FolderListings.open(state);
    walk(l);
    assert.equal(l.save(dir), true);
    const file = path.join(state, LISTINGS_FILE);
    const first = fs.readFileSync(file, 'utf8');
    l = FolderListings.open(state);
    walk(l);
    assert.deepEqual(l.counts, { read: 0, reused: 4 });
    assert.equal(l.save(dir), false, 'nothing changed: not written');
    assert.equal(fs.readFileSync(file, 'utf8'), first);
    fs.rmSync(path.join(dir, 'gone'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'grows', 'new.js'), FINE);
    l = FolderListings.open(state);
    walk(l);
    assert.deepEqual(l.counts, { read: 2, reused: 1 });
    assert.equal(l.save(dir), true);
    const kept = fs.readFileSync(file, 'utf8');
    assert.ok(!kept.includes(`${path.join(dir, 'gone')}\t`), 'a removed folder is dropped');
    assert.ok(kept.includes(`${path.join(dir, 'keep')}\t`), 'a folder listed from here is kept');
    l = FolderListings.open(state);
    assert.ok(l.list(path.join(dir, 'grows'), later)!.names.includes('new.js'));
    assert.deepEqual(l.counts, { read: 0, reused: 1 }, 'the folder read again is kept as it is now');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('drops a cut-short or foreign file: everything is read', () => {
    const dir = tmp();
    const state = path.join(dir, 'state');
    fs.mkdirSync(state);
    let l = FolderListings.open(state);
    l.list(dir, Date.now() + 5000);
    l.save(dir);
    const file = path.join(state, LISTINGS_FILE);
    const text = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, text.slice(0, -3));
    l = FolderListings.open(state);
    l.list(dir, Date.now() + 5000);
    assert.deepEqual(l.counts, { read: 1, reused: 0 });
    fs.writeFileSync(file, 'something else\n');
    l = FolderListings.open(state);
    l.list(dir, Date.now() + 5000);
    assert.deepEqual(l.counts, { read: 1, reused: 0 });
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('walkScopes', () => {
  it('gives every file the scope key PackageScopes gives it', () => {
    const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mechanic-scopes-')));
    const files: Record<string, string> = {
      'package.json': '{ "type": "module" }',
      'a.js': FINE,
      'b.mjs': FINE,
      'c.cjs': FINE,
      'plain/d.js': FINE,
      'plain/deeper/e.js': FINE,
      'pkg/package.json': '{}',
      'pkg/f.js': FINE,
      'pkg/inner/g': FINE,
      'folder-named/package.json/x.json': '{}',
      'folder-named/h.js': FINE,
      'target/package.json': '{ "type": "commonjs" }',
      'linked/i.js': FINE,
      'dangling/j.js': FINE,
      'excluded/package.json': '{}',
      'excluded/sub/k.js': FINE,
    };
    for (const [rel, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, 'root', rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, 'root', rel), text);
    }
    // Above the root, a package.json the walk never lists.
    fs.writeFileSync(path.join(dir, 'package.json'), '{}');
    fs.symlinkSync(path.join(dir, 'root/target/package.json'), path.join(dir, 'root/linked/package.json'));
    fs.symlinkSync(path.join(dir, 'root/nowhere.json'), path.join(dir, 'root/dangling/package.json'));
    const root = path.join(dir, 'root');
    const tree = new TreeWalk({ skipDirs: ['node_modules'], exclude: ['excluded/package.json'], skipPaths: [] });
    const listed = tree.files(root, () => true);
    const rules = rulesOfThisNode();
    const scopeOf = walkScopes(tree, new PackageScopes(rules));
    const lookup = new PackageScopes(rules);
    const checked = listed.filter((f) => !f.endsWith('.json'));
    assert.equal(checked.length, 11);
    for (const f of checked) assert.equal(scopeOf(f), lookup.scopeOf(f).key, path.relative(dir, f));
    // A file outside anything the walk listed: the lookup's answer too.
    assert.equal(scopeOf(path.join(dir, 'elsewhere.js')), lookup.scopeOf(path.join(dir, 'elsewhere.js')).key);
    // Told the walk's folders (no stat where the walk listed no package.json), the same scopes and formats.
    const hinted = new PackageScopes(rules, (d) => tree.hasPackageJson(d));
    const hintedScopeOf = walkScopes(tree, hinted);
    for (const f of [...checked, path.join(dir, 'elsewhere.js')]) {
      assert.equal(hinted.scopeOf(f).key, lookup.scopeOf(f).key, path.relative(dir, f));
      assert.deepEqual(hinted.resolve(f), lookup.resolve(f), path.relative(dir, f));
      assert.equal(hintedScopeOf(f), lookup.scopeOf(f).key, path.relative(dir, f));
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('stops at a folder named node_modules that the walk listed, as the lookup does', () => {
    const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mechanic-scopes-nm-')));
    const files: Record<string, string> = {
      'package.json': '{ "type": "module" }',
      'node_modules/m.js': FINE,
      'node_modules/dep/package.json': '{}',
      'node_modules/dep/n.js': FINE,
      'node_modules/dep/lib/o.js': FINE,
      'x/not_node_modules/p.js': FINE,
    };
    for (const [rel, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, rel), text);
    }
    // No folder skipped: the walk lists node_modules, so walkScopes answers for it itself.
    const tree = new TreeWalk({ skipDirs: [], exclude: [], skipPaths: [] });
    const listed = tree.files(dir, () => true).filter((f) => f.endsWith('.js'));
    assert.equal(listed.length, 4);
    const rules = rulesOfThisNode();
    const scopeOf = walkScopes(tree, new PackageScopes(rules, (d) => tree.hasPackageJson(d)));
    const lookup = new PackageScopes(rules);
    for (const f of listed) assert.equal(scopeOf(f), lookup.scopeOf(f).key, path.relative(dir, f));
    assert.equal(scopeOf(path.join(dir, 'node_modules', 'm.js')), 'none');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('treeOf keeps listings in the state folder, and never creates that folder for them', () => {
    const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mechanic-treeof-')));
    fs.writeFileSync(path.join(dir, 'a.js'), FINE);
    const config = { exclude: [], stateDir: path.join(dir, 'state'), backupDir: path.join(dir, 'state', 'backups') };
    treeOf(config).files(dir, () => true);
    assert.ok(!fs.existsSync(path.join(dir, 'state')), 'no state folder made for the listings');
    fs.mkdirSync(path.join(dir, 'state'));
    treeOf(config).files(dir, () => true);
    assert.ok(fs.existsSync(path.join(dir, 'state', LISTINGS_FILE)));
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('listSourceFiles: path order from the walk', () => {
  const NAMES = ['a.js', 'a/x.js', 'a-b.js', 'a0.js', 'a.b/d.js', 'a/b/c.js', 'b.js', 'A.js', 'a/b.js', 'a/b-c/e.js'];

  it('lists files as sort() orders their paths, cold and from a kept listing in another order, each with its own stat', async () => {
    const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mechanic-order-')));
    const app = path.join(dir, 'app');
    const state = path.join(dir, 'state');
    fs.mkdirSync(state);
    for (const n of NAMES) {
      fs.mkdirSync(path.dirname(path.join(app, n)), { recursive: true });
      fs.writeFileSync(path.join(app, n), FINE);
    }
    const config = { roots: [app], include: ['**/*.js'], exclude: [], stateDir: state, backupDir: path.join(dir, 'backups'), maxFileBytes: 1 << 20 };
    const expected = NAMES.map((n) => path.join(app, n)).sort();
    const check = (listed: Awaited<ReturnType<typeof listSourceFiles>>) => {
      assert.deepEqual(listed.files, expected);
      assert.equal(listed.fileStats.length, expected.length);
      listed.files.forEach((f, k) => {
        assert.equal(listed.fileStats[k]!.key.split(':')[0], String(fs.lstatSync(f, { bigint: true }).ino), f);
        assert.equal(listed.stats.get(f), listed.fileStats[k]);
      });
    };
    check(await listSourceFiles(config));
    // A kept listing of the root whose entries are in readdir's order, not path order (as an
    // older build kept them): the files still come sorted.
    const st = fs.statSync(app);
    const reversed = ['a', 'a.b', 'a-b.js', 'A.js', 'a0.js', 'b.js', 'a.js'];
    const kinds = reversed.map((n) => (fs.statSync(path.join(app, n)).isDirectory() ? 'd' : 'f')).join('');
    const head = fs.readFileSync(path.join(state, LISTINGS_FILE), 'utf8').split('\n')[0];
    fs.writeFileSync(path.join(state, LISTINGS_FILE), [head, [app, [st.ino, st.mtimeMs, st.ctimeMs].join(':'), kinds, ...reversed].join('\t'), 'e', ''].join('\n'));
    const tree = treeOf(config);
    check(await listSourceFiles(config, tree));
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
