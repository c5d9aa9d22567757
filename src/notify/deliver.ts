import type { Config } from '../config/load.js';
import type { LogEntry } from '../state/log.js';
import type { CycleFailure } from '../state/state.js';
import { isoTime, systemClock, type Clock } from '../util/clock.js';
import { errorMessage } from '../util/errors.js';
import { scrubberFor, type Scrub } from '../util/secrets.js';
import { acquireLock } from '../workspace/lock.js';
import { channelKind } from '../channels/registry.js';
import type { SendResult } from '../channels/types.js';
import type { Message, NotifyEvent } from '../channels/event.js';
import { digestOf, eventsFromLog, ownEvent, projectName, type EventContext } from './events.js';
import { enqueue, readOutbox, writeOutbox, type Outbox, type OutboxItem } from './outbox.js';
import type { ChannelConfig } from '../channels/schema.js';

/** What notify needs of a config. */
export type NotifyConfig = Pick<Config, 'notify' | 'stateDir' | 'baseDir' | 'roots' | 'llm' | 'probes'>;

export function eventContext(config: NotifyConfig): EventContext {
  return { project: projectName(config.baseDir), scrub: scrubberFor(config) };
}

/** Turn a cycle's (or a command's) new log entries into events in the outbox. Never throws: a note goes to `warn`. */
export function enqueueLogEntries(config: NotifyConfig, entries: readonly LogEntry[], warn: (m: string) => void = () => {}): number {
  if (config.notify.length === 0) return 0;
  try {
    return enqueue(config.stateDir, config.notify, eventsFromLog(entries, eventContext(config)));
  } catch (err) {
    warn(`notify: cannot write the outbox: ${errorMessage(err)}`);
    return 0;
  }
}

/** One message sent to one channel: what the receiver answered. */
export interface SendReport {
  channel: string;
  type: string;
  /** The event ids the message carried (several for a digest). */
  ids: string[];
  ok: boolean;
  detail: string;
  status?: number;
  durationMs: number;
}

export interface DeliverOptions {
  clock?: Clock;
  /** The whole delivery ends within this: what is left waits in the outbox. */
  budgetMs: number;
  /** Aborted on shutdown: sends under way stop, what is left waits. */
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
}

export interface DeliveryReport {
  sent: SendReport[];
  expired: number;
  /** Deliveries still owed after this one. */
  pending: number;
}

/** Send one message on one channel within its timeout and the overall bound; never throws. */
export async function sendMessage(channel: ChannelConfig, message: Message, opts: { budget: AbortSignal; env: NodeJS.ProcessEnv; baseDir: string; scrub: Scrub; clock: Clock }): Promise<SendReport> {
  const started = opts.clock.now();
  const kind = channelKind(channel.type);
  const ids = message.event === 'digest' ? message.events.map((e) => e.id) : [message.id];
  let result: SendResult;
  if (!kind) result = { ok: false, detail: `unknown channel type ${channel.type}` };
  else {
    const signal = AbortSignal.any([opts.budget, AbortSignal.timeout(channel.timeoutMs)]);
    try {
      result = await kind.send(channel, message, { signal, timeoutMs: channel.timeoutMs, env: opts.env, baseDir: opts.baseDir, scrub: opts.scrub });
    } catch (err) {
      result = { ok: false, detail: opts.scrub(errorMessage(err)) };
    }
  }
  return { channel: channel.name, type: channel.type, ids, ...result, durationMs: opts.clock.now() - started };
}

const ms = (iso: string | undefined) => (iso ? Date.parse(iso) : 0);

function backoff(channel: ChannelConfig, attempts: number): number {
  return Math.min(channel.maxRetryMs, channel.retryMs * 2 ** Math.min(30, attempts - 1));
}

/** When a channel may next be sent to: flood control counts from its last message. */
function openAt(box: Outbox, channel: ChannelConfig): number {
  const last = box.channels[channel.name]?.lastSentAt;
  return last && channel.minIntervalMs > 0 ? ms(last) + channel.minIntervalMs : 0;
}

/** Expire what is too old, forget receivers no longer configured, drop items owed to no one. */
function tidy(box: Outbox, channels: readonly ChannelConfig[], now: number): number {
  const byName = new Map(channels.map((c) => [c.name, c]));
  let expired = 0;
  for (const item of box.items) {
    for (const [name, r] of Object.entries(item.receivers)) {
      const c = byName.get(name);
      if (!c) delete item.receivers[name];
      else if (r.state === 'pending' && ms(item.event.time) + c.expireMs <= now) {
        delete item.receivers[name];
        const rec = (box.channels[name] ??= { delivered: 0, expired: 0 });
        rec.expired++;
        expired++;
      }
    }
  }
  box.items = box.items.filter((i) => Object.values(i.receivers).some((r) => r.state === 'pending'));
  return expired;
}

/**
 * Send what the outbox owes, each channel in parallel, each in order; a channel that fails is
 * left for its backoff (the rest of its events wait with it). A flood-controlled channel gets
 * at most one message per `minIntervalMs`: what piled up meanwhile goes as one digest. The
 * outbox is written after every answer, so a kill loses nothing and repeats nothing already
 * answered. Never throws; bounded by `budgetMs`.
 */
export async function deliver(config: NotifyConfig, opts: DeliverOptions): Promise<DeliveryReport> {
  const clock = opts.clock ?? systemClock;
  const report: DeliveryReport = { sent: [], expired: 0, pending: 0 };
  if (config.notify.length === 0) return report;
  const box = readOutbox(config.stateDir);
  const before = JSON.stringify(box);
  report.expired = tidy(box, config.notify, clock.now());
  if (JSON.stringify(box) !== before) writeOutbox(config.stateDir, box);
  const budget = opts.signal ? AbortSignal.any([opts.signal, AbortSignal.timeout(opts.budgetMs)]) : AbortSignal.timeout(opts.budgetMs);
  const ctx = eventContext(config);
  const send = { budget, env: opts.env ?? process.env, baseDir: config.baseDir, scrub: ctx.scrub, clock };

  const record = (channel: ChannelConfig, group: OutboxItem[], r: SendReport) => {
    const now = clock.now();
    const rec = (box.channels[channel.name] ??= { delivered: 0, expired: 0 });
    for (const item of group) {
      const receipt = item.receivers[channel.name]!;
      receipt.attempts++;
      if (r.ok) {
        receipt.state = 'delivered';
        receipt.deliveredAt = isoTime(now);
        delete receipt.nextAttemptAt;
        rec.delivered++;
      } else {
        receipt.lastError = r.detail;
        receipt.nextAttemptAt = isoTime(now + backoff(channel, receipt.attempts));
      }
    }
    if (r.ok) rec.lastSentAt = isoTime(now);
    else {
      rec.lastError = r.detail;
      rec.lastErrorAt = isoTime(now);
    }
    report.sent.push(r);
    writeOutbox(config.stateDir, box);
  };

  await Promise.all(
    config.notify.map(async (channel) => {
      while (!budget.aborted) {
        const now = clock.now();
        if (openAt(box, channel) > now) return;
        const due = box.items.filter((i) => i.receivers[channel.name]?.state === 'pending' && ms(i.receivers[channel.name]!.nextAttemptAt) <= now);
        if (due.length === 0) return;
        const group = due.length > 1 && channel.minIntervalMs > 0 ? due : due.slice(0, 1);
        const message: Message = group.length > 1 ? digestOf(group.map((i) => i.event), now, ctx) : group[0]!.event;
        const r = await sendMessage(channel, message, send);
        // An answer that came after the bound still counts: the receiver has it.
        try {
          record(channel, group, r);
        } catch {
          return;
        }
        if (!r.ok) return;
      }
    }),
  );
  if (report.sent.length) {
    tidy(box, config.notify, clock.now());
    writeOutbox(config.stateDir, box);
  }
  for (const item of box.items) for (const r of Object.values(item.receivers)) if (r.state === 'pending') report.pending++;
  return report;
}

/** When something in the outbox may next go out (a backoff or a flood interval ending), or undefined. */
export function nextDueAt(config: NotifyConfig): number | undefined {
  let next: number | undefined;
  const box = readOutbox(config.stateDir);
  for (const channel of config.notify) {
    for (const item of box.items) {
      const r = item.receivers[channel.name];
      if (r?.state !== 'pending') continue;
      const t = Math.max(ms(r.nextAttemptAt), openAt(box, channel));
      if (next === undefined || t < next) next = t;
    }
  }
  return next;
}

/**
 * For a command that ran once (`run`, `fix`, `revert`): deliver within a short bound, under the
 * state lock so no daemon delivers the same outbox at once; if one holds it, it delivers.
 */
export async function deliverOnce(config: NotifyConfig, opts: DeliverOptions): Promise<DeliveryReport | undefined> {
  if (config.notify.length === 0) return undefined;
  try {
    return await deliverLocked(config, opts);
  } catch {
    return undefined;
  }
}

/** Deliver under the state lock; another mechanic holding it is a BusyError. */
export async function deliverLocked(config: NotifyConfig, opts: DeliverOptions): Promise<DeliveryReport> {
  const lock = acquireLock(config.stateDir, 'notify');
  try {
    return await deliver(config, opts);
  } finally {
    lock.release();
  }
}

/** `mechanic notify --test`: a test event straight to every channel (filters and the outbox left out). */
export async function sendTest(config: NotifyConfig, opts: { clock?: Clock; env?: NodeJS.ProcessEnv } = {}): Promise<SendReport[]> {
  const clock = opts.clock ?? systemClock;
  const ctx = eventContext(config);
  const event: NotifyEvent = ownEvent('test', clock.now(), ctx, `test notification from code-mechanic on ${ctx.project}`);
  const longest = Math.max(...config.notify.map((c) => c.timeoutMs), 0);
  const budget = AbortSignal.timeout(longest + 1_000);
  return Promise.all(config.notify.map((c) => sendMessage(c, event, { budget, env: opts.env ?? process.env, baseDir: config.baseDir, scrub: ctx.scrub, clock })));
}

/** The daemon's side of notifications: its own events, delivery between cycles and while it waits. */
export interface Notifier {
  started(): Promise<void>;
  /** Deliver what is due now (bounded). */
  flush(signal?: AbortSignal): Promise<void>;
  /** Wait `waitMs` (or until aborted), delivering whenever a backoff or flood interval ends. */
  idle(waitMs: number, signal: AbortSignal): Promise<void>;
  stopped(cycles: number): Promise<void>;
  /** The first of a run of failed cycles (written to the outbox; delivered with the next flush). */
  failing(f: CycleFailure): void;
  /** The first cycle that finished after `f`. */
  recovered(f: CycleFailure): void;
}

/** Bound of one delivery between cycles, and of the ones at start and stop (which hold the daemon up). */
const FLUSH_BUDGET_MS = 30_000;
const STOP_BUDGET_MS = 5_000;

export function daemonNotifier(config: NotifyConfig, clock: Clock, warn: (m: string) => void = () => {}): Notifier {
  const on = config.notify.length > 0;
  const run = async (budgetMs: number, signal?: AbortSignal) => {
    try {
      const r = await deliver(config, { clock, budgetMs, ...(signal ? { signal } : {}) });
      for (const s of r.sent) if (!s.ok) warn(`notify ${s.channel}: ${s.detail} (kept in the outbox, retried later)`);
    } catch (err) {
      warn(`notify: ${errorMessage(err)}`);
    }
  };
  const own = (event: 'daemon.started' | 'daemon.stopped' | 'daemon.failing' | 'daemon.recovered', summary: string, extra: Partial<NotifyEvent> = {}) => {
    if (!on) return;
    try {
      enqueue(config.stateDir, config.notify, [ownEvent(event, clock.now(), eventContext(config), summary, { pid: process.pid, ...extra })]);
    } catch (err) {
      warn(`notify: cannot write the outbox: ${errorMessage(err)}`);
    }
  };
  return {
    async started() {
      if (!on) return;
      own('daemon.started', `mechanic daemon started (pid ${process.pid})`);
      await run(STOP_BUDGET_MS);
    },
    async flush(signal) {
      if (on && !signal?.aborted) await run(FLUSH_BUDGET_MS, signal);
    },
    async idle(waitMs, signal) {
      const end = clock.now() + waitMs;
      while (!signal.aborted && clock.now() < end) {
        const next = on ? nextDueAt(config) : undefined;
        if (next === undefined || next >= end) return clock.sleep(end - clock.now(), signal);
        // At least a second between tries: a send that keeps finding nothing due must not spin.
        await clock.sleep(Math.min(end - clock.now(), Math.max(1_000, next - clock.now())), signal);
        if (!signal.aborted) await run(FLUSH_BUDGET_MS, signal);
      }
    },
    async stopped(cycles) {
      if (!on) return;
      own('daemon.stopped', `mechanic daemon stopped after ${cycles} cycle(s)`);
      await run(STOP_BUDGET_MS);
    },
    failing(f) {
      own('daemon.failing', `mechanic cycles are failing: ${f.message}`, { status: 'failing', reason: f.message, attempts: f.cycles });
    },
    recovered(f) {
      own('daemon.recovered', `mechanic cycles finish again, after ${f.cycles} failed cycle(s) since ${f.since}`, { status: 'recovered', from: 'failing', reason: f.message, attempts: f.cycles });
    },
  };
}
