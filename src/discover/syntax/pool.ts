import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { WorkerRequest } from './worker.js';

type Request = WorkerRequest extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never;
type Job = { req: WorkerRequest; resolve: (v: unknown) => void; reject: (e: Error) => void };
type Slot = { worker: Worker; job: Job | undefined };

/** V8 parses ES modules only through vm.SourceTextModule, which this flag enables per thread. */
const WORKER_ARGV = ['--experimental-vm-modules', '--no-warnings'];

/**
 * Worker threads that compile sources with V8 off the main thread: the daemon stays responsive
 * and a large tree is spread over the cores. Started lazily, closed explicitly.
 */
export class WorkerPool {
  private slots: Slot[] = [];
  private queue: Job[] = [];
  private nextId = 1;
  private closed = false;

  constructor(private readonly size = Math.max(1, Math.min(os.availableParallelism(), 8))) {}

  get threads(): number {
    return this.size;
  }

  run<T>(req: Request): Promise<T> {
    if (this.closed) return Promise.reject(new Error('worker pool is closed'));
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ req: { ...req, id: this.nextId++ } as WorkerRequest, resolve: resolve as (v: unknown) => void, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.queue.length) {
      let slot = this.slots.find((s) => !s.job);
      if (!slot && this.slots.length < this.size) slot = this.spawn();
      if (!slot) return;
      const job = this.queue.shift()!;
      slot.job = job;
      // Busy workers keep the process alive; idle ones do not.
      slot.worker.ref();
      slot.worker.postMessage(job.req);
    }
  }

  private spawn(): Slot {
    const worker = new Worker(new URL('./worker.js', import.meta.url), { execArgv: WORKER_ARGV });
    worker.unref();
    const slot: Slot = { worker, job: undefined };
    worker.on('message', (msg: { id: number; ok: boolean; value?: unknown; error?: string }) => {
      const job = slot.job;
      slot.job = undefined;
      if (job && job.req.id === msg.id) {
        if (msg.ok) job.resolve(msg.value);
        else job.reject(new Error(msg.error));
      }
      this.pump();
      if (!slot.job) worker.unref();
    });
    const fail = (err: Error) => {
      const job = slot.job;
      slot.job = undefined;
      this.slots = this.slots.filter((s) => s !== slot);
      job?.reject(err);
      if (!this.closed) this.pump();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (!this.closed) fail(new Error(`syntax worker exited with code ${code}`));
    });
    this.slots.push(slot);
    return slot;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue) job.reject(new Error('worker pool closed'));
    this.queue = [];
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
    this.slots = [];
  }
}
