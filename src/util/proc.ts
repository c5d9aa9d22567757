import { spawn } from 'node:child_process';

export interface RunOptions {
  cwd?: string;
  /** Full environment of the child. Defaults to a minimal one: never the parent's secrets. */
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  input?: string;
  /** Output beyond this many bytes per stream is dropped (the run still completes). */
  maxOutputBytes?: number;
  signal?: AbortSignal;
  /**
   * Run the child in a process group of its own and kill the whole group at the timeout or abort:
   * for programs that start others (a script), whose children would otherwise outlive the kill
   * and hold its output open.
   */
  killGroup?: boolean;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** Set when the program could not be started at all (ENOENT, EACCES). */
  spawnError?: string;
}

const KEEP_ENV = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR', 'SYSTEMROOT', 'PM2_HOME', 'XDG_RUNTIME_DIR', 'USER'];

/** The environment a child gets unless told otherwise: enough to run, no tokens or passwords. */
export function minimalEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const key of KEEP_ENV) if (process.env[key] !== undefined) env[key] = process.env[key];
  return { ...env, ...extra };
}

/**
 * The one way to run a child process. Arguments are an argv array and never pass through a
 * shell, so no file name can run a command.
 */
export function runProcess(file: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const max = opts.maxOutputBytes ?? 4 * 1024 * 1024;
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let settled = false;
    const child = spawn(file, args as string[], {
      cwd: opts.cwd,
      env: opts.env ?? minimalEnv(),
      shell: false,
      detached: !!opts.killGroup && process.platform !== 'win32',
      stdio: ['pipe', 'pipe', 'pipe'],
      windowsHide: true,
    });
    const finish = (result: RunResult) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      resolve(result);
    };
    const kill = () => {
      try {
        if (opts.killGroup && process.platform !== 'win32' && child.pid) process.kill(-child.pid, 'SIGKILL');
        else child.kill('SIGKILL');
      } catch {
        /* already gone */
      }
    };
    const onAbort = () => kill();
    const timer = opts.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          kill();
        }, opts.timeoutMs)
      : undefined;
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      if (stdout.length < max) stdout += d;
    });
    child.stderr.on('data', (d: string) => {
      if (stderr.length < max) stderr += d;
    });
    child.on('error', (err) => {
      finish({ code: null, signal: null, stdout, stderr, timedOut, spawnError: err.message });
    });
    child.on('close', (code, signal) => finish({ code, signal, stdout, stderr, timedOut }));
    child.stdin.on('error', () => {
      /* the child may exit before reading its input */
    });
    if (opts.input !== undefined) child.stdin.end(opts.input);
    else child.stdin.end();
  });
}
