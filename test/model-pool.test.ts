// Several model servers (`llm.baseUrl` a list): failover in order when one is down (unreachable,
// timeout, 5xx), the one that answered last tried first, the health of each in `doctor` and from
// modelServerHealth(). Every server is the project's loopback model test server.
import { after, afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { box, closedPort, SEED_WORKER } from './helpers/cli.ts';
import { startModelServer, type ModelServer, type ScriptedAnswer } from './helpers/model-server.ts';
import { callModel } from '../src/llm/call.ts';
import { ollamaProvider } from '../src/llm/ollama.ts';
import { openaiProvider } from '../src/llm/openai.ts';
import { modelServerHealth, resetModelServerHealth } from '../src/llm/servers.ts';
import { llmSchema, type LlmSettings } from '../src/llm/settings.ts';
import { isLlmError } from '../src/llm/types.ts';

const FIXED = SEED_WORKER.replace('x * 2));', 'x * 2);');
const servers: ModelServer[] = [];
async function server(answers?: ScriptedAnswer[] | (() => ScriptedAnswer)): Promise<ModelServer> {
  const s = await startModelServer(answers ? { answers } : {});
  servers.push(s);
  return s;
}
/** A server that was there and has stopped: its port refuses connections. */
async function stopped(): Promise<string> {
  const s = await startModelServer();
  await s.close();
  return s.url;
}
function settings(over: Record<string, unknown>): LlmSettings {
  return llmSchema.parse({ retries: 0, retryDelayMs: 10, ...over });
}
const ask = (s: LlmSettings, provider = ollamaProvider) => callModel(provider, { prompt: 'fix it' }, s);

afterEach(() => resetModelServerHealth());
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

describe('failover between model servers (library)', () => {
  it('a stopped first server: the call is answered by the second, which is tried first from then on', async () => {
    const down = await stopped();
    const b = await server([{ text: 'from b' }]);
    const s = settings({ baseUrl: [down, b.url] });
    const first = await ask(s);
    assert.equal(first.answer.text, 'from b');
    assert.equal(first.server, b.url);
    assert.deepEqual(first.failedOver, [down]);
    assert.equal(first.attempts, 2);
    const second = await ask(s);
    assert.equal(second.server, b.url);
    assert.equal(second.attempts, 1, 'the down server is not tried first again');
    assert.deepEqual(second.failedOver, []);
    assert.equal(b.modelCalls().length, 2);
    const health = modelServerHealth(s);
    assert.deepEqual(health.map((h) => [h.url, h.state, h.preferred]), [[down, 'down', false], [b.url, 'up', true]]);
    assert.match(health[0]!.lastError!, /ECONNREFUSED|refused/i);
    assert.equal(health[0]!.consecutiveFailures, 1);
    assert.equal(health[1]!.answered, 2);
  });

  it('a 5xx fails over; when the preferred server goes down, the first comes back into use', async () => {
    let aDown = true;
    const a = await server(() => (aDown ? { status: 503, text: 'overloaded' } : { text: 'from a' }));
    const b = await server([{ text: 'from b' }]);
    const s = settings({ baseUrl: [a.url, b.url] });
    assert.equal((await ask(s)).server, b.url);
    assert.equal(a.modelCalls().length, 1);
    assert.equal((await ask(s)).server, b.url);
    assert.equal(a.modelCalls().length, 1, 'a is not asked while b answers');
    aDown = false;
    await b.close();
    const r = await ask(s);
    assert.equal(r.answer.text, 'from a');
    assert.deepEqual(r.failedOver, [b.url]);
    assert.deepEqual(modelServerHealth(s).map((h) => [h.state, h.preferred]), [['up', true], ['down', false]]);
  });

  it('a server that does not answer within llm.timeoutMs hands the call to the next (OpenAI-compatible)', async () => {
    const slow = await server([{ text: 'too late', delayMs: 5_000 }]);
    const b = await server([{ text: 'in time' }]);
    const started = Date.now();
    const r = await ask(settings({ provider: 'openai', baseUrl: [slow.url, b.url], timeoutMs: 300 }), openaiProvider);
    assert.equal(r.answer.text, 'in time');
    assert.deepEqual(r.failedOver, [slow.url]);
    assert.ok(Date.now() - started < 4_000, 'did not wait for the slow answer');
  });

  it('a 4xx is an answer, not an outage: no failover', async () => {
    const a = await server([{ status: 400, text: 'bad request' }]);
    const b = await server([{ text: 'from b' }]);
    const s = settings({ baseUrl: [a.url, b.url] });
    await assert.rejects(ask(s), (err) => isLlmError(err, 'http') && err.status === 400);
    assert.equal(b.modelCalls().length, 0);
    assert.equal(modelServerHealth(s)[0]!.state, 'up');
  });

  it('every server down: one error naming each, the whole round retried llm.retries times', async () => {
    const a = await server([{ status: 502, text: 'bad gateway' }]);
    const down = await stopped();
    const s = settings({ baseUrl: [a.url, down], retries: 1 });
    await assert.rejects(ask(s), (err) => {
      assert.ok(isLlmError(err, 'unreachable'), String(err));
      assert.match((err as Error).message, new RegExp(`^every model server failed: ${a.url}: .*502.*; ${down}: `));
      return true;
    });
    assert.equal(a.modelCalls().length, 2, 'two rounds');
    assert.equal(modelServerHealth(s)[0]!.consecutiveFailures, 2);
  });

  it('one server, as before: the same error, no pool wording', async () => {
    const down = await stopped();
    await assert.rejects(ask(settings({ baseUrl: down })), (err) => isLlmError(err, 'unreachable') && !/every model server/.test((err as Error).message));
  });
});

describe('failover through the CLI', () => {
  it('mechanic run: the first server stopped, the fix comes from the second', async () => {
    const down = await stopped();
    const b = await server([{ text: FIXED }]);
    const sb = box();
    sb.write('src/worker.js', SEED_WORKER);
    sb.config({ roots: ['src'], repairers: ['llm'], pm2Logs: false, stateDir: '../state', llm: { baseUrl: [down, b.url], retries: 0 } });
    const r = await sb.runJson(['run']);
    assert.equal(r.code, 0, r.stderr);
    const fix = r.json.fixes[0];
    assert.equal(fix.outcome, 'applied', JSON.stringify(fix));
    assert.match(fix.reason, new RegExp(`at ${b.url.replace(/\./g, '\\.')} \\(${down.replace(/\./g, '\\.')} down\\)`));
    assert.equal(sb.read('src/worker.js'), FIXED);
    assert.equal(b.modelCalls().length, 1);
  });

  it('mechanic doctor lists each server with its state; one working is a warning, none a failure', async () => {
    const down = await stopped();
    const b = await server();
    const sb = box();
    sb.config({ roots: ['.'], pm2Logs: false, stateDir: '../state', llm: { baseUrl: [down, b.url] } });
    const r = await sb.runJson(['doctor']);
    assert.equal(r.code, 0, 'a pool with one working server works');
    assert.deepEqual(r.json.modelServers.map((h: any) => [h.url, h.state]), [[down, 'down'], [b.url, 'up']]);
    const byName = (n: string) => r.json.checks.find((c: any) => c.name === n);
    assert.equal(byName(`model ${down}: reachable`).ok, false);
    assert.equal(byName(`model ${down}: reachable`).warn, true);
    assert.equal(byName(`model ${b.url}: answers`).ok, true);
    assert.match(byName('model servers').detail, new RegExp(`1 of 2 working.*${down} down, ${b.url} up`));

    const text = await sb.run(['doctor']);
    assert.match(text.stdout, new RegExp(`warn {2}model ${down}: reachable: ollama server at ${down}: `));
    assert.match(text.stdout, new RegExp(`ok {4}model ${b.url}: answers`));
    assert.match(text.stdout, /warn {2}model servers: 1 of 2 working/);

    sb.config({ roots: ['.'], pm2Logs: false, stateDir: '../state', llm: { baseUrl: [down, `http://127.0.0.1:${await closedPort()}`] } });
    const none = await sb.runJson(['doctor']);
    assert.equal(none.code, 1, 'no server works: a failure');
    assert.deepEqual(none.json.modelServers.map((h: any) => h.state), ['down', 'down']);
  });

  it('a bad list is a config error naming llm.baseUrl, exit 2', async () => {
    const sb = box();
    for (const [baseUrl, message] of [
      [[], /llm\.baseUrl/],
      [['http://127.0.0.1:1', 'http://127.0.0.1:1/'], /llm\.baseUrl: lists the same server twice/],
      [['http://127.0.0.1:1', 'ftp://x'], /llm\.baseUrl/],
    ] as const) {
      sb.config({ roots: ['.'], pm2Logs: false, llm: { baseUrl } });
      const r = await sb.run(['doctor']);
      assert.equal(r.code, 2, JSON.stringify(baseUrl));
      assert.match(r.stderr, message);
    }
  });
});
