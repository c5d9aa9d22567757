import type { TreeWalk } from './walk.js';
import type { Config } from '../config/load.js';
import type { SkippedFile } from './files.js';
import type { SyntaxChecker } from '../engine/checker.js';
import type { Clock } from '../util/clock.js';

/**
 * `syntax`: the file does not parse. `runtime`: an error read from a log. `stale-process`: a
 * logged error the file on disk can no longer raise (the process runs older code: restart it).
 * `environment`: a script or scheduler file that breaks where it runs (bare node, bash 4+).
 */
export type BugKind = 'syntax' | 'runtime' | 'stale-process' | 'environment';

export interface EnvDefect {
  defect: 'bare-node' | 'bash-compat';
  /** Bare node: whether a log shows the job failing to find node, and the line that says so. */
  confirmed?: boolean;
  evidence?: string;
  /** Each construct or call found: line, what, and how to rewrite it. */
  findings: { line: number; column: number; what: string; suggestion: string; rewritable: boolean }[];
}

/** A place to fix a runtime bug: a project frame of its trace, ranked, and why it ranks there. */
export interface BugPlace {
  file: string;
  /** 1-based; 0 when unknown. */
  line: number;
  column: number;
  /** Its position among the trace's project frames: 0 is the frame that threw. */
  frame: number;
  /** The function around it, when the code names one. */
  function?: string;
  /** The evidence for its rank, from the trace and the code. */
  why: string;
}

/** A bug found in a file under the roots: what the user sees in `scan` and in the log. */
export interface Bug {
  /** Stable across cycles for the same defect: kind, file, error type and message. */
  id: string;
  /** Absolute path. */
  file: string;
  kind: BugKind;
  /** 1-based line, 1-based column (0 when unknown). */
  line: number;
  column: number;
  /** One-line message, e.g. "Unexpected token ')'". */
  message: string;
  /** Error class name when known: SyntaxError, ReferenceError, TypeError... */
  errorType: string;
  /** Higher first. Syntax errors are 100, as in the seed. */
  priority: number;
  /** The name of the bug source that found it. */
  source: string;
  /** Full error text as shown to a person (and to the model): banner, message, stack. */
  detail: string;
  /** Runtime bugs: how many times the error was seen, first and last time (ISO), if known. */
  count?: number;
  firstSeen?: string;
  lastSeen?: string;
  /** Set when the file is protected: reported, never touched. */
  protected?: boolean;
  /** Runtime and stale-process bugs: the log it came from, and the PM2 process writing that log. */
  log?: string;
  process?: string;
  /** Stale-process bugs: why the file on disk can no longer raise the error. */
  staleBecause?: string;
  /**
   * Runtime bugs: the unit `lastSeen` was logged in, in ms, when coarser than 1 ms (a log stamped
   * to the second): the error happened in [lastSeen, lastSeen + seenPrecisionMs).
   */
  seenPrecisionMs?: number;
  /**
   * Runtime bugs: every sighting was already in its log when the mechanic first read it, with no
   * timestamp (history). Acted on only when `stillPossible` (the file on disk can still raise it).
   */
  history?: boolean;
  /** Runtime bugs: the file on disk provably still raises the error, and why. */
  stillPossible?: string;
  /**
   * Runtime bugs: the trace's project frames ranked as places to fix, best first (`file`/`line`
   * are the first's). See discover/localise.ts.
   */
  places?: BugPlace[];
  /** Environment bugs: what was found. */
  env?: EnvDefect;
  /** Syntax bugs: the file's exports when the scan last saw it parse (the repair keeps them). */
  lastGoodExports?: string[];
}

/** One error event parsed from a log, before grouping into bugs. */
export interface LogError {
  errorType: string;
  message: string;
  /** Culprit location: the first stack frame in a project file (not node_modules, not node:internal). */
  file?: string;
  line?: number;
  column?: number;
  /** Error text: banner, message and stack lines as read. */
  text: string;
  /** Timestamp of the error's first line if the log has them (ISO), else undefined. */
  time?: string;
  /**
   * The unit `time` was written in, in ms, when coarser than 1 ms (1000 for PM2's `--time`
   * stamps): the error happened somewhere in [time, time + timePrecisionMs).
   */
  timePrecisionMs?: number;
  /**
   * Already in the log when the mechanic first read it, with no timestamp: when it happened is
   * unknown, so it may come from code that has changed since.
   */
  history?: boolean;
  /** Which log it came from. */
  log: string;
  /** Error code when printed: `Error [ERR_MODULE_NOT_FOUND]: ...` or a `code: 'ENOENT'` property. */
  code?: string;
  /**
   * Candidate culprit locations, best first: stack frames outside node_modules and node:internal
   * (for a load-time SyntaxError, only the banner's location). `file`/`line`/`column` are the
   * first; grouping takes the first one inside the roots.
   */
  frames?: Array<{ file: string; line?: number; column?: number }>;
  /**
   * Errors printed inside this one: its `[cause]` chain (or `caused by:`) and an AggregateError's
   * `[errors]`, each with its candidate frames (their frames also close `frames`).
   */
  nested?: Array<{ errorType: string; message: string; frames: Array<{ file: string; line?: number; column?: number }> }>;
  /**
   * When the reader saw it (ISO): the log's modification time when read, an upper bound of when
   * the error happened. Used for recency when the log has no timestamps.
   */
  observedAt?: string;
}

export interface SourceContext {
  clock: Clock;
  signal?: AbortSignal;
}

export interface DiscoverContext {
  config: Config;
  checker: SyntaxChecker;
  clock: Clock;
  /** Runtime bugs carried from earlier cycles, and how far each log has been read. */
  carried: { runtimeBugs: readonly Bug[]; logOffsets: Readonly<Record<string, LogOffset>> };
  /** Called with each file's verdict as it arrives (progress display). */
  onFile?: (done: number, total: number) => void;
  /** The syntax source stops at this many files that do not parse (the first in path order). */
  syntaxLimit?: number;
  /** The roots walked once for every source of one discovery (made by discoverBugs when absent). */
  tree?: TreeWalk;
}

/** What one syntax scan did: files read and compiled, verdicts from the cache, errors confirmed by the node binary. */
export interface ScanStats {
  read: number;
  cached: number;
  confirmed: number;
  /** Files not judged because the scan stopped at its limit. */
  notChecked: number;
  durationMs: number;
  /** Why the cache on disk was not used, when it was not. */
  cacheDropped?: string;
  /** Files that parse whose export surface this scan left for a later one (its budget, see scanSyntax). */
  surfacesDeferred?: number;
  /** Unchanged files whose record got its export surface in this scan. */
  surfacesFilled?: number;
}

export interface Discovery {
  bugs: Bug[];
  skipped: SkippedFile[];
  filesScanned: number;
  /** The syntax scan's own account, when it ran. */
  scan?: ScanStats;
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

/** How far one log has been read. Stored in the state file between cycles. */
export interface LogOffset {
  dev: number;
  ino: number;
  /** The log's size when last read. */
  size: number;
  /** Bytes consumed: everything before it has been parsed. */
  offset: number;
  /** sha1 of the first `headLength` bytes. */
  head?: string;
  headLength?: number;
  /** sha1 of the `anchorLength` bytes just before `offset`. */
  anchor?: string;
  anchorLength?: number;
}
