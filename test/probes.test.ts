/**
 * Layer 1, stage 1: the probe kinds http, tcp, file-age, disk, ollama and command, each against
 * real components on loopback (HTTP servers, a TCP listener, a closed port, real files, the real
 * file system, a stand-in Ollama answering with the real /api/tags shape), through the library
 * surface: options parsed by `probeSchema` (so defaults apply), run by `runProbes`.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { resolveConfig } from '../src/config/load.js';
import { probeSchema } from '../src/probes/registry.js';
import { runProbes, summarize } from '../src/probes/run.js';
import type { Health, ProbeResult } from '../src/probes/types.js';
import { systemClock } from '../src/util/clock.js';
import { box } from './helpers/cli.ts';

// ---------------------------------------------------------------------------------------------
// Loopback components

interface Served {
  url: string;
  port: number;
  close(): Promise<void>;
}

async function serve(handler: http.RequestListener): Promise<Served> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function sendJson(res: http.ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** What Ollama's GET /api/tags answers (trimmed to two models, same fields). */
const OLLAMA_TAGS = {
  models: [
    {
      name: 'mdq100/qwen3.5-coder:35b',
      model: 'mdq100/qwen3.5-coder:35b',
      modified_at: '2025-05-03T10:12:44.182307+02:00',
      size: 21_123_456_789,
      digest: 'a3f8c0e4b1d2e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0',
      details: {
        parent_model: '',
        format: 'gguf',
        family: 'qwen3moe',
        families: ['qwen3moe'],
        parameter_size: '35B',
        quantization_level: 'Q4_K_M',
      },
    },
    {
      name: 'llama3.2:latest',
      model: 'llama3.2:latest',
      modified_at: '2025-04-01T08:00:00.000000+02:00',
      size: 2_019_393_189,
      digest: 'a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72',
      details: {
        parent_model: '',
        format: 'gguf',
        family: 'llama',
        families: ['llama'],
        parameter_size: '3.2B',
        quantization_level: 'Q4_K_M',
      },
    },
  ],
};

let tmp: string;
let okServer: Served;
let slowServer: Served;
let failServer: Served;
let jsonServer: Served;
let ollamaServer: Served;
let tcpListener: net.Server;
let tcpPort: number;
let closedPort: number;
const slowTimers = new Set<NodeJS.Timeout>();

const FRESH_AGE = 60_000; // 1 min
const OLD_AGE = 2 * 3_600_000; // 2 h

before(async () => {
  tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'cm-probes-'));

  okServer = await serve((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok');
  });
  slowServer = await serve((_req, res) => {
    const t = setTimeout(() => {
      slowTimers.delete(t);
      res.end('late');
    }, 400);
    slowTimers.add(t);
  });
  failServer = await serve((_req, res) => sendJson(res, 500, { error: 'internal' }));
  jsonServer = await serve((req, res) => {
    if (req.url === '/health')
      return sendJson(res, 200, {
        status: 'ok',
        queue: { depth: 12, workers: 3, paused: false },
        version: '1.4.2',
        counts: ['7', 9],
        items: [{ name: 'enricher', lagMs: 850 }],
        nothing: null,
      });
    if (req.url === '/text') {
      res.writeHead(200, { 'content-type': 'text/html' });
      return res.end('<html>not json</html>');
    }
    sendJson(res, 404, { error: 'not found' });
  });
  ollamaServer = await serve((req, res) => {
    if (req.method !== 'GET') return sendJson(res, 405, { error: 'method not allowed' });
    if (req.url === '/api/tags') return sendJson(res, 200, OLLAMA_TAGS);
    if (req.url === '/empty/api/tags') return sendJson(res, 200, { models: [] });
    if (req.url === '/garbage/api/tags') return sendJson(res, 200, { hello: 'world' });
    if (req.url === '/broken/api/tags') return sendJson(res, 500, { error: 'llama runner process has terminated' });
    sendJson(res, 404, { error: 'not found' });
  });

  tcpListener = net.createServer((socket) => socket.end());
  await new Promise<void>((resolve) => tcpListener.listen(0, '127.0.0.1', resolve));
  tcpPort = (tcpListener.address() as net.AddressInfo).port;
  const closing = net.createServer();
  await new Promise<void>((resolve) => closing.listen(0, '127.0.0.1', resolve));
  closedPort = (closing.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => closing.close(() => resolve()));

  // Files for file-age: one fresh, one two hours old, one in a sub-folder, one with glob characters.
  const now = Date.now() / 1000;
  const write = async (rel: string, ageMs: number) => {
    const file = path.join(tmp, rel);
    await fsp.mkdir(path.dirname(file), { recursive: true });
    await fsp.writeFile(file, '{}');
    await fsp.utimes(file, now - ageMs / 1000, now - ageMs / 1000);
  };
  await write('out/enriched-new.json', FRESH_AGE);
  await write('out/enriched-old.json', OLD_AGE);
  await write('stale/report.json', OLD_AGE);
  await write('stale/nested/deeper.json', OLD_AGE + 60_000);
  await write('odd/result (final).json', FRESH_AGE);
});

after(async () => {
  for (const t of slowTimers) clearTimeout(t);
  await Promise.all([okServer, slowServer, failServer, jsonServer, ollamaServer].map((s) => s?.close()));
  await new Promise<void>((resolve) => (tcpListener ? tcpListener.close(() => resolve()) : resolve()));
  if (tmp) await fsp.rm(tmp, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------
// Running probes through the library surface

async function runAll(raws: readonly Record<string, unknown>[], history: Record<string, ProbeResult[]> = {}) {
  const probes = raws.map((raw, i) => probeSchema.parse({ name: `p${i}`, ...raw }));
  return runProbes(probes, { clock: systemClock, baseDir: tmp, history });
}

async function runOne(raw: Record<string, unknown>): Promise<ProbeResult> {
  const [result] = await runAll([raw]);
  return result!;
}

interface Case {
  title: string;
  probe: () => Record<string, unknown>;
  status: Health;
  /** Every one must appear in the reason (a function when it needs values known only at run time). */
  reason?: (string | RegExp)[] | (() => (string | RegExp)[]);
  metrics?: Record<string, number>;
  /** More checks after the probe ran. */
  after?: () => void;
}

function table(cases: readonly Case[]) {
  for (const c of cases) {
    it(c.title, async () => {
      const r = await runOne(c.probe());
      assert.equal(r.status, c.status, `reason: ${r.reason}`);
      const wants = typeof c.reason === 'function' ? c.reason() : (c.reason ?? []);
      for (const want of wants) {
        if (typeof want === 'string') assert.ok(r.reason.includes(want), `reason "${r.reason}" lacks "${want}"`);
        else assert.match(r.reason, want);
      }
      for (const [k, v] of Object.entries(c.metrics ?? {})) assert.equal(r.metrics?.[k], v, `metric ${k}`);
      assert.ok(r.durationMs >= 0 && typeof r.at === 'string');
      c.after?.();
    });
  }
}

// ---------------------------------------------------------------------------------------------

describe('http probe', () => {
  table([
    { title: '200 is healthy', probe: () => ({ kind: 'http', url: `${okServer.url}/` }), status: 'healthy', reason: ['HTTP 200'] },
    {
      title: '500 is down, with the status in the reason',
      probe: () => ({ kind: 'http', url: `${failServer.url}/` }),
      status: 'down',
      reason: ['HTTP 500, expected 200'],
    },
    {
      title: 'an expected 500 is healthy',
      probe: () => ({ kind: 'http', url: `${failServer.url}/`, expectStatus: [500, 503] }),
      status: 'healthy',
    },
    {
      title: 'a slow answer over maxLatencyMs is degraded',
      probe: () => ({ kind: 'http', url: `${slowServer.url}/`, maxLatencyMs: 100 }),
      status: 'degraded',
      reason: [/HTTP 200 in \d+ ms, over 100 ms/],
    },
    {
      title: 'a slow answer past the timeout is down',
      probe: () => ({ kind: 'http', url: `${slowServer.url}/`, timeoutMs: 150 }),
      status: 'down',
      reason: ['timed out after 150 ms'],
    },
    {
      title: 'a closed port is down with ECONNREFUSED',
      probe: () => ({ kind: 'http', url: `http://127.0.0.1:${closedPort}/` }),
      status: 'down',
      reason: ['ECONNREFUSED'],
    },
    {
      title: 'JSON conditions that hold are healthy, numeric values kept as metrics',
      probe: () => ({
        kind: 'http',
        url: `${jsonServer.url}/health`,
        json: [
          { path: 'status', op: 'eq', value: 'ok' },
          { path: 'queue.depth', op: 'lte', value: 100 },
          { path: 'queue.workers', op: 'gte', value: 1 },
          { path: 'queue.paused', op: 'eq', value: false },
          { path: 'items[0].lagMs', op: 'lt', value: 1000 },
          { path: 'items.0.name', op: 'ne', value: 'other' },
          { path: 'counts.0', op: 'eq', value: 7 },
          { path: 'nothing', op: 'exists' },
        ],
      }),
      status: 'healthy',
      reason: ['8 JSON conditions met'],
      metrics: { 'json:queue.depth': 12, 'json:items[0].lagMs': 850, 'json:counts.0': 7 },
    },
    {
      title: 'a failed condition is down by default',
      probe: () => ({ kind: 'http', url: `${jsonServer.url}/health`, json: [{ path: 'queue.depth', op: 'lt', value: 10 }] }),
      status: 'down',
      reason: ['queue.depth is 12, expected < 10'],
    },
    {
      title: 'a failed condition with onFail degraded is degraded',
      probe: () => ({
        kind: 'http',
        url: `${jsonServer.url}/health`,
        json: [
          { path: 'queue.depth', op: 'lt', value: 10, onFail: 'degraded' },
          { path: 'status', op: 'eq', value: 'ok' },
        ],
      }),
      status: 'degraded',
      reason: ['queue.depth is 12'],
    },
    {
      title: 'the worst failed condition wins',
      probe: () => ({
        kind: 'http',
        url: `${jsonServer.url}/health`,
        json: [
          { path: 'queue.depth', op: 'lt', value: 10, onFail: 'degraded' },
          { path: 'version', op: 'eq', value: '2.0.0' },
        ],
      }),
      status: 'down',
      reason: ['queue.depth is 12', 'version is "1.4.2", expected = "2.0.0"'],
    },
    {
      title: 'exists on a missing path is down',
      probe: () => ({ kind: 'http', url: `${jsonServer.url}/health`, json: [{ path: 'queue.lag', op: 'exists' }] }),
      status: 'down',
      reason: ['queue.lag is missing'],
    },
    {
      title: 'a numeric condition on a non-number is down',
      probe: () => ({ kind: 'http', url: `${jsonServer.url}/health`, json: [{ path: 'status', op: 'gt', value: 1 }] }),
      status: 'down',
      reason: ['status is "ok", expected > 1'],
    },
    {
      title: 'JSON conditions on a body that is not JSON are down',
      probe: () => ({ kind: 'http', url: `${jsonServer.url}/text`, json: [{ path: 'a', op: 'exists' }] }),
      status: 'down',
      reason: ['body is not JSON'],
    },
  ]);
});

describe('tcp probe', () => {
  table([
    {
      title: 'a listening port is healthy',
      probe: () => ({ kind: 'tcp', port: tcpPort }),
      status: 'healthy',
      reason: () => [`127.0.0.1:${tcpPort} connected`],
    },
    {
      title: 'a closed port is down',
      probe: () => ({ kind: 'tcp', host: '127.0.0.1', port: closedPort }),
      status: 'down',
      reason: () => [`cannot connect to 127.0.0.1:${closedPort}: ECONNREFUSED`],
    },
    {
      // `.invalid` never resolves; where no resolver answers at all, the timeout makes it down.
      title: 'a host that does not resolve is down',
      probe: () => ({ kind: 'tcp', host: 'no-such-host.invalid', port: 80, timeoutMs: 3_000 }),
      status: 'down',
      reason: [/cannot connect to no-such-host\.invalid:80|timed out after 3000 ms/],
    },
  ]);
});

describe('file-age probe', () => {
  table([
    {
      title: 'the newest match younger than maxAgeMs is healthy (relative glob, against baseDir)',
      probe: () => ({ kind: 'file-age', path: 'out/*.json', maxAgeMs: 3_600_000 }),
      status: 'healthy',
      reason: [/^newest file out\/enriched-new\.json is 1 min( \d+ s)? old$/],
      metrics: { files: 2 },
    },
    {
      title: 'older than degradedAgeMs but younger than maxAgeMs is degraded',
      probe: () => ({ kind: 'file-age', path: 'out/*-old.json', maxAgeMs: 3 * 3_600_000, degradedAgeMs: 3_600_000 }),
      status: 'degraded',
      reason: ['2 h old, over 1 h'],
    },
    {
      title: 'older than maxAgeMs is down',
      probe: () => ({ kind: 'file-age', path: 'out/*-old.json', maxAgeMs: 3_600_000, degradedAgeMs: 600_000 }),
      status: 'down',
      reason: ['over 1 h'],
    },
    {
      title: 'no matching file is down',
      probe: () => ({ kind: 'file-age', path: 'out/*.csv', maxAgeMs: 3_600_000 }),
      status: 'down',
      reason: ['no file matches out/*.csv'],
      metrics: { files: 0 },
    },
    {
      title: 'an absolute path to one file works',
      probe: () => ({ kind: 'file-age', path: path.join(tmp, 'out', 'enriched-new.json'), maxAgeMs: 3_600_000 }),
      status: 'healthy',
    },
    {
      title: 'an absolute glob works',
      probe: () => ({ kind: 'file-age', path: path.join(tmp, 'stale', '**', '*.json'), maxAgeMs: 3_600_000 }),
      status: 'down',
      reason: ['stale/report.json'],
      metrics: { files: 2 },
    },
    {
      title: 'a folder means any file inside it',
      probe: () => ({ kind: 'file-age', path: 'stale', maxAgeMs: 3 * 3_600_000 }),
      status: 'healthy',
      reason: ['stale/report.json'],
    },
    {
      title: 'a literal file name with glob characters is found',
      probe: () => ({ kind: 'file-age', path: 'odd/result (final).json', maxAgeMs: 3_600_000 }),
      status: 'healthy',
    },
  ]);
});

describe('disk probe', () => {
  table([
    {
      title: 'free space over the limits is healthy',
      probe: () => ({ kind: 'disk', path: '.', minFreePercent: 0 }),
      status: 'healthy',
      reason: [/% free \(/],
    },
    {
      title: 'under minFreePercent is down',
      probe: () => ({ kind: 'disk', path: tmp, minFreePercent: 100 }),
      status: 'down',
      reason: ['under 100%'],
    },
    {
      title: 'under degradedFreePercent is degraded',
      probe: () => ({ kind: 'disk', minFreePercent: 0, degradedFreePercent: 100 }),
      status: 'degraded',
      reason: ['under 100%'],
    },
    {
      title: 'a path that does not exist is down',
      probe: () => ({ kind: 'disk', path: 'no/such/folder' }),
      status: 'down',
      reason: ['ENOENT'],
    },
  ]);

  it('reports free and total bytes that agree with the percent', async () => {
    const r = await runOne({ kind: 'disk', minFreePercent: 0 });
    const m = r.metrics!;
    assert.ok(m.totalBytes! > 0 && m.freeBytes! >= 0 && m.freeBytes! <= m.totalBytes!);
    assert.ok(Math.abs((m.freeBytes! / m.totalBytes!) * 100 - m.freePercent!) < 0.01);
  });
});

describe('ollama probe', () => {
  table([
    {
      title: 'reachable with models is healthy, with the model count',
      probe: () => ({ kind: 'ollama', baseUrl: ollamaServer.url }),
      status: 'healthy',
      reason: ['2 models'],
      metrics: { models: 2 },
    },
    {
      title: 'the required model present is healthy',
      probe: () => ({ kind: 'ollama', baseUrl: ollamaServer.url, model: 'mdq100/qwen3.5-coder:35b' }),
      status: 'healthy',
      reason: ['mdq100/qwen3.5-coder:35b present'],
    },
    {
      title: 'a model named without its :latest tag matches',
      probe: () => ({ kind: 'ollama', baseUrl: `${ollamaServer.url}/`, model: 'llama3.2' }),
      status: 'healthy',
    },
    {
      title: 'a model named with :latest matches one listed with it',
      probe: () => ({ kind: 'ollama', baseUrl: ollamaServer.url, model: 'llama3.2:latest' }),
      status: 'healthy',
    },
    {
      title: 'a missing required model is down',
      probe: () => ({ kind: 'ollama', baseUrl: ollamaServer.url, model: 'mdq100/qwen3.5-coder:14b' }),
      status: 'down',
      reason: ['required model mdq100/qwen3.5-coder:14b is missing'],
    },
    {
      title: 'fewer models than minModels is degraded',
      probe: () => ({ kind: 'ollama', baseUrl: ollamaServer.url, minModels: 3 }),
      status: 'degraded',
      reason: ['fewer than 3'],
    },
    {
      title: 'no models at all is degraded (minModels defaults to 1)',
      probe: () => ({ kind: 'ollama', baseUrl: `${ollamaServer.url}/empty` }),
      status: 'degraded',
      metrics: { models: 0 },
    },
    {
      title: 'an answer without a models list is down',
      probe: () => ({ kind: 'ollama', baseUrl: `${ollamaServer.url}/garbage` }),
      status: 'down',
      reason: ['no models list'],
    },
    {
      title: 'an HTTP error is down',
      probe: () => ({ kind: 'ollama', baseUrl: `${ollamaServer.url}/broken` }),
      status: 'down',
      reason: ['HTTP 500'],
    },
    {
      title: 'an Ollama that is not running is down',
      probe: () => ({ kind: 'ollama', baseUrl: `http://127.0.0.1:${closedPort}` }),
      status: 'down',
      reason: ['ECONNREFUSED'],
    },
  ]);

  it('defaults to the local Ollama', () => {
    const p = probeSchema.parse({ name: 'o', kind: 'ollama' });
    assert.equal(p.baseUrl, 'http://127.0.0.1:11434');
    assert.equal(p.minModels, 1);
  });
});

describe('command probe', () => {
  const node = process.execPath;
  table([
    {
      title: 'exit 0 is healthy',
      probe: () => ({ kind: 'command', command: [node, '-e', 'process.exit(0)'] }),
      status: 'healthy',
      reason: ['exit 0'],
      metrics: { exitCode: 0 },
    },
    {
      title: 'an unexpected exit is down, with the last stderr line',
      probe: () => ({ kind: 'command', command: [node, '-e', 'console.error("first\\nqueue is stuck"); process.exit(3)'] }),
      status: 'down',
      reason: ['exit 3, expected exit 0: queue is stuck'],
      metrics: { exitCode: 3 },
    },
    {
      title: 'an expected non-zero exit is healthy',
      probe: () => ({ kind: 'command', command: [node, '-e', 'process.exit(3)'], expectExit: [1, 3] }),
      status: 'healthy',
    },
    {
      title: 'output matching expectOutput is healthy',
      probe: () => ({ kind: 'command', command: [node, '-e', 'console.log("workers: 4 ready")'], expectOutput: 'workers: \\d+ ready' }),
      status: 'healthy',
    },
    {
      title: 'output not matching expectOutput is down',
      probe: () => ({ kind: 'command', command: [node, '-e', 'console.log("workers: 0 starting")'], expectOutput: 'ready$' }),
      status: 'down',
      reason: ['output does not match /ready$/: workers: 0 starting'],
    },
    {
      title: 'a program that does not exist is down',
      probe: () => ({ kind: 'command', command: ['/no/such/program', '--version'] }),
      status: 'down',
      reason: ['cannot start /no/such/program', 'ENOENT'],
    },
    {
      title: 'arguments never pass through a shell',
      probe: () => ({ kind: 'command', command: [node, '-e', 'console.log(process.argv[1])', '$(touch pwned); `id` | cat'], expectOutput: '^\\$\\(touch pwned\\); `id` \\| cat$' }),
      status: 'healthy',
      // The probe runs in baseDir: a shell would have made the file there.
      after: () => assert.equal(fs.existsSync(path.join(tmp, 'pwned')), false, 'a shell ran the argument'),
    },
    {
      title: 'a relative cwd is resolved against baseDir',
      probe: () => ({ kind: 'command', command: [node, '-e', 'process.exit(require("fs").existsSync("enriched-new.json") ? 0 : 1)'], cwd: 'out' }),
      status: 'healthy',
    },
  ]);

  it('gives the child a minimal environment: no secrets of the daemon, only what env adds', async () => {
    process.env.CM_TEST_SECRET = 'hunter2-do-not-leak';
    try {
      const r = await runOne({
        kind: 'command',
        command: [node, '-e', 'console.log(String(process.env.CM_TEST_SECRET) + "/" + process.env.EXTRA)'],
        env: { EXTRA: 'given' },
        expectOutput: '^undefined/given$',
      });
      assert.equal(r.status, 'healthy', r.reason);
    } finally {
      delete process.env.CM_TEST_SECRET;
    }
  });

  it('kills the command at its timeout (the abort signal reaches the child)', async () => {
    const pidFile = path.join(tmp, 'sleeper.pid');
    const started = Date.now();
    const r = await runOne({
      kind: 'command',
      command: [node, '-e', `require("fs").writeFileSync(${JSON.stringify(pidFile)}, String(process.pid)); setTimeout(() => {}, 30000)`],
      timeoutMs: 1_500,
    });
    assert.equal(r.status, 'down');
    assert.match(r.reason, /timed out after 1500 ms/);
    assert.ok(Date.now() - started < 6_000);
    const pid = Number(await fsp.readFile(pidFile, 'utf8'));
    const alive = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    for (let i = 0; i < 40 && alive(); i++) await new Promise((res) => setTimeout(res, 50));
    assert.equal(alive(), false, 'the child was killed');
  });
});

describe('option schemas', () => {
  const bad: { title: string; raw: Record<string, unknown>; path: (string | number)[] }[] = [
    { title: 'tcp: port out of range', raw: { kind: 'tcp', port: 70_000 }, path: ['port'] },
    { title: 'tcp: port missing', raw: { kind: 'tcp', host: 'db' }, path: ['port'] },
    { title: 'http: not an http URL', raw: { kind: 'http', url: 'ftp://example.com' }, path: ['url'] },
    { title: 'http: numeric op with a string value', raw: { kind: 'http', url: 'http://x', json: [{ path: 'a', op: 'gte', value: '3' }] }, path: ['json', 0, 'value'] },
    { title: 'http: unknown op', raw: { kind: 'http', url: 'http://x', json: [{ path: 'a', op: 'matches', value: 'x' }] }, path: ['json', 0, 'op'] },
    { title: 'http: malformed path', raw: { kind: 'http', url: 'http://x', json: [{ path: 'a..b', op: 'exists' }] }, path: ['json', 0, 'path'] },
    { title: 'http: exists with a stray value', raw: { kind: 'http', url: 'http://x', json: [{ path: 'a', op: 'exists', value: 1 }] }, path: ['json', 0] },
    { title: 'http: bad onFail', raw: { kind: 'http', url: 'http://x', json: [{ path: 'a', op: 'exists', onFail: 'warn' }] }, path: ['json', 0, 'onFail'] },
    { title: 'file-age: degradedAgeMs not under maxAgeMs', raw: { kind: 'file-age', path: 'x', maxAgeMs: 1000, degradedAgeMs: 1000 }, path: ['degradedAgeMs'] },
    { title: 'file-age: maxAgeMs missing', raw: { kind: 'file-age', path: 'x' }, path: ['maxAgeMs'] },
    { title: 'disk: percent over 100', raw: { kind: 'disk', minFreePercent: 120 }, path: ['minFreePercent'] },
    { title: 'disk: degraded under min', raw: { kind: 'disk', minFreePercent: 10, degradedFreePercent: 5 }, path: ['degradedFreePercent'] },
    { title: 'ollama: negative minModels', raw: { kind: 'ollama', minModels: -1 }, path: ['minModels'] },
    { title: 'ollama: bad baseUrl', raw: { kind: 'ollama', baseUrl: 'localhost:11434' }, path: ['baseUrl'] },
    { title: 'command: a string, not an argv array', raw: { kind: 'command', command: 'node -v' }, path: ['command'] },
    { title: 'command: empty argv', raw: { kind: 'command', command: [] }, path: ['command'] },
    { title: 'command: bad regex', raw: { kind: 'command', command: ['true'], expectOutput: '(' }, path: ['expectOutput'] },
    { title: 'common: timeoutMs not positive', raw: { kind: 'tcp', port: 1, timeoutMs: 0 }, path: ['timeoutMs'] },
    { title: 'common: unknown key', raw: { kind: 'tcp', port: 1, timeout: 5 }, path: [] },
  ];
  for (const c of bad) {
    it(`rejects ${c.title}`, () => {
      const res = probeSchema.safeParse({ name: 'x', ...c.raw });
      assert.equal(res.success, false);
      const paths = res.error.issues.map((i) => JSON.stringify(i.path));
      assert.ok(paths.includes(JSON.stringify(c.path)), `issues at ${paths.join(' ')}, expected ${JSON.stringify(c.path)}`);
    });
  }

  it('rejects an unknown kind', () => {
    assert.equal(probeSchema.safeParse({ name: 'x', kind: 'smtp' }).success, false);
  });

  it('applies defaults', () => {
    assert.deepEqual(probeSchema.parse({ name: 't', kind: 'tcp', port: 5432 }), {
      name: 't',
      kind: 'tcp',
      host: '127.0.0.1',
      port: 5432,
      timeoutMs: 10_000,
      failureThreshold: 1,
    });
    const d = probeSchema.parse({ name: 'd', kind: 'disk' });
    assert.equal(d.path, '.');
    assert.equal(d.minFreePercent, 5);
    const c = probeSchema.parse({ name: 'c', kind: 'command', command: ['true'] });
    assert.equal(c.expectExit, 0);
    const h = probeSchema.parse({ name: 'h', kind: 'http', url: 'http://x/', json: [{ path: 'a', op: 'exists' }] });
    assert.deepEqual(h.json, [{ path: 'a', op: 'exists', onFail: 'down' }]);
  });

  it('the config loader names the bad key of a probe', () => {
    assert.throws(
      () => resolveConfig({ probes: [{ name: 'ok', kind: 'tcp', port: 1 }, { name: 'fresh', kind: 'file-age', path: 'x', maxAgeMs: 10, degradedAgeMs: 20 }] }, { file: undefined, baseDir: tmp }),
      /probes\[1\]\.degradedAgeMs: degradedAgeMs must be less than maxAgeMs/,
    );
  });
});

describe('what a person reads', () => {
  it('prints each probe\'s time once: a reason that states it is not followed by another', async () => {
    const sb = box();
    sb.config({
      pm2Logs: false,
      probes: [
        { name: 'model', kind: 'ollama', baseUrl: ollamaServer.url },
        { name: 'web', kind: 'http', url: okServer.url },
        { name: 'port', kind: 'tcp', port: tcpPort },
        { name: 'outputs', kind: 'file-age', path: path.join(tmp, 'out/*.json'), maxAgeMs: 3_600_000 },
      ],
    });
    const r = await sb.run(['probe']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const lines = r.stdout.split('\n').filter((l) => /^\s+healthy/.test(l));
    assert.equal(lines.length, 4, r.stdout);
    for (const l of lines) assert.equal(l.match(/\d+ ms\b/g)?.length, 1, `one time per line: ${l}`);
    assert.match(r.stdout, /model\s+ollama\s+2 models, in \d+ ms$/m);
    // A reason without a time gets the probe's duration.
    assert.match(r.stdout, /outputs\s+file-age\s+.*\(\d+ ms\)$/m);
  });

  it('a config error names the probe kind once: probes[1].kind, not probes[1].kind.kind', async () => {
    const sb = box();
    sb.config({ probes: [{ name: 'ok', kind: 'tcp', port: 1 }, { name: 'mail', kind: 'smtp' }] });
    const r = await sb.run(['probe']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^\s+probes\[1\]\.kind: /m);
    assert.ok(!r.stderr.includes('kind.kind'), r.stderr);
  });
});

describe('running probes together', () => {
  it('runs in parallel, a slow or failing probe neither delays nor breaks the others, and summarizes', async () => {
    const started = Date.now();
    const results = await runAll([
      { kind: 'tcp', port: tcpPort },
      { kind: 'http', url: `${slowServer.url}/`, maxLatencyMs: 100 },
      { kind: 'http', url: `${slowServer.url}/`, timeoutMs: 200 },
      { kind: 'file-age', path: 'out/*.json', maxAgeMs: 3_600_000 },
      { kind: 'disk', minFreePercent: 0 },
      { kind: 'command', command: ['/no/such/program'] },
    ]);
    const elapsed = Date.now() - started;
    assert.deepEqual(
      results.map((r) => [r.name, r.status]),
      [
        ['p0', 'healthy'],
        ['p1', 'degraded'],
        ['p2', 'down'],
        ['p3', 'healthy'],
        ['p4', 'healthy'],
        ['p5', 'down'],
      ],
    );
    assert.ok(elapsed < 1_500, `took ${elapsed} ms: the probes ran one after another`);
    assert.equal(summarize(results), '3/6 healthy, 1 degraded, 2 down');
    assert.ok(results[0]!.durationMs < 400, 'the fast probe did not wait for the slow ones');
  });
});

describe('failureThreshold', () => {
  it('calls a flapping probe down only after that many failures in a row', async () => {
    const probe = probeSchema.parse({ name: 'flaky', kind: 'tcp', port: closedPort, failureThreshold: 3, timeoutMs: 2_000 });
    const history: ProbeResult[] = [];
    const seen: [Health, number | undefined][] = [];
    for (let i = 0; i < 4; i++) {
      const [r] = await runProbes([probe], { clock: systemClock, baseDir: tmp, history: { flaky: history } });
      seen.push([r!.status, r!.failures]);
      history.push(r!);
      if (i === 0) assert.match(r!.reason, /^failing \(1 of 3 before down\): /);
    }
    assert.deepEqual(seen, [
      ['degraded', 1],
      ['degraded', 2],
      ['down', 3],
      ['down', 4],
    ]);
    // One success resets the count.
    const ok = probeSchema.parse({ name: 'flaky', kind: 'tcp', port: tcpPort, failureThreshold: 3 });
    const [r] = await runProbes([ok], { clock: systemClock, baseDir: tmp, history: { flaky: history } });
    assert.equal(r!.status, 'healthy');
    assert.equal(r!.failures, 0);
  });
});
