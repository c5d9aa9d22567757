// The syntax scan: exactly `node --check`'s verdicts (for the running node and for node 24),
// in-process, incremental through a cache in the state folder, stopping early on request.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { box, cliPath, type Sandbox } from './helpers/cli.ts';
import { node24 } from './helpers/node-lines.ts';
import { needs } from './helpers/require.ts';
// The library as published (its syntax engines are worker threads of the built files).
import { resolveConfig, scanSyntax, SyntaxChecker, type FileVerdict } from '../dist/index.js';
import { SHOWN_COLUMNS } from '../src/analysis/compile.ts';


/** Every way node decides a file's kind, and errors only one kind has. */
const PARITY: Record<string, string | Buffer> = {
  'cjs-ok.cjs': "const a = require('fs');\nmodule.exports = a;\n",
  'cjs-bad.cjs': 'function f( {\n',
  'esm-ok.mjs': "import fs from 'node:fs';\nexport const x = await Promise.resolve(fs);\n",
  'esm-bad.mjs': 'export const x = ;\n',
  'esm-with.mjs': 'with (Math) { x = PI; }\n',
  'script-with.cjs': 'with (Math) { var x = PI; }\n',
  'html-comment.cjs': '<!-- old browsers\nvar a = 1;\n',
  'html-comment.mjs': '<!-- old browsers\nexport var a = 1;\n',
  'hashbang.js': '#!/usr/bin/env node\nconsole.log(1);\n',
  'hashbang-bad.js': '#!/usr/bin/env node\nconsole.log(1;\n',
  'bom.js': "\uFEFFconsole.log('bom');\n",
  'empty.js': '',
  'latin1.js': Buffer.from('const caf\xe9 = 1;\n', 'latin1'),
  'typeless/import.js': "import fs from 'node:fs';\nconsole.log(fs);\n",
  'typeless/tla.js': 'await Promise.resolve(1);\n',
  'typeless/import-then-error.js': "import fs from 'node:fs';\nconst x = ;\n",
  'typeless/require-return.js': 'return 1;\n',
  'typeless/plain-bad.js': 'const a = [1, 2;\n',
  'pkg-module/package.json': '{ "type": "module" }\n',
  'pkg-module/a.js': 'export default 1;\n',
  'pkg-module/b.js': 'return 1;\n',
  'pkg-module/c.cjs': 'return 1;\n',
  'pkg-module/inner/package.json': '{ "type": "commonjs" }\n',
  'pkg-module/inner/d.js': "import x from 'y';\n",
  'pkg-module/inner/e.mjs': 'export {};\n',
  'pkg-bad/package.json': '{ not json',
  'pkg-bad/f.js': 'module.exports = 1;\n',
  'pkg-array/package.json': '[1, 2]\n',
  'pkg-array/g.js': 'module.exports = 2;\n',
  // Named by issue 4: import.meta, JSX and TypeScript syntax in .js (errors, as node --check says).
  'typeless/meta.js': 'console.log(import.meta.url);\n',
  'meta.cjs': 'console.log(import.meta.url);\n',
  'jsx.js': 'const a = <div className="x">hi</div>;\n',
  'pkg-module/jsx.js': 'export const a = <div />;\n',
  'ts-annotation.js': 'const a: number = 1;\nfunction f(x: string): void {}\n',
  'ts-interface.js': 'interface A { x: number }\n',
  'pkg-module/ts-enum.js': 'export enum E { A, B }\n',
  // Where node 20 and node 24 disagree (V8 grammar, not module kind): each node's own verdict.
  'using.js': '{ using x = foo(); }\n',
  'import-assert.mjs': "import a from './a.json' assert { type: 'json' };\n",
  'bom-hashbang.js': '\uFEFF#!/usr/bin/env node\nconsole.log(1);\n',
};

/** `<node> --check <file>`: ok, and the line it reports when it does not pass. */
function nodeCheckVerdict(node: string, file: string): { ok: boolean; line?: number } {
  const r = spawnSync(node, ['--check', file], { encoding: 'utf8', env: { PATH: process.env.PATH } });
  if (r.status === 0) return { ok: true };
  const m = new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:(\\d+)$`, 'm').exec(r.stderr);
  return m ? { ok: false, line: Number(m[1]) } : { ok: false };
}

async function parity(node: string, label: string): Promise<void> {
  const sb = box();
  for (const [rel, text] of Object.entries(PARITY)) sb.write(rel, text);
  sb.config({ pm2Logs: false, stateDir: '../state', node });
  const scan = await sb.runJson(['scan']);
  const bugs = new Map<string, { line: number }>(scan.json.bugs.map((b: any) => [b.file, b]));
  const files = Object.keys(PARITY).filter((f) => /\.[cm]?js$/.test(f));
  assert.equal(scan.json.filesScanned, files.length);
  const disagreements: string[] = [];
  let errors = 0;
  for (const rel of files) {
    const file = path.join(sb.app, rel);
    const want = nodeCheckVerdict(node, file);
    const got = bugs.get(file);
    if (!want.ok) errors++;
    if (want.ok !== !got) disagreements.push(`${rel}: node --check ${want.ok ? 'passes' : 'fails'}, the scan says ${got ? 'a bug' : 'ok'}`);
    else if (got && want.line !== undefined && got.line !== want.line) disagreements.push(`${rel}: line ${got.line}, node --check says ${want.line}`);
  }
  assert.deepEqual(disagreements, [], `${label}: verdicts differ from node --check`);
  assert.ok(errors >= 8 && errors < files.length, `${label}: a mix of verdicts (${errors} errors of ${files.length})`);
  // Another version than the running one: every error verdict was asked of the binary itself.
  if (node !== process.execPath) assert.equal(scan.json.scan.confirmed, errors, `${label}: errors confirmed by ${node} --check`);
}

describe("verdicts are exactly node --check's", () => {
  it(`for the running node (${process.version}), on every kind of file`, async () => {
    await parity(process.execPath, process.version);
  });

  const other = node24();
  const need24 = needs('node 24 (the npm package node@24)', 'missing' in other ? other.missing : undefined);
  it('for node 24 when it is the configured node (its own engine, errors confirmed by it)', need24, async () => {
    await parity((other as { bin: string }).bin, 'node 24');
  });

  it('node 20 and node 24 really differ on the ambiguous file, and each verdict is its own', need24, async () => {
    const sb = box();
    const file = sb.write('typeless/import-then-error.js', PARITY['typeless/import-then-error.js']!);
    const bin24 = (other as { bin: string }).bin;
    const running = nodeCheckVerdict(process.execPath, file).ok;
    const v24 = nodeCheckVerdict(bin24, file).ok;
    // nodejs/node#65202: 24 compiles it as a module and reports the error; 20.x lets it pass.
    assert.equal(v24, false, 'node 24 reports the error');
    if (process.version.startsWith('v20.')) assert.equal(running, true, 'node 20 lets it pass: the versions disagree, so parity with each is not trivial');
    // Whatever the running version: the scan with each node configured says what that node says.
    for (const [node, ok] of [[process.execPath, running], [bin24, v24]] as const) {
      sb.config({ pm2Logs: false, stateDir: '../state', node });
      const scan = await sb.runJson(['scan']);
      assert.equal(scan.json.bugs.some((b: any) => b.file === file), !ok, `${node}: the scan's verdict is node --check's`);
    }
  });
});

/** Calls up to `n` characters, with a letter past Latin-1 and one past the BMP (a surrogate pair) in each. */
const minified = (n: number): string => {
  let s = '';
  for (let i = 0; s.length < n; i++) s += `f${i}("\u03c0\u{1d4b3}");`;
  return s;
};

describe("a minified file's error", () => {
  const other = node24();
  it("shows SHOWN_COLUMNS of its line around node --check's caret, the message kept, also from an older cache", () => minifiedDetail(process.execPath));
  it('the same when node 24, configured, confirms each error itself', needs('node 24 (the npm package node@24)', 'missing' in other ? other.missing : undefined), () =>
    minifiedDetail((other as { bin: string }).bin),
  );
});

async function minifiedDetail(node: string): Promise<void> {
  const sb = box();
  // The error within the ~1,000 columns V8 draws a caret in, and far past them (no caret).
  const near = sb.write('min/near.js', `${minified(600)} var x = {a:1,,};${minified(30_000)}\n`);
  const far = sb.write('min/far.js', `${minified(50_000)} var x = {a:1,,};${minified(5000)}\n`);
  sb.config({ pm2Logs: false, stateDir: '../state', node });
  // Past the racy window, so that the verdicts are kept and the rescans take them from the cache.
  await sleep(2100);
  const check = (json: any, label: string): void => {
    for (const file of [near, far]) {
      const theirs = spawnSync(node, ['--check', file], { encoding: 'utf8', env: { PATH: process.env.PATH } }).stderr.split('\n');
      const bug = json.bugs.find((b: any) => b.file === file);
      const ours: string[] = bug.detail.split('\n');
      const what = `${label}: ${path.basename(file)}`;
      assert.ok(theirs[1]!.length > 10_000, `${what}: node --check shows the whole line`);
      assert.ok(bug.detail.length < 2 * SHOWN_COLUMNS + 200, `${what}: ${bug.detail.length} characters`);
      assert.equal(ours[0], theirs[0], `${what}: the header`);
      assert.equal(ours.at(-1), theirs.find((l) => l.startsWith('SyntaxError: ')), `${what}: the message, last`);
      assert.ok(!/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(ours[1]!), `${what}: no half of a surrogate pair at a cut`);
      const at = theirs[2]!.indexOf('^');
      if (at >= 0) {
        // The text around node's caret is the text around ours.
        const mine = ours[2]!.indexOf('^');
        assert.ok(mine > 0, `${what}: a caret`);
        assert.equal(ours[1]!.slice(mine - 20, mine + 20), theirs[1]!.slice(at - 20, at + 20), `${what}: the caret on node's character`);
        assert.ok(ours[1]!.startsWith('\u2026') && ours[1]!.endsWith('\u2026'), `${what}: cut at both ends`);
        assert.ok(theirs[1]!.includes(ours[1]!.slice(1, -1)), `${what}: a piece of the line`);
      } else {
        assert.equal(ours[2], '', `${what}: no caret, as node draws none`);
        assert.ok(ours[1]!.endsWith('\u2026') && theirs[1]!.startsWith(ours[1]!.slice(0, -1)), `${what}: the line's start`);
      }
    }
  };
  const cold = await sb.runJson(['scan']);
  check(cold.json, 'cold');
  const warm = await sb.runJson(['scan']);
  assert.equal(warm.json.scan.cached, 2);
  check(warm.json, 'warm');
  // A cache written before details were cut holds node's whole line: the report still cuts it.
  const cacheFile = path.join(sb.dir, 'state', 'scan-cache.tsv');
  let widened = 0;
  const lines = fs.readFileSync(cacheFile, 'utf8').split('\n').map((line) => {
    const name = /^f([^\t]+)\t/.exec(line)?.[1];
    if (name !== 'near.js' && name !== 'far.js') return line;
    const parts = line.split('\t');
    const verdict = JSON.parse(parts[3]!);
    const whole = spawnSync(node, ['--check', path.join(sb.app, 'min', name)], { encoding: 'utf8' }).stderr.split('\n');
    verdict.detail = [...whole.slice(0, 4), whole.find((l) => l.startsWith('SyntaxError: '))].join('\n');
    widened++;
    return [...parts.slice(0, 3), JSON.stringify(verdict)].join('\t');
  });
  assert.equal(widened, 2);
  fs.writeFileSync(cacheFile, lines.join('\n'));
  const old = await sb.runJson(['scan']);
  assert.equal(old.json.scan.cached, 2, 'the edited records were used');
  check(old.json, 'older cache');
}

/** A verdict as the cache gives it back: an ok verdict without its exports (see ScanCache.get). */
function withoutExports(v: FileVerdict): FileVerdict {
  return 'ok' in v && v.ok ? { file: v.file, ok: true, format: v.format } : v;
}

describe('the scan cache', () => {
  let sb: Sandbox;
  let checker: SyntaxChecker;
  let config: ReturnType<typeof resolveConfig>;
  const scan = (opts: Parameters<typeof scanSyntax>[2] = {}) => scanSyntax(config, checker, { racyWindowMs: 0, ...opts });

  before(async () => {
    sb = box();
    for (let i = 0; i < 40; i++) sb.write(`lib/m${String(i).padStart(2, '0')}.js`, `module.exports = ${i};\n`);
    sb.write('lib/zz-bad.js', 'x = (1;\n');
    config = resolveConfig({ pm2Logs: false, stateDir: '../state' }, { file: undefined, baseDir: sb.app });
    checker = await SyntaxChecker.create(process.execPath, 2);
  });
  after(() => checker.close());

  it('cold: every file is read; warm: none is, and the verdicts are the same', async () => {
    const cold = await scan();
    assert.equal(cold.read, 41);
    assert.equal(cold.cached, 0);
    assert.ok(cold.cacheSaved);
    assert.ok(fs.existsSync(path.join(sb.dir, 'state', 'scan-cache.tsv')));
    const warm = await scan();
    assert.equal(warm.read, 0);
    assert.equal(warm.cached, 41);
    assert.deepEqual(warm.verdicts, cold.verdicts.map(withoutExports));
    // Cached ok verdicts are plain objects with a literal's keys in a literal's order (they are
    // made by a constructor: see OkVerdict), so that they print as fresh ones do.
    for (const v of warm.verdicts) assert.equal(Object.getPrototypeOf(v), Object.prototype);
    assert.equal(JSON.stringify(warm.verdicts), JSON.stringify(cold.verdicts.map(withoutExports)));
    assert.equal(warm.cacheSaved, false, 'nothing changed: nothing written');
  });

  it('a cached verdict leaves its exports in the cache, and a file that stops parsing gets them as its last good exports', async () => {
    const file = sb.write('lib/named.js', 'exports.alpha = 1;\nexports.beta = 2;\n');
    const fresh = (await scan()).verdicts.find((x) => x.file === file)!;
    assert.ok('ok' in fresh && fresh.ok && fresh.exports?.includes('alpha') && fresh.exports.includes('beta'), JSON.stringify(fresh));
    const cached = (await scan()).verdicts.find((x) => x.file === file)!;
    assert.deepEqual(cached, withoutExports(fresh));
    fs.writeFileSync(file, 'exports.alpha = (1;\nexports.beta = 2;\n');
    const broken = (await scan()).verdicts.find((x) => x.file === file)!;
    assert.ok('ok' in broken && !broken.ok, JSON.stringify(broken));
    assert.deepEqual(broken.lastGoodExports, fresh.exports);
    fs.rmSync(file);
    await scan();
  });

  it('a changed file is read again, even at the same size with its mtime put back (ctime moves)', async () => {
    const file = path.join(sb.app, 'lib', 'm07.js');
    // A whole second, so that the time put back is exactly the time it had.
    fs.utimesSync(file, 1_700_000_000, 1_700_000_000);
    await scan();
    const before = fs.statSync(file);
    fs.writeFileSync(file, 'x = (;\n'.padEnd(before.size - 1, ' ') + '\n');
    fs.utimesSync(file, before.atime, before.mtime);
    assert.equal(fs.statSync(file).size, before.size);
    assert.equal(fs.statSync(file).mtimeMs, before.mtimeMs);
    const r = await scan();
    assert.equal(r.read, 1);
    assert.equal(r.cached, 40);
    const v = r.verdicts.find((x) => x.file === file)!;
    assert.ok('ok' in v && !v.ok, 'the new text does not parse, and the scan says so');
  });

  it('records an older build keyed by ns times are read again, never taken as they stand', async () => {
    await scan();
    const cacheFile = path.join(sb.dir, 'state', 'scan-cache.tsv');
    // The stats as the older build wrote them: its key was inode, size and ns times, from BigInt stats.
    let dir = '';
    let rewritten = 0;
    const text = fs.readFileSync(cacheFile, 'utf8').split('\n').map((line) => {
      if (line.startsWith('d')) dir = line.slice(1);
      if (!line.startsWith('f')) return line;
      const [name, , ...rest] = line.slice(1).split('\t');
      const st = fs.lstatSync(path.join(dir, name!), { bigint: true });
      rewritten++;
      return ['f' + name, [st.ino, st.size, st.mtimeNs, st.ctimeNs].join(':'), ...rest].join('\t');
    });
    assert.equal(rewritten, 41);
    fs.writeFileSync(cacheFile, text.join('\n'));
    const again = await scan();
    assert.equal(again.read, 41, 'every record of the older key is read again');
    assert.equal(again.cached, 0);
    const warm = await scan();
    assert.equal(warm.read, 0);
    assert.equal(warm.cached, 41);
  });

  it('a file dated before 1970 (a negative time in its key) is cached as any other', async () => {
    const old = sb.write('lib/dated-1960.js', 'module.exports = 1960;\n');
    // (node's utimes takes no time before 1970; POSIX touch -t does.)
    assert.equal(spawnSync('touch', ['-t', '196001010000', old]).status, 0);
    assert.ok(fs.lstatSync(old).mtimeMs < 0);
    const first = await scan();
    assert.ok(!first.verdicts.some((v) => v.file === old && 'ok' in v && !v.ok));
    const again = await scan();
    assert.equal(again.read, 0, 'taken from its record');
    fs.rmSync(old);
    await scan();
  });

  it('a package.json that changes the kind of its files re-judges them', async () => {
    sb.write('lib/package.json', '{ "type": "module" }\n');
    sb.write('lib/esm-only.js', 'export default 1;\n');
    const r = await scan();
    const v = r.verdicts.find((x) => x.file.endsWith('esm-only.js'))!;
    assert.ok('ok' in v && v.ok && v.format === 'module', JSON.stringify(v));
    fs.rmSync(path.join(sb.app, 'lib', 'package.json'));
    fs.rmSync(path.join(sb.app, 'lib', 'esm-only.js'));
    const back = await scan();
    assert.equal(back.files, 41);
  });

  it('names with a tab, a line break or a leading quote survive the line-oriented cache; the old JSON cache is replaced', async () => {
    const odd = ['odd\tname.js', 'line\nbreak.js', '"quoted.js', 'back\\slash.js'].map((n) => path.join(sb.app, 'lib', n));
    for (const f of odd) fs.writeFileSync(f, 'module.exports = 1;\n');
    // As after an upgrade: only the old JSON cache is there.
    fs.rmSync(path.join(sb.dir, 'state', 'scan-cache.tsv'));
    fs.writeFileSync(path.join(sb.dir, 'state', 'scan-cache.json'), '{"magic": "code-mechanic scan cache", "version": 2}');
    const cold = await scan();
    assert.equal(cold.read, 45, 'the old format is not read');
    assert.ok(!fs.existsSync(path.join(sb.dir, 'state', 'scan-cache.json')), 'the old cache is removed');
    const warm = await scan();
    assert.equal(warm.read, 0);
    assert.equal(warm.cached, 45);
    assert.deepEqual(warm.verdicts, cold.verdicts.map(withoutExports));
    for (const f of odd) fs.rmSync(f);
  });

  it('a corrupt cache is set aside silently and rebuilt', async () => {
    fs.writeFileSync(path.join(sb.dir, 'state', 'scan-cache.tsv'), 'code-mechanic scan cache\t4\tnode ' + process.version + '\nd/x\nfa.js\t1:2');
    const r = await scan();
    assert.equal(r.read, 41);
    assert.match(r.cacheDropped ?? '', /corrupt/);
    assert.ok(r.cacheSaved);
    const again = await scan();
    assert.equal(again.cached, 41);
  });

  it('stops at the first n files that do not parse, in path order, reading no further', async () => {
    for (let i = 0; i < 600; i++) sb.write(`more/b${String(i).padStart(3, '0')}.js`, i % 100 === 5 ? 'y = [1;\n' : `module.exports = ${i};\n`);
    fs.rmSync(path.join(sb.dir, 'state', 'scan-cache.tsv'));
    const r = await scan({ limit: 1 });
    const errors = r.verdicts.filter((v) => 'ok' in v && !v.ok);
    assert.equal(errors.length, 1);
    assert.ok(r.verdicts.at(-1)!.file.endsWith('m07.js'), 'the list ends at the first error');
    assert.ok(r.notChecked > 0, `${r.notChecked} files not checked`);
    assert.ok(r.read < r.files, `${r.read} of ${r.files} read`);
    const all = await scan();
    assert.equal(all.verdicts.filter((v) => 'ok' in v && !v.ok).length, 8);
  });
});

describe('mechanic scan', () => {
  it('keeps its cache across runs: the second process reads nothing', async () => {
    const sb = box();
    for (let i = 0; i < 20; i++) sb.write(`src/f${i}.js`, `exports.v = ${i};\n`);
    sb.config({ pm2Logs: false, stateDir: '../state' });
    // Files younger than 2 s could change again within their timestamp's tick: not cached yet.
    await new Promise((r) => setTimeout(r, 2_100));
    const first = await sb.runJson(['scan']);
    assert.equal(first.json.scan.read, 20);
    const second = await sb.runJson(['scan']);
    assert.equal(second.json.scan.read, 0);
    assert.equal(second.json.scan.cached, 20);
  });

  it('--first n stops at the first n syntax errors; a bad --first is a usage error', async () => {
    const sb = box();
    for (const n of ['a', 'b', 'c']) sb.write(`${n}.js`, 'x = (;\n');
    sb.config({ pm2Logs: false, stateDir: '../state' });
    const r = await sb.runJson(['scan', '--first', '2']);
    assert.deepEqual(r.json.bugs.map((b: any) => path.basename(b.file)), ['a.js', 'b.js']);
    const bad = await sb.run(['scan', '--first', '0']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--first: expected a positive whole number/);
  });

  it('skips node_modules, .git and its own folders; does not follow links out; says why it skips', async () => {
    const sb = box();
    sb.write('ok.js', '1;\n');
    sb.write('node_modules/dep/bad.js', 'x = (;\n');
    sb.write('.git/hooks/bad.js', 'x = (;\n');
    sb.write('.mechanic/bad.js', 'x = (;\n');
    sb.write('big.js', `// ${'x'.repeat(3000)}\nx = (;\n`);
    sb.write('bin.js', Buffer.from('x = (;\0\n'));
    const outside = path.join(sb.dir, 'outside');
    fs.mkdirSync(outside);
    fs.writeFileSync(path.join(outside, 'bad.js'), 'x = (;\n');
    fs.symlinkSync(outside, path.join(sb.app, 'linked'));
    fs.symlinkSync(path.join(outside, 'bad.js'), path.join(sb.app, 'link.js'));
    sb.config({ pm2Logs: false, stateDir: '.mechanic', maxFileBytes: 2000 });
    const r = await sb.runJson(['scan']);
    assert.deepEqual(r.json.bugs, []);
    // Listed: ok.js and bin.js (found binary only once read, then skipped).
    assert.equal(r.json.filesScanned, 2);
    const reasons = Object.fromEntries(r.json.skipped.map((s: any) => [path.basename(s.file), s.reason]));
    assert.match(reasons['big.js'], /over maxFileBytes \(2000\)/);
    assert.match(reasons['bin.js'], /binary file/);
  });

  it('one walk serves include and exclude globs (dot folders included) and the environment scripts alike', async () => {
    const sb = box();
    for (const f of ['src/a.js', 'src/.hidden/b.js', 'e.cjs', 'lib/c.js', 'vendor/x.cjs', 'src/gen/d.js', 'src/vendor/y.js']) sb.write(f, 'x = (;\n');
    sb.write('src/ok.js', '1;\n');
    sb.write('src/gen/run.sh', '#!/usr/bin/env bash\ndeclare -A seen\n');
    sb.write('tools/run.sh', '#!/usr/bin/env bash\ndeclare -A seen\n');
    sb.config({ pm2Logs: false, stateDir: '../state', include: ['src/**/*.js', '**/*.cjs'], exclude: ['**/vendor/**', 'src/gen'] });
    const r = await sb.runJson(['scan']);
    const syntax = r.json.bugs.filter((b: any) => b.kind === 'syntax').map((b: any) => path.relative(sb.app, b.file)).sort();
    assert.deepEqual(syntax, ['e.cjs', 'src/.hidden/b.js', 'src/a.js']);
    assert.equal(r.json.filesScanned, 4);
    const env = r.json.bugs.filter((b: any) => b.kind === 'environment').map((b: any) => path.relative(sb.app, b.file));
    assert.deepEqual(env, ['tools/run.sh'], 'the excluded folder is excluded for scripts too');
  });

  it('gitignore: true skips what git ignores (tracked files still count)', async () => {
    const sb = box();
    sb.write('.gitignore', 'generated/\n*.tmp.js\n');
    sb.write('src/ok.js', '1;\n');
    sb.write('generated/bad.js', 'x = (;\n');
    sb.write('src/x.tmp.js', 'x = (;\n');
    sb.write('src/tracked.tmp.js', 'y = (;\n');
    assert.equal(sb.git('init', '-q'), 0);
    assert.equal(sb.git('add', '-f', 'src/tracked.tmp.js'), 0);
    sb.config({ pm2Logs: false, stateDir: '../state', gitignore: true });
    const on = await sb.runJson(['scan']);
    assert.deepEqual(on.json.bugs.map((b: any) => path.relative(sb.app, b.file)), ['src/tracked.tmp.js']);
    sb.config({ pm2Logs: false, stateDir: '../state', gitignore: false });
    const off = await sb.runJson(['scan']);
    assert.equal(off.json.bugs.length, 3);
  });

  it('draws a progress bar on a terminal, and nothing with --json or without a terminal', async () => {
    const sb = box();
    for (let i = 0; i < 250; i++) sb.write(`f/${i}.js`, `exports.v = ${i};\n`);
    sb.config({ pm2Logs: false, stateDir: '../state' });
    const plain = await sb.run(['scan']);
    assert.equal(plain.stderr, '');
    const json = await sb.run(['scan', '--json']);
    assert.equal(json.stderr, '');
    const tty = spawnSync('script', ['-qec', `${JSON.stringify(process.execPath)} ${JSON.stringify(cliPath)} scan`, '/dev/null'], {
      cwd: sb.app,
      encoding: 'utf8',
      env: { ...sb.env },
      timeout: 60_000,
    });
    assert.equal(tty.status, 0, tty.stderr);
    assert.match(tty.stdout, /scanning \[#*\.*\] \d+\/250/);
    assert.match(tty.stdout, /scanned 250 files/);
  });
});
