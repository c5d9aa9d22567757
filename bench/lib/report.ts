/** Helpers for benchmark reports: the machine, percentiles, tables, and the doc section. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';

export function machine(): string {
  const cpus = os.cpus();
  const model = cpus[0]?.model?.trim() || 'unknown CPU';
  return `node ${process.version}, ${model}, ${cpus.length} core${cpus.length === 1 ? '' : 's'}, ${os.platform()} ${os.arch()}`;
}

/** HEAD's short hash, with `-dirty` when tracked files differ from it (the figures are then not HEAD's). */
export function gitRevision(): string {
  const git = (...a: string[]): string => execFileSync('git', a, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  let rev: string;
  try {
    rev = git('rev-parse', '--short', 'HEAD').trim();
  } catch {
    return 'unknown';
  }
  try {
    if (git('--no-optional-locks', 'status', '--porcelain', '--untracked-files=no').trim()) rev += '-dirty';
  } catch {
    rev += '-dirty?';
  }
  return rev;
}

export function percentile(values: readonly number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const at = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[at]!;
}

export function pct(n: number, d: number): string {
  return d ? `${((100 * n) / d).toFixed(1)}%` : '–';
}

/** A Markdown table; the first row is the header. */
export function markdownTable(rows: readonly (readonly string[])[], alignRight = true): string {
  const [head, ...body] = rows;
  if (!head) return '';
  const line = (r: readonly string[]): string => `| ${r.join(' | ')} |`;
  const sep = `| ${head.map((_, i) => (i === 0 || !alignRight ? '---' : '---:')).join(' | ')} |`;
  return [line(head), sep, ...body.map(line)].join('\n');
}

/**
 * Replace the text between `<!-- name:start -->` and `<!-- name:end -->` in a Markdown file,
 * or append a section with a heading and the markers when they are not there yet.
 */
export function writeSection(docPath: string, name: string, heading: string, body: string): void {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  let doc = fs.existsSync(docPath) ? fs.readFileSync(docPath, 'utf8') : '# Benchmarks\n';
  const i = doc.indexOf(start);
  const j = doc.indexOf(end);
  if (i >= 0 && j > i) doc = doc.slice(0, i + start.length) + '\n' + body.trim() + '\n' + doc.slice(j);
  else doc = `${doc.trimEnd()}\n\n## ${heading}\n\n${start}\n${body.trim()}\n${end}\n`;
  fs.writeFileSync(docPath, doc);
}
