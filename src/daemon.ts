import type { Config } from './config/load.js';
import { runCycle, type CycleReport } from './cycle.js';
import { SyntaxChecker } from './engine/checker.js';
import { isoTime, systemClock, type Clock } from './util/clock.js';
import { errorMessage } from './util/errors.js';
import { scrubberFor } from './util/secrets.js';
import { loadState, saveState, type CycleFailure } from './state/state.js';
import { acquireLock } from './workspace/lock.js';
import { daemonNotifier } from './notify/deliver.js';
import { serial, type Serial } from './util/serial.js';
import { fillSurfaces, type SurfaceFill } from './discover/syntax/fill.js';

export interface DaemonOptions {
  config: Config;
  clock?: Clock;
  /** Abort to stop: the cycle under way finishes its current write (or revert), then the loop ends. */
  signal: AbortSignal;
  onCycle?: (report: CycleReport, n: number) => void;
  onError?: (message: string) => void;
  warn?: (message: string) => void;
  /** After each idle fill of export surfaces that read something or was stopped (see fillSurfaces). */
  onIdleFill?: (fill: SurfaceFill) => void;
  /** Stop after this many cycles (for tests and `--cycles`). */
  maxCycles?: number;
  /** Shared with a server in the same process (`daemon --http`): wake the loop, act between cycles. */
  control?: LoopControl;
}

/**
 * What a server inside the daemon's process may do with its loop: start the next cycle now, and
 * run an action (a revert, an apply) between cycles, under the lock the daemon holds.
 */
export interface DaemonControl {
  /** Start the next cycle now rather than at the end of the interval (or right after the one under way). */
  wake(): void;
  /** Run `fn` when no cycle is under way; the next cycle waits for it. */
  exclusive: Serial;
  readonly phase: 'starting' | 'cycle' | 'waiting' | 'stopped';
  readonly cycles: number;
  /** When the next cycle is due (ms since the epoch), while waiting for it. */
  readonly nextCycleAt: number | undefined;
}

/** The loop's side of the control. */
export interface LoopControl extends DaemonControl {
  /** The signal a wait ends on: the daemon's own, or a wake (one that came during the cycle counts). */
  waitSignal(signal: AbortSignal): AbortSignal;
  set(p: Partial<Pick<DaemonControl, 'phase' | 'cycles' | 'nextCycleAt'>>): void;
}

export function daemonControl(): LoopControl {
  let woken = new AbortController();
  let pending = false;
  const c: LoopControl = {
    phase: 'starting',
    cycles: 0,
    nextCycleAt: undefined,
    exclusive: serial(),
    wake() {
      pending = true;
      woken.abort();
    },
    waitSignal(signal) {
      woken = new AbortController();
      if (pending) woken.abort();
      pending = false;
      return AbortSignal.any([signal, woken.signal]);
    },
    set(p) {
      Object.assign(c, p);
      // The cycle that starts now is the one a wake asked for.
      if (p.phase === 'cycle') pending = false;
    },
  };
  return c;
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
  const control = opts.control;
  // Deliveries happen between cycles and while waiting, never inside one: a receiver cannot hold a cycle up.
  const notifier = daemonNotifier(config, clock, opts.warn);
  // Records found to export nothing: not read again while unchanged (their record looks unread).
  const empty = new Map<string, string>();
  // Whether records may lack a surface: until a fill found none left, and after a scan deferred some.
  let fillNeeded = true;
  // The run of failed cycles under way, as the state keeps it: a restarted daemon goes on with it
  // (one daemon.failing a run, however many restarts; daemon.recovered when one finishes).
  let failing = keptFailure(config, opts.warn);
  /**
   * Between cycles, the surfaces the scans deferred: within the configured bytes and time, never
   * past the wait, stopped between batches by `sig` (a shutdown or a wake). A failure only warns.
   */
  const idleFill = async (maxMs: number, sig: AbortSignal): Promise<void> => {
    if (!fillNeeded || config.idleFillBytes <= 0 || maxMs <= 0 || sig.aborted) return;
    const fill = () => fillSurfaces(config, checker, { maxBytes: config.idleFillBytes, maxMs, signal: sig, empty });
    try {
      const r = control ? await control.exclusive(fill) : await fill();
      if (!r.left && !r.stopped) fillNeeded = false;
      if (r.read || r.stopped === 'signal') opts.onIdleFill?.(r);
    } catch (err) {
      opts.warn?.(`idle fill of export surfaces failed: ${errorMessage(err)}`);
    }
  };
  try {
    await notifier.started();
    while (!signal.aborted) {
      const started = clock.now();
      const cycle = () => {
        control?.set({ phase: 'cycle', nextCycleAt: undefined });
        return runCycle({ config, clock, mode: 'run', signal, lockHeld: true, checker, ...(opts.warn ? { warn: opts.warn } : {}) });
      };
      try {
        // A server's action (revert, apply) never runs inside a cycle: both go through `exclusive`.
        const report = control ? await control.exclusive(cycle) : await cycle();
        cycles++;
        // (The cycle, finishing, cleared the record in the state: closeCycle.)
        if (failing) {
          notifier.recovered(failing);
          failing = undefined;
        }
        if (report.scan?.surfacesDeferred) fillNeeded = true;
        opts.onCycle?.(report, cycles);
      } catch (err) {
        // One bad cycle must not end the daemon; the next one tries again. Told once a run of
        // them, and kept for status and /health: a daemon failing every cycle was silent.
        cycles++;
        const message = errorMessage(err);
        if (!signal.aborted) {
          const at = isoTime(clock.now());
          const first = !failing;
          failing = failing ? { ...failing, lastAt: at, cycles: failing.cycles + 1, message } : { since: at, lastAt: at, cycles: 1, message };
          keepFailure(config, failing, opts.warn);
          if (first) notifier.failing(failing);
        }
        opts.onError?.(message);
      }
      control?.set({ phase: 'waiting', cycles });
      await notifier.flush(signal);
      if (opts.maxCycles !== undefined && cycles >= opts.maxCycles) break;
      const wait = started + config.cycleIntervalMs - clock.now();
      control?.set({ nextCycleAt: clock.now() + Math.max(0, wait) });
      if (wait > 0) {
        const waitOn = control ? control.waitSignal(signal) : signal;
        await idleFill(Math.min(wait, config.idleFillMs), waitOn);
        const rest = started + config.cycleIntervalMs - clock.now();
        if (rest > 0) await notifier.idle(rest, waitOn);
      }
    }
    await notifier.stopped(cycles);
  } finally {
    control?.set({ phase: 'stopped', nextCycleAt: undefined });
    await checker.close();
    lock.release();
  }
  return cycles;
}

/** The run of failed cycles the state holds, if any (an unreadable state: none, with a warning). */
function keptFailure(config: Config, warn?: (m: string) => void): CycleFailure | undefined {
  try {
    return loadState(config.stateDir, warn).cycleFailure;
  } catch (err) {
    warn?.(`cannot read the state for failed cycles: ${errorMessage(err)}`);
    return undefined;
  }
}

/** Record the run of failed cycles; a state that cannot be written only warns. */
function keepFailure(config: Config, failure: CycleFailure, warn?: (m: string) => void): void {
  try {
    const state = loadState(config.stateDir, warn);
    state.cycleFailure = failure;
    saveState(config.stateDir, state, scrubberFor(config));
  } catch (err) {
    warn?.(`cannot record the failed cycles in the state: ${errorMessage(err)}`);
  }
}
