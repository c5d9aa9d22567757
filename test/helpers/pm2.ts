/**
 * A real PM2 daemon for tests, from this project's own `node_modules/.bin/pm2`, with its own
 * PM2_HOME (and HOME) in a temporary folder so it never touches the user's PM2. `kill()` runs
 * `pm2 kill` and removes the folder.
 */
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { minimalEnv, runProcess, type RunResult } from '../../src/util/proc.js';

export const PM2_BIN = fileURLToPath(new URL('../../node_modules/.bin/pm2', import.meta.url));

export interface Pm2App {
  name: string;
  /** The app's JavaScript source, written to `<name>.cjs`. */
  code: string;
  /** More ecosystem fields: max_restarts, min_uptime, restart_delay, autorestart... */
  options?: Record<string, unknown>;
}

export interface Pm2ProcessInfo {
  name: string;
  status: string;
  restarts: number;
}

export interface Pm2Daemon {
  home: string;
  dir: string;
  bin: string;
  /** Run the pm2 CLI against this daemon. */
  pm2(args: string[], timeoutMs?: number): Promise<RunResult>;
  list(): Promise<Pm2ProcessInfo[]>;
  /** Poll `pm2 jlist` until `ready` holds (bounded); returns the last list. */
  waitFor(ready: (list: Pm2ProcessInfo[]) => boolean, timeoutMs?: number): Promise<Pm2ProcessInfo[]>;
  kill(): Promise<void>;
}

export async function startPm2(apps: readonly Pm2App[]): Promise<Pm2Daemon> {
  // The daemon is the tests' surroundings, not what they test: a start that fails once (seen once
  // in CI, on a loaded machine) is tried again from nothing, and its reason kept in the log.
  try {
    return await startPm2Once(apps);
  } catch (err) {
    process.stderr.write(`pm2 test daemon: first start failed, starting again: ${err instanceof Error ? err.message : String(err)}\n`);
    return await startPm2Once(apps);
  }
}

async function startPm2Once(apps: readonly Pm2App[]): Promise<Pm2Daemon> {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'cm-pm2-'));
  const home = path.join(dir, 'pm2-home');
  await fsp.mkdir(home);
  const env = minimalEnv({ PM2_HOME: home, HOME: dir, PM2_DISCRETE_MODE: 'true' });
  const pm2 = (args: string[], timeoutMs = 30_000) => runProcess(PM2_BIN, args, { cwd: dir, env, timeoutMs });
  const list = async (): Promise<Pm2ProcessInfo[]> => {
    const res = await pm2(['jlist']);
    if (res.code !== 0) throw new Error(`pm2 jlist: exit ${res.code}: ${res.stderr || res.stdout}`);
    // The list is one line of JSON, after any daemon chatter (which may also start with "["). Read
    // here, not with src/pm2's parseJlist: the tests judge the project's reading against this one.
    for (const line of res.stdout.split('\n').reverse()) {
      if (!line.startsWith('[{') && line !== '[]') continue;
      try {
        const raw = JSON.parse(line) as { name: string; pm2_env: { status: string; restart_time?: number } }[];
        return raw.map((p) => ({ name: p.name, status: p.pm2_env.status, restarts: p.pm2_env.restart_time ?? 0 }));
      } catch {
        /* chatter, or a list cut short: look further up */
      }
    }
    throw new Error(`pm2 jlist: no process list in its output: ${JSON.stringify(res.stdout.slice(0, 300))} ${JSON.stringify(res.stderr.slice(0, 300))}`);
  };
  const kill = async () => {
    await pm2(['kill'], 20_000).catch(() => undefined);
    await fsp.rm(dir, { recursive: true, force: true });
  };
  try {
    const ecosystem = {
      apps: await Promise.all(
        apps.map(async (a) => {
          const script = path.join(dir, `${a.name}.cjs`);
          await fsp.writeFile(script, a.code);
          return { name: a.name, script, cwd: dir, ...a.options };
        }),
      ),
    };
    const file = path.join(dir, 'ecosystem.json');
    await fsp.writeFile(file, JSON.stringify(ecosystem, null, 2));
    const res = await pm2(['start', file], 60_000);
    if (res.code !== 0) throw new Error(`pm2 start: exit ${res.code}: ${res.stderr || res.stdout}`);
    return {
      home,
      dir,
      bin: PM2_BIN,
      pm2,
      list,
      kill,
      async waitFor(ready, timeoutMs = 20_000) {
        const deadline = Date.now() + timeoutMs;
        let last: Pm2ProcessInfo[] = [];
        let lastError = '';
        while (Date.now() < deadline) {
          // A daemon busy restarting apps may fail one jlist: poll on until the deadline.
          try {
            last = await list();
            lastError = '';
            if (ready(last)) return last;
          } catch (err) {
            lastError = err instanceof Error ? err.message : String(err);
          }
          await new Promise((r) => setTimeout(r, 150));
        }
        throw new Error(`pm2: condition not met within ${timeoutMs} ms: ${JSON.stringify(last)}${lastError ? `; last jlist: ${lastError}` : ''}`);
      },
    };
  } catch (err) {
    await kill();
    throw err;
  }
}
