import fs from 'node:fs/promises';
import path from 'node:path';
import { glob } from 'tinyglobby';
import { z } from 'zod';
import { formatDuration, resolvePath } from './common.js';
import { defineProbe } from './types.js';

/**
 * Freshness of a pipeline's output: the newest file matching a glob must be younger than
 * `maxAgeMs` (else down) and, when set, than `degradedAgeMs` (else degraded).
 */
export const fileAgeProbe = defineProbe({
  kind: 'file-age',
  description: 'File freshness: the newest file matching a glob is younger than a limit',
  options: () => z
    .object({
      kind: z.literal('file-age'),
      /** A file, a folder (any file inside) or a glob; relative to the config's folder; `~/` works. */
      path: z.string().min(1),
      maxAgeMs: z.number().int().positive(),
      degradedAgeMs: z.number().int().positive().optional(),
    })
    .refine((o) => o.degradedAgeMs === undefined || o.degradedAgeMs < o.maxAgeMs, {
      message: 'degradedAgeMs must be less than maxAgeMs',
      path: ['degradedAgeMs'],
    }),
  async check(o, ctx) {
    const files = await matchFiles(o.path, ctx.baseDir, ctx.signal);
    if (ctx.signal.aborted) throw ctx.signal.reason;
    let newest: { file: string; mtimeMs: number } | undefined;
    for (const file of files) {
      const st = await fs.stat(file).catch(() => undefined);
      if (st?.isFile() && (!newest || st.mtimeMs > newest.mtimeMs)) newest = { file, mtimeMs: st.mtimeMs };
    }
    if (!newest) return { status: 'down', reason: `no file matches ${o.path}`, metrics: { files: 0 } };
    const age = Math.max(0, ctx.clock.now() - newest.mtimeMs);
    const metrics = { ageMs: Math.round(age), files: files.length };
    const shown = path.relative(ctx.baseDir, newest.file) || newest.file;
    const what = `newest file ${shown.startsWith('..') ? newest.file : shown} is ${formatDuration(age)} old`;
    if (age > o.maxAgeMs) return { status: 'down', reason: `${what}, over ${formatDuration(o.maxAgeMs)}`, metrics };
    if (o.degradedAgeMs !== undefined && age > o.degradedAgeMs)
      return { status: 'degraded', reason: `${what}, over ${formatDuration(o.degradedAgeMs)}`, metrics };
    return { status: 'healthy', reason: what, metrics };
  },
});

/** A literal path is taken as is (even with glob characters in it); otherwise it is a glob. */
async function matchFiles(pattern: string, baseDir: string, signal: AbortSignal): Promise<string[]> {
  const literal = resolvePath(pattern, baseDir);
  const st = await fs.stat(literal).catch(() => undefined);
  if (st?.isFile()) return [literal];
  const expanded = pattern === '~' || pattern.startsWith('~/') ? literal : pattern;
  return glob(expanded, { cwd: baseDir, absolute: true, onlyFiles: true, followSymbolicLinks: true, signal });
}
