/**
 * The soak, long form: `npm run soak -- [--kills 1000] [--seed 1] [--min-faults 5] [--remedy] [--json out.json]`.
 * The daemon over a real app under a real PM2, failures injected on a schedule, the daemon
 * SIGKILLed at random (seeded) moments; prints the counts docs/RELIABILITY.md reports.
 * Needs `npm run build` first (the daemon runs from dist/).
 */
import fs from 'node:fs';
import os from 'node:os';
import { CRASH_LOOPS, errorLine, runSoak, summarizeTimes, type SoakOptions } from '../test/helpers/soak.ts';
import { gitRevision } from './lib/report.ts';

function args(argv: string[]): SoakOptions & { json?: string } {
  const o: SoakOptions & { json?: string } = { kills: 1000 };
  const num = (flag: string, v: string | undefined): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`${flag}: expected a whole number, got ${JSON.stringify(v)}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--kills') o.kills = num(a, argv[++i]);
    else if (a === '--seed') o.seed = num(a, argv[++i]);
    else if (a === '--min-faults') o.minFaults = num(a, argv[++i]);
    else if (a === '--remedy') o.remedy = true;
    else if (a === '--json') o.json = argv[++i];
    else throw new Error(`unknown argument ${a} (use --kills N, --seed N, --min-faults N, --remedy, --json FILE)`);
  }
  return o;
}

let opts: ReturnType<typeof args>;
try {
  opts = args(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`soak: ${(err as Error).message}\n`);
  process.exit(2);
}
// Marked -dirty when the tree differs from HEAD: the figures are then not HEAD's.
const revision = gitRevision();
const log = (s: string) => process.stderr.write(`${new Date().toISOString()} ${s}\n`);
log(`soak: ${opts.kills} kills, seed ${opts.seed ?? 1}, revision ${revision}, node ${process.version}, ${os.cpus().length} cores`);
const r = await runSoak({ ...opts, onLine: log });

const crash = summarizeTimes(r.faults, CRASH_LOOPS);
const runtime = summarizeTimes(r.faults, ['runtime-shared']);
const stopped = summarizeTimes(r.faults, ['stop-worker']);
const s = (ms: number) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(1)} s` : '—');
const lines = [
  `revision ${revision}, node ${process.version}, ${os.cpus().length} cores, seed ${r.seed}, ${(r.durationMs / 60_000).toFixed(1)} min`,
  `kills: ${r.kills} SIGKILLs, ${r.daemonStarts} daemon starts, ${r.cyclesReported} cycles reported`,
  `faults: ${r.faults.length} (${['slip-shared', 'slip-server', 'slip-worker', 'runtime-shared', 'stop-worker'].map((k) => `${k} ${r.faults.filter((f) => f.kind === k).length}`).join(', ')})`,
  `model calls: ${r.modelCalls.length}, for history: ${r.historyCalls.length} (${r.historyErrors.length} distinct errors; the soak's 1 s file cooldown lets one be asked again every second)`,
  `probe status changes in healthy stretches: ${r.healthyProbeChanges.length} (${r.healthyStretches} stretches, ${s(r.healthyMs)}); app failing the oracle in them: ${r.healthyOracleFailures}`,
  `files other than original, injected or a validated fix after a kill: ${r.badFiles.length} (fix in flight at a kill, settled after: ${r.inFlightAtKill}; validated fix on disk at a kill: ${r.validatedFixAtKill}); final files ok: ${r.finalFilesOk}`,
  `crash loop → running again: ${crash.recovered}/${crash.bit} by the mechanic (${crash.n - crash.bit} of ${crash.n} slips fixed before their deploy loaded them), median ${s(crash.medianMs)}, max ${s(crash.maxMs)}`,
  `runtime error path → jobs done again: ${runtime.recovered}/${runtime.bit}, median ${s(runtime.medianMs)}, max ${s(runtime.maxMs)}`,
  opts.remedy
    ? `stopped by hand → running again (remedy): ${stopped.recovered}/${stopped.bit}, median ${s(stopped.medianMs)}, max ${s(stopped.maxMs)}`
    : `stopped by hand, no remedy configured → left stopped: ${r.faults.filter((f) => f.stayedStopped).length}/${stopped.n}`,
];
process.stdout.write(lines.join('\n') + '\n');
for (const e of r.historyErrors) process.stdout.write(`  history: ${e}: ${r.historyCalls.filter((c) => `${c.file}: ${errorLine(c.error)}` === e).length} call(s)\n`);
for (const c of r.healthyProbeChanges) process.stdout.write(`  change: ${c.time} ${c.probe} ${c.from} → ${c.to}: ${c.reason}\n`);
for (const b of r.badFiles) process.stdout.write(`  bad file after kill ${b.kill}: ${b.file}: ${b.why}\n`);
for (const f of r.faults.filter((x) => x.driverRestored || x.stayedStopped === false)) {
  process.stdout.write(`  fault ${f.n} ${f.kind}: not running again (${f.stuck})\n`);
  for (const l of f.mechanicLog ?? []) process.stdout.write(`    ${l}\n`);
}
if (opts.json) fs.writeFileSync(opts.json, JSON.stringify({ revision, node: process.version, cores: os.cpus().length, ...r }, null, 1));
