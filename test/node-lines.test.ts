// The CLI under the other LTS lines the package's engines allow (node 22 and 24): the launcher
// (dist/cli/bin.cjs → main.cjs → the bundle run as a vm.Script with a code cache) and one whole
// cycle on the demo answer as they do under the node running the tests. The shipped code cache
// is node 20's; under another node it is passed over, and an opt-in cache is that node's own.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { box, cliPath, repoRoot, type Sandbox } from './helpers/cli.ts';
import { nodeLine } from './helpers/node-lines.ts';
import { needs } from './helpers/require.ts';
import { runProcess } from '../src/util/proc.ts';

const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string };

/** The demo, copied into a sandbox, with no model and this node as the one whose verdicts count. */
function demo(node: string): Sandbox {
  const sb = box();
  fs.cpSync(path.join(repoRoot, 'examples', 'demo'), sb.app, { recursive: true });
  sb.config({ roots: ['.'], protect: ['core.js'], stateDir: '../state', pm2Logs: false, llm: { provider: 'none' }, node });
  return sb;
}

const mechanic = (node: string, sb: Sandbox, args: string[], env: NodeJS.ProcessEnv = {}) =>
  runProcess(node, [cliPath, ...args], { cwd: sb.app, env: { ...sb.env, ...env }, timeoutMs: 120_000 });

/** What a run said, with the sandbox's own folder and the timings taken out. */
function outcome(stdout: string, sb: Sandbox): unknown {
  const j = JSON.parse(stdout.split(sb.dir).join('<box>')) as Record<string, unknown>;
  const fixes = (j.fixes as Array<Record<string, unknown>>).map((f) => ({ file: f.file, strategy: f.strategy, outcome: f.outcome, reason: f.reason, diff: f.diff }));
  const bugs = (j.bugs as Array<Record<string, unknown>>).map((b) => ({ file: b.file, line: b.line, column: b.column, message: b.message, protected: b.protected }));
  return { fixes, bugs };
}

for (const major of [22, 24] as const) {
  const other = nodeLine(major);
  const need = needs(`node ${major} (the npm package node@${major})`, 'missing' in other ? other.missing : undefined);
  const bin = () => (other as { bin: string }).bin;

  describe(`the CLI under node ${major}`, need, () => {
    it('--version answers the package version, nothing on stderr', async () => {
      const r = await runProcess(bin(), [cliPath, '--version'], { timeoutMs: 30_000 });
      assert.equal(r.stderr, '');
      assert.equal(r.stdout.trim(), pkg.version);
      assert.equal(r.code, 0);
    });

    it(`one whole cycle on the demo: the same bugs, fixes and exit code as under node ${process.versions.node.split('.')[0]}`, async () => {
      const here = demo(process.execPath);
      const there = demo(bin());
      const a = await mechanic(process.execPath, here, ['run', '--json']);
      const b = await mechanic(bin(), there, ['run', '--json']);
      assert.equal(b.stderr, '', b.stderr);
      assert.equal(b.code, a.code, b.stdout);
      assert.deepEqual(outcome(b.stdout, there), outcome(a.stdout, here));
      // The run really repaired something under that node, and its fix was checked by it.
      const fixes = (outcome(b.stdout, there) as { fixes: Array<{ outcome: string; reason: string }> }).fixes;
      assert.ok(fixes.some((f) => f.outcome === 'applied' && /validated: syntax/.test(f.reason)), JSON.stringify(fixes));
      assert.notEqual(fs.readFileSync(path.join(there.app, 'worker.js'), 'utf8'), fs.readFileSync(path.join(repoRoot, 'examples', 'demo', 'worker.js'), 'utf8'));
      assert.equal(fs.readFileSync(path.join(there.app, 'core.js'), 'utf8'), fs.readFileSync(path.join(repoRoot, 'examples', 'demo', 'core.js'), 'utf8'), 'the protected file untouched');
    });

    it("an opt-in code cache is this node's own: written once, then taken, the answers equal", async () => {
      const sb = demo(bin());
      const cacheDir = path.join(sb.home, 'code-cache');
      const env = { MECHANIC_CODE_CACHE: cacheDir };
      const first = await mechanic(bin(), sb, ['scan', '--json'], env);
      assert.equal(first.stderr, '', first.stderr);
      const written = fs.readdirSync(cacheDir);
      assert.equal(written.length, 1, written.join(' '));
      const file = path.join(cacheDir, written[0]!);
      const mtime = fs.statSync(file).mtimeMs;
      const again = await mechanic(bin(), sb, ['scan', '--json'], env);
      assert.equal(again.stderr, '');
      assert.equal(again.code, first.code);
      const { scan: _a, ...one } = JSON.parse(first.stdout) as Record<string, unknown>;
      const { scan: _b, ...two } = JSON.parse(again.stdout) as Record<string, unknown>;
      assert.deepEqual(two, one);
      assert.equal(fs.statSync(file).mtimeMs, mtime, 'taken, not rejected and written again');
    });
  });
}
