// Escalation: a bug that keeps defeating the repair ladder is escalated once, then left for a
// person with no more model calls, until its file changes or `mechanic retry` clears it. Real
// `mechanic` runs over several cycles, against the project's loopback model test server
// answering fixes that do not parse.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { box, SEED_WORKER, type Sandbox } from './helpers/cli.ts';
import { startModelServer, type ModelServer } from './helpers/model-server.ts';

/** The seed's worker with the extra paren doubled: it still does not parse. */
const WRONG_FIX = SEED_WORKER.replace('x * 2));', 'x * 2)));');

function setup(sb: Sandbox, server: ModelServer, extra: object = {}): string {
  const file = sb.write('lib/worker.js', SEED_WORKER);
  // Only the model rung, and no cooldown: every cycle attempts the bug again.
  sb.config({ roots: ['lib'], repairers: ['llm'], fileCooldownMs: 0, pm2Logs: false, stateDir: '../state', llm: { baseUrl: server.url, retries: 0 }, ...extra });
  return file;
}

function stateOf(sb: Sandbox): any {
  return JSON.parse(fs.readFileSync(path.join(sb.dir, 'state', 'state.json'), 'utf8'));
}

/** The failed attempts counted for the one bug in the state, 0 when none. */
function counted(sb: Sandbox): number {
  const recs: any[] = Object.values(stateOf(sb).bugAttempts ?? {});
  assert.ok(recs.length <= 1, JSON.stringify(recs));
  return recs[0]?.attempts ?? 0;
}

async function escalations(sb: Sandbox): Promise<any[]> {
  return (await sb.runJson(['log', '-n', '200'])).json.filter((e: any) => e.type === 'escalation');
}

describe('escalation', () => {
  let server: ModelServer;
  before(async () => {
    server = await startModelServer({ answers: [{ text: WRONG_FIX }] });
  });
  after(() => server.close());

  it('counts failed attempts across cycles, escalates once at the default 3, then makes no model call', async () => {
    const sb = box();
    const file = setup(sb, server);
    const calls: number[] = [];
    for (let i = 1; i <= 3; i++) {
      const before = server.requests.length;
      const r = await sb.runJson([i % 2 ? 'run' : 'fix']);
      assert.equal(r.code, 1);
      const fix = r.json.fixes[0];
      assert.ok(['failed', 'reverted'].includes(fix.outcome), JSON.stringify(fix));
      assert.ok(server.requests.length > before, `attempt ${i} asked the model`);
      calls.push(server.requests.length - before);
      assert.equal(counted(sb), i, `attempt ${i} counted`);
      assert.equal((await escalations(sb)).length, i < 3 ? 0 : 1, `escalated at the third attempt, not before (after ${i})`);
      if (i < 3) assert.doesNotMatch(fix.reason, /escalated/);
      else assert.match(fix.reason, /; escalated after 3 failed attempts \(escalation \S+\): left for a person/, 'the attempt itself says so');
    }
    const log = (await sb.runJson(['log', '-n', '200'])).json;
    assert.deepEqual(log.map((e: any) => e.type), ['fix', 'fix', 'fix', 'escalation'], 'the escalation follows the attempt that caused it');
    const [esc] = await escalations(sb);
    assert.equal(esc.file, file);
    assert.equal(esc.attempts, 3);
    assert.equal(esc.bug.errorType, 'SyntaxError');
    assert.match(esc.reason, /defeated the repair ladder 3 times on the same file contents .*\(escalateAfter 3\).*mechanic retry/);
    assert.equal(SEED_WORKER, sb.read('lib/worker.js'), 'nothing written');

    // Later cycles: skipped with the reason, not one request of any kind to the model server.
    const quiet = server.requests.length;
    for (const mode of ['run', 'fix', 'run']) {
      const r = await sb.runJson([mode]);
      assert.equal(r.code, 1, 'left for a person');
      const fix = r.json.fixes[0];
      assert.equal(fix.outcome, 'skipped');
      assert.match(fix.reason, /^escalated at .+ after 3 failed attempts: left for a person, no more attempts \(no model calls\) until the file changes or `mechanic retry .*worker\.js`$/);
    }
    assert.equal(server.requests.length, quiet, 'no model request after the escalation');
    assert.equal((await escalations(sb)).length, 1, 'escalated exactly once');
    const text = await sb.run(['fix']);
    assert.match(text.stdout, /escalated at .* after 3 failed attempts/);
    assert.equal(server.requests.length, quiet);

    // status lists it, as JSON and as text.
    const st = await sb.runJson(['status']);
    assert.equal(st.code, 1, 'an escalated bug needs a person: exit 1');
    assert.equal(st.json.needsPerson.escalated.length, 1);
    const e = st.json.needsPerson.escalated[0];
    assert.equal(e.file, file);
    assert.equal(e.attempts, 3);
    assert.equal(e.since, esc.time);
    assert.equal(e.line, 4);
    assert.equal(e.error, `SyntaxError: ${esc.bug.message}`);
    assert.equal(e.escalationId, esc.id);
    const st2 = await sb.run(['status']);
    assert.match(st2.stdout, /needs a person \(1\):\n\s+escalated\s+worker\.js:4\s+SyntaxError: Unexpected token '\)'\n\s+3 failed attempts, escalated .+; no more attempts until the file changes or `mechanic retry lib\/worker\.js`/, 'the path as typed from here');
    assert.ok(calls.every((n) => n >= 1));
  });

  it('in a daemon: escalated once, then no model call in the cycles that follow', async () => {
    const sb = box();
    setup(sb, server, { escalateAfter: 2, cycleIntervalMs: 100 });
    const before = server.modelCalls().length;
    const r = await sb.run(['daemon', '--cycles', '5', '--json'], { timeoutMs: 120_000 });
    assert.equal(r.code, 1, r.stderr);
    const cycles = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(cycles.length, 5);
    const outcomes = cycles.map((c) => c.fixes[0].outcome);
    assert.deepEqual(outcomes.map((o) => (o === 'reverted' ? 'failed' : o)), ['failed', 'failed', 'skipped', 'skipped', 'skipped']);
    for (const c of cycles.slice(2)) assert.match(c.fixes[0].reason, /^escalated at /);
    const perAttempt = (server.modelCalls().length - before) / 2;
    assert.ok(Number.isInteger(perAttempt) && perAttempt >= 1, `model calls made by the two attempts only (${server.modelCalls().length - before})`);
    assert.equal((await escalations(sb)).length, 1);
  });

  it('a change to the file clears the escalation: attempts again, counting from one', async () => {
    const sb = box();
    setup(sb, server, { escalateAfter: 2 });
    for (let i = 0; i < 2; i++) await sb.runJson(['fix']);
    assert.equal((await escalations(sb)).length, 1);
    let before = server.requests.length;
    await sb.runJson(['fix']);
    assert.equal(server.requests.length, before, 'escalated: no model call');

    // A person edits the file; the bug is still there (same error, same id).
    sb.write('lib/worker.js', `// looked at it\n${SEED_WORKER}`);
    before = server.requests.length;
    const r = await sb.runJson(['fix']);
    assert.ok(['failed', 'reverted'].includes(r.json.fixes[0].outcome), JSON.stringify(r.json.fixes[0]));
    assert.ok(server.requests.length > before, 'the model is asked again');
    assert.equal(counted(sb), 1, 'counting starts again');
    assert.equal((await sb.runJson(['status'])).json.needsPerson.escalated.length, 0, 'no longer escalated');
    assert.equal((await escalations(sb)).length, 1);

    // And it escalates again once the new contents defeat the ladder as often.
    await sb.runJson(['fix']);
    assert.equal((await escalations(sb)).length, 2);
    before = server.requests.length;
    await sb.runJson(['fix']);
    assert.equal(server.requests.length, before);
  });

  it('mechanic retry (by file, or by the escalation id) clears it: attempts again, counting from one', async () => {
    const sb = box();
    setup(sb, server, { escalateAfter: 2 });
    for (let i = 0; i < 2; i++) await sb.runJson(['run']);
    const [esc] = await escalations(sb);
    assert.ok(esc);

    const retried = await sb.runJson(['retry', 'lib/worker.js']);
    assert.equal(retried.code, 0);
    assert.ok(retried.json.lifted.includes('escalation'), JSON.stringify(retried.json));
    let before = server.requests.length;
    await sb.runJson(['run']);
    assert.ok(server.requests.length > before, 'the model is asked again after the retry');
    assert.equal(counted(sb), 1, 'counting starts again');
    await sb.runJson(['run']);
    const both = await escalations(sb);
    assert.equal(both.length, 2, 'escalated again after two more failures');

    // The escalation's id from the log names the file too.
    const text = await sb.run(['retry', both[1].id]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /worker\.js: .*escalation.* lifted/);
    before = server.requests.length;
    await sb.runJson(['run']);
    assert.ok(server.requests.length > before);
    assert.equal(counted(sb), 1);
  });

  it('an attempt cut by a model outage does not count', async () => {
    const sb = box();
    const down = await startModelServer({ answers: [{ status: 500, text: 'out of memory' }] });
    try {
      setup(sb, server, { escalateAfter: 2 });
      const first = await sb.runJson(['fix']);
      assert.ok(['failed', 'reverted'].includes(first.json.fixes[0].outcome));
      assert.equal(counted(sb), 1);
      // The same bug, the model server failing: no verdict, no count.
      sb.config({ roots: ['lib'], repairers: ['llm'], fileCooldownMs: 0, pm2Logs: false, stateDir: '../state', escalateAfter: 2, llm: { baseUrl: down.url, retries: 0 } });
      const cut = await sb.runJson(['fix']);
      assert.equal(cut.json.fixes[0].cut, 'model-outage', JSON.stringify(cut.json.fixes[0]));
      assert.ok(down.modelCalls().length >= 1);
      assert.equal(counted(sb), 1, 'not counted');
      assert.equal((await escalations(sb)).length, 0, 'not escalated');
    } finally {
      await down.close();
    }
  });

  it('an old state file without the new fields loads, and counting starts on it', async () => {
    const sb = box();
    setup(sb, server);
    const stateDir = path.join(sb.dir, 'state');
    fs.mkdirSync(stateDir, { recursive: true });
    const old = { version: 1, totalCycles: 4, totalFixes: 1, totalReverts: 0, files: {}, lastProbes: [], probeHistory: {}, logOffsets: {}, runtimeBugs: [], remedies: {} };
    fs.writeFileSync(path.join(stateDir, 'state.json'), JSON.stringify(old));
    const st = await sb.runJson(['status']);
    assert.equal(st.code, 0, st.stderr);
    assert.equal(st.json.totalCycles, 4);
    assert.deepEqual(st.json.needsPerson, { escalated: [], proposed: [], leftForPerson: [] });
    const r = await sb.runJson(['run']);
    assert.equal(r.code, 1);
    const state = stateOf(sb);
    assert.equal(state.totalCycles, 5, 'the old state was kept');
    assert.equal(counted(sb), 1);
  });

  it('status lists a proposed fix as needing a person while the file is unchanged', async () => {
    const sb = box();
    // A slip the deterministic rung repairs only below a gate of 1: proposed, nothing written.
    sb.write('lib/check.js', `'use strict';\nfunction f(a, b, c) {\n  return (a + b * c;\n}\nmodule.exports = { f };\n`);
    sb.config({ roots: ['lib'], repairers: ['deterministic'], pm2Logs: false, stateDir: '../state', deterministic: { minConfidence: 1 } });
    const r = await sb.runJson(['run']);
    const fix = r.json.fixes[0];
    assert.equal(fix.outcome, 'proposed', JSON.stringify(fix));
    const st = await sb.runJson(['status']);
    assert.equal(st.code, 1, 'something needs a person: exit 1');
    assert.equal(st.json.needsPerson.proposed.length, 1);
    assert.equal(st.json.needsPerson.proposed[0].fixId, fix.id);
    assert.equal(st.json.needsPerson.escalated.length, 0, 'a proposal is not a failed attempt');
    assert.match((await sb.run(['status'])).stdout, /needs a person \(1\):\n\s+proposed\s+check\.js\s+SyntaxError: .+\n\s+fix \S+ waits to be applied by hand/);
    // Once the file changes, that proposal no longer applies.
    sb.write('lib/check.js', `'use strict';\nfunction f(a, b, c) {\n  return (a + b) * c;\n}\nmodule.exports = { f };\n`);
    const after = await sb.runJson(['status']);
    assert.equal(after.code, 0, 'nothing needs a person: exit 0');
    assert.equal(after.json.needsPerson.proposed.length, 0);
    assert.match((await sb.run(['status'])).stdout, /nothing needs a person/);
  });

  for (const [bad, shown] of [[0, '0'], [1.5, '1.5'], ['3', '"3"'], [-2, '-2']] as const) {
    it(`escalateAfter ${shown}: a clear error naming the key, nothing changed`, async () => {
      const sb = box();
      setup(sb, server, { escalateAfter: bad });
      const r = await sb.run(['run']);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /escalateAfter: expected a whole number, 1 or more/);
      assert.equal(fs.existsSync(path.join(sb.dir, 'state')), false, 'no state written');
      assert.equal(sb.read('lib/worker.js'), SEED_WORKER);
    });
  }
});
