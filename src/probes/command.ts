import { z } from 'zod';
import { minimalEnv } from '../util/proc.js';
import type { RunResult } from '../util/proc.js';
import { clip, regexSchema, resolvePath } from './common.js';
import { defineProbe } from './types.js';
import type { ProbeContext } from './types.js';

export const argvSchema = z.array(z.string().min(1)).min(1);

/** Options to run a command as a probe does: argv, folder and extra environment. */
export const commandRunFields = {
  cwd: z.string().min(1).optional(),
  /** Added to the minimal environment a child gets (PATH, HOME...): never the daemon's secrets. */
  env: z.record(z.string(), z.string()).default({}),
};

/** Run an argv (no shell) under the probe's abort signal; a program that cannot start throws. */
export async function runArgv(
  argv: readonly string[],
  o: { cwd?: string | undefined; env: Record<string, string> },
  ctx: ProbeContext,
): Promise<RunResult> {
  const [file, ...args] = argv as [string, ...string[]];
  const res = await ctx.run(file, args, {
    cwd: o.cwd !== undefined ? resolvePath(o.cwd, ctx.baseDir) : ctx.baseDir,
    env: minimalEnv(o.env),
    signal: ctx.signal,
    maxOutputBytes: 1024 * 1024,
  });
  if (res.spawnError) throw new Error(`cannot start ${file}: ${res.spawnError}`);
  if (ctx.signal.aborted) throw ctx.signal.reason instanceof Error ? ctx.signal.reason : new Error('aborted');
  return res;
}

/** How a run ended, for a reason line: `exit 3`, `killed by SIGTERM`. */
export function describeExit(res: RunResult): string {
  return res.code !== null ? `exit ${res.code}` : `killed by ${res.signal ?? 'a signal'}`;
}

/** Last non-empty line of a stream, clipped: enough to say why without flooding the reason. */
export function lastLine(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  return clip(lines.at(-1) ?? '', 160);
}

/** Run a program (argv, never a shell): healthy when it exits as expected and its output matches. */
export const commandProbe = defineProbe({
  kind: 'command',
  description: 'Command: exit code and an output condition (argv, no shell)',
  options: () => z.object({
    kind: z.literal('command'),
    command: argvSchema,
    expectExit: z.union([z.number().int(), z.array(z.number().int()).min(1)]).default(0),
    /** A regular expression stdout (its trailing newline removed) must match. */
    expectOutput: regexSchema.optional(),
    ...commandRunFields,
  }),
  async check(o, ctx) {
    const started = ctx.clock.now();
    const res = await runArgv(o.command, o, ctx);
    const metrics: Record<string, number> = { latencyMs: ctx.clock.now() - started };
    if (res.code !== null) metrics.exitCode = res.code;
    const expected = Array.isArray(o.expectExit) ? o.expectExit : [o.expectExit];
    if (res.code === null || !expected.includes(res.code)) {
      const why = lastLine(res.stderr) || lastLine(res.stdout);
      return { status: 'down', reason: `${describeExit(res)}, expected exit ${expected.join(' or ')}${why ? `: ${why}` : ''}`, metrics };
    }
    if (o.expectOutput !== undefined && !new RegExp(o.expectOutput).test(res.stdout.replace(/\r?\n$/, '')))
      return { status: 'down', reason: `exit ${res.code}, output does not match /${o.expectOutput}/: ${lastLine(res.stdout) || '(empty)'}`, metrics };
    return { status: 'healthy', reason: `exit ${res.code} in ${metrics.latencyMs} ms`, metrics };
  },
});
