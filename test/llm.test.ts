import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { llmSchema, type LlmSettings } from '../src/llm/settings.ts';
import { SEED } from '../src/config/defaults.ts';
import { cleanAnswer } from '../src/llm/answer.ts';
import { DOCTOR_PROMPT, checkModelServer } from '../src/llm/doctor.ts';
import { MIN_NUM_CTX, generateBody, numCtxFor, ollamaProvider } from '../src/llm/ollama.ts';
import { openaiProvider, openaiUrl } from '../src/llm/openai.ts';
import { baseUrlOf, getProvider, providers } from '../src/llm/registry.ts';
import { LlmError, type LlmErrorKind, type LlmProvider } from '../src/llm/types.ts';
import { MAX_ANSWER_BYTES } from '../src/util/http.ts';
import { repoRoot } from './helpers/cli.ts';
import { startModelServer, type ModelServer, type ModelServerOptions, type ScriptedAnswer } from './helpers/model-server.ts';

function settings(over: Partial<LlmSettings> = {}): LlmSettings {
  return { ...llmSchema.parse({}), ...over };
}

async function withServer<T>(opts: ModelServerOptions, fn: (server: ModelServer) => Promise<T>): Promise<T> {
  const server = await startModelServer(opts);
  try {
    return await fn(server);
  } finally {
    await server.close();
  }
}

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

async function failure(p: Promise<unknown>): Promise<LlmError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof LlmError, `an LlmError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the call to fail');
}

const both: Array<[string, LlmProvider]> = [
  ['ollama', ollamaProvider],
  ['openai', openaiProvider],
];

describe('ollama provider', () => {
  it('sends the seed request: think false at top level, temperature 0.1, num_predict, num_ctx, stream false', async () => {
    await withServer({ answers: [{ text: 'console.log("hello")' }] }, async (server) => {
      const s = settings({ baseUrl: server.url });
      const prompt = 'Return only: console.log("hello")';
      const answer = await ollamaProvider.generate({ prompt }, s);
      assert.equal(answer.text, 'console.log("hello")');
      assert.equal(answer.model, SEED.model);
      assert.equal(answer.promptChars, prompt.length);
      assert.equal(answer.doneReason, 'stop');
      assert.ok(answer.durationMs >= 0);
      assert.equal(server.requests.length, 1);
      const req = server.requests[0]!;
      assert.equal(req.method, 'POST');
      assert.equal(req.path, '/api/generate');
      assert.match(String(req.headers['content-type']), /application\/json/);
      assert.deepEqual(req.body, {
        model: 'mdq100/qwen3.5-coder:35b',
        think: false,
        prompt,
        stream: false,
        options: { temperature: 0.1, num_predict: 2048, num_ctx: numCtxFor(prompt.length, 2048) },
      });
      assert.equal('think' in req.body.options, false, 'think is never an option');
      assert.equal(req.headers.authorization, undefined);
    });
  });

  it('sends the system message, think true and no think at all when asked', async () => {
    await withServer({}, async (server) => {
      const s = settings({ baseUrl: server.url + '/', think: true, temperature: 0.3, numPredict: 99, model: 'qwen3' });
      await ollamaProvider.generate({ prompt: 'p', system: 'sys' }, s);
      await ollamaProvider.generate({ prompt: 'p', omitThink: true }, s);
      const [a, b] = server.requests.map((r) => r.body);
      assert.equal(server.requests[0]!.path, '/api/generate', 'a trailing slash on baseUrl is not doubled');
      assert.equal(a.think, true);
      assert.equal(a.system, 'sys');
      assert.equal(a.model, 'qwen3');
      assert.deepEqual(a.options, { temperature: 0.3, num_predict: 99, num_ctx: numCtxFor(4, 99) });
      assert.equal('think' in b, false);
    });
  });

  it('sizes num_ctx from the prompt: at least 2048, a multiple of 1024, room for prompt and answer', () => {
    const cases: Array<[promptChars: number, numPredict: number]> = [
      [0, 50],
      [30, 2048],
      [6_000, 2048],
      [60_000, 2048],
      [200_000, 4096],
    ];
    let last = 0;
    for (const [chars, predict] of cases) {
      const n = numCtxFor(chars, predict);
      assert.ok(n >= MIN_NUM_CTX, `${chars}: ${n} >= 2048`);
      assert.equal(n % 1024, 0, `${chars}: ${n} is a multiple of 1024`);
      assert.ok(n >= Math.ceil(chars / 3) + predict, `${chars}: ${n} holds the prompt and the answer`);
      assert.ok(n >= last, 'grows with the prompt');
      last = n;
    }
    assert.equal(numCtxFor(0, 50), 2048);
    assert.ok(numCtxFor(60_000, 2048) > numCtxFor(6_000, 2048));
  });

  it('num_ctx grows with the prompt on the wire', async () => {
    await withServer({}, async (server) => {
      const s = settings({ baseUrl: server.url });
      await ollamaProvider.generate({ prompt: 'x'.repeat(100) }, s);
      await ollamaProvider.generate({ prompt: 'x'.repeat(60_000) }, s);
      const [small, large] = server.requests.map((r) => r.body.options.num_ctx as number);
      assert.equal(small, 3072);
      assert.ok(large! >= 20_000 + 2048, `num_ctx ${large} fits a 60,000-character prompt`);
      assert.equal(server.requests[1]!.body.prompt.length, 60_000, 'the prompt is sent whole');
    });
  });

  it('generateBody puts think at the top level and nowhere else', () => {
    const body = generateBody({ prompt: 'p' }, settings());
    assert.deepEqual(Object.keys(body), ['model', 'think', 'prompt', 'stream', 'options']);
    assert.deepEqual(Object.keys(body.options as object), ['temperature', 'num_predict', 'num_ctx']);
  });

  it('reports a thinking model that answered only in its thinking as empty, with the fix', async () => {
    await withServer({ thinkingModel: true, answers: [{ text: 'console.log("hello")' }] }, async (server) => {
      const err = await failure(ollamaProvider.generate({ prompt: 'p' }, settings({ baseUrl: server.url, think: true })));
      assert.equal(err.kind, 'empty');
      assert.ok(err.thinkingChars! > 0);
      assert.match(err.message, /think: false/);
      // With think:false at the top level the same model answers.
      const ok = await ollamaProvider.generate({ prompt: 'p' }, settings({ baseUrl: server.url }));
      assert.equal(ok.text, 'console.log("hello")');
    });
  });

  it('keeps the thinking the server reports beside the answer', async () => {
    await withServer({ answers: [{ text: 'a', thinking: 'hmm' }] }, async (server) => {
      const a = await ollamaProvider.generate({ prompt: 'p' }, settings({ baseUrl: server.url }));
      assert.equal(a.thinking, 'hmm');
    });
  });

  it('lists the installed models', async () => {
    await withServer({ models: ['qwen3:latest', 'mdq100/qwen3.5-coder:35b'] }, async (server) => {
      const models = await ollamaProvider.listModels(settings({ baseUrl: server.url }));
      assert.deepEqual(models, [{ name: 'qwen3:latest' }, { name: 'mdq100/qwen3.5-coder:35b' }]);
      assert.equal(server.requests[0]!.path, '/api/tags');
    });
  });

  it('a model the server does not have is an http error with the server\'s reason', async () => {
    await withServer({ models: ['qwen3'] }, async (server) => {
      const err = await failure(ollamaProvider.generate({ prompt: 'p' }, settings({ baseUrl: server.url })));
      assert.equal(err.kind, 'http');
      assert.equal(err.status, 404);
      assert.match(err.message, /not found/);
    });
  });
});

describe('openai-compatible provider', () => {
  it('sends a chat completion with the system and user messages, temperature and max_tokens', async () => {
    await withServer({ answers: [{ text: 'fixed' }] }, async (server) => {
      const s = settings({ provider: 'openai', baseUrl: server.url, model: 'qwen2.5-coder' });
      const a = await openaiProvider.generate({ prompt: 'the prompt', system: 'be brief' }, s);
      assert.equal(a.text, 'fixed');
      assert.equal(a.doneReason, 'stop');
      const req = server.requests[0]!;
      assert.equal(req.path, '/v1/chat/completions');
      assert.deepEqual(req.body, {
        model: 'qwen2.5-coder',
        messages: [
          { role: 'system', content: 'be brief' },
          { role: 'user', content: 'the prompt' },
        ],
        temperature: 0.1,
        max_tokens: 2048,
        stream: false,
      });
      assert.equal(req.headers.authorization, undefined, 'no key configured, none sent');
    });
  });

  it('sends the API key from the variable apiKeyEnv names, and refuses when it is not set', async () => {
    await withServer({}, async (server) => {
      const name = 'CM_TEST_LLM_KEY';
      process.env[name] = 'sk-test-123';
      try {
        await openaiProvider.generate({ prompt: 'p' }, settings({ provider: 'openai', baseUrl: server.url, apiKeyEnv: name }));
        assert.equal(server.requests[0]!.headers.authorization, 'Bearer sk-test-123');
        assert.equal(server.requests[0]!.body.messages.length, 1, 'no system message unless given');
      } finally {
        delete process.env[name];
      }
      const err = await failure(openaiProvider.generate({ prompt: 'p' }, settings({ provider: 'openai', baseUrl: server.url, apiKeyEnv: name })));
      assert.equal(err.kind, 'config');
      assert.match(err.message, /CM_TEST_LLM_KEY/);
      assert.equal(server.requests.length, 1, 'nothing sent without the key');
    });
  });

  it('does not double /v1 in the base URL', async () => {
    const cases: Array<[string, string]> = [
      ['http://h:8080', 'http://h:8080/v1/chat/completions'],
      ['http://h:8080/', 'http://h:8080/v1/chat/completions'],
      ['http://h:8080/v1', 'http://h:8080/v1/chat/completions'],
      ['http://h:8080/v1/', 'http://h:8080/v1/chat/completions'],
      ['https://api.example.com/openai/v1', 'https://api.example.com/openai/v1/chat/completions'],
    ];
    for (const [base, want] of cases) assert.equal(openaiUrl(base, 'chat/completions'), want, base);
    await withServer({}, async (server) => {
      await openaiProvider.generate({ prompt: 'p' }, settings({ provider: 'openai', baseUrl: `${server.url}/v1` }));
      assert.equal(server.requests[0]!.path, '/v1/chat/completions');
    });
  });

  it('reads reasoning_content as thinking, and an answer only in reasoning is empty', async () => {
    await withServer({ answers: [{ text: 'code', thinking: 'first I think' }, { text: 'code', thinkingModel: true }] }, async (server) => {
      const s = settings({ provider: 'openai', baseUrl: server.url });
      const a = await openaiProvider.generate({ prompt: 'p' }, s);
      assert.equal(a.thinking, 'first I think');
      const err = await failure(openaiProvider.generate({ prompt: 'p' }, s));
      assert.equal(err.kind, 'empty');
    });
  });

  it('lists models with the context length the server reports', async () => {
    await withServer({ models: [{ name: 'qwen2.5-coder-7b', contextLength: 32768 }, 'other'] }, async (server) => {
      const models = await openaiProvider.listModels(settings({ provider: 'openai', baseUrl: server.url }));
      assert.deepEqual(models, [{ name: 'qwen2.5-coder-7b', contextLength: 32768 }, { name: 'other' }]);
      assert.equal(server.requests[0]!.path, '/v1/models');
    });
  });
});

describe('failures are named errors of the right kind, for both protocols', () => {
  const cases: Array<{ name: string; answer: ScriptedAnswer; kind: LlmErrorKind; match?: RegExp; status?: number }> = [
    { name: 'HTTP 500', answer: { status: 500, text: 'CUDA out of memory' }, kind: 'http', status: 500, match: /HTTP 500: CUDA out of memory/ },
    { name: 'HTTP 503 with a text body', answer: { status: 503, raw: 'busy' }, kind: 'http', status: 503, match: /busy/ },
    { name: 'not JSON', answer: { raw: 'not json' }, kind: 'bad-answer', match: /not JSON: not json/ },
    { name: 'JSON of the wrong shape', answer: { raw: '{"foo":1}' }, kind: 'bad-answer', match: /keys: foo/ },
    { name: 'an empty body', answer: { raw: '' }, kind: 'bad-answer' },
    { name: 'an empty answer', answer: { text: '' }, kind: 'empty' },
    { name: 'a whitespace answer', answer: { text: ' \n ' }, kind: 'empty' },
    { name: 'the connection reset', answer: { reset: true }, kind: 'unreachable' },
  ];
  for (const [pname, provider] of both) {
    for (const c of cases) {
      it(`${pname}: ${c.name} → ${c.kind}`, async () => {
        await withServer({ answers: [c.answer] }, async (server) => {
          const err = await failure(provider.generate({ prompt: 'p' }, settings({ provider: provider.name, baseUrl: server.url })));
          assert.equal(err.kind, c.kind, err.message);
          assert.equal(err.name, 'LlmError');
          if (c.status !== undefined) assert.equal(err.status, c.status);
          if (c.match) assert.match(err.message, c.match);
        });
      });
    }

    it(`${pname}: connection refused → unreachable`, async () => {
      const port = await closedPort();
      const t0 = Date.now();
      const err = await failure(provider.generate({ prompt: 'p' }, settings({ provider: provider.name, baseUrl: `http://127.0.0.1:${port}` })));
      assert.equal(err.kind, 'unreachable');
      assert.match(err.message, /ECONNREFUSED/);
      assert.ok(Date.now() - t0 < 5_000);
      const list = await failure(provider.listModels(settings({ provider: provider.name, baseUrl: `http://127.0.0.1:${port}` })));
      assert.equal(list.kind, 'unreachable');
    });

    it(`${pname}: a slow server is cut at timeoutMs → timeout, well before its answer`, async () => {
      await withServer({ answers: [{ text: 'late', delayMs: 5_000 }] }, async (server) => {
        const t0 = Date.now();
        const err = await failure(provider.generate({ prompt: 'p' }, settings({ provider: provider.name, baseUrl: server.url, timeoutMs: 300 })));
        const took = Date.now() - t0;
        assert.equal(err.kind, 'timeout');
        assert.match(err.message, /300 ms/);
        assert.ok(took >= 250 && took < 4_000, `gave up after ${took} ms (the answer comes at 5 s)`);
      });
    });

    it(`${pname}: the caller's signal cancels the call → aborted`, async () => {
      await withServer({ answers: [{ text: 'late', delayMs: 5_000 }] }, async (server) => {
        const t0 = Date.now();
        const err = await failure(
          provider.generate({ prompt: 'p' }, settings({ provider: provider.name, baseUrl: server.url }), AbortSignal.timeout(200)),
        );
        assert.equal(err.kind, 'aborted');
        assert.ok(Date.now() - t0 < 2_000);
        const pre = await failure(provider.generate({ prompt: 'p' }, settings({ provider: provider.name, baseUrl: server.url }), AbortSignal.abort()));
        assert.equal(pre.kind, 'aborted');
      });
    });

    it(`${pname}: a 50 MB answer is refused at the cap, and reading stops there`, async () => {
      await withServer({ answers: [{ hugeBytes: 50 * 1024 * 1024 }] }, async (server) => {
        const t0 = Date.now();
        const err = await failure(provider.generate({ prompt: 'p' }, settings({ provider: provider.name, baseUrl: server.url })));
        assert.equal(err.kind, 'bad-answer');
        assert.match(err.message, /too large/);
        assert.ok(Date.now() - t0 < 10_000);
        // Give the server a moment to notice the connection is gone, then check it stopped.
        await new Promise((r) => setTimeout(r, 200));
        const sent = server.requests[0]!.bytesSent;
        assert.ok(sent > MAX_ANSWER_BYTES, `the server sent past the cap (${sent})`);
        assert.ok(sent < 30 * 1024 * 1024, `the client stopped reading: ${sent} of 50 MB were sent`);
      });
    });
  }

  it('a body just under the cap is read whole', async () => {
    await withServer({ answers: [{ hugeBytes: 1024 * 1024 }] }, async (server) => {
      const a = await ollamaProvider.generate({ prompt: 'p' }, settings({ baseUrl: server.url }));
      assert.equal(a.text.length, 1024 * 1024);
    });
  });
});

describe('registry', () => {
  it('maps provider names to providers, and none to no provider', () => {
    assert.equal(getProvider(settings({ provider: 'ollama' })), ollamaProvider);
    assert.equal(getProvider(settings({ provider: 'openai' })), openaiProvider);
    assert.equal(getProvider(settings({ provider: 'none' })), undefined);
    for (const [name, p] of Object.entries(providers)) assert.equal(p.name, name);
  });

  it('resolves the base URL: configured (without a trailing slash) or the provider default', () => {
    const cases: Array<[Partial<LlmSettings>, string | undefined]> = [
      [{ provider: 'ollama' }, 'http://127.0.0.1:11434'],
      [{ provider: 'openai' }, 'http://127.0.0.1:8080'],
      [{ provider: 'openai', baseUrl: 'http://gpu:8000/' }, 'http://gpu:8000'],
      [{ provider: 'none' }, undefined],
    ];
    for (const [over, want] of cases) assert.equal(baseUrlOf(settings(over)), want, JSON.stringify(over));
  });
});

describe('cleanAnswer', () => {
  const code = 'const a = 1;\nmodule.exports = { a };';
  const cases: Array<[name: string, input: string, want: string]> = [
    ['nothing to strip', code, code],
    ['only surrounding whitespace', `\n\n  ${code}  \n`, code],
    ['a js fence', '```js\n' + code + '\n```', code],
    ['a javascript fence, trailing newline', '```javascript\n' + code + '\n```\n', code],
    ['a bare fence', '```\n' + code + '\n```', code],
    ['a tilde fence', '~~~js\n' + code + '\n~~~', code],
    ['prose around the fence', 'Here is the fixed file:\n\n```js\n' + code + '\n```\n\nI added the missing parenthesis.', code],
    ['the largest of several blocks', 'Change:\n```js\nx = 1;\n```\nWhole file:\n```js\n' + code + '\n```\nDone.', code],
    ['an unclosed fence (a cut-off answer)', '```js\n' + code, code],
    ['a stray closing fence', code + '\n```', code],
    ['a longer fence holding a shorter one', '````md\nuse ```js fences\n```\n````', 'use ```js fences\n```'],
    ['a think block before the code', '<think>\nthe paren is extra\n</think>\n' + code, code],
    ['think blocks back to back', '<think>a</think><think>b</think>\n' + code, code],
    ['a thinking block', '<thinking>hmm</thinking>\n\n' + code, code],
    ['a think block then a fence', '<think>\n```js\ndraft();\n```\n</think>\n```js\n' + code + '\n```', code],
    ['an unterminated leading think block', '<think>\nI should look at line 4 and', ''],
    ['an orphan closing tag (the template opened it)', 'reasoning here\n</think>\n\n' + code, code],
    ['a closing tag inside code is code', 'const s = "</think>";\nmodule.exports = { s };', 'const s = "</think>";\nmodule.exports = { s };'],
    ['a think tag inside code is code', 'const tag = "<think>";\nmodule.exports = { tag };', 'const tag = "<think>";\nmodule.exports = { tag };'],
    ['backticks inside code are code', 'const md = `\\`\\`\\`js`;\nmodule.exports = { md };', 'const md = `\\`\\`\\`js`;\nmodule.exports = { md };'],
    ['an empty answer', '', ''],
    ['an empty fence', '```js\n```', ''],
  ];
  for (const [name, input, want] of cases) {
    it(name, () => assert.equal(cleanAnswer(input), want));
  }

  it('keeps line endings and indentation inside the fence', () => {
    const crlf = '  if (a) {\r\n    b();\r\n  }';
    assert.equal(cleanAnswer('```js\r\n' + crlf + '\r\n```'), crlf.trim());
  });

  it('stays linear on 50 MB answers, pathological ones included', () => {
    const MB = 1024 * 1024;
    const big = 'x'.repeat(50 * MB);
    const inputs: Array<[string, string, (out: string) => void]> = [
      ['plain code', big, (o) => assert.equal(o.length, big.length)],
      ['one fenced block', '```js\n' + big + '\n```', (o) => assert.equal(o.length, big.length)],
      ['many short lines of fences', '```js\nx\n```\n'.repeat((50 * MB) / 13), (o) => assert.equal(o, 'x')],
      ['unmatched think tags mid-line', 'a<think>'.repeat((50 * MB) / 8), (o) => assert.ok(o.length > 0)],
      ['backticks without newlines', '`'.repeat(50 * MB), () => undefined],
      ['an open think block over 50 MB', '<think>' + ' '.repeat(50 * MB), (o) => assert.equal(o, '')],
      ['whitespace then tags', ' '.repeat(25 * MB) + '<think>x</think>'.repeat(MB), (o) => assert.equal(o, '')],
    ];
    for (const [name, input, check] of inputs) {
      const t0 = Date.now();
      const out = cleanAnswer(input);
      const took = Date.now() - t0;
      check(out);
      // quadratic work on 50 MB takes hours: the bound tells it from linear even on a loaded machine (6 s seen)
      assert.ok(took < 20_000, `${name}: ${took} ms`);
    }
  });
});

describe('doctor: the seed\'s Step 1 as a check list', () => {
  it('a plain model: reachable, present, answers, think:false not needed', async () => {
    await withServer({ answers: [{ text: 'console.log("hello")' }] }, async (server) => {
      const r = await checkModelServer(settings({ baseUrl: server.url }));
      assert.deepEqual(
        r.steps.map((s) => [s.name, s.ok]),
        [
          ['reachable', true],
          ['model present', true],
          ['answers', true],
          ['think', true],
        ],
        JSON.stringify(r.steps),
      );
      assert.equal(r.ok, true);
      assert.equal(r.thinkFalseNeeded, false);
      const gens = server.modelCalls();
      assert.equal(gens.length, 2);
      assert.equal(gens[0]!.body.prompt, DOCTOR_PROMPT);
      assert.equal(gens[0]!.body.prompt, 'Return only: console.log("hello")');
      assert.equal(gens[0]!.body.think, false);
      assert.equal(gens[0]!.body.options.num_predict, 50);
      assert.equal(gens[0]!.body.options.temperature, 0.1);
      assert.equal('think' in gens[1]!.body, false, 'the second call omits think');
      assert.match(r.steps[2]!.detail, /console\.log\("hello"\)/);
    });
  });

  it('with llm.api chat: the same steps over /api/chat, think detection included', async () => {
    await withServer({ thinkingModel: true, answers: [{ text: 'console.log("hello")' }] }, async (server) => {
      const r = await checkModelServer(settings({ baseUrl: server.url, api: 'chat' }));
      assert.equal(r.ok, true, JSON.stringify(r.steps));
      assert.equal(r.thinkFalseNeeded, true);
      const calls = server.modelCalls();
      assert.deepEqual(calls.map((c) => c.path), ['/api/chat', '/api/chat']);
      assert.equal(calls[0]!.body.think, false);
      assert.equal(calls[0]!.body.messages[0].content, DOCTOR_PROMPT);
      assert.equal(calls[0]!.body.options.num_predict, 50);
    });
  });

  it('a thinking model: detects that think:false is needed, and that the config sends it', async () => {
    await withServer({ thinkingModel: true, answers: [{ text: 'console.log("hello")' }] }, async (server) => {
      const r = await checkModelServer(settings({ baseUrl: server.url }));
      assert.equal(r.ok, true, JSON.stringify(r.steps));
      assert.equal(r.thinkFalseNeeded, true);
      assert.match(r.steps.find((s) => s.name === 'think')!.detail, /think: false is needed/);
    });
  });

  it('a thinking model with llm.think true: fails, and says to set it false', async () => {
    await withServer({ thinkingModel: true, answers: [{ text: 'console.log("hello")' }] }, async (server) => {
      const r = await checkModelServer(settings({ baseUrl: server.url, think: true }));
      assert.equal(r.ok, false);
      assert.equal(r.thinkFalseNeeded, true);
      const think = r.steps.find((s) => s.name === 'think')!;
      assert.equal(think.ok, false);
      assert.match(think.detail, /set llm\.think to false/);
      assert.equal(server.modelCalls()[1]!.body.think, true, 'asked as the config would');
    });
  });

  it('name and name:latest are the same model; the context length is reported', async () => {
    await withServer({ models: [{ name: 'qwen3:latest', contextLength: 40960 }] }, async (server) => {
      const r = await checkModelServer(settings({ baseUrl: server.url, model: 'qwen3' }));
      assert.equal(r.ok, true, JSON.stringify(r.steps));
      assert.equal(r.contextLength, 40960);
      assert.match(r.steps[1]!.detail, /40960/);
    });
  });

  it('a missing model: fails at "model present", lists what is there, asks nothing', async () => {
    await withServer({ models: ['llama3:8b', 'qwen3:latest'] }, async (server) => {
      const r = await checkModelServer(settings({ baseUrl: server.url }));
      assert.equal(r.ok, false);
      assert.deepEqual(
        r.steps.map((s) => [s.name, s.ok]),
        [
          ['reachable', true],
          ['model present', false],
        ],
      );
      assert.match(r.steps[1]!.detail, /mdq100\/qwen3\.5-coder:35b is not on the server \(ollama pull .*\); it has: llama3:8b, qwen3:latest/);
      assert.equal(server.modelCalls().length, 0);
    });
  });

  it('an unreachable server: fails at "reachable" with the reason, never throws', async () => {
    const port = await closedPort();
    const r = await checkModelServer(settings({ baseUrl: `http://127.0.0.1:${port}` }));
    assert.equal(r.ok, false);
    assert.equal(r.steps.length, 1);
    assert.equal(r.steps[0]!.name, 'reachable');
    assert.match(r.steps[0]!.detail, /ECONNREFUSED/);
  });

  it('a model that answers empty even with think:false fails at "answers"', async () => {
    await withServer({ answers: [{ text: '' }] }, async (server) => {
      const r = await checkModelServer(settings({ baseUrl: server.url }));
      assert.equal(r.ok, false);
      assert.equal(r.steps.find((s) => s.name === 'answers')!.ok, false);
    });
  });

  it('an OpenAI-compatible server: think is not applicable; the context length comes from /v1/models', async () => {
    await withServer({ models: [{ name: 'qwen2.5-coder', contextLength: 32768 }] }, async (server) => {
      const r = await checkModelServer(settings({ provider: 'openai', baseUrl: server.url, model: 'qwen2.5-coder' }));
      assert.equal(r.ok, true, JSON.stringify(r.steps));
      assert.equal(r.contextLength, 32768);
      assert.match(r.steps.find((s) => s.name === 'think')!.detail, /not applicable/);
      assert.equal(server.modelCalls().length, 1);
      assert.equal(server.modelCalls()[0]!.body.max_tokens, 50);
    });
  });

  it('provider none: nothing to check', async () => {
    const r = await checkModelServer(settings({ provider: 'none' }));
    assert.equal(r.ok, true);
    assert.equal(r.steps.length, 1);
  });
});

describe('the model test server', () => {
  it('takes array answers in order and repeats the last; answers from a function see the request', async () => {
    await withServer({ answers: [{ text: 'one' }, { text: 'two' }] }, async (server) => {
      const s = settings({ baseUrl: server.url });
      const texts = [];
      for (let i = 0; i < 3; i++) texts.push((await ollamaProvider.generate({ prompt: `p${i}` }, s)).text);
      assert.deepEqual(texts, ['one', 'two', 'two']);
    });
    await withServer({ answers: (req) => ({ text: `echo ${req.body.prompt}` }) }, async (server) => {
      const a = await ollamaProvider.generate({ prompt: 'hi' }, settings({ baseUrl: server.url }));
      assert.equal(a.text, 'echo hi');
    });
  });

  it('speaks /api/chat and /api/show too', async () => {
    await withServer({ models: [{ name: 'm', contextLength: 8192 }], answers: [{ text: 'chat answer' }] }, async (server) => {
      const chat = await fetch(`${server.url}/api/chat`, {
        method: 'POST',
        body: JSON.stringify({ model: 'm', think: false, messages: [{ role: 'user', content: 'x' }], stream: false }),
      });
      const cj = (await chat.json()) as { message: { content: string } };
      assert.equal(cj.message.content, 'chat answer');
      const show = await fetch(`${server.url}/api/show`, { method: 'POST', body: JSON.stringify({ model: 'm' }) });
      const sj = (await show.json()) as { model_info: Record<string, unknown> };
      assert.equal(sj.model_info['test.context_length'], 8192);
    });
  });

  it('closes at once with an answer still pending', async () => {
    const server = await startModelServer({ answers: [{ text: 'late', delayMs: 30_000 }] });
    const call = ollamaProvider.generate({ prompt: 'p' }, settings({ baseUrl: server.url })).catch((e: unknown) => e);
    while (server.requests.length === 0) await new Promise((r) => setTimeout(r, 10));
    const t0 = Date.now();
    await server.close();
    assert.ok(Date.now() - t0 < 10_000, 'closed before the 30 s answer');
    const err = await call;
    assert.ok(err instanceof LlmError && err.kind === 'unreachable', String(err));
  });

  describe('as a separate process', () => {
    let dir: string;
    before(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'model-server-'));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('prints its URL, answers from the script file, records requests, stops on SIGTERM', async () => {
      const script = path.join(dir, 'script.json');
      const record = path.join(dir, 'requests.jsonl');
      fs.writeFileSync(script, JSON.stringify({ models: ['qwen3'], answers: [{ text: 'from the script' }] }));
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', path.join(repoRoot, 'test/helpers/model-server.ts'), '--port', '0', '--script', script, '--record', record],
        { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      try {
        const url = await new Promise<string>((resolve, reject) => {
          let out = '';
          let err = '';
          const timer = setTimeout(() => reject(new Error(`no URL within 15 s: ${err}`)), 15_000);
          child.stderr.on('data', (d) => (err += d));
          child.stdout.on('data', (d) => {
            out += d;
            const line = out.split('\n')[0];
            if (out.includes('\n') && line) {
              clearTimeout(timer);
              resolve(line.trim());
            }
          });
          child.on('exit', (code) => reject(new Error(`exited ${code}: ${err}`)));
        });
        assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
        const a = await ollamaProvider.generate({ prompt: 'p' }, settings({ baseUrl: url, model: 'qwen3' }));
        assert.equal(a.text, 'from the script');
        const lines = fs.readFileSync(record, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
        assert.equal(lines.length, 1);
        assert.equal(lines[0].path, '/api/generate');
        assert.equal(lines[0].body.think, false);
      } finally {
        child.kill('SIGTERM');
      }
      let timer: NodeJS.Timeout | undefined;
      const code = await Promise.race([exited, new Promise((r) => (timer = setTimeout(() => r('did not stop within 10 s'), 10_000)))]);
      clearTimeout(timer);
      assert.equal(code, 0);
    });
  });
});
