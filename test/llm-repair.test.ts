// LLM repair that never loses code: windowed edits for any file size, both protocols (three
// endpoints), the loss guard, retries and timeouts, redaction, and the feedback retry. Every
// model here is the project's loopback test server answering from a script.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { box, type Sandbox } from './helpers/cli.ts';
import { startModelServer, type ModelServerOptions, type RecordedRequest, type ScriptedAnswer } from './helpers/model-server.ts';


/** What the model was asked, whatever the protocol. */
function promptOf(r: RecordedRequest): string {
  if (typeof r.body?.prompt === 'string') return r.body.prompt;
  return (r.body?.messages ?? []).map((m: { content: string }) => m.content).join('\n');
}

/** A file of `n` small functions (about 75 characters each) and its exports. */
function bigFile(n: number): string {
  const lines = ["'use strict';"];
  for (let i = 0; i < n; i++) lines.push(`function f${i}(a, b) {`, '  const sum = a + b;', `  return sum * ${i};`, '}');
  lines.push(`module.exports = { ${Array.from({ length: n }, (_, i) => `f${i}`).join(', ')} };`, '');
  return lines.join('\n');
}

function block(search: string, replace: string): string {
  return `<<<<<<< SEARCH\n${search}\n=======\n${replace}\n>>>>>>> REPLACE\n`;
}

const protocols = [
  { name: 'ollama /api/generate', llm: {}, path: '/api/generate' },
  { name: 'ollama /api/chat', llm: { api: 'chat' }, path: '/api/chat' },
  { name: 'openai /v1/chat/completions', llm: { provider: 'openai' }, path: '/v1/chat/completions' },
] as const;

async function runWith(
  sb: Sandbox,
  answers: ScriptedAnswer[] | ((r: RecordedRequest) => ScriptedAnswer),
  llm: object,
  extra: object = {},
  serverOptions: Omit<ModelServerOptions, 'answers'> = {},
) {
  const server = await startModelServer({ ...serverOptions, answers });
  try {
    sb.config({ repairers: ['llm'], pm2Logs: false, stateDir: '../state', llm: { baseUrl: server.url, ...llm }, ...extra });
    const started = Date.now();
    const r = await sb.runJson(['run'], { timeoutMs: 60_000 });
    return { r, fix: r.json.fixes[0], calls: server.modelCalls(), elapsed: Date.now() - started };
  } finally {
    await server.close();
  }
}

describe('windowed edits: a 40,000-character file with an error near the end', () => {
  const good = bigFile(580);
  const k = 570;
  const broken = good.replace(`  return sum * ${k};`, `  return (sum * ${k};`);
  const fixed = broken.replace(`  return (sum * ${k};`, `  return (sum * ${k});`);
  const answer = block(`  return (sum * ${k};`, `  return (sum * ${k});`);

  it('the fixture is what the case needs', () => {
    assert.ok(broken.length >= 40_000, `${broken.length} characters`);
    assert.ok(broken.indexOf(`(sum * ${k};`) > broken.length * 0.9, 'the error is near the end');
  });

  for (const p of protocols) {
    it(`${p.name}: fixed through a window, byte-identical outside the edit, a small prompt`, async () => {
      const sb = box();
      sb.write('lib/big.js', broken);
      const { fix, calls } = await runWith(sb, [{ text: answer }], p.llm);
      assert.equal(fix.outcome, 'applied', JSON.stringify(fix));
      assert.match(fix.reason, /1 search\/replace block in lines \d+-\d+/);
      assert.equal(sb.read('lib/big.js'), fixed, 'every byte outside the edit is the original');
      assert.equal(calls.length, 1);
      assert.equal(calls[0]!.path, p.path);
      const prompt = promptOf(calls[0]!);
      assert.ok(prompt.length < 6_000, `window prompt is ${prompt.length} characters for a ${broken.length}-character file`);
      const errorLine = broken.slice(0, broken.indexOf(`(sum * ${k};`)).split('\n').length;
      assert.ok(prompt.includes(`>${errorLine}|   return (sum * ${k};`), 'the error line, numbered and marked');
      assert.equal(prompt.split('\n').filter((l) => /^>\d+\| /.test(l)).length, 1, 'one line marked');
      assert.ok(prompt.includes(`function f${k}(a, b) {`), 'widened to the enclosing function');
      assert.ok(!prompt.includes('function f0(a, b)'), 'the top of the file is not sent');
    });
  }

  const rejected: { name: string; answer: string; reason: RegExp }[] = [
    { name: 'an ambiguous search block (found many times)', answer: block('  const sum = a + b;', '  const sum = a - b;'), reason: /found 580 times; ambiguous, not guessed/ },
    {
      name: 'a search block that is not in the file (the nearest lines are named, for the retry)',
      answer: block(`  return [sum * ${k};`, `  return (sum * ${k});`),
      reason: new RegExp(`search text is not in the file: .*; the nearest lines shown are \\d+-\\d+: "return \\(sum \\* ${k};"`),
    },
    { name: 'an edit outside the lines shown', answer: block('function f0(a, b) {', 'function f0(a, b, c) {'), reason: /outside the lines shown/ },
    { name: 'a plain whole file instead of blocks', answer: good.slice(0, 6_000), reason: /no search\/replace blocks/ },
    { name: 'a block that deletes the code around the error', answer: block(`function f${k}(a, b) {\n  const sum = a + b;\n  return (sum * ${k};\n}\nfunction f${k + 1}(a, b) {\n  const sum = a + b;\n  return sum * ${k + 1};\n}`, `// fixed`), reason: /removes \d+ of 8 lines of code/ },
    { name: 'a block left unfinished (a cut-off answer)', answer: `<<<<<<< SEARCH\n  return (sum * ${k};\n=======\n  return (sum * ${k});\n`, reason: /ends inside a search\/replace block/ },
  ];
  for (const c of rejected) {
    it(`rejects ${c.name}; nothing is written`, async () => {
      const sb = box();
      sb.write('lib/big.js', broken);
      const { fix, calls } = await runWith(sb, [{ text: c.answer }], {});
      assert.notEqual(fix.outcome, 'applied', JSON.stringify(fix));
      assert.match(fix.reason, c.reason);
      assert.match(fix.reason, /loss-guard/);
      // Said back to the model once, reason and all, rather than guessed.
      assert.equal(calls.length, 2);
      const retry = promptOf(calls[1]!);
      assert.match(retry, /YOUR PREVIOUS ANSWER WAS REJECTED:\n/);
      assert.match(retry.slice(retry.indexOf('YOUR PREVIOUS ANSWER WAS REJECTED')), c.reason);
      assert.equal(sb.read('lib/big.js'), broken);
      const log = await sb.runJson(['log']);
      assert.match(log.json.find((e: any) => e.type === 'fix').reason, c.reason, 'the reason is in the log');
    });
  }

  it('a model that copies the line numbers into its blocks is understood', async () => {
    const sb = box();
    sb.write('lib/big.js', broken);
    const errorLine = broken.slice(0, broken.indexOf(`(sum * ${k};`)).split('\n').length;
    const { fix } = await runWith(sb, [{ text: '```\n' + block(`>${errorLine}|   return (sum * ${k};`, `${errorLine}|   return (sum * ${k});`) + '```\n' }], {});
    assert.equal(fix.outcome, 'applied', JSON.stringify(fix));
    assert.equal(sb.read('lib/big.js'), fixed);
  });

  it('whole-file format with the seed\'s failure: an answer of the first 6,000 characters is rejected', async () => {
    const sb = box();
    sb.write('lib/big.js', broken);
    const { fix, calls } = await runWith(sb, [{ text: fixed.slice(0, 6_000) }], { editFormat: 'whole', maxPromptChars: 100_000, numPredict: 20_000 });
    assert.equal(promptOf(calls[0]!).includes(broken), true, 'the whole file was sent, not cut');
    assert.notEqual(fix.outcome, 'applied');
    assert.match(fix.reason, /code would be lost/);
    assert.equal(sb.read('lib/big.js'), broken);
  });

  it('editFormat whole refuses a file whose prompt is over the budget, and asks nothing', async () => {
    const sb = box();
    sb.write('lib/big.js', broken);
    const { fix, calls } = await runWith(sb, [{ text: answer }], { editFormat: 'whole', maxPromptChars: 20_000 });
    assert.equal(calls.length, 0);
    assert.match(fix.reason, /over the prompt budget \(20000\); not sent whole/);
  });
});

describe('the loss guard on whole-file answers', () => {
  const broken = "function total(items) {\n  return items.reduce((a, b) => a + b, 0;\n}\nfunction mean(items) {\n  return total(items) / items.length;\n}\nmodule.exports = { total, mean };\n";
  const good = broken.replace('a + b, 0;', 'a + b, 0);');
  const cases = [
    { name: 'a placeholder for code left out', answer: good.replace('  return total(items) / items.length;', '  // ... rest of the code unchanged'), reason: /placeholder/ },
    { name: 'an answer that drops an export', answer: good.replace('module.exports = { total, mean };', 'module.exports = { total };'), reason: /drops exports: mean/ },
    { name: 'an answer that drops a declaration', answer: good.replace(/function mean[\s\S]*?\n}\n/, ''), reason: /drops|code would be lost/ },
  ];
  for (const c of cases) {
    it(`rejects ${c.name}, asks once more with the reason, and writes nothing`, async () => {
      const sb = box();
      sb.write('lib/stats.js', broken);
      const { fix, calls } = await runWith(sb, [{ text: c.answer }], {});
      assert.notEqual(fix.outcome, 'applied');
      assert.match(fix.reason, c.reason);
      assert.equal(sb.read('lib/stats.js'), broken);
      assert.equal(calls.length, 2, 'one feedback retry');
      assert.match(promptOf(calls[1]!), /YOUR PREVIOUS ANSWER WAS REJECTED:\n.*loss-guard/);
    });
  }
});

describe('the feedback retry', () => {
  const broken = "function total(items) {\n  return items.reduce((a, b) => a + b, 0;\n}\nmodule.exports = { total };\n";
  const good = broken.replace('a + b, 0;', 'a + b, 0);');
  const undefinedName = good.replace('return items.reduce', 'return itemz.reduce');

  it("feeds the validator's message back once; a good second answer is applied", async () => {
    const sb = box();
    sb.write('lib/total.js', broken);
    const { fix, calls } = await runWith(sb, [{ text: undefinedName }, { text: good }], {});
    assert.equal(fix.outcome, 'applied', JSON.stringify(fix));
    assert.match(fix.reason, /asked again with the validation error/);
    assert.equal(sb.read('lib/total.js'), good);
    assert.equal(calls.length, 2);
    const second = promptOf(calls[1]!);
    assert.match(second, /YOUR PREVIOUS ANSWER WAS REJECTED:\nundefined-names: .*itemz/);
    assert.ok(second.includes('itemz.reduce'), 'the rejected answer goes back with the message');
    assert.deepEqual(fix.steps.map((s: any) => s.result), ['rejected', 'applied']);
  });

  it('only once: a second bad answer ends it', async () => {
    const sb = box();
    sb.write('lib/total.js', broken);
    const { fix, calls } = await runWith(sb, [{ text: undefinedName }], {});
    assert.equal(fix.outcome, 'reverted');
    assert.equal(calls.length, 2);
    assert.equal(sb.read('lib/total.js'), broken);
  });

  it('off with feedbackRetry: false', async () => {
    const sb = box();
    sb.write('lib/total.js', broken);
    const { calls } = await runWith(sb, [{ text: undefinedName }, { text: good }], { feedbackRetry: false });
    assert.equal(calls.length, 1);
    assert.equal(sb.read('lib/total.js'), broken);
  });

  it('within the per-file budget: no second ask once it has run out', async () => {
    const sb = box();
    sb.write('lib/total.js', broken);
    // the budget must outlast getting the first request to the server on a loaded machine (600 ms did not)
    const { calls, fix } = await runWith(sb, [{ text: undefinedName, delayMs: 4_000 }, { text: good }], { fileBudgetMs: 3_000, timeoutMs: 10_000 });
    assert.equal(calls.length, 1, JSON.stringify(fix));
    assert.match(fix.reason, /time budget for this file \(3000 ms\) ran out/);
    assert.equal(sb.read('lib/total.js'), broken);
  });
});

describe('retries and timeouts behave as configured', () => {
  const broken = "function total(items) {\n  return items.reduce((a, b) => a + b, 0;\n}\nmodule.exports = { total };\n";
  const good = broken.replace('a + b, 0;', 'a + b, 0);');
  for (const p of protocols) {
    it(`${p.name}: two 500s then an answer: applied on the third try`, async () => {
      const sb = box();
      sb.write('lib/total.js', broken);
      const { fix, calls } = await runWith(sb, [{ status: 500, text: 'busy' }, { status: 503, text: 'loading model' }, { text: good }], { ...p.llm, retries: 2, retryDelayMs: 20 });
      assert.equal(fix.outcome, 'applied', JSON.stringify(fix));
      assert.match(fix.reason, /after 3 tries/);
      assert.equal(calls.length, 3);
      assert.ok(calls[2]!.at - calls[1]!.at >= 2 * 20 - 5, 'the second wait is doubled');
    });
  }

  it('a reset connection is retried', async () => {
    const sb = box();
    sb.write('lib/total.js', broken);
    const { fix, calls } = await runWith(sb, [{ reset: true }, { text: good }], { retries: 1, retryDelayMs: 10 });
    assert.equal(fix.outcome, 'applied', JSON.stringify(fix));
    assert.equal(calls.length, 2);
  });

  it('retries: 0 means one try', async () => {
    const sb = box();
    sb.write('lib/total.js', broken);
    const { fix, calls } = await runWith(sb, [{ status: 500, text: 'busy' }, { text: good }], { retries: 0 });
    assert.equal(calls.length, 1);
    assert.match(fix.reason, /HTTP 500: busy/);
    assert.equal(sb.read('lib/total.js'), broken);
  });

  it('a 4xx is not retried', async () => {
    const sb = box();
    sb.write('lib/total.js', broken);
    const { calls } = await runWith(sb, [{ status: 400, text: 'bad request' }, { text: good }], { retries: 3, retryDelayMs: 10 });
    assert.equal(calls.length, 1);
  });

  it('a timeout aborts the call at timeoutMs and is not retried', async () => {
    const sb = box();
    sb.write('lib/total.js', broken);
    const { fix, calls, elapsed } = await runWith(sb, [{ text: good, delayMs: 20_000 }], { timeoutMs: 300, retries: 3, retryDelayMs: 10, fileBudgetMs: 10_000 });
    assert.equal(calls.length, 1);
    assert.match(fix.reason, /no answer within 300 ms/);
    assert.ok(elapsed < 15_000, `${elapsed} ms`);
    assert.equal(sb.read('lib/total.js'), broken);
  });
});

describe("the model's own context length", () => {
  // 7,900 characters (about 2,630 tokens): sent whole when the window is large enough for it
  // twice over (prompt and answer), not to a model with a 5,000-token window.
  const good = bigFile(110);
  const broken = good.replace('  return sum * 100;', '  return (sum * 100;');
  const answer = block('  return (sum * 100;', '  return (sum * 100);');

  const coder = (contextLength: number) => ({ models: [{ name: 'coder', contextLength }] });

  it('openai: a small window reported by /v1/models makes the prompt a window, and max_tokens fits', async () => {
    const sb = box();
    sb.write('lib/mid.js', broken);
    const { fix, calls } = await runWith(sb, [{ text: answer }], { provider: 'openai', model: 'coder', numPredict: 2700, maxPromptChars: 60_000 }, {}, coder(5000));
    assert.equal(fix.outcome, 'applied', JSON.stringify(fix));
    const prompt = promptOf(calls[0]!);
    assert.ok(prompt.length < broken.length / 2, `window prompt ${prompt.length} characters`);
    assert.ok(Math.ceil(prompt.length / 3) + calls[0]!.body.max_tokens <= 5000, `max_tokens ${calls[0]!.body.max_tokens}`);
  });

  it('the same file with a 16,000-token model goes whole', async () => {
    const sb = box();
    sb.write('lib/mid.js', broken);
    const { fix, calls } = await runWith(sb, [{ text: good }], { provider: 'openai', model: 'coder', numPredict: 2700, maxPromptChars: 60_000 }, {}, coder(16_000));
    assert.equal(fix.outcome, 'applied', JSON.stringify(fix));
    assert.ok(promptOf(calls[0]!).includes(broken), 'whole');
  });

  it('a numPredict that leaves no room in the context is refused with the reason, nothing asked', async () => {
    const sb = box();
    sb.write('lib/mid.js', broken);
    const { fix, calls } = await runWith(sb, [{ text: answer }], { provider: 'openai', model: 'coder', numPredict: 2048 }, {}, coder(2048));
    assert.match(fix.reason, /context window \(2048 tokens\) leaves no room for a prompt once llm\.numPredict \(2048\)/);
    assert.equal(calls.length, 0);
  });

  it('ollama: /api/show context length bounds the prompt and num_ctx', async () => {
    const sb = box();
    sb.write('lib/mid.js', broken);
    const { fix, calls } = await runWith(sb, [{ text: answer }], { model: 'coder', numPredict: 500, maxPromptChars: 60_000, editFormat: 'auto' }, {}, coder(2500));
    assert.equal(fix.outcome, 'applied', JSON.stringify(fix));
    assert.ok(promptOf(calls[0]!).length <= (2500 - 500 - 256) * 3);
    assert.ok(calls[0]!.body.options.num_ctx <= 2500, `num_ctx ${calls[0]!.body.options.num_ctx}`);
    assert.equal(sb.read('lib/mid.js'), broken.replace('  return (sum * 100;', '  return (sum * 100);'));
  });
});

describe('redaction: secrets do not reach the server, and the fix keeps them', () => {
  const secrets = {
    openai: 'sk-proj-4f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c',
    password: 'hunter2-prod-7731',
    github: 'ghp_0123456789abcdefghijABCDEFGHIJ012345',
    dotenv: 'whsec_9c8b7a6f5e4d3c2b1a',
    fromEnv: 'tok-live-55aa66bb77cc88dd',
  };
  const broken = [
    "const OPENAI_API_KEY = '" + secrets.openai + "';",
    "const db = 'postgres://app:" + secrets.password + "@db.internal:5432/prod';",
    "const client = { auth: 'token " + secrets.github + "' };",
    "const hook = '" + secrets.dotenv + "';",
    "const service = '" + secrets.fromEnv + "';",
    'function connect(url) {',
    '  return [url, OPENAI_API_KEY, client, hook, service;',
    '}',
    'module.exports = { connect, db };',
    '',
  ].join('\n');
  const good = broken.replace('hook, service;', 'hook, service];');

  for (const p of protocols) {
    it(`${p.name}: no secret in any request; the written file has them all`, async () => {
      const sb = box();
      sb.write('.env', `STRIPE_WEBHOOK=${secrets.dotenv}\n`);
      sb.write('lib/conn.js', broken);
      // A model that fixes what it was shown: the masked file, tokens and all.
      const answers = (r: RecordedRequest): ScriptedAnswer => {
        const code = /CODE: ([\s\S]*?)\nFix the bug\./.exec(promptOf(r))?.[1] ?? '';
        return { text: code.replace('hook, service;', 'hook, service];') };
      };
      const server = await startModelServer({ answers });
      try {
        sb.config({ repairers: ['llm'], pm2Logs: false, stateDir: '../state', llm: { baseUrl: server.url, ...p.llm } });
        const r = await sb.runJson(['run'], { env: { PAYMENTS_TOKEN: secrets.fromEnv } });
        assert.equal(r.json.fixes[0].outcome, 'applied', JSON.stringify(r.json.fixes[0]));
        const sent = server.requests.map((q) => q.rawBody).join('\n');
        assert.match(sent, /__REDACTED_1__/, 'the prompt carries tokens');
        for (const [what, s] of Object.entries(secrets)) assert.ok(!sent.includes(s), `${what} reached the server`);
        assert.equal(sb.read('lib/conn.js'), good, 'the fix, with every secret put back');
        const log = fs.readFileSync(path.join(sb.dir, 'state', 'mechanic-log.json'), 'utf8');
        for (const [what, s] of Object.entries(secrets)) assert.ok(!log.includes(s), `${what} is in the log`);
        assert.match(log, /«redacted»/);
      } finally {
        await server.close();
      }
    });
  }

  it('redact: false sends the file as it is (the switch works)', async () => {
    const sb = box();
    sb.write('lib/conn.js', broken);
    const { calls } = await runWith(sb, [{ text: good }], { redact: false });
    assert.ok(promptOf(calls[0]!).includes(secrets.openai));
  });
});

describe('config of the model rung', () => {
  it('a bad editFormat or redact pattern is a config error naming the key', async () => {
    const sb = box();
    sb.config({ llm: { editFormat: 'diff' } });
    const r = await sb.run(['scan']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /llm\.editFormat/);
    sb.config({ llm: { redactPatterns: ['(unclosed'] } });
    const r2 = await sb.run(['scan']);
    assert.equal(r2.code, 2);
    assert.match(r2.stderr, /llm\.redactPatterns\[0\]: not a valid regular expression/);
  });
});

describe('the redactor', () => {
  it('masks each kind of secret, the same secret with the same token, and puts them all back', async () => {
    const { Redactor } = await import('../src/util/secrets.ts');
    const r = new Redactor({ env: {}, literals: ['dotenv-value-123'] });
    const text = [
      "const a = 'sk-ant-REDACTME0123456789abcdefXYZ';",
      "const b = 'sk-ant-REDACTME0123456789abcdefXYZ';",
      "const url = 'mysql://root:s3cr3t-pw@10.0.0.5/db';",
      "headers.Authorization = 'Bearer abcdefghijklmnopqrstuvwxyz012345';",
      'const cfg = { password: "correct horse battery", apiKey: `k-1234567890` };',
      'AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE',
      'DB_PASSWORD=dotenv-value-123',
      '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7',
      'MIIEowIBAAKCAQEA7x\n-----END RSA PRIVATE KEY-----',
    ].join('\n');
    const masked = r.mask(text);
    for (const s of ['sk-ant-REDACTME', 's3cr3t-pw', 'abcdefghijklmnopqrstuvwxyz012345', 'correct horse', 'k-1234567890', 'AKIAIOSFODNN7EXAMPLE', 'dotenv-value-123', 'MIIEowIBAAKCAQEA7'])
      assert.ok(!masked.includes(s), `${s} is masked:\n${masked}`);
    assert.equal(masked.split('\n')[0]!.replace('const a', ''), masked.split('\n')[1]!.replace('const b', ''), 'one secret, one token');
    assert.equal(r.unmask(masked), text);
    assert.ok(!r.scrub(text).includes('s3cr3t-pw'));
    assert.match(r.scrub(text), /«redacted»/);
  });

  it('leaves ordinary code alone', async () => {
    const { Redactor } = await import('../src/util/secrets.ts');
    const r = new Redactor({ env: {} });
    const code = [
      'const token = req.headers.authorization;',
      'const password = process.env.DB_PASSWORD;',
      "const url = `postgres://${user}:${pass}@${host}/db`;",
      "const label = 'token';",
      'function getSecretName(key) { return key; }',
    ].join('\n');
    assert.equal(r.mask(code), code);
    assert.equal(r.count, 0);
  });

  it('masks the values of secret-named environment variables wherever they appear', async () => {
    const { Redactor } = await import('../src/util/secrets.ts');
    const r = new Redactor({ env: { STRIPE_SECRET: 'live-value-998877', HOME: '/home/someone' } });
    assert.equal(r.mask('a = "live-value-998877"; b = "/home/someone";'), 'a = "__REDACTED_1__"; b = "/home/someone";');
  });
});
