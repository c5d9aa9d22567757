// One scrub for everything printed, logged, stored or sent; path variables are not secrets.
// Real apps crash for real and their stderr is kept where PM2 keeps an app's error log.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { box, type Sandbox } from './helpers/cli.ts';
import { startModelServer, type RecordedRequest } from './helpers/model-server.ts';

const PASSWORD = 's3cret-pw-4417';
const DB_URL = `postgres://app:${PASSWORD}@db.internal:5432/prod`;

/** Run `index.js` of the sandbox for real and append its stderr to PM2's error log of `app`. */
function crashInto(sb: Sandbox, env: NodeJS.ProcessEnv = {}): string {
  const r = spawnSync(process.execPath, [path.join(sb.app, 'index.js')], { encoding: 'utf8', env: { PATH: process.env.PATH, ...env } });
  assert.notEqual(r.status, 0, 'the app crashes');
  const log = path.join(sb.env.PM2_HOME!, 'logs', 'app-error.log');
  fs.mkdirSync(path.dirname(log), { recursive: true });
  fs.appendFileSync(log, r.stderr);
  return r.stderr;
}

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

function promptOf(r: RecordedRequest): string {
  if (typeof r.body?.prompt === 'string') return r.body.prompt;
  return (r.body?.messages ?? []).map((m: { content: string }) => m.content).join('\n');
}

/** The app reads its connection string from its environment and puts it in the error it throws. */
const dbSource = `'use strict';
function connect() {
  const url = process.env.DB_URL;
  throw new Error('cannot reach ' + url + ': connection refused');
}
module.exports = { connect };
`;

describe('a password inside a runtime error appears nowhere', () => {
  it('not in any output, nor any file of the state folder, nor the log, with llm.redact off', async () => {
    const sb = box();
    const file = sb.write('lib/db.js', dbSource);
    sb.write('index.js', "require('./lib/db').connect();\n");
    const past = new Date(Date.now() - 3600_000);
    fs.utimesSync(file, past, past);
    // Read once, so that the next crash is fresh (an untimed error already in the log is history).
    const stderr = crashInto(sb, { DB_URL });
    assert.ok(stderr.includes(PASSWORD), 'the real log holds the password');
    sb.config({ roots: ['.'], stateDir: '../state', pm2Logs: true, repairers: [] });
    await sb.run(['fix']);
    crashInto(sb, { DB_URL });

    // A command probe that prints it, and a remedy whose argv and output quote it.
    const say = (what: string, code: number) => [process.execPath, '-e', `console.error(${JSON.stringify(`${what} ${DB_URL} failed`)}); process.exit(${code})`];
    const server = await startModelServer({ answers: [{ text: dbSource }] });
    try {
      sb.config({
        roots: ['.'],
        stateDir: '../state',
        // The prompt side is switched off: output, log and state are scrubbed all the same.
        llm: { baseUrl: server.url, redact: false },
        probes: [{ name: 'db', kind: 'command', command: say('connect', 2), remedy: { command: say('restart', 3) } }],
      });
      const outputs: string[] = [];
      const run = await sb.runJson(['run']);
      outputs.push(run.stdout, run.stderr);
      const bug = run.json.bugs.find((b: any) => b.file === file);
      assert.ok(bug, JSON.stringify(run.json.bugs));
      assert.equal(bug.message, 'cannot reach postgres://app:«redacted»@db.internal:5432/prod: connection refused');
      assert.match(run.json.probes[0].reason, /exit 2, expected exit 0: connect postgres:\/\/app:«redacted»@db\.internal/);
      assert.equal(run.json.remedies[0].outcome, 'failed', JSON.stringify(run.json.remedies));
      assert.equal(server.modelCalls().length, 1, 'the fix was attempted');

      for (const args of [['run'], ['status'], ['status', '--json'], ['log', '--diff'], ['log', '--json'], ['scan'], ['scan', '--json'], ['probe'], ['probe', '--json']]) {
        const r = await sb.run(args);
        assert.ok(r.stdout.length > 0, `mechanic ${args.join(' ')} printed something`);
        outputs.push(r.stdout, r.stderr);
      }
      const all = outputs.join('\n');
      assert.ok(!all.includes(PASSWORD), `the password was printed:\n${all.split('\n').filter((l) => l.includes(PASSWORD)).join('\n')}`);
      assert.match(all, /«redacted»/);

      const stateDir = path.join(sb.dir, 'state');
      const files = filesUnder(stateDir);
      assert.ok(files.some((f) => f.endsWith('state.json')) && files.some((f) => f.endsWith('mechanic-log.json')), files.join('\n'));
      for (const f of files) assert.ok(!fs.readFileSync(f).includes(PASSWORD), `${path.relative(stateDir, f)} holds the password`);

      // What was stored is there, scrubbed.
      const state = JSON.parse(fs.readFileSync(path.join(stateDir, 'state.json'), 'utf8'));
      assert.match(state.runtimeBugs[0].message, /postgres:\/\/app:«redacted»@/);
      assert.match(state.runtimeBugs[0].detail, /postgres:\/\/app:«redacted»@/);
      assert.match(state.probeHistory.db[0].reason, /«redacted»/);
      assert.match(state.remedies.db.last.reason, /«redacted»/);
      const log = JSON.parse(fs.readFileSync(path.join(stateDir, 'mechanic-log.json'), 'utf8'));
      const types = new Set(log.map((e: any) => e.type));
      for (const t of ['fix', 'probe', 'remedy']) assert.ok(types.has(t), `a ${t} entry was logged: ${[...types].join(', ')}`);
      const remedy = log.find((e: any) => e.type === 'remedy');
      assert.match(remedy.action.join(' '), /restart postgres:\/\/app:«redacted»@/);
    } finally {
      await server.close();
    }
  });

  it('and not in the prompt while llm.redact is on (the default)', async () => {
    const sb = box();
    const file = sb.write('lib/db.js', dbSource);
    sb.write('index.js', "require('./lib/db').connect();\n");
    const past = new Date(Date.now() - 3600_000);
    fs.utimesSync(file, past, past);
    crashInto(sb, { DB_URL });
    sb.config({ roots: ['.'], stateDir: '../state', repairers: [] });
    await sb.run(['fix']);
    crashInto(sb, { DB_URL });
    const server = await startModelServer({ answers: [{ text: dbSource }] });
    try {
      sb.config({ roots: ['.'], stateDir: '../state', llm: { baseUrl: server.url } });
      const run = await sb.runJson(['fix']);
      assert.ok(!run.stdout.includes(PASSWORD));
      const sent = server.requests.map((q) => q.rawBody).join('\n');
      assert.equal(server.modelCalls().length, 1, 'the fix was attempted');
      assert.ok(!sent.includes(PASSWORD), 'the password reached the model');
      assert.match(promptOf(server.modelCalls()[0]!), /postgres:\/\/app:__REDACTED_1__@db\.internal/);
    } finally {
      await server.close();
    }
  });
});

describe('path variables are not secrets', () => {
  it('PWD, OLDPWD, INIT_CWD and path-valued secret-sounding variables stay in prompts and diffs; real secrets do not', async () => {
    const sb = box();
    const TOKEN = 'tok-live-55aa66bb77cc88dd';
    const worker = `'use strict';
const service = '${TOKEN}';
function load(name) {
  return readCorrectionFile(name);
}
module.exports = { load, service };
`;
    const fixed = worker.replace("function load(name) {", "function readCorrectionFile(name) {\n  return String(name);\n}\nfunction load(name) {");
    const file = sb.write('lib/worker.js', worker);
    sb.write('index.js', "require('./lib/worker').load('x');\n");
    const past = new Date(Date.now() - 3600_000);
    fs.utimesSync(file, past, past);
    const stderr = crashInto(sb);
    assert.ok(stderr.includes(`${file}:4`), 'the stack names the file by its absolute path');
    // A crontab whose job enters the project folder, and a log showing it cannot find node.
    const crontab = `*/5 * * * * cd ${sb.app} && node lib/worker.js\n`;
    sb.write('cron/app.crontab', crontab);
    sb.write('../logs/cron.log', `Nov 24 03:10:01 box CRON[812]: (app) CMD (cd ${sb.app} && node lib/worker.js)\n/bin/sh: 1: node: not found\n`);

    const env = {
      PWD: sb.app,
      OLDPWD: sb.dir,
      INIT_CWD: sb.app,
      npm_config_keyfile: file,
      PASSWORD_STORE_DIR: sb.home,
      XAUTHORITY: path.join(sb.app, 'index.js'),
      DEPLOY_TOKEN: TOKEN,
    };
    const answers = (r: RecordedRequest) => {
      const code = /CODE: ([\s\S]*?)\nFix the bug\./.exec(promptOf(r))?.[1] ?? '';
      return { text: code.replace('function load(name) {', 'function readCorrectionFile(name) {\n  return String(name);\n}\nfunction load(name) {') };
    };
    const server = await startModelServer({ answers });
    try {
      sb.config({ roots: ['.'], stateDir: '../state', node: process.execPath, logs: ['../logs/*.log'], llm: { baseUrl: server.url } });
      const run = await sb.runJson(['run'], { env });
      const calls = server.modelCalls();
      assert.equal(calls.length, 1);
      const prompt = promptOf(calls[0]!);
      assert.ok(prompt.includes(`${file}:4`), `the project's path is in the prompt as it is:\n${prompt}`);
      assert.ok(!prompt.includes(TOKEN), 'a secret-named variable is still masked');
      assert.equal((prompt.match(/__REDACTED_\d+__/g) ?? []).filter((t, i, a) => a.indexOf(t) === i).length, 1, 'one token: the secret, not a path');
      const workerFix = run.json.fixes.find((f: any) => f.file === file);
      assert.equal(workerFix.outcome, 'applied', JSON.stringify(workerFix));
      assert.equal(sb.read('lib/worker.js'), fixed, 'the secret is put back in the fix');

      const cronFix = run.json.fixes.find((f: any) => f.bug.kind === 'environment');
      assert.equal(cronFix.outcome, 'applied', JSON.stringify(cronFix));
      assert.ok(cronFix.diff.includes(`+*/5 * * * * cd ${sb.app} && ${process.execPath} lib/worker.js`), cronFix.diff);
      const log = await sb.run(['log', '--diff'], { env });
      assert.ok(log.stdout.includes(`cd ${sb.app} && ${process.execPath}`), log.stdout);
      assert.ok(!/«redacted»\/|cd «redacted»|__REDACTED_/.test(log.stdout + run.stdout), 'no path was taken for a secret');
      assert.ok(log.stdout.includes(`${file}`) || run.stdout.includes(file) || log.stdout.includes('lib/worker.js'), log.stdout);
      assert.ok(!(log.stdout + run.stdout).includes(TOKEN), 'the secret is scrubbed from the printed diff');
    } finally {
      await server.close();
    }
  });
});

describe('the one redactor', () => {
  it('leaves path assignments and path variables alone, and still masks a password variable', async () => {
    const { Redactor } = await import('../src/util/secrets.ts');
    const r = new Redactor({ env: { PWD: '/srv/app', OLDPWD: '/srv/old', INIT_CWD: '/srv/app', DB_PASSWORD: 'hunter2-prod-7731' } });
    const script = 'PWD=/srv/app\nOLDPWD=/srv/old\ncd /srv/app && node worker.js\nDB_PWD=hunter2-prod-7731\n';
    assert.equal(r.scrub(script), 'PWD=/srv/app\nOLDPWD=/srv/old\ncd /srv/app && node worker.js\nDB_PWD=«redacted»\n');
    assert.equal(r.mask('at /srv/app/worker.js:12'), 'at /srv/app/worker.js:12');
  });

  it("searches a user's pattern in a text that holds none of the built-in patterns' needles", async () => {
    const { Redactor } = await import('../src/util/secrets.ts');
    const r = new Redactor({ patterns: ['acme[0-9]{6}'], env: {} });
    assert.equal(r.scrub('/srv/app/acme123456/worker.js'), '/srv/app/«redacted»/worker.js');
    assert.equal(new Redactor({ env: {} }).scrub('/srv/app/acme123456/worker.js'), '/srv/app/acme123456/worker.js');
  });
});

describe('each built-in secret shape is masked (a pattern is searched only where its needed text is)', () => {
  const shapes: [string, string, string][] = [
    ['a private key', 'key:\n-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7abcdefghijklmnop\n-----END RSA PRIVATE KEY-----\n', 'MIIEowIBAAKCAQEA7'],
    ['an OpenAI key', 'using sk-proj-4f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c now', 'sk-proj-4f9a8b7c6d5e4f3a2b1c'],
    ['a Stripe key', 'stripe rk_live_0123456789abcdefXYZ', 'rk_live_0123456789abcdef'],
    ['a GitHub token', 'auth ghs_0123456789abcdefghijABCDEFGHIJ012345', 'ghs_0123456789abcdefghij'],
    ['a GitHub fine-grained token', 'github_pat_11ABCDEFG0123456789_abcdefghijklmnop', 'github_pat_11ABCDEFG0123456789'],
    ['a Slack token', 'slack xoxb-1234567890-abcdefghij', 'xoxb-1234567890-abcdefghij'],
    ['an AWS key id', 'id AKIAIOSFODNN7EXAMPLE here', 'AKIAIOSFODNN7EXAMPLE'],
    ['a Google key', 'google AIzaSyA0123456789abcdefghijklmnopqrstuv', 'AIzaSyA0123456789abcdefghijklmnopqrstuv'],
    ['an npm token', 'npm npm_0123456789abcdefghijklmnopqrstuvwxyz', 'npm_0123456789abcdefghijklmnopqrstuvwxyz'],
    ['a JWT', 'jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.abcdefghijklmnop', 'eyJhbGciOiJIUzI1NiJ9'],
    ['a connection string password', 'db MYSQL://app:pa55-word-99@db:3306/x', 'pa55-word-99'],
    ['an authorization header', 'Authorization: Bearer abcdefghijklmnop0123', 'abcdefghijklmnop0123'],
    ['a quoted secret-named value', 'const ApiKey = "v4lue-of-the-key"', 'v4lue-of-the-key'],
    ['a KEY=value line', 'export SERVICE_TOKEN=tok-value-1234\n', 'tok-value-1234'],
  ];
  for (const [what, text, secret] of shapes) {
    it(what, async () => {
      const { Redactor, SCRUB_MARK } = await import('../src/util/secrets.ts');
      const out = new Redactor({ env: {} }).scrub(text);
      assert.ok(!out.includes(secret), `${out} still holds ${secret}`);
      assert.ok(out.includes(SCRUB_MARK), out);
    });
  }
});
