import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { LogEntry } from '../state/log.js';
import { isoTime } from '../util/clock.js';
import { scrubDeep, type Scrub } from '../util/secrets.js';
import type { DigestEvent, NotifyEvent } from '../channels/event.js';


export interface EventContext {
  /** The project's name: the folder of the config (or the working folder). */
  project: string;
  scrub: Scrub;
  host?: string;
}

export function projectName(baseDir: string): string {
  return path.basename(baseDir) || baseDir;
}

function base(ctx: EventContext, event: NotifyEvent['event'], id: string, time: string, summary: string): NotifyEvent {
  return { event, id: `${event}:${id}`, time, host: ctx.host ?? os.hostname(), project: ctx.project, summary };
}

const rel = (file: string) => path.basename(file);

/** The events a batch of log entries stands for, secrets scrubbed. Entries with no event (recoveries, skips) give none. */
export function eventsFromLog(entries: readonly LogEntry[], ctx: EventContext): NotifyEvent[] {
  const out: NotifyEvent[] = [];
  for (const e of entries) {
    switch (e.type) {
      case 'fix': {
        const at = { file: e.file, reason: e.reason, fixId: e.id, strategy: e.strategy, status: e.outcome, ...(e.diff ? { diff: e.diff } : {}) };
        if (e.outcome === 'applied') {
          // A stale process's restart edits nothing: it is a restart, not a fix.
          if (e.strategy !== 'restart') out.push({ ...base(ctx, 'fix.applied', e.id, e.time, `fixed ${rel(e.file)} (${e.strategy})`), ...at, ...(e.commit ? { commit: e.commit } : {}) });
          if (e.restart?.ok)
            out.push({ ...base(ctx, 'process.restarted', e.id, e.time, `restarted ${e.restart.process} after ${e.strategy === 'restart' ? 'finding it ran stale code' : `fixing ${rel(e.file)}`}`), file: e.file, fixId: e.id, process: e.restart.process, reason: e.restart.reason });
        } else if (e.outcome === 'reverted') out.push({ ...base(ctx, 'fix.reverted', e.id, e.time, `fix of ${rel(e.file)} reverted: ${e.reason}`), ...at });
        else if (e.outcome === 'failed') out.push({ ...base(ctx, 'fix.failed', e.id, e.time, `could not fix ${rel(e.file)}: ${e.reason}`), ...at });
        else if (e.outcome === 'proposed')
          out.push({
            ...base(ctx, 'fix.proposed', e.id, e.time, `fix of ${rel(e.file)} proposed for review${e.proposal ? ` on ${e.proposal.branch}` : ''}`),
            ...at,
            ...(e.proposal ? { branch: e.proposal.branch, ...(e.proposal.url ? { url: e.proposal.url } : {}) } : {}),
          });
        break;
      }
      case 'revert':
        out.push({ ...base(ctx, 'fix.reverted', e.id, e.time, `fix ${e.fixId} of ${rel(e.file)} reverted`), file: e.file, fixId: e.fixId, status: 'reverted', reason: `restored from ${e.backup}`, ...(e.commit ? { commit: e.commit } : {}) });
        break;
      case 'probe': {
        const name = e.to === 'down' ? 'probe.down' : e.to === 'degraded' ? 'probe.degraded' : e.from === 'down' || e.from === 'degraded' ? 'probe.recovered' : undefined;
        if (name) out.push({ ...base(ctx, name, e.id, e.time, `probe ${e.probe} is ${e.to}${e.from === 'new' ? '' : ` (was ${e.from})`}: ${e.reason}`), probe: e.probe, status: e.to, from: e.from, reason: e.reason });
        break;
      }
      case 'remedy':
        out.push({
          ...base(ctx, 'remedy.ran', e.id, e.time, `remedy of ${e.probe}${e.process ? ` (${e.process})` : ''} ${e.outcome}: ${e.action.join(' ')}`),
          probe: e.probe,
          status: e.outcome,
          action: e.action,
          reason: e.reason,
          ...(e.process ? { process: e.process } : {}),
        });
        break;
      case 'escalation':
        out.push({ ...base(ctx, 'bug.escalated', e.id, e.time, `${rel(e.file)} needs a person: ${e.attempts} attempts failed`), file: e.file, attempts: e.attempts, reason: e.reason });
        break;
      default:
        break;
    }
  }
  return out.map((ev) => scrubDeep(ev, ctx.scrub));
}

/** An event the mechanic raises itself (daemon start, stop, failing cycles and their end; `notify --test`). */
export function ownEvent(event: 'daemon.started' | 'daemon.stopped' | 'daemon.failing' | 'daemon.recovered' | 'test', now: number, ctx: EventContext, summary: string, extra: Partial<NotifyEvent> = {}): NotifyEvent {
  const id = `${now}-${randomBytes(3).toString('hex')}`;
  return scrubDeep({ ...base(ctx, event, id, isoTime(now), summary), ...extra }, ctx.scrub);
}

/** One message for the events a flood-controlled channel held back. */
export function digestOf(events: readonly NotifyEvent[], now: number, ctx: EventContext): DigestEvent {
  const counts = new Map<string, number>();
  for (const e of events) counts.set(e.event, (counts.get(e.event) ?? 0) + 1);
  const what = [...counts].map(([k, n]) => `${n} ${k}`).join(', ');
  return {
    event: 'digest',
    id: `digest:${now}-${randomBytes(3).toString('hex')}`,
    time: isoTime(now),
    host: ctx.host ?? os.hostname(),
    project: ctx.project,
    summary: `${events.length} events: ${what}`,
    events: [...events],
  };
}
