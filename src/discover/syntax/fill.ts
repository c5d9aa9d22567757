import { ScanCache } from '../../engine/cache.js';
import { PackageScopes } from '../../analysis/format.js';
import { listSourceFiles, treeOf, type ListConfig } from '../files.js';
import { walkScopes } from '../scopes.js';
import type { ModuleFormat } from '../../analysis/compile.js';
import { batcher, type SyntaxChecker } from '../../engine/checker.js';

/**
 * Bytes of source an idle fill reads per pass. The engines lex about 1 MB in 50 ms of CPU (see
 * SURFACE_FILL_BYTES), so this is under a second of CPU in a 10-minute wait, and the 100 MB bench
 * tree, whose first scan records none of its surfaces, has them all after about seven waits
 * (an hour) rather than about a hundred rescans (17 hours).
 */
export const IDLE_FILL_BYTES = 16 << 20;
/** Wall time an idle fill may take per pass: on a loaded box the bytes may take longer than they should. */
export const IDLE_FILL_MS = 2_000;
/** A file changed this recently may change again unseen within its timestamp tick: not filled (as the checker's racy window). */
const RACY_MS = 2000;
/** Batches in flight at once: a stop waits for these at most. */
const LANES = 2;

export interface SurfaceFillOptions {
  /** Bytes of source read in this pass (default IDLE_FILL_BYTES); the first file is read whatever its size. */
  maxBytes?: number;
  /** Wall time of this pass, the walk included (default IDLE_FILL_MS); checked between batches. */
  maxMs?: number;
  /** Stop between batches (a shutdown, a wake): what was filled is saved. */
  signal?: AbortSignal;
  /**
   * Files found to export nothing, with the stat they had: not read again while unchanged. Kept
   * by the caller across passes (their record looks the same as one never read).
   */
  empty?: Map<string, string>;
  /** A file changed less than this long ago is left for a later pass (default 2000 ms, as CheckOptions.racyWindowMs). */
  racyWindowMs?: number;
}

export interface SurfaceFill {
  /** Records read and lexed in this pass. */
  read: number;
  /** Records that got their export surface. */
  filled: number;
  /** Bytes of source read. */
  bytes: number;
  /** Records that still lack a surface (not reached in this pass, or changed while read). */
  left: number;
  /** Why the pass ended before `left` was 0, if it did. */
  stopped?: 'signal' | 'time' | 'bytes';
  /** Whether the cache file was written. */
  saved: boolean;
  durationMs: number;
}

/**
 * Fill in the export surfaces the scans deferred: every unchanged file whose cached record parses
 * without a surface is read and lexed in the checker's engines (not compiled), within a budget
 * of bytes and time, and its surface is kept only if its stat after the read is the one listed
 * and the record's. The cache is saved atomically. Verdicts never change. The caller must hold
 * the state lock and run no scan meanwhile (the cache is read, changed and written whole).
 */
export async function fillSurfaces(config: ListConfig, checker: SyntaxChecker, opts: SurfaceFillOptions = {}): Promise<SurfaceFill> {
  const started = performance.now();
  const maxBytes = opts.maxBytes ?? IDLE_FILL_BYTES;
  const deadline = started + (opts.maxMs ?? IDLE_FILL_MS);
  const result: SurfaceFill = { read: 0, filled: 0, bytes: 0, left: 0, saved: false, durationMs: 0 };
  const done = () => ({ ...result, durationMs: performance.now() - started });
  const cache = ScanCache.open(config.stateDir, `node ${checker.nodeVersion.raw}`);
  if (!cache.size) return done();
  const tree = treeOf(config);
  const listed = await listSourceFiles(config, tree);
  const scopeKey = walkScopes(tree, new PackageScopes(checker.rules));
  // A microsecond more than the window: FileStat's ms times are doubles of ns times (under 1 µs off).
  const racyAfter = Date.now() - (opts.racyWindowMs ?? RACY_MS) - 0.001;

  type Todo = { file: string; format: ModuleFormat; stat: string; scope: string; bytes: number };
  const todo: Todo[] = [];
  for (let k = 0; k < listed.files.length; k++) {
    const file = listed.files[k]!;
    const st = listed.fileStats[k];
    if (!st) continue;
    const stat = st.key;
    if (opts.empty?.get(file) === stat) continue;
    const scope = scopeKey(file);
    // The record is this file as it is now (same stat and scope), and it parses without a surface.
    const now = cache.get(file, stat, scope);
    if (!now || !('ok' in now) || !now.ok) continue;
    const v = cache.peek(file);
    if (!v || !('ok' in v) || !v.ok || v.exports?.length) continue;
    // Changed just now: it may change again unseen within its timestamp tick; a later pass reads it.
    if (st.changedMs > racyAfter) {
      result.left++;
      continue;
    }
    todo.push({ file, format: v.format, stat, scope, bytes: st.size });
  }
  result.left += todo.length;

  // Within the byte budget, in path order (filled records drop out, so passes move on).
  const batches: Todo[][] = [];
  let spent = 0;
  let bytesCut = false;
  const cut = batcher<Todo>();
  for (const t of todo) {
    if (spent > 0 && spent + t.bytes > maxBytes) {
      bytesCut = true;
      continue;
    }
    spent += t.bytes;
    const closed = cut.add(t);
    if (closed) batches.push(closed);
  }
  const last = cut.end();
  if (last) batches.push(last);

  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < batches.length) {
      if (opts.signal?.aborted) return void (result.stopped = 'signal');
      if (performance.now() >= deadline) return void (result.stopped ??= 'time');
      const b = batches[next++]!;
      const outs = await checker.surfacesOf(b.map((t) => ({ file: t.file, format: t.format })));
      outs.forEach((o, k) => {
        const t = b[k]!;
        result.read++;
        result.bytes += t.bytes;
        if (!('exports' in o) || o.stat !== t.stat) return; // unreadable now, or changed: the record stays
        result.left--;
        if (!o.exports.length) opts.empty?.set(t.file, t.stat);
        else {
          cache.set(t.file, t.stat, t.scope, { ok: true, format: t.format, exports: o.exports });
          result.filled++;
        }
      });
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(LANES, batches.length) }, lane));
  } finally {
    // What was filled before a failure or a stop is kept.
    result.saved = cache.save();
  }
  if (!result.stopped && bytesCut) result.stopped = 'bytes';
  return done();
}
