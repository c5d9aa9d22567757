// Where a rescan's CPU goes: the steps of scanSyntax, each timed alone (process CPU, ms), one scan
// a process (as the CLI runs one: its code is cold, as in the CLI), the median of each step over
// --rounds processes. Nothing is written: the cache is not saved, and an unchanged tree's walk
// writes no listing. Reads the build (dist/, from `npm run build`).
// Run: node bench/lib/warm-phases.mjs [--rounds 9] [--dist DIR] STATE_DIR ROOT
// e.g. after one scan has filled the state:
//   node bench/lib/warm-phases.mjs --rounds 9 /tmp/x/state-heavy .cache/bench/scan-heavy-work/tree/pkgs
// Steps: listings (their file read), cache (its file read and indexed), walk (folders stat'ed and
// listed, the include globs), stat (a stat a file), check (cache lookups, package scopes), retain.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
let rounds = 0;
let dist = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist');
const rest = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--rounds') rounds = Number(args[++i]);
  else if (args[i] === '--dist') dist = path.resolve(args[++i]);
  else rest.push(args[i]);
}
const [stateDir, root] = rest.map((p) => path.resolve(p));
if (!stateDir || !root) throw new Error('usage: warm-phases.mjs [--rounds N] [--dist DIR] STATE_DIR ROOT');

if (rounds > 0) {
  // One scan a process, in turn; the median of each step.
  const runs = [];
  for (let r = 0; r < rounds; r++) {
    const p = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--dist', dist, stateDir, root], { encoding: 'utf8' });
    if (p.status !== 0) throw new Error(p.stderr);
    runs.push(JSON.parse(p.stdout));
  }
  const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  };
  const steps = Object.keys(runs[0].cpuMs);
  const out = Object.fromEntries(steps.map((s) => [s, Number(median(runs.map((r) => r.cpuMs[s])).toFixed(1))]));
  process.stdout.write(`${JSON.stringify({ rounds, files: runs[0].files, cached: runs[0].cached, cpuMs: out })}\n`);
} else {
  const load = (m) => import(pathToFileURL(path.join(dist, m)).href);
  const [{ ScanCache }, { SyntaxChecker, SURFACE_BUDGET_BYTES }, { PackageScopes }, { listSourceFiles, treeOf }, { walkScopes }, { globMatcher }] = await Promise.all(
    ['engine/cache.js', 'engine/checker.js', 'analysis/format.js', 'discover/files.js', 'discover/scopes.js', 'discover/walk.js'].map(load),
  );
  const config = { roots: [root], include: ['**/*.js', '**/*.cjs', '**/*.mjs'], exclude: [], stateDir, backupDir: path.join(stateDir, 'backups'), maxFileBytes: 2 * 1024 * 1024 };
  const checker = await SyntaxChecker.create(process.execPath);
  const cpuMs = {};
  let last = process.cpuUsage();
  const step = (name) => {
    const c = process.cpuUsage(last);
    cpuMs[name] = (c.user + c.system) / 1000;
    last = process.cpuUsage();
  };
  const tree = treeOf(config);
  step('listings');
  const cache = ScanCache.open(stateDir, `node ${checker.nodeVersion.raw}`);
  step('cache');
  tree.select(root, globMatcher(config.include));
  step('walk');
  // The walk is kept by the tree: this is the stat a file and what goes with it.
  const listed = await listSourceFiles(config, tree);
  step('stat');
  const scopes = new PackageScopes(checker.rules, (dir) => tree.hasPackageJson(dir));
  const { summary } = await checker.check(listed.files, undefined, { fileStats: listed.fileStats, scopes, scopeKey: walkScopes(tree, scopes), cache, surfaceBudget: SURFACE_BUDGET_BYTES });
  step('check');
  cache.retain(listed.files);
  step('retain');
  await checker.close();
  process.stdout.write(`${JSON.stringify({ files: listed.files.length, cached: summary.cached, cpuMs })}\n`);
}
