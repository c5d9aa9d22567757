// The CLI bundle runs with a V8 code cache (src/cli/run-bundle.ts): the one the build ships, or the
// one in the folder MECHANIC_CODE_CACHE names, written once, taken as it is after; never the
// reason a command fails or differs.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { shippedCachePath } from '../src/cli/run-bundle.ts';
import { box, repoRoot, type Sandbox } from './helpers/cli.ts';

const BAD = "const x = require('fs');\nfunction f() {\n  return x.readFileSync('a'\n}\nmodule.exports = { f };\n";

function project(): { sb: Sandbox; cacheHome: string; cacheDir: string; env: NodeJS.ProcessEnv } {
  const sb = box();
  sb.write('bad.js', BAD);
  sb.write('ok.js', 'module.exports = 1;\n');
  // A .mjs config: node's import() from inside the bundle, the path a cached script once broke.
  sb.write('mechanic.config.mjs', "export default { roots: ['.'], pm2Logs: false, llm: { provider: 'none' } };\n");
  const cacheHome = path.join(sb.home, 'cache-home');
  return { sb, cacheHome, cacheDir: path.join(cacheHome, 'code-mechanic'), env: { MECHANIC_CODE_CACHE: path.join(cacheHome, 'code-mechanic') } };
}

const caches = (dir: string) => (fs.existsSync(dir) ? fs.readdirSync(dir) : []);
const distCli = path.join(repoRoot, 'dist', 'cli');
const bundleFile = path.join(distCli, 'main.bundle.js');
/** The build id main.cjs passes to runBundle (scripts/bundle.mjs writes it there, and in its first line). */
const buildId = () => /\(build ([0-9a-f]+)\)/.exec(fs.readFileSync(path.join(distCli, 'main.cjs'), 'utf8'))![1]!;
/** dist/cli's caches with their times: what the build left. */
const distCaches = () => fs.readdirSync(distCli).filter((f) => f.includes('cache')).map((f) => `${f} ${fs.statSync(path.join(distCli, f)).mtimeMs}`);
const shippedBefore = distCaches();
/**
 * The scan's answer without its counts: a run slow enough that the files are no longer racy
 * (2 s) when it starts takes them from the scan cache (read 0, cached 3), and says the same.
 */
const answer = (stdout: string): unknown => {
  const { scan: _counts, ...rest } = JSON.parse(stdout) as Record<string, unknown>;
  return rest;
};

describe('code cache', () => {
  it('is opt-in: without MECHANIC_CODE_CACHE a command writes no cache anywhere', async () => {
    const { sb } = project();
    const before = (fs.readdirSync(sb.home, { recursive: true }) as string[]).sort();
    const r = await sb.run(['scan', '--json']);
    assert.equal(r.code, 1, r.stderr);
    const written = (fs.readdirSync(sb.home, { recursive: true }) as string[]).filter((f) => !before.includes(f) && /v8cache/.test(f));
    assert.deepEqual(written, []);
  });

  it('the first run writes it, the next take it unchanged and answer the same, a .mjs config included', async () => {
    const { sb, cacheDir, env } = project();
    const first = await sb.run(['scan', '--json'], { env });
    assert.equal(first.code, 1, first.stderr);
    assert.match(first.stdout, /bad\.js/);
    const written = caches(cacheDir);
    assert.equal(written.length, 1, `one cache file: ${written.join(' ')}`);
    const file = path.join(cacheDir, written[0]!);
    assert.ok(fs.statSync(file).size > 100_000, 'the cache holds the compiled bundle');
    const before = fs.statSync(file).mtimeMs;
    for (let i = 0; i < 2; i++) {
      const again = await sb.run(['scan', '--json'], { env });
      assert.equal(again.code, 1);
      assert.equal(again.stderr, '', 'nothing said about the cache');
      assert.deepEqual(answer(again.stdout), answer(first.stdout));
    }
    // Taken, not rejected: a rejected cache is written again.
    assert.equal(fs.statSync(file).mtimeMs, before);
    assert.deepEqual(caches(cacheDir), written);
    // Another command has its own (it compiles other functions); the scan's stays as it was.
    const help = await sb.run(['-c', 'mechanic.config.mjs', 'status'], { env });
    assert.equal(help.stderr, '', help.stderr);
    assert.equal(caches(cacheDir).length, 2);
    assert.equal(fs.statSync(file).mtimeMs, before);
    // dist/ is never written to: its caches are the build's, as the build left them.
    assert.deepEqual(distCaches(), shippedBefore);
  });

  it('the build ships one that this node takes, and never writes it at run time', async () => {
    const shipped = fs.readdirSync(distCli).filter((f) => f.endsWith('.v8cache'));
    assert.deepEqual(shipped, [path.basename(shippedCachePath(bundleFile, buildId()))]);
    const script = new vm.Script(fs.readFileSync(bundleFile, 'latin1'), { filename: bundleFile, cachedData: fs.readFileSync(path.join(distCli, shipped[0]!)) });
    assert.equal(script.cachedDataRejected, false);
    const { sb } = project();
    const r = await sb.run(['scan', '--json']);
    assert.equal(r.code, 1, r.stderr);
    assert.deepEqual(distCaches(), shippedBefore);
  });

  it('a damaged cache is passed over and replaced', async () => {
    const { sb, cacheDir, env } = project();
    const good = await sb.run(['scan', '--json'], { env });
    const file = path.join(cacheDir, caches(cacheDir)[0]!);
    const valid = fs.readFileSync(file);
    fs.writeFileSync(file, Buffer.alloc(valid.length, 7));
    const r = await sb.run(['scan', '--json'], { env });
    assert.equal(r.code, 1);
    assert.equal(r.stderr, '');
    assert.deepEqual(answer(r.stdout), answer(good.stdout));
    assert.notDeepEqual(fs.readFileSync(file), Buffer.alloc(valid.length, 7), 'the damaged cache was replaced');
  });

  it('a cache folder that cannot be made costs nothing but the cache', async () => {
    const { sb, cacheHome, env } = project();
    fs.writeFileSync(cacheHome, 'a file where the folder would go\n');
    for (const args of [['scan', '--json'], ['--help']]) {
      const r = await sb.run(args, { env });
      assert.equal(r.stderr, '', `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stdout, args[0] === 'scan' ? /bad\.js/ : /Usage: mechanic/);
    }
    assert.equal(fs.readFileSync(cacheHome, 'utf8'), 'a file where the folder would go\n');
  });
});
