/**
 * Runs the CLI bundle (scripts/bundle.mjs) with a V8 code cache: a start then deserialises the
 * bytecode of the functions the last run compiled instead of parsing 2.4 MB and compiling them
 * again. Node 20 has no compile cache for ES modules (`module.enableCompileCache` is 22.1+), so
 * the bundle is a script, a function of what a module would have had (`require`, its URL), run
 * with `vm.Script` and its `cachedData`.
 *
 * The build ships one, made by running a scan with it (scripts/bundle.mjs), next to the bundle:
 * `main.bundle-<build>-<node version>-<arch>.v8cache`, read, never written, at run time; under
 * another node, or a cache V8 rejects (other flags), the bundle is compiled as without one.
 * Beyond it, a cache per command is opt-in, in a folder the user names (MECHANIC_CODE_CACHE):
 * the mechanic writes nothing its user did not ask for (`doctor` and `--dry-run` create
 * nothing), dist/ may be read-only, and bytecode from a folder others can write to would run as
 * this user.
 * There is one per command (`scan` compiles other functions than `init`), keyed by the build, the
 * bundle file, node's version and its flags, written once, atomically, at exit, so that it holds
 * what the command compiled; a new build's replaces the last one's. Whatever goes wrong with it
 * (no home, a rejected or damaged cache) costs only the cache: the bundle runs.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
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
  const cachedData = readCache(cacheFile ?? shippedCachePath(file, buildId));
  const script = new vm.Script(source, { filename: file, ...(cachedData ? { cachedData } : {}) });
  if (cacheFile && (!cachedData || script.cachedDataRejected)) process.once('exit', () => writeCache(cacheFile, script));
  // The bundle's `import()` (pg, nodemailer, a .mjs config), resolved from this folder as before.
  (script.runInThisContext() as BundleMain)(createRequire(file), mainUrl, (specifier) => import(specifier));
}

/** The build's cache for this node (see scripts/bundle.mjs, which writes it under this name). */
export function shippedCachePath(bundleFile: string, buildId: string): string {
  return `${bundleFile.replace(/\.js$/, '')}-${buildId}-${process.version}-${process.arch}.v8cache`;
}

/**
 * `cli-<where>-<what>.v8cache`: <where> is this bundle file and command under this node and its
 * flags, <what> the build and the file's size and time (V8 itself checks only the source's length
 * and its own flags: the key says the rest).
 */
function cachePath(file: string, buildId: string): string | undefined {
  try {
    const st = fs.statSync(file);
    const dir = process.env.MECHANIC_CODE_CACHE;
    if (!dir) return undefined;
    const hash = (...parts: unknown[]) => crypto.createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 12);
    const where = hash(file, command(process.argv.slice(2)), process.version, process.arch, process.execArgv.join(' '));
    return path.join(path.resolve(dir), `cli-${where}-${hash(buildId, st.size, st.mtimeMs, st.ino)}.v8cache`);
  } catch {
    return undefined;
  }
}

/** The command's name as commander will read it (`-c FILE` may come first); anything else is one more. */
function command(args: string[]): string {
  const name = args.find((a, i) => !a.startsWith('-') && args[i - 1] !== '-c' && args[i - 1] !== '--config');
  return name && /^[a-z][a-z-]{0,30}$/.test(name) ? name : '';
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

/**
 * Caches this one replaces (the same bundle file and node, an earlier build) are removed now,
 * other installs' and other nodes' once a week old.
 */
function pruneOld(dir: string, keep: string): void {
  const same = path.basename(keep).slice(0, 'cli-'.length + 12);
  const weekAgo = Date.now() - 7 * 24 * 3600 * 1000;
  for (const name of fs.readdirSync(dir)) {
    const p = path.join(dir, name);
    if (p === keep || !/^cli-.*\.v8cache$/.test(name)) continue;
    try {
      if (name.startsWith(same) || fs.statSync(p).mtimeMs < weekAgo) fs.rmSync(p, { force: true });
    } catch {
      /* another process's, or gone */
    }
  }
}
