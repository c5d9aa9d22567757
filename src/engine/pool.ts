import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { EngineStartError } from '../util/errors.js';
import { minimalEnv } from '../util/proc.js';
import type { EngineReady, WorkerRequest } from './worker.js';

type Request = WorkerRequest extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never;
type Job = { req: WorkerRequest; resolve: (v: unknown) => void; reject: (e: Error) => void };
type Reply = { id: number; ok: boolean; value?: unknown; error?: string; kept?: number };
type Message = Reply | EngineReady;

/** One engine, a thread or a process, behind the same few calls. */
interface Engine {
  send(req: WorkerRequest): void;
  ref(): void;
  unref(): void;
  terminate(): Promise<void>;
}
/** `ready`: the engine said it started (see EngineReady); `failed`: its end was handled. */
type Slot = { engine: Engine; job: Job | undefined; ready: boolean; failed?: boolean };

/**
 * Where the engines run. `thread`: worker threads of this process (the configured node is the
 * running one). `process`: child processes of another node binary, so its own V8 parses.
 */
export type EngineKind = { kind: 'thread'; heap?: EngineHeap } | { kind: 'process'; node: string };

/**
 * A thread engine's V8 heap bound (MB). V8 lets an idle heap grow far past what compiling one
 * batch needs (the scan's peak memory was mostly that); bounded, garbage goes sooner. An engine
 * that hits the bound dies with ERR_WORKER_OUT_OF_MEMORY: its job fails, and the caller retries
 * (see SyntaxChecker).
 */
export type EngineHeap = { oldMb: number; youngMb: number };

const WORKER_URL = new URL('./worker.js', import.meta.url);

/**
 * node:worker_threads, loaded with the first thread engine: a rescan of an unchanged tree starts
 * none, and loading it was 3-5 ms of every start.
 */
let workerThreads: typeof import('node:worker_threads') | undefined;
const threads = (): typeof import('node:worker_threads') => (workerThreads ??= createRequire(import.meta.url)('node:worker_threads') as typeof import('node:worker_threads'));
/**
 * V8 parses ES modules only through vm.SourceTextModule (--experimental-vm-modules); node's
 * internals (--expose-internals) give module errors their exact position and node's own option
 * defaults. Both are per-thread switches here; nothing else in the mechanic sees them.
 */
const ENGINE_ARGV = ['--experimental-vm-modules', '--expose-internals', '--no-warnings'];

/**
 * Node keeps every ES module record compiled in a thread, its source with it, for the life of the
 * thread (a CommonJS compile keeps nothing): an engine whose records keep this much (as it
 * reports, see moduleBytesKept) is retired after its reply and a fresh one takes its place, so
 * that a daemon's memory does not creep up scan after scan, fix after fix, and an engine stays
 * within its heap bound (DEFAULT_HEAP's 32 MB). Counted in files, as before, a cold scan of
 * 23,000 small files (1,200 of them modules, ~5 MB kept) started two engines more than it needed,
 * each paying its start-up and its warm-up again; at 8 MB the heavy bench tree (~39 MB of module
 * records) would start four or five more.
 */
const RETIRE_AFTER_KEPT_BYTES = 16 << 20;

export function defaultThreads(): number {
  return Math.max(1, Math.min(os.availableParallelism(), 8));
}

/**
 * Engines that compile sources with V8 off the main thread: the daemon stays responsive and a
 * large tree is spread over the cores. Started lazily, closed explicitly.
 */
export class WorkerPool {
  private slots: Slot[] = [];
  private queue: Job[] = [];
  private nextId = 1;
  private closed = false;
  /**
   * Set when an engine died before it said it started: its module cannot load, and neither will
   * the next one's. Every job is refused with it, and no engine starts, until clearStartFailure:
   * a tree of any size costs the engines already starting, not an engine a file.
   */
  private startFailure: EngineStartError | undefined;

  constructor(
    private readonly size = defaultThreads(),
    readonly engine: EngineKind = { kind: 'thread' },
  ) {}

  get threads(): number {
    return this.size;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Whether any engine is running (started by earlier work and not retired). */
  get live(): boolean {
    return this.slots.length > 0;
  }

  /**
   * Start up to `count` engines now, idle, so that their start-up (module load, the lexers'
   * WebAssembly) overlaps the caller's own work. One that cannot start is left to the first job
   * to report.
   */
  warm(count = this.size): void {
    if (this.startFailure) return;
    try {
      while (!this.closed && this.slots.length < Math.min(count, this.size)) this.spawn();
    } catch {
      // pump() starts it again and rejects the job with why
    }
  }

  run<T>(req: Request): Promise<T> {
    if (this.closed) return Promise.reject(new Error('worker pool is closed'));
    if (this.startFailure) return Promise.reject(this.startFailure);
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ req: { ...req, id: this.nextId++ }, resolve: resolve as (v: unknown) => void, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.queue.length) {
      let slot = this.slots.find((s) => !s.job);
      if (!slot && this.slots.length < this.size) {
        try {
          slot = this.spawn();
        } catch (err) {
          this.startFailed(err as Error);
          return;
        }
      }
      if (!slot) return;
      const job = this.queue.shift()!;
      slot.job = job;
      // Busy engines keep the process alive; idle ones do not.
      slot.engine.ref();
      slot.engine.send(job.req);
    }
  }

  private spawn(): Slot {
    const slot: Slot = { engine: undefined as unknown as Engine, job: undefined, ready: false };
    const onReply = (msg: Message) => {
      if ('ready' in msg) {
        slot.ready = true;
        return;
      }
      const job = slot.job;
      slot.job = undefined;
      if ((msg.kept ?? 0) >= RETIRE_AFTER_KEPT_BYTES) this.retire(slot);
      if (job && job.req.id === msg.id) {
        if (msg.ok) job.resolve(msg.value);
        else job.reject(new Error(msg.error));
      }
      this.pump();
      if (!slot.job && this.slots.includes(slot)) slot.engine.unref();
    };
    const fail = (err: Error) => {
      // Once an engine: a worker's 'exit' follows its 'error', and one that came after
      // clearStartFailure (the next cycle's retry) put "exited with code 1" in place of the
      // next engine's own reason.
      if (slot.failed) return;
      slot.failed = true;
      const job = slot.job;
      slot.job = undefined;
      this.slots = this.slots.filter((s) => s !== slot);
      if (!slot.ready && !this.closed) {
        if (job) this.queue.unshift(job);
        return this.startFailed(err);
      }
      job?.reject(err);
      if (!this.closed) this.pump();
    };
    slot.engine = this.engine.kind === 'thread' ? threadEngine(onReply, fail, this.engine.heap) : processEngine(this.engine.node, onReply, fail, () => this.closed);
    slot.engine.unref();
    this.slots.push(slot);
    return slot;
  }

  /** No engine can start: every job waiting is refused with why, and so is every job until clearStartFailure. */
  private startFailed(err: Error): void {
    this.startFailure ??= err instanceof EngineStartError ? err : new EngineStartError(`the syntax engine cannot start: ${err.message}`, { cause: err });
    for (const job of this.queue.splice(0)) job.reject(this.startFailure);
  }

  /** Let engines start again (an install fixed since): the next job starts one, and finds out. */
  clearStartFailure(): void {
    this.startFailure = undefined;
  }

  /** Take an idle engine out of service; the next job starts a fresh one. */
  private retire(slot: Slot): void {
    this.slots = this.slots.filter((s) => s !== slot);
    void slot.engine.terminate();
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue) job.reject(new Error('worker pool closed'));
    this.queue = [];
    await Promise.all(this.slots.map((s) => s.engine.terminate()));
    this.slots = [];
  }
}

function threadEngine(onReply: (msg: Message) => void, fail: (err: Error) => void, heap: EngineHeap | undefined): Engine {
  let worker: Worker;
  const resourceLimits = heap ? { resourceLimits: { maxOldGenerationSizeMb: heap.oldMb, maxYoungGenerationSizeMb: heap.youngMb } } : {};
  try {
    worker = new (threads().Worker)(WORKER_URL, { execArgv: ENGINE_ARGV, ...resourceLimits });
  } catch (err) {
    // A node that refuses --expose-internals in a worker: positions of module errors come from acorn.
    if ((err as { code?: string }).code !== 'ERR_WORKER_INVALID_EXEC_ARGV') throw err;
    worker = new (threads().Worker)(WORKER_URL, { execArgv: ENGINE_ARGV.filter((a) => a !== '--expose-internals'), ...resourceLimits });
  }
  let terminating = false;
  worker.on('message', onReply);
  worker.on('error', fail);
  worker.on('exit', (code) => {
    if (!terminating) fail(new Error(`syntax worker exited with code ${code}`));
  });
  return {
    send: (req) => worker.postMessage(req),
    ref: () => worker.ref(),
    unref: () => worker.unref(),
    terminate: async () => {
      terminating = true;
      await worker.terminate();
    },
  };
}

/**
 * A child process of another node binary, talking over IPC. Started with argv (never a shell)
 * and a minimal environment, it lives as long as the pool and ends with it or with its parent.
 */
function processEngine(node: string, onReply: (msg: Message) => void, fail: (err: Error) => void, closed: () => boolean): Engine {
  const child: ChildProcess = spawn(node, [...ENGINE_ARGV, fileURLToPath(WORKER_URL)], {
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    serialization: 'advanced',
    env: minimalEnv({ MECHANIC_SYNTAX_ENGINE: '1' }),
    shell: false,
    windowsHide: true,
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (d: string) => {
    stderr = (stderr + d).slice(-4000);
  });
  // 'error' and 'exit' may both come: the pool handles an engine's end once (see spawn's fail).
  const end = (why: string) => {
    if (!closed()) fail(new Error(`${node} syntax engine ${why}${stderr.trim() ? `: ${stderr.trim()}` : ''}`));
  };
  child.on('message', (msg) => onReply(msg as Message));
  child.on('error', (err) => end(`could not start (${err.message})`));
  // A turn later: IPC messages read with the exit (its READY) are seen first.
  child.on('exit', (code, signal) => setImmediate(() => end(`exited (${signal ?? `code ${code}`})`)));
  const handles = () => [child, child.channel, child.stderr] as Array<{ ref?: () => void; unref?: () => void } | null | undefined>;
  return {
    send: (req) => {
      if (!child.connected) return end('is not connected');
      child.send(req, (err) => {
        if (err) end(`could not be reached (${err.message})`);
      });
    },
    ref: () => handles().forEach((h) => h?.ref?.()),
    unref: () => handles().forEach((h) => h?.unref?.()),
    terminate: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        // An idle engine is unref'd: without this the loop could end before its exit is seen.
        child.ref();
        const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
        child.once('exit', () => {
          clearTimeout(force);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}
