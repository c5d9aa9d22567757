/**
 * Scan benchmark: `npm run bench:scan`.
 *
 * A tree of real JavaScript (pinned npm packages installed by this script into .cache/bench,
 * copied out of node_modules so that the mechanic scans them), a few hundred files broken by
 * seeded slips, then side by side in one run:
 * - the seed's approach: one `node --check` process per file, one after another, timed on a
 *   seeded sample and extrapolated to the tree;
 * - `mechanic scan --json` cold (no cache), warm (nothing changed), and after 1% of the files
 *   changed, each under /usr/bin/time -v for wall time and peak RSS (threads included);
 * - parity: every file's verdict against `node --check`'s; any disagreement is listed and the
 *   benchmark fails.
 *
 * Two trees: `small` (many small files: utility libraries) and `heavy` (large real packages:
 * a compiler, a 3D library, cloud SDK builds, a bundler's wasm build). Beside each scan, in the
 * same run, its limit: the cold scan against V8 compiling every file once in one thread
 * (bench/lib/limit-compile.mjs), the warm rescan against a bare node that stats every file
 * (bench/lib/limit-stat.mjs); and `mechanic --version` against a bare `node -e 0`.
 *
 * Options: --seed N, --broken N (files corrupted), --sample N (seed-approach sample size),
 * --runs N (runs of each scan; medians reported), --parity full|sample|none, --trees small,heavy,
 * --no-write.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PackageScopes } from '../src/analysis/format.js';
import { rulesOfThisNode } from '../src/analysis/rules.js';
import { lex } from '../src/repair/deterministic/tokens.js';
import { seededRandom } from './lib/prng.js';
import { gitRevision, machine, markdownTable, writeSection } from './lib/report.js';
import { SLIP_CLASSES, applySlip } from './lib/slips.js';

const args = process.argv.slice(2);
const opt = (name: string, def: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1]! : def;
};
const SEED = Number(opt('seed', '20261124'));
const BROKEN = Number(opt('broken', '300'));
const SAMPLE = Number(opt('sample', '300'));
const RUNS = Number(opt('runs', '5'));
const PARITY = opt('parity', 'full') as 'full' | 'sample' | 'none';
const WRITE = !args.includes('--no-write');
const TREES = opt('trees', 'small,heavy').split(',') as ('small' | 'heavy')[];
const log = (s: string) => process.stderr.write(`${s}\n`);

/** name@version, pinned: CommonJS, ES modules, typeless .js, package scopes, 20,000+ files with their dependencies. */
const SCAN_PACKAGES = [
  'lodash@4.17.21',
  'lodash-es@4.17.21',
  'moment@2.30.1',
  'date-fns@2.30.0',
  'rxjs@7.8.1',
  'core-js@3.38.1',
  'core-js-pure@3.38.1',
  '@babel/runtime@7.25.6',
  'ramda@0.30.1',
  'es-abstract@1.23.3',
  'axios@1.7.7',
  'async@3.2.6',
];

/**
 * Large real packages, pinned: ~15,000 files, ~100 MB of JavaScript with their dependencies
 * (issue 17's held-out tree: ~15,000 files, 81 MB). Compilers and bundlers, a 3D library, cloud
 * SDK builds, and packages that ship a file per function (CommonJS, ES modules, both).
 */
const HEAVY_PACKAGES = [
  'typescript@5.6.3',
  'three@0.169.0',
  '@aws-sdk/client-s3@3.675.0',
  '@aws-sdk/client-ec2@3.675.0',
  'esbuild-wasm@0.24.0',
  'pdfjs-dist@4.7.76',
  '@mui/material@6.1.3',
  '@babel/core@7.25.8',
  'webpack@5.95.0',
  'eslint@9.12.0',
  'rxjs@7.8.1',
  'date-fns@2.30.0',
  'lodash@4.17.21',
  'lodash-es@4.17.21',
];

const CACHE = path.resolve('.cache', 'bench');
/** The `mechanic` program, as a user runs it (package.json's bin): scans and --version alike. */
const BIN = path.resolve('dist', 'cli', 'bin.cjs');
const LIMIT_COMPILE = path.resolve('bench', 'lib', 'limit-compile.mjs');
const LIMIT_STAT = path.resolve('bench', 'lib', 'limit-stat.mjs');

/** Where a tree's packages are installed and scanned (set per tree by main). */
let PACKAGES = SCAN_PACKAGES;
let INSTALL = path.join(CACHE, 'scan-corpus');
let WORK = path.join(CACHE, 'scan-work');
let TREE = path.join(WORK, 'tree');
let STATE = path.join(WORK, 'state');

function useTree(which: 'small' | 'heavy'): void {
  PACKAGES = which === 'small' ? SCAN_PACKAGES : HEAVY_PACKAGES;
  INSTALL = path.join(CACHE, which === 'small' ? 'scan-corpus' : 'scan-heavy-corpus');
  WORK = path.join(CACHE, which === 'small' ? 'scan-work' : 'scan-heavy-work');
  TREE = path.join(WORK, 'tree');
  STATE = path.join(WORK, 'state');
}
const SOURCE = /\.(c|m)?js$/;

function install(): void {
  const marker = path.join(INSTALL, '.packages');
  if (fs.existsSync(marker) && fs.readFileSync(marker, 'utf8') === PACKAGES.join('\n')) return;
  fs.mkdirSync(INSTALL, { recursive: true });
  fs.writeFileSync(path.join(INSTALL, 'package.json'), '{ "private": true }\n');
  log(`installing ${PACKAGES.length} pinned packages into ${path.relative(process.cwd(), INSTALL)} …`);
  const r = spawnSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error', ...PACKAGES], { cwd: INSTALL, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`npm install failed: ${r.stderr}`);
  fs.writeFileSync(marker, PACKAGES.join('\n'));
}

function walk(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.isFile() && SOURCE.test(e.name)) out.push(p);
  }
  return out;
}

function renameNested(dir: string): void {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (!e.isDirectory()) continue;
    let p = path.join(dir, e.name);
    if (e.name === 'node_modules' || e.name === '.git') {
      const to = path.join(dir, `${e.name.replace(/^\./, '')}_copied`);
      fs.renameSync(p, to);
      p = to;
    }
    renameNested(p);
  }
}

/** A fresh copy of the installed packages (node_modules is never scanned), with seeded slips. */
function buildTree(): { files: string[]; broken: string[]; bytes: number } {
  fs.rmSync(WORK, { recursive: true, force: true });
  fs.mkdirSync(TREE, { recursive: true });
  fs.cpSync(path.join(INSTALL, 'node_modules'), path.join(TREE, 'pkgs'), { recursive: true, verbatimSymlinks: true });
  // Nested node_modules (npm's second copies of a dependency) are real code too: renamed, scanned.
  renameNested(path.join(TREE, 'pkgs'));
  fs.writeFileSync(path.join(TREE, 'mechanic.config.json'), JSON.stringify({ roots: ['pkgs'], stateDir: STATE, pm2Logs: false, llm: { provider: 'none' } }));
  const files = walk(path.join(TREE, 'pkgs')).sort();
  const rnd = seededRandom(SEED);
  const broken: string[] = [];
  const order = [...files];
  for (let i = order.length - 1; i > 0; i--) {
    const j = rnd.int(i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  for (const f of order) {
    if (broken.length >= BROKEN) break;
    const text = fs.readFileSync(f, 'utf8');
    if (text.length < 200 || text.length > 200_000) continue;
    const slip = applySlip(text, SLIP_CLASSES[broken.length % SLIP_CLASSES.length]!, rnd, lex(text));
    if (!slip) continue;
    fs.writeFileSync(f, slip.text);
    broken.push(f);
  }
  let bytes = 0;
  for (const f of files) bytes += fs.statSync(f).size;
  return { files, broken, bytes };
}

/** `node --check <file>`: passes or not. */
function nodeCheck(file: string): Promise<boolean> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, ['--check', file], { stdio: 'ignore' });
    c.on('exit', (code) => resolve(code === 0));
  });
}

/** The seed: one `node --check` process per file, one after another. */
async function seedApproach(files: string[]): Promise<{ perFileMs: number; sample: number }> {
  const rnd = seededRandom(SEED + 1);
  const sample = Array.from({ length: Math.min(SAMPLE, files.length) }, () => files[rnd.int(files.length)]!);
  const t0 = performance.now();
  for (const f of sample) await nodeCheck(f);
  return { perFileMs: (performance.now() - t0) / sample.length, sample: sample.length };
}

interface ScanRun {
  wallMs: number;
  rssMb: number;
  read: number;
  cached: number;
  bugs: Set<string>;
  skipped: Map<string, string>;
  filesScanned: number;
}

/** One `mechanic scan --json` under /usr/bin/time -v. */
function scanOnce(): ScanRun {
  const r = spawnSync('/usr/bin/time', ['-v', process.execPath, BIN, 'scan', '--json'], { cwd: TREE, encoding: 'utf8', maxBuffer: 512 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1' } });
  if (r.status !== 0 && r.status !== 1) throw new Error(`mechanic scan failed (${r.status}): ${r.stderr.slice(-2000)}`);
  const json = JSON.parse(r.stdout) as { bugs: { file: string }[]; skipped: { file: string; reason: string }[]; filesScanned: number; scan: { read: number; cached: number } };
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr);
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)/.exec(r.stderr);
  if (!rss || !wall) throw new Error(`no /usr/bin/time report: ${r.stderr.slice(-500)}`);
  return {
    wallMs: ((Number(wall[1] ?? 0) * 60 + Number(wall[2])) * 60 + Number(wall[3])) * 1000,
    rssMb: Number(rss[1]) / 1024,
    read: json.scan.read,
    cached: json.scan.cached,
    bugs: new Set(json.bugs.map((b) => b.file)),
    skipped: new Map(json.skipped.map((s) => [s.file, s.reason])),
    filesScanned: json.filesScanned,
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** Files changed less than 2 s ago are not cached (their timestamp may not show the next change). */
const settle = () => new Promise((r) => setTimeout(r, 2_500));

async function parity(files: string[], run: ScanRun): Promise<{ compared: number; disagreements: string[] }> {
  const judged = files.filter((f) => !run.skipped.has(f));
  const rnd = seededRandom(SEED + 2);
  const list = PARITY === 'sample' ? Array.from({ length: Math.min(2000, judged.length) }, () => judged[rnd.int(judged.length)]!) : judged;
  const disagreements: string[] = [];
  let next = 0;
  let done = 0;
  const lane = async () => {
    while (next < list.length) {
      const f = list[next++]!;
      const passes = await nodeCheck(f);
      if (passes === run.bugs.has(f)) disagreements.push(`${path.relative(TREE, f)}: node --check ${passes ? 'passes' : 'fails'}, the scan says ${run.bugs.has(f) ? 'a bug' : 'ok'}`);
      if (++done % 2000 === 0) log(`  parity: ${done}/${list.length}`);
    }
  };
  await Promise.all(Array.from({ length: os.availableParallelism() }, lane));
  return { compared: list.length, disagreements };
}

/** One process under /usr/bin/time -v: wall time and peak RSS. */
function timed(argv: string[], cwd = process.cwd()): { wallMs: number; rssMb: number; stdout: string } {
  const r = spawnSync('/usr/bin/time', ['-v', ...argv], { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed (${r.status}): ${r.stderr.slice(-1000)}`);
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr);
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)/.exec(r.stderr);
  if (!rss || !wall) throw new Error(`no /usr/bin/time report: ${r.stderr.slice(-500)}`);
  return { wallMs: ((Number(wall[1] ?? 0) * 60 + Number(wall[2])) * 60 + Number(wall[3])) * 1000, rssMb: Number(rss[1]) / 1024, stdout: r.stdout };
}

/** The lists the limits read: each file with the format node gives it, and the bare paths. */
function limitLists(files: string[]): { compileList: string; statList: string } {
  const scopes = new PackageScopes(rulesOfThisNode());
  const lines: string[] = [];
  for (const f of files) {
    const r = scopes.resolve(f);
    lines.push(`${'error' in r ? 'commonjs' : r.format}\t${f}`);
  }
  const compileList = path.join(WORK, 'limit-compile.list');
  const statList = path.join(WORK, 'limit-stat.list');
  fs.writeFileSync(compileList, `${lines.join('\n')}\n`);
  fs.writeFileSync(statList, `${files.join('\n')}\n`);
  return { compileList, statList };
}

const compileLimit = (list: string) => timed([process.execPath, '--experimental-vm-modules', '--no-warnings', LIMIT_COMPILE, list]);
const statLimit = (list: string) => timed([process.execPath, LIMIT_STAT, list]);

/** `mechanic --version` against a bare node, alternating, medians (ms). */
function versionTimes(n: number): { bare: number; version: number } {
  const bare: number[] = [];
  const version: number[] = [];
  const once = (argv: string[]): number => {
    const t = performance.now();
    const r = spawnSync(process.execPath, argv, { stdio: 'ignore' });
    if (r.status !== 0) throw new Error(`${argv.join(' ')} failed`);
    return performance.now() - t;
  };
  for (let i = 0; i < n; i++) {
    bare.push(once(['-e', '0']));
    version.push(once([BIN, '--version']));
  }
  return { bare: median(bare), version: median(version) };
}

async function main(): Promise<void> {
  if (!fs.existsSync(BIN)) throw new Error('dist/ is missing: npm run build first');
  const load = os.loadavg().map((l) => l.toFixed(1)).join(', ');
  const v = versionTimes(15);
  log(`mechanic --version: ${v.version.toFixed(0)} ms (bare node ${v.bare.toFixed(0)} ms); load average ${load}`);
  let failed = false;
  for (const which of TREES) {
    useTree(which);
    failed = (await benchTree(which, v, load)) || failed;
  }
  if (failed) process.exit(1);
}

async function benchTree(which: 'small' | 'heavy', v: { bare: number; version: number }, load: string): Promise<boolean> {
  install();
  const tree = buildTree();
  const mb = tree.bytes / 1024 / 1024;
  log(`tree: ${tree.files.length} files, ${mb.toFixed(1)} MB, ${tree.broken.length} broken by seeded slips`);
  await settle();

  log(`seed approach: node --check on ${SAMPLE} sampled files, one process each …`);
  const seed = await seedApproach(tree.files);
  const seedTotalMs = seed.perFileMs * tree.files.length;

  // Each scan beside its limit, one after the other, so that both see the same load.
  const lists = limitLists(tree.files);
  const cold: ScanRun[] = [];
  const compile: { wallMs: number; rssMb: number }[] = [];
  for (let i = 0; i < RUNS; i++) {
    fs.rmSync(STATE, { recursive: true, force: true });
    cold.push(scanOnce());
    compile.push(compileLimit(lists.compileList));
    log(`cold ${i + 1}: ${cold.at(-1)!.wallMs.toFixed(0)} ms, ${cold.at(-1)!.rssMb.toFixed(0)} MB, read ${cold.at(-1)!.read}; V8 compile limit ${compile.at(-1)!.wallMs.toFixed(0)} ms`);
  }
  const warm: ScanRun[] = [];
  const stat: { wallMs: number; rssMb: number }[] = [];
  for (let i = 0; i < RUNS; i++) {
    warm.push(scanOnce());
    stat.push(statLimit(lists.statList));
    log(`warm ${i + 1}: ${warm.at(-1)!.wallMs.toFixed(0)} ms, read ${warm.at(-1)!.read}, cached ${warm.at(-1)!.cached}; stat limit ${stat.at(-1)!.wallMs.toFixed(0)} ms`);
  }
  const changed: ScanRun[] = [];
  const rnd = seededRandom(SEED + 3);
  for (let i = 0; i < RUNS; i++) {
    const n = Math.round(tree.files.length / 100);
    for (let k = 0; k < n; k++) fs.appendFileSync(tree.files[rnd.int(tree.files.length)]!, `\n// changed ${i}.${k}\n`);
    changed.push(scanOnce());
    log(`1% changed ${i + 1}: ${changed.at(-1)!.wallMs.toFixed(0)} ms, read ${changed.at(-1)!.read}`);
    await settle();
    scanOnce(); // the changed files, once settled, back in the cache for the next round
  }

  let par: { compared: number; disagreements: string[] } = { compared: 0, disagreements: [] };
  if (PARITY !== 'none') {
    log(`parity (${PARITY}): node --check on every judged file …`);
    // Judged on the tree as the last scan saw it (the appended comments change no verdict).
    par = await parity(tree.files, scanOnce());
  }

  const found = cold[0]!.bugs.size;
  const brokenFound = tree.broken.filter((f) => cold[0]!.bugs.has(f)).length;
  const compileMs = median(compile.map((r) => r.wallMs));
  const statMs = median(stat.map((r) => r.wallMs));
  const row = (name: string, runs: ScanRun[], limit?: number) => {
    const wall = median(runs.map((r) => r.wallMs));
    return [
      name,
      `${wall.toFixed(0)} ms`,
      `${Math.round(tree.files.length / (wall / 1000))}`,
      `${(mb / (wall / 1000)).toFixed(1)}`,
      `${median(runs.map((r) => r.rssMb)).toFixed(0)} MB`,
      `${Math.round(median(runs.map((r) => r.read)))}`,
      `${(seedTotalMs / wall).toFixed(0)}×`,
      limit ? `${(wall / limit).toFixed(2)}×` : '—',
    ];
  };
  const table = markdownTable([
    ['', 'wall (median)', 'files/s', 'MB/s', 'peak RSS', 'files read', 'vs seed', '÷ its limit'],
    ['seed approach (extrapolated)', `${(seedTotalMs / 1000).toFixed(0)} s`, `${Math.round(1000 / seed.perFileMs)}`, `${(mb / (seedTotalMs / 1000)).toFixed(2)}`, '—', `${tree.files.length}`, '1×', '—'],
    ['limit: V8 compile of every file, one thread', `${compileMs.toFixed(0)} ms`, '', '', `${median(compile.map((r) => r.rssMb)).toFixed(0)} MB`, `${tree.files.length}`, '', ''],
    ['limit: node + stat of every file', `${statMs.toFixed(0)} ms`, '', '', `${median(stat.map((r) => r.rssMb)).toFixed(0)} MB`, '0', '', ''],
    row('cold scan', cold, compileMs),
    row('warm rescan, nothing changed', warm, statMs),
    row('rescan after 1% changed', changed),
  ]);
  const coldWall = median(cold.map((r) => r.wallMs));
  const warmWall = median(warm.map((r) => r.wallMs));
  const peak = Math.max(...[...cold, ...warm, ...changed].map((r) => r.rssMb));
  const targets: [string, boolean, string][] = [
    ['cold scan ≤ 1.2× the V8 compile limit', coldWall <= 1.2 * compileMs, `${(coldWall / compileMs).toFixed(2)}×`],
    ['warm rescan ≤ 2.5× the node + stat limit', warmWall <= 2.5 * statMs, `${(warmWall / statMs).toFixed(2)}×`],
    ['peak RSS ≤ 250 MB', peak <= 250, `${peak.toFixed(0)} MB`],
    ['`mechanic --version` ≤ 150 ms', v.version <= 150, `${v.version.toFixed(0)} ms; a bare \`node -e 0\` ${v.bare.toFixed(0)} ms in the same run`],
    ['cold scan ≥ 200× faster than the seed approach', seedTotalMs / coldWall >= 200, `${(seedTotalMs / coldWall).toFixed(0)}×`],
    ['warm rescan of the unchanged tree < 1 s', warmWall < 1000, `${warmWall.toFixed(0)} ms`],
    ['peak RSS < 400 MB', peak < 400, `${peak.toFixed(0)} MB`],
    [`zero disagreements with node --check (${PARITY === 'none' ? 'not run' : `${par.compared} files compared`})`, PARITY !== 'none' && par.disagreements.length === 0, String(par.disagreements.length)],
  ];
  const body = [
    `Command: \`npm run build && npm run bench:scan -- ${args.join(' ')}\` (seed ${SEED}, ${RUNS} runs of each scan, parity ${PARITY}) · ${new Date().toISOString().slice(0, 10)}, revision ${gitRevision()}, ${machine()}; load average at the start ${load} (the machine is shared: ratios to the limits, measured beside each scan, are the figures to read).`,
    '',
    `Tree: ${tree.files.length} .js/.cjs/.mjs files (${mb.toFixed(1)} MB) of ${PACKAGES.join(', ')} and their dependencies, copied out of node_modules (nested node_modules folders renamed so that they are scanned too); ${tree.broken.length} files given a seeded slip from the bench:repair taxonomy (a slip can leave valid JavaScript: a deleted \`;\`, say); ${brokenFound} of them no longer parse and are reported, ${found} files reported in all. Scans: \`mechanic scan --json\` in a fresh process each time, under \`/usr/bin/time -v\` (wall time and peak RSS of the process, worker threads included). Seed approach: \`node --check\` in one process per file, one after another as the seed runs it, on ${seed.sample} seeded sampled files (${seed.perFileMs.toFixed(1)} ms a file), extrapolated to the tree.`,
    '',
    table,
    '',
    'Targets:',
    ...targets.map(([t, ok, v]) => `- ${ok ? 'met' : '**not met**'}: ${t} (measured: ${v})`),
    ...(par.disagreements.length ? ['', 'Disagreements:', ...par.disagreements.slice(0, 50).map((d) => `- ${d}`)] : []),
  ].join('\n');
  process.stdout.write(`${body}\n`);
  if (WRITE)
    writeSection(
      path.resolve('docs', 'BENCHMARKS.md'),
      which === 'small' ? 'bench:scan' : 'bench:scan-heavy',
      which === 'small' ? 'Scan: a large tree against one node --check per file' : 'Scan: large packages against the parse and stat limits',
      body,
    );
  if (par.disagreements.length) log(`\n${par.disagreements.length} DISAGREEMENTS WITH node --check:\n${par.disagreements.join('\n')}`);
  return par.disagreements.length > 0;
}

await main();
