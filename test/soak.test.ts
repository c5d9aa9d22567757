// The soak, quick form: `mechanic daemon` over a real app under a real PM2 (an HTTP server, a
// queue worker, a shared module), faults injected on a seeded schedule, the daemon SIGKILLed at
// random moments and started again at once. The long form is `npm run soak` (bench/soak.ts);
// docs/RELIABILITY.md has its figures.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CRASH_LOOPS, runSoak } from './helpers/soak.ts';

describe('soak (quick form)', () => {
  it('15 kills over a crash loop of each file, a runtime error path and a stop by hand: no history sent to the model, no flap, no damaged file, running again', { timeout: 240_000 }, async () => {
    const r = await runSoak({ kills: 15, minFaults: 5, seed: 13, healthyMs: [4000, 6000], stoppedWatchMs: 4000 });
    assert.equal(r.kills, 15);
    assert.ok(r.cyclesReported >= 20, `the daemon cycled between kills (${r.cyclesReported} cycles)`);
    assert.deepEqual(new Set(r.faults.map((f) => f.kind)), new Set(['slip-shared', 'slip-server', 'slip-worker', 'runtime-shared', 'stop-worker']));
    const bit = r.faults.filter((f) => CRASH_LOOPS.includes(f.kind) && f.bit);
    assert.ok(bit.length >= 1, `at least one crash loop bit: ${JSON.stringify(r.faults)}`);
    // The runtime fault needs the model: the classification has fresh calls to tell history from.
    assert.ok(r.modelCalls.some((c) => c.fresh), `the runtime fault reached the model: ${JSON.stringify(r.modelCalls)}`);

    // Every target is checked, and every miss named, in one assertion.
    const missed: string[] = [];
    // Files: after every kill each is its original, the driver's injected text, or a validated fix.
    for (const b of r.badFiles) missed.push(`file after kill ${b.kill}: ${b.file}: ${b.why}`);
    if (!r.finalFilesOk) missed.push('files at the end: not each original or a validated fix');
    // Model calls about an error the file they sent can no longer raise: history.
    for (const e of r.historyErrors) missed.push(`model calls for history: ${e} (${r.historyCalls.length} calls in all)`);
    // A healthy app: no probe status change logged, and the app itself never failed.
    for (const c of r.healthyProbeChanges) missed.push(`probe change on a healthy app: ${c.probe} ${c.from} → ${c.to}: ${c.reason}`);
    if (r.healthyOracleFailures) missed.push(`the app failed ${r.healthyOracleFailures} check(s) in a healthy stretch`);
    // Running again: every crash loop that bit and every runtime fault, without the driver's help.
    for (const f of [...bit, ...r.faults.filter((x) => x.kind === 'runtime-shared')])
      if (f.recoveredMs === undefined || f.driverRestored) missed.push(`fault ${f.n} ${f.kind}: not running again (${f.stuck}); the mechanic logged: ${(f.mechanicLog ?? []).join(' | ')}`);
    // No remedy configured: a process a person stopped is left stopped.
    for (const f of r.faults.filter((x) => x.kind === 'stop-worker')) if (!f.stayedStopped) missed.push(`fault ${f.n}: the worker stopped by hand was started (${f.stuck})`);
    assert.deepEqual(missed, []);
  });
});
