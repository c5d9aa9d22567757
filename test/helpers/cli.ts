import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { after } from 'node:test';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const cliPath = path.join(repoRoot, 'dist', 'cli', 'main.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A temporary project: its own HOME and state home, so no test sees another's state. */
export interface Sandbox {
  dir: string;
  app: string;
  home: string;
  env: NodeJS.ProcessEnv;
  write(rel: string, text: string | Buffer): string;
  read(rel: string): string;
  config(value: object): string;
  run(args: string[], opts?: { timeoutMs?: number; env?: NodeJS.ProcessEnv }): Promise<CliResult>;
  runJson<T = any>(args: string[], opts?: { timeoutMs?: number; env?: NodeJS.ProcessEnv }): Promise<CliResult & { json: T }>;
  spawn(args: string[], opts?: { env?: NodeJS.ProcessEnv }): ChildProcess;
  /** git in the app folder, with a committer identity; the exit status. */
  git(...args: string[]): number | null;
  cleanup(): void;
}

export function sandbox(prefix = 'mechanic-test-'): Sandbox {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
  const app = path.join(dir, 'app');
  const home = path.join(dir, 'home');
  fs.mkdirSync(app, { recursive: true });
  fs.mkdirSync(home, { recursive: true });
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    XDG_STATE_HOME: path.join(home, 'state'),
    PM2_HOME: path.join(home, '.pm2'),
    NO_COLOR: '1',
  };
  const sb: Sandbox = {
    dir,
    app,
    home,
    env,
    write(rel, text) {
      const p = path.join(app, rel);
      fs.mkdirSync(path.dirname(p), { recursive: true });
      fs.writeFileSync(p, text);
      return p;
    },
    read(rel) {
      return fs.readFileSync(path.join(app, rel), 'utf8');
    },
    config(value) {
      return sb.write('mechanic.config.json', JSON.stringify(value, null, 2));
    },
    run(args, opts = {}) {
      return runCli(args, { cwd: app, env: { ...env, ...opts.env }, timeoutMs: opts.timeoutMs ?? 60_000 });
    },
    async runJson(args, opts) {
      const r = await sb.run([...args, '--json'], opts);
      let json: any;
      try {
        json = JSON.parse(r.stdout);
      } catch {
        throw new Error(`not JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
      }
      return { ...r, json };
    },
    spawn(args, opts = {}) {
      const child = spawn(process.execPath, [cliPath, ...args], { cwd: app, env: { ...env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
      running.add(child);
      child.once('exit', () => running.delete(child));
      return child;
    },
    git(...args) {
      const identity = { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' };
      return spawnSync('git', ['-C', app, ...args], { encoding: 'utf8', env: { ...process.env, ...identity } }).status;
    },
    cleanup() {
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return sb;
}

// A test that fails while its daemon runs must not leave the daemon holding the test file open
// (its pipes keep the file's process alive, and the whole run waits for it).
const running = new Set<ChildProcess>();
after(() => {
  for (const child of running) child.kill('SIGKILL');
});

const made: Sandbox[] = [];
// Each test file runs in its own process: its sandboxes go when it exits (cleanup is synchronous).
process.once('exit', () => made.splice(0).forEach((s) => s.cleanup()));

/** A sandbox removed once the test file's tests have run. */
export function box(): Sandbox {
  const sb = sandbox();
  made.push(sb);
  return sb;
}

/** `cli`: another entry point than this checkout's dist/cli/main.js (a copy of dist/, its bin.cjs). */
export function runCli(args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number; cli?: string }): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [opts.cli ?? cliPath, ...args], { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`mechanic ${args.join(' ')} did not finish in ${opts.timeoutMs} ms\n${stdout}\n${stderr}`));
    }, opts.timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The seed's Step 2 file, byte for byte. */
export const SEED_WORKER = `const fs = require('fs');
function processData(input) {
// BUG: extra closing paren
const result = [1,2,3].map(x => x * 2));
return result;
}
module.exports = { processData };
`;

/** A loopback port with nothing listening (bound then released). */
export async function closedPort(): Promise<number> {
  const net = await import('node:net');
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

export function nodeCheck(file: string): boolean {
  return spawnSync(process.execPath, ['--check', file], { stdio: 'ignore' }).status === 0;
}

export async function waitFor<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 20_000, everyMs = 50): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
