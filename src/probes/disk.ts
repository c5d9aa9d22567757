import fs from 'node:fs/promises';
import { z } from 'zod';
import { formatBytes, resolvePath } from './common.js';
import { defineProbe } from './types.js';

const percent = z.number().min(0).max(100);

/** Free space on the file system holding `path`: below `minFreePercent` is down, below `degradedFreePercent` degraded. */
export const diskProbe = defineProbe({
  kind: 'disk',
  description: 'Disk space: free percent of the file system holding a path',
  options: () => z
    .object({
      kind: z.literal('disk'),
      path: z.string().min(1).default('.'),
      minFreePercent: percent.default(5),
      degradedFreePercent: percent.optional(),
    })
    .refine((o) => o.degradedFreePercent === undefined || o.degradedFreePercent >= o.minFreePercent, {
      message: 'degradedFreePercent must be at least minFreePercent',
      path: ['degradedFreePercent'],
    }),
  async check(o, ctx) {
    const target = resolvePath(o.path, ctx.baseDir);
    const st = await fs.statfs(target);
    const total = st.blocks * st.bsize;
    const free = st.bavail * st.bsize; // what an unprivileged writer can still use
    const freePercent = total > 0 ? (free / total) * 100 : 0;
    const metrics = { freePercent: Math.round(freePercent * 100) / 100, freeBytes: free, totalBytes: total };
    const what = `${freePercent.toFixed(1)}% free (${formatBytes(free)} of ${formatBytes(total)})`;
    if (freePercent < o.minFreePercent) return { status: 'down', reason: `${what}, under ${o.minFreePercent}%`, metrics };
    if (o.degradedFreePercent !== undefined && freePercent < o.degradedFreePercent)
      return { status: 'degraded', reason: `${what}, under ${o.degradedFreePercent}%`, metrics };
    return { status: 'healthy', reason: what, metrics };
  },
});
