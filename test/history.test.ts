// History in the CLI: `status --history` (each probe's last results, uptime over 24 h and 7 d
// from hourly buckets of bounded size) and `log --since/--kind/--file`, through real cycles.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { box, SEED_WORKER } from './helpers/cli.ts';

const HOUR = 3_600_000;
const node = process.execPath;
/** Down while the file `down` is in the app folder. */
const flipProbe = { name: 'flip', kind: 'command', command: [node, '-e', "process.exit(require('fs').existsSync('down') ? 1 : 0)"] };
const steadyProbe = { name: 'steady', kind: 'command', command: [node, '-e', 'process.exit(0)'] };

function stateFile(dir: string) {
  return path.join(dir, 'state', 'state.json');
}

describe('status --history', () => {
  it('shows the last results and the uptime over 24 h and 7 d; buckets older than 7 d are dropped', async () => {
    const sb = box();
    sb.write('lib/ok.js', 'module.exports = 1;\n');
    sb.config({ roots: ['lib'], repairers: [], pm2Logs: false, stateDir: '../state', probes: [flipProbe, steadyProbe] });
    // A past the mechanic lived through: 3 days ago 10 checks with 5 healthy; 8 days ago 4 checks.
    const hourNow = Math.floor(Date.now() / HOUR) * HOUR;
    fs.mkdirSync(path.join(sb.dir, 'state'), { recursive: true });
    const past = {
      version: 1, totalCycles: 14, totalFixes: 0, totalReverts: 0, files: {}, lastProbes: [], probeHistory: {}, logOffsets: {}, runtimeBugs: [], remedies: {}, bugAttempts: {},
      probeUptime: {
        flip: [
          { hour: hourNow - 8 * 24 * HOUR, checks: 4, healthy: 0, degraded: 0 },
          { hour: hourNow - 3 * 24 * HOUR, checks: 10, healthy: 5, degraded: 1 },
        ],
      },
    };
    fs.writeFileSync(stateFile(sb.dir), JSON.stringify(past));

    assert.equal((await sb.run(['run'])).code, 0);
    sb.write('down', '');
    assert.equal((await sb.run(['run'])).code, 1, 'a probe down: exit 1');
    fs.rmSync(path.join(sb.app, 'down'));
    assert.equal((await sb.run(['run'])).code, 0);

    const r = await sb.runJson(['status', '--history']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.json.totalCycles, 17, 'the usual status is still there');
    const flip = r.json.history.find((h: any) => h.name === 'flip');
    const steady = r.json.history.find((h: any) => h.name === 'steady');
    assert.deepEqual(flip.last.map((x: any) => x.status), ['healthy', 'down', 'healthy']);
    assert.equal(flip.status, 'healthy');
    assert.deepEqual({ ...flip.uptime24h }, { ratio: 2 / 3, checks: 3, healthy: 2, degraded: 0 });
    assert.deepEqual({ ...flip.uptime7d }, { ratio: 7 / 13, checks: 13, healthy: 7, degraded: 1 }, 'the 8-day-old bucket does not count');
    assert.deepEqual({ ...steady.uptime7d }, { ratio: 1, checks: 3, healthy: 3, degraded: 0 });

    const saved = JSON.parse(fs.readFileSync(stateFile(sb.dir), 'utf8'));
    const hours = saved.probeUptime.flip.map((b: any) => b.hour);
    assert.equal(hours[0], hourNow - 3 * 24 * HOUR, 'bounded: the hour older than 7 d is gone');
    assert.ok(hours.slice(1).every((h: number) => h >= hourNow), 'the rest are this hour (or the next, if the clock turned meanwhile)');

    const text = await sb.run(['status', '--history']);
    assert.equal(text.code, 0);
    assert.match(text.stdout, /history \(last results oldest first/);
    assert.match(text.stdout, /flip\s+\+x\+\s+24h 66\.7% \(2\/3\)\s+7d 53\.8% \(7\/13\)/);
    assert.match(text.stdout, /steady\s+\+\+\+\s+24h 100% \(3\/3\)\s+7d 100% \(3\/3\)/);

    const plain = await sb.runJson(['status']);
    assert.equal(plain.json.history, undefined, 'without --history, no history');
  });

  it('a state file from before uptime buckets reads as no checks, not an error', async () => {
    const sb = box();
    sb.config({ roots: ['.'], repairers: [], pm2Logs: false, stateDir: '../state' });
    fs.mkdirSync(path.join(sb.dir, 'state'), { recursive: true });
    const at = new Date().toISOString();
    const r0 = { name: 'old', kind: 'http', status: 'down', reason: 'refused', durationMs: 3, at };
    fs.writeFileSync(stateFile(sb.dir), JSON.stringify({ version: 1, totalCycles: 1, totalFixes: 0, totalReverts: 0, files: {}, lastProbes: [r0], probeHistory: { old: [r0] }, logOffsets: {}, runtimeBugs: [], remedies: {} }));
    const r = await sb.runJson(['status', '--history']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.json.history[0].name, 'old');
    assert.equal(r.json.history[0].uptime24h.ratio, null);
    assert.equal(r.json.history[0].uptime24h.checks, 0);
  });
});

describe('log --since / --kind / --file', () => {
  it('filters by kind, file, folder and time; bad values exit 2 and change nothing', async () => {
    const sb = box();
    const worker = sb.write('lib/worker.js', SEED_WORKER);
    sb.write('lib/other.js', 'module.exports = 2;\n');
    sb.config({ roots: ['lib'], repairers: ['deterministic'], pm2Logs: false, stateDir: '../state', probes: [steadyProbe] });
    const run = await sb.runJson(['run']);
    assert.equal(run.json.fixes[0].outcome, 'applied', JSON.stringify(run.json.fixes));
    assert.equal((await sb.run(['revert', 'lib/worker.js'])).code, 0);
    // An old entry, from before the window of --since.
    const logFile = path.join(sb.dir, 'state', 'mechanic-log.json');
    const log = JSON.parse(fs.readFileSync(logFile, 'utf8'));
    log.unshift({ type: 'probe', id: 'probe-old', time: '2020-05-01T00:00:00.000Z', probe: 'steady', from: 'new', to: 'down', reason: 'long ago' });
    fs.writeFileSync(logFile, JSON.stringify(log));

    const types = async (...args: string[]) => {
      const r = await sb.runJson(['log', ...args]);
      assert.equal(r.code, 0, r.stderr);
      return r.json.map((e: any) => `${e.type}${e.id === 'probe-old' ? ':old' : ''}`);
    };
    assert.deepEqual(await types(), ['probe:old', 'probe', 'fix', 'revert']);
    assert.deepEqual(await types('--kind', 'fix'), ['fix']);
    assert.deepEqual(await types('--kind', 'fix,revert'), ['fix', 'revert']);
    assert.deepEqual(await types('--kind', 'probe', '--kind', 'revert'), ['probe:old', 'probe', 'revert']);
    assert.deepEqual(await types('--file', 'lib/worker.js'), ['fix', 'revert'], 'relative to the current folder');
    assert.deepEqual(await types('--file', worker), ['fix', 'revert'], 'absolute');
    assert.deepEqual(await types('--file', 'worker.js'), ['fix', 'revert'], 'relative to a root');
    assert.deepEqual(await types('--file', 'lib'), ['fix', 'revert'], 'a folder: the files under it');
    assert.deepEqual(await types('--file', 'lib/other.js'), []);
    assert.deepEqual(await types('--since', '1h'), ['probe', 'fix', 'revert']);
    assert.deepEqual(await types('--since', '2021-01-01'), ['probe', 'fix', 'revert']);
    assert.deepEqual(await types('--since', '2019-12-31T23:00:00Z'), ['probe:old', 'probe', 'fix', 'revert']);
    assert.deepEqual(await types('--since', '2h', '--kind', 'probe'), ['probe']);
    assert.deepEqual(await types('--kind', 'fix,revert', '-n', '1'), ['revert'], 'the limit counts what the filters keep');

    const text = await sb.run(['log', '--kind', 'escalation']);
    assert.equal(text.code, 0);
    assert.equal(text.stdout, 'no log entries match\n');

    const before = fs.readFileSync(logFile, 'utf8');
    const bad: [string[], RegExp][] = [
      [['--since', 'yesterday'], /--since: expected a duration \(30m, 2h, 7d\) or a time .*got "yesterday"/],
      [['--since', '2021-13-45'], /--since: .*got "2021-13-45"/],
      [['--since', '0s'], /duration/],
      [['--kind', 'fixes'], /--kind: "fixes" is not a kind of log entry; expected one of fix, revert, probe, remedy, escalation, recovery/],
      [['--kind', 'fix,'], /--kind: "" is not a kind/],
      [['--file', ''], /--file: expected a path/],
    ];
    for (const [args, message] of bad) {
      const r = await sb.run(['log', ...args]);
      assert.equal(r.code, 2, `${args.join(' ')}: exit 2`);
      assert.match(r.stderr, message);
      assert.equal(r.stdout, '');
    }
    assert.equal(fs.readFileSync(logFile, 'utf8'), before, 'bad input changes nothing');
  });
});
