// Fixes as git commits, proposals on branches, `mechanic apply`, revert commits, push and pull
// requests: real git repositories in temp folders holding the user's work in progress, the CLI a
// user runs, a bare repository as the remote and a loopback HTTP server as the forge.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import YAML from 'yaml';
import { box, closedPort, nodeCheck, repoRoot, SEED_WORKER, type Sandbox } from './helpers/cli.ts';
import { resolveConfig } from '../src/config/load.ts';
import { startModelServer } from './helpers/model-server.ts';
import { actionFor } from '../src/repair/policy.ts';

const FIXED = SEED_WORKER.replace('x * 2));', 'x * 2);');
const identity = { GIT_AUTHOR_NAME: 'Dev', GIT_AUTHOR_EMAIL: 'dev@example.com', GIT_COMMITTER_NAME: 'Dev', GIT_COMMITTER_EMAIL: 'dev@example.com' };

/** git in `cwd`; its stdout, or a failed assertion with what git said. */
function g(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', ['-C', cwd, ...args], { encoding: 'utf8', env: { ...process.env, ...identity } });
  assert.equal(r.status, 0, `git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** A snapshot of everything a user's work in progress is: index, work tree, refs, stashes. */
function wip(sb: Sandbox, files: string[]) {
  return {
    staged: g(sb.app, 'diff', '--cached', '--', ...files),
    unstaged: g(sb.app, 'diff', '--', ...files),
    bytes: Object.fromEntries(files.map((f) => [f, sb.read(f)])),
    stashes: g(sb.app, 'stash', 'list'),
  };
}

/**
 * A project in git whose last commit broke src/worker.js (the seed's bug), with work in progress
 * around it: a staged and an unstaged change beside it in src/, a staged file elsewhere, an
 * untracked file, and an unstaged line of the user's in the broken file itself (away from the bug).
 */
async function projectWithWip(gitConfig: object, extra: object = {}) {
  const sb = box();
  const port = await closedPort();
  sb.write('src/worker.js', FIXED);
  sb.write('src/neighbour.js', 'module.exports = { a: 1 };\n');
  sb.write('src/sibling.js', 'module.exports = { b: 1 };\n');
  sb.write('lib/other.js', 'module.exports = 1;\n');
  sb.write('.gitignore', 'mechanic.config.json\n');
  sb.config({ roots: ['src'], pm2Logs: false, llm: { baseUrl: `http://127.0.0.1:${port}` }, git: gitConfig, ...extra });
  g(sb.app, 'init', '-q', '-b', 'main');
  g(sb.app, 'add', '.');
  g(sb.app, 'commit', '-q', '-m', 'first');
  sb.write('src/worker.js', SEED_WORKER);
  g(sb.app, 'commit', '-q', '-am', 'a change that breaks the worker');
  const broken = g(sb.app, 'rev-parse', 'HEAD').trim();
  // Work in progress: staged and unstaged, in the fixed file's neighbours and elsewhere.
  sb.write('src/neighbour.js', 'module.exports = { a: 2 };\n');
  g(sb.app, 'add', 'src/neighbour.js');
  sb.write('src/neighbour.js', 'module.exports = { a: 3 };\n');
  sb.write('src/sibling.js', 'module.exports = { b: 2 };\n');
  sb.write('lib/other.js', 'module.exports = 2;\n');
  g(sb.app, 'add', 'lib/other.js');
  sb.write('src/untracked.js', 'module.exports = "new";\n');
  sb.write('src/worker.js', `// the user's note, not committed\n${SEED_WORKER}`);
  const others = ['src/neighbour.js', 'src/sibling.js', 'lib/other.js', 'src/untracked.js'];
  return { sb, broken, others, before: wip(sb, others), status: g(sb.app, 'status', '--porcelain') };
}

function changedFiles(cwd: string, from: string, to: string): string[] {
  return g(cwd, 'diff-tree', '--no-commit-id', '--name-only', '-r', from, to).trim().split('\n');
}

describe('git.mode commit', () => {
  it('commits the fixed file alone through a temporary index; the work in progress stays exactly as it was; revert makes a revert commit', async () => {
    const { sb, broken, others, before } = await projectWithWip({ mode: 'commit', author: { name: 'Mechanic Bot', email: 'bot@example.com' } });
    const run = await sb.runJson(['run']);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const fix = run.json.fixes[0];
    assert.equal(fix.outcome, 'applied', fix.reason);
    assert.match(fix.commit ?? '', /^[0-9a-f]{40}$/, fix.reason);
    assert.match(fix.reason, /committed [0-9a-f]{12} on main/);

    // The commit: on main, from the broken commit, holding the fixed file alone, without the user's line.
    assert.equal(g(sb.app, 'rev-parse', 'HEAD').trim(), fix.commit);
    assert.equal(g(sb.app, 'rev-parse', 'HEAD^').trim(), broken);
    assert.deepEqual(changedFiles(sb.app, broken, 'HEAD'), ['src/worker.js']);
    assert.equal(g(sb.app, 'show', 'HEAD:src/worker.js'), FIXED);
    // The message: summary, diagnosis, the validation steps that passed, the trailer; the configured author.
    const message = g(sb.app, 'log', '-1', '--format=%B');
    assert.match(message, /^mechanic: fix SyntaxError in src\/worker\.js\n\nDiagnosis: SyntaxError: Unexpected token '\)' at src\/worker\.js:5:39\n/);
    assert.match(message, /\nValidation passed: syntax, exports, undefined-names/);
    assert.equal(g(sb.app, 'log', '-1', '--format=%(trailers:key=Mechanic-Fix-Id,valueonly)').trim(), fix.id);
    assert.equal(g(sb.app, 'log', '-1', '--format=%an <%ae>|%cn <%ce>').trim(), 'Mechanic Bot <bot@example.com>|Mechanic Bot <bot@example.com>');

    // The user's work: staged stays staged, unstaged stays unstaged, bytes untouched, nothing stashed.
    assert.deepEqual(wip(sb, others), before);
    assert.equal(sb.read('src/worker.js'), `// the user's note, not committed\n${FIXED}`);
    assert.ok(nodeCheck(path.join(sb.app, 'src/worker.js')));
    // In the fixed file, what is left uncommitted is the user's line alone, and nothing of it is staged.
    assert.equal(g(sb.app, 'diff', '--cached', '--', 'src/worker.js'), '');
    assert.deepEqual(
      g(sb.app, 'diff', '-U0', '--', 'src/worker.js').split('\n').filter((l) => /^[+-][^+-]/.test(l)),
      ["+// the user's note, not committed"],
    );

    const rv = await sb.runJson(['revert', fix.id]);
    assert.equal(rv.code, 0, rv.stderr);
    assert.match(rv.json.commit, /^[0-9a-f]{40}$/, JSON.stringify(rv.json));
    assert.equal(g(sb.app, 'rev-parse', 'HEAD').trim(), rv.json.commit);
    assert.equal(g(sb.app, 'rev-parse', 'HEAD^').trim(), fix.commit);
    assert.deepEqual(changedFiles(sb.app, fix.commit, 'HEAD'), ['src/worker.js']);
    assert.equal(g(sb.app, 'show', 'HEAD:src/worker.js'), SEED_WORKER, 'the revert commit holds the pre-fix file');
    const revertMessage = g(sb.app, 'log', '-1', '--format=%B');
    assert.match(revertMessage, /^Revert "mechanic: fix SyntaxError in src\/worker\.js"\n\nThis reverts commit [0-9a-f]{40}/);
    assert.ok(revertMessage.includes(`This reverts commit ${fix.commit}`));
    assert.equal(g(sb.app, 'log', '-1', '--format=%(trailers:key=Mechanic-Fix-Id,valueonly)').trim(), fix.id);
    assert.equal(sb.read('src/worker.js'), `// the user's note, not committed\n${SEED_WORKER}`, 'the file is back as it was, the user\'s line kept');
    assert.deepEqual(wip(sb, others), before);
    assert.equal(g(sb.app, 'diff', '--cached', '--', 'src/worker.js'), '');
    const log = (await sb.runJson(['log'])).json;
    assert.equal(log.find((e: any) => e.type === 'revert').commit, rv.json.commit);
  });

  it('keeps the fix and says why there is no commit: detached HEAD, staged changes in the file, no git at all', async () => {
    const detached = await projectWithWip({ mode: 'commit' });
    g(detached.sb.app, 'checkout', '-q', '--detach');
    const head = g(detached.sb.app, 'rev-parse', 'HEAD').trim();
    const d = await detached.sb.runJson(['run']);
    assert.equal(d.json.fixes[0].outcome, 'applied');
    assert.equal(d.json.fixes[0].commit, undefined);
    assert.match(d.json.fixes[0].reason, /not committed: HEAD is detached \(no branch to commit on\) \(the fix stays in the work tree\)/);
    assert.equal(g(detached.sb.app, 'rev-parse', 'HEAD').trim(), head);
    assert.ok(nodeCheck(path.join(detached.sb.app, 'src/worker.js')));

    const staged = await projectWithWip({ mode: 'commit' });
    g(staged.sb.app, 'add', 'src/worker.js');
    const stagedBefore = g(staged.sb.app, 'diff', '--cached', '--', 'src/worker.js');
    const s = await staged.sb.runJson(['run']);
    assert.equal(s.json.fixes[0].outcome, 'applied');
    assert.match(s.json.fixes[0].reason, /not committed: src\/worker\.js has staged changes of its own/);
    assert.equal(g(staged.sb.app, 'rev-parse', 'HEAD').trim(), staged.broken);
    assert.equal(g(staged.sb.app, 'diff', '--cached', '--', 'src/worker.js'), stagedBefore, 'what the user staged is left as it was');

    const plain = box();
    plain.write('worker.js', SEED_WORKER);
    plain.config({ pm2Logs: false, llm: { baseUrl: `http://127.0.0.1:${await closedPort()}` }, git: { mode: 'commit' } });
    const p = await plain.runJson(['run']);
    assert.equal(p.json.fixes[0].outcome, 'applied');
    assert.match(p.json.fixes[0].reason, /not committed: not in a git work tree/);
    assert.equal(plain.read('worker.js'), FIXED);
  });
});

describe('propose and apply', () => {
  it('git.mode propose: the work tree is untouched, the fix waits on mechanic/fix-<id>; `mechanic apply` puts it in place', async () => {
    const { sb, broken, others, before, status } = await projectWithWip({ mode: 'propose' });
    const brokenBytes = sb.read('src/worker.js');
    const run = await sb.runJson(['run']);
    assert.equal(run.code, 1, 'a proposal is left for a person');
    const fix = run.json.fixes[0];
    assert.equal(fix.outcome, 'proposed', fix.reason);
    assert.equal(fix.policy, 'propose');
    assert.deepEqual(fix.proposal, { branch: `mechanic/fix-${fix.id}`, base: 'main' });
    assert.match(fix.diff, /-const result = \[1,2,3\]\.map\(x => x \* 2\)\);\n\+const result = \[1,2,3\]\.map\(x => x \* 2\);/);
    assert.equal(fix.backup, undefined, 'nothing was written, so nothing backed up');

    // Nothing of the user's moved: HEAD, the index, the work tree, the checked-out branch.
    assert.equal(sb.read('src/worker.js'), brokenBytes);
    assert.equal(g(sb.app, 'rev-parse', 'HEAD').trim(), broken);
    assert.equal(g(sb.app, 'symbolic-ref', 'HEAD').trim(), 'refs/heads/main');
    assert.equal(g(sb.app, 'status', '--porcelain'), status);
    assert.deepEqual(wip(sb, others), before);
    // The branch: one commit on HEAD, the fixed file alone, with the trailer.
    const branch = fix.proposal.branch;
    assert.equal(g(sb.app, 'rev-parse', `${branch}^`).trim(), broken);
    assert.deepEqual(changedFiles(sb.app, broken, branch), ['src/worker.js']);
    assert.equal(g(sb.app, 'show', `${branch}:src/worker.js`), FIXED);
    assert.equal(g(sb.app, 'log', '-1', '--format=%(trailers:key=Mechanic-Fix-Id,valueonly)', branch).trim(), fix.id);

    // The next cycle does not propose the same file again while this waits.
    g(sb.app, 'status');
    const again = await sb.runJson(['retry', 'src/worker.js']);
    assert.equal(again.code, 0);
    const second = await sb.runJson(['run']);
    assert.match(second.json.fixes[0].reason, new RegExp(`proposal ${fix.id} for this file waits for a person`));
    assert.equal(g(sb.app, 'branch', '--list', 'mechanic/*').trim().split('\n').length, 1);

    const applied = await sb.runJson(['apply', fix.id.slice(0, 17)]);
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    assert.equal(applied.json.fix.outcome, 'applied', applied.json.fix.reason);
    assert.equal(applied.json.fix.fromProposal, fix.id);
    assert.deepEqual(applied.json.fix.validated, ['syntax', 'exports', 'undefined-names']);
    assert.equal(sb.read('src/worker.js'), `// the user's note, not committed\n${FIXED}`);
    assert.equal(fs.readFileSync(applied.json.fix.backup, 'utf8'), brokenBytes, 'backed up before the write, like any fix');
    // propose mode makes no commit on the user's branch: the fix is in the work tree for them to commit.
    assert.equal(g(sb.app, 'rev-parse', 'HEAD').trim(), broken);
    assert.deepEqual(wip(sb, others), before);
    const log = (await sb.runJson(['log'])).json;
    assert.ok(log.some((e: any) => e.type === 'fix' && e.outcome === 'applied' && e.fromProposal === fix.id));
    const twice = await sb.run(['apply', fix.id]);
    assert.equal(twice.code, 2);
    assert.match(twice.stderr, new RegExp(`proposal ${fix.id} was already applied`));
  });

  it('policy propose in git.mode commit: `mechanic apply` lands it as a commit of the file alone', async () => {
    const { sb, broken, others, before } = await projectWithWip({ mode: 'commit' }, { policy: { deterministic: 'propose' } });
    const run = await sb.runJson(['run']);
    const fix = run.json.fixes[0];
    assert.equal(fix.outcome, 'proposed', fix.reason);
    assert.match(fix.reason, /policy\.deterministic: propose/);
    assert.equal(g(sb.app, 'rev-parse', 'HEAD').trim(), broken, 'proposing commits nothing on main');
    const applied = await sb.runJson(['apply', fix.id]);
    assert.equal(applied.code, 0, applied.stderr);
    const commit = applied.json.fix.commit;
    assert.match(commit, /^[0-9a-f]{40}$/, applied.json.fix.reason);
    assert.equal(g(sb.app, 'rev-parse', 'HEAD').trim(), commit);
    assert.equal(g(sb.app, 'rev-parse', 'HEAD^').trim(), broken);
    assert.deepEqual(changedFiles(sb.app, broken, commit), ['src/worker.js']);
    assert.equal(g(sb.app, 'show', 'HEAD:src/worker.js'), FIXED);
    assert.equal(g(sb.app, 'log', '-1', '--format=%(trailers:key=Mechanic-Fix-Id,valueonly)').trim(), applied.json.fix.id);
    assert.deepEqual(wip(sb, others), before);
  });

  it('refuses to apply once the file changed so that the proposal no longer applies; changes nothing', async () => {
    const { sb } = await projectWithWip({ mode: 'propose' });
    const fix = (await sb.runJson(['run'])).json.fixes[0];
    assert.equal(fix.outcome, 'proposed');
    // Someone rewrote the broken line their own way meanwhile.
    const theirs = sb.read('src/worker.js').replace('x * 2));', 'x * 3);');
    sb.write('src/worker.js', theirs);
    const r = await sb.run(['apply', fix.id]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /refused: .*src\/worker\.js changed since fix \S+ was proposed, and the proposal no longer applies to it; nothing written/);
    assert.equal(sb.read('src/worker.js'), theirs);
    const unknown = await sb.run(['apply', 'nope']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /no proposed fix matches "nope"/);
  });

  it('outside git: propose keeps the proposal in the state folder and `mechanic apply` still works; report writes nothing', async () => {
    const sb = box();
    const port = await closedPort();
    sb.write('worker.js', `// a later note\n${SEED_WORKER}`);
    sb.config({ pm2Logs: false, llm: { baseUrl: `http://127.0.0.1:${port}` }, git: { mode: 'propose' } });
    const run = await sb.runJson(['run']);
    const fix = run.json.fixes[0];
    assert.equal(fix.outcome, 'proposed');
    assert.equal(fix.proposal, undefined);
    assert.match(fix.reason, /no branch: not in a git work tree/);
    // Edited elsewhere in the file since: the proposal is laid over it and validated again.
    sb.write('worker.js', `// a later note, edited\n${SEED_WORKER}`);
    const applied = await sb.runJson(['apply', fix.id]);
    assert.equal(applied.json.fix.outcome, 'applied', applied.json.fix.reason);
    assert.equal(sb.read('worker.js'), `// a later note, edited\n${FIXED}`);

    const rep = box();
    rep.write('worker.js', SEED_WORKER);
    rep.config({ pm2Logs: false, llm: { baseUrl: `http://127.0.0.1:${port}` }, policy: { deterministic: 'report' } });
    const r = await rep.runJson(['run']);
    const entry = r.json.fixes[0];
    assert.equal(entry.outcome, 'skipped');
    assert.equal(entry.policy, 'report');
    assert.match(entry.reason, /^report only \(policy\.deterministic: report\): would apply deleted '\)'/);
    assert.match(entry.diff, /\+const result = \[1,2,3\]\.map\(x => x \* 2\);/);
    assert.equal(rep.read('worker.js'), SEED_WORKER);
    assert.equal((await rep.run(['apply', entry.id])).code, 2, 'a report is not a proposal');
    const text = await rep.run(['log']);
    assert.match(text.stdout, /report\s+worker\.js/);
  });
});

describe('policy per rung', () => {
  it("policy.llm propose: the model's fix goes on a branch while the deterministic rung's fix lands as a commit", async () => {
    const broken = `'use strict';\nfunction total(items) {\n  return items.reduce((a, b) => a + b, 0;\n}\nmodule.exports = { total };\n`;
    const fixed = broken.replace('a + b, 0;', 'a + b, 0);');
    const server = await startModelServer({ answers: [{ text: fixed }] });
    try {
      const sb = box();
      sb.write('src/worker.js', SEED_WORKER);
      sb.write('lib/total.js', broken);
      sb.write('.gitignore', 'mechanic.config.json\n');
      // minConfidence 1: the seed's slip is certain; the missing ')' is left to the model.
      sb.config({ roots: ['src', 'lib'], pm2Logs: false, llm: { baseUrl: server.url }, git: { mode: 'commit' }, policy: { llm: 'propose' }, deterministic: { minConfidence: 1 } });
      g(sb.app, 'init', '-q', '-b', 'main');
      g(sb.app, 'add', '.');
      g(sb.app, 'commit', '-q', '-m', 'broken twice');
      const base = g(sb.app, 'rev-parse', 'HEAD').trim();
      const run = await sb.runJson(['run']);
      const byFile = Object.fromEntries(run.json.fixes.map((f: any) => [path.relative(sb.app, f.file), f]));
      const det = byFile['src/worker.js'];
      const llm = byFile['lib/total.js'];
      assert.equal(det.outcome, 'applied', det.reason);
      assert.match(det.commit, /^[0-9a-f]{40}$/);
      assert.equal(llm.outcome, 'proposed', llm.reason);
      assert.match(llm.strategy, /^llm:ollama:/);
      assert.match(llm.reason, /policy\.llm: propose/);
      assert.equal(sb.read('lib/total.js'), broken, "the model's fix is not written");
      assert.equal(g(sb.app, 'show', `${llm.proposal.branch}:lib/total.js`), fixed);
      // The branch starts from HEAD as it was when proposed (before or after the other fix's commit).
      const parent = g(sb.app, 'rev-parse', `${llm.proposal.branch}^`).trim();
      assert.ok([base, det.commit].includes(parent), parent);
      assert.deepEqual(changedFiles(sb.app, parent, llm.proposal.branch), ['lib/total.js']);
      assert.equal(g(sb.app, 'rev-parse', 'HEAD^').trim(), base);
      assert.deepEqual(changedFiles(sb.app, base, 'HEAD'), ['src/worker.js']);
    } finally {
      await server.close();
    }
  });
});

describe('push and pull request', () => {
  it('pushes mechanic/fix-<id> to the remote and opens a pull request with the token from the environment, never shown', async () => {
    const requests: { method?: string; url?: string; headers: http.IncomingHttpHeaders; body: any }[] = [];
    const forge = http.createServer((req, res) => {
      let data = '';
      req.on('data', (d) => (data += d));
      req.on('end', () => {
        requests.push({ method: req.method, url: req.url, headers: req.headers, body: JSON.parse(data || 'null') });
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ number: 7, html_url: 'https://forge.example/acme/app/pull/7' }));
      });
    });
    await new Promise<void>((r) => forge.listen(0, '127.0.0.1', () => r()));
    const api = `http://127.0.0.1:${(forge.address() as { port: number }).port}/api/v3`;
    const token = 'ghp_loopbackTokenValue0123456789';
    try {
      const { sb, broken } = await projectWithWip({
        mode: 'propose',
        push: { remote: 'origin' },
        pullRequest: { api, repo: 'acme/app', tokenEnv: 'FORGE_TOKEN' },
      });
      const bare = path.join(sb.dir, 'remote.git');
      g(sb.dir, 'init', '-q', '--bare', bare);
      g(sb.app, 'remote', 'add', 'origin', bare);
      const run = await sb.runJson(['run'], { env: { FORGE_TOKEN: token } });
      const fix = run.json.fixes[0];
      assert.equal(fix.outcome, 'proposed', fix.reason);
      assert.equal(fix.proposal.url, 'https://forge.example/acme/app/pull/7', fix.reason);
      assert.match(fix.reason, /pushed to origin; pull request #7 opened/);

      const branch = `mechanic/fix-${fix.id}`;
      assert.equal(g(bare, 'rev-parse', `refs/heads/${branch}`).trim(), g(sb.app, 'rev-parse', branch).trim(), 'the remote has the branch');
      assert.equal(g(bare, 'rev-parse', `refs/heads/${branch}^`).trim(), broken);

      assert.equal(requests.length, 1);
      const pr = requests[0]!;
      assert.equal(pr.method, 'POST');
      assert.equal(pr.url, '/api/v3/repos/acme/app/pulls');
      assert.equal(pr.headers.authorization, `Bearer ${token}`);
      assert.equal(pr.body.head, branch);
      assert.equal(pr.body.base, 'main');
      assert.equal(pr.body.title, 'mechanic: fix SyntaxError in src/worker.js');
      assert.match(pr.body.body, /```diff\n[^]*\+const result = \[1,2,3\]\.map\(x => x \* 2\);/);
      assert.match(pr.body.body, new RegExp(`mechanic apply ${fix.id}`));

      // The token is nowhere the mechanic writes or prints.
      assert.ok(!run.stdout.includes(token) && !run.stderr.includes(token));
      const stateDir = (await sb.runJson(['status'])).json.stateDir as string;
      for (const f of fs.readdirSync(stateDir, { recursive: true }) as string[]) {
        const p = path.join(stateDir, f);
        if (fs.statSync(p).isFile()) assert.ok(!fs.readFileSync(p, 'utf8').includes(token), `${f} holds no token`);
      }
      assert.ok(!g(sb.app, 'log', '--all', '--format=%B').includes(token));

      // The token missing: the proposal and the push still happen, the reason says why no pull request.
      const second = await projectWithWip({ mode: 'propose', push: { remote: 'origin' }, pullRequest: { api, repo: 'acme/app', tokenEnv: 'FORGE_TOKEN' } });
      const bare2 = path.join(second.sb.dir, 'remote.git');
      g(second.sb.dir, 'init', '-q', '--bare', bare2);
      g(second.sb.app, 'remote', 'add', 'origin', bare2);
      const r2 = await second.sb.runJson(['run']);
      assert.equal(r2.json.fixes[0].outcome, 'proposed');
      assert.match(r2.json.fixes[0].reason, /pushed to origin; no pull request: the environment variable FORGE_TOKEN \(git\.pullRequest\.tokenEnv\) is not set/);
      assert.equal(requests.length, 1);
    } finally {
      await new Promise((r) => forge.close(r));
    }
  });
});

describe('git and policy config', () => {
  const cases: [string, object, RegExp][] = [
    ['a pull request without push', { git: { mode: 'propose', pullRequest: { api: 'https://api.github.com', repo: 'a/b', tokenEnv: 'T' } } }, /git\.pullRequest: a pull request needs its branch on the forge: set git\.push too/],
    ['push with git off', { git: { push: { remote: 'origin' } } }, /git\.mode: git\.push and git\.pullRequest need git\.mode commit or propose/],
    ['an unknown mode', { git: { mode: 'merge' } }, /git\.mode: /],
    ['a repo that is not owner/name', { git: { mode: 'propose', push: { remote: 'o' }, pullRequest: { api: 'https://api.github.com', repo: 'b', tokenEnv: 'T' } } }, /git\.pullRequest\.repo: expected "owner\/name"/],
    ['a token in place of its variable name', { git: { mode: 'propose', push: { remote: 'o' }, pullRequest: { api: 'https://api.github.com', repo: 'a/b', tokenEnv: 'ghp_x y' } } }, /git\.pullRequest\.tokenEnv: expected the name of an environment variable/],
    ['an unknown policy', { policy: { llm: 'merge' } }, /policy\.llm: /],
    ['an unknown rung', { policy: { model: 'apply' } }, /policy\.model: unknown key/],
  ];
  it('examples/propose-first is valid: environment rewrites apply, every code fix is proposed; the defaults apply as before', () => {
    const raw = YAML.parse(fs.readFileSync(path.join(repoRoot, 'examples/propose-first/mechanic.config.yaml'), 'utf8'));
    const c = resolveConfig(raw, { file: 'mechanic.config.yaml', baseDir: repoRoot });
    assert.equal(c.git.mode, 'commit');
    assert.deepEqual(['deterministic', 'llm', 'environment'].map((r) => actionFor(c, r)), ['propose', 'propose', 'apply']);
    const d = resolveConfig({}, { file: undefined, baseDir: repoRoot });
    assert.equal(d.git.mode, 'off');
    assert.deepEqual(['deterministic', 'llm', 'environment'].map((r) => actionFor(d, r)), ['apply', 'apply', 'apply']);
    assert.deepEqual(['deterministic', 'llm', 'environment'].map((r) => actionFor({ ...d, git: { ...d.git, mode: 'propose' }, policy: { ...d.policy, llm: 'report' } }, r)), ['propose', 'report', 'propose']);
  });

  for (const [name, value, message] of cases)
    it(`refuses ${name}, naming the key, and changes nothing`, async () => {
      const sb = box();
      sb.write('worker.js', SEED_WORKER);
      sb.config({ pm2Logs: false, ...value });
      const r = await sb.run(['run']);
      assert.equal(r.code, 2);
      assert.match(r.stderr, message);
      assert.equal(sb.read('worker.js'), SEED_WORKER);
    });
});
