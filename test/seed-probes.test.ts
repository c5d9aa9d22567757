// The shipped 11-probe example (the seed's production set), run by `mechanic probe` against real
// components on loopback, gets the seed's own summary line: "9/11 healthy, 2 degraded".
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import YAML from 'yaml';
import { repoRoot, sandbox, type Sandbox } from './helpers/cli.ts';
import { startModelServer } from './helpers/model-server.ts';
import { startPm2, type Pm2Daemon } from './helpers/pm2.ts';
import { findPgBin, startPostgres, type PgServer } from './helpers/postgres.ts';
import { needs } from './helpers/require.ts';

const pgBin = findPgBin();
let sb: Sandbox;
let pgServer: PgServer;
let pm2: Pm2Daemon;
let model: Awaited<ReturnType<typeof startModelServer>>;
const servers: http.Server[] = [];

function serve(handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler);
  servers.push(server);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as { port: number }).port}`)));
}

const GITHUB_TOKEN = 'ghp_seedExampleTOKEN000000000000000000';

describe('the shipped seed-production example', needs('PostgreSQL (initdb, pg_ctl)', pgBin ? undefined : "not found: install Debian's postgresql package"), () => {
  let config: string;
  before(async () => {
    sb = sandbox();
    pgServer = await startPostgres();
    await pgServer.sql('CREATE TABLE tools_db (id serial PRIMARY KEY, name text)');
    await pgServer.sql("INSERT INTO tools_db (name) SELECT 'tool-' || g FROM generate_series(1, 25) g");
    pm2 = await startPm2([{ name: 'simulation', code: 'setInterval(() => {}, 1000);' }]);
    await pm2.waitFor((l) => l.some((p) => p.status === 'online'));
    model = await startModelServer({ models: ['mdq100/qwen3.5-coder:35b', 'nomic-embed-text'] });
    const github = await serve((req, res) => {
      const ok = req.url === '/rate_limit' && req.headers.authorization === `Bearer ${GITHUB_TOKEN}`;
      const rate = { limit: 5000, used: 120, remaining: 4880, reset: 1_767_225_600 };
      res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
      res.end(JSON.stringify(ok ? { resources: { core: rate, search: { limit: 30, used: 0, remaining: 30, reset: 1_767_225_600 } }, rate } : { message: 'Bad credentials' }));
    });
    // The similarity service answers, but slower than the example's 2 s latency bound.
    const similarity = await serve((_req, res) => setTimeout(() => res.end('{"ok":true}'), 2_300));

    // The example as shipped; only the addresses change, to this test's components.
    const doc = YAML.parseDocument(fs.readFileSync(path.join(repoRoot, 'examples', 'seed-production', 'mechanic.config.yaml'), 'utf8'));
    const probes = doc.get('probes') as YAML.YAMLSeq<YAML.YAMLMap>;
    const probe = (name: string) => probes.items.find((p) => p.get('name') === name)!;
    probe('ollama').set('baseUrl', model.url);
    probe('github').set('baseUrl', github);
    probe('similarity').set('url', `${similarity}/health`);
    probe('similarity').set('timeoutMs', 5_000);
    probe('pm2').set('pm2Bin', pm2.bin);
    probe('pm2').set('pm2Home', pm2.home);
    probe('postgres-port').set('port', pgServer.port);
    probe('scheduler').set('command', [process.execPath, '--version']);
    doc.set('pm2Logs', false);
    config = sb.write('mechanic.config.yaml', doc.toString());
    assert.equal(probes.items.length, 11);

    // The pipeline's files: fresh enrichment output, a trend scan 3 h old (degraded after 2 h).
    const file = (rel: string, ageMs: number) => {
      const p = sb.write(rel, '{}');
      const t = new Date(Date.now() - ageMs);
      fs.utimesSync(p, t, t);
    };
    file('data/enriched/batch-001.json', 60_000);
    file('data/trends/scan.json', 3 * 3_600_000);
    for (let i = 0; i < 4; i++) file(`data/content-queue/job-${i}.json`, 0);
  });

  after(async () => {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    await model?.close();
    await pm2?.kill();
    await pgServer?.stop();
    sb?.cleanup();
  });

  it('mechanic probe prints the table and "9/11 healthy, 2 degraded"', async () => {
    const env = { DATABASE_URL: pgServer.url, GITHUB_TOKEN };
    const r = await sb.run(['probe', '--config', config], { env });
    assert.equal(r.code, 1, 'degraded probes: exit 1');
    assert.match(r.stdout, /^probes: 9\/11 healthy, 2 degraded$/m);
    assert.match(r.stdout, /degraded\s+trend-scanner/);
    assert.match(r.stdout, /degraded\s+similarity/);
    for (const name of ['ollama', 'neon', 'enricher', 'content', 'github', 'pm2', 'disk', 'postgres-port', 'scheduler'])
      assert.match(r.stdout, new RegExp(`healthy\\s+${name}\\s`), name);
    assert.ok(!r.stdout.includes(pgServer.password) && !r.stdout.includes(GITHUB_TOKEN), 'no secret in the output');

    const j = await sb.runJson(['probe', '--config', config], { env });
    assert.equal(j.json.status, 'warn');
    assert.equal(j.json.output, '9/11 healthy, 2 degraded');
    assert.equal(Object.keys(j.json.checks).length, 11);
    assert.equal(j.json.checks['neon:postgres'][0].status, 'pass');
    assert.equal(j.json.checks['similarity:http'][0].status, 'warn');
    assert.ok(!j.stdout.includes(pgServer.password) && !j.stdout.includes(GITHUB_TOKEN));
  });

  it('a run records the results, their history and each status change in the log', async () => {
    const env = { DATABASE_URL: 'postgres://postgres:wrong-Secret-pw@127.0.0.1:1/postgres', GITHUB_TOKEN };
    const r = await sb.runJson(['run', '--config', config], { env });
    assert.equal(r.json.summary, '8/11 healthy, 2 degraded, 1 down');
    const neon = r.json.probes.find((p: any) => p.name === 'neon');
    assert.equal(neon.status, 'down');
    const log = await sb.runJson(['log', '--config', config, '--limit', '100']);
    const changes = log.json.filter((e: any) => e.type === 'probe');
    assert.equal(changes.length, 11, 'each probe is new: one change each');
    assert.ok(!JSON.stringify(log.json).includes('wrong-Secret-pw'), 'no secret in the log');
    const status = await sb.runJson(['status', '--config', config]);
    assert.equal(status.json.lastProbes.length, 11);
    assert.ok(!status.stdout.includes('wrong-Secret-pw'));
  });
});
