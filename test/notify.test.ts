// Notifications: real receivers on loopback (HTTP, SMTP, a program), an outbox that survives a
// receiver that is down and a SIGKILL mid-send, flood control, and `notify --test`.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';
import { box, closedPort, nodeCheck, waitFor, type Sandbox } from './helpers/cli.ts';
import { resolveConfig } from '../src/config/load.ts';
import { deliver, enqueueLogEntries } from '../src/notify/deliver.ts';
import { eventsFromLog } from '../src/notify/events.ts';
import { outboxPath, readOutbox } from '../src/notify/outbox.ts';
import type { FixEntry, LogEntry, ProbeChangeEntry } from '../src/state/log.ts';
import type { Clock } from '../src/util/clock.ts';

const HMAC_SECRET = 'hmac-shared-7f3a9c';
const SMTP_PASSWORD = 'smtp-pw-0a9b8c';
const API_KEY = 'sk-live0123456789abcdefghijkl';

/** A syntax slip the deterministic repairer fixes, right next to two secrets the diff will show. */
const WORKER = `const fs = require('fs');
function processData(input) {
const apiKey = "${API_KEY}";
const signing = "${HMAC_SECRET}";
const result = [1,2,3].map(x => x * 2));
return result.length + apiKey.length + signing.length;
}
module.exports = { processData };
`;

interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  raw: string;
  body: any;
  /** Set once the receiver answered it (a hung request has none). */
  answered?: number;
}

interface Receiver {
  url: string;
  port: number;
  got: Received[];
  /** `ok`: 200 at once; `hang`: read the request, never answer; `fail`: 500. */
  mode: 'ok' | 'hang' | 'fail';
  close(): Promise<void>;
}

const servers: { close(): Promise<void> }[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function receiver(port = 0, status = 200): Promise<Receiver> {
  const hung: http.ServerResponse[] = [];
  const r: Receiver = { url: '', port: 0, got: [], mode: 'ok', close: async () => {} };
  const srv = http.createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (d) => (raw += d));
    req.on('end', () => {
      let body: any;
      try {
        body = JSON.parse(raw);
      } catch {
        body = raw;
      }
      const rec: Received = { path: req.url ?? '', headers: req.headers, raw, body };
      r.got.push(rec);
      if (r.mode === 'hang') return void hung.push(res);
      rec.answered = r.mode === 'ok' ? status : 500;
      res.writeHead(rec.answered, { 'content-type': 'text/plain' }).end(r.mode === 'ok' ? 'ok' : 'broken');
    });
  });
  await new Promise<void>((resolve) => srv.listen(port, '127.0.0.1', resolve));
  r.port = (srv.address() as { port: number }).port;
  r.url = `http://127.0.0.1:${r.port}`;
  r.close = () =>
    new Promise<void>((resolve) => {
      for (const res of hung) res.destroy();
      srv.closeAllConnections();
      srv.close(() => resolve());
    });
  servers.push(r);
  return r;
}

interface Mail {
  from: string;
  to: string[];
  user: string | undefined;
  raw: string;
}

async function smtpServer(): Promise<{ port: number; mails: Mail[] }> {
  const mails: Mail[] = [];
  const srv = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, cb) {
      if (auth.username === 'mechanic' && auth.password === SMTP_PASSWORD) return cb(null, { user: auth.username });
      cb(new Error('bad login'));
    },
    onData(stream, session, cb) {
      let raw = '';
      stream.setEncoding('utf8');
      stream.on('data', (d: string) => (raw += d));
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((t) => t.address),
          user: session.user as string | undefined,
          raw,
        });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  servers.push({ close: () => new Promise<void>((resolve) => srv.close(() => resolve())) });
  return { port: (srv.server.address() as { port: number }).port, mails };
}

/** A mail's text as written: quoted-printable soft breaks joined and escapes decoded. */
function decodeQp(raw: string): string {
  return raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

function noSecretIn(what: string, text: string): void {
  for (const s of [API_KEY, HMAC_SECRET, SMTP_PASSWORD]) assert.ok(!text.includes(s), `${what} holds the secret ${s}`);
}

const webhooksFor = (r: Receiver, id: string) => r.got.filter((g) => g.body?.id === id || (g.body?.events ?? []).some((e: { id: string }) => e.id === id));

function project(sb: Sandbox, notify: object[], extra: object = {}): void {
  sb.write('worker.js', WORKER);
  sb.config({ llm: { provider: 'none' }, pm2Logs: false, stateDir: '../state', notify, ...extra });
}

describe('notify channels', () => {
  it('a fix reaches a signed webhook, Slack, Discord, ntfy, email over SMTP and a command, with no secret in any of them; a revert follows', async () => {
    const sb = box();
    const hook = await receiver();
    const slack = await receiver();
    const discord = await receiver(0, 204);
    const ntfy = await receiver();
    const smtp = await smtpServer();
    const stdinFile = path.join(sb.dir, 'stdin.jsonl');
    const catTo = path.join(sb.dir, 'cat-to.mjs');
    fs.writeFileSync(catTo, "import fs from 'node:fs';\nlet s = '';\nprocess.stdin.on('data', (d) => (s += d)).on('end', () => fs.appendFileSync(process.argv[2], s));\n");
    project(sb, [
      { type: 'webhook', url: `${hook.url}/hook`, secretEnv: 'HOOK_SIGNING' },
      { type: 'slack', urlEnv: 'SLACK_URL' },
      { type: 'discord', url: `${discord.url}/api/webhooks/1/abc` },
      { type: 'ntfy', url: ntfy.url, topic: 'mechanic-alerts' },
      { type: 'email', host: '127.0.0.1', port: smtp.port, user: 'mechanic', passwordEnv: 'SMTP_PW', from: 'mechanic@example.test', to: ['ops@example.test'] },
      { type: 'command', command: [process.execPath, catTo, stdinFile] },
    ]);
    const env = { HOOK_SIGNING: HMAC_SECRET, SLACK_URL: `${slack.url}/services/T0/B0/x`, SMTP_PW: SMTP_PASSWORD };
    const run = await sb.runJson(['run'], { env });
    assert.equal(run.json.fixes[0].outcome, 'applied', run.stderr);
    assert.ok(nodeCheck(path.join(sb.app, 'worker.js')));
    await waitFor('every receiver', () => hook.got.length && slack.got.length && discord.got.length && ntfy.got.length && smtp.mails.length && fs.existsSync(stdinFile));

    // Webhook: the event JSON, signed over the exact bytes received.
    const ev = hook.got[0]!.body;
    assert.equal(ev.event, 'fix.applied');
    for (const k of ['id', 'time', 'host', 'project', 'file', 'diff', 'reason']) assert.ok(ev[k], `the event has ${k}`);
    assert.equal(ev.file, path.join(sb.app, 'worker.js'));
    assert.equal(ev.host, os.hostname());
    assert.equal(ev.project, 'app');
    assert.match(ev.diff, /x \* 2\)\);/);
    assert.match(ev.diff, /«redacted»/, 'the secrets in the diff are scrubbed, not dropped');
    assert.equal(hook.got[0]!.headers['x-mechanic-signature'], `sha256=${createHmac('sha256', HMAC_SECRET).update(hook.got[0]!.raw).digest('hex')}`);
    assert.equal(hook.got[0]!.headers['x-mechanic-id'], ev.id);

    // Slack and Discord: their incoming-webhook shapes.
    assert.equal(slack.got[0]!.path, '/services/T0/B0/x');
    assert.deepEqual(Object.keys(slack.got[0]!.body), ['text']);
    assert.match(slack.got[0]!.body.text, /fixed worker\.js/);
    assert.match(slack.got[0]!.body.text, /```/);
    assert.equal(typeof discord.got[0]!.body.content, 'string');
    assert.ok(discord.got[0]!.body.content.length <= 2000);
    assert.match(discord.got[0]!.body.content, /fixed worker\.js/);
    assert.deepEqual(discord.got[0]!.body.allowed_mentions, { parse: [] });
    assert.equal(ntfy.got[0]!.body.topic, 'mechanic-alerts');
    assert.match(ntfy.got[0]!.body.title, /fix\.applied/);

    // Email: logged in, one mail to the configured address, the same event id.
    const mail = smtp.mails[0]!;
    assert.equal(mail.user, 'mechanic');
    assert.deepEqual(mail.to, ['ops@example.test']);
    assert.equal(mail.from, 'mechanic@example.test');
    const text = decodeQp(mail.raw);
    assert.match(text, /^Subject: .*fix\.applied/m);
    assert.match(text, new RegExp(`^X-Mechanic-Id: ${ev.id.replace(/[.:]/g, '\\$&')}\r?$`, 'im'), 'a header to de-duplicate on');
    assert.match(text, /fixed worker\.js/);

    // Command: the event JSON on its stdin, the same event.
    const fromStdin = JSON.parse(fs.readFileSync(stdinFile, 'utf8').trim().split('\n')[0]!);
    assert.deepEqual(fromStdin, ev);

    for (const r of [hook, slack, discord, ntfy]) for (const g of r.got) noSecretIn(`a request to ${g.path}`, g.raw);
    noSecretIn('the mail', text);
    noSecretIn('the command input', fs.readFileSync(stdinFile, 'utf8'));
    const status = await sb.runJson(['status'], { env });
    assert.equal(status.json.notify.pending, 0);
    assert.deepEqual(status.json.notify.channels.map((c: { delivered: number }) => c.delivered), [1, 1, 1, 1, 1, 1]);

    // `mechanic revert` is told too.
    const rev = await sb.run(['revert', 'worker.js'], { env });
    assert.equal(rev.code, 0, rev.stderr);
    await waitFor('the revert', () => hook.got.length === 2);
    assert.equal(hook.got[1]!.body.event, 'fix.reverted');
    assert.equal(hook.got[1]!.body.fixId, ev.fixId);
  });

  it('holds an event for a receiver that is down for several runs, then delivers it once when it comes up', async () => {
    const sb = box();
    const port = await closedPort();
    project(sb, [{ type: 'webhook', url: `http://127.0.0.1:${port}/hook`, retryMs: 1 }]);
    for (let i = 0; i < 3; i++) {
      const r = await sb.run(['run']);
      assert.notEqual(r.code, null, r.stderr);
    }
    const down = await sb.runJson(['status']);
    assert.equal(down.json.notify.pending, 1, 'the fix.applied event is still owed');
    assert.match(down.json.notify.channels[0].lastError, /ECONNREFUSED/);
    const item = readOutbox(path.join(sb.dir, 'state')).items[0]!;
    assert.equal(item.event.event, 'fix.applied');
    assert.equal(item.receivers.webhook!.attempts, 3, 'tried once per run');

    const hook = await receiver(port);
    await sb.run(['run']);
    await sb.run(['run']);
    assert.equal(hook.got.length, 1, 'delivered once, not again on the next run');
    assert.equal(hook.got[0]!.body.id, item.event.id, 'the same id as the event queued while it was down');
    assert.equal((await sb.runJson(['status'])).json.notify.pending, 0);
  });

  it('a SIGKILL while a send is in flight: after the restart each receiver has the event once', async () => {
    const sb = box();
    const fast = await receiver();
    const slow = await receiver();
    slow.mode = 'hang';
    project(sb, [
      { type: 'webhook', name: 'fast', url: fast.url },
      { type: 'webhook', name: 'slow', url: slow.url, timeoutMs: 60_000 },
    ]);
    const child = sb.spawn(['run']);
    const outbox = outboxPath(path.join(sb.dir, 'state'));
    // In flight: the slow receiver holds the request, the fast one's answer is on disk.
    await waitFor('the send in flight', () => {
      if (!slow.got.length || !fs.existsSync(outbox)) return false;
      const box = readOutbox(path.join(sb.dir, 'state'));
      return box.items[0]?.receivers.fast?.state === 'delivered';
    });
    const id = slow.got[0]!.body.id as string;
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    const left = readOutbox(path.join(sb.dir, 'state'));
    assert.equal(left.items.length, 1);
    assert.equal(left.items[0]!.receivers.slow!.state, 'pending', 'the kill left the slow receiver owed');

    slow.mode = 'ok';
    const again = await sb.runJson(['notify']);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(again.json.sent.map((s: { channel: string; ok: boolean }) => [s.channel, s.ok]), [['slow', true]]);
    assert.equal(webhooksFor(fast, id).length, 1, 'the receiver that had answered is not sent it again');
    assert.equal(webhooksFor(slow, id).filter((g) => g.answered === 200).length, 1, 'delivered once after the restart');
    assert.equal(webhooksFor(slow, id).length, 2, 'the cut-off attempt carried the same id, for de-duplication');
    const nothing = await sb.run(['notify']);
    assert.match(nothing.stdout, /nothing due/);
    assert.equal(fast.got.length + slow.got.length, 3);
  });

  it('the daemon tells its start and stop, and a fix between them', async () => {
    const sb = box();
    const hook = await receiver();
    project(sb, [{ type: 'webhook', url: hook.url }], { cycleIntervalMs: 300 });
    const daemon = sb.spawn(['daemon']);
    await waitFor('the fix event', () => hook.got.some((g) => g.body.event === 'fix.applied'));
    daemon.kill('SIGTERM');
    const code = await new Promise((resolve) => daemon.once('exit', resolve));
    assert.equal(code, 0);
    assert.deepEqual(hook.got.map((g) => g.body.event), ['daemon.started', 'fix.applied', 'daemon.stopped']);
    assert.match(hook.got[2]!.body.summary, /stopped after \d+ cycle/);
  });
});

describe('events from log entries', () => {
  const T = '2026-03-01T10:00:00.000Z';
  const fix = (outcome: FixEntry['outcome'], more: Partial<FixEntry> = {}): FixEntry => ({
    type: 'fix',
    id: `f-${outcome}`,
    time: T,
    file: '/srv/app/worker.js',
    bug: { id: 'b', kind: 'syntax', errorType: 'SyntaxError', message: 'Unexpected token', line: 4, column: 39, source: 'syntax' },
    strategy: 'deterministic',
    outcome,
    reason: `${outcome} because`,
    steps: [],
    diff: '--- a/worker.js\n+++ b/worker.js\n',
    ...more,
  });
  const probe = (from: ProbeChangeEntry['from'], to: ProbeChangeEntry['to']): ProbeChangeEntry => ({ type: 'probe', id: `p-${from}-${to}`, time: T, probe: 'db', from, to, reason: 'why' });
  const cases: { name: string; entry: LogEntry; events: string[]; check?: (e: Record<string, unknown>[]) => void }[] = [
    { name: 'an applied fix', entry: fix('applied'), events: ['fix.applied'], check: (e) => assert.equal(e[0]!.diff, '--- a/worker.js\n+++ b/worker.js\n') },
    { name: 'an applied fix and its restart', entry: fix('applied', { restart: { process: 'api', ok: true, reason: 'online' } }), events: ['fix.applied', 'process.restarted'], check: (e) => assert.equal(e[1]!.process, 'api') },
    { name: 'a failed restart after a fix', entry: fix('applied', { restart: { process: 'api', ok: false, reason: 'errored' } }), events: ['fix.applied'] },
    { name: "a stale process's restart", entry: fix('applied', { strategy: 'restart', restart: { process: 'api', ok: true, reason: 'online' } }), events: ['process.restarted'] },
    { name: 'a reverted candidate', entry: fix('reverted'), events: ['fix.reverted'] },
    { name: 'a failed fix', entry: fix('failed'), events: ['fix.failed'] },
    { name: 'a skip', entry: fix('skipped'), events: [] },
    {
      name: 'a proposal on a branch',
      entry: fix('proposed', { proposal: { branch: 'mechanic/fix-f', base: 'main', url: 'http://forge/pr/1' } }),
      events: ['fix.proposed'],
      check: (e) => assert.deepEqual([e[0]!.branch, e[0]!.url, typeof e[0]!.diff], ['mechanic/fix-f', 'http://forge/pr/1', 'string']),
    },
    { name: 'mechanic revert', entry: { type: 'revert', id: 'revert-f', time: T, file: '/srv/app/worker.js', fixId: 'f', backup: '/b', savedCurrent: '/c' }, events: ['fix.reverted'], check: (e) => assert.equal(e[0]!.fixId, 'f') },
    { name: 'a new healthy probe', entry: probe('new', 'healthy'), events: [] },
    { name: 'a new probe down', entry: probe('new', 'down'), events: ['probe.down'] },
    { name: 'healthy to degraded', entry: probe('healthy', 'degraded'), events: ['probe.degraded'] },
    { name: 'degraded to down', entry: probe('degraded', 'down'), events: ['probe.down'] },
    { name: 'down to healthy', entry: probe('down', 'healthy'), events: ['probe.recovered'], check: (e) => assert.deepEqual([e[0]!.status, e[0]!.from], ['healthy', 'down']) },
    { name: 'a remedy', entry: { type: 'remedy', id: 'r', time: T, probe: 'api', action: ['systemctl', 'restart', 'api'], outcome: 'ok', reason: 'exit 0' }, events: ['remedy.ran'], check: (e) => assert.equal(e[0]!.status, 'ok') },
    { name: 'an escalation', entry: { type: 'escalation', id: 'e', time: T, file: '/srv/app/worker.js', bug: fix('failed').bug, attempts: 3, reason: 'failed 3 times' }, events: ['bug.escalated'], check: (e) => assert.equal(e[0]!.attempts, 3) },
    { name: 'a recovery', entry: { type: 'recovery', id: 'x', time: T, file: '/srv/app/worker.js', action: 'restored', detail: 'd' }, events: [] },
  ];
  for (const c of cases)
    it(c.name, () => {
      const events = eventsFromLog([c.entry], { project: 'app', host: 'box1', scrub: (s) => s }) as unknown as Record<string, unknown>[];
      assert.deepEqual(events.map((e) => e.event), c.events);
      for (const e of events) {
        assert.equal(e.host, 'box1');
        assert.equal(e.time, T);
        assert.match(String(e.id), new RegExp(`^${String(e.event).replace('.', '\\.')}:`));
      }
      c.check?.(events);
    });
});

describe('notify delivery rules (library)', () => {
  function setup(notify: object[]) {
    const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mechanic-notify-')));
    servers.push({ close: () => Promise.resolve(fs.rmSync(dir, { recursive: true, force: true })) });
    const config = resolveConfig({ roots: ['.'], stateDir: 'state', pm2Logs: false, notify }, { file: undefined, baseDir: dir });
    let t = Date.parse('2026-03-01T10:00:00Z');
    const clock: Clock & { advance(ms: number): void } = { now: () => t, sleep: async () => {}, advance: (ms) => (t += ms) };
    const probe = (to: ProbeChangeEntry['to'], from: ProbeChangeEntry['from']): ProbeChangeEntry => ({
      type: 'probe',
      id: `probe-db-${t}`,
      time: new Date(t).toISOString(),
      probe: 'db',
      from,
      to,
      reason: to === 'healthy' ? 'ok' : 'connection refused',
    });
    return { config, clock, probe };
  }

  it('flood control: one message per interval, what came meanwhile as one digest; a filter picks events', async () => {
    const flood = await receiver();
    const picky = await receiver();
    const { config, clock, probe } = setup([
      { type: 'webhook', name: 'flood', url: flood.url, minIntervalMs: 60_000 },
      { type: 'webhook', name: 'picky', url: picky.url, events: ['probe.recovered'] },
    ]);
    enqueueLogEntries(config, [probe('down', 'new')]);
    await deliver(config, { clock, budgetMs: 5_000 });
    assert.equal(flood.got.length, 1);
    assert.equal(flood.got[0]!.body.event, 'probe.down');

    for (const [to, from] of [['healthy', 'down'], ['degraded', 'healthy'], ['down', 'degraded']] as const) {
      clock.advance(1_000);
      enqueueLogEntries(config, [probe(to, from)]);
    }
    const held = await deliver(config, { clock, budgetMs: 5_000 });
    assert.equal(flood.got.length, 1, 'nothing within the interval');
    assert.equal(held.pending, 3);

    clock.advance(60_000);
    await deliver(config, { clock, budgetMs: 5_000 });
    assert.equal(flood.got.length, 2);
    const digest = flood.got[1]!.body;
    assert.equal(digest.event, 'digest');
    assert.deepEqual(digest.events.map((e: { event: string }) => e.event), ['probe.recovered', 'probe.degraded', 'probe.down']);
    assert.match(digest.summary, /^3 events/);
    assert.equal((await deliver(config, { clock, budgetMs: 5_000 })).sent.length, 0, 'a digest is not sent twice');

    assert.deepEqual(picky.got.map((g) => g.body.event), ['probe.recovered'], 'the filter lets only its events through');
  });

  it('retries with doubling backoff, and drops an event past its expiry', async () => {
    const hook = await receiver();
    hook.mode = 'fail';
    const { config, clock, probe } = setup([{ type: 'webhook', url: hook.url, retryMs: 1_000, expireMs: 10_000 }]);
    enqueueLogEntries(config, [probe('down', 'healthy')]);
    const first = await deliver(config, { clock, budgetMs: 5_000 });
    assert.equal(first.sent[0]!.ok, false);
    assert.match(first.sent[0]!.detail, /HTTP 500/);
    assert.equal((await deliver(config, { clock, budgetMs: 5_000 })).sent.length, 0, 'not before the backoff ends');
    clock.advance(1_000);
    await deliver(config, { clock, budgetMs: 5_000 });
    clock.advance(1_000);
    assert.equal((await deliver(config, { clock, budgetMs: 5_000 })).sent.length, 0, 'the second backoff is twice the first');
    clock.advance(1_000);
    await deliver(config, { clock, budgetMs: 5_000 });
    assert.equal(hook.got.length, 3);
    clock.advance(10_000);
    const gone = await deliver(config, { clock, budgetMs: 5_000 });
    assert.equal(gone.expired, 1);
    assert.equal(gone.pending, 0);
    assert.equal(hook.got.length, 3);
  });
});

describe('mechanic notify --test', () => {
  it('sends a test event to every channel and says what each answered', async () => {
    const sb = box();
    const hook = await receiver();
    const slack = await receiver();
    const port = await closedPort();
    sb.config({
      llm: { provider: 'none' },
      pm2Logs: false,
      stateDir: '../state',
      notify: [
        { type: 'webhook', url: hook.url, secretEnv: 'HOOK_SIGNING', events: ['probe.down'] },
        { type: 'slack', url: slack.url },
        { type: 'webhook', name: 'gone', url: `http://127.0.0.1:${port}/` },
        { type: 'webhook', name: 'unsigned', url: hook.url, secretEnv: 'NOT_SET_ANYWHERE' },
      ],
    });
    const r = await sb.runJson(['notify', '--test'], { env: { HOOK_SIGNING: HMAC_SECRET } });
    assert.equal(r.code, 1, 'a channel failed');
    const by = Object.fromEntries(r.json.map((s: { channel: string }) => [s.channel, s]));
    assert.equal(by.webhook.ok, true);
    assert.equal(by.webhook.status, 200);
    assert.equal(by.slack.ok, true);
    assert.equal(by.gone.ok, false);
    assert.match(by.gone.detail, /ECONNREFUSED/);
    assert.equal(by.unsigned.ok, false);
    assert.equal(by.unsigned.detail, 'secretEnv: the environment variable NOT_SET_ANYWHERE is not set');
    assert.equal(hook.got.length, 1, 'the test ignores the event filter; an unsigned send is never made');
    assert.equal(hook.got[0]!.body.event, 'test');
    assert.equal(fs.existsSync(path.join(sb.dir, 'state', 'notify-outbox.json')), false, 'a test goes around the outbox');

    const text = await sb.run(['notify', '--test'], { env: { HOOK_SIGNING: HMAC_SECRET } });
    assert.match(text.stdout, /ok {4}webhook \(webhook\): HTTP 200/);
    assert.match(text.stdout, /FAIL {2}gone \(webhook\): .*ECONNREFUSED/);
  });

  it('a bad notify config is refused with the key named, and nothing is sent', async () => {
    const sb = box();
    const hook = await receiver();
    sb.config({ pm2Logs: false, stateDir: '../state', notify: [{ type: 'webhook', url: hook.url, events: ['fix.aplied'] }] });
    const r = await sb.run(['notify', '--test']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /notify\[0\]\.events\[0\]: unknown event "fix\.aplied"/);
    sb.config({ pm2Logs: false, notify: [{ type: 'pager', url: hook.url }] });
    const r2 = await sb.run(['notify', '--test']);
    assert.match(r2.stderr, /notify\[0\]\.type: Invalid discriminator value/);
    sb.config({ pm2Logs: false, notify: [{ type: 'webhook', url: 'not a url' }] });
    assert.match((await sb.run(['notify', '--test'])).stderr, /notify\[0\]\.url: expected an http\(s\) URL/);
    assert.equal(hook.got.length, 0);
  });
});
