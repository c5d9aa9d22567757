import net from 'node:net';
import { z } from 'zod';
import { defineProbe } from './types.js';

/** Open a TCP connection: healthy when it connects (fast enough), down when refused or unreachable. */
export const tcpProbe = defineProbe({
  kind: 'tcp',
  description: 'TCP connect: the port accepts connections, within a latency limit',
  options: () => z.object({
    kind: z.literal('tcp'),
    host: z.string().min(1).default('127.0.0.1'),
    port: z.number().int().min(1).max(65_535),
    maxLatencyMs: z.number().int().positive().optional(),
  }),
  async check(o, ctx) {
    const started = ctx.clock.now();
    await connect(o.host, o.port, ctx.signal);
    const latency = ctx.clock.now() - started;
    const where = `${o.host}:${o.port}`;
    const metrics = { latencyMs: latency };
    if (o.maxLatencyMs !== undefined && latency > o.maxLatencyMs)
      return { status: 'degraded', reason: `${where} connected in ${latency} ms, over ${o.maxLatencyMs} ms`, metrics };
    return { status: 'healthy', reason: `${where} connected in ${latency} ms`, metrics };
  },
});

function connect(host: string, port: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    const socket = net.connect({ host, port });
    const done = (err?: Error) => {
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      if (err) reject(err);
      else resolve();
    };
    const onAbort = () => done(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => done());
    socket.once('error', (err: NodeJS.ErrnoException) =>
      done(new Error(`cannot connect to ${host}:${port}: ${err.code ?? err.message}`)),
    );
  });
}
