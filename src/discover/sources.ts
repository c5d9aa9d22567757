import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import type { Config } from '../config/load.js';
import { isoTime, type Clock } from '../util/clock.js';
import { errorMessage } from '../util/errors.js';
import { isInsideAny } from '../workspace/paths.js';
import type { LogOffset } from '../state/state.js';
import { listSourceFiles, type SkippedFile } from './files.js';
import { expandLogGlobs, readLogsIncrementally } from './logs/read.js';
import { groupErrors, toBugs } from './logs/group.js';
import type { SyntaxChecker } from './syntax/checker.js';
import type { Bug } from './types.js';

export const SYNTAX_PRIORITY = 100;

export function bugId(parts: readonly (string | number)[]): string {
  return createHash('sha1').update(parts.join('\0')).digest('hex').slice(0, 12);
}

export interface DiscoverContext {
  config: Config;
  checker: SyntaxChecker;
  clock: Clock;
  /** Runtime bugs carried from earlier cycles, and how far each log has been read. */
  carried: { runtimeBugs: readonly Bug[]; logOffsets: Readonly<Record<string, LogOffset>> };
  /** Called with each file's verdict as it arrives (progress display). */
  onFile?: (done: number, total: number) => void;
}

export interface Discovery {
  bugs: Bug[];
  skipped: SkippedFile[];
  filesScanned: number;
  /** What the next cycle should carry. */
  runtimeBugs: Bug[];
  logOffsets: Record<string, LogOffset>;
  /** Problems reading the sources (an unreadable log...), never fatal. */
  warnings: string[];
}

/** A bug source finds bugs of one kind; the cycle runs them all. */
export interface BugSource {
  name: string;
  description: string;
  discover(ctx: DiscoverContext, out: Discovery): Promise<void>;
}

/** Syntax errors in the source files under the roots, by `node --check`'s verdict. */
export const syntaxSource: BugSource = {
  name: 'syntax',
  description: 'files under the roots that do not parse',
  async discover(ctx, out) {
    const { files, skipped } = await listSourceFiles(ctx.config);
    out.skipped.push(...skipped);
    out.filesScanned += files.length;
    let done = 0;
    const verdicts = await ctx.checker.checkFiles(files, () => ctx.onFile?.(++done, files.length));
    for (const v of verdicts) {
      if ('skipped' in v) {
        out.skipped.push({ file: v.file, reason: v.skipped });
        continue;
      }
      if (v.ok) continue;
      out.bugs.push({
        id: bugId(['syntax', v.file, v.errorType, v.message]),
        file: v.file,
        kind: 'syntax',
        line: v.line,
        column: v.column,
        message: v.message,
        errorType: v.errorType,
        priority: SYNTAX_PRIORITY,
        source: 'syntax',
        detail: v.detail,
      });
    }
  },
};

/** Runtime errors from PM2's error logs and the configured log globs, for files under the roots. */
export const errorLogSource: BugSource = {
  name: 'error-log',
  description: 'runtime errors read from error logs (PM2 and configured globs)',
  async discover(ctx, out) {
    const now = ctx.clock.now();
    let paths: string[] = [];
    try {
      paths = await expandLogGlobs(ctx.config.logs, process.env.HOME ?? os.homedir());
    } catch (err) {
      out.warnings.push(`error logs: ${errorMessage(err)}`);
    }
    const read = readLogsIncrementally(paths, { ...ctx.carried.logOffsets }, { now });
    for (const p of read.problems) if (!/ENOENT|no such file/i.test(p.reason)) out.warnings.push(`error log ${p.log}: ${p.reason}`);
    out.logOffsets = read.offsets;
    const fresh = toBugs(
      groupErrors(read.errors, { isProjectFile: (f) => isInsideAny(f, ctx.config.roots) && fs.existsSync(f), now }),
    );
    // Without timestamps in the log, the time it was read is when the error was last seen.
    for (const b of fresh) {
      b.lastSeen ??= isoTime(now);
      b.firstSeen ??= b.lastSeen;
    }
    const merged = new Map<string, Bug>();
    for (const b of ctx.carried.runtimeBugs) if (fs.existsSync(b.file)) merged.set(b.id, b);
    for (const b of fresh) {
      const old = merged.get(b.id);
      merged.set(b.id, old ? { ...b, count: (old.count ?? 1) + (b.count ?? 1), firstSeen: old.firstSeen ?? b.firstSeen } : b);
    }
    out.runtimeBugs = [...merged.values()];
    out.bugs.push(...out.runtimeBugs);
  },
};

export const bugSources: readonly BugSource[] = [syntaxSource, errorLogSource];

/** Run every source; bugs come back in repair order: priority, then the newest first. */
export async function discoverBugs(ctx: DiscoverContext): Promise<Discovery> {
  const out: Discovery = {
    bugs: [],
    skipped: [],
    filesScanned: 0,
    runtimeBugs: [...ctx.carried.runtimeBugs],
    logOffsets: { ...ctx.carried.logOffsets },
    warnings: [],
  };
  for (const source of bugSources) {
    try {
      await source.discover(ctx, out);
    } catch (err) {
      out.warnings.push(`${source.name}: ${errorMessage(err)}`);
    }
  }
  // A file that does not parse is one bug, whatever the logs say about it at run time.
  const broken = new Set(out.bugs.filter((b) => b.kind === 'syntax').map((b) => b.file));
  out.bugs = out.bugs.filter((b) => b.kind === 'syntax' || !broken.has(b.file));
  out.bugs.sort((a, b) => b.priority - a.priority || (b.lastSeen ?? '').localeCompare(a.lastSeen ?? '') || a.file.localeCompare(b.file));
  return out;
}
