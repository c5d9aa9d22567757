import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { escapePath } from 'tinyglobby';
import { minimalEnv, runProcess } from '../util/proc.js';
import { expandHome } from '../util/paths.js';

// Built when a jlist is first read, not when the CLI starts.
const jlistEntry = z.lazy(() => z.looseObject({
  name: z.string(),
  pm2_env: z.looseObject({
    status: z.string(),
    restart_time: z.number().default(0),
    pm_err_log_path: z.string().optional(),
    pm_exec_path: z.string().optional(),
    pm_uptime: z.number().optional(),
    pm_cwd: z.string().optional(),
    exec_interpreter: z.string().optional(),
    exit_code: z.number().nullable().optional(),
  }),
}));

export interface Pm2Process {
  name: string;
  /** Every instance's status (cluster mode runs several under one name). */
  statuses: string[];
  restarts: number;
  /** Where PM2 writes each instance's stderr. */
  errLogs: string[];
  /** The script each instance runs. */
  execPaths: string[];
  /** When the most recently started instance started (ms). */
  startedAt?: number;
  /** The folder PM2 starts it in, the script it runs and with what ("node", "none"…): the first instance's. */
  cwd?: string;
  script?: string;
  interpreter?: string;
  /** Every instance's working folder. */
  cwds: string[];
  /** Every instance's last exit code, in the order of `statuses` (null: ended by a signal, as `pm2 stop` ends it). */
  exitCodes: (number | null)[];
}

/** `pm2 jlist` prints JSON, but may print daemon chatter before it: take the line that parses. */
export function parseJlist(stdout: string): Pm2Process[] {
  let list: unknown;
  try {
    list = JSON.parse(stdout);
  } catch {
    const lines = stdout.split('\n').filter((l) => l.trimStart().startsWith('['));
    for (const line of lines.reverse()) {
      try {
        list = JSON.parse(line);
        break;
      } catch {
        /* chatter such as "[PM2] Spawning PM2 daemon" */
      }
    }
  }
  const parsed = z.array(jlistEntry).safeParse(list);
  // Never quote the output: each entry carries the process's whole environment, secrets included.
  if (!parsed.success) throw new Error(`pm2 jlist: the output is not a process list (${stdout.length} characters)`);
  const byName = new Map<string, Pm2Process>();
  for (const p of parsed.data) {
    const cur = byName.get(p.name) ?? {
      name: p.name,
      statuses: [],
      restarts: 0,
      errLogs: [],
      execPaths: [],
      cwds: [],
      exitCodes: [],
      ...(p.pm2_env.pm_cwd ? { cwd: p.pm2_env.pm_cwd } : {}),
      ...(p.pm2_env.pm_exec_path ? { script: p.pm2_env.pm_exec_path } : {}),
      ...(p.pm2_env.exec_interpreter ? { interpreter: p.pm2_env.exec_interpreter } : {}),
    };
    cur.statuses.push(p.pm2_env.status);
    cur.exitCodes.push(p.pm2_env.exit_code ?? null);
    if (p.pm2_env.pm_err_log_path) cur.errLogs.push(p.pm2_env.pm_err_log_path);
    if (p.pm2_env.pm_exec_path && !cur.execPaths.includes(p.pm2_env.pm_exec_path)) cur.execPaths.push(p.pm2_env.pm_exec_path);
    if (p.pm2_env.pm_cwd && !cur.cwds.includes(p.pm2_env.pm_cwd)) cur.cwds.push(p.pm2_env.pm_cwd);
    if (p.pm2_env.pm_uptime) cur.startedAt = Math.max(cur.startedAt ?? 0, p.pm2_env.pm_uptime);
    cur.restarts += p.pm2_env.restart_time;
    byName.set(p.name, cur);
  }
  return [...byName.values()];
}


export interface Pm2Settings {
  pm2Bin: string;
}

/** Whether a PM2 daemon is up for $PM2_HOME: `pm2 jlist` would otherwise start one. */
export function pm2DaemonRunning(env: NodeJS.ProcessEnv = process.env): boolean {
  const home = env.PM2_HOME ?? path.join(env.HOME ?? os.homedir(), '.pm2');
  return fs.existsSync(path.join(home, 'rpc.sock')) || fs.existsSync(path.join(home, 'pm2.pid'));
}

/** The processes PM2 runs, from `pm2 jlist` (PM2_HOME passes through the minimal environment). */
export async function listPm2(settings: Pm2Settings, signal?: AbortSignal): Promise<Pm2Process[]> {
  if (!pm2DaemonRunning()) return [];
  const r = await runProcess(settings.pm2Bin, ['jlist'], { env: minimalEnv(), timeoutMs: 30_000, ...(signal ? { signal } : {}) });
  if (r.spawnError) throw new Error(`${settings.pm2Bin}: ${r.spawnError}`);
  if (r.code !== 0) throw new Error(`pm2 jlist exited ${r.code}: ${r.stderr.trim().split('\n').pop() ?? ''}`);
  return parseJlist(r.stdout);
}

/**
 * The PM2 process whose error log is `log`, if PM2 runs one. A failed `pm2 jlist` throws: it
 * says nothing about whether PM2 runs one, and the caller must say so rather than guess "none".
 */
export async function processOfLog(settings: Pm2Settings, log: string): Promise<Pm2Process | undefined> {
  const list = await listPm2(settings);
  const real = path.resolve(log);
  return list.find((p) => p.errLogs.some((l) => path.resolve(l) === real));
}

/**
 * `pm2 restart <name>`. A process in a crash loop can be between two lives when asked ("Process 0
 * not found" while it waits out its restart delay): try again a few times before giving up.
 */
export async function restartPm2(
  settings: Pm2Settings,
  name: string,
  attempts = 4,
  run: { env?: NodeJS.ProcessEnv; timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<{ ok: boolean; reason: string }> {
  let last = '';
  for (let i = 0; i < attempts; i++) {
    if (i) await new Promise((r) => setTimeout(r, 500));
    if (run.signal?.aborted) {
      last = 'shutting down';
      break;
    }
    const r = await runProcess(settings.pm2Bin, ['restart', name], { env: run.env ?? minimalEnv(), timeoutMs: run.timeoutMs ?? 60_000, ...(run.signal ? { signal: run.signal } : {}) });
    if (r.code === 0) return { ok: true, reason: `pm2 restart ${name}` };
    last = r.spawnError ?? (r.timedOut ? `timed out after ${run.timeoutMs ?? 60_000} ms` : stripAnsi(r.stderr).trim().split('\n').pop() || `exit ${r.code}`);
    if (r.spawnError) break;
  }
  return { ok: false, reason: `pm2 restart ${name} failed: ${last}` };
}

function stripAnsi(s: string): string {
  // eslint-disable-next-line no-control-regex -- an ANSI colour code starts with ESC: matching it is the point
  return s.replace(/\x1b\[[0-9;]*m/g, '');
}

/** PM2's error logs: `$PM2_HOME/logs/<app>-error.log` and, in cluster mode, `<app>-error-<id>.log`. */
export function pm2ErrorLogGlob(env: Readonly<Record<string, string | undefined>> = process.env, home: string = os.homedir()): string {
  const pm2Home = env.PM2_HOME ? path.resolve(expandHome(env.PM2_HOME, home)) : path.join(home, '.pm2');
  return `${escapePath(path.join(pm2Home, 'logs'))}/*-error{,-+([0-9])}.log`;
}
