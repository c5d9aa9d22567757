// Safety at the edges: crash recovery writes only where a fix may, a journal entry whose backup
// is gone is settled once, a state file that cannot be read stops the mechanic, a folder swapped
// for a link during a model call does not carry the write out of the roots, and a failed
// `pm2 jlist` is said, not taken for "no process".
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { box, sandbox, waitFor, type Sandbox } from './helpers/cli.ts';
import { startModelServer } from './helpers/model-server.ts';
import { PM2_BIN } from './helpers/pm2.ts';
import { minimalEnv, runProcess } from '../src/util/proc.ts';

const sha = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');
const BROKEN = "function total(items) {\n  return items.reduce((a, b) => a + b, 0;\n}\nmodule.exports = { total };\n";
const GOOD = BROKEN.replace('a + b, 0;', 'a + b, 0);');
/** A slip the deterministic rung repairs and writes (no model). */
const SLIP = 'export const settings = {\n  retries: 3\n  timeoutMs: 2000,\n};\nexport default settings;\n';

/** A journal entry as a fix writes it before touching the file (a crash left it there). */
function journalEntry(sb: Sandbox, id: string, entry: { file: string; originalHash: string; backup: string; candidateHash: string; phase?: string }): string {
  const dir = path.join(sb.dir, 'state', 'journal');
  fs.mkdirSync(dir, { recursive: true });
  const p = path.join(dir, `${id}.json`);
  fs.writeFileSync(p, JSON.stringify({ id, phase: 'writing', startedAt: new Date().toISOString(), ...entry }));
  return p;
}

describe('crash recovery writes only where a fix may', () => {
  it('a journal entry naming a file outside the roots (or through a link that leaves them) is not written, and recovery says so', async () => {
    const sb = box();
    sb.config({ pm2Logs: false, stateDir: '../state', llm: { provider: 'none' } });
    sb.write('ok.js', 'module.exports = 1;\n');
    // What the entry would "restore": bytes that are someone's to keep, outside the roots.
    const outside = path.join(sb.dir, 'outside');
    fs.mkdirSync(outside);
    const theirs = path.join(outside, 'theirs.js');
    fs.writeFileSync(theirs, 'their own file\n');
    const absent = path.join(outside, 'absent.js');
    fs.symlinkSync(outside, path.join(sb.app, 'out'));
    const evil = path.join(sb.dir, 'state', 'backups', 'evil.bak');
    fs.mkdirSync(path.dirname(evil), { recursive: true });
    fs.writeFileSync(evil, 'overwritten by recovery\n');
    const base = { originalHash: sha('overwritten by recovery\n'), backup: evil };
    // Each as settle would restore it: the file holds the candidate, or is gone.
    const entries = [
      journalEntry(sb, 'outside-1', { ...base, file: theirs, candidateHash: sha('their own file\n') }),
      journalEntry(sb, 'outside-2', { ...base, file: absent, candidateHash: sha('x') }),
      journalEntry(sb, 'via-link', { ...base, file: path.join(sb.app, 'out', 'theirs.js'), candidateHash: sha('their own file\n') }),
      journalEntry(sb, 'protected', { ...base, file: path.join(sb.app, 'node_modules', 'dep', 'index.js'), candidateHash: sha('x') }),
    ];

    const r = await sb.runJson(['run']);
    assert.equal(fs.readFileSync(theirs, 'utf8'), 'their own file\n', 'a file outside the roots is never written');
    assert.equal(fs.existsSync(absent), false, 'nor created');
    assert.equal(fs.existsSync(path.join(sb.app, 'node_modules')), false, 'nor a protected one');
    const notes: { file: string; action: string; detail: string }[] = r.json.recovered;
    assert.equal(notes.length, 4, JSON.stringify(notes));
    for (const n of notes) assert.equal(n.action, 'refused', JSON.stringify(n));
    for (const n of notes.filter((x) => !x.file.includes('node_modules'))) assert.match(n.detail, /may not write \(outside the configured roots/);
    assert.match(notes.find((n) => n.file.includes('node_modules'))!.detail, /protected: inside node_modules/);
    assert.equal(r.code, 1, 'left for a person');
    for (const e of entries) assert.equal(fs.existsSync(e), false, 'settled once');
    const log = await sb.runJson(['log']);
    assert.ok(JSON.stringify(log.json).includes('refused'), 'the refusal is in the log');

    const again = await sb.runJson(['run']);
    assert.deepEqual(again.json.recovered, []);
    assert.equal(again.code, 0, again.stderr);
  });

  it('a journal entry whose backup is missing is settled once, with a note that says so; later runs go on', async () => {
    const sb = box();
    sb.config({ pm2Logs: false, stateDir: '../state', llm: { provider: 'none' }, maxFixesPerRun: 0 });
    // The crash came after the write: the file holds the candidate, and the backup is gone.
    const file = sb.write('lib/stats.js', GOOD);
    const gone = path.join(sb.dir, 'state', 'backups', 'lib', 'stats.js.gone.bak');
    const entry = journalEntry(sb, 'lost-backup', { file, originalHash: sha(BROKEN), backup: gone, candidateHash: sha(GOOD) });

    const first = await sb.runJson(['run']);
    assert.deepEqual(
      first.json.recovered.map((n: any) => n.action),
      ['left-alone'],
      JSON.stringify(first.json.recovered),
    );
    assert.match(first.json.recovered[0].detail, new RegExp(`backup ${gone.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is missing; the file cannot be restored`));
    assert.equal(first.code, 1, 'left for a person, once');
    assert.equal(fs.existsSync(entry), false, 'the entry is settled');
    assert.equal(sb.read('lib/stats.js'), GOOD, 'the file is left as it is');

    for (let i = 0; i < 2; i++) {
      const next = await sb.runJson(['run']);
      assert.deepEqual(next.json.recovered, [], 'never again');
      assert.equal(next.code, 0, next.stderr);
    }
  });
});

describe('a state file that cannot be read', () => {
  const setup = () => {
    const sb = box();
    sb.config({ pm2Logs: false, stateDir: '../state', llm: { provider: 'none' }, fileCooldownMs: 0 });
    sb.write('lib/settings.mjs', SLIP);
    return sb;
  };
  const refuses = async (sb: Sandbox, why: RegExp) => {
    const before = fs.readdirSync(path.join(sb.dir, 'state')).sort();
    for (const cmd of [['run'], ['fix'], ['status']]) {
      const r = await sb.run(cmd);
      assert.equal(r.code, 2, `${cmd[0]}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, /state file .*state\.json cannot be read/);
      assert.match(r.stderr, why);
      assert.match(r.stderr, /refusing to run/);
    }
    assert.equal(sb.read('lib/settings.mjs'), SLIP, 'nothing fixed');
    assert.deepEqual(fs.readdirSync(path.join(sb.dir, 'state')).sort(), before, 'nothing set aside, nothing written');
  };

  it('is refused with exit 2 and the reason (a folder in its place: EISDIR)', async () => {
    const sb = setup();
    fs.mkdirSync(path.join(sb.dir, 'state', 'state.json'), { recursive: true });
    await refuses(sb, /EISDIR/);
  });

  it('is refused with exit 2 and the reason (no permission: EACCES, when not root)', async (t) => {
    const sb = setup();
    const first = await sb.runJson(['run']);
    assert.equal(first.json.fixes[0].outcome, 'applied', JSON.stringify(first.json.fixes));
    sb.write('lib/settings.mjs', SLIP);
    const state = path.join(sb.dir, 'state', 'state.json');
    fs.chmodSync(state, 0o000);
    try {
      if (process.getuid?.() === 0) {
        // Root reads it anyway: it is read, and the counts carry on (not a fresh start).
        t.diagnostic('running as root: mode 000 does not stop root; checking that the state is kept');
        const r = await sb.runJson(['status']);
        assert.equal(r.json.totalFixes, 1, JSON.stringify(r.json));
        return;
      }
      await refuses(sb, /EACCES/);
    } finally {
      fs.chmodSync(state, 0o600);
    }
  });

  it('a corrupt one is still set aside, and the mechanic starts afresh', async () => {
    const sb = setup();
    fs.mkdirSync(path.join(sb.dir, 'state'), { recursive: true });
    fs.writeFileSync(path.join(sb.dir, 'state', 'state.json'), '{"totalCycles": 3, ');
    const r = await sb.run(['run']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr + r.stdout, /set aside as .*state\.json\.corrupt-/);
    assert.equal(JSON.parse(fs.readFileSync(path.join(sb.dir, 'state', 'state.json'), 'utf8')).totalFixes, 1, 'afresh, and the fix counted');
    assert.ok(fs.readdirSync(path.join(sb.dir, 'state')).some((f) => f.startsWith('state.json.corrupt-')));
  });
});

describe('a folder swapped for a link during the model call', () => {
  it('does not carry the write out of the roots: the real path is checked again before writing', async () => {
    const sb = box();
    sb.write('lib/stats.js', BROKEN);
    // Outside the roots: the same bytes, so the content hash alone cannot tell.
    const outside = path.join(sb.dir, 'outside');
    fs.mkdirSync(outside);
    fs.writeFileSync(path.join(outside, 'stats.js'), BROKEN);
    const server = await startModelServer({ answers: [{ text: GOOD, delayMs: 1_500 }] });
    try {
      sb.config({ repairers: ['llm'], pm2Logs: false, stateDir: '../state', llm: { baseUrl: server.url } });
      const run = sb.runJson(['run']);
      await waitFor('the model call', () => server.requests.some((q: any) => q.path === '/api/generate'));
      fs.renameSync(path.join(sb.app, 'lib'), path.join(sb.dir, 'lib-moved'));
      fs.symlinkSync(outside, path.join(sb.app, 'lib'));
      const r = await run;
      const fix = r.json.fixes[0];
      assert.equal(fix.outcome, 'failed', JSON.stringify(fix));
      assert.match(fix.reason, /the file's path changed while the fix was prepared \(outside the configured roots/);
      assert.equal(fs.readFileSync(path.join(outside, 'stats.js'), 'utf8'), BROKEN, 'the file outside the roots is untouched');
      assert.equal(fs.readFileSync(path.join(sb.dir, 'lib-moved', 'stats.js'), 'utf8'), BROKEN);
      assert.equal(fs.readdirSync(outside).length, 1, 'no temp file left outside');
    } finally {
      await server.close();
    }
  });

  it('nor to another file inside the roots', async () => {
    const sb = box();
    sb.write('lib/stats.js', BROKEN);
    sb.write('other/stats.js', BROKEN);
    const server = await startModelServer({ answers: [{ text: GOOD, delayMs: 1_500 }] });
    try {
      sb.config({ repairers: ['llm'], pm2Logs: false, stateDir: '../state', llm: { baseUrl: server.url }, maxFixesPerRun: 1 });
      const run = sb.runJson(['run']);
      await waitFor('the model call', () => server.requests.some((q: any) => q.path === '/api/generate'));
      fs.renameSync(path.join(sb.app, 'lib'), path.join(sb.dir, 'lib-moved'));
      fs.symlinkSync(path.join(sb.app, 'other'), path.join(sb.app, 'lib'));
      const r = await run;
      const fix = r.json.fixes.find((f: any) => f.outcome !== 'skipped');
      assert.equal(fix.file, path.join(sb.app, 'lib', 'stats.js'));
      assert.equal(fix.outcome, 'failed', JSON.stringify(fix));
      assert.match(fix.reason, new RegExp(`it now leads to ${path.join(sb.app, 'other', 'stats.js').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
      assert.equal(sb.read('other/stats.js'), BROKEN, 'the other file is not written through the link');
    } finally {
      await server.close();
    }
  });
});

describe('a failed pm2 jlist is said, not taken for "no process"', () => {
  const pm2s: { sb: Sandbox; pm2: (a: string[]) => ReturnType<typeof runProcess> }[] = [];
  after(async () => {
    for (const { sb, pm2 } of pm2s) {
      await pm2(['kill']);
      sb.cleanup();
    }
  });

  it('after a restart: the restart is not reported fine when whether the process runs is not known', async () => {
    const slip = "'use strict';\nfunction double(items) {\n  return items.map((x) => x * 2));\n}\nsetInterval(() => double([1, 2, 3]), 1000);\nmodule.exports = { double };\n";
    const sb = sandbox();
    const env = minimalEnv({ PM2_HOME: sb.env.PM2_HOME!, HOME: sb.home, PM2_DISCRETE_MODE: 'true' });
    const pm2 = (args: string[]) => runProcess(PM2_BIN, args, { cwd: sb.app, env, timeoutMs: 60_000 });
    pm2s.push({ sb, pm2 });
    const script = sb.write('worker.js', slip);
    const past = new Date(Date.now() - 3_600_000);
    fs.utimesSync(script, past, past);
    sb.write('ecosystem.json', JSON.stringify({ apps: [{ name: 'worker', script, cwd: sb.app, max_restarts: 2, min_uptime: 5_000, time: true }] }));
    assert.equal((await pm2(['start', path.join(sb.app, 'ecosystem.json')])).code, 0);
    const status = async () => {
      const r = await pm2(['jlist']);
      return JSON.parse(r.stdout.split('\n').reverse().find((l) => l.startsWith('['))!)[0].pm2_env.status as string;
    };
    await waitFor('the worker errored', async () => (await status()) === 'errored', 30_000, 200);
    // The real pm2, except that once it has restarted something, `jlist` fails.
    const mark = path.join(sb.dir, 'restarted');
    const wrapper = path.join(sb.dir, 'pm2-wrapper.sh');
    fs.writeFileSync(
      wrapper,
      `#!/bin/sh\nif [ "$1" = restart ]; then : > '${mark}'; fi\nif [ "$1" = jlist ] && [ -e '${mark}' ]; then echo 'connect ECONNREFUSED rpc.sock' >&2; exit 1; fi\nexec '${PM2_BIN}' "$@"\n`,
      { mode: 0o755 },
    );
    sb.config({ llm: { provider: 'none' }, pm2Bin: wrapper, restartCheckMs: 1_000 });
    const run = await sb.runJson(['run'], { timeoutMs: 90_000 });
    const fix = run.json.fixes.find((f: any) => f.file === script);
    assert.equal(fs.existsSync(mark), true, 'the process was restarted');
    assert.equal(fix.outcome, 'applied', JSON.stringify(fix));
    assert.equal(fix.restart.ok, false, fix.restart.reason);
    assert.match(fix.restart.reason, /restarted worker, but whether it runs is not known: pm2 jlist exited 1: connect ECONNREFUSED rpc\.sock/);
    assert.equal(run.code, 1, 'not done: left for a person to check');
  });

  it('looking up the process of a stale error: "cannot tell", not "no PM2 process"', async () => {
    const sb = box();
    // A PM2 home that looks alive, and a pm2 whose jlist fails.
    const pm2Home = sb.env.PM2_HOME!;
    fs.mkdirSync(path.join(pm2Home, 'logs'), { recursive: true });
    fs.writeFileSync(path.join(pm2Home, 'pm2.pid'), String(process.pid));
    const wrapper = path.join(sb.dir, 'pm2-broken.sh');
    fs.writeFileSync(wrapper, "#!/bin/sh\necho 'connect ECONNREFUSED rpc.sock' >&2\nexit 1\n", { mode: 0o755 });
    // The file defines the name the logged error says is undefined: a stale process.
    const lib = sb.write('lib/corrections.js', "function readCorrectionFile() { return null; }\nfunction load() { return readCorrectionFile(); }\nmodule.exports = { load };\n");
    const log = path.join(pm2Home, 'logs', 'corrections-error.log');
    fs.writeFileSync(log, '');
    sb.config({ llm: { provider: 'none' }, pm2Bin: wrapper, restartStale: true, stateDir: '../state' });
    // The mechanic begins reading the log; what comes after is fresh.
    await sb.runJson(['run']);
    const stamp = new Date().toISOString().replace('T', ' ').slice(0, 19);
    fs.appendFileSync(log, `${stamp}: ReferenceError: readCorrectionFile is not defined\n${stamp}:     at load (${lib}:2:27)\n`);
    const r = await sb.runJson(['run']);
    const fix = r.json.fixes.find((f: any) => f.bug.kind === 'stale-process');
    assert.ok(fix, JSON.stringify(r.json.bugs));
    assert.match(fix.reason, /cannot tell which PM2 process writes .*corrections-error\.log: pm2 jlist exited 1: connect ECONNREFUSED/);
    assert.doesNotMatch(fix.reason, /no PM2 process writes/);
  });
});
