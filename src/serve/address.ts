import { UsageError } from '../util/errors.js';

// Apart from the server, so that the CLI can check --http and --port without loading it.

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 9464;

/** `127.0.0.1:9464`, `[::1]:9464`, `0.0.0.0:9464`: the value of `daemon --http`. */
export function parseHostPort(text: string, what = '--http'): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d+)$/.exec(text.trim());
  if (!m) throw new UsageError(`${what}: expected <host>:<port> (e.g. 127.0.0.1:9464, [::1]:9464), got "${text}"`);
  return { host: (m[1] ?? m[2])!, port: parsePort(m[3]!, what) };
}

export function parsePort(text: string, what = '--port'): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`${what}: expected a port number 0 to 65535, got "${text}"`);
  return n;
}
