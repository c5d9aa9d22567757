import { ScanCache } from '../../engine/cache.js';
import { PackageScopes } from '../../analysis/format.js';
import { listSourceFiles, treeOf, type ListConfig, type SkippedFile } from '../files.js';
import { walkScopes } from '../scopes.js';
import type { TreeWalk } from '../walk.js';
import { SURFACE_BUDGET_BYTES, type CheckSummary, type FileVerdict, type SyntaxChecker } from '../../engine/checker.js';

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
  /**
   * Bytes of source whose export surface this scan records (see CheckOptions.surfaceBudget);
   * default SURFACE_BUDGET_BYTES, Infinity for every file that parses.
   */
  surfaceBudget?: number;
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
  const cache = opts.cache === false ? undefined : ScanCache.open(config.stateDir, `node ${checker.nodeVersion.raw}`);
  // Nothing recorded: every file will be read, so an engine starts while the tree is walked.
  if (!cache?.size) checker.warmUp();
  const listed = await listSourceFiles(config, tree);
  let done = 0;
  const total = listed.files.length;
  const scopes = new PackageScopes(checker.rules, (dir) => tree.hasPackageJson(dir));
  const { verdicts, summary } = await checker.check(
    listed.files,
    // No call a file when nobody listens (a rescan's verdicts are most of its steps).
    opts.onVerdict || opts.onFile
      ? (v) => {
          opts.onVerdict?.(v);
          opts.onFile?.(++done, total);
        }
      : undefined,
    {
      fileStats: listed.fileStats,
      scopes,
      // scopes read off the walk: no stat of a package.json in every folder
      ...(cache ? { scopeKey: walkScopes(tree, scopes) } : {}),
      ...(cache ? { cache } : {}),
      ...(opts.limit !== undefined ? { limit: opts.limit } : {}),
      ...(opts.racyWindowMs !== undefined ? { racyWindowMs: opts.racyWindowMs } : {}),
      // Without a cache there is no record to keep a surface in.
      ...(cache && opts.surfaceBudget !== Infinity ? { surfaceBudget: opts.surfaceBudget ?? SURFACE_BUDGET_BYTES } : {}),
    },
  );
  let cacheSaved = false;
  const warnings = [...checker.warnings, ...listed.warnings];
  if (cache) {
    // A scan cut short by a limit has not seen every file: keep what it did not reach.
    if (!summary.notChecked) cache.retain(listed.files);
    try {
      cacheSaved = cache.save();
      // the first scan's cache made the state folder: its walk's listings can be kept now
      if (cacheSaved) tree.keepListings();
    } catch (err) {
      warnings.push(`scan cache ${cache.file} not saved: ${(err as Error).message}`);
    }
  }
  const skipped = [...listed.skipped];
  // Indexed: a loop that runs once a scan is not optimised, and `for...of` made an object a verdict.
  for (let i = 0; i < verdicts.length; i++) {
    const v = verdicts[i]!;
    if ('skipped' in v) skipped.push({ file: v.file, reason: v.skipped });
  }
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

