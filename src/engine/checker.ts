import fs from 'node:fs';
import { EngineStartError } from '../util/errors.js';
import { runProcess, minimalEnv } from '../util/proc.js';
import { omit } from '../util/omit.js';
import { Limiter } from '../util/serial.js';
import { fileStatOf, type FileStat, type ScanCache } from './cache.js';
import { clipDetail, type ErrorFileVerdict, type ErrorVerdict, type FileVerdict, type ModuleFormat, type Verdict } from '../analysis/compile.js';
import { isCheckable, PackageScopes, type FileFormat } from '../analysis/format.js';
import { defaultThreads, WorkerPool, type EngineHeap, type EngineKind } from './pool.js';
import { parseNodeVersion, rulesByVersion, rulesOfThisNode, type CheckRules, type NodeVersion } from '../analysis/rules.js';
import type { CheckOutcome, EngineInfo, FileCheck, SurfaceOutcome } from './worker.js';

export type { ErrorFileVerdict, FileVerdict } from '../analysis/compile.js';

export interface CheckOptions {
  /**
   * Stop once this many files that do not parse are found: the verdicts returned end at the
   * limit-th error, in the order the files were given, and no further file is read.
   */
  limit?: number;
  /** Verdicts of unchanged files come from here, and fresh ones go into it (not saved here). */
  cache?: ScanCache;
  /** Each file's stat as listed, so that keying the cache needs no second stat. */
  stats?: ReadonlyMap<string, FileStat>;
  /** `stats` as an array beside the files (the same index): no lookup of a path a file. */
  fileStats?: readonly (FileStat | undefined)[];
  /**
   * A file changed less than this long ago (mtime or ctime) may change again within the same
   * timestamp tick, unseen: its verdict is not cached. Default 2000 ms (covers 1 s and 2 s
   * timestamp resolutions too).
   */
  racyWindowMs?: number;
  /**
   * Bytes of source whose export surface is read in this call (undefined: every file that
   * parses). Reading surfaces costs about as much CPU as compiling: a cold scan of a large tree
   * records none and answers first. Files whose record came before (changed files: edits are
   * where slips come from) always get theirs; first-seen files only if they all fit what is left
   * (see CheckRun.planSurfaces); what is left then (at most SURFACE_FILL_BYTES) goes to unchanged
   * files whose record lacks one (read again, not compiled), when engines run anyway, so that
   * rescans fill the records in. See SURFACE_BUDGET_BYTES.
   */
  surfaceBudget?: number;
  /**
   * Each file's package-scope key (PackageScopes.scopeOf's key, string for string) when the
   * caller knows it more cheaply (the walk knows which folders hold a package.json).
   */
  scopeKey?: (file: string, folder?: string) => string;
  /** The package scopes to resolve formats with (one that knows the walk's folders stats fewer). */
  scopes?: PackageScopes;
}

/**
 * A scan's budget for export surfaces (see CheckOptions.surfaceBudget): a tree of a few MB of
 * JavaScript gets every file's at its first scan; a larger one none at its first, and later scans
 * that run engines fill in SURFACE_FILL_BYTES each (the daemon IDLE_FILL_BYTES a wait).
 */
export const SURFACE_BUDGET_BYTES = 4 << 20;
/**
 * Of the budget, what may go to unchanged files whose record lacks a surface, per call: about
 * 50 ms of the engines' CPU, so that a rescan stays a rescan.
 */
export const SURFACE_FILL_BYTES = 1 << 20;
/** Records looked at per call for one lacking its surface: bounds the cost to a rescan. */
const BACKFILL_LOOKS = 2000;

/** What one checkFiles call did. */
export interface CheckSummary {
  /** Files read and compiled. */
  read: number;
  /** Verdicts taken from the cache. */
  cached: number;
  /** Error verdicts asked of the node binary itself. */
  confirmed: number;
  /** Files not judged because the limit was reached. */
  notChecked: number;
  /** Files judged again alone, in an engine without a heap bound, after their engine died on a batch. */
  retried?: number;
  /** With a surface budget: files that parse whose export surface was not read in this call. */
  surfacesDeferred?: number;
  /** With a surface budget: unchanged files whose record got its export surface in this call. */
  surfacesFilled?: number;
}

const versionCache = new Map<string, Promise<NodeVersion>>();

/** The version of a node binary, asked once per process. */
export function nodeVersionOf(node: string): Promise<NodeVersion> {
  let v = versionCache.get(node);
  if (!v) {
    v = (async () => {
      if (node === process.execPath) return parseNodeVersion(process.version);
      const r = await runProcess(node, ['--version'], { timeoutMs: 15_000 });
      if (r.code !== 0) throw new Error(`${node} --version failed: ${r.spawnError ?? r.stderr.trim()}`);
      return parseNodeVersion(r.stdout);
    })();
    versionCache.set(node, v);
  }
  return v;
}

/** A file changed this recently may change again within its timestamp's resolution: not cached. */
const RACY_MS = 2000;
const BATCH_FILES = 64;
/** No stat is this: an entry stored under it is never a cache hit. */
const RACY_STAT = 'racy';
const BATCH_BYTES = 1 << 20;

export interface CheckerOptions {
  threads?: number;
  /** `auto` (default): threads for the running node's version, processes of the binary otherwise. */
  engine?: 'auto' | 'thread';
  /** The thread engines' heap bound (see EngineHeap); DEFAULT_HEAP unless given. */
  heap?: EngineHeap;
}

/**
 * Bound of each thread engine's heap: on the heavy bench tree (~15,000 files, 100 MB) two
 * unbounded engines peaked at ~360 MB of the process, an old space of 64 MB at 255-267 MB, and
 * 32 MB at 230-236 MB in as much wall time. A file that needs more is judged alone in an
 * unbounded engine.
 */
const DEFAULT_HEAP: EngineHeap = { oldMb: 32, youngMb: 4 };

/**
 * Verdicts exactly as `<node> --check` gives them, reached with V8 without a process per file.
 * For the running node's version, in worker threads of this process; for another version, in
 * child processes of that binary (its own V8 parses), and every error verdict is confirmed by
 * `<node> --check` itself before it counts. Module kinds are decided as that node decides them.
 */
export class SyntaxChecker {
  /** Things the caller should know about how verdicts are reached (e.g. an engine fallback). */
  readonly warnings: string[] = [];

  private constructor(
    readonly node: string,
    readonly nodeVersion: NodeVersion,
    private readonly pool: WorkerPool,
    /** The configured node is another version: error verdicts are confirmed by the binary. */
    readonly foreign: boolean,
    readonly rules: CheckRules,
  ) {}

  static async create(node: string, threads?: number, options: CheckerOptions = {}): Promise<SyntaxChecker> {
    const version = await nodeVersionOf(node);
    const size = threads ?? options.threads ?? defaultThreads();
    const foreign = version.raw !== process.version;
    const inThreads: EngineKind = { kind: 'thread', heap: options.heap ?? DEFAULT_HEAP };
    if (!foreign || options.engine === 'thread') {
      const rules = foreign ? rulesByVersion(version) : rulesOfThisNode();
      return new SyntaxChecker(node, version, new WorkerPool(size, inThreads), foreign, rules);
    }
    // Another version: its own V8 in its own processes, if it can run the engine.
    const pool = new WorkerPool(size, { kind: 'process', node });
    try {
      const info = await withTimeout(pool.run<EngineInfo>({ op: 'hello' }), 20_000, `${node} did not start the syntax engine`);
      if (info.version !== version.raw) throw new Error(`${node} reports ${info.version}, not ${version.raw}`);
      return new SyntaxChecker(node, version, pool, true, info.rules);
    } catch (err) {
      await pool.close();
      const checker = new SyntaxChecker(node, version, new WorkerPool(size, inThreads), true, rulesByVersion(version));
      checker.warnings.push(
        `${node} (${version.raw}) could not run the syntax engine (${(err as Error).message}); files are parsed by ${process.version} and every error is confirmed by ${node}`,
      );
      return checker;
    }
  }

  /**
   * Start the engines ahead of a check that will read files (a first scan), so that their
   * start-up overlaps the walk (one thread, while the other cores wait for its list) instead of
   * the compile; a tree of a few files then starts one engine more than it needed. A rescan of
   * an unchanged tree should not: it starts none.
   */
  warmUp(): void {
    this.pool.warm();
  }

  /**
   * Once an engine could not start, every check fails at once with why (see EngineStartError)
   * and starts none, until this: a long-lived checker (the daemon's) calls it a cycle, so that
   * an install fixed meanwhile recovers, and one still broken costs a few engine starts a cycle.
   */
  retryEngines(): void {
    this.pool.clearStartFailure();
  }

  /** Where verdicts are reached: `thread` (this node) or `process` (the configured binary). */
  get engine(): 'thread' | 'process' {
    return this.pool.engine.kind;
  }

  /** The format `node --check` parses `file` in, as its package.json says right now. */
  formatOf(file: string): FileFormat {
    return new PackageScopes(this.rules).formatOf(file);
  }

  /**
   * Check files from disk, spread over the engines in batches; `onResult` streams verdicts as
   * they arrive. With a cache, unchanged files are not read. Verdicts come back in file order.
   */
  async checkFiles(files: readonly string[], onResult?: (v: FileVerdict) => void, options: CheckOptions = {}): Promise<FileVerdict[]> {
    return (await this.check(files, onResult, options)).verdicts;
  }

  /** checkFiles, with what it did: cached verdicts first, then files node stops on unread, then the engines. */
  async check(
    files: readonly string[],
    onResult?: (v: FileVerdict) => void,
    options: CheckOptions = {},
  ): Promise<{ verdicts: FileVerdict[]; summary: CheckSummary }> {
    const run = new CheckRun(files, options, onResult, this.pool.threads);
    const scopes = options.scopes ?? new PackageScopes(this.rules);
    const pending = run.takeCached(scopes);
    const left = options.surfaceBudget === undefined ? undefined : run.planSurfaces(pending, options.surfaceBudget);
    // Files are triaged as the engines ask for batches: the first batch is compiling while the
    // main thread settles the rest, and no more is triaged ahead than the window holds.
    await this.dispatch(run, this.triage(run, pending, scopes));
    // Filling in costs no engine start: only where engines run already (files were read, or a
    // daemon's pool lives on between cycles); an unchanged tree's rescan starts none.
    if (left !== undefined && left > 0 && !run.stopped && this.pool.live) await this.fillSurfaces(run, Math.min(left, SURFACE_FILL_BYTES));
    return run.result();
  }

  /**
   * Files node stops on before parsing (a package.json it cannot read: no reading needed) and
   * files it does not judge are settled here; the rest is work for the engines.
   */
  private async *triage(run: CheckRun, pending: readonly number[], scopes: PackageScopes): AsyncGenerator<Work> {
    for (const i of pending) {
      const file = run.files[i]!;
      if (!isCheckable(file)) {
        run.emit(i, { file, skipped: 'node --check judges only .js, .cjs and .mjs files' });
        continue;
      }
      const r = scopes.resolve(file);
      if ('error' in r) {
        const v: FileVerdict = { file, ok: false, format: 'commonjs', line: 0, column: 0, ...r.error };
        run.settled(i, await this.settle(v, { ok: false, line: 0, column: 0, ...r.error }));
        continue;
      }
      const check: FileCheck = { file, format: r.format };
      if (run.surfaceDeferred?.[i]) check.surface = false;
      yield { i, check, bytes: run.statOf(i)?.size ?? 0 };
    }
    run.advance();
  }

  /** A window of batches in flight, dispatched in file order, so that a limit stops early. */
  private async dispatch(run: CheckRun, work: AsyncIterable<Work>): Promise<void> {
    const batches = batchesFrom(work);
    const window = this.pool.threads * 2;
    const runBatch = async (batch: readonly Work[]): Promise<void> => {
      const outcomes = await this.checkBatch(run, batch);
      run.summary.read += outcomes.length;
      // Verdicts that need no confirming are settled at once; a promise a file only for errors.
      const confirming: Promise<void>[] = [];
      outcomes.forEach((o, k) => {
        const i = batch[k]!.i;
        // An engine failure is no fact about the file: reported, never cached.
        if ('failed' in o) run.emit(i, { file: o.file, skipped: o.failed });
        else if ('skipped' in o) run.settled(i, { verdict: o, confirmed: false });
        else if (o.verdict.ok) {
          if (batch[k]!.check.surface === false) run.summary.surfacesDeferred = (run.summary.surfacesDeferred ?? 0) + 1;
          run.settled(i, { verdict: { file: o.file, ok: true, format: o.format, ...(o.exports ? { exports: o.exports } : {}) }, confirmed: false });
        } else confirming.push(this.settleOutcome(o).then((v) => run.settled(i, v)));
      });
      if (confirming.length) await Promise.all(confirming);
      run.advance();
    };
    // Lanes take batches in turn (an async generator answers one call at a time). One that
    // fails stops them all: the others end with the batch they hold, and the check throws.
    let failed: { err: unknown } | undefined;
    const lane = async (): Promise<void> => {
      while (!run.stopped && !failed) {
        const next = await batches.next();
        if (next.done) return;
        await runBatch(next.value);
      }
    };
    await Promise.all(
      Array.from({ length: window }, () =>
        lane().catch((err: unknown) => {
          failed ??= { err };
        }),
      ),
    );
    if (failed) throw failed.err;
  }

  /**
   * A batch's outcomes. An engine that dies on it (its heap bound, say) is replaced by the pool;
   * each file of the batch is then judged alone, and a file its engine dies on alone is judged in
   * an engine of its own without a heap bound. No verdict is guessed: what still fails is
   * reported as not judged, with why.
   */
  private async checkBatch(run: CheckRun, batch: readonly Work[]): Promise<(CheckOutcome | { file: string; failed: string })[]> {
    const req = (b: readonly Work[]) => ({ op: 'check' as const, files: b.map((w) => w.check), rules: this.rules });
    if (run.engineFailure) throw run.engineFailure;
    try {
      const outcomes = await this.pool.run<CheckOutcome[]>(req(batch));
      run.engineAnswered();
      return outcomes;
    } catch (err) {
      // No engine can start: no file is to blame, and none is tried again.
      if (this.pool.isClosed || err instanceof EngineStartError) throw err;
      if (batch.length > 1) return (await Promise.all(batch.map((w) => this.checkBatch(run, [w])))).flat();
      // As many engines of their own at once as the pool has: not one for each file of a batch
      // that failed whole, and few enough that engines that cannot work are found out soon.
      return run.alone.run(async () => {
        if (run.engineFailure) throw run.engineFailure;
        run.summary.retried = (run.summary.retried ?? 0) + 1;
        const alone = new WorkerPool(1, this.pool.engine.kind === 'thread' ? { kind: 'thread' } : this.pool.engine);
        const file = batch[0]!.check.file;
        try {
          const outcomes = await alone.run<CheckOutcome[]>(req(batch));
          run.engineAnswered();
          return outcomes;
        } catch (again) {
          if (again instanceof EngineStartError) throw again;
          const stop = run.engineFailed(file, firstLine(again));
          if (stop) throw stop;
          return [{ file, failed: `the syntax engine failed on this file: ${firstLine(again)} (before: ${firstLine(err)})` }];
        } finally {
          await alone.close();
        }
      });
    }
  }

  /**
   * Surfaces for unchanged files whose record lacks one, within `budget` bytes: read and lexed in
   * the engines, not compiled. A file that changed since it was listed (its stat after the read
   * differs) keeps its record as it was.
   */
  private async fillSurfaces(run: CheckRun, budget: number): Promise<void> {
    const todo = run.lackingSurfaces(budget);
    if (!todo.length) return;
    const batches = batchesOf(todo);
    await Promise.all(
      batches.map(async (b) => {
        let outs: SurfaceOutcome[];
        try {
          outs = await this.surfacesOf(b.map((t) => ({ file: t.file, format: t.format })));
        } catch {
          return; // no surface is no fact about the file: the record stays as it was
        }
        outs.forEach((o, k) => {
          if ('exports' in o) run.fillSurface(b[k]!.i, o.stat, o.exports);
        });
      }),
    );
  }

  /**
   * Export surfaces of files known to parse in `format` (a cached ok verdict), read and lexed in
   * an engine, not compiled; each with its stat after the read, for the caller to match.
   */
  surfacesOf(files: readonly { file: string; format: ModuleFormat }[]): Promise<SurfaceOutcome[]> {
    return this.pool.run<SurfaceOutcome[]>({ op: 'surfaces', files: [...files] });
  }

  /** Verdict on text that is not on disk (a candidate fix), judged as if it were at `file`. */
  async checkText(text: string, file: string): Promise<Verdict & { format: ModuleFormat }> {
    const r = new PackageScopes(this.rules).resolve(file);
    if ('error' in r) return { ok: false, line: 0, column: 0, ...r.error, format: 'commonjs' };
    const out = await this.pool.run<{ verdict: Verdict; format: ModuleFormat }>({ op: 'check-text', text, file, format: r.format, rules: this.rules });
    return { ...out.verdict, format: out.format };
  }

  /**
   * Run a module's exported function in an engine, for work that needs V8's module parser too
   * (the deterministic repairer). The engine knows nothing of its callers: they name the module.
   */
  call<T>(module: string, fn: string, ...args: unknown[]): Promise<T> {
    return this.pool.run<T>({ op: 'call', module, fn, args });
  }

  private async settleOutcome(o: CheckOutcome): Promise<{ verdict: FileVerdict; confirmed: boolean }> {
    if ('skipped' in o) return { verdict: o, confirmed: false };
    if (o.verdict.ok) return { verdict: { file: o.file, ok: true, format: o.format, ...(o.exports ? { exports: o.exports } : {}) }, confirmed: false };
    return this.settle({ file: o.file, format: o.format, ...omit(o.verdict, 'exact') }, o.verdict);
  }

  /**
   * An error verdict counts as is when this node's V8 reached it with its exact position; with
   * another configured version, or a position borrowed from acorn, the binary has the last word.
   */
  private async settle(v: ErrorFileVerdict, raw: ErrorVerdict): Promise<{ verdict: FileVerdict; confirmed: boolean }> {
    if (!this.foreign && raw.exact !== false) return { verdict: v, confirmed: false };
    return { verdict: await this.confirm(v), confirmed: true };
  }

  /** Ask the node binary itself: `<node> --check <file>`, never through a shell. */
  private async confirm(hint: ErrorFileVerdict): Promise<FileVerdict> {
    const { file, format } = hint;
    const r = await this.confirmations.run(() => runProcess(this.node, ['--check', file], { timeoutMs: 30_000, env: minimalEnv() }));
    if (r.code === 0) return { file, ok: true, format };
    if (r.spawnError || r.timedOut) {
      // The binary could not answer; the in-process verdict stands, and says so.
      const why = r.spawnError ?? 'timed out';
      return { ...hint, detail: `${hint.detail}\n(not confirmed by ${this.node}: ${why})` };
    }
    return { file, ok: false, format, ...parseCheckOutput(r.stderr, file) };
  }

  private readonly confirmations = new Limiter(Math.max(1, defaultThreads()));

  close(): Promise<void> {
    return this.pool.close();
  }
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms);
      timer.unref();
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * Read `node --check`'s report: a `file:line` header, the source line, a caret row, a blank
 * line, then `SyntaxError: message` and internal frames.
 */
export function parseCheckOutput(stderr: string, file: string): { line: number; column: number; message: string; errorType: string; detail: string } {
  const lines = stderr.replace(/\r/g, '').split('\n');
  let line = 0;
  let column = 0;
  const headerIndex = lines.findIndex((l) => l.startsWith(`${file}:`) || l.startsWith('file://'));
  if (headerIndex >= 0) {
    const m = /:(\d+)$/.exec(lines[headerIndex]!);
    if (m) line = Number(m[1]);
    const caret = lines[headerIndex + 2] ?? '';
    if (/^\s*\^+\s*$/.test(caret)) column = caret.indexOf('^') + 1;
  }
  const errorLine = lines.find((l) => /^(?:[A-Z][A-Za-z]*)?(?:Error|Exception)(?: \[[A-Z_]+\])?: /.test(l)) ?? lines.find((l) => l.trim()) ?? 'Error: node --check failed';
  const m = /^([A-Za-z]+)(?: \[[A-Z_]+\])?: (.*)$/.exec(errorLine);
  const errorType = m?.[1] ?? 'Error';
  const message = m?.[2] ?? errorLine;
  const detail = clipDetail(lines.slice(Math.max(0, headerIndex), lines.indexOf(errorLine) + 1).join('\n').trim() || errorLine);
  return { line, column, message, errorType, detail };
}

/**
 * A cached ok verdict, made by `new` rather than as a literal: V8 tracks a literal's allocation
 * site, and its mid-scan decision that the site's objects live long (a scan keeps every verdict)
 * threw the optimised cache loop away. A plain object still (Object.prototype, as a literal's),
 * with a literal's fields in a literal's order.
 */
function OkVerdict(this: { file: string; ok: true; format: ModuleFormat }, file: string, format: ModuleFormat): void {
  this.file = file;
  this.ok = true;
  this.format = format;
}
OkVerdict.prototype = Object.prototype;
type OkVerdictMaker = new (file: string, format: ModuleFormat) => FileVerdict;

/**
 * Files in a row that an engine failed even alone, the same way and with no file answered
 * between them, that make a started engine one that cannot work (see CheckRun.engineFailed).
 */
const ENGINE_FAILURES_IN_A_ROW = 3;

/** A file for the engines: its index in the call, what to check, and its size for batching. */
type Work = { i: number; check: FileCheck; bytes: number };

/**
 * Cuts items, in order, into batches of at most BATCH_FILES files and (past the first file)
 * BATCH_BYTES bytes: `add` returns the batch an item closes, `end` the last one.
 */
export function batcher<T extends { bytes: number }>(): { add(item: T): T[] | undefined; end(): T[] | undefined } {
  let open: T[] = [];
  let bytes = 0;
  return {
    add(item) {
      let closed: T[] | undefined;
      if (open.length && (open.length >= BATCH_FILES || bytes + item.bytes > BATCH_BYTES)) {
        closed = open;
        open = [];
        bytes = 0;
      }
      open.push(item);
      bytes += item.bytes;
      return closed;
    },
    end: () => (open.length ? open : undefined),
  };
}

/** The batches of `items` (see batcher). */
function batchesOf<T extends { bytes: number }>(items: Iterable<T>): T[][] {
  const cut = batcher<T>();
  const out: T[][] = [];
  for (const item of items) {
    const closed = cut.add(item);
    if (closed) out.push(closed);
  }
  const last = cut.end();
  if (last) out.push(last);
  return out;
}

/** batchesOf, as the work comes. */
async function* batchesFrom(work: AsyncIterable<Work>): AsyncGenerator<Work[]> {
  const cut = batcher<Work>();
  for await (const w of work) {
    const closed = cut.add(w);
    if (closed) yield closed;
  }
  const last = cut.end();
  if (last) yield last;
}

/**
 * One check call's verdicts as they arrive, in file order: where the limit cuts them, what goes
 * into the cache, and what was done.
 */
class CheckRun {
  readonly summary: CheckSummary = { read: 0, cached: 0, confirmed: 0, notChecked: 0 };
  private readonly stats: ReadonlyMap<string, FileStat> | undefined;
  private readonly fileStats: readonly (FileStat | undefined)[] | undefined;
  private readonly cache: ScanCache | undefined;
  private readonly limit: number | undefined;
  /** Changed after this (ms since the epoch): racy. */
  private readonly racyAfter: number;
  private readonly scopeKey: ((file: string, folder?: string) => string) | undefined;
  private readonly slots: (FileVerdict | undefined)[];
  // Each file's cache key, in flat arrays: its stat (undefined: not keyed; the key's text is
  // made only for a record written), its scope, and whether it is racy.
  private readonly keyed: (FileStat | undefined)[];
  private readonly scopes: string[];
  private readonly racy: Uint8Array;
  /** Indexes of the verdicts the cache gave (candidates for a surface their record lacks). */
  private readonly hits: number[] = [];
  /** Files failed alone in a row with no file answered since, and how (see engineFailed). */
  private failedInARow = 0;
  private failedHow = '';
  /** Set once the engines are found unable to judge any file: the check stops with it. */
  engineFailure: EngineStartError | undefined;
  // The limit: how many errors the filled prefix of `slots` holds, and where it ends.
  private prefix = 0;
  private errors = 0;
  private cut: number;

  /** Where files are judged again alone (see SyntaxChecker.checkBatch). */
  readonly alone: Limiter;

  constructor(
    readonly files: readonly string[],
    options: CheckOptions,
    private readonly onResult: ((v: FileVerdict) => void) | undefined,
    engines: number,
  ) {
    this.alone = new Limiter(engines);
    this.cache = options.cache;
    this.stats = options.stats;
    this.fileStats = options.fileStats;
    this.limit = options.limit;
    this.scopeKey = options.scopeKey;
    // A microsecond more than the window: the ms times are doubles of ns times (under 1 µs off).
    this.racyAfter = Date.now() - (options.racyWindowMs ?? RACY_MS) - 0.001;
    this.slots = new Array<FileVerdict | undefined>(files.length);
    this.keyed = new Array<FileStat | undefined>(files.length);
    this.scopes = new Array<string>(files.length);
    this.racy = new Uint8Array(files.length);
    this.cut = this.limit !== undefined && this.limit <= 0 ? 0 : files.length;
  }

  /** The limit is reached: no further batch is dispatched. */
  get stopped(): boolean {
    return this.cut !== this.files.length;
  }

  /** Emit the verdicts the cache holds for unchanged files; the indexes of the rest. */
  takeCached(scopes: PackageScopes): number[] {
    const pending: number[] = [];
    const cache = this.cache;
    for (let i = 0; i < this.files.length; i++) {
      const file = this.files[i]!;
      let st = this.statOf(i);
      if (cache && !st) {
        try {
          st = fileStatOf(fs.lstatSync(file));
        } catch {
          st = undefined;
        }
      }
      if (cache && st) {
        const scope = this.scopeKey ? this.scopeKey(file, st.folder) : scopes.scopeOf(file).key;
        const racy = st.changedMs > this.racyAfter;
        this.keyed[i] = st;
        this.scopes[i] = scope;
        this.racy[i] = racy ? 1 : 0;
        const hit = racy ? undefined : cache.getStat(file, st, scope, st.folder);
        if (hit) {
          this.summary.cached++;
          this.hits.push(i);
          // An ok verdict (the cache gives it without exports) made whole: the spread made each
          // one with a backing store of its own.
          this.emit(i, 'ok' in hit && hit.ok && hit.exports === undefined ? new (OkVerdict as unknown as OkVerdictMaker)(file, hit.format) : { file, ...hit });
          continue;
        }
      }
      pending.push(i);
    }
    this.advance();
    return pending;
  }

  /** An engine answered a request: engines work, whatever failed before. */
  engineAnswered(): void {
    this.failedInARow = 0;
  }

  /**
   * A file its engine failed even alone (unbounded, fresh). A real per-file crash is rare and
   * its own; ENGINE_FAILURES_IN_A_ROW of them the same way (the file's path aside) with none
   * answered between is an engine that starts but cannot work (a corrupt install): the error
   * the check stops with, rather than an engine started for each file of the tree.
   */
  engineFailed(file: string, why: string): EngineStartError | undefined {
    const how = why.split(file).join('<file>');
    this.failedInARow = how === this.failedHow ? this.failedInARow + 1 : 1;
    this.failedHow = how;
    if (this.failedInARow >= ENGINE_FAILURES_IN_A_ROW)
      this.engineFailure ??= new EngineStartError(`the syntax engine fails on every file (${this.failedInARow} in a row, each alone in an engine of its own, none answered): ${why}`);
    return this.engineFailure;
  }

  emit(i: number, v: FileVerdict): void {
    this.slots[i] = v;
    this.onResult?.(v);
  }

  /** A fresh verdict: emitted, and stored in the cache. */
  settled(i: number, { verdict, confirmed }: { verdict: FileVerdict; confirmed: boolean }): void {
    if (confirmed) this.summary.confirmed++;
    this.emit(i, verdict);
    this.store(i, verdict);
  }

  /** Move the filled prefix on, and cut at the limit-th error. */
  advance(): void {
    while (this.cut === this.files.length && this.prefix < this.files.length && this.slots[this.prefix]) {
      const v = this.slots[this.prefix++]!;
      if ('ok' in v && !v.ok && this.limit !== undefined && ++this.errors >= this.limit) this.cut = this.prefix;
    }
  }

  /**
   * Which of the `pending` files that node judges get their export surface read, within `budget`
   * bytes: those with an earlier record, whatever they cost (edits are where slips come from);
   * first-seen files only if all of them fit what is left (a tree of a few MB at its first scan,
   * files added since the last scan). Otherwise none of them: a surface costs about as much CPU
   * as the compile, in engines that would lex a share unoptimised (read by the lexers, a 4 MB share
   * of the 26 MB bench tree cost its first scan 15-20% of its CPU), and the fills record them in
   * later: rescans that run engines, and the daemon while it waits (discover/syntax/fill). Planned
   * before triage, so that files can go to the engines as they are triaged. Returns the bytes left.
   */
  planSurfaces(pending: readonly number[], budget: number): number {
    let left = budget;
    const fresh: number[] = [];
    let freshBytes = 0;
    for (const i of pending) {
      const file = this.files[i]!;
      if (!isCheckable(file)) continue;
      if (this.cache?.peek(file)) left -= this.bytesOf(i);
      else {
        fresh.push(i);
        freshBytes += this.bytesOf(i);
      }
    }
    if (freshBytes <= left) return Math.max(0, left - freshBytes);
    const deferred = new Uint8Array(this.files.length);
    for (const i of fresh) deferred[i] = 1;
    this.surfaceDeferred = deferred;
    return Math.max(0, left);
  }

  /** 1 where planSurfaces left a file's export surface unread. */
  surfaceDeferred: Uint8Array | undefined;

  /** File `i`'s stat as listed, if the caller gave it. */
  statOf(i: number): FileStat | undefined {
    return this.fileStats ? this.fileStats[i] : this.stats?.get(this.files[i]!);
  }

  private bytesOf(i: number): number {
    return this.statOf(i)?.size ?? 0;
  }

  /**
   * Unchanged files whose cached record is ok without a surface, within `budget` bytes, from a
   * rotating start; at most BACKFILL_LOOKS records are looked at (a record that exports nothing
   * looks the same, and is looked at again now and then).
   */
  lackingSurfaces(budget: number): { i: number; file: string; format: ModuleFormat; bytes: number }[] {
    const out: { i: number; file: string; format: ModuleFormat; bytes: number }[] = [];
    if (!this.cache || !this.hits.length) return out;
    let left = budget;
    const start = Math.floor(Math.random() * this.hits.length);
    for (let k = 0; k < Math.min(this.hits.length, BACKFILL_LOOKS) && left > 0; k++) {
      const i = this.hits[(start + k) % this.hits.length]!;
      const file = this.files[i]!;
      const v = this.cache.peek(file);
      if (!v || !('ok' in v) || !v.ok || v.exports?.length) continue;
      const bytes = this.statOf(i)?.size ?? 0;
      if (bytes > left) continue;
      left -= bytes;
      out.push({ i, file, format: v.format, bytes });
    }
    return out;
  }

  /** A surface read for an unchanged file: recorded if the file is still as it was listed. */
  fillSurface(i: number, stat: string, exports: string[]): void {
    const key = this.keyed[i]?.key;
    const v = this.slots[i];
    if (!this.cache || key === undefined || this.racy[i] || key !== stat || !v || !('ok' in v) || !v.ok) return;
    if (exports.length) {
      this.cache.set(this.files[i]!, key, this.scopes[i]!, { ok: true, format: v.format, exports });
      this.summary.surfacesFilled = (this.summary.surfacesFilled ?? 0) + 1;
    }
  }

  result(): { verdicts: FileVerdict[]; summary: CheckSummary } {
    const verdicts: FileVerdict[] = [];
    for (let i = 0; i < this.cut; i++) if (this.slots[i]) verdicts.push(this.slots[i]!);
    this.summary.notChecked = this.files.length - verdicts.length;
    return { verdicts, summary: this.summary };
  }

  private store(i: number, v: FileVerdict): void {
    const key = this.keyed[i]?.key;
    if (!this.cache || key === undefined) return;
    // A file that stopped parsing keeps the exports it had when it last parsed.
    if ('ok' in v && !v.ok && !v.lastGoodExports) {
      const before = this.cache.peek(this.files[i]!);
      const last = before && 'ok' in before ? (before.ok ? before.exports : before.lastGoodExports) : undefined;
      if (last) v.lastGoodExports = last;
    }
    const { file: _file, ...verdict } = v;
    // A racy file's verdict is kept for that record, never reused as it stands.
    this.cache.set(this.files[i]!, this.racy[i] ? RACY_STAT : key, this.scopes[i]!, verdict);
  }
}
