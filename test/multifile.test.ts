// A fix where the bug is: the model's answer edits the bug's file and a file of the call chain,
// and the two are one fix: written and validated together, one log entry, restored together on a
// failed check, by `mechanic revert`, and after a kill mid-write. The crash is real (the project
// is run and its stderr is the error log); the model is the loopback test server.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { box, type Sandbox } from './helpers/cli.ts';
import { startModelServer, type ModelServer } from './helpers/model-server.ts';
import { windowFormat } from '../src/repair/formats/window.js';
import { WINDOW_PROMPT_TEMPLATE } from '../src/llm/settings.js';

const PRELOAD = fileURLToPath(new URL('./helpers/fault-preload.mjs', import.meta.url));

/** `displayName` is a helper with two callers: the crash is raised to its caller, lib/orders.js. */
const PROJECT: Record<string, string> = {
  'lib/names.js': `'use strict';
function displayName(user) {
  const first = user.profile.first;
  return first + ' ' + user.profile.last;
}
module.exports = { displayName };
`,
  'lib/orders.js': `'use strict';
const { displayName } = require('./names');
function describeOrder(order) {
  const who = displayName(order.customer);
  return who + ' ordered ' + order.items.length + ' items';
}
module.exports = { describeOrder };
`,
  'lib/invoices.js': `'use strict';
const { displayName } = require('./names');
function describeInvoice(inv) {
  return displayName(inv.owner) + ': ' + inv.total;
}
module.exports = { describeInvoice };
`,
  'run.js': `const { describeOrder } = require('./lib/orders');
console.log(describeOrder({ buyer: { profile: { first: 'A', last: 'B' } }, items: [] }));
`,
};

const block = (search: string, replace: string) => `<<<<<<< SEARCH\n${search}\n=======\n${replace}\n>>>>>>> REPLACE`;
/** The caller passes what the order holds; the helper no longer throws on a missing user. */
const FIX_ORDERS = block('  const who = displayName(order.customer);', '  const who = displayName(order.customer || order.buyer);');
const FIX_NAMES = block('  const first = user.profile.first;', "  if (!user || !user.profile) return 'someone';\n  const first = user.profile.first;");
const TWO_FILE_ANSWER = `${FIX_ORDERS}\nFILE: lib/names.js\n${FIX_NAMES}`;

/** The project, crashed for real, its stderr a fresh PM2 error log, its files older than the log. */
function crashedProject(): Sandbox {
  const sb = box();
  for (const [rel, text] of Object.entries(PROJECT)) sb.write(rel, text);
  const r = spawnSync(process.execPath, [path.join(sb.app, 'run.js')], { cwd: sb.app, encoding: 'utf8' });
  assert.notEqual(r.status, 0, 'the app really crashed');
  assert.match(r.stderr, /Cannot read properties of undefined \(reading 'profile'\)/);
  const log = path.join(sb.env.PM2_HOME!, 'logs', 'app-error.log');
  fs.mkdirSync(path.dirname(log), { recursive: true });
  fs.writeFileSync(log, r.stderr.split('\n').map((l) => (l ? `${new Date().toISOString()}: ${l}` : l)).join('\n'));
  const past = new Date(Date.now() - 3600_000);
  for (const rel of Object.keys(PROJECT)) fs.utimesSync(path.join(sb.app, rel), past, past);
  return sb;
}

function configure(sb: Sandbox, server: ModelServer, extra: object = {}): void {
  sb.config({ roots: ['.'], stateDir: '../state', repairers: ['llm'], llm: { baseUrl: server.url, editFormat: 'window', feedbackRetry: false }, ...extra });
}

function fixEntries(sb: Sandbox): any[] {
  const log = JSON.parse(fs.readFileSync(path.join(sb.dir, 'state', 'mechanic-log.json'), 'utf8')) as any[];
  return log.filter((e) => e.type === 'fix');
}

function assertOriginals(sb: Sandbox, where: string): void {
  for (const [rel, text] of Object.entries(PROJECT)) assert.equal(sb.read(rel), text, `${where}: ${rel} is its original, byte for byte`);
}

async function withServer(answer: string, fn: (server: ModelServer) => Promise<void>): Promise<void> {
  const server = await startModelServer({ answers: [{ text: answer }] });
  try {
    await fn(server);
  } finally {
    await server.close();
  }
}

describe('a fix across the files of the call chain', () => {
  it('both files written and validated as one fix: one log entry with both diffs; mechanic revert restores both', async () => {
    const sb = crashedProject();
    await withServer(TWO_FILE_ANSWER, async (server) => {
      configure(sb, server);
      const run = await sb.runJson(['run']);
      const prompt = server.modelCalls()[0]?.body?.prompt as string;
      assert.ok(prompt, 'the model was asked');
      assert.match(prompt, /FILE: lib\/orders\.js/);
      assert.match(prompt, /put a line "FILE: <name as labelled>" before the blocks for that file \(blocks before any FILE line edit lib\/orders\.js/);
      assert.match(prompt, /lib\/names\.js lines 1-7, in displayName: THE FRAME THAT THREW/);

      const [fix] = run.json.fixes;
      assert.equal(fix.outcome, 'applied', JSON.stringify(fix));
      assert.equal(fix.file, path.join(sb.app, 'lib/orders.js'));
      assert.match(sb.read('lib/orders.js'), /displayName\(order\.customer \|\| order\.buyer\)/);
      assert.match(sb.read('lib/names.js'), /if \(!user \|\| !user\.profile\) return 'someone';/);
      // The fix works: the app that crashed runs.
      const again = spawnSync(process.execPath, [path.join(sb.app, 'run.js')], { cwd: sb.app, encoding: 'utf8' });
      assert.equal(again.status, 0, again.stderr);
      assert.equal(again.stdout.trim(), 'A B ordered 0 items');

      const entries = fixEntries(sb);
      assert.equal(entries.length, 1, 'one log entry for the fix');
      const e = entries[0];
      assert.equal(e.id, fix.id);
      assert.match(e.diff, /--- a\/lib\/orders\.js[\s\S]*\+ {2}const who = displayName\(order\.customer \|\| order\.buyer\);/);
      assert.match(e.diff, /--- a\/lib\/names\.js[\s\S]*\+ {2}if \(!user \|\| !user\.profile\) return 'someone';/);
      assert.deepEqual(e.others.map((o: any) => o.file), [path.join(sb.app, 'lib/names.js')]);
      assert.equal(fs.readFileSync(e.backup, 'utf8'), PROJECT['lib/orders.js']);
      assert.equal(fs.readFileSync(e.others[0].backup, 'utf8'), PROJECT['lib/names.js']);
      assert.match(e.reason, /search\/replace block in lib\/orders\.js lines .* and 1 search\/replace block in lib\/names\.js lines 1-7/);
      assert.deepEqual(fs.readdirSync(path.join(sb.dir, 'state', 'journal')), [], 'the journal is settled');

      // One revert, by the id, puts both back.
      const rev = await sb.runJson(['revert', fix.id]);
      assert.equal(rev.code, 0, rev.stderr);
      assert.deepEqual(rev.json.others.map((o: any) => o.file), [path.join(sb.app, 'lib/names.js')]);
      assertOriginals(sb, 'after mechanic revert');
      const log = await sb.runJson(['log']);
      const revert = log.json.find((x: any) => x.type === 'revert');
      assert.equal(revert.fixId, fix.id);
      assert.equal(revert.others[0].file, path.join(sb.app, 'lib/names.js'));
      // What the files held is kept: the revert can be undone by hand.
      assert.match(fs.readFileSync(revert.others[0].savedCurrent, 'utf8'), /return 'someone'/);
    });
  });

  it('the other file, named alone, is found by `mechanic revert <file>`; a file changed after the fix stops the revert of both', async () => {
    const sb = crashedProject();
    await withServer(TWO_FILE_ANSWER, async (server) => {
      configure(sb, server);
      const run = await sb.runJson(['run']);
      assert.equal(run.json.fixes[0].outcome, 'applied');
      const edited = sb.read('lib/orders.js') + '// a person was here\n';
      sb.write('lib/orders.js', edited);
      const refused = await sb.run(['revert', 'lib/names.js']);
      assert.notEqual(refused.code, 0);
      assert.match(refused.stderr, /orders\.js changed after fix/);
      // Nothing was written: not even the file that had not changed.
      assert.match(sb.read('lib/names.js'), /return 'someone'/);
      assert.equal(sb.read('lib/orders.js'), edited);
      const forced = await sb.run(['revert', 'lib/names.js', '--force']);
      assert.equal(forced.code, 0, forced.stderr);
      assertOriginals(sb, 'after a forced revert');
    });
  });

  it('a validation failure on disk in the second file restores both, byte for byte', async () => {
    const sb = crashedProject();
    // run.js is the trace's third frame: the answer breaks its loading, which only the disk step sees.
    const breakRun = block("const { describeOrder } = require('./lib/orders');", "const { describeOrder } = require('./lib/orders');\nrequire('./lib/not-there');");
    await withServer(`${FIX_ORDERS}\nFILE: run.js\n${breakRun}`, async (server) => {
      configure(sb, server, { validators: ['syntax', 'exports', 'undefined-names', 'load'] });
      const run = await sb.runJson(['run']);
      const [fix] = run.json.fixes;
      assert.equal(fix.outcome, 'reverted', JSON.stringify(fix));
      assert.match(fix.reason, /on-disk check failed \(run\.js: load: the module does not load: .*Cannot find module '\.\/lib\/not-there'.*\); every file restored to its original/);
      assertOriginals(sb, 'after the failed check');
      // Both had been written (each has its backup), and both were put back.
      const e = fixEntries(sb)[0];
      assert.equal(fs.readFileSync(e.backup, 'utf8'), PROJECT['lib/orders.js']);
      assert.equal(fs.readFileSync(e.others[0].backup, 'utf8'), PROJECT['run.js']);
      assert.equal(e.others[0].fixedHash, undefined, 'never recorded as fixed');
    });
  });

  it('a block naming a file that was not shown is refused; so is one naming a protected file; nothing is written', async () => {
    const notShown = crashedProject();
    await withServer(`${FIX_ORDERS}\nFILE: lib/invoices.js\n${block('  return displayName(inv.owner) + \': \' + inv.total;', "  return displayName(inv.owner || {}) + ': ' + inv.total;")}`, async (server) => {
      configure(notShown, server);
      const run = await notShown.runJson(['run']);
      const [fix] = run.json.fixes;
      assert.equal(fix.outcome, 'failed', JSON.stringify(fix));
      assert.match(fix.reason, /block 2: FILE: lib\/invoices\.js is not one of the files shown \(lib\/orders\.js, lib\/names\.js, run\.js\); only those can be edited/);
      assertOriginals(notShown, 'a file not shown');
    });

    const guarded = crashedProject();
    await withServer(TWO_FILE_ANSWER, async (server) => {
      configure(guarded, server, { protect: ['lib/names.js'] });
      const run = await guarded.runJson(['run']);
      const [fix] = run.json.fixes;
      assert.equal(fix.outcome, 'failed', JSON.stringify(fix));
      assert.match(fix.reason, /candidate not used: lib\/names\.js: protected: matches "lib\/names\.js"/);
      assertOriginals(guarded, 'a protected file');
      assert.equal(fs.existsSync(path.join(guarded.dir, 'state', 'backups')), false, 'no backup: nothing was about to be written');
    });
  });

  const inApp = (sb: Sandbox, rel: string) => `^${path.join(sb.app, rel).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`;
  for (const point of [
    { name: 'killed between the two writes', when: 'before', notes: ['restored', 'already-original'] },
    { name: 'killed after both writes, before validation', when: 'after', notes: ['restored', 'restored'] },
  ]) {
    it(`${point.name}: recovery restores both files`, async () => {
      const sb = crashedProject();
      await withServer(TWO_FILE_ANSWER, async (server) => {
        configure(sb, server);
        const trace = path.join(sb.dir, 'fault.trace');
        // lib/names.js is written second: its rename is the fault's mark.
        const rule = { op: 'renameSync', match: inApp(sb, 'lib/names.js'), when: point.when };
        const crashed = await sb.run(['run'], { env: { NODE_OPTIONS: `--import ${PRELOAD}`, MECHANIC_FAULT: JSON.stringify(rule), MECHANIC_FAULT_TRACE: trace } });
        assert.equal(crashed.code, null, `the mechanic was killed: ${crashed.stderr}`);
        assert.ok(fs.existsSync(trace), 'the fault struck');
        assert.match(sb.read('lib/orders.js'), /order\.buyer/, 'the first file had been written');

        configure(sb, server, { maxFixesPerRun: 0 });
        const recovered = await sb.runJson(['run']);
        const notes: Array<{ file: string; action: string }> = recovered.json.recovered;
        assert.deepEqual(
          notes.map((n) => [path.relative(sb.app, n.file), n.action]),
          [
            ['lib/orders.js', point.notes[0]],
            ['lib/names.js', point.notes[1]],
          ],
        );
        assertOriginals(sb, 'after recovery');
        const leftovers = fs.readdirSync(path.join(sb.app, 'lib')).filter((f) => f.includes('.mechanic-tmp-'));
        assert.deepEqual(leftovers, []);
        assert.deepEqual(fs.readdirSync(path.join(sb.dir, 'state', 'journal')), []);
      });
    });
  }
});

describe('FILE lines in a window answer', () => {
  const main = ['function a(x) {', '  return helper(x);', '}', 'function b() {', '  return 2;', '}', 'module.exports = { a, b };', ''].join('\n');
  const other = ['function helper(v) {', '  return v.name;', '}', 'module.exports = { helper };', ''].join('\n');
  const bug = {
    id: 'b', file: '/p/a.js', kind: 'runtime' as const, line: 2, column: 3, message: "Cannot read properties of undefined (reading 'name')", errorType: 'TypeError', priority: 60, source: 'error-log', detail: 'TypeError: m',
  };
  const context = [
    { text: 'lib/helper.js lines 1-3: THE FRAME THAT THREW', file: '/p/lib/helper.js', name: 'lib/helper.js', source: other, start: 1, end: 3 },
  ];
  const plan = () => {
    const p = windowFormat({ template: WINDOW_PROMPT_TEMPLATE, contextLines: 1, maxLines: 5 }).plan({ bug, text: main, displayName: 'a.js', error: 'TypeError: m', context }, 100_000);
    assert.ok('apply' in p);
    assert.deepEqual(p.shown, { start: 1, end: 3 });
    return p;
  };
  const helperFix = block('  return v.name;', '  return v ? v.name : undefined;');
  const fixedHelper = other.replace('return v.name;', 'return v ? v.name : undefined;');
  const cases: Array<{ name: string; answer: string; main?: string; other?: string; reason?: RegExp }> = [
    { name: 'a plain FILE line', answer: `FILE: lib/helper.js\n${helperFix}`, main, other: fixedHelper },
    { name: 'Markdown around it, the name in backticks', answer: `**FILE:** \`lib/helper.js\`\n${helperFix}`, main, other: fixedHelper },
    { name: "the prompt's label copied with it, and ./", answer: `FILE: ./lib/helper.js (lines 1-3)\n${helperFix}`, main, other: fixedHelper },
    { name: 'a Windows separator', answer: `FILE: lib\\helper.js\n${helperFix}`, main, other: fixedHelper },
    {
      name: 'FILE holds for the blocks after it; naming the edited file switches back',
      answer: `FILE: lib/helper.js\n${helperFix}\nFILE: a.js\n${block('  return helper(x);', '  return helper(x || {});')}`,
      main: main.replace('helper(x)', 'helper(x || {})'),
      other: fixedHelper,
    },
    { name: 'a block for a file not shown', answer: `FILE: lib/other.js\n${helperFix}`, reason: /FILE: lib\/other\.js is not one of the files shown \(a\.js, lib\/helper\.js\)/ },
    { name: 'search text that matches in the edited file, under the wrong FILE', answer: `FILE: lib/helper.js\n${block('  return helper(x);', '  return helper(x || {});')}`, reason: /lib\/helper\.js: the search text is not in the file/ },
    { name: 'outside what was shown of the edited file', answer: block('  return 2;', '  return 3;'), reason: /outside the lines shown \(1-3\)/ },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = plan().apply(c.answer);
      if (c.reason) {
        assert.equal(r.ok, false);
        assert.match((r as { reason: string }).reason, c.reason);
        return;
      }
      assert.ok(r.ok, JSON.stringify(r));
      assert.equal(r.text, c.main);
      assert.deepEqual(r.others, [{ file: '/p/lib/helper.js', text: c.other }]);
    });
  }
});

describe('a fix across files in git: committed, or proposed and applied', () => {
  const g = (cwd: string, ...args: string[]): string => {
    const r = spawnSync('git', ['-c', 'user.name=dev', '-c', 'user.email=dev@example.com', ...args], { cwd, encoding: 'utf8' });
    assert.equal(r.status, 0, `git ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  /** The project committed as it is (config included) in a new repository; HEAD's commit. */
  const committed = (sb: Sandbox): string => {
    g(sb.app, 'init', '-q', '-b', 'main');
    g(sb.app, 'add', '-A');
    g(sb.app, 'commit', '-q', '-m', 'the project');
    return g(sb.app, 'rev-parse', 'HEAD').trim();
  };

  it('is one commit holding its files alone, the work in progress untouched; mechanic revert makes one revert commit of both', async () => {
    const sb = crashedProject();
    await withServer(TWO_FILE_ANSWER, async (server) => {
      configure(sb, server, { git: { mode: 'commit' } });
      const base = committed(sb);
      // Work in progress: an unstaged edit in a neighbour, a staged new file.
      const wip = `${PROJECT['lib/invoices.js']}// unfinished\n`;
      sb.write('lib/invoices.js', wip);
      sb.write('lib/new.js', 'module.exports = 1;\n');
      g(sb.app, 'add', 'lib/new.js');
      const before = { unstaged: g(sb.app, 'diff'), staged: g(sb.app, 'diff', '--cached') };

      const run = await sb.runJson(['run']);
      const [fix] = run.json.fixes;
      assert.equal(fix.outcome, 'applied', JSON.stringify(fix));
      assert.match(fix.reason, /committed [0-9a-f]{12} on main/);
      assert.equal(g(sb.app, 'rev-parse', 'HEAD^').trim(), base, 'one commit on top of the project');
      assert.deepEqual(g(sb.app, 'diff', '--name-only', base, 'HEAD').trim().split('\n'), ['lib/names.js', 'lib/orders.js']);
      const message = g(sb.app, 'log', '-1', '--format=%B');
      assert.match(message, /^mechanic: fix TypeError in lib\/orders\.js \(and 1 more file\)/);
      assert.match(message, /Files: lib\/orders\.js, lib\/names\.js/);
      assert.match(message, new RegExp(`Mechanic-Fix-Id: ${fix.id}`));
      assert.equal(g(sb.app, 'show', 'HEAD:lib/names.js'), sb.read('lib/names.js'));
      assert.deepEqual({ unstaged: g(sb.app, 'diff'), staged: g(sb.app, 'diff', '--cached') }, before, 'the work in progress is as it was');
      assert.equal(sb.read('lib/invoices.js'), wip);

      const rev = await sb.runJson(['revert', fix.id]);
      assert.equal(rev.code, 0, rev.stderr);
      assert.match(rev.json.git, /revert committed/);
      assert.deepEqual(g(sb.app, 'diff', '--name-only', 'HEAD^', 'HEAD').trim().split('\n'), ['lib/names.js', 'lib/orders.js']);
      assert.equal(g(sb.app, 'diff', base, 'HEAD', '--', 'lib/names.js', 'lib/orders.js'), '', 'the revert commit holds the originals');
      assert.match(g(sb.app, 'log', '-1', '--format=%B'), /^Revert "mechanic: fix TypeError in lib\/orders\.js \(and 1 more file\)"/);
      assert.deepEqual({ unstaged: g(sb.app, 'diff'), staged: g(sb.app, 'diff', '--cached') }, before, 'and still, after the revert');
    });
  });

  it('proposed (git.mode: propose): one branch commit of both files, the work tree untouched; mechanic apply puts both in place as one fix', async () => {
    const sb = crashedProject();
    await withServer(TWO_FILE_ANSWER, async (server) => {
      configure(sb, server, { git: { mode: 'propose' } });
      const base = committed(sb);
      const run = await sb.runJson(['run']);
      const [fix] = run.json.fixes;
      assert.equal(fix.outcome, 'proposed', JSON.stringify(fix));
      assertOriginals(sb, 'proposed: nothing written');
      assert.equal(g(sb.app, 'rev-parse', 'HEAD').trim(), base);
      const branch = `mechanic/fix-${fix.id}`;
      assert.equal(g(sb.app, 'rev-parse', `${branch}^`).trim(), base);
      assert.deepEqual(g(sb.app, 'diff', '--name-only', base, branch).trim().split('\n'), ['lib/names.js', 'lib/orders.js']);
      assert.match(g(sb.app, 'show', `${branch}:lib/names.js`), /return 'someone'/);
      assert.equal(g(sb.app, 'status', '--porcelain', '--untracked-files=no'), '');

      const applied = await sb.runJson(['apply', fix.id]);
      assert.equal(applied.code, 0, applied.stderr);
      assert.equal(applied.json.fix.outcome, 'applied', applied.json.fix.reason);
      assert.deepEqual(applied.json.fix.others.map((o: any) => o.file), [path.join(sb.app, 'lib/names.js')]);
      assert.equal(sb.read('lib/orders.js'), g(sb.app, 'show', `${branch}:lib/orders.js`));
      assert.equal(sb.read('lib/names.js'), g(sb.app, 'show', `${branch}:lib/names.js`));
      const again = spawnSync(process.execPath, [path.join(sb.app, 'run.js')], { cwd: sb.app, encoding: 'utf8' });
      assert.equal(again.status, 0, again.stderr);
      // One fix: one revert puts both back.
      const rev = await sb.runJson(['revert', applied.json.fix.id]);
      assert.equal(rev.code, 0, rev.stderr);
      assertOriginals(sb, 'after reverting the applied proposal');
    });
  });
});
