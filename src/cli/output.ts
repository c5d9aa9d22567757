import path from 'node:path';
import type { CycleReport } from '../cycle.js';
import type { Bug } from '../discover/types.js';
import type { RemedyRun } from '../probes/remedy.js';
import type { ProbeResult } from '../probes/types.js';
import type { NeedsPerson } from '../ops/attention.js';
import type { ProbeHistory } from '../ops/history.js';
import type { FixEntry, LogEntry } from '../state/log.js';
import { defaultScrub, scrubDeep, type Scrub } from '../util/secrets.js';

const useColor = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code: number) => (s: string) => (useColor ? `\x1b[${code}m${s}\x1b[0m` : s);
export const green = paint(32);
export const yellow = paint(33);
export const red = paint(31);
export const dim = paint(2);
export const bold = paint(1);

/**
 * Everything the CLI prints goes through here, scrubbed of secrets: the built-in patterns until
 * a config is loaded, then its own scrub too (see `scrubberFor`).
 */
let scrub: Scrub = defaultScrub;
export function scrubOutputWith(s: Scrub): void {
  scrub = s;
}

export function print(text: string): void {
  process.stdout.write(scrub(text));
}

export function printError(text: string): void {
  process.stderr.write(scrub(text));
}

/** JSON with each string value scrubbed (not the text: `"tokenEnv": "GITHUB_TOKEN"` names no secret). */
export function printJson(value: unknown, oneLine = false): void {
  process.stdout.write(JSON.stringify(scrubDeep(value, scrub), null, oneLine ? undefined : 2) + '\n');
}

export function rel(file: string, roots: readonly string[]): string {
  const root = roots.find((r) => file === r || file.startsWith(r + path.sep));
  return root ? path.relative(root, file) || '.' : file;
}

const statusMark: Record<ProbeResult['status'], string> = { healthy: green('healthy '), degraded: yellow('degraded'), down: red('down    ') };

export function formatProbes(results: readonly ProbeResult[], summary: string): string {
  if (results.length === 0) return `probes: ${summary}`;
  const width = Math.max(...results.map((r) => r.name.length));
  // A reason that already states a time (`HTTP 200 in 41 ms`) is not followed by a second one.
  const took = (r: ProbeResult) => (/\d ms\b/.test(r.reason) ? '' : ` ${dim(`(${r.durationMs} ms)`)}`);
  const lines = results.map((r) => `  ${statusMark[r.status]}  ${r.name.padEnd(width)}  ${dim(`${r.kind.padEnd(9)}`)} ${r.reason}${took(r)}`);
  return `probes: ${summary}\n${lines.join('\n')}`;
}

export function formatBug(b: Bug, roots: readonly string[]): string {
  const where = `${rel(b.file, roots)}:${b.line}:${b.column}`;
  const extra = b.count && b.count > 1 ? dim(` (seen ${b.count}×)`) : '';
  const prot = b.protected ? dim(' [protected]') : '';
  // History: in the log before the mechanic first read it; acted on only when still possible.
  const hist = b.history && b.kind === 'runtime' ? (b.stillPossible ? yellow(` [history, still possible: ${b.stillPossible}]`) : dim(' [history: left alone, nothing shows it can still happen]')) : '';
  return `  ${b.kind.padEnd(7)} ${where}  ${b.errorType}: ${b.message}${extra}${prot}${hist}`;
}

export function formatBugs(bugs: readonly Bug[], roots: readonly string[]): string {
  if (bugs.length === 0) return 'bugs: none found';
  const history = bugs.filter((b) => b.kind === 'runtime' && b.history && !b.stillPossible).length;
  return `bugs: ${bugs.length} found${history ? ` (${history} history, left alone)` : ''}\n${bugs.map((b) => formatBug(b, roots)).join('\n')}`;
}

const outcomeMark: Record<FixEntry['outcome'], string> = {
  applied: green('applied '),
  reverted: yellow('reverted'),
  skipped: dim('skipped '),
  failed: red('failed  '),
  proposed: yellow('proposed'),
};

export function formatFix(f: FixEntry, roots: readonly string[], showDiff: boolean): string {
  // A proposal is never a fix, in a dry run or not: it is shown for a person to judge.
  const label = f.outcome === 'proposed' ? outcomeMark.proposed : f.policy === 'report' ? yellow('report  ') : f.dryRun && f.diff ? green('would fix') : outcomeMark[f.outcome];
  const lines = [`  ${label}  ${rel(f.file, roots)}  ${f.strategy !== 'none' ? `${f.strategy}: ` : ''}${f.reason}`];
  if (f.backup) lines.push(dim(`            backup: ${f.backup}`));
  for (const o of f.others ?? []) lines.push(dim(`            also ${rel(o.file, roots)}, backup: ${o.backup}`));
  if (f.id && !f.id.startsWith('skip-') && !f.dryRun) lines.push(dim(`            fix id: ${f.id}`));
  if (f.commit) lines.push(dim(`            commit: ${f.commit}`));
  if (f.proposal) lines.push(dim(`            branch: ${f.proposal.branch} (from ${f.proposal.base})${f.proposal.url ? ` ${f.proposal.url}` : ''}`));
  if (showDiff && f.diff) lines.push(indent(colorDiff(f.diff), 4));
  return lines.join('\n');
}

export function formatCycle(r: CycleReport, roots: readonly string[]): string {
  const parts: string[] = [];
  if (r.mode === 'run') parts.push(formatProbes(r.probes, r.summary));
  parts.push(`scanned ${r.filesScanned} file${r.filesScanned === 1 ? '' : 's'}${r.skippedFiles.length ? `, ${r.skippedFiles.length} skipped` : ''}`);
  parts.push(formatBugs(r.bugs, roots));
  if (r.mode !== 'scan' && r.fixes.length) parts.push(`fixes:\n${r.fixes.map((f) => formatFix(f, roots, true)).join('\n')}`);
  if (r.remedies?.length) parts.push(`remedies:\n${r.remedies.map(formatRemedy).join('\n')}`);
  for (const n of r.recovered) parts.push(yellow(`recovered ${n.file}: ${n.detail}`));
  for (const w of r.warnings) parts.push(yellow(`warning: ${w}`));
  return parts.join('\n');
}

const remedyMark: Record<RemedyRun['outcome'], string> = { ok: green('ran     '), failed: red('failed  '), skipped: dim('held    '), 'would-run': yellow('would run') };

/** `  ran       pm2: pm2 restart worker: worker was errored; restarted (1.2 s)` */
export function formatRemedy(r: RemedyRun): string {
  const took = r.durationMs !== undefined ? dim(` (${r.durationMs} ms)`) : '';
  return `  ${remedyMark[r.outcome]}  ${r.probe}: ${r.action.join(' ')}: ${r.reason}${took}`;
}

/** What a bug was skipped for, without its particulars: `cooldown`, `protected`, `per-run cap reached`. */
function skipKind(reason: string): string {
  // A time in the reason (`snoozed until <time>`, `escalated at <time>`) is a particular too.
  return reason.split(/:|\s(?:at|until)\s\d{4}-\d\d-\d\dT/)[0]!.replace(/\s*\(.*$/, '').trim() || 'skipped';
}

/**
 * The daemon's line for one cycle: the probes that are not healthy and why, the bugs, what was
 * fixed, why the rest were skipped (counted by reason), and what the remedies did.
 */
export function formatDaemonCycle(r: CycleReport, n: number): string {
  const bad = r.probes.filter((p) => p.status !== 'healthy').map((p) => `${p.name} ${p.status}: ${p.reason}`);
  const applied = r.fixes.filter((f) => f.outcome === 'applied').length;
  const skipped = new Map<string, number>();
  for (const f of r.fixes) if (f.outcome === 'skipped') skipped.set(skipKind(f.reason), (skipped.get(skipKind(f.reason)) ?? 0) + 1);
  const parts = [`cycle ${n}: ${r.summary}${bad.length ? ` (${bad.join('; ')})` : ''}`, `${r.bugs.length} bug(s), ${applied} fixed`];
  if (skipped.size) {
    const total = [...skipped.values()].reduce((a, b) => a + b, 0);
    parts[1] += `, ${total} skipped (${[...skipped].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([why, k]) => `${k} ${why}`).join(', ')})`;
  }
  const remedies = r.remedies ?? [];
  const counts = (['ok', 'failed', 'skipped', 'would-run'] as const).map((o) => [o, remedies.filter((x) => x.outcome === o).length] as const).filter(([, k]) => k);
  if (counts.length) parts.push(`remedies: ${counts.map(([o, k]) => `${k} ${o === 'ok' ? 'ran' : o === 'skipped' ? 'held' : o}`).join(', ')}`);
  parts.push(`${r.durationMs} ms`);
  return parts.join('; ');
}

export function formatLogEntry(e: LogEntry, roots: readonly string[], showDiff: boolean): string {
  switch (e.type) {
    case 'fix':
      return `${dim(e.time)}  ${e.id}\n${formatFix(e, roots, showDiff)}${e.revertedAt ? dim(`\n            reverted by hand at ${e.revertedAt}`) : ''}`;
    case 'revert':
      return `${dim(e.time)}  ${e.id}\n  reverted  ${rel(e.file, roots)}  fix ${e.fixId} undone from ${e.backup}${(e.others ?? []).map((o) => `\n            also ${rel(o.file, roots)} from ${o.restoredFrom}`).join('')}`;
    case 'probe':
      return `${dim(e.time)}  probe ${e.probe}: ${e.from} → ${e.to} (${e.reason})`;
    case 'recovery':
      return `${dim(e.time)}  recovery ${rel(e.file, roots)}: ${e.action}: ${e.detail}`;
    case 'remedy':
      return `${dim(e.time)}  remedy ${e.probe}: ${e.action.join(' ')}: ${e.outcome === 'ok' ? green('ok') : red('failed')} (${e.reason})`;
    case 'escalation':
      return `${dim(e.time)}  ${red('escalated')} ${rel(e.file, roots)}: ${e.attempts} attempts failed: ${e.reason}`;
  }
}

function colorDiff(diff: string): string {
  return diff
    .split('\n')
    .filter((l) => !l.startsWith('==='))
    .map((l) => (l.startsWith('+') && !l.startsWith('+++') ? green(l) : l.startsWith('-') && !l.startsWith('---') ? red(l) : l))
    .join('\n')
    .trimEnd();
}

function indent(s: string, n: number): string {
  const pad = ' '.repeat(n);
  return s
    .split('\n')
    .map((l) => pad + l)
    .join('\n');
}

/** A one-line progress bar on a terminal; nothing at all when not on one. */
/** `live`: it draws (a TTY, not --json); when not, its caller need not report progress to it. */
export function progressBar(enabled: boolean): { live: boolean; update(done: number, total: number): void; end(): void } {
  if (!enabled || !process.stderr.isTTY) return { live: false, update() {}, end() {} };
  let last = 0;
  let drawn = false;
  return {
    live: true,
    update(done, total) {
      const now = Date.now();
      if (total < 200 || (now - last < 80 && done < total)) return;
      last = now;
      drawn = true;
      const width = 30;
      const filled = Math.round((done / total) * width);
      process.stderr.write(`\r  scanning [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`);
    },
    end() {
      if (drawn) process.stderr.write('\r\x1b[K');
    },
  };
}

/** `mechanic status`'s list of what is left for a person, each with what to do about it. */
export function formatNeedsPerson(n: NeedsPerson, roots: readonly string[]): string[] {
  const count = n.escalated.length + n.proposed.length + n.leftForPerson.length;
  if (!count) return [dim('  nothing needs a person')];
  const out = [bold(`  needs a person (${count}):`)];
  for (const e of n.escalated)
    out.push(red(`    escalated  ${rel(e.file, roots)}:${e.line}  ${e.error}`), `               ${e.attempts} failed attempts, escalated ${e.since}; no more attempts until the file changes or \`mechanic retry ${fromHere(e.file)}\``);
  for (const p of n.proposed) out.push(yellow(`    proposed   ${rel(p.file, roots)}  ${p.error}`), `               fix ${p.fixId} waits to be applied by hand (\`mechanic log --diff\` shows it)`);
  for (const l of n.leftForPerson) out.push(yellow(`    unfinished ${rel(l.file, roots)}  ${l.error}`), `               fix ${l.fixId} did part of the work: ${l.what}`);
  return out;
}

/** A path as typed from the current folder (what `mechanic retry` resolves it against). */
function fromHere(file: string): string {
  const r = path.relative(process.cwd(), file);
  return r && !r.startsWith('..') && !path.isAbsolute(r) ? r : file;
}

const stripMark: Record<ProbeResult['status'], string> = { healthy: green('+'), degraded: yellow('~'), down: red('x') };

function percent(u: ProbeHistory['uptime24h']): string {
  if (u.ratio === null) return dim('no checks');
  const p = (u.ratio * 100).toFixed(u.ratio === 1 ? 0 : 1);
  return `${u.ratio >= 0.99 ? green(`${p}%`) : u.ratio >= 0.9 ? yellow(`${p}%`) : red(`${p}%`)} ${dim(`(${u.healthy}/${u.checks})`)}`;
}

/** `status --history`: a strip of each probe's last results (+ healthy, ~ degraded, x down) and its uptime. */
export function formatHistory(history: readonly ProbeHistory[]): string {
  if (history.length === 0) return 'history: no probe results yet';
  const width = Math.max(...history.map((h) => h.name.length));
  const lines = history.map(
    (h) => `  ${statusMark[h.status]}  ${h.name.padEnd(width)}  ${h.last.map((r) => stripMark[r.status]).join('')}  24h ${percent(h.uptime24h)}  7d ${percent(h.uptime7d)}`,
  );
  return `history (last results oldest first: + healthy, ~ degraded, x down; uptime: healthy checks / checks):\n${lines.join('\n')}`;
}
