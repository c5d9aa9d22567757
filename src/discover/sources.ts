import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import { clipDetail } from '../analysis/compile.js';
import { isoTime } from '../util/clock.js';
import { EngineStartError, errorMessage } from '../util/errors.js';
import { isInsideAny } from '../workspace/paths.js';
import { expandLogGlobs, readLogsIncrementally } from './logs/read.js';
import { groupErrors, toBugs } from './logs/group.js';
import { projectPathResolver } from './logs/project-path.js';
import { projectCode } from './code-access.js';
import { listSourceFiles, treeOf } from './files.js';
import { localise, mayBeAboutInput } from './localise.js';
import type { SyntaxChecker } from '../engine/checker.js';
import { scanSyntax } from './syntax/scan.js';
import type { Bug, BugSource, DiscoverContext, Discovery } from './types.js';
export type { BugSource, DiscoverContext, Discovery } from './types.js';
import { environmentSource } from './env/source.js';
import { nameUse, undefinedNameOf } from '../analysis/scope.js';
import { hasModuleSyntax, parseStrict } from '../analysis/surface.js';

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
      ...(ctx.tree ? { tree: ctx.tree } : {}),
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
      ...(scan.surfacesDeferred ? { surfacesDeferred: scan.surfacesDeferred } : {}),
      ...(scan.surfacesFilled ? { surfacesFilled: scan.surfacesFilled } : {}),
    };
    out.warnings.push(...scan.warnings);
    // Indexed, as in scanSyntax: no iterator result made a verdict.
    for (let i = 0; i < scan.verdicts.length; i++) {
      const v = scan.verdicts[i]!;
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
        // (A cache written before details were cut keeps a whole line.)
        detail: clipDetail(v.detail),
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
    // The project's files, listed only when an error may be about a helper's input (callers are counted then).
    let listed: string[] = [];
    if (read.errors.some((e) => mayBeAboutInput(e.message))) listed = await listSourceFiles(ctx.config, ctx.tree).then((l) => l.files, () => []);
    const code = projectCode(() => listed);
    const found = toBugs(
      groupErrors(read.errors, {
        isProjectFile: (f) => isInsideAny(f, ctx.config.roots) && fs.existsSync(f),
        resolve: projectPathResolver(ctx.config.roots),
        localise: (e, frames) => localise(e, frames, code),
        now,
      }),
    );
    // Without timestamps in the log, the time it was read is when the error was last seen.
    for (const b of found) {
      b.lastSeen ??= isoTime(now);
      b.firstSeen ??= b.lastSeen;
    }
    const merged = new Map<string, Bug>();
    for (const b of ctx.carried.runtimeBugs) if (fs.existsSync(b.file)) merged.set(b.id, b);
    for (const b of found) {
      const old = merged.get(b.id);
      if (!old) {
        merged.set(b.id, b);
        continue;
      }
      const both: Bug = { ...b, count: (old.count ?? 1) + (b.count ?? 1), firstSeen: old.firstSeen ?? b.firstSeen };
      // One fresh sighting makes it fresh.
      if (!old.history) delete both.history;
      merged.set(b.id, both);
    }
    out.runtimeBugs = [];
    for (const bug of merged.values()) {
      const v = judge(bug, ctx.checker);
      if (v.staleBecause) out.bugs.push({ ...bug, kind: 'stale-process', staleBecause: v.staleBecause });
      else out.bugs.push(v.stillPossible ? { ...bug, stillPossible: v.stillPossible } : bug);
      // History nothing shows is still possible is settled as such: shown once, not carried.
      if (!bug.history || v.stillPossible) out.runtimeBugs.push(bug);
    }
  },
};

/**
 * A runtime error known only as history (in its log before the mechanic first read it, untimed)
 * that nothing shows the file on disk can still raise: shown, never acted on.
 */
export function historyOnly(bug: Bug): boolean {
  return bug.kind === 'runtime' && !!bug.history && !bug.stillPossible;
}

/** What the file on disk shows about a logged error. */
interface Verdict {
  /** It can no longer raise the error: the process that logged it runs older code. */
  staleBecause?: string;
  /** It provably still raises the error. */
  stillPossible?: string;
}

/**
 * Whether the file on disk can still raise a logged error. Evidence from the code comes first: a
 * ReferenceError whose name the file still leaves undefined can still happen, however new the
 * file. Only then times: an error logged before the file last changed (at the precision both
 * sides have) came from older code. For an untimed error `lastSeen` is an upper bound (the log's
 * modification time when read), so a file changed after it changed after the error too. A fresh
 * error the file cannot raise comes from a process running older code; history that the file
 * cannot raise may simply be old, so it gets no verdict.
 */
function judge(bug: Bug, checker: SyntaxChecker): Verdict {
  let text: string;
  let mtimeMs: number;
  try {
    text = fs.readFileSync(bug.file, 'utf8');
    mtimeMs = fs.statSync(bug.file).mtimeMs;
  } catch {
    return {};
  }
  // A file that does not parse is the scan's bug; one that parses now cannot raise the
  // SyntaxError its process logged while loading it (JSON.parse's SyntaxErrors are run time's).
  if (bug.errorType === 'SyntaxError' && !/\bJSON\b/.test(bug.message)) {
    const f = checker.formatOf(bug.file);
    // (history stays history: nothing to restart for an error from before the mechanic read the log)
    if (parseStrict(text, f === 'module' || (f === 'ambiguous' && hasModuleSyntax(text))))
      return bug.history ? {} : { staleBecause: 'the file parses now: the SyntaxError was raised by an older text of it' };
  }
  const name = bug.errorType === 'ReferenceError' ? undefinedNameOf(bug.message) : undefined;
  let use: ReturnType<typeof nameUse>;
  if (name) {
    const f = checker.formatOf(bug.file);
    use = nameUse(text, f === 'module' || (f === 'ambiguous' && hasModuleSyntax(text)) ? 'module' : 'commonjs', name);
    if (use === 'undefined') return { stillPossible: `the file on disk still uses ${name} without defining it` };
  }
  const onDisk = use === 'defined' ? `the file on disk defines ${name}` : use === 'unused' ? `the file on disk no longer refers to ${name}` : undefined;
  if (bug.lastSeen && changedAfter(mtimeMs, bug.lastSeen, bug.seenPrecisionMs ?? 1))
    return {
      staleBecause: `the file changed (${new Date(mtimeMs).toISOString()}) after the error was last logged (${bug.lastSeen})${onDisk ? `, and ${onDisk}` : ''}`,
    };
  // History may be older than the change: that the file cannot raise it says nothing of the process.
  if (onDisk && !bug.history) return { staleBecause: `${onDisk}, so the error comes from code loaded before it changed` };
  return {};
}

/**
 * True when a file last modified at `mtimeMs` (sub-millisecond) provably changed after an error
 * logged at `loggedAt`, a time written in units of `unitMs` (1 for ms, 1000 for a stamp to the
 * second): the error happened somewhere in [loggedAt, loggedAt + unitMs), so only a change at or
 * after the end of that span is after it. A file written in the same millisecond (or second, for
 * a log stamped to the second) does not count as changed after the error.
 */
export function changedAfter(mtimeMs: number, loggedAt: string, unitMs = 1): boolean {
  const at = Date.parse(loggedAt);
  if (!Number.isFinite(at) || !Number.isFinite(mtimeMs)) return false;
  return mtimeMs >= at + Math.max(1, unitMs);
}

const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export const bugSources: readonly BugSource[] = [syntaxSource, errorLogSource, environmentSource];

/** Run every source; bugs come back in repair order: priority, then the newest first. */
export async function discoverBugs(discover: DiscoverContext): Promise<Discovery> {
  // One walk of the roots for every source (the syntax scan's files, the environment's scripts).
  const ctx: DiscoverContext = discover.tree ? discover : { ...discover, tree: treeOf(discover.config) };
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
      // An engine that cannot start is the mechanic's own failure, not a source's: the cycle stops.
      if (err instanceof EngineStartError) throw err;
      out.warnings.push(`${source.name}: ${errorMessage(err)}`);
    }
  }
  // A file that does not parse is one bug, whatever the logs say about it at run time.
  const broken = new Set(out.bugs.filter((b) => b.kind === 'syntax').map((b) => b.file));
  out.bugs = out.bugs.filter((b) => b.kind === 'syntax' || !broken.has(b.file));
  // Times (ISO) and paths by code unit, the scan's own path order: localeCompare's first call
  // loads ICU's collator, tens of ms of a rescan that found bugs.
  out.bugs.sort((a, b) => b.priority - a.priority || byCodeUnit(b.lastSeen ?? '', a.lastSeen ?? '') || byCodeUnit(a.file, b.file));
  return out;
}
