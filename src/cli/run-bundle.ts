/**
 * Runs the CLI bundle (scripts/bundle.mjs) with a V8 code cache: a start then deserialises the
 * bytecode of the functions the last run compiled instead of parsing 2.4 MB and compiling them
 * again. Node 20 has no compile cache for ES modules (`module.enableCompileCache` is 22.1+), so
 * the bundle is a script, a function of what a module would have had (`require`, its URL), run
 * with `vm.Script` and its `cachedData`.
 *
 * The cache is the user's own (`$XDG_CACHE_HOME/code-mechanic`, else `~/.cache/code-mechanic`):
 * dist/ may be read-only, and bytecode from a folder others can write to would run as this user.
 * It is keyed by the build, the bundle file's size and time, node's version and its flags, and
 * written once, atomically, at exit, so that it holds what this command compiled. Whatever goes
 * wrong with it (no home, a rejected or damaged cache) costs only the cache: the bundle runs.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

/**
 * What the bundle's wrapper is called with: the `require` of its own folder, main.js's URL and
 * the `import()` that its own `import()`s were made (scripts/bundle.mjs).
 */
type BundleMain = (require: NodeJS.Require, mainUrl: string, dynamicImport: (specifier: string) => Promise<unknown>) => void;

/** `encoding`: latin1 when the build found the bundle all ASCII (the same text, read faster). */
export function runBundle(bundleUrl: URL, mainUrl: string, buildId: string, encoding: 'latin1' | 'utf8' = 'utf8'): void {
  const file = fileURLToPath(bundleUrl);
  const source = fs.readFileSync(file, encoding);
  const cacheFile = cachePath(file, buildId);
  const cachedData = cacheFile ? readCache(cacheFile) : undefined;
  const script = new vm.Script(source, { filename: file, ...(cachedData ? { cachedData } : {}) });
  if (cacheFile && (!cachedData || script.cachedDataRejected)) process.once('exit', () => writeCache(cacheFile, script));
  // The bundle's `import()` (pg, nodemailer, a .mjs config), resolved from this folder as before.
  (script.runInThisContext() as BundleMain)(createRequire(file), mainUrl, (specifier) => import(specifier));
}

function cachePath(file: string, buildId: string): string | undefined {
  try {
    const st = fs.statSync(file);
    const home = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
    // V8 checks a cache against the source's length and its own flags only: the key says the rest.
    const key = crypto
      .createHash('sha256')
      .update([buildId, st.size, st.mtimeMs, st.ino, process.version, process.arch, process.execArgv.join(' ')].join('\n'))
      .digest('hex')
      .slice(0, 24);
    return path.join(home, 'code-mechanic', `cli-${key}.v8cache`);
  } catch {
    return undefined;
  }
}

function readCache(cacheFile: string): Buffer | undefined {
  try {
    return fs.readFileSync(cacheFile);
  } catch {
    return undefined;
  }
}

function writeCache(cacheFile: string, script: vm.Script): void {
  const tmp = `${cacheFile}.${process.pid}.tmp`;
  try {
    fs.mkdirSync(path.dirname(cacheFile), { recursive: true, mode: 0o700 });
    // Opened before the cache is made: where it cannot be written (a read-only home), it costs nothing.
    const fd = fs.openSync(tmp, 'w', 0o600);
    try {
      fs.writeSync(fd, script.createCachedData());
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, cacheFile);
    pruneOld(path.dirname(cacheFile), cacheFile);
  } catch {
    try {
      fs.rmSync(tmp, { force: true });
    } catch {
      /* nothing more to do */
    }
  }
}

/** Other builds' caches (each build writes its own) are removed once a week old. */
function pruneOld(dir: string, keep: string): void {
  const weekAgo = Date.now() - 7 * 24 * 3600 * 1000;
  for (const name of fs.readdirSync(dir)) {
    const p = path.join(dir, name);
    if (p === keep || !/^cli-.*\.v8cache$/.test(name)) continue;
    try {
      if (fs.statSync(p).mtimeMs < weekAgo) fs.rmSync(p, { force: true });
    } catch {
      /* another process's, or gone */
    }
  }
}
