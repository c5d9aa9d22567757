// Start-up: `mechanic --version` loads nothing of the tool, a scan does not load what only a
// validation (ESLint), a probe (pg) or a channel (nodemailer) needs, nor a rescan what only a
// parse (acorn) or a child process needs.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { box, cliPath, repoRoot } from './helpers/cli.ts';

const binPath = path.join(repoRoot, 'dist', 'cli', 'bin.cjs');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mechanic-startup-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

// Preloaded into the CLI: at exit, the packages the main thread loaded through CommonJS (ESLint,
// pg, nodemailer and globals are CommonJS; an ES import of them fills the same cache).
const probe = path.join(tmp, 'loaded.cjs');
fs.writeFileSync(
  probe,
  `process.on('exit', () => {
  const pkgs = new Set();
  for (const k of Object.keys(require.cache)) { const m = /node_modules[\\\\/]((?:@[^\\\\/]+[\\\\/])?[^\\\\/]+)[\\\\/]/.exec(k); if (m) pkgs.add(m[1].replace(/\\\\/g, '/')); }
  require('fs').writeFileSync(process.env.LOADED_OUT, [...pkgs].sort().join('\\n'));
});\n`,
);

function loadedBy(args: string[], cwd: string, env: NodeJS.ProcessEnv): { code: number | null; stdout: string; loaded: string[] } {
  const out = path.join(tmp, `loaded-${Math.random().toString(36).slice(2)}.txt`);
  const r = spawnSync(process.execPath, ['--require', probe, binPath, ...args], { cwd, env: { ...env, LOADED_OUT: out }, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, loaded: fs.readFileSync(out, 'utf8').split('\n').filter(Boolean) };
}

/** The node builtins the main thread loaded by exit, as `args` ran in `cwd`. */
function builtinsLoadedBy(args: string[], cwd: string, env: NodeJS.ProcessEnv): string[] {
  const hook = path.join(tmp, 'builtins.cjs');
  fs.writeFileSync(hook, `process.on('exit', () => require('fs').writeFileSync(process.env.LOADED_OUT, process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13)).join('\\n')));\n`);
  const out = path.join(tmp, `builtins-${Math.random().toString(36).slice(2)}.txt`);
  const r = spawnSync(process.execPath, ['--require', hook, binPath, ...args], { cwd, env: { ...env, LOADED_OUT: out }, encoding: 'utf8', timeout: 120_000 });
  assert.ok(r.status === 0 || r.status === 1, r.stderr);
  return fs.readFileSync(out, 'utf8').split('\n').filter(Boolean);
}

describe('start-up', () => {
  it('mechanic --version and -V answer the package version without loading the CLI', () => {
    const { version } = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    assert.equal(path.resolve(repoRoot, pkg.bin.mechanic!), binPath, 'the mechanic program is bin.cjs');
    for (const flag of ['--version', '-V']) {
      const r = loadedBy([flag], tmp, process.env);
      assert.equal(r.code, 0);
      assert.equal(r.stdout, `${version}\n`);
      assert.deepEqual(r.loaded, [], 'no package loaded for --version');
    }
    // A CommonJS entry: node's ES module loader is not started to print a version.
    assert.ok(!builtinsLoadedBy(['--version'], tmp, process.env).includes('internal/modules/esm/loader'), 'the ES module loader was started for --version');
    // The same answer as the full CLI gives.
    assert.equal(spawnSync(process.execPath, [cliPath, '--version'], { encoding: 'utf8' }).stdout, `${version}\n`);
  });

  it('a rescan of an unchanged tree starts no engine, and loads no worker_threads for one', async () => {
    const sb = box();
    sb.write('ok.js', 'module.exports = { a: 1 };\n');
    sb.write('bad.js', 'module.exports = {;\n');
    sb.config({ roots: ['.'], pm2Logs: false, llm: { provider: 'none' }, stateDir: '../state' });
    // Past the racy window, so that the first scan's verdicts are kept.
    await new Promise((r) => setTimeout(r, 2100));
    const cold = builtinsLoadedBy(['scan', '--json'], sb.app, sb.env);
    assert.ok(cold.includes('worker_threads'), 'the first scan reads files in engines');
    const warm = builtinsLoadedBy(['scan', '--json'], sb.app, sb.env);
    assert.ok(!warm.includes('worker_threads'), `the rescan loaded: ${warm.join(' ')}`);
    // Nor what it imports but never runs: child processes, promised fs (see scripts/bundle.mjs).
    for (const builtin of ['child_process', 'fs/promises']) assert.ok(!warm.includes(builtin), `the rescan loaded ${builtin}: ${warm.join(' ')}`);
    // Nor acorn: a rescan parses nothing (the bundle requires it when first used).
    const rescan = loadedBy(['scan', '--json'], sb.app, sb.env);
    assert.equal(rescan.code, 1, 'the broken file is still reported');
    assert.match(rescan.stdout, /bad\.js/);
    assert.ok(!rescan.loaded.some((p) => p.startsWith('acorn')), `the rescan loaded: ${rescan.loaded.join(' ')}`);
  });

  it('a scan loads neither ESLint nor pg nor nodemailer; a fix that validates loads ESLint, a postgres probe pg', () => {
    const sb = box();
    sb.write('ok.js', 'module.exports = { a: 1 };\n');
    sb.write('bad.js', "const x = require('fs');\nfunction f() {\n  return x.readFileSync('a'\n}\nmodule.exports = { f };\n");
    sb.config({
      roots: ['.'],
      pm2Logs: false,
      llm: { provider: 'none' },
      probes: [{ name: 'db', kind: 'postgres', connectionString: 'postgres://u@127.0.0.1:1/db', query: 'SELECT 1' }],
    });
    const scan = loadedBy(['scan', '--json'], sb.app, sb.env);
    assert.equal(scan.code, 1, 'the broken file is reported');
    assert.match(scan.stdout, /bad\.js/);
    for (const heavy of ['eslint', 'pg', 'nodemailer']) assert.ok(!scan.loaded.includes(heavy), `scan loaded ${heavy}: ${scan.loaded.join(' ')}`);
    // The detector sees ESLint when a validation needs it: a dry-run fix runs the ladder.
    const fix = loadedBy(['fix', '--dry-run', '--json'], sb.app, sb.env);
    assert.match(fix.stdout, /bad\.js/);
    assert.ok(fix.loaded.includes('eslint'), `fix did not load eslint: ${fix.loaded.join(' ')}`);
    // and acorn, which the repairers parse with, required on first use.
    assert.ok(fix.loaded.includes('acorn'), `fix did not load acorn: ${fix.loaded.join(' ')}`);
    // And pg when a postgres probe runs (nothing listens on port 1: the probe is down).
    const probe = loadedBy(['probe', '--json'], sb.app, sb.env);
    assert.match(probe.stdout, /postgres: connect ECONNREFUSED/);
    assert.ok(probe.loaded.includes('pg'), `probe did not load pg: ${probe.loaded.join(' ')}`);
  });
});
