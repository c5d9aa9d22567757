import path from 'node:path';
import { z } from 'zod';
import { argvSchema, commandRunFields, describeExit, lastLine } from '../probes/command.js';
import { minimalEnv, runProcess } from '../util/proc.js';
import { defineChannel } from './types.js';

/** A program (argv, never a shell) given the event JSON on stdin; exit 0 is delivered. */
export const commandChannel = defineChannel({
  type: 'command',
  description: 'a program run with the event JSON on its standard input',
  options: () => z.object({ type: z.literal('command'), command: argvSchema, ...commandRunFields }),
  async send(o, message, ctx) {
    const [file, ...args] = o.command as [string, ...string[]];
    const res = await runProcess(file, args, {
      cwd: o.cwd !== undefined ? path.resolve(ctx.baseDir, o.cwd) : ctx.baseDir,
      env: minimalEnv(o.env),
      input: JSON.stringify(message) + '\n',
      timeoutMs: ctx.timeoutMs,
      signal: ctx.signal,
      maxOutputBytes: 64 * 1024,
      killGroup: true,
    });
    if (res.spawnError) return { ok: false, detail: `cannot start ${file}: ${res.spawnError}` };
    if (res.timedOut || ctx.signal.aborted) return { ok: false, detail: `killed: no exit within ${ctx.timeoutMs} ms` };
    const said = lastLine(res.code === 0 ? res.stdout : res.stderr || res.stdout);
    return { ok: res.code === 0, detail: ctx.scrub(`${describeExit(res)}${said ? `: ${said}` : ''}`) };
  },
});
