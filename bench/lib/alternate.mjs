// Side by side, alternating: each command once per round, in turn, so that all of them see the
// same load; the median wall time of each (and its ratio to the last, the limit) and its median
// CPU time, in ms (under /usr/bin/time).
// Run: node bench/lib/alternate.mjs [--rounds 7] [--cwd DIR] NAME=ARGV [NAME=ARGV ...]
// where ARGV is the program and its arguments separated by spaces (no shell), e.g.
//   node bench/lib/alternate.mjs --cwd .cache/bench/scan-work/tree \
//     "before=node /tmp/before/dist/cli/main.js scan --json" \
//     "after=node dist/cli/main.js scan --json" \
//     "limit=node bench/lib/limit-stat.mjs .cache/bench/scan-work/limit-stat.list"
// Relative paths in ARGV are taken from the folder this is run in, not --cwd. Exit status 0 or
// 1 (a scan that found bugs) counts as a run; anything else stops it.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const args = process.argv.slice(2);
let rounds = 7;
let cwd = process.cwd();
const commands = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--rounds') rounds = Number(args[++i]);
  else if (args[i] === '--cwd') cwd = path.resolve(args[++i]);
  else {
    const eq = args[i].indexOf('=');
    if (eq <= 0) throw new Error(`expected NAME=ARGV, got "${args[i]}"`);
    const argv = args[i].slice(eq + 1).split(' ').filter(Boolean).map((a) => (a === 'node' ? process.execPath : /^\.{0,2}[\w.-]*\//.test(a) && fs.existsSync(a) ? path.resolve(a) : a));
    commands.push({ name: args[i].slice(0, eq), argv, ms: [], cpu: [] });
  }
}
if (!commands.length || !Number.isInteger(rounds) || rounds < 1) throw new Error('usage: alternate.mjs [--rounds N] [--cwd DIR] NAME=ARGV ...');

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const load = () => os.loadavg()[0].toFixed(1);
const loadBefore = load();
for (let r = 0; r < rounds; r++) {
  for (const c of commands) {
    // CPU time (user + system, threads included) beside the wall time: steadier on a loaded machine.
    const t = performance.now();
    const p = spawnSync('/usr/bin/time', ['-f', '%U %S', ...c.argv], { cwd, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    const ms = performance.now() - t;
    if (p.status !== 0 && p.status !== 1) throw new Error(`${c.name} exited ${p.status}: ${String(p.stderr).slice(-1000)}`);
    const [user, sys] = String(p.stderr).trim().split('\n').at(-1).split(' ').map(Number);
    c.ms.push(ms);
    c.cpu.push((user + sys) * 1000);
  }
  process.stderr.write(`round ${r + 1}: ${commands.map((c) => `${c.name} ${c.ms.at(-1).toFixed(0)}`).join(', ')}\n`);
}
const limit = median(commands.at(-1).ms);
const result = {
  rounds,
  load: `${loadBefore} → ${load()}`,
  medians: Object.fromEntries(commands.map((c) => [c.name, { ms: Math.round(median(c.ms)), ratio: Number((median(c.ms) / limit).toFixed(2)), cpuMs: Math.round(median(c.cpu)) }])),
};
process.stdout.write(`${JSON.stringify(result)}\n`);
