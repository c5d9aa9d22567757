import type { Config } from './config/load.js';
import { runCycle, type CycleReport } from './cycle.js';
import { SyntaxChecker } from './engine/checker.js';
import { systemClock, type Clock } from './util/clock.js';
import { errorMessage } from './util/errors.js';
import { acquireLock } from './workspace/lock.js';
import { daemonNotifier } from './notify/deliver.js';

export interface DaemonOptions {
  config: Config;
  clock?: Clock;
  /** Abort to stop: the cycle under way finishes its current write (or revert), then the loop ends. */
  signal: AbortSignal;
  onCycle?: (report: CycleReport, n: number) => void;
  onError?: (message: string) => void;
  warn?: (message: string) => void;
  /** Stop after this many cycles (for tests and `--cycles`). */
  maxCycles?: number;
}

/**
 * Cycle every `cycleIntervalMs`, measured start to start, never two at once, holding the state
 * lock for its whole life so that no second daemon (or `mechanic run`) can start beside it.
 */
export async function runDaemon(opts: DaemonOptions): Promise<number> {
  const clock = opts.clock ?? systemClock;
  const { config, signal } = opts;
  const lock = acquireLock(config.stateDir, 'daemon');
  const checker = await SyntaxChecker.create(config.node);
  let cycles = 0;
  // Deliveries happen between cycles and while waiting, never inside one: a receiver cannot hold a cycle up.
  const notifier = daemonNotifier(config, clock, opts.warn);
  try {
    await notifier.started();
    while (!signal.aborted) {
      const started = clock.now();
      try {
        const report = await runCycle({
          config,
          clock,
          mode: 'run',
          signal,
          lockHeld: true,
          checker,
          ...(opts.warn ? { warn: opts.warn } : {}),
        });
        cycles++;
        opts.onCycle?.(report, cycles);
      } catch (err) {
        // One bad cycle must not end the daemon; the next one tries again.
        cycles++;
        opts.onError?.(errorMessage(err));
      }
      await notifier.flush(signal);
      if (opts.maxCycles !== undefined && cycles >= opts.maxCycles) break;
      const wait = started + config.cycleIntervalMs - clock.now();
      if (wait > 0) await notifier.idle(wait, signal);
    }
    await notifier.stopped(cycles);
  } finally {
    await checker.close();
    lock.release();
  }
  return cycles;
}
