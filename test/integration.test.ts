// Defects found by trying the merged features together (git commits, escalation, snoozes, the
// daemon's cycle line), each pinned through the CLI a user runs.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { box, cliPath, closedPort, repoRoot, waitFor, type Sandbox } from './helpers/cli.ts';
import { PM2_BIN, startPm2 } from './helpers/pm2.ts';

const identity = { GIT_AUTHOR_NAME: 'Dev', GIT_AUTHOR_EMAIL: 'dev@example.com', GIT_COMMITTER_NAME: 'Dev', GIT_COMMITTER_EMAIL: 'dev@example.com' };
function g(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', ['-C', cwd, ...args], { encoding: 'utf8', env: { ...process.env, ...identity } });
  assert.equal(r.status, 0, `git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** A project whose lib/calc.js is broken, committed in a new repository, with git.mode commit and `extra` config. */
function brokenRepo(extra: object = {}): Sandbox {
  const sb = box();
  sb.write('.gitignore', 'mechanic.config.json\n');
  sb.write('lib/calc.js', BROKEN);
  sb.config({ pm2Logs: false, llm: { provider: 'none' }, git: { mode: 'commit' }, ...extra });
  g(sb.app, 'init', '-q', '-b', 'main');
  g(sb.app, 'add', '.');
  g(sb.app, 'commit', '-q', '-m', 'broken add');
  return sb;
}

const BROKEN = `'use strict';
function add(a, b) {
  return (a + b));
}
module.exports = { add };
`;
const FIXED = BROKEN.replace('(a + b));', '(a + b);');
const WIP = '// TODO(wip): subtract\n';

describe('git.mode commit beside the user’s edit in the same file', () => {
  it('commits a fix three lines from an uncommitted edit it does not touch; the edit stays uncommitted', async () => {
    const sb = brokenRepo();
    // The user's work in progress: a line appended just below the bug's context.
    sb.write('lib/calc.js', BROKEN + WIP);
    const run = await sb.runJson(['run']);
    const fix = run.json.fixes[0];
    assert.equal(fix.outcome, 'applied', fix.reason);
    assert.match(fix.commit ?? '', /^[0-9a-f]{40}$/, fix.reason);
    assert.equal(g(sb.app, 'show', 'HEAD:lib/calc.js'), FIXED, 'the commit holds the fix alone');
    assert.equal(sb.read('lib/calc.js'), FIXED + WIP, 'the work tree holds the fix and the edit');
    assert.equal(g(sb.app, 'diff', '--', 'lib/calc.js'), `diff --git a/lib/calc.js b/lib/calc.js\nindex ${g(sb.app, 'rev-parse', '--short=7', 'HEAD:lib/calc.js').trim()}..${g(sb.app, 'hash-object', 'lib/calc.js').trim().slice(0, 7)} 100644\n--- a/lib/calc.js\n+++ b/lib/calc.js\n@@ -3,3 +3,4 @@ function add(a, b) {\n   return (a + b);\n }\n module.exports = { add };\n+${WIP}`);
    assert.equal(g(sb.app, 'diff', '--cached'), '', 'nothing staged');
  });

  it('still refuses a fix that lands on the user’s uncommitted line', async () => {
    const sb = brokenRepo();
    const head = g(sb.app, 'rev-parse', 'HEAD');
    sb.write('lib/calc.js', BROKEN.replace('(a + b));', '(a + b + 0));'));
    const run = await sb.runJson(['run']);
    const fix = run.json.fixes[0];
    assert.equal(fix.outcome, 'applied', fix.reason);
    assert.equal(fix.commit, undefined);
    assert.match(fix.reason, /not committed yet/);
    assert.equal(g(sb.app, 'rev-parse', 'HEAD'), head);
  });
});

describe('the daemon’s cycle line', () => {
  it('counts snoozed and escalated skips by their kind, not cut at the first colon of a timestamp', async () => {
    const sb = box();
    sb.write('a.js', 'const a = (1));\n');
    sb.write('b.js', 'const b = [1, 2;\n');
    // One attempt escalates: the model is off and the deterministic rung cannot be sure of b.js.
    sb.config({ pm2Logs: false, llm: { provider: 'none' }, escalateAfter: 1, repairers: ['llm'], fileCooldownMs: 1, cycleIntervalMs: 300 });
    const snooze = await sb.run(['snooze', 'a.js', '1h']);
    assert.equal(snooze.code, 0, snooze.stderr);
    const daemon = sb.spawn(['daemon']);
    let out = '';
    daemon.stdout!.on('data', (d) => (out += d));
    daemon.stderr!.on('data', (d) => (out += d));
    try {
      const line = await waitFor('a cycle with both skips', () => out.split('\n').find((l) => /skipped \(.*escalated/.test(l)), 30_000);
      assert.match(line, /2 skipped \((1 escalated, 1 snoozed|1 snoozed, 1 escalated)\)/, out);
    } finally {
      daemon.kill('SIGTERM');
      await new Promise((r) => daemon.once('close', r));
    }
  });
});

describe('--help', () => {
  it('names only example files that exist', async () => {
    const sb = box();
    const commands = ['', 'init', 'doctor', 'probe', 'scan', 'fix', 'run', 'daemon', 'status', 'log', 'revert', 'apply', 'retry', 'snooze', 'notify', 'serve'];
    const named: string[] = [];
    for (const c of commands) {
      const r = await sb.run([...(c ? [c] : []), '--help']);
      assert.equal(r.code, 0, `${c} --help: ${r.stderr}`);
      named.push(...(r.stdout.match(/examples\/[\w./-]+/g) ?? []));
    }
    assert.ok(named.length > 0, 'some help names an example');
    for (const p of named) assert.ok(fs.existsSync(path.join(repoRoot, p)), `--help names ${p}, which does not exist`);
  });
});

describe('mechanic apply closes the loop', () => {
  it('starts again the PM2 process that is down because of the file the proposal fixes', async () => {
    const sb = box();
    // A slip ambiguous by nature (a lost ')': after `b`, or after `c`?), under a gate of 1: the
    // deterministic rung can only propose (test/repair-precision.test.ts checks it stays below 1).
    const lib = sb.write('lib/fmt.js', "'use strict';\nfunction f(a, b, c) {\n  return (a + b * c;\n}\nmodule.exports = { f };\n");
    // A job PM2 does not restart: it crashed on the slip and stays stopped.
    const pm2 = await startPm2([{ name: 'report', code: `require(${JSON.stringify(lib)});\nsetInterval(() => {}, 1000);\n`, options: { autorestart: false } }]);
    try {
      await pm2.waitFor((l) => l[0]?.status === 'stopped');
      const env = { PM2_HOME: pm2.home };
      sb.config({ llm: { provider: 'none' }, pm2Bin: PM2_BIN, restartCheckMs: 1_000, deterministic: { minConfidence: 1 } });
      const run = await sb.runJson(['run'], { env });
      const proposed = run.json.fixes.find((f: any) => f.outcome === 'proposed');
      assert.ok(proposed, JSON.stringify(run.json.fixes));
      const apply = await sb.runJson(['apply', proposed.id], { env });
      assert.equal(apply.json.fix.outcome, 'applied', apply.stdout + apply.stderr);
      assert.equal(apply.json.fix.restart?.process, 'report', apply.json.fix.reason);
      await pm2.waitFor((l) => l[0]?.status === 'online', 10_000);
    } finally {
      await pm2.kill();
    }
  });
});

describe('the webhook hears a revert commit', () => {
  it('fix.reverted of a committed fix carries the revert commit', async () => {
    const got: any[] = [];
    const hook = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        got.push(JSON.parse(body));
        res.end('ok');
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    try {
      const sb = brokenRepo({ notify: [{ type: 'webhook', url: `http://127.0.0.1:${(hook.address() as { port: number }).port}/hook` }] });
      const run = await sb.runJson(['run']);
      const fix = run.json.fixes[0];
      assert.ok(fix.commit, fix.reason);
      const revert = await sb.runJson(['revert', fix.id]);
      assert.match(revert.json.commit ?? '', /^[0-9a-f]{40}$/, revert.stdout);
      const reverted = await waitFor('fix.reverted', () => got.find((e) => e.event === 'fix.reverted'));
      assert.equal(reverted.commit, revert.json.commit);
      assert.equal(got.find((e) => e.event === 'fix.applied')?.commit, fix.commit);
    } finally {
      hook.close();
    }
  });
});

describe('output into a pipe closed early (mechanic … | head -1)', () => {
  for (const args of [['status', '--help'], ['log', '--help'], ['--help']]) {
    it(`mechanic ${args.join(' ')}: no EPIPE crash, exit 0`, async () => {
      const sb = box();
      const child = spawn(process.execPath, [cliPath, ...args], { cwd: sb.app, env: sb.env, stdio: ['ignore', 'pipe', 'pipe'] });
      // The reader is gone before the first byte is written.
      child.stdout.destroy();
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      const code = await new Promise((r) => child.on('close', r));
      assert.doesNotMatch(stderr, /EPIPE|Unhandled 'error'/);
      assert.equal(code, 0, stderr);
    });
  }
});

describe('mechanic init beside the mechanic run by PM2 (examples/pm2)', () => {
  it('does not make the mechanic’s own code a root to repair', async () => {
    const sb = box();
    const self = path.join(repoRoot, 'dist', 'cli', 'main.js');
    const pm2 = await startPm2([
      { name: 'web', code: 'setInterval(() => {}, 1000);\n' },
      { name: 'code-mechanic', code: '', options: { script: self, args: ['--version'], autorestart: false } },
    ]);
    try {
      await pm2.waitFor((l) => l.length === 2);
      const init = await sb.run(['init', '--dry-run', '--pm2-bin', PM2_BIN], { env: { PM2_HOME: pm2.home } });
      assert.equal(init.code, 0, init.stderr);
      const roots = init.stdout.slice(init.stdout.indexOf('roots:'), init.stdout.indexOf('exclude:'));
      assert.match(roots, new RegExp(`PM2 app web`), roots);
      assert.doesNotMatch(roots, /^ {2}- .*dist\/cli/m, roots);
      assert.match(roots, /^# ?- .*dist\/cli.*code-mechanic itself/m, roots);
    } finally {
      await pm2.kill();
    }
  });
});

describe('daemon --json', () => {
  it('keeps stdout to JSON lines: warnings and the serving address go to stderr', async () => {
    const sb = box();
    sb.write('a.js', 'const a = (1));\n');
    const port = await closedPort();
    sb.config({ pm2Logs: false, llm: { provider: 'none' }, notify: [{ type: 'webhook', url: `http://127.0.0.1:${port}/hook`, retryMs: 1 }] });
    const r = await sb.run(['daemon', '--cycles', '1', '--json', '--http', '127.0.0.1:0'], { timeoutMs: 60_000 });
    const lines = r.stdout.split('\n').filter(Boolean);
    assert.ok(lines.length >= 1, r.stdout + r.stderr);
    for (const l of lines) assert.doesNotThrow(() => JSON.parse(l), `not a JSON line: ${l}`);
    assert.equal(JSON.parse(lines[0]!).cycle, 1);
    assert.match(r.stderr, /serving http:\/\/127\.0\.0\.1:\d+\//);
    assert.match(r.stderr, /warning: notify webhook/);
  });
});
