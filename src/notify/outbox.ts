import fs from 'node:fs';
import path from 'node:path';
import { writeJsonAtomic } from '../workspace/atomic.js';
import { stamp } from '../workspace/backup.js';
import { matchesFilter, type NotifyEvent } from '../channels/event.js';
import type { ChannelConfig } from '../channels/schema.js';

/** Where one event stands with one channel. */
export interface Receipt {
  state: 'pending' | 'delivered';
  attempts: number;
  /** Not tried again before this (ISO): the backoff after a failure. */
  nextAttemptAt?: string;
  lastError?: string;
  deliveredAt?: string;
}

export interface OutboxItem {
  event: NotifyEvent;
  /** Per channel name: an event reaches each receiver once, whatever the others did. */
  receivers: Record<string, Receipt>;
}

export interface ChannelRecord {
  /** The last message that reached it (flood control counts from here). */
  lastSentAt?: string;
  delivered: number;
  expired: number;
  lastError?: string;
  lastErrorAt?: string;
}

export interface Outbox {
  version: 1;
  items: OutboxItem[];
  channels: Record<string, ChannelRecord>;
}

/** Beyond this many undelivered events the oldest are dropped (a receiver gone for good must not fill the disk). */
export const MAX_OUTBOX_ITEMS = 2_000;

export function outboxPath(stateDir: string): string {
  return path.join(stateDir, 'notify-outbox.json');
}

export function readOutbox(stateDir: string): Outbox {
  const empty: Outbox = { version: 1, items: [], channels: {} };
  const file = outboxPath(stateDir);
  try {
    const data = JSON.parse(fs.readFileSync(file, 'utf8')) as Outbox;
    if (!data || !Array.isArray(data.items)) throw new Error('not an outbox');
    return { version: 1, items: data.items, channels: data.channels ?? {} };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return empty;
    // Kept aside for a person, never silently overwritten.
    fs.renameSync(file, `${file}.corrupt-${stamp(Date.now())}`);
    return empty;
  }
}

/** Written whole and atomically: a kill leaves the old outbox or the new, never half of one. */
export function writeOutbox(stateDir: string, box: Outbox): void {
  writeJsonAtomic(outboxPath(stateDir), box);
}

/**
 * Put events in the outbox, one receipt per channel whose filter takes them, and write it
 * before anything is sent. An id already there is not added twice. Returns how many were added.
 */
export function enqueue(stateDir: string, channels: readonly ChannelConfig[], events: readonly NotifyEvent[]): number {
  if (channels.length === 0 || events.length === 0) return 0;
  const box = readOutbox(stateDir);
  const known = new Set(box.items.map((i) => i.event.id));
  let added = 0;
  for (const event of events) {
    if (known.has(event.id)) continue;
    const receivers: Record<string, Receipt> = {};
    for (const c of channels) if (matchesFilter(c.events, event.event)) receivers[c.name] = { state: 'pending', attempts: 0 };
    if (Object.keys(receivers).length === 0) continue;
    box.items.push({ event, receivers });
    known.add(event.id);
    added++;
  }
  if (added === 0) return 0;
  if (box.items.length > MAX_OUTBOX_ITEMS) box.items.splice(0, box.items.length - MAX_OUTBOX_ITEMS);
  writeOutbox(stateDir, box);
  return added;
}

export interface OutboxSummary {
  /** Deliveries still owed: one per event per channel. */
  pending: number;
  channels: { name: string; pending: number; delivered: number; expired: number; lastSentAt?: string; lastError?: string; nextAttemptAt?: string }[];
}

/** What `status` shows: what is still owed to whom, and the last error each receiver gave. */
export function outboxSummary(stateDir: string, channels: readonly ChannelConfig[]): OutboxSummary {
  let box: Outbox;
  try {
    box = fs.existsSync(outboxPath(stateDir)) ? (JSON.parse(fs.readFileSync(outboxPath(stateDir), 'utf8')) as Outbox) : { version: 1, items: [], channels: {} };
  } catch {
    box = { version: 1, items: [], channels: {} };
  }
  const out: OutboxSummary = { pending: 0, channels: [] };
  for (const c of channels) {
    const owed = box.items.map((i) => i.receivers[c.name]).filter((r): r is Receipt => r?.state === 'pending');
    const rec = box.channels?.[c.name];
    const next = owed.map((r) => r.nextAttemptAt).filter((t): t is string => !!t).sort()[0];
    out.pending += owed.length;
    out.channels.push({
      name: c.name,
      pending: owed.length,
      delivered: rec?.delivered ?? 0,
      expired: rec?.expired ?? 0,
      ...(rec?.lastSentAt ? { lastSentAt: rec.lastSentAt } : {}),
      ...(rec?.lastError ? { lastError: rec.lastError } : {}),
      ...(next ? { nextAttemptAt: next } : {}),
    });
  }
  return out;
}
