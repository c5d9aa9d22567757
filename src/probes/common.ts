import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { Redactor } from '../util/secrets.js';
import { expandHome } from '../util/paths.js';
import type { Health } from './types.js';

/** Small helpers shared by the probe kinds: paths, secrets, numeric conditions, wording. */

/** `~/x` and relative paths as the user means them: relative to the config's folder. */
export function resolvePath(p: string, baseDir: string): string {
  return path.resolve(baseDir, expandHome(p, process.env.HOME ?? os.homedir()));
}

/** A secret named by an environment variable; throws (a clean reason) when it is not set. */
export function secretFromEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (value === undefined || value === '') throw new Error(`environment variable ${name} is not set`);
  return value;
}

/** `text` with every known secret (and its URL-encoded form) and anything shaped like one scrubbed. */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  return new Redactor({ known: secrets }).scrub(text);
}

/** The secrets inside a connection string: itself, its password, its user info. */
export function connectionSecrets(connectionString: string): string[] {
  const secrets = [connectionString];
  try {
    const url = new URL(connectionString);
    if (url.password) secrets.push(url.password);
  } catch {
    // key=value form: password=... (quoted or not)
    const m = /password\s*=\s*('(?:[^'\\]|\\.)*'|\S+)/i.exec(connectionString);
    if (m?.[1]) secrets.push(m[1], m[1].replace(/^'|'$/g, ''));
  }
  return secrets;
}

/** Cut a value for a reason line. */
export function clip(text: string, max = 120): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** A number from what a query, a command or a JSON body gave: numbers and numeric strings. */
export function asNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value.trim());
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

export const numericOps = ['gt', 'gte', 'lt', 'lte'] as const;
export type NumericOp = (typeof numericOps)[number];
const opSigns: Record<NumericOp | 'eq' | 'ne', string> = { gt: '>', gte: '>=', lt: '<', lte: '<=', eq: '=', ne: '!=' };

export function opSign(op: NumericOp | 'eq' | 'ne'): string {
  return opSigns[op];
}

export function compareNumbers(actual: number, op: NumericOp, expected: number): boolean {
  switch (op) {
    case 'gt':
      return actual > expected;
    case 'gte':
      return actual >= expected;
    case 'lt':
      return actual < expected;
    case 'lte':
      return actual <= expected;
  }
}

/** Worse of two statuses. */
export function worst(a: Health, b: Health): Health {
  const rank: Record<Health, number> = { healthy: 0, degraded: 1, down: 2 };
  return rank[a] >= rank[b] ? a : b;
}

/** Optional status a failed condition sets: `down` unless the user asks for `degraded`. */
export const onFailSchema = z.enum(['degraded', 'down']).default('down');

/** 1.5 s, 3 min 20 s, 2 h 5 min, 3 d 4 h. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  if (s < 60) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m} min ${s % 60} s` : `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

export function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v >= 100 || i === 0 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}

/** Options for a connection string given inline or through an environment variable. */
export const connectionFields = {
  connectionString: z.string().min(1).optional(),
  connectionStringEnv: z.string().min(1).optional(),
};

export function connectionStringOf(o: { connectionString?: string | undefined; connectionStringEnv?: string | undefined }): string {
  if (o.connectionString) return o.connectionString;
  if (o.connectionStringEnv) return secretFromEnv(o.connectionStringEnv);
  throw new Error('no connection string configured');
}

/** A regex option: rejected at config time when it does not compile. */
export const regexSchema = z.string().refine(
  (s) => {
    try {
      new RegExp(s);
      return true;
    } catch {
      return false;
    }
  },
  { message: 'not a valid regular expression' },
);
