import type { Clock } from '../util/clock.js';

export type BugKind = 'syntax' | 'runtime';

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
  /** Timestamp of the log line if the log has them (ISO), else undefined. */
  time?: string;
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
   * When the reader saw it (ISO): the log's modification time when read, an upper bound of when
   * the error happened. Used for recency when the log has no timestamps.
   */
  observedAt?: string;
}

export interface SourceContext {
  clock: Clock;
  signal?: AbortSignal;
}
