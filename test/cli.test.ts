// The mechanic end to end, through the CLI a user runs, in temporary folders, against the
// project's own loopback model server.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { box, closedPort, nodeCheck, SEED_WORKER } from './helpers/cli.ts';
import { startModelServer } from './helpers/model-server.ts';


let deadPort: number;
before(async () => {
  deadPort = await closedPort();
});
const noModel = () => ({ provider: 'ollama', baseUrl: `http://127.0.0.1:${deadPort}` });

describe("the seed's Steps 2-5", () => {
  it('finds the broken worker.js, fixes it with no model, keeps a backup and the exports', async () => {
    const sb = box();
    const file = sb.write('src/worker.js', SEED_WORKER);
    sb.write('src/ok.js', 'module.exports = 1;\n');
    sb.config({ roots: ['src'], llm: noModel(), pm2Logs: false });

    const scan = await sb.runJson(['scan']);
    assert.equal(scan.code, 1, 'bugs found: exit 1');
    assert.equal(scan.json.bugs.length, 1);
    const bug = scan.json.bugs[0];
    assert.equal(bug.file, file);
    assert.equal(bug.kind, 'syntax');
    assert.equal(bug.line, 4);
    assert.equal(bug.column, 39);
    assert.equal(bug.message, "Unexpected token ')'");
    assert.equal(bug.priority, 100);
    assert.equal(sb.read('src/worker.js'), SEED_WORKER, 'scan changes nothing');

    const run = await sb.runJson(['run']);
    assert.equal(run.code, 0, run.stderr);
    const fix = run.json.fixes[0];
    assert.equal(fix.outcome, 'applied');
    assert.equal(fix.strategy, 'deterministic');
    assert.equal(fix.file, file);
    assert.ok(nodeCheck(file), 'the fixed file passes node --check');
    assert.equal(sb.read('src/worker.js'), SEED_WORKER.replace('x * 2));', 'x * 2);'));
    assert.equal(fs.readFileSync(fix.backup, 'utf8'), SEED_WORKER, 'the backup holds the original bytes');
    assert.ok(fix.backup.includes(path.join('app', 'src', 'worker.js')), 'the backup mirrors the file path');
    assert.match(fix.diff, /-const result = \[1,2,3\]\.map\(x => x \* 2\)\);\n\+const result = \[1,2,3\]\.map\(x => x \* 2\);/);

    const status = await sb.runJson(['status']);
    assert.equal(status.json.totalCycles, 1);
    assert.equal(status.json.totalFixes, 1);
    assert.equal(status.json.totalReverts, 0);

    const again = await sb.runJson(['scan']);
    assert.equal(again.code, 0);
    assert.deepEqual(again.json.bugs, []);
  });

  it('fix --dry-run shows the diff and writes nothing, backs up nothing, records nothing', async () => {
    const sb = box();
    sb.write('worker.js', SEED_WORKER);
    sb.config({ llm: noModel(), pm2Logs: false, backupDir: '../backups' });
    const r = await sb.run(['fix', '--dry-run']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /would fix\s+worker\.js/);
    assert.match(r.stdout, /^\s+\+const result = \[1,2,3\]\.map\(x => x \* 2\);$/m);
    assert.equal(sb.read('worker.js'), SEED_WORKER);
    assert.equal(fs.existsSync(path.join(sb.dir, 'backups')), false);
    const log = await sb.runJson(['log']);
    assert.deepEqual(log.json, []);
  });
});

describe('the model rung', () => {
  const broken = `'use strict';
function load(name) {
  return readCorrectionFile(name);
}
function total(items) {
  return items.reduce((a, b) => a + b, 0);
}
module.exports = { load, total };
`;
  const fixedWhole = `'use strict';
const fs = require('fs');
function readCorrectionFile(name) {
  return fs.readFileSync(name, 'utf8');
}
function load(name) {
  return readCorrectionFile(name);
}
function total(items) {
  return items.reduce((a, b) => a + b, 0);
}
module.exports = { load, total };
`;
  // A syntax error the deterministic rung is told not to try: only the model can answer.
  const syntaxBroken = broken.replace('return items.reduce((a, b) => a + b, 0);', 'return items.reduce((a, b) => a + b, 0;');

  async function modelCase(answer: object, extraLlm: object = {}) {
    const server = await startModelServer({ answers: [answer] });
    const sb = box();
    const file = sb.write('lib/corrections.js', syntaxBroken);
    sb.config({ repairers: ['llm'], pm2Logs: false, llm: { baseUrl: server.url, ...extraLlm } });
    const r = await sb.runJson(['run']);
    await server.close();
    return { sb, file, r, server };
  }

  it('sends the seed request: think false at top level, temperature 0.1, the model, the seed prompt', async () => {
    const { r, server, sb } = await modelCase({ text: fixedWhole });
    assert.equal(r.json.fixes[0].outcome, 'applied', JSON.stringify(r.json.fixes[0]));
    const req = server.requests.find((q: any) => q.path === '/api/generate');
    assert.ok(req, 'the model was asked through /api/generate');
    assert.equal(req.body.think, false);
    assert.equal(req.body.stream, false);
    assert.equal(req.body.model, 'mdq100/qwen3.5-coder:35b');
    assert.equal(req.body.options.temperature, 0.1);
    assert.equal(req.body.options.num_predict, 2048);
    assert.ok(req.body.options.num_ctx >= 2048);
    assert.match(req.body.prompt, /^You are a senior Node\.js engineer fixing a production bug\.\nFILE: lib\/corrections\.js\nERROR: /);
    assert.match(req.body.prompt, /Do not add dependencies\. Do not change module\.exports\.$/);
    assert.ok(req.body.prompt.includes(syntaxBroken), 'the whole file is sent, uncut');
    assert.equal(sb.read('lib/corrections.js'), fixedWhole);
  });

  it('reverts an answer that does not parse: the original stays byte-identical', async () => {
    const { r, sb } = await modelCase({ text: fixedWhole.replace('return fs.readFileSync(name', 'return fs.readFileSync((name') });
    const fix = r.json.fixes[0];
    assert.equal(fix.outcome, 'reverted');
    assert.match(fix.reason, /syntax: does not parse/);
    assert.equal(sb.read('lib/corrections.js'), syntaxBroken);
    assert.equal(r.code, 1);
    assert.equal((await sb.runJson(['status'])).json.totalReverts, 1);
  });

  it('an answer that drops an export is refused by the loss guard: nothing written, so failed, not reverted', async () => {
    const { r, sb } = await modelCase({ text: fixedWhole.replace('module.exports = { load, total };', 'module.exports = { load };') });
    const fix = r.json.fixes[0];
    assert.equal(fix.outcome, 'failed');
    assert.match(fix.reason, /loss-guard: answer rejected \(whole\): answer drops exports: total/);
    assert.equal(fix.backup, undefined);
    assert.equal(sb.read('lib/corrections.js'), syntaxBroken);
    assert.equal(r.code, 1);
    assert.equal((await sb.runJson(['status'])).json.totalReverts, 0);
  });

  it('changes nothing and says why when the model is unreachable', async () => {
    const sb = box();
    sb.write('lib/corrections.js', syntaxBroken);
    sb.config({ repairers: ['llm'], pm2Logs: false, llm: noModel() });
    const r = await sb.runJson(['run']);
    const fix = r.json.fixes[0];
    assert.equal(fix.outcome, 'failed');
    assert.match(fix.reason, /model call failed/);
    assert.match(fix.reason, /unreachable|ECONNREFUSED/i);
    assert.equal(sb.read('lib/corrections.js'), syntaxBroken);
    assert.equal(r.code, 1);
  });

  it('aborts a model call at llm.timeoutMs and changes nothing', async () => {
    const started = Date.now();
    // The file's budget (2 × timeoutMs by default) is set apart: what is tested is the call's own timeout.
    const { r, sb } = await modelCase({ text: fixedWhole, delayMs: 10_000 }, { timeoutMs: 500, fileBudgetMs: 8_000 });
    assert.ok(Date.now() - started < 9_000, 'did not wait for the slow model');
    const fix = r.json.fixes[0];
    assert.equal(fix.outcome, 'failed');
    assert.match(fix.reason, /no answer within 500 ms \(llm\.timeoutMs\)/);
    assert.equal(sb.read('lib/corrections.js'), syntaxBroken);
  });
});

describe('safety rules', () => {
  it('never touches a protected file, by bare name or by glob', async () => {
    const sb = box();
    const core = 'function drain(handler {\n}\nmodule.exports = { drain };\n';
    sb.write('core.js', core);
    sb.write('deep/nested/core.js', core);
    sb.write('vendor/lib.js', core);
    sb.write('worker.js', SEED_WORKER);
    sb.config({ protect: ['core.js', 'vendor/**'], llm: noModel(), pm2Logs: false });
    const r = await sb.runJson(['run']);
    const byFile = Object.fromEntries(r.json.fixes.map((f: any) => [path.relative(sb.app, f.file), f]));
    assert.equal(byFile['core.js'].outcome, 'skipped');
    assert.match(byFile['core.js'].reason, /protected: core\.js is in the protect list/);
    assert.equal(byFile['deep/nested/core.js'].outcome, 'skipped');
    assert.match(byFile['vendor/lib.js'].reason, /protected: matches "vendor\/\*\*"/);
    assert.equal(byFile['worker.js'].outcome, 'applied');
    for (const f of ['core.js', 'deep/nested/core.js', 'vendor/lib.js']) assert.equal(sb.read(f), core);
    const scan = await sb.runJson(['scan']);
    assert.equal(scan.json.bugs.filter((b: any) => b.protected).length, 3, 'protected bugs are still reported');
  });

  it('attempts at most maxFixesPerRun per cycle and honours the per-file cooldown', async () => {
    const sb = box();
    for (let i = 0; i < 5; i++) sb.write(`w${i}.js`, SEED_WORKER);
    // One file only a model could fix, and none is configured: the ladder fails it (a verdict; a
    // model server that is out would get a short backoff instead), then it cools down.
    sb.write('hard.js', 'function f( {\n  return [1, 2;\n  if (x { y(; }\n  while ( {\n');
    sb.config({ maxFixesPerRun: 3, llm: { provider: 'none' }, pm2Logs: false });
    const first = await sb.runJson(['run']);
    const outcomes = (r: any) => r.json.fixes.map((f: any) => `${path.basename(f.file)}:${f.outcome}`).sort();
    const attempted = first.json.fixes.filter((f: any) => f.outcome !== 'skipped');
    assert.equal(attempted.length, 3, outcomes(first).join(' '));
    assert.ok(first.json.fixes.filter((f: any) => /per-run cap reached/.test(f.reason)).length >= 2);
    const second = await sb.runJson(['run']);
    const third = await sb.runJson(['run']);
    const hard = (r: any) => r.json.fixes.find((f: any) => f.file.endsWith('hard.js'));
    assert.ok([first, second, third].filter((r) => hard(r)?.outcome === 'failed').length === 1, 'the hard file is attempted once');
    assert.match(hard(third).reason, /cooldown: last attempt on this file/);
    for (let i = 0; i < 5; i++) assert.ok(nodeCheck(path.join(sb.app, `w${i}.js`)), `w${i}.js fixed over the cycles`);

    // With no cooldown, the next cycle tries again.
    sb.config({ maxFixesPerRun: 3, llm: { provider: 'none' }, pm2Logs: false, fileCooldownMs: 0 });
    const fourth = await sb.runJson(['run']);
    assert.equal(hard(fourth).outcome, 'failed');
  });

  it('keeps the newest maxLogEntries entries: 250 events leave 200', async () => {
    const sb = box();
    for (let i = 0; i < 250; i++) sb.write(`f${String(i).padStart(3, '0')}.js`, SEED_WORKER);
    sb.config({ maxFixesPerRun: 1000, llm: noModel(), pm2Logs: false });
    const r = await sb.runJson(['fix'], { timeoutMs: 120_000 });
    assert.equal(r.json.fixes.filter((f: any) => f.outcome === 'applied').length, 250);
    const log = await sb.runJson(['log', '--limit', '1000']);
    assert.equal(log.json.length, 200);
    const files = log.json.map((e: any) => path.basename(e.file));
    assert.equal(files[0], 'f050.js', 'the oldest 50 were dropped');
    assert.equal(files[199], 'f249.js');
  });

  it('handles a file name with quotes, $(...) and spaces, and runs nothing', async () => {
    const sb = box();
    const name = `we"ird $(touch PWNED) \`touch PWNED2\` name.js`;
    const file = sb.write(name, SEED_WORKER);
    sb.config({ llm: noModel(), pm2Logs: false });
    const scan = await sb.runJson(['scan']);
    assert.equal(scan.json.bugs[0].file, file);
    const r = await sb.runJson(['run']);
    assert.equal(r.json.fixes[0].outcome, 'applied');
    assert.ok(nodeCheck(file));
    for (const dir of [sb.app, sb.dir, process.cwd()]) {
      assert.equal(fs.existsSync(path.join(dir, 'PWNED')), false);
      assert.equal(fs.existsSync(path.join(dir, 'PWNED2')), false);
    }
  });

  it('reverts by fix id and by file, and keeps what the file held', async () => {
    const sb = box();
    const file = sb.write('worker.js', SEED_WORKER);
    sb.config({ llm: noModel(), pm2Logs: false });
    const run = await sb.runJson(['run']);
    const id = run.json.fixes[0].id;
    const fixed = fs.readFileSync(file, 'utf8');
    const rev = await sb.runJson(['revert', id.slice(0, 17)]);
    assert.equal(rev.code, 0, rev.stderr);
    assert.equal(fs.readFileSync(file, 'utf8'), SEED_WORKER);
    assert.equal(fs.readFileSync(rev.json.savedCurrent, 'utf8'), fixed);
    const twice = await sb.run(['revert', id]);
    assert.equal(twice.code, 2);
    assert.match(twice.stderr, /already reverted/);
    // A person undid it: with no cooldown left, the next cycle still leaves the file alone.
    sb.config({ llm: noModel(), pm2Logs: false, fileCooldownMs: 0 });
    const held = await sb.runJson(['run']);
    assert.equal(held.json.fixes[0].outcome, 'skipped');
    assert.match(held.json.fixes[0].reason, new RegExp(`a person reverted fix ${id} at .*: left alone until the file changes or \`mechanic retry\` lifts it`));
    assert.equal(fs.readFileSync(file, 'utf8'), SEED_WORKER);
    // A retry lifts it: fixed again, then reverted by naming the file.
    const retried = await sb.runJson(['retry', 'worker.js']);
    assert.ok(retried.json.lifted.includes('revert hold'), JSON.stringify(retried.json));
    await sb.run(['run']);
    assert.equal(fs.readFileSync(file, 'utf8'), fixed);
    const byFile = await sb.run(['revert', 'worker.js']);
    assert.equal(byFile.code, 0, byFile.stderr);
    assert.equal(fs.readFileSync(file, 'utf8'), SEED_WORKER);
    // The file changed since the revert (a person edits it, still broken): it is the mechanic's again.
    fs.writeFileSync(file, `// edited\n${SEED_WORKER}`);
    const again = await sb.runJson(['run']);
    assert.equal(again.json.fixes[0].outcome, 'applied', again.json.fixes[0].reason);
  });
});

describe('configuration', () => {
  const cases: { name: string; config: unknown; message: RegExp }[] = [
    { name: 'a wrong type', config: { maxFixesPerRun: 'three' }, message: /maxFixesPerRun: .*expected number/ },
    { name: 'an unknown key', config: { maxFixesPerRum: 3 }, message: /maxFixesPerRum: unknown key/ },
    { name: 'a bad nested key', config: { llm: { temperature: 9 } }, message: /llm\.temperature: / },
    { name: 'a probe with a bad option', config: { probes: [{ name: 'web', kind: 'http', url: 'not a url' }] }, message: /probes\[0\]\.url: / },
    { name: 'an unknown probe kind', config: { probes: [{ name: 'x', kind: 'telepathy' }] }, message: /probes\[0\]\.kind/ },
    { name: 'a root that does not exist', config: { roots: ['nowhere'] }, message: /roots: .*nowhere does not exist/ },
    { name: 'not an object', config: [1, 2], message: /expected an object/ },
  ];
  for (const c of cases) {
    it(`rejects ${c.name} with exit 2 and the key named`, async () => {
      const sb = box();
      sb.write('worker.js', SEED_WORKER);
      sb.config(c.config as object);
      const r = await sb.run(['run']);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, c.message);
      assert.equal(sb.read('worker.js'), SEED_WORKER, 'a bad config changes nothing');
    });
  }

  it('runs the embedded default on the current folder with no config at all', async () => {
    const sb = box();
    const file = sb.write('worker.js', SEED_WORKER);
    const r = await sb.runJson(['scan']);
    assert.equal(r.json.bugs[0].file, file);
  });

  it('finds the config upward and takes YAML and .mjs too', async () => {
    const sb = box();
    sb.write('worker.js', SEED_WORKER);
    sb.write('mechanic.config.yaml', 'roots: [sub]\npm2Logs: false\n');
    sb.write('sub/broken.js', 'let x = (;\n');
    fs.mkdirSync(path.join(sb.app, 'sub', 'deeper'), { recursive: true });
    const r = await sb.runJson(['scan'], { env: {} });
    assert.deepEqual(r.json.bugs.map((b: any) => path.basename(b.file)), ['broken.js']);
    fs.rmSync(path.join(sb.app, 'mechanic.config.yaml'));
    sb.write('conf/m.mjs', "export default { roots: ['..'], exclude: ['sub/**'], pm2Logs: false };\n");
    const m = await sb.runJson(['scan', '--config', 'conf/m.mjs']);
    assert.deepEqual(m.json.bugs.map((b: any) => path.basename(b.file)), ['worker.js']);
  });

  it('init --seed writes a commented example that validates', async () => {
    const sb = box();
    const r = await sb.run(['init', '--seed']);
    assert.equal(r.code, 0, r.stderr);
    const text = sb.read('mechanic.config.yaml');
    for (const needle of ['core.js', 'simulation.js', 'work-queue.js', 'periodic-scheduler.js', 'mdq100/qwen3.5-coder:35b', 'think: false', 'SELECT COUNT(*) FROM tools_db'])
      assert.ok(text.includes(needle), needle);
    assert.equal((text.match(/^ {2}- name: /gm) ?? []).length, 11, "the seed's eleven probes");
    const scan = await sb.run(['scan']);
    assert.notEqual(scan.code, 2, scan.stderr);
    const again = await sb.run(['init']);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /exists; use --force/);
  });

  it('has --help with examples on every command, and exit 2 on a bad command line', async () => {
    const sb = box();
    for (const cmd of ['init', 'doctor', 'probe', 'scan', 'fix', 'run', 'daemon', 'status', 'log', 'revert']) {
      const r = await sb.run([cmd, '--help']);
      assert.equal(r.code, 0);
      assert.match(r.stdout, /Examples:\n\s+\$ mechanic/, cmd);
    }
    assert.equal((await sb.run(['frobnicate'])).code, 2);
    assert.equal((await sb.run(['scan', '--no-such-flag'])).code, 2);
    assert.equal((await sb.run(['log', '--limit', 'lots'])).code, 2);
  });
});
