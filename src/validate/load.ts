import path from 'node:path';
import { minimalEnv, runProcess } from '../util/proc.js';
import { isJavaScript, type Validator } from './types.js';

/** Imports the file by URL, then exits: a module that starts a server still counts as loaded. */
const LOADER = `import(require('node:url').pathToFileURL(process.argv[1]).href).then(() => process.exit(0), (e) => { console.error(e && e.stack || String(e)); process.exit(1); });`;

/**
 * Optional: the fixed module loads in a child process of the configured node, with a timeout and
 * a minimal environment (no inherited secrets). Loading runs the module's top-level code, which
 * is why this step is off unless configured.
 */
export const loadValidator: Validator = {
  name: 'load',
  description: 'the module loads in a child process (runs its top-level code; opt-in)',
  stage: 'disk',
  appliesTo: ({ file }) => isJavaScript(file),
  async validate({ file, config, signal }) {
    const r = await runProcess(config.node, ['-e', LOADER, file], {
      cwd: path.dirname(file),
      env: minimalEnv(),
      timeoutMs: config.loadTimeoutMs,
      ...(signal ? { signal } : {}),
    });
    if (r.code === 0) return { ok: true };
    if (r.timedOut) return { ok: false, reason: `loading did not finish within ${config.loadTimeoutMs} ms` };
    const first = r.spawnError ?? r.stderr.split('\n').find((l) => /\w*Error\b|Exception/.test(l)) ?? r.stderr.trim().split('\n')[0] ?? `exit ${r.code}`;
    return { ok: false, reason: `the module does not load: ${first.trim()}` };
  },
};

/** Optional: the project's own test command passes with the fix in place. */
export const testsValidator: Validator = {
  name: 'tests',
  description: "the project's own test command passes (testCommand; opt-in)",
  stage: 'disk',
  appliesTo: ({ config }) => !!config.testCommand,
  async validate({ config, signal }) {
    const [cmd, ...args] = config.testCommand!;
    const r = await runProcess(cmd!, args, {
      cwd: config.roots[0]!,
      env: minimalEnv(),
      timeoutMs: config.testTimeoutMs,
      ...(signal ? { signal } : {}),
    });
    if (r.code === 0) return { ok: true };
    if (r.timedOut) return { ok: false, reason: `\`${config.testCommand!.join(' ')}\` did not finish within ${config.testTimeoutMs} ms` };
    const tail = (r.stderr.trim() || r.stdout.trim()).split('\n').slice(-3).join(' | ');
    return { ok: false, reason: `\`${config.testCommand!.join(' ')}\` failed (exit ${r.code ?? r.spawnError}): ${tail.slice(0, 300)}` };
  },
};
