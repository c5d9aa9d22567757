import { ScanCache } from '../../engine/cache.js';
import { PackageScopes, statKey } from '../../analysis/format.js';
import { listSourceFiles, treeOf, type ListConfig, type SkippedFile, type SourceFiles } from '../files.js';
import { walkScopes } from '../scopes.js';
import type { TreeWalk } from '../walk.js';
import type { CheckSummary, FileVerdict, SyntaxChecker } from '../../engine/checker.js';

export interface SyntaxScanOptions {
  /** Stop at the limit-th file that does not parse (files in path order); the rest is not read. */
  limit?: number;
  /** Keep verdicts in `<stateDir>/scan-cache.tsv` and reuse them for unchanged files (default true). */
  cache?: boolean;
  /** See CheckOptions.racyWindowMs. */
  racyWindowMs?: number;
  /** Progress: verdicts so far, of how many files. */
  onFile?: (done: number, total: number) => void;
  /** The walk of the roots, when the caller shares one (see TreeWalk). */
  tree?: TreeWalk;
  /** Each verdict, as it arrives. */
  onVerdict?: (v: FileVerdict) => void;
}

export interface SyntaxScan extends CheckSummary {
  /** Verdicts in path order (up to the limit-th error when a limit is set). */
  verdicts: FileVerdict[];
  /** Files not judged, with the reason (listing and reading). */
  skipped: SkippedFile[];
  /** Files listed under the roots. */
  files: number;
  warnings: string[];
  /** Why the cache on disk was not used, when it was not. */
  cacheDropped?: string;
  /** Whether the cache file was written. */
  cacheSaved: boolean;
  durationMs: number;
}

/**
 * The syntax scan: list the source files under the roots, take each unchanged file's verdict
 * from the cache, judge the others in the checker's engines, and save the cache.
 */
export async function scanSyntax(config: ListConfig, checker: SyntaxChecker, opts: SyntaxScanOptions = {}): Promise<SyntaxScan> {
  const started = performance.now();
  const tree = opts.tree ?? treeOf(config);
  const listed = await listSourceFiles(config, tree);
  const cache = opts.cache === false ? undefined : ScanCache.open(config.stateDir, `node ${checker.nodeVersion.raw}`);
  let done = 0;
  const total = listed.files.length;
  const onVerdict = (v: FileVerdict): void => {
    opts.onVerdict?.(v);
    opts.onFile?.(++done, total);
  };
  const hits = cache ? takeCached(listed, cache, walkScopes(tree, new PackageScopes(checker.rules)), opts.racyWindowMs, onVerdict) : undefined;
  const pending = hits ? listed.files.filter((f) => !hits.has(f)) : listed.files;
  const checked = await checker.check(pending, onVerdict, {
    stats: listed.stats,
    ...(cache ? { cache } : {}),
    ...(opts.limit !== undefined ? { limit: opts.limit } : {}),
    ...(opts.racyWindowMs !== undefined ? { racyWindowMs: opts.racyWindowMs } : {}),
  });
  const { verdicts, summary } = hits ? merge(listed.files, hits, checked, opts.limit) : checked;
  let cacheSaved = false;
  const warnings = [...checker.warnings, ...listed.warnings];
  if (cache) {
    // A scan cut short by a limit has not seen every file: keep what it did not reach.
    if (!summary.notChecked) cache.retain(new Set(listed.files));
    try {
      cacheSaved = cache.save();
    } catch (err) {
      warnings.push(`scan cache ${cache.file} not saved: ${(err as Error).message}`);
    }
  }
  const skipped = [...listed.skipped];
  for (const v of verdicts) if ('skipped' in v) skipped.push({ file: v.file, reason: v.skipped });
  return {
    ...summary,
    verdicts,
    skipped,
    files: total,
    warnings,
    ...(cache?.dropped && cache.dropped !== 'none yet' ? { cacheDropped: cache.dropped } : {}),
    cacheSaved,
    durationMs: performance.now() - started,
  };
}

/** A file changed this recently may change again within its timestamp's tick: its verdict is not taken. */
const RACY_MS = 2000;

/**
 * The verdicts the cache holds for unchanged files, emitted, by file; the checker takes the rest
 * (and keys them as here: the stat as listed, the scope from PackageScopes). Here, not in the
 * checker, so that scopes come from the walk (see walkScopes).
 */
function takeCached(
  listed: SourceFiles,
  cache: ScanCache,
  scopeOf: (file: string) => string,
  racyWindowMs: number | undefined,
  emit: (v: FileVerdict) => void,
): Map<string, FileVerdict> {
  const hits = new Map<string, FileVerdict>();
  const racyAfter = BigInt(Date.now()) * 1_000_000n - BigInt(Math.round((racyWindowMs ?? RACY_MS) * 1e6));
  for (const file of listed.files) {
    const st = listed.stats.get(file)!;
    if (st.ctimeNs > racyAfter || st.mtimeNs > racyAfter) continue;
    const hit = cache.get(file, statKey(st), scopeOf(file));
    if (!hit) continue;
    const v = { file, ...hit } as FileVerdict;
    hits.set(file, v);
    emit(v);
  }
  return hits;
}

/** The cache's verdicts and the checker's, in file order, cut at the limit-th error as the checker cuts. */
function merge(
  files: readonly string[],
  hits: ReadonlyMap<string, FileVerdict>,
  checked: { verdicts: FileVerdict[]; summary: CheckSummary },
  limit: number | undefined,
): { verdicts: FileVerdict[]; summary: CheckSummary } {
  const verdicts: FileVerdict[] = [];
  let k = 0;
  let errors = 0;
  for (const file of files) {
    if (limit !== undefined && errors >= limit) break;
    const v = hits.get(file) ?? (checked.verdicts[k]?.file === file ? checked.verdicts[k++] : undefined);
    // The checker stopped before this file (at its limit-th error, which is past this cut).
    if (!v) break;
    verdicts.push(v);
    if ('ok' in v && !v.ok) errors++;
  }
  const summary = { ...checked.summary, cached: checked.summary.cached + hits.size, notChecked: files.length - verdicts.length };
  return { verdicts, summary };
}
