/**
 * A real, throwaway PostgreSQL server for tests: `initdb` into a temporary folder, started on a
 * free loopback port (its socket in the same folder), password auth over TCP, stopped and
 * removed by `stop()`. As root it runs as the `postgres` user (PostgreSQL refuses root).
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { minimalEnv, runProcess, type RunResult } from '../../src/util/proc.js';

export interface PgServer {
  host: '127.0.0.1';
  port: number;
  user: 'postgres';
  password: string;
  /** `postgres://postgres:<password>@127.0.0.1:<port>/postgres` */
  url: string;
  dir: string;
  /** Run SQL as the superuser (setup and changes between cycles). */
  sql(text: string, values?: unknown[]): Promise<pg.QueryResult>;
  stop(): Promise<void>;
}

const BIN_NAMES = ['initdb', 'pg_ctl'] as const;

/** The folder holding `initdb` and `pg_ctl`, or undefined when PostgreSQL is not installed. */
export function findPgBin(): string | undefined {
  const candidates: string[] = [];
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) if (dir) candidates.push(dir);
  const lib = '/usr/lib/postgresql';
  if (fs.existsSync(lib)) {
    const versions = fs
      .readdirSync(lib)
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    for (const v of versions) candidates.push(path.join(lib, v, 'bin'));
  }
  return candidates.find((dir) => BIN_NAMES.every((b) => isExecutable(path.join(dir, b))));
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

async function mustRun(file: string, args: string[], opts: { cwd: string; timeoutMs: number }): Promise<RunResult> {
  const res = await runProcess(file, args, { cwd: opts.cwd, timeoutMs: opts.timeoutMs, env: minimalEnv({ LC_ALL: 'C' }) });
  if (res.code !== 0) {
    const why = res.spawnError ?? (res.timedOut ? 'timed out' : `exit ${res.code}: ${res.stderr || res.stdout}`);
    throw new Error(`${[file, ...args].join(' ')} failed: ${why}`);
  }
  return res;
}

/** As root: `runuser -u postgres --` (the user Debian's package creates), and the ids to chown to. */
async function runAs(): Promise<{ prefix: string[]; uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  for (const user of ['postgres', 'nobody']) {
    const uid = await runProcess('id', ['-u', user]);
    const gid = await runProcess('id', ['-g', user]);
    if (uid.code === 0 && gid.code === 0)
      return { prefix: ['runuser', '-u', user, '--'], uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  }
  throw new Error('running as root and neither a "postgres" nor a "nobody" user exists to run PostgreSQL');
}

export async function startPostgres(opts: { binDir?: string } = {}): Promise<PgServer> {
  const binDir = opts.binDir ?? findPgBin();
  if (!binDir) throw new Error('PostgreSQL binaries (initdb, pg_ctl) not found');
  const as = await runAs();
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'cm-pg-'));
  const data = path.join(dir, 'data');
  const password = `pw-${Math.random().toString(36).slice(2)}-Secret`;
  await fsp.writeFile(path.join(dir, 'pwfile'), `${password}\n`, { mode: 0o600 });
  if (as) {
    await fsp.chown(dir, as.uid, as.gid);
    await fsp.chown(path.join(dir, 'pwfile'), as.uid, as.gid);
  }
  const cmd = (bin: string, args: string[]): [string, string[]] =>
    as ? [as.prefix[0]!, [...as.prefix.slice(1), path.join(binDir, bin), ...args]] : [path.join(binDir, bin), args];
  const stopServer = async () => {
    await runProcess(...cmd('pg_ctl', ['-D', data, '-m', 'immediate', '-w', '-t', '20', 'stop']), { cwd: dir, timeoutMs: 30_000 });
  };
  try {
    await mustRun(
      ...cmd('initdb', ['-D', data, '-U', 'postgres', '--auth-local=trust', '--auth-host=scram-sha-256', `--pwfile=${path.join(dir, 'pwfile')}`, '--no-locale', '-E', 'UTF8', '--no-sync']),
      { cwd: dir, timeoutMs: 60_000 },
    );
    let port = 0;
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      const options = `-h 127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c full_page_writes=off`;
      try {
        await mustRun(...cmd('pg_ctl', ['-D', data, '-o', options, '-l', path.join(dir, 'server.log'), '-w', '-t', '30', 'start']), {
          cwd: dir,
          timeoutMs: 45_000,
        });
        break;
      } catch (err) {
        if (attempt >= 3) {
          const log = await fsp.readFile(path.join(dir, 'server.log'), 'utf8').catch(() => '');
          throw new Error(`${(err as Error).message}\n${log.slice(-2000)}`);
        }
      }
    }
    const url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
    const sql = async (text: string, values?: unknown[]) => {
      const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
      await client.connect();
      try {
        return await client.query(text, values);
      } finally {
        await client.end();
      }
    };
    return {
      host: '127.0.0.1',
      port,
      user: 'postgres',
      password,
      url,
      dir,
      sql,
      stop: async () => {
        await stopServer();
        await fsp.rm(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await stopServer().catch(() => undefined);
    await fsp.rm(dir, { recursive: true, force: true });
    throw err;
  }
}
