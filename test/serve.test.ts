// The dashboard server over real HTTP on 127.0.0.1: every route, the token that guards actions,
// the rule for binding beyond loopback, and the Prometheus text, parsed. Projects are real
// folders with a fix the CLI really applied; the model server is the project's loopback one.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { box, closedPort, nodeCheck, SEED_WORKER, waitFor, type Sandbox } from './helpers/cli.ts';
import { startModelServer } from './helpers/model-server.ts';
// From dist/: a cycle runs the V8 engine's worker threads, which load built files.
import { loadConfig } from '../dist/config/load.js';
import { startServer, TOKEN_ENV, type MechanicServer } from '../dist/serve/server.js';
import { escapeHtml } from '../dist/serve/dashboard.js';

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: any;
}

/** One request, with any headers (Host included, which fetch will not set). */
function request(url: string, opts: { method?: string; headers?: Record<string, string>; body?: string | object } = {}): Promise<Answer> {
  const body = typeof opts.body === 'object' ? JSON.stringify(opts.body) : opts.body;
  const headers = { ...(typeof opts.body === 'object' ? { 'content-type': 'application/json' } : {}), ...opts.headers };
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: opts.method ?? 'GET', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => {
        let json: any;
        try {
          json = JSON.parse(text);
        } catch {
          /* not JSON */
        }
        resolve({ status: res.statusCode!, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Prometheus' text format: `name{labels} value` samples, with each family's TYPE. */
function parseMetrics(text: string): { types: Map<string, string>; samples: { name: string; labels: Record<string, string>; value: number }[] } {
  const types = new Map<string, string>();
  const samples: { name: string; labels: Record<string, string>; value: number }[] = [];
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) types.set(type[1]!, type[2]!);
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(m, `a sample line in Prometheus' format: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return { types, samples };
}

function sample(samples: ReturnType<typeof parseMetrics>['samples'], name: string, labels: Record<string, string> = {}): number | undefined {
  return samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

const CHECK_BROKEN = `'use strict';\nfunction f(a, b, c) {\n  return (a + b * c;\n}\nmodule.exports = { f };\n`;
const FIXED_WORKER = SEED_WORKER.replace('x * 2));', 'x * 2);');

/**
 * A project after one real `mechanic run`: worker.js fixed (confidence 1), check.js proposed
 * (below the gate of 1), a probe down (a closed port) and one healthy (the disk).
 */
async function fixedProject(extra: object = {}): Promise<Sandbox> {
  const sb = box();
  sb.write('src/worker.js', SEED_WORKER);
  sb.write('src/check.js', CHECK_BROKEN);
  const port = await closedPort();
  sb.config({
    roots: ['src'],
    repairers: ['deterministic'],
    deterministic: { minConfidence: 1 },
    pm2Logs: false,
    stateDir: '../state',
    probes: [
      { name: 'web', kind: 'tcp', host: '127.0.0.1', port, timeoutMs: 1000 },
      { name: 'disk', kind: 'disk', path: '.' },
    ],
    ...extra,
  });
  const r = await sb.runJson(['run']);
  const byFile = Object.fromEntries(r.json.fixes.map((f: any) => [path.basename(f.file), f]));
  assert.equal(byFile['worker.js'].outcome, 'applied', JSON.stringify(byFile['worker.js']));
  assert.equal(byFile['check.js'].outcome, 'proposed', JSON.stringify(byFile['check.js']));
  return sb;
}

const stateFile = (sb: Sandbox, name: string) => path.join(sb.dir, 'state', name);
const readState = (sb: Sandbox, name: string) => (fs.existsSync(stateFile(sb, name)) ? fs.readFileSync(stateFile(sb, name), 'utf8') : '');

describe('mechanic serve: the routes', () => {
  let sb: Sandbox;
  let server: MechanicServer;
  let base: string;
  let fixId: string;
  let proposalId: string;
  before(async () => {
    sb = await fixedProject();
    server = await startServer({ config: await loadConfig({ cwd: sb.app }), port: 0 });
    base = server.url;
    const log = JSON.parse(readState(sb, 'mechanic-log.json')) as any[];
    fixId = log.find((e) => e.type === 'fix' && e.outcome === 'applied').id;
    proposalId = log.find((e) => e.type === 'fix' && e.outcome === 'proposed').id;
  });
  after(() => server.close());

  it('listens on 127.0.0.1 by default, with a random token per server', async () => {
    assert.equal(server.host, '127.0.0.1');
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    assert.equal(server.tokenRequired, false);
    assert.ok(server.token.length >= 24);
    const other = await startServer({ config: await loadConfig({ cwd: sb.app }), port: 0 });
    try {
      assert.notEqual(other.token, server.token);
    } finally {
      await other.close();
    }
  });

  it('GET / is the dashboard: its token in the page, a nonce CSP, no framing, no data in the HTML itself', async () => {
    const r = await request(base);
    assert.equal(r.status, 200);
    assert.match(r.headers['content-type']!, /^text\/html/);
    assert.ok(r.text.includes(`<meta name="mechanic-token" content="${server.token}">`));
    const csp = String(r.headers['content-security-policy']);
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
    assert.ok(nonce, csp);
    assert.ok(r.text.includes(`<script nonce="${nonce}">`));
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(r.headers['x-frame-options'], 'DENY');
    assert.ok(!r.text.includes('worker.js'), 'the page is filled from /api/dashboard, with textContent');
    const again = await request(base);
    assert.notEqual(/nonce-([^']+)/.exec(String(again.headers['content-security-policy']))?.[1], nonce, 'a nonce per page');
  });

  it('escapeHtml escapes what HTML would read as markup', () => {
    assert.equal(escapeHtml(`<img src=x onerror="a('&')">`), '&lt;img src=x onerror=&quot;a(&#39;&amp;&#39;)&quot;&gt;');
  });

  it('GET /health: health+json of the last probe results, 503 while one is down', async () => {
    const r = await request(`${base}health`);
    assert.equal(r.status, 503);
    assert.equal(r.headers['content-type'], 'application/health+json');
    assert.equal(r.json.status, 'fail');
    assert.equal(r.json.output, '1/2 healthy, 1 down');
    assert.equal(r.json.checks['web:tcp'][0].status, 'fail');
    assert.match(r.json.checks['web:tcp'][0].output, /ECONNREFUSED/);
    assert.equal(r.json.checks['disk:disk'][0].status, 'pass');
  });

  it('GET /metrics: Prometheus text, the names and labels the issue lists, process metrics, conventions kept', async () => {
    const r = await request(`${base}metrics`);
    assert.equal(r.status, 200);
    assert.match(r.headers['content-type']!, /^text\/plain; version=0\.0\.4/);
    const { types, samples } = parseMetrics(r.text);
    const expected: Record<string, string> = {
      mechanic_cycles_total: 'counter',
      mechanic_cycle_duration_seconds: 'histogram',
      mechanic_fixes_total: 'counter',
      mechanic_bugs_open: 'gauge',
      mechanic_probe_up: 'gauge',
      mechanic_probe_latency_seconds: 'gauge',
      mechanic_llm_requests_total: 'counter',
      mechanic_llm_request_duration_seconds: 'histogram',
      mechanic_notifications_pending: 'gauge',
      process_cpu_seconds_total: 'counter',
      process_resident_memory_bytes: 'gauge',
    };
    for (const [name, type] of Object.entries(expected)) assert.equal(types.get(name), type, name);
    // Ours (prom-client's own process metrics are as prom-client names them).
    for (const [name, type] of [...types].filter(([n]) => n.startsWith('mechanic_'))) {
      if (type === 'counter') assert.match(name, /_total$/, `counter ${name} ends in _total`);
      else assert.doesNotMatch(name, /_total$/, `${type} ${name} does not end in _total`);
      assert.doesNotMatch(name, /_(ms|milliseconds|kb|mb|minutes)(_|$)/, `${name} is in base units`);
    }
    assert.equal(sample(samples, 'mechanic_cycles_total'), 1);
    assert.equal(sample(samples, 'mechanic_probe_up', { probe: 'web', kind: 'tcp' }), 0);
    assert.equal(sample(samples, 'mechanic_probe_up', { probe: 'disk', kind: 'disk' }), 1);
    assert.equal(sample(samples, 'mechanic_probe_status', { probe: 'web', status: 'down' }), 1);
    assert.ok(sample(samples, 'mechanic_probe_latency_seconds', { probe: 'web' })! < 1, 'seconds, not ms');
    assert.equal(sample(samples, 'mechanic_bugs_open', { kind: 'syntax' }), 1, 'check.js is left (proposed)');
    assert.equal(sample(samples, 'mechanic_bugs_open', { kind: 'runtime' }), 0);
    assert.equal(sample(samples, 'mechanic_notifications_pending'), 0);
    assert.equal(sample(samples, 'mechanic_llm_requests_total', { outcome: 'ok' }), 0);
    assert.equal(sample(samples, 'mechanic_daemon_running'), 0);
    assert.equal(sample(samples, 'mechanic_cycles_failing'), 0);
    assert.ok(sample(samples, 'process_resident_memory_bytes')! > 1e6);
    // Before this server started is not counted again: fixes are counted as they are logged.
    assert.equal(samples.filter((s) => s.name === 'mechanic_fixes_total').length, 0);
  });

  it('GET /api/…: the same data as JSON', async () => {
    const st = await request(`${base}api/status`);
    assert.equal(st.status, 200);
    assert.equal(st.json.totalCycles, 1);
    assert.equal(st.json.totalFixes, 1);
    assert.equal(st.json.serve.inDaemon, false);
    assert.equal(st.json.needsPerson.proposed[0].fixId, proposalId);

    const probes = (await request(`${base}api/probes`)).json.probes;
    const web = probes.find((p: any) => p.name === 'web');
    assert.equal(web.status, 'down');
    assert.equal(web.history.length, 1);
    assert.deepEqual(web.uptime, { healthy: 0, results: 1, ratio: 0 });
    assert.equal(probes.find((p: any) => p.name === 'disk').uptime.ratio, 1);

    const bugs = (await request(`${base}api/bugs`)).json.bugs;
    assert.equal(bugs.length, 1);
    assert.equal(bugs[0].rel, 'check.js');
    assert.equal(bugs[0].outcome, 'proposed');

    const fixes = (await request(`${base}api/fixes`)).json.fixes;
    const applied = fixes.find((f: any) => f.id === fixId);
    assert.equal(applied.outcome, 'applied');
    assert.equal(applied.confidence, 1);
    assert.equal(applied.canRevert, true);
    assert.match(applied.diff, /^\+const result = \[1,2,3\]\.map\(x => x \* 2\);$/m);
    assert.deepEqual(applied.validated, ['syntax', 'exports', 'undefined-names']);
    const proposed = fixes.find((f: any) => f.id === proposalId);
    assert.equal(proposed.canApply, true);
    assert.equal(proposed.canRevert, false);
    assert.equal((await request(`${base}api/fixes?limit=1`)).json.fixes.length, 1);

    const log = (await request(`${base}api/log?limit=100`)).json.entries;
    assert.ok(log.some((e: any) => e.type === 'probe' && e.probe === 'web' && e.to === 'down'));
    const needs = (await request(`${base}api/needs-person`)).json;
    assert.equal(needs.proposed.length, 1);

    const d = (await request(`${base}api/dashboard`)).json;
    assert.deepEqual(Object.keys(d).sort(), ['bugs', 'cycleFailure', 'daemon', 'fixes', 'generatedAt', 'lastCycle', 'needsPerson', 'notify', 'probes', 'project', 'serve', 'snoozes', 'totals']);
    assert.equal(d.daemon.inProcess, false);
    assert.equal(d.daemon.running, null);
  });

  it('bad requests: JSON errors with the right status, and the server goes on', async () => {
    const missing = await request(`${base}nope`);
    assert.equal(missing.status, 404);
    assert.match(missing.json.error, /no such route: \/nope/);
    const wrongMethod = await request(`${base}metrics`, { method: 'POST', headers: { 'x-mechanic-token': server.token } });
    assert.equal(wrongMethod.status, 405);
    assert.equal(wrongMethod.headers.allow, 'GET, HEAD');
    const getAction = await request(`${base}api/actions/revert`);
    assert.equal(getAction.status, 405);
    assert.equal(getAction.headers.allow, 'POST');
    const badLimit = await request(`${base}api/fixes?limit=lots`);
    assert.equal(badLimit.status, 400);
    assert.match(badLimit.json.error, /limit: expected a whole number/);
    const head = await request(`${base}health`, { method: 'HEAD' });
    assert.equal(head.status, 503);
    assert.equal(head.text, '');
    assert.equal((await request(`${base}api/status`)).status, 200);
  });

  it('a Host that is not a loopback name is refused (DNS rebinding): 403, nothing served', async () => {
    const r = await request(`${base}`, { headers: { host: `attacker.example:${server.port}` } });
    assert.equal(r.status, 403);
    assert.match(r.json.error, /DNS rebinding/);
    assert.ok(!r.text.includes(server.token));
    assert.equal((await request(base, { headers: { host: `localhost:${server.port}` } })).status, 200);
  });

  it('every action without the token, or with a wrong one, is 403 and changes nothing', async () => {
    const before = { worker: sb.read('src/worker.js'), check: sb.read('src/check.js'), log: readState(sb, 'mechanic-log.json'), state: readState(sb, 'state.json'), holds: readState(sb, 'holds.json') };
    const bodies: Record<string, object> = {
      revert: { fixId },
      apply: { fixId: proposalId },
      retry: { target: path.join(sb.app, 'src', 'check.js') },
      snooze: { target: path.join(sb.app, 'src', 'check.js'), duration: '1h' },
      'run-cycle': {},
    };
    for (const [action, body] of Object.entries(bodies)) {
      for (const headers of [{}, { 'x-mechanic-token': 'wrong' }, { authorization: 'Bearer wrong' }, { authorization: `Basic ${Buffer.from(`x:${server.token}`).toString('base64')}` }] as Record<string, string>[]) {
        const r = await request(`${base}api/actions/${action}`, { method: 'POST', body, headers });
        assert.equal(r.status, 403, `${action} with ${JSON.stringify(headers)}: ${r.text}`);
        assert.match(r.json.error, /needs the token.*nothing was changed/);
      }
    }
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual({ worker: sb.read('src/worker.js'), check: sb.read('src/check.js'), log: readState(sb, 'mechanic-log.json'), state: readState(sb, 'state.json'), holds: readState(sb, 'holds.json') }, before);
  });

  it('action bodies: bounded, JSON only, fields checked; nothing changes on a bad one', async () => {
    const headers = { 'x-mechanic-token': server.token };
    const before = readState(sb, 'mechanic-log.json');
    const big = await request(`${base}api/actions/revert`, { method: 'POST', headers, body: { fixId: 'x'.repeat(20_000) } });
    assert.equal(big.status, 413);
    const notJson = await request(`${base}api/actions/revert`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: '{fixId:' });
    assert.equal(notJson.status, 400);
    assert.match(notJson.json.error, /not JSON/);
    const form = await request(`${base}api/actions/revert`, { method: 'POST', headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' }, body: `fixId=${fixId}` });
    assert.equal(form.status, 415);
    const noId = await request(`${base}api/actions/revert`, { method: 'POST', headers, body: {} });
    assert.equal(noId.status, 400);
    assert.match(noId.json.error, /fixId: expected a non-empty string/);
    const unknown = await request(`${base}api/actions/revert`, { method: 'POST', headers, body: { fixId: 'ffffffff-nope' } });
    assert.equal(unknown.status, 400);
    assert.match(unknown.json.error, /no applied fix matches/);
    const badDuration = await request(`${base}api/actions/snooze`, { method: 'POST', headers, body: { target: path.join(sb.app, 'src', 'check.js'), duration: 'forever' } });
    assert.equal(badDuration.status, 400);
    assert.match(badDuration.json.error, /duration/);
    const outside = await request(`${base}api/actions/snooze`, { method: 'POST', headers, body: { target: sb.write('elsewhere.js', '1;\n'), duration: '1h' } });
    assert.equal(outside.status, 400);
    assert.match(outside.json.error, /outside the configured roots/);
    assert.equal(readState(sb, 'mechanic-log.json'), before);
    assert.equal(readState(sb, 'holds.json'), '');
    assert.equal(sb.read('src/worker.js'), FIXED_WORKER);
  });

  it('with the token: snooze and retry a bug, apply the proposal, revert the fix', async () => {
    const headers = { 'x-mechanic-token': server.token };
    const check = path.join(sb.app, 'src', 'check.js');
    const sn = await request(`${base}api/actions/snooze`, { method: 'POST', headers, body: { target: check, duration: '2h' } });
    assert.equal(sn.status, 200, sn.text);
    assert.ok(JSON.parse(readState(sb, 'holds.json')).snoozes[check]);
    assert.equal((await request(`${base}api/status`)).json.snoozes[0].file, check);
    const rt = await request(`${base}api/actions/retry`, { method: 'POST', headers, body: { target: check } });
    assert.equal(rt.status, 200, rt.text);
    assert.deepEqual(rt.json.result.lifted.sort(), ['cooldown', 'snooze']);
    assert.equal(JSON.parse(readState(sb, 'holds.json')).snoozes[check], undefined);

    const ap = await request(`${base}api/actions/apply`, { method: 'POST', headers, body: { fixId: proposalId } });
    assert.equal(ap.status, 200, ap.text);
    assert.equal(ap.json.result.fix.outcome, 'applied');
    assert.notEqual(sb.read('src/check.js'), CHECK_BROKEN, 'the proposal is in place');
    assert.ok(nodeCheck(check), 'and it parses');
    const again = await request(`${base}api/actions/apply`, { method: 'POST', headers, body: { fixId: proposalId } });
    assert.equal(again.status, 400);
    assert.match(again.json.error, /already applied/);

    const rv = await request(`${base}api/actions/revert`, { method: 'POST', headers, body: { fixId } });
    assert.equal(rv.status, 200, rv.text);
    assert.equal(sb.read('src/worker.js'), SEED_WORKER, 'the pre-fix bytes are back');
    assert.equal(fs.readFileSync(rv.json.result.savedCurrent, 'utf8'), FIXED_WORKER, 'what the file held is kept');
    const log = JSON.parse(readState(sb, 'mechanic-log.json')) as any[];
    assert.ok(log.some((e) => e.type === 'revert' && e.fixId === fixId));
    const twice = await request(`${base}api/actions/revert`, { method: 'POST', headers, body: { fixId } });
    assert.equal(twice.status, 400);
    assert.match(twice.json.error, /already reverted/);
    const fixes = (await request(`${base}api/fixes`)).json.fixes;
    assert.equal(fixes.find((f: any) => f.id === fixId).canRevert, false);
    assert.equal(fixes.find((f: any) => f.id === proposalId).canApply, false);
  });

  it('an action while another mechanic holds the state folder: 409 with who holds it, nothing changed', async () => {
    const lock = stateFile(sb, 'mechanic.lock');
    // A live process that is not this one: the test runner's parent.
    fs.writeFileSync(lock, JSON.stringify({ pid: process.ppid, host: (await import('node:os')).hostname(), command: 'daemon', since: new Date().toISOString() }));
    try {
      const before = sb.read('src/check.js');
      const log = JSON.parse(readState(sb, 'mechanic-log.json')) as any[];
      const applied = log.filter((e) => e.type === 'fix' && e.outcome === 'applied' && !e.revertedAt).pop();
      const r = await request(`${base}api/actions/revert`, { method: 'POST', headers: { 'x-mechanic-token': server.token }, body: { fixId: applied.id } });
      assert.equal(r.status, 409, r.text);
      assert.match(r.json.error, /another mechanic \(pid \d+, `daemon`/);
      const cycle = await request(`${base}api/actions/run-cycle`, { method: 'POST', headers: { 'x-mechanic-token': server.token } });
      assert.equal(cycle.status, 409);
      assert.match(cycle.json.error, /the daemon runs the cycles/);
      assert.equal(sb.read('src/check.js'), before);
      assert.equal(sample(parseMetrics((await request(`${base}metrics`)).text).samples, 'mechanic_daemon_running'), 1);
    } finally {
      fs.rmSync(lock, { force: true });
    }
  });
});

describe('mechanic serve: run a cycle now, and what /metrics counts of it', () => {
  it('runs one cycle in the serving process under the state lock; its model requests, fix and duration show in /metrics', async () => {
    const model = await startModelServer({ answers: [{ status: 500, text: 'overloaded' }, { text: FIXED_WORKER }] });
    const sb = box();
    try {
      sb.write('src/worker.js', SEED_WORKER);
      sb.config({ roots: ['src'], repairers: ['llm'], pm2Logs: false, stateDir: '../state', llm: { baseUrl: model.url, retries: 1, retryDelayMs: 10 } });
      const server = await startServer({ config: await loadConfig({ cwd: sb.app }), port: 0 });
      try {
        const headers = { 'x-mechanic-token': server.token };
        const r = await request(`${server.url}api/actions/run-cycle`, { method: 'POST', headers });
        assert.equal(r.status, 202, r.text);
        const second = await request(`${server.url}api/actions/run-cycle`, { method: 'POST', headers });
        assert.equal(second.status, 409, 'one cycle at a time');
        const st = await waitFor('the cycle to end', async () => {
          const s = (await request(`${server.url}api/status`)).json;
          return s.serve.cycle.running === false && s.serve.cycle.last?.finishedAt ? s : undefined;
        }, 60_000, 100);
        assert.equal(st.totalCycles, 1);
        assert.equal(st.totalFixes, 1);
        assert.equal(sb.read('src/worker.js'), FIXED_WORKER);
        assert.ok(!fs.existsSync(stateFile(sb, 'mechanic.lock')), 'the lock was released after the cycle');
        const { samples } = parseMetrics((await request(`${server.url}metrics`)).text);
        assert.equal(sample(samples, 'mechanic_llm_requests_total', { outcome: 'http' }), 1, 'the 500');
        assert.equal(sample(samples, 'mechanic_llm_requests_total', { outcome: 'ok' }), 1);
        assert.equal(sample(samples, 'mechanic_llm_request_duration_seconds_count'), 2);
        assert.equal(sample(samples, 'mechanic_fixes_total', { outcome: 'applied', strategy: 'llm' }), 1, JSON.stringify(samples.filter((x) => x.name === 'mechanic_fixes_total')));
        assert.equal(sample(samples, 'mechanic_cycle_duration_seconds_count'), 1);
        assert.equal(sample(samples, 'mechanic_cycles_total'), 1);
        assert.equal(model.modelCalls().length, 2);
        // The one model server answered in the end: up, and the one tried first.
        assert.equal(sample(samples, 'mechanic_llm_server_up', { url: model.url.replace(/\/$/, ''), preferred: 'true' }), 1, JSON.stringify(samples.filter((x) => x.name === 'mechanic_llm_server_up')));
      } finally {
        await server.close();
      }
    } finally {
      await model.close();
    }
  });
});

describe('beyond loopback: a token from the environment, for every route', () => {
  it('refuses to start without the token, or with a short one, and listens on nothing', async () => {
    const sb = box();
    sb.config({ roots: ['.'], pm2Logs: false, stateDir: '../state' });
    const config = await loadConfig({ cwd: sb.app });
    const port = await closedPort();
    await assert.rejects(startServer({ config, host: '0.0.0.0', port, env: {} }), new RegExp(`0\\.0\\.0\\.0 is beyond loopback: set ${TOKEN_ENV}`));
    await assert.rejects(startServer({ config, host: '0.0.0.0', port, env: { [TOKEN_ENV]: 'short' } }), /shorter than 16 characters/);
    await assert.rejects(request(`http://127.0.0.1:${port}/`), /ECONNREFUSED/);

    const cli = await sb.run(['serve', '--host', '0.0.0.0', '--port', String(port)]);
    assert.equal(cli.code, 2);
    assert.match(cli.stderr, /0\.0\.0\.0 is beyond loopback: set MECHANIC_HTTP_TOKEN/);
    await assert.rejects(request(`http://127.0.0.1:${port}/`), /ECONNREFUSED/);
  });

  it('with the token set, every route needs it (header, Bearer, Basic for reads); actions need the header or Bearer', async () => {
    const sb = await fixedProject();
    const token = 'a-long-enough-shared-secret-0123456789';
    const server = await startServer({ config: await loadConfig({ cwd: sb.app }), host: '0.0.0.0', port: 0, env: { [TOKEN_ENV]: token } });
    try {
      assert.equal(server.tokenRequired, true);
      assert.equal(server.token, token, 'the page carries the token from the environment');
      const base = `http://127.0.0.1:${server.port}/`;
      for (const route of ['', 'metrics', 'health', 'api/status', 'api/dashboard', 'api/fixes']) {
        const r = await request(`${base}${route}`);
        assert.equal(r.status, 401, route);
        assert.match(r.headers['www-authenticate']!, /^Basic realm="code-mechanic"/);
        assert.ok(!r.text.includes(token));
        assert.equal((await request(`${base}${route}`, { headers: { authorization: 'Bearer nope' } })).status, 401);
      }
      assert.equal((await request(`${base}api/status`, { headers: { authorization: `Bearer ${token}` } })).status, 200);
      assert.equal((await request(`${base}metrics`, { headers: { 'x-mechanic-token': token } })).status, 200);
      assert.equal((await request(base, { headers: { authorization: `Basic ${Buffer.from(`me:${token}`).toString('base64')}` } })).status, 200);
      // Any Host is fine here: the token, not the name, is the guard.
      assert.equal((await request(`${base}api/status`, { headers: { host: 'mechanic.example', authorization: `Bearer ${token}` } })).status, 200);

      const log = JSON.parse(readState(sb, 'mechanic-log.json')) as any[];
      const fixId = log.find((e) => e.type === 'fix' && e.outcome === 'applied').id;
      const basic = await request(`${base}api/actions/revert`, { method: 'POST', body: { fixId }, headers: { authorization: `Basic ${Buffer.from(`me:${token}`).toString('base64')}` } });
      assert.equal(basic.status, 401, 'a browser resends Basic by itself: not enough to act');
      assert.equal(sb.read('src/worker.js'), FIXED_WORKER);
      const ok = await request(`${base}api/actions/revert`, { method: 'POST', body: { fixId }, headers: { authorization: `Bearer ${token}` } });
      assert.equal(ok.status, 200, ok.text);
      assert.equal(sb.read('src/worker.js'), SEED_WORKER);
    } finally {
      await server.close();
    }
  });
});

describe('mechanic serve and daemon --http on the command line', () => {
  it('bad values are usage errors (exit 2), nothing served', async () => {
    const sb = box();
    sb.config({ roots: ['.'], pm2Logs: false, stateDir: '../state' });
    for (const [args, msg] of [
      [['serve', '--port', '70000'], /--port: expected a port number 0 to 65535, got "70000"/],
      [['serve', '--port', 'http'], /--port: expected a port number/],
      [['daemon', '--http', 'localhost'], /--http: expected <host>:<port>/],
      [['daemon', '--http', '10.1.2.3:9464'], /10\.1\.2\.3 is beyond loopback: set MECHANIC_HTTP_TOKEN/],
    ] as const) {
      const r = await sb.run([...args]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, msg);
    }
    assert.ok(!fs.existsSync(path.join(sb.dir, 'state', 'state.json')), 'no cycle ran');
  });

  it('mechanic serve prints where it listens and stops cleanly on SIGTERM', async () => {
    const sb = box();
    sb.config({ roots: ['.'], pm2Logs: false, stateDir: '../state' });
    const child = sb.spawn(['serve', '--port', '0']);
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    const url = await waitFor('the URL', () => /serving (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out)?.[1]);
    const health = await request(`${url}health`);
    assert.equal(health.status, 200);
    assert.equal(health.json.output, 'no probe results yet');
    const exit = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    child.kill('SIGTERM');
    assert.equal(await exit, 0);
  });

  it('daemon --http: one process runs cycles and serves; "run a cycle now" wakes it; a revert runs between cycles under its lock', async () => {
    const sb = await fixedProject({ cycleIntervalMs: 3_600_000 });
    const child = sb.spawn(['daemon', '--http', '127.0.0.1:0']);
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    const exit = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    try {
      const url = await waitFor('the URL', () => /serving (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out)?.[1]);
      const token = /mechanic-token" content="([^"]+)"/.exec((await request(url)).text)![1]!;
      const st = await waitFor('the first cycle', async () => {
        const s = (await request(`${url}api/status`)).json;
        return s.totalCycles === 2 && s.daemon.phase === 'waiting' ? s : undefined;
      });
      assert.equal(st.running.pid, child.pid);
      assert.equal(st.running.command, 'daemon');
      assert.ok(Date.parse(st.daemon.nextCycleAt) > Date.now() + 3_000_000, 'the next cycle an hour away');
      const dash = (await request(`${url}api/dashboard`)).json;
      assert.equal(dash.daemon.inProcess, true);
      assert.equal(dash.daemon.nextCycleDue, st.daemon.nextCycleAt);

      const woke = await request(`${url}api/actions/run-cycle`, { method: 'POST', headers: { 'x-mechanic-token': token } });
      assert.equal(woke.status, 202, woke.text);
      await waitFor('the woken cycle', async () => (await request(`${url}api/status`)).json.totalCycles === 3);
      const m = parseMetrics((await request(`${url}metrics`)).text).samples;
      assert.equal(sample(m, 'mechanic_cycles_total'), 3);
      assert.ok(sample(m, 'mechanic_cycle_duration_seconds_count')! >= 2, 'both cycles of this process timed');
      assert.equal(sample(m, 'mechanic_daemon_running'), 1);

      const log = JSON.parse(readState(sb, 'mechanic-log.json')) as any[];
      const fixId = log.find((e) => e.type === 'fix' && e.outcome === 'applied').id;
      const rv = await request(`${url}api/actions/revert`, { method: 'POST', headers: { 'x-mechanic-token': token }, body: { fixId } });
      assert.equal(rv.status, 200, rv.text);
      assert.equal(sb.read('src/worker.js'), SEED_WORKER);
      // The daemon still holds its lock: a second mechanic is still refused.
      const lock = JSON.parse(readState(sb, 'mechanic.lock'));
      assert.equal(lock.pid, child.pid);
      assert.equal((await sb.run(['run'])).code, 3);
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exit, 0, out);
    assert.match(out, /stopped after 2 cycle\(s\)/, "its own two: the first and the woken one");
  });
});
