import { findBareNode } from '../discover/env/bare-node.js';
import { findBash4, isBashScript } from '../discover/env/bash-compat.js';
import { runProcess, minimalEnv } from '../util/proc.js';
import type { Validator } from './types.js';
import { promised } from '../util/promised.js';

/** A shell script must still parse: `bash -n`, reading the candidate on stdin. */
export const shellSyntaxValidator: Validator = {
  name: 'shell-syntax',
  description: 'a shell script still parses (bash -n)',
  stage: 'memory',
  appliesTo: ({ file, after }) => isBashScript(file, after),
  async validate({ after, signal }) {
    const r = await runProcess('bash', ['-n'], { input: after, env: minimalEnv(), timeoutMs: 10_000, ...(signal ? { signal } : {}) });
    if (r.spawnError) return { ok: false, reason: `bash could not run: ${r.spawnError}` };
    if (r.code === 0) return { ok: true };
    return { ok: false, reason: `bash -n: ${r.stderr.trim().split('\n')[0] ?? `exit ${r.code}`}` };
  },
};

/**
 * An environment fix must remove what it was for and change nothing else: no line changes but
 * those the bug names, no line added or dropped, and the defect gone from those lines.
 */
export const defectGoneValidator: Validator = {
  name: 'defect-gone',
  description: 'an environment fix removes the defect and touches only the lines it names',
  stage: 'memory',
  appliesTo: ({ bug }) => bug.kind === 'environment' && !!bug.env,
  validate({ bug, before, after, file, config }) {
    return promised(() => {
      const env = bug.env!;
      const a = before.split('\n');
      const b = after.split('\n');
      if (a.length !== b.length) return { ok: false, reason: `the fix changes the number of lines (${a.length} → ${b.length})` };
      const allowed = new Set(env.findings.map((f) => f.line));
      const touched = a.flatMap((l, i) => (l !== b[i] ? [i + 1] : []));
      const stray = touched.filter((n) => !allowed.has(n));
      if (stray.length) return { ok: false, reason: `the fix changes lines it has no finding for: ${stray.join(', ')}` };
      if (env.defect === 'bare-node') {
        const left = findBareNode(file, after, config.node);
        if (left.length) return { ok: false, reason: `bare node still at line ${left.map((f) => f.line).join(', ')}` };
        return { ok: true };
      }
      const was = findBash4(before, config.bashCompat ?? '999');
      const now = findBash4(after, config.bashCompat ?? '999');
      const key = (f: { line: number; construct: string }) => `${f.line}:${f.construct}`;
      const wasKeys = new Set(was.map(key));
      const fresh = now.filter((f) => !wasKeys.has(key(f)));
      if (fresh.length) return { ok: false, reason: `the fix adds ${fresh.map((f) => `${f.construct} at line ${f.line}`).join(', ')}` };
      if (now.length >= was.length) return { ok: false, reason: 'no bash 4 construct was removed' };
      return { ok: true };
    });
  },
};
