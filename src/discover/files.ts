import fs from 'node:fs';
import path from 'node:path';
import { glob } from 'tinyglobby';
import { ALWAYS_SKIPPED_DIRS } from '../config/defaults.js';
import type { Config } from '../config/load.js';
import { isInside, isInsideAny } from '../workspace/paths.js';

export interface SkippedFile {
  file: string;
  reason: string;
}

export interface SourceFiles {
  /** Real, absolute paths, sorted, each under a root. */
  files: string[];
  skipped: SkippedFile[];
}

/**
 * Every source file under the roots that the include/exclude globs select, minus dependency and
 * VCS folders and the mechanic's own. Links that lead out of the roots are not followed; files
 * over the size limit are skipped with the reason.
 */
export async function listSourceFiles(
  config: Pick<Config, 'roots' | 'include' | 'exclude' | 'stateDir' | 'backupDir' | 'maxFileBytes'>,
): Promise<SourceFiles> {
  const files = new Set<string>();
  const skipped: SkippedFile[] = [];
  const ignore = [...ALWAYS_SKIPPED_DIRS.map((d) => `**/${d}/**`), ...config.exclude];
  const own = [config.stateDir, config.backupDir];
  for (const root of config.roots) {
    const found = await glob(config.include, {
      cwd: root,
      ignore,
      absolute: true,
      dot: true,
      onlyFiles: true,
      followSymbolicLinks: false,
      expandDirectories: false,
    });
    for (const f of found) {
      const abs = path.resolve(f);
      if (own.some((o) => isInside(abs, o))) continue;
      let st: fs.Stats;
      try {
        st = fs.lstatSync(abs);
      } catch {
        continue;
      }
      let real = abs;
      if (st.isSymbolicLink()) {
        try {
          real = fs.realpathSync(abs);
          st = fs.statSync(real);
        } catch {
          skipped.push({ file: abs, reason: 'broken symbolic link' });
          continue;
        }
        if (!isInsideAny(real, config.roots)) {
          skipped.push({ file: abs, reason: `symbolic link to ${real}, outside the roots` });
          continue;
        }
      }
      if (!st.isFile()) continue;
      if (st.size > config.maxFileBytes) {
        skipped.push({ file: real, reason: `${st.size} bytes, over maxFileBytes (${config.maxFileBytes})` });
        continue;
      }
      files.add(real);
    }
  }
  return { files: [...files].sort(), skipped };
}
