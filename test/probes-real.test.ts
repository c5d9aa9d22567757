/**
 * Layer 1, stage 2: the probe kinds postgres, queue, github and pm2 against real components: a
 * real PostgreSQL server (initdb in a temporary folder, a free loopback port), a real PM2 daemon
 * with its own PM2_HOME, a real backlog folder that grows and drains between cycles, and a
 * loopback stand-in for the GitHub API answering /rate_limit with the real response shape.
 */
import assert from 'node:assert/strict';
import fsp from 'node:fs/promises';
import http from 'node:http';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { needs } from './helpers/require.ts';
import { parseJlist } from '../src/pm2/pm2.js';
import { probeSchema } from '../src/probes/registry.js';
import { runProbes, summarize } from '../src/probes/run.js';
import type { ProbeResult } from '../src/probes/types.js';
import { systemClock } from '../src/util/clock.js';
import { startPm2, type Pm2Daemon } from './helpers/pm2.js';
import { findPgBin, freePort, startPostgres, type PgServer } from './helpers/postgres.js';

let tmp: string;

before(async () => {
  tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'cm-probes-real-'));
});

after(async () => {
  if (tmp) await fsp.rm(tmp, { recursive: true, force: true });
});

/** One probe, options parsed by the schema (defaults apply), run by the library with its history. */
async function runOne(raw: Record<string, unknown>, history: readonly ProbeResult[] = []): Promise<ProbeResult> {
  const p = probeSchema.parse({ name: 'probe', ...raw });
  const [r] = await runProbes([p], { clock: systemClock, baseDir: tmp, history: { probe: history } });
  return r!;
}

/** Run a probe once per cycle, each run seeing the earlier results as its history. */
function cycles(raw: Record<string, unknown>) {
  const history: ProbeResult[] = [];
  return {
    history,
    async next(): Promise<ProbeResult> {
      const r = await runOne(raw, history);
      history.push(r);
      return r;
    },
  };
}

function assertNoSecret(r: ProbeResult, secrets: readonly string[]) {
  const text = JSON.stringify(r);
  for (const s of secrets) assert.ok(!text.includes(s), `the result leaks a secret: ${text}`);
}

// ---------------------------------------------------------------------------------------------

const pgBin = findPgBin();

describe('postgres probe (a real PostgreSQL server)', needs('PostgreSQL (initdb, pg_ctl)', pgBin ? undefined : "not found: install Debian's postgresql package"), () => {
  let server: PgServer;

  before(
    async () => {
      server = await startPostgres({ binDir: pgBin! });
      await server.sql('CREATE TABLE tools_db (id serial PRIMARY KEY, name text NOT NULL)');
      await server.sql("INSERT INTO tools_db (name) SELECT 'tool-' || g FROM generate_series(1, 42) AS g");
      await server.sql("CREATE TABLE jobs (id serial PRIMARY KEY, state text NOT NULL DEFAULT 'pending')");
    },
    { timeout: 90_000 },
  );

  after(async () => {
    await server?.stop();
  });

  const count = 'SELECT COUNT(*) FROM tools_db';

  it('the seed query with a met minimum is healthy, the count kept as a metric', async () => {
    const r = await runOne({ kind: 'postgres', connectionString: server.url, query: count, min: 10 });
    assert.equal(r.status, 'healthy', r.reason);
    assert.match(r.reason, /query returned 42 in \d+ ms/);
    assert.equal(r.metrics?.value, 42);
    assertNoSecret(r, [server.password, server.url]);
  });

  const conditions: { title: string; opts: Record<string, number>; status: ProbeResult['status']; reason: string }[] = [
    { title: 'under min is down', opts: { min: 100 }, status: 'down', reason: 'query returned 42, under 100' },
    { title: 'over max is down', opts: { min: 0, max: 40 }, status: 'down', reason: 'query returned 42, over 40' },
    { title: 'under degradedMin is degraded', opts: { min: 10, degradedMin: 50 }, status: 'degraded', reason: 'query returned 42, under 50' },
    { title: 'within min and max is healthy', opts: { min: 42, max: 42, degradedMin: 42 }, status: 'healthy', reason: 'query returned 42' },
  ];
  for (const c of conditions) {
    it(`numeric conditions: ${c.title}`, async () => {
      const r = await runOne({ kind: 'postgres', connectionString: server.url, query: count, ...c.opts });
      assert.equal(r.status, c.status, r.reason);
      assert.ok(r.reason.includes(c.reason), r.reason);
    });
  }

  it('the default query SELECT 1 answers without conditions', async () => {
    const r = await runOne({ kind: 'postgres', connectionString: server.url });
    assert.equal(r.status, 'healthy', r.reason);
    assert.match(r.reason, /query returned 1/);
  });

  it('reads the connection string from the environment variable named by connectionStringEnv', async () => {
    process.env.CM_TEST_PG_URL = server.url;
    try {
      const r = await runOne({ kind: 'postgres', connectionStringEnv: 'CM_TEST_PG_URL', query: count, min: 1 });
      assert.equal(r.status, 'healthy', r.reason);
      assertNoSecret(r, [server.password, server.url]);
    } finally {
      delete process.env.CM_TEST_PG_URL;
    }
    const unset = await runOne({ kind: 'postgres', connectionStringEnv: 'CM_TEST_PG_URL_UNSET' });
    assert.equal(unset.status, 'down');
    assert.equal(unset.reason, 'environment variable CM_TEST_PG_URL_UNSET is not set');
  });

  it('a wrong password is down, and neither password nor connection string appears', async () => {
    const wrong = 'Wr0ng-Pa55word-xyz';
    const url = `postgres://postgres:${wrong}@127.0.0.1:${server.port}/postgres`;
    const r = await runOne({ kind: 'postgres', connectionString: url, query: count, min: 1 });
    assert.equal(r.status, 'down');
    assert.match(r.reason, /password authentication failed/);
    assertNoSecret(r, [wrong, url, server.password]);
  });

  it('an unreachable server is down, without leaking the connection string', async () => {
    const port = await freePort();
    const url = `postgres://postgres:${encodeURIComponent(server.password)}@127.0.0.1:${port}/postgres`;
    const r = await runOne({ kind: 'postgres', connectionString: url });
    assert.equal(r.status, 'down');
    assert.match(r.reason, /ECONNREFUSED/);
    assertNoSecret(r, [server.password, url]);
  });

  it('a password that appears in the server\'s error text is redacted', async () => {
    // The user name is echoed back by the server; make it the password to prove redaction.
    const secret = 'SecretUserAndPass-123';
    const url = `postgres://${secret}:${secret}@127.0.0.1:${server.port}/postgres`;
    const r = await runOne({ kind: 'postgres', connectionString: url });
    assert.equal(r.status, 'down');
    assert.match(r.reason, /«redacted»/);
    assertNoSecret(r, [secret, url]);
  });

  it('a failing query is down with the server\'s message', async () => {
    const r = await runOne({ kind: 'postgres', connectionString: server.url, query: 'SELECT COUNT(*) FROM no_such_table', min: 1 });
    assert.equal(r.status, 'down');
    assert.match(r.reason, /relation "no_such_table" does not exist/);
  });

  it('a value that is not a number fails a numeric condition', async () => {
    const r = await runOne({ kind: 'postgres', connectionString: server.url, query: "SELECT 'many'", min: 1 });
    assert.equal(r.status, 'down');
    assert.equal(r.reason, 'query returned "many", not a number');
    const none = await runOne({ kind: 'postgres', connectionString: server.url, query: 'SELECT id FROM tools_db WHERE false', min: 1 });
    assert.equal(none.status, 'down');
    assert.equal(none.reason, 'query returned no rows, not a number');
  });

  it('a query slower than the probe timeout is down at the timeout', async () => {
    const started = Date.now();
    const r = await runOne({ kind: 'postgres', connectionString: server.url, query: 'SELECT pg_sleep(10)', timeoutMs: 400 });
    assert.equal(r.status, 'down');
    assert.match(r.reason, /timed out after 400 ms/);
    assert.ok(Date.now() - started < 3_000);
  });

  it('queue from SQL: a real jobs table that grows, stalls and drains', async () => {
    const secretEnv = 'CM_TEST_QUEUE_PG_URL';
    process.env[secretEnv] = server.url;
    try {
      const q = cycles({ kind: 'queue', sql: "SELECT COUNT(*) FROM jobs WHERE state = 'pending'", connectionStringEnv: secretEnv, drainCycles: 1 });
      const add = (n: number) => server.sql('INSERT INTO jobs (state) SELECT \'pending\' FROM generate_series(1, $1::int)', [n]);
      const finish = (n: number) => server.sql("UPDATE jobs SET state = 'done' WHERE id IN (SELECT id FROM jobs WHERE state = 'pending' ORDER BY id LIMIT $1)", [n]);

      let r = await q.next();
      assert.deepEqual([r.status, r.reason], ['healthy', 'backlog empty']);
      await add(5);
      r = await q.next();
      assert.equal(r.status, 'degraded', r.reason); // 0 → 5: grew
      assert.equal(r.metrics?.backlog, 5);
      await finish(3);
      r = await q.next();
      assert.equal(r.status, 'healthy', r.reason); // 5 → 2: draining
      assert.equal(r.metrics?.drainPerCycle, 3);
      r = await q.next();
      assert.equal(r.status, 'degraded', r.reason); // 2 → 2: stalled
      await finish(2);
      r = await q.next();
      assert.deepEqual([r.status, r.metrics?.backlog], ['healthy', 0]);
      for (const res of q.history) assertNoSecret(res, [server.password, server.url]);
    } finally {
      delete process.env[secretEnv];
    }
  });

  it('queue from SQL: a steady backlog of 0–1 never changes status over many runs; a growing one still degrades, and draining heals it', async () => {
    await server.sql("CREATE TABLE inbox (id serial PRIMARY KEY, state text NOT NULL DEFAULT 'pending')");
    const pending = async () => Number((await server.sql("SELECT COUNT(*) AS n FROM inbox WHERE state = 'pending'")).rows[0].n);
    const setBacklog = async (n: number) => {
      const now = await pending();
      if (n > now) await server.sql("INSERT INTO inbox (state) SELECT 'pending' FROM generate_series(1, $1::int)", [n - now]);
      if (n < now) await server.sql("UPDATE inbox SET state = 'done' WHERE id IN (SELECT id FROM inbox WHERE state = 'pending' ORDER BY id LIMIT $1)", [now - n]);
    };
    const q = cycles({ kind: 'queue', sql: "SELECT COUNT(*) FROM inbox WHERE state = 'pending'", connectionString: server.url, drainCycles: 3 });
    const changes = () => q.history.slice(1).filter((r, i) => r.status !== q.history[i]!.status).length;

    // A worker keeping up: jobs arrive and are taken, the backlog 0 or 1 at each look (a fixed
    // pseudo-random walk, with runs of 1s and the 0,0,0,1 step that used to read as growth).
    let seed = 7;
    const steady: number[] = [0, 0, 0, 1, 1, 1, 1, 0, 1, 0, 1];
    for (let i = 0; i < 49; i++) steady.push((seed = (seed * 1103515245 + 12345) % 2 ** 31) % 3 === 0 ? 1 : 0);
    for (const n of steady) {
      await setBacklog(n);
      const r = await q.next();
      assert.equal(r.metrics?.backlog, n);
      assert.equal(r.status, 'healthy', r.reason);
    }
    assert.equal(changes(), 0, 'no status change over a steady 0–1 backlog');

    // The worker stops taking jobs: the backlog grows; it is degraded at once and stays so.
    for (const n of [3, 5, 8, 10]) {
      await setBacklog(n);
      const r = await q.next();
      assert.equal(r.status, 'degraded', `backlog ${n}: ${r.reason}`);
      assert.match(r.reason, new RegExp(`^backlog ${n}, not draining: `));
    }
    // A job taken now and then, then stuck: still degraded (not below the whole window).
    for (const n of [9, 10, 10, 10, 10]) {
      await setBacklog(n);
      const r = await q.next();
      assert.equal(r.status, 'degraded', `backlog ${n}: ${r.reason}`);
    }
    // The worker is back: lower than anywhere in the window is draining, healthy.
    await setBacklog(4);
    const healed = await q.next();
    assert.equal(healed.status, 'healthy', healed.reason);
    assert.match(healed.reason, /^backlog 4, draining: 10 3 cycles ago$/);
    // Keeping up again, the backlog moving around 4: no flapping either.
    for (const n of [5, 4, 5, 4, 5, 3, 5]) {
      await setBacklog(n);
      const r = await q.next();
      assert.equal(r.status, 'healthy', `backlog ${n}: ${r.reason}`);
    }
    assert.equal(changes(), 2, 'healthy → degraded → healthy, and nothing else');
  });
});

// ---------------------------------------------------------------------------------------------

describe('queue probe', () => {
  it('a folder backlog that grows, stalls, drains and empties over cycles', async () => {
    const dir = path.join(tmp, 'inbox');
    await fsp.mkdir(path.join(dir, 'processing'), { recursive: true });
    await fsp.writeFile(path.join(dir, '.keep'), ''); // dotfiles and sub-folders are not backlog
    let next = 0;
    const add = async (n: number) => {
      for (let i = 0; i < n; i++) await fsp.writeFile(path.join(dir, `job-${next++}.json`), '{}');
    };
    const take = async (n: number) => {
      const files = (await fsp.readdir(dir)).filter((f) => f.startsWith('job-')).sort().slice(0, n);
      for (const f of files) await fsp.rm(path.join(dir, f));
    };
    const q = cycles({ kind: 'queue', dir: 'inbox', drainCycles: 2, maxBacklog: 8 });

    const steps: { change: () => Promise<void>; backlog: number; status: ProbeResult['status']; reason: RegExp }[] = [
      { change: () => add(3), backlog: 3, status: 'healthy', reason: /^backlog 3 \(drain measured after 2 cycles: 0 so far\)$/ },
      { change: () => add(2), backlog: 5, status: 'healthy', reason: /1 so far/ },
      { change: () => add(1), backlog: 6, status: 'degraded', reason: /^backlog 6, not draining: 3 2 cycles ago$/ },
      { change: () => take(2), backlog: 4, status: 'healthy', reason: /^backlog 4, draining: 5 2 cycles ago$/ },
      { change: async () => {}, backlog: 4, status: 'healthy', reason: /draining: 6 2 cycles ago/ },
      { change: async () => {}, backlog: 4, status: 'degraded', reason: /not draining: 4 2 cycles ago/ },
      { change: () => add(5), backlog: 9, status: 'down', reason: /^backlog 9, over 8$/ },
      { change: () => take(100), backlog: 0, status: 'healthy', reason: /^backlog empty$/ },
    ];
    for (const [i, s] of steps.entries()) {
      await s.change();
      const r = await q.next();
      assert.equal(r.metrics?.backlog, s.backlog, `cycle ${i + 1}`);
      assert.equal(r.status, s.status, `cycle ${i + 1}: ${r.reason}`);
      assert.match(r.reason, s.reason, `cycle ${i + 1}`);
    }
  });

  it('a result that failed to measure is skipped when judging the drain', async () => {
    const dir = path.join(tmp, 'gappy');
    await fsp.mkdir(dir);
    await fsp.writeFile(path.join(dir, 'a'), '');
    await fsp.writeFile(path.join(dir, 'b'), '');
    const down: ProbeResult = { name: 'probe', kind: 'queue', status: 'down', reason: 'ENOENT', durationMs: 1, at: new Date().toISOString() };
    const measured = (backlog: number): ProbeResult => ({ ...down, status: 'healthy', reason: '', metrics: { backlog } });
    const r = await runOne({ kind: 'queue', dir: 'gappy', drainCycles: 2 }, [measured(3), measured(5), down]);
    assert.equal(r.status, 'healthy', r.reason); // 2 < 3 (two measured results ago)
    assert.equal(r.metrics?.drainPerCycle, 0.5);
  });

  it('a missing folder is down', async () => {
    const r = await runOne({ kind: 'queue', dir: 'no-such-inbox' });
    assert.equal(r.status, 'down');
    assert.match(r.reason, /ENOENT/);
  });

  it('a command that prints the backlog', async () => {
    const node = process.execPath;
    const ok = await runOne({ kind: 'queue', command: [node, '-e', 'console.log(" 17 ")'] });
    assert.deepEqual([ok.status, ok.metrics?.backlog], ['healthy', 17]);
    const stalled = await runOne({ kind: 'queue', command: [node, '-e', 'console.log(17)'], drainCycles: 1 }, [
      { name: 'probe', kind: 'queue', status: 'healthy', reason: '', durationMs: 1, at: new Date().toISOString(), metrics: { backlog: 12 } },
    ]);
    assert.equal(stalled.status, 'degraded', stalled.reason);
    const garbage = await runOne({ kind: 'queue', command: [node, '-e', 'console.log("lots")'] });
    assert.deepEqual([garbage.status, garbage.reason], ['down', 'backlog command printed lots, not a number']);
    const failing = await runOne({ kind: 'queue', command: [node, '-e', 'console.error("redis unreachable"); process.exit(2)'] });
    assert.deepEqual([failing.status, failing.reason], ['down', 'backlog command: exit 2: redis unreachable']);
  });

  const bad: { title: string; raw: Record<string, unknown>; path: string[] }[] = [
    { title: 'no source', raw: { kind: 'queue' }, path: ['sql'] },
    { title: 'two sources', raw: { kind: 'queue', dir: 'x', command: ['true'] }, path: ['sql'] },
    { title: 'sql without a connection string', raw: { kind: 'queue', sql: 'SELECT 1' }, path: ['connectionString'] },
    { title: 'a connection string without sql', raw: { kind: 'queue', dir: 'x', connectionString: 'postgres://x' }, path: ['connectionString'] },
    { title: 'drainCycles 0', raw: { kind: 'queue', dir: 'x', drainCycles: 0 }, path: ['drainCycles'] },
  ];
  for (const c of bad) {
    it(`rejects ${c.title}`, () => {
      const res = probeSchema.safeParse({ name: 'q', ...c.raw });
      assert.equal(res.success, false);
      assert.deepEqual(res.error.issues[0]!.path, c.path);
    });
  }

  it('rejects postgres options without exactly one connection string, or inconsistent bounds', () => {
    const paths = (raw: Record<string, unknown>) => probeSchema.safeParse({ name: 'p', kind: 'postgres', ...raw }).error?.issues.map((i) => i.path.join('.'));
    assert.deepEqual(paths({}), ['connectionString']);
    assert.deepEqual(paths({ connectionString: 'postgres://a', connectionStringEnv: 'B' }), ['connectionString']);
    assert.deepEqual(paths({ connectionString: 'postgres://a', min: 10, degradedMin: 5 }), ['degradedMin']);
    assert.deepEqual(paths({ connectionString: 'postgres://a', min: 10, max: 5 }), ['max']);
  });
});

// ---------------------------------------------------------------------------------------------

describe('github probe (a loopback stand-in for the GitHub API)', () => {
  let server: http.Server;
  let base: string;
  const seen: { url: string; auth: string | undefined; agent: string | undefined }[] = [];
  const resetAt = 1_767_225_600; // 2026-01-01T00:00:00Z
  const tokens: Record<string, number> = { 'ghp_plentyTOKEN0000000000000000000000': 4_990, 'ghp_lowTOKEN000000000000000000000000': 42, 'ghp_emptyTOKEN00000000000000000000000': 0 };

  /** The real shape of GET /rate_limit. */
  const answer = (limit: number, remaining: number) => {
    const rate = (l: number, r: number) => ({ limit: l, used: l - r, remaining: r, reset: resetAt });
    return {
      resources: {
        core: rate(limit, remaining),
        search: rate(30, 30),
        graphql: rate(limit, limit),
        integration_manifest: rate(5000, 5000),
        source_import: rate(100, 100),
        code_scanning_upload: rate(500, 500),
        actions_runner_registration: rate(10000, 10000),
        scim: rate(15000, 15000),
        dependency_snapshots: rate(100, 100),
        code_search: rate(10, 10),
      },
      rate: rate(limit, remaining),
    };
  };

  before(async () => {
    server = http.createServer((req, res) => {
      seen.push({ url: req.url ?? '', auth: req.headers.authorization, agent: req.headers['user-agent'] });
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify(body));
      };
      if (req.url !== '/rate_limit' && req.url !== '/api/v3/rate_limit') return send(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
      const auth = req.headers.authorization;
      if (auth === undefined) return send(200, answer(60, 57));
      const token = auth.replace(/^Bearer /, '');
      const remaining = tokens[token];
      if (remaining === undefined) return send(401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' });
      send(200, answer(5_000, remaining));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
    process.env.CM_GH_PLENTY = 'ghp_plentyTOKEN0000000000000000000000';
    process.env.CM_GH_LOW = 'ghp_lowTOKEN000000000000000000000000';
    process.env.CM_GH_EMPTY = 'ghp_emptyTOKEN00000000000000000000000';
    process.env.CM_GH_BAD = 'ghp_revokedTOKEN000000000000000000000';
  });

  after(async () => {
    for (const k of ['CM_GH_PLENTY', 'CM_GH_LOW', 'CM_GH_EMPTY', 'CM_GH_BAD']) delete process.env[k];
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });

  const allTokens = () => Object.keys(tokens).concat('ghp_revokedTOKEN000000000000000000000');

  const cases: { title: string; raw: () => Record<string, unknown>; status: ProbeResult['status']; reason: string | RegExp; metrics?: Record<string, number> }[] = [
    {
      title: 'plenty remaining is healthy, with remaining/limit and the reset time',
      raw: () => ({ kind: 'github', baseUrl: base, tokenEnv: 'CM_GH_PLENTY' }),
      status: 'healthy',
      reason: 'core: 4990/5000 remaining, resets 2026-01-01T00:00:00.000Z',
      metrics: { remaining: 4_990, limit: 5_000, reset: resetAt },
    },
    {
      title: 'under minRemaining is degraded',
      raw: () => ({ kind: 'github', baseUrl: base, tokenEnv: 'CM_GH_LOW', minRemaining: 100 }),
      status: 'degraded',
      reason: 'core: 42/5000 remaining, resets 2026-01-01T00:00:00.000Z, under 100',
    },
    {
      title: 'none remaining is down',
      raw: () => ({ kind: 'github', baseUrl: base, tokenEnv: 'CM_GH_EMPTY' }),
      status: 'down',
      reason: /0\/5000 remaining.*none left/,
    },
    {
      title: 'a rejected token is down',
      raw: () => ({ kind: 'github', baseUrl: base, tokenEnv: 'CM_GH_BAD' }),
      status: 'down',
      reason: 'GET /rate_limit: HTTP 401 (token rejected)',
    },
    {
      title: 'a token variable that is not set is down',
      raw: () => ({ kind: 'github', baseUrl: base, tokenEnv: 'CM_GH_NOT_SET' }),
      status: 'down',
      reason: 'environment variable CM_GH_NOT_SET is not set',
    },
    {
      title: 'without tokenEnv the call is anonymous (limit 60)',
      raw: () => ({ kind: 'github', baseUrl: base, minRemaining: 10 }),
      status: 'healthy',
      reason: 'core: 57/60 remaining',
    },
    {
      title: 'another resource can be judged',
      raw: () => ({ kind: 'github', baseUrl: base, tokenEnv: 'CM_GH_PLENTY', resource: 'search', minRemaining: 5 }),
      status: 'healthy',
      reason: 'search: 30/30 remaining',
    },
    {
      title: 'a GitHub Enterprise base URL with a path works',
      raw: () => ({ kind: 'github', baseUrl: `${base}/api/v3`, tokenEnv: 'CM_GH_PLENTY' }),
      status: 'healthy',
      reason: '4990/5000',
    },
    {
      title: 'a resource missing from the answer is down',
      raw: () => ({ kind: 'github', baseUrl: base, resource: 'nope' }),
      status: 'down',
      reason: 'no "nope" limit in the answer',
    },
    {
      title: 'a wrong base URL is down',
      raw: () => ({ kind: 'github', baseUrl: `${base}/wrong` }),
      status: 'down',
      reason: 'HTTP 404',
    },
  ];
  for (const c of cases) {
    it(c.title, async () => {
      const r = await runOne(c.raw());
      assert.equal(r.status, c.status, r.reason);
      if (typeof c.reason === 'string') assert.ok(r.reason.includes(c.reason), r.reason);
      else assert.match(r.reason, c.reason);
      for (const [k, v] of Object.entries(c.metrics ?? {})) assert.equal(r.metrics?.[k], v);
      assertNoSecret(r, allTokens());
    });
  }

  it('sends the token as a bearer header, and a user agent (GitHub requires one)', async () => {
    seen.length = 0;
    await runOne({ kind: 'github', baseUrl: base, tokenEnv: 'CM_GH_PLENTY' });
    assert.deepEqual(seen, [{ url: '/rate_limit', auth: 'Bearer ghp_plentyTOKEN0000000000000000000000', agent: 'code-mechanic' }]);
  });

  it('defaults to api.github.com', () => {
    const p = probeSchema.parse({ name: 'g', kind: 'github' });
    assert.equal(p.baseUrl, 'https://api.github.com');
    assert.equal(p.minRemaining, 100);
  });
});

// ---------------------------------------------------------------------------------------------

describe('pm2 probe (a real PM2 daemon with its own PM2_HOME)', () => {
  let daemon: Pm2Daemon;

  before(
    async () => {
      daemon = await startPm2([
        { name: 'steady', code: 'setInterval(() => {}, 1000);' },
        // Crashes at once, every time: PM2 gives up after 3 unstable restarts and marks it errored.
        // An exit counts as unstable only within min_uptime of the start, and a loaded machine can
        // take over the default second just to start node: so every exit is made to count.
        { name: 'crasher', code: 'setTimeout(() => process.exit(1), 100);', options: { max_restarts: 3, min_uptime: 3_600_000 } },
        // Crashes after 300 ms, forever: PM2 keeps restarting it (after 200 ms in "waiting restart").
        { name: 'flapper', code: 'setTimeout(() => process.exit(1), 300);', options: { max_restarts: 1_000_000, min_uptime: 100, restart_delay: 200 } },
        { name: 'stopper', code: 'setInterval(() => {}, 1000);' },
      ]);
      await daemon.pm2(['stop', 'stopper']);
      await daemon.waitFor(
        (l) =>
          l.some((p) => p.name === 'steady' && p.status === 'online') &&
          l.some((p) => p.name === 'crasher' && p.status === 'errored') &&
          l.some((p) => p.name === 'stopper' && p.status === 'stopped'),
        45_000,
      );
    },
    { timeout: 150_000 },
  );

  after(async () => {
    await daemon?.kill();
  });

  const pm2 = (extra: Record<string, unknown>) => ({ kind: 'pm2', pm2Bin: daemon.bin, pm2Home: daemon.home, timeoutMs: 20_000, ...extra });

  it('a named process that is online is healthy, its restart count kept', async () => {
    const r = await runOne(pm2({ processes: ['steady'] }));
    assert.equal(r.status, 'healthy', r.reason);
    assert.equal(r.reason, '1/1 online');
    assert.equal(r.metrics?.['restarts:steady'], 0);
  });

  it('a named process that does not exist is down', async () => {
    const r = await runOne(pm2({ processes: ['steady', 'ghost'] }));
    assert.equal(r.status, 'down');
    assert.equal(r.reason, '1/2 online: ghost missing');
  });

  it('a process that crashed until PM2 gave up (errored) is down', async () => {
    const r = await runOne(pm2({ processes: ['crasher'] }));
    assert.equal(r.status, 'down');
    assert.equal(r.reason, '0/1 online: crasher errored');
  });

  it('a stopped process is down', async () => {
    const r = await runOne(pm2({ processes: ['stopper'] }));
    assert.equal(r.status, 'down');
    assert.equal(r.reason, '0/1 online: stopper stopped');
  });

  it('without names every process is judged', async () => {
    const r = await runOne(pm2({}));
    assert.equal(r.status, 'down');
    assert.match(r.reason, /^\d\/4 online: /);
    assert.match(r.reason, /crasher errored/);
    assert.match(r.reason, /stopper stopped/);
    assert.equal(r.metrics?.processes, 4);
  });

  it('restarts since the last cycle over maxRestarts are degraded (restart counts compared through history)', async () => {
    const first = await runOne(pm2({ processes: ['flapper'], maxRestarts: 0 }));
    assert.notEqual(first.status, 'down', first.reason);
    const before = first.metrics?.['restarts:flapper'];
    assert.equal(typeof before, 'number');
    await daemon.waitFor((l) => (l.find((p) => p.name === 'flapper')?.restarts ?? 0) > before!);
    const second = await runOne(pm2({ processes: ['flapper'], maxRestarts: 0 }), [first]);
    assert.equal(second.status, 'degraded', second.reason);
    assert.match(second.reason, /flapper restarted \d+ times? since the last cycle, over 0/);
    assert.ok(second.metrics!['restarts:flapper']! > before!);
  });

  it('no restarts since the last cycle is healthy; a count that went down (pm2 reset) counts from zero', async () => {
    const first = await runOne(pm2({ processes: ['steady'], maxRestarts: 0 }));
    const second = await runOne(pm2({ processes: ['steady'], maxRestarts: 0 }), [first]);
    assert.equal(second.status, 'healthy', second.reason);
    const reset = { ...first, metrics: { 'restarts:steady': 7 } };
    const third = await runOne(pm2({ processes: ['steady'], maxRestarts: 0 }), [reset]);
    assert.equal(third.status, 'healthy', third.reason);
  });

  it('a relative pm2Home is resolved against the config folder', async () => {
    const rel = path.relative(tmp, daemon.home);
    const r = await runOne(pm2({ processes: ['steady'], pm2Home: rel }));
    assert.equal(r.status, 'healthy', r.reason);
  });

  it('a pm2 binary that does not exist is down', async () => {
    const r = await runOne(pm2({ pm2Bin: '/no/such/pm2' }));
    assert.equal(r.status, 'down');
    assert.match(r.reason, /cannot start \/no\/such\/pm2/);
  });

  it('reads `pm2 jlist` after daemon chatter, and never quotes output it cannot read', () => {
    const entry = { name: 'api', pm_id: 0, pm2_env: { status: 'online', restart_time: 2, API_TOKEN: 'tok-secret-123' } };
    const chatter = `[PM2] Spawning PM2 daemon with pm2_home=/x\n[PM2] PM2 Successfully daemonized\n${JSON.stringify([entry, { ...entry, pm_id: 1 }])}\n`;
    assert.deepEqual(parseJlist(chatter), [{ name: 'api', statuses: ['online', 'online'], restarts: 4, errLogs: [], execPaths: [], cwds: [], exitCodes: [null, null] }]);
    const cut = JSON.stringify([entry]).slice(0, -5);
    assert.throws(() => parseJlist(cut), (err: Error) => /not a process list/.test(err.message) && !err.message.includes('tok-secret-123'));
  });

  it('rejects an empty process list and a negative maxRestarts', () => {
    assert.deepEqual(probeSchema.safeParse({ name: 'p', kind: 'pm2', processes: [] }).error?.issues[0]?.path, ['processes']);
    assert.deepEqual(probeSchema.safeParse({ name: 'p', kind: 'pm2', maxRestarts: -1 }).error?.issues[0]?.path, ['maxRestarts']);
    assert.equal(probeSchema.parse({ name: 'p', kind: 'pm2' }).pm2Bin, 'pm2');
  });

  it('runs beside other probes and is summarized with them', async () => {
    const probes = [
      probeSchema.parse({ name: 'pm2-steady', ...pm2({ processes: ['steady'] }) }),
      probeSchema.parse({ name: 'pm2-crasher', ...pm2({ processes: ['crasher'] }) }),
      probeSchema.parse({ name: 'disk', kind: 'disk', minFreePercent: 0 }),
    ];
    const results = await runProbes(probes, { clock: systemClock, baseDir: tmp });
    assert.equal(summarize(results), '2/3 healthy, 1 down');
  });
});
