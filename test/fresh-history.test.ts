// Fresh errors or history: an error from a log is acted on only when it was logged after its file
// last changed. Real files, real crashes, real logs (as PM2 and JSON loggers write them), the CLI.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { box, sandbox, waitFor, type Sandbox } from './helpers/cli.ts';
import { startModelServer, type ModelServer } from './helpers/model-server.ts';
import { PM2_BIN } from './helpers/pm2.ts';
import { minimalEnv, runProcess } from '../src/util/proc.ts';

/** Throws `TypeError: Cannot read properties of undefined (reading 'host')` at 3:22. */
const render = `'use strict';
function render(req) {
  return req.headers.host.toUpperCase();
}
module.exports = { render };
`;
/** The same bug, since rewritten around (the error's line moved; it still throws). */
const renderRewritten = `'use strict';
// Hosts are shown upper-case.
function render(req) {
  const host = req.headers.host;
  return host.toUpperCase();
}
module.exports = { render };
`;
const renderFixed = `'use strict';
function render(req) {
  return String(req.headers?.host ?? '').toUpperCase();
}
module.exports = { render };
`;
/** Throws `ReferenceError: greet is not defined` at 3:10. */
const greet = `'use strict';
function hello(name) {
  return greet(name);
}
module.exports = { hello };
`;
const greetFixed = `'use strict';
function greet(name) {
  return 'hello ' + name;
}
function hello(name) {
  return greet(name);
}
module.exports = { hello };
`;
/** The file no longer refers to greet at all. */
const greetGone = `'use strict';
function hello(name) {
  return 'hello ' + name;
}
module.exports = { hello };
`;

/** Runs `fn` of the module for real and returns what node wrote to stderr (the crash). */
function crash(file: string, fn: string, arg = '{}'): string {
  const r = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(file)}).${fn}(${arg})`], { encoding: 'utf8' });
  assert.notEqual(r.status, 0, `${file} did not crash`);
  return r.stderr;
}

const HOUR = 3_600_000;
/** Sets a file's mtime (ms, sub-ms kept). */
function touch(file: string, mtimeMs: number): void {
  fs.utimesSync(file, new Date(mtimeMs - HOUR), mtimeMs / 1000);
  assert.ok(Math.abs(fs.statSync(file).mtimeMs - mtimeMs) < 0.01, 'the file system keeps sub-ms times');
}

/** A project whose only log is `<dir>/logs/app-error.log`. */
function project(extra: object = {}): { sb: Sandbox; log: string } {
  const sb = box();
  const log = path.join(sb.dir, 'logs', 'app-error.log');
  fs.mkdirSync(path.dirname(log), { recursive: true });
  sb.config({ pm2Logs: false, logs: ['../logs/*.log'], llm: { provider: 'none' }, ...extra });
  return { sb, log };
}

/** Each line of a real crash, prefixed with a stamp (as PM2 `--time` or a logger writes it). */
const stamped = (stderr: string, stamp: string) =>
  stderr
    .trimEnd()
    .split('\n')
    .map((l) => `${stamp}${l}`)
    .join('\n') + '\n';

/** A PM2 `--time` / `YYYY-MM-DDTHH:mm:ss` stamp: local time, to the second. */
function pm2Stamp(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}: `;
}

const servers: ModelServer[] = [];
after(async () => {
  for (const s of servers) await s.close();
});
async function model(answers: { text: string }[]): Promise<ModelServer> {
  const s = await startModelServer({ answers });
  servers.push(s);
  return s;
}
const promptsAbout = (s: ModelServer, rel: string) => s.modelCalls().filter((q) => JSON.stringify(q.body).includes(rel)).length;

describe('a log without timestamps: history on first read, fresh after', () => {
  it('old errors already in the log are history: shown as such, never sent to the model unless the file still raises them', async () => {
    const { sb, log } = project();
    const renderFile = sb.write('lib/render.js', render);
    const greetFile = sb.write('lib/greet.js', greet);
    fs.writeFileSync(log, crash(renderFile, 'render') + crash(greetFile, 'hello', "'x'"));
    // The render code has been rewritten since; the app went on writing to its log after that,
    // so the log is newer than the file (the read time says nothing about when the error was).
    await new Promise((r) => setTimeout(r, 20));
    fs.writeFileSync(renderFile, renderRewritten);
    await new Promise((r) => setTimeout(r, 20));
    fs.appendFileSync(log, '(node:4242) Warning: something unrelated\n');
    const server = await model([{ text: greetFixed }]);
    sb.config({ pm2Logs: false, logs: ['../logs/*.log'], llm: { baseUrl: server.url } });

    const scan = await sb.runJson(['scan']);
    const byFile = (f: string) => scan.json.bugs.find((b: any) => b.file === f);
    const r = byFile(renderFile);
    const g = byFile(greetFile);
    assert.equal(r.kind, 'runtime', JSON.stringify(scan.json.bugs));
    assert.equal(r.errorType, 'TypeError');
    assert.equal(r.history, true);
    assert.equal(r.stillPossible, undefined);
    assert.equal(g.kind, 'runtime');
    assert.equal(g.history, true);
    assert.match(g.stillPossible, /still uses greet without defining it/);
    assert.equal(scan.code, 1, 'the ReferenceError is still there to fix');

    const human = await sb.run(['scan']);
    assert.match(human.stdout, /bugs: 2 found \(1 history, left alone\)/);
    assert.match(human.stdout, /lib\/render\.js:3:\d+ +TypeError: .*\[history: left alone, nothing shows it can still happen\]/);
    assert.match(human.stdout, /lib\/greet\.js:3:\d+ +ReferenceError: greet is not defined \[history, still possible: the file on disk still uses greet/);

    const run = await sb.runJson(['run']);
    const fixOf = (f: string) => run.json.fixes.find((x: any) => x.file === f);
    assert.equal(fixOf(renderFile).outcome, 'skipped');
    assert.match(fixOf(renderFile).reason, /^history: already in its log when the mechanic first read it/);
    assert.equal(fixOf(greetFile).outcome, 'applied', JSON.stringify(fixOf(greetFile)));
    assert.equal(server.modelCalls().length, 1, 'one model call, for the error still possible');
    assert.equal(promptsAbout(server, 'lib/render.js'), 0, 'no model call for history');
    assert.equal(sb.read('lib/render.js'), renderRewritten, 'history is never edited');
    assert.equal(sb.read('lib/greet.js'), greetFixed);
    assert.equal(run.code, 0, 'history is not left for a person');

    // The mechanic reads on from here: history is settled, nothing new is there.
    const quiet = await sb.runJson(['scan']);
    assert.deepEqual(quiet.json.bugs, []);
    assert.equal(quiet.code, 0);

    // The rewritten render code crashes now: appended after the mechanic began reading, fresh.
    fs.appendFileSync(log, crash(renderFile, 'render'));
    const scan2 = await sb.runJson(['scan']);
    assert.equal(scan2.json.bugs.length, 1, JSON.stringify(scan2.json.bugs));
    assert.equal(scan2.json.bugs[0].history, false);
    assert.equal(scan2.json.bugs[0].line, 4);
    const run2 = await sb.runJson(['run']);
    assert.notEqual(run2.json.fixes[0].outcome, 'skipped', JSON.stringify(run2.json.fixes));
    assert.equal(promptsAbout(server, 'lib/render.js'), server.modelCalls().length - 1, 'the fresh error went to the model');
    assert.ok(promptsAbout(server, 'lib/render.js') >= 1);
  });
});

describe('a log without timestamps: an old SyntaxError', () => {
  it('for a file that parses now is history: no model call, no edit, exit 0', async () => {
    const { sb, log } = project();
    const file = sb.write('lib/sum.js', "'use strict';\nfunction sum(a, b) {\n  return (a + b;\n}\nmodule.exports = { sum };\n");
    const r = spawnSync(process.execPath, [file], { encoding: 'utf8' });
    assert.match(r.stderr, /SyntaxError/);
    fs.writeFileSync(log, r.stderr);
    const good = "'use strict';\nfunction sum(a, b) {\n  return a + b;\n}\nmodule.exports = { sum };\n";
    await new Promise((res) => setTimeout(res, 20));
    fs.writeFileSync(file, good);
    await new Promise((res) => setTimeout(res, 20));
    fs.appendFileSync(log, '(node:4242) Warning: something unrelated\n');
    const server = await model([{ text: good }]);
    sb.config({ pm2Logs: false, logs: ['../logs/*.log'], llm: { baseUrl: server.url } });
    const scan = await sb.runJson(['scan']);
    assert.equal(scan.json.bugs.length, 1, JSON.stringify(scan.json.bugs));
    assert.equal(scan.json.bugs[0].errorType, 'SyntaxError');
    assert.equal(scan.json.bugs[0].history, true);
    assert.equal(scan.code, 0, 'history alone is nothing to do');
    const run = await sb.runJson(['run']);
    assert.equal(run.json.fixes[0].outcome, 'skipped');
    assert.match(run.json.fixes[0].reason, /^history:/);
    assert.equal(server.modelCalls().length, 0);
    assert.equal(sb.read('lib/sum.js'), good);
    assert.equal(run.code, 0);
  });
});

describe('a fresh SyntaxError stamped in the second its file was fixed', () => {
  it('for a file that parses now reaches no model: a stale process, not a bug to edit', async () => {
    const { sb, log } = project();
    const good = "'use strict';\nfunction sum(a, b) {\n  return a + b;\n}\nmodule.exports = { sum };\n";
    const file = sb.write('lib/sum.js', good);
    // Read the (empty) log first: what comes after is fresh.
    fs.writeFileSync(log, '');
    const server = await model([{ text: 'unused' }]);
    sb.config({ pm2Logs: false, logs: ['../logs/*.log'], llm: { baseUrl: server.url } });
    await sb.runJson(['run']);
    // A slip deployed, the crash it causes, stamped to the second as PM2 does, and the fix within
    // that same second: the times cannot order them, the text can.
    fs.writeFileSync(file, good.replace('return a + b;', 'return (a + b;'));
    const r = spawnSync(process.execPath, [file], { encoding: 'utf8' });
    assert.match(r.stderr, /SyntaxError/);
    const t = Math.floor(Date.now() / 1000) * 1000;
    fs.appendFileSync(log, stamped(r.stderr, pm2Stamp(t)));
    fs.writeFileSync(file, good);
    touch(file, t + 400.5);
    const scan = await sb.runJson(['scan']);
    const bug = scan.json.bugs.find((b: any) => b.errorType === 'SyntaxError');
    assert.ok(bug, JSON.stringify(scan.json.bugs));
    assert.equal(bug.kind, 'stale-process');
    assert.match(bug.staleBecause, /the file parses now/);
    const run = await sb.runJson(['run']);
    assert.equal(server.modelCalls().length, 0, 'no model call');
    assert.equal(sb.read('lib/sum.js'), good);
    assert.ok(run.json.fixes.every((f: any) => f.bug.kind === 'stale-process'), JSON.stringify(run.json.fixes));
  });
});

interface TimedCase {
  name: string;
  /** The file's text, and its mtime relative to the error's time T (ms, fractions kept). */
  file: string;
  mtimeFromT: number;
  /** The log's text, given the real crash's stderr and T. */
  log: (stderr: string, t: number) => string;
  expect: { kind: 'runtime' | 'stale-process'; reason?: RegExp; notReason?: RegExp; stillPossible?: RegExp };
}

const iso = (stderr: string, t: number) => stamped(stderr, `${new Date(t).toISOString()} `);
const pino = (stderr: string, t: number) => JSON.stringify({ level: 50, time: t, pid: 1, hostname: 'h', err: { type: 'TypeError', message: 'x', stack: stderr.slice(stderr.indexOf('TypeError')).trimEnd() }, msg: 'x' }) + '\n';
const winston = (stderr: string, t: number) => JSON.stringify({ level: 'error', message: 'x', stack: stderr.slice(stderr.indexOf('TypeError')).trimEnd(), timestamp: new Date(t).toISOString() }) + '\n';
const bunyan = (stderr: string, t: number) => JSON.stringify({ name: 'app', hostname: 'h', pid: 1, level: 50, err: { message: 'x', name: 'TypeError', stack: stderr.slice(stderr.indexOf('TypeError')).trimEnd() }, msg: 'x', time: new Date(t).toISOString(), v: 0 }) + '\n';
// A whole second: T is set on a second boundary for these (PM2 writes no milliseconds).
const pm2Time = (stderr: string, t: number) => stamped(stderr, pm2Stamp(t));

const timed: TimedCase[] = [
  { name: 'ISO prefix, logged 2 s after the file changed: fresh, on the first read too', file: render, mtimeFromT: -2000, log: iso, expect: { kind: 'runtime' } },
  { name: 'ISO prefix, logged 2 s before the file changed: older code', file: render, mtimeFromT: 2000, log: iso, expect: { kind: 'stale-process', reason: /^the file changed \(.*\) after the error was last logged/ } },
  { name: 'ISO prefix, the file written in the same millisecond after the error: not changed after it', file: render, mtimeFromT: 0.6, log: iso, expect: { kind: 'runtime' } },
  { name: 'ISO prefix, the file written 1 ms later: changed after it', file: render, mtimeFromT: 1, log: iso, expect: { kind: 'stale-process', reason: /after the error was last logged/ } },
  { name: 'PM2 --time (to the second), the file written 0.9 s into the same second: not changed after it', file: render, mtimeFromT: 900, log: pm2Time, expect: { kind: 'runtime' } },
  { name: 'PM2 --time, the file written at the next second: changed after it', file: render, mtimeFromT: 1000, log: pm2Time, expect: { kind: 'stale-process', reason: /after the error was last logged/ } },
  { name: 'pino (time in epoch ms), logged after the change: fresh', file: render, mtimeFromT: -5, log: pino, expect: { kind: 'runtime' } },
  { name: 'pino, logged before the change: older code', file: render, mtimeFromT: 5, log: pino, expect: { kind: 'stale-process' } },
  { name: 'winston (timestamp ISO), logged after the change: fresh', file: render, mtimeFromT: -5, log: winston, expect: { kind: 'runtime' } },
  { name: 'winston, logged before the change: older code', file: render, mtimeFromT: 5, log: winston, expect: { kind: 'stale-process' } },
  { name: 'bunyan (time ISO), logged after the change: fresh', file: render, mtimeFromT: -5, log: bunyan, expect: { kind: 'runtime' } },
  { name: 'bunyan, logged before the change: older code', file: render, mtimeFromT: 5, log: bunyan, expect: { kind: 'stale-process' } },
  {
    name: 'a ReferenceError whose name is still undefined beats a newer mtime: a bug to fix, not a stale process',
    file: greet,
    mtimeFromT: 60_000,
    log: iso,
    expect: { kind: 'runtime', stillPossible: /still uses greet without defining it/ },
  },
  {
    name: 'logged after the change, the file no longer refers to the name: stale, and the reason says so (not "defines")',
    file: greetGone,
    mtimeFromT: -2000,
    log: iso,
    expect: { kind: 'stale-process', reason: /^the file on disk no longer refers to greet, so the error comes from code loaded before it changed$/, notReason: /defines/ },
  },
  {
    name: 'logged before the change, the file now defines the name: stale, both reasons',
    file: greetFixed,
    mtimeFromT: 2000,
    log: iso,
    expect: { kind: 'stale-process', reason: /after the error was last logged \(.*\), and the file on disk defines greet$/ },
  },
];

describe('a log with timestamps: acted on only when logged after the file last changed', () => {
  for (const c of timed) {
    it(c.name, async () => {
      const { sb, log } = project();
      const isGreet = c.file.includes('hello');
      const file = sb.write(isGreet ? 'lib/greet.js' : 'lib/render.js', isGreet ? greet : render);
      const stderr = isGreet ? crash(file, 'hello', "'x'") : crash(file, 'render');
      // T: a recent time on a whole second (a PM2 stamp has no milliseconds), plus 123 ms elsewhere.
      const t = Math.floor((Date.now() - 600_000) / 1000) * 1000 + (c.log === pm2Time ? 0 : 123);
      fs.writeFileSync(log, c.log(stderr, t));
      fs.writeFileSync(file, c.file);
      touch(file, t + c.mtimeFromT);
      const scan = await sb.runJson(['scan']);
      assert.equal(scan.json.bugs.length, 1, JSON.stringify(scan.json));
      const bug = scan.json.bugs[0];
      assert.equal(bug.kind, c.expect.kind, JSON.stringify(bug));
      assert.equal(bug.file, file);
      assert.ok(!bug.history, 'a timed error is never history by position');
      assert.equal(Date.parse(bug.lastSeen), t, 'the time of the stack is its first line’s');
      if (c.expect.reason) assert.match(bug.staleBecause, c.expect.reason);
      if (c.expect.notReason) assert.doesNotMatch(bug.staleBecause, c.expect.notReason);
      if (c.expect.stillPossible) assert.match(bug.stillPossible, c.expect.stillPossible);
      if (c.expect.kind === 'runtime' && !c.expect.stillPossible) assert.equal(bug.staleBecause, undefined);
    });
  }

  it('an error logged before the change reaches no repairer; the ReferenceError still possible is fixed though the file is newer', async () => {
    const server = await model([{ text: greetFixed }]);
    const { sb, log } = project({ llm: { baseUrl: server.url } });
    const renderFile = sb.write('lib/render.js', render);
    const greetFile = sb.write('lib/greet.js', greet);
    const t = Date.now() - 600_000;
    fs.writeFileSync(log, iso(crash(renderFile, 'render'), t) + iso(crash(greetFile, 'hello', "'x'"), t));
    fs.writeFileSync(renderFile, renderRewritten);
    touch(renderFile, t + 5_000);
    touch(greetFile, t + 60_000);
    const run = await sb.runJson(['run']);
    const fixOf = (f: string) => run.json.fixes.find((x: any) => x.file === f);
    assert.equal(fixOf(renderFile).bug.kind, 'stale-process');
    assert.equal(fixOf(renderFile).outcome, 'skipped');
    assert.match(fixOf(renderFile).reason, /^stale process: the file changed/);
    assert.equal(fixOf(greetFile).outcome, 'applied', JSON.stringify(fixOf(greetFile)));
    assert.equal(server.modelCalls().length, 1);
    assert.equal(promptsAbout(server, 'lib/render.js'), 0, 'no model call for the older error');
    assert.equal(sb.read('lib/render.js'), renderRewritten, 'no edit');
    assert.equal(sb.read('lib/greet.js'), greetFixed);
  });
});

// ---------------------------------------------------------------------------------------------
// A real PM2, with and without `--time`.

interface App {
  sb: Sandbox;
  pm2: (args: string[]) => ReturnType<typeof runProcess>;
  errLog: string;
  lib: string;
  online(): Promise<boolean>;
}
const apps: App[] = [];
after(async () => {
  for (const a of apps) {
    await a.pm2(['kill']);
    a.sb.cleanup();
  }
});

/** An app that renders every 100 ms and logs what it throws (it stays online). */
async function startApp(options: Record<string, unknown>): Promise<App> {
  const sb = sandbox();
  const env = minimalEnv({ PM2_HOME: sb.env.PM2_HOME!, HOME: sb.home, PM2_DISCRETE_MODE: 'true' });
  const pm2 = (args: string[]) => runProcess(PM2_BIN, args, { cwd: sb.app, env, timeoutMs: 60_000 });
  const lib = sb.write('lib/render.js', render);
  fs.utimesSync(lib, new Date(Date.now() - HOUR), new Date(Date.now() - HOUR));
  sb.write('server.js', "const { render } = require('./lib/render');\nsetInterval(() => { try { render({}); } catch (err) { console.error(err); } }, 100);\n");
  sb.write('ecosystem.json', JSON.stringify({ apps: [{ name: 'web', script: path.join(sb.app, 'server.js'), cwd: sb.app, ...options }] }));
  const app: App = {
    sb,
    pm2,
    lib,
    errLog: path.join(sb.env.PM2_HOME!, 'logs', 'web-error.log'),
    async online() {
      const r = await pm2(['jlist']);
      const list = JSON.parse(r.stdout.split('\n').reverse().find((l) => l.startsWith('[')) ?? '[]');
      return list[0]?.pm2_env?.status === 'online';
    },
  };
  apps.push(app);
  const started = await pm2(['start', path.join(sb.app, 'ecosystem.json')]);
  assert.equal(started.code, 0, started.stderr);
  return app;
}
const typeErrorsIn = (log: string) => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split("TypeError: Cannot read properties of undefined (reading 'host')").length - 1 : 0);

describe('a real PM2 app', () => {
  it('without --time: errors from before a fix are history (no model call); a new crash after is fresh', async () => {
    const app = await startApp({});
    await waitFor('errors in the PM2 error log', () => typeErrorsIn(app.errLog) >= 3);
    // A person fixes the file and restarts the app, which writes to its error log again.
    assert.equal((await app.pm2(['stop', 'web'])).code, 0);
    fs.writeFileSync(app.lib, `${renderFixed}console.error('render: ready');\n`);
    assert.equal((await app.pm2(['restart', 'web'])).code, 0);
    await waitFor('the ready line', () => fs.readFileSync(app.errLog, 'utf8').includes('render: ready'));
    assert.ok(!fs.readFileSync(app.errLog, 'utf8').match(/^\d{4}-\d{2}-\d{2}T/m), 'no timestamps');
    assert.ok(fs.statSync(app.errLog).mtimeMs > fs.statSync(app.lib).mtimeMs, 'the log is newer than the file');

    const server = await model([{ text: renderFixed }]);
    app.sb.config({ llm: { baseUrl: server.url }, pm2Bin: PM2_BIN });
    const run = await app.sb.runJson(['run']);
    const fix = run.json.fixes.find((f: any) => f.file === app.lib);
    assert.ok(fix, JSON.stringify(run.json));
    assert.equal(run.json.bugs.find((b: any) => b.file === app.lib).history, true);
    assert.equal(fix.outcome, 'skipped');
    assert.match(fix.reason, /^history:/);
    assert.equal(server.modelCalls().length, 0, 'no model call for history');
    assert.ok(app.sb.read('lib/render.js').startsWith(renderFixed), 'the person’s fix is untouched');
    assert.equal(run.code, 0);

    // A new regression: the app crashes again after the mechanic began reading its log.
    const before = typeErrorsIn(app.errLog);
    fs.writeFileSync(app.lib, render);
    assert.equal((await app.pm2(['restart', 'web'])).code, 0);
    await waitFor('new errors', () => typeErrorsIn(app.errLog) >= before + 2);
    const run2 = await app.sb.runJson(['run']);
    const fix2 = run2.json.fixes.find((f: any) => f.file === app.lib);
    assert.ok(!run2.json.bugs.find((b: any) => b.file === app.lib).history, JSON.stringify(run2.json.bugs));
    assert.equal(fix2.outcome, 'applied', JSON.stringify(fix2));
    assert.equal(server.modelCalls().length, 1, 'the fresh error went to the model');
    assert.equal(app.sb.read('lib/render.js'), renderFixed);
  });

  it('with --time: errors stamped before the fix reach no repairer (the app has restarted since); stamped after, they do', async () => {
    const app = await startApp({ time: true });
    await waitFor('errors in the PM2 error log', () => typeErrorsIn(app.errLog) >= 3);
    assert.match(fs.readFileSync(app.errLog, 'utf8'), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}: TypeError: Cannot read/m, 'PM2 stamps each line to the second');
    assert.equal((await app.pm2(['stop', 'web'])).code, 0);
    // The last stamp is to the second: the fix comes in a later second, provably after it.
    await new Promise((r) => setTimeout(r, 1_100));
    fs.writeFileSync(app.lib, renderFixed);
    assert.equal((await app.pm2(['restart', 'web'])).code, 0);
    await waitFor('online', () => app.online());

    const server = await model([{ text: renderFixed }]);
    app.sb.config({ llm: { baseUrl: server.url }, pm2Bin: PM2_BIN });
    const run = await app.sb.runJson(['run']);
    const fix = run.json.fixes.find((f: any) => f.file === app.lib);
    assert.ok(fix, JSON.stringify(run.json));
    assert.equal(fix.bug.kind, 'stale-process');
    assert.ok(!run.json.bugs.find((b: any) => b.file === app.lib).history, 'timed errors are judged by their time');
    assert.match(fix.reason, /the file changed .* after the error was last logged .*; web has restarted since .*: settled/);
    assert.equal(server.modelCalls().length, 0);
    assert.equal(app.sb.read('lib/render.js'), renderFixed);
    assert.equal(run.code, 0);

    const before = typeErrorsIn(app.errLog);
    fs.writeFileSync(app.lib, render);
    assert.equal((await app.pm2(['restart', 'web'])).code, 0);
    await waitFor('new errors', () => typeErrorsIn(app.errLog) >= before + 2);
    const run2 = await app.sb.runJson(['run']);
    const fix2 = run2.json.fixes.find((f: any) => f.file === app.lib);
    assert.equal(fix2.bug.kind, 'runtime', JSON.stringify(fix2.bug));
    assert.equal(fix2.outcome, 'applied', JSON.stringify(fix2));
    assert.equal(server.modelCalls().length, 1);
  });
});
