import type { Message, NotifyEvent } from './event.js';

/** Events a person should look at soon: louder on channels that have a priority. */
const URGENT = new Set(['probe.down', 'fix.reverted', 'fix.failed', 'bug.escalated', 'daemon.failing']);

export function isUrgent(m: Message): boolean {
  return m.event === 'digest' ? m.events.some((e) => URGENT.has(e.event)) : URGENT.has(m.event);
}

export function titleOf(m: Message): string {
  return `[mechanic ${m.project}] ${m.event === 'digest' ? m.summary : `${m.event}: ${m.summary}`}`;
}

function detailLines(e: NotifyEvent): string[] {
  const lines: string[] = [];
  if (e.file) lines.push(`file: ${e.file}`);
  if (e.probe) lines.push(`probe: ${e.probe}${e.status ? ` (${e.from ? `${e.from} → ` : ''}${e.status})` : ''}`);
  else if (e.status) lines.push(`status: ${e.status}`);
  if (e.reason && !e.summary.includes(e.reason)) lines.push(`reason: ${e.reason}`);
  if (e.process) lines.push(`process: ${e.process}`);
  if (e.branch) lines.push(`branch: ${e.branch}${e.url ? ` (${e.url})` : ''}`);
  if (e.commit) lines.push(`commit: ${e.commit}`);
  if (e.fixId) lines.push(`fix: ${e.fixId}`);
  return lines;
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 20))}\n… (${text.length - max + 20} more characters)`;
}

/**
 * Plain text of a message within `max` characters: the summary, the details, then the diff
 * (clipped first: it is the longest and the log has it whole). `fence` wraps the diff for chat.
 */
export function textOf(m: Message, max: number, fence = false): string {
  const head = `${m.summary}\n${m.host} · ${m.time} · ${m.id}`;
  if (m.event === 'digest') {
    const lines = m.events.map((e) => `• ${e.event}: ${e.summary}`);
    return clip(`${head}\n${lines.join('\n')}`, max);
  }
  const body = [head, ...detailLines(m)].join('\n');
  if (!m.diff) return clip(body, max);
  const room = max - body.length - (fence ? 10 : 2);
  if (room < 80) return clip(body, max);
  const diff = clip(m.diff.trimEnd(), room);
  return `${body}\n${fence ? '```\n' : '\n'}${diff}${fence ? '\n```' : ''}`;
}
