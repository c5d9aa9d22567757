/** What a channel is told: the event names and the one shape every channel gets. */

/** Every event a channel can be told about (the `events` filter takes these, or `prefix.*`). */
export const EVENT_NAMES = [
  'fix.applied',
  'fix.reverted',
  'fix.failed',
  'fix.proposed',
  'bug.escalated',
  'probe.down',
  'probe.degraded',
  'probe.recovered',
  'process.restarted',
  'remedy.ran',
  'daemon.started',
  'daemon.stopped',
  'daemon.failing',
  'daemon.recovered',
] as const;

export type EventName = (typeof EVENT_NAMES)[number];

/**
 * One notification, the same shape for every channel. `id` is stable across retries and
 * restarts: receivers de-duplicate on it (delivery is at least once).
 */
export interface NotifyEvent {
  event: EventName | 'test';
  id: string;
  time: string;
  host: string;
  project: string;
  /** One line a person reads first. */
  summary: string;
  file?: string;
  diff?: string;
  reason?: string;
  probe?: string;
  /** A probe's new status, a fix's outcome, a remedy's result. */
  status?: string;
  /** A probe's previous status. */
  from?: string;
  fixId?: string;
  strategy?: string;
  process?: string;
  action?: string[];
  attempts?: number;
  /** `fix.proposed`: where the fix waits for a person. */
  branch?: string;
  url?: string;
  commit?: string;
  pid?: number;
}

/** Several events a flood-controlled channel held back, sent as one message. */
export interface DigestEvent {
  event: 'digest';
  id: string;
  time: string;
  host: string;
  project: string;
  summary: string;
  events: NotifyEvent[];
}

export type Message = NotifyEvent | DigestEvent;

/** `fix.*` style patterns and exact names: does `name` pass the filter? */
export function matchesFilter(filter: readonly string[] | undefined, name: string): boolean {
  if (!filter) return true;
  return filter.some((f) => f === name || (f.endsWith('.*') && name.startsWith(f.slice(0, -1))));
}

/** Events a filter entry names: an exact name, or `prefix.*` that matches at least one. */
export function validFilterEntry(f: string): boolean {
  return (EVENT_NAMES as readonly string[]).includes(f) || (f.endsWith('.*') && EVENT_NAMES.some((n) => n.startsWith(f.slice(0, -1))));
}
