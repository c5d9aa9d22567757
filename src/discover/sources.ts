import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import { isoTime } from '../util/clock.js';
import { errorMessage } from '../util/errors.js';
import { isInsideAny } from '../workspace/paths.js';
import { expandLogGlobs, readLogsIncrementally } from './logs/read.js';
import { groupErrors, toBugs } from './logs/group.js';
import type { SyntaxChecker } from './syntax/checker.js';
import { scanSyntax } from './syntax/scan.js';
import type { Bug, BugSource, DiscoverContext, Discovery } from './types.js';
export type { BugSource, DiscoverContext, Discovery } from './types.js';
import { environmentSource } from './env/source.js';
import { undefinedNameOf } from '../validate/error-gone.js';
import { undefinedNames } from '../validate/scope.js';
import { hasModuleSyntax } from '../validate/surface.js';

export const SYNTAX_PRIORITY = 100;

export function bugId(parts: readonly (string | number)[]): string {
  return createHash('sha1').update(parts.join('\0')).digest('hex').slice(0, 12);
}

/** Syntax errors in the source files under the roots, by `node --check`'s verdict. */
export const syntaxSource: BugSource = {
  name: 'syntax',
  description: 'files under the roots that do not parse',
  async discover(ctx, out) {
    const scan = await scanSyntax(ctx.config, ctx.checker, {
      ...(ctx.onFile ? { onFile: ctx.onFile } : {}),
      ...(ctx.syntaxLimit !== undefined ? { limit: ctx.syntaxLimit } : {}),
    });
    out.skipped.push(...scan.skipped);
    out.filesScanned += scan.files;
    out.scan = {
      read: scan.read,
      cached: scan.cached,
      confirmed: scan.confirmed,
      notChecked: scan.notChecked,
      durationMs: Math.round(scan.durationMs),
      ...(scan.cacheDropped ? { cacheDropped: scan.cacheDropped } : {}),
    };
    out.warnings.push(...scan.warnings);
    for (const v of scan.verdicts) {
      if ('skipped' in v || v.ok) continue;
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
        ...(v.lastGoodExports ? { lastGoodExports: v.lastGoodExports } : {}),
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
    for (const bug of out.runtimeBugs) {
      const because = staleBecause(bug, ctx.checker);
      out.bugs.push(because ? { ...bug, kind: 'stale-process', staleBecause: because } : bug);
    }
  },
};

/**
 * Whether the file on disk can still raise a logged error. When it cannot, the process that
 * logged it runs older code: a restart, not an edit, is the fix.
 */
function staleBecause(bug: Bug, checker: SyntaxChecker): string | undefined {
  let text: string;
  let mtime: number;
  try {
    text = fs.readFileSync(bug.file, 'utf8');
    mtime = fs.statSync(bug.file).mtimeMs;
  } catch {
    return undefined;
  }
  const seen = bug.lastSeen ? Date.parse(bug.lastSeen) : NaN;
  if (Number.isFinite(seen) && mtime > seen) return `the file changed (${new Date(mtime).toISOString()}) after the error was last logged (${bug.lastSeen})`;
  const name = bug.errorType === 'ReferenceError' ? undefinedNameOf(bug.message) : undefined;
  if (name) {
    const f = checker.formatOf(bug.file);
    const names = undefinedNames(text, f === 'module' || (f === 'ambiguous' && hasModuleSyntax(text)) ? 'module' : 'commonjs');
    if (names && !names.has(name)) return `the file on disk defines ${name}, so the error comes from code loaded before it changed`;
  }
  return undefined;
}

export const bugSources: readonly BugSource[] = [syntaxSource, errorLogSource, environmentSource];

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
