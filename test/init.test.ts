// `mechanic init` through the CLI: a starter for the folder it runs in and the apps a real PM2
// daemon (its own PM2_HOME) runs, the seed's setup with --seed, and never over a config.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { box, sandbox, waitFor, type Sandbox } from './helpers/cli.ts';
import { PM2_BIN } from './helpers/pm2.ts';
import { minimalEnv, runProcess } from '../src/util/proc.ts';

const BROKEN = 'const total = [1, 2].map((x) => x * 2));\nmodule.exports = { total };\n';

/** The lines that are comments, whole or after a value. */
const comments = (text: string) => text.split('\n').filter((l) => /(^|\s)#\s/.test(l)).length;

describe('mechanic init', () => {
  it('with no PM2 daemon: this folder as the root, commented, loads as it is, and starts no daemon', async () => {
    const sb = box();
    const broken = sb.write('src/broken.js', BROKEN);
    const r = await sb.run(['init', '--pm2-bin', PM2_BIN]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /wrote .*mechanic\.config\.yaml/);
    assert.match(r.stdout, /no PM2 apps \(no PM2 daemon runs/);
    const text = sb.read('mechanic.config.yaml');
    const config = YAML.parse(text);
    assert.deepEqual(config.roots, ['.']);
    assert.deepEqual(config.probes.map((p: any) => p.kind), ['disk'], 'no pm2 probes');
    assert.ok(comments(text) >= 20, `a person can read what each key does (${comments(text)} comments)`);
    assert.match(text, /# No PM2 apps: no PM2 daemon runs/);
    assert.equal(fs.existsSync(sb.env.PM2_HOME!), false, 'init started no PM2 daemon');

    const scan = await sb.runJson(['scan']);
    assert.equal(scan.code, 1, scan.stderr);
    assert.deepEqual(scan.json.bugs.map((b: any) => b.file), [broken]);
    const doctor = await sb.runJson(['doctor']);
    assert.notEqual(doctor.code, 2, doctor.stderr);
    assert.equal(doctor.json.checks.find((c: any) => c.name === 'config').detail, path.join(sb.app, 'mechanic.config.yaml'));
  });

  it('--seed writes the seed\'s eleven probes, and the file loads as it is', async () => {
    const sb = box();
    const r = await sb.run(['init', '--seed']);
    assert.equal(r.code, 0, r.stderr);
    const text = sb.read('mechanic.config.yaml');
    const config = YAML.parse(text);
    assert.equal(config.probes.length, 11);
    assert.deepEqual(config.protect, ['core.js', 'simulation.js', 'work-queue.js', 'periodic-scheduler.js']);
    assert.equal(config.llm.model, 'mdq100/qwen3.5-coder:35b');
    assert.ok(comments(text) >= 20);
    const doctor = await sb.runJson(['doctor']);
    assert.notEqual(doctor.code, 2, doctor.stderr);
    assert.match(doctor.json.checks.find((c: any) => c.name === 'probes').detail, /^11 configured: ollama, neon, /);
    const scan = await sb.run(['scan']);
    assert.equal(scan.code, 0, scan.stderr);
  });

  it('never overwrites a config: exit 2 and nothing changed, unless --force', async () => {
    const sb = box();
    const mine = '# mine\nroots: [.]\nmaxFixesPerRun: 1\n';
    sb.write('mechanic.config.yaml', mine);
    for (const args of [['init'], ['init', '--seed']]) {
      const r = await sb.run(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, /mechanic\.config\.yaml exists; use --force to overwrite it/);
      assert.equal(sb.read('mechanic.config.yaml'), mine);
    }
    const dry = await sb.run(['init', '--dry-run']);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /^# code-mechanic configuration for /);
    assert.equal(sb.read('mechanic.config.yaml'), mine, '--dry-run writes nothing');

    const forced = await sb.run(['init', '--seed', '--force']);
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal(YAML.parse(sb.read('mechanic.config.yaml')).probes.length, 11);
    assert.deepEqual(fs.readdirSync(sb.app), ['mechanic.config.yaml'], 'no temporary file left');
  });

  it('refuses beside another config the loader would read instead, even with --force', async () => {
    const sb = box();
    const json = sb.config({ roots: ['.'], maxFixesPerRun: 1 });
    const before = fs.readFileSync(json, 'utf8');
    for (const args of [['init'], ['init', '--force'], ['init', '-o', 'mechanic.config.yml']]) {
      const r = await sb.run(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, /mechanic\.config\.json already configures/);
    }
    assert.equal(fs.readFileSync(json, 'utf8'), before);
    assert.deepEqual(fs.readdirSync(sb.app), ['mechanic.config.json']);
  });

  it('writes YAML only, and beside the config its paths are relative to', async () => {
    const sb = box();
    const bad = await sb.run(['init', '-o', 'mechanic.config.json']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /init writes YAML/);
    const missing = await sb.run(['init', '-o', 'no/such/folder/m.yaml']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /is not a folder/);
    assert.deepEqual(fs.readdirSync(sb.app), []);

    fs.mkdirSync(path.join(sb.dir, 'etc'));
    const elsewhere = await sb.run(['init', '-o', '../etc/mechanic.config.yaml']);
    assert.equal(elsewhere.code, 0, elsewhere.stderr);
    const config = YAML.parse(fs.readFileSync(path.join(sb.dir, 'etc', 'mechanic.config.yaml'), 'utf8'));
    assert.deepEqual(config.roots, [sb.app], 'the folder init ran in, absolute from elsewhere');
  });
});

describe('mechanic init with a real PM2 running two apps', () => {
  let sb: Sandbox;
  let pm2: (args: string[]) => ReturnType<typeof runProcess>;
  after(async () => {
    await pm2?.(['kill']);
    sb?.cleanup();
  });

  it('writes each app as a pm2 probe and its folder as a root; the probes see them online', async () => {
    sb = sandbox();
    const env = minimalEnv({ PM2_HOME: sb.env.PM2_HOME!, HOME: sb.home, PM2_DISCRETE_MODE: 'true' });
    pm2 = (args) => runProcess(PM2_BIN, args, { cwd: sb.dir, env, timeoutMs: 60_000 });
    const idle = 'setInterval(() => {}, 60_000);\n';
    // api: a project started from its folder; worker: a script run from elsewhere (its folder counts).
    const api = path.join(sb.dir, 'services', 'api');
    fs.mkdirSync(path.join(api, 'src'), { recursive: true });
    fs.writeFileSync(path.join(api, 'package.json'), '{"name":"api"}\n');
    fs.writeFileSync(path.join(api, 'src', 'server.js'), idle);
    const jobs = path.join(sb.dir, 'jobs');
    fs.mkdirSync(jobs);
    fs.writeFileSync(path.join(jobs, 'worker.js'), idle);
    const ecosystem = path.join(sb.dir, 'ecosystem.json');
    fs.writeFileSync(
      ecosystem,
      JSON.stringify({ apps: [{ name: 'api', script: 'src/server.js', cwd: api }, { name: 'worker', script: path.join(jobs, 'worker.js'), cwd: sb.home }] }),
    );
    const started = await pm2(['start', ecosystem]);
    assert.equal(started.code, 0, started.stderr);
    await waitFor('both apps online', async () => {
      const r = await pm2(['jlist']);
      const list = JSON.parse(r.stdout.split('\n').reverse().find((l) => l.startsWith('[')) ?? '[]') as any[];
      return list.length === 2 && list.every((p) => p.pm2_env.status === 'online');
    });

    const broken = path.join(api, 'src', 'broken.js');
    fs.writeFileSync(broken, BROKEN);
    const r = await sb.run(['init', '--pm2-bin', PM2_BIN]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /PM2 apps as probes: api, worker/);
    const text = sb.read('mechanic.config.yaml');
    const config = YAML.parse(text);
    assert.deepEqual(config.roots, ['.', api, jobs]);
    assert.match(text, new RegExp(`- ${api.replace(/[/.]/g, '\\$&')} +# PM2 app api`));
    const pm2Probes = config.probes.filter((p: any) => p.kind === 'pm2');
    assert.deepEqual(pm2Probes.map((p: any) => [p.name, p.processes]), [['api', ['api']], ['worker', ['worker']]]);
    assert.ok(pm2Probes.every((p: any) => p.pm2Bin === PM2_BIN && p.pm2Home === sb.env.PM2_HOME));

    const probe = await sb.runJson(['probe']);
    assert.equal(probe.json.checks['api:pm2'][0].status, 'pass', JSON.stringify(probe.json));
    assert.equal(probe.json.checks['worker:pm2'][0].status, 'pass');
    assert.equal(probe.json.checks['api:pm2'][0].output, '1/1 online');

    const scan = await sb.runJson(['scan']);
    assert.equal(scan.code, 1, scan.stderr);
    assert.deepEqual(scan.json.bugs.map((b: any) => b.file), [broken], "the app's folder is scanned");

    // A pm2 program that is not there: still a config, with the reason and the way out.
    const noPm2 = await sb.run(['init', '--pm2-bin', path.join(sb.dir, 'no-such-pm2'), '--dry-run']);
    assert.equal(noPm2.code, 0, noPm2.stderr);
    assert.match(noPm2.stdout, /# No PM2 apps: listing them failed \(.*ENOENT.*--pm2-bin names the pm2 program\)/);

    // An app stopped by hand is still PM2's, and still written as a probe (down until started).
    assert.equal((await pm2(['stop', 'worker'])).code, 0);
    const again = await sb.run(['init', '--pm2-bin', PM2_BIN, '--dry-run']);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(YAML.parse(again.stdout).probes.filter((p: any) => p.kind === 'pm2').map((p: any) => p.name), ['api', 'worker']);
  });
});
