import { randomBytes, createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Temp files of interrupted writes carry this marker so recovery can find and remove them. */
export const TEMP_MARKER = '.mechanic-tmp-';

/**
 * The one function that writes files: temp file in the same folder, fsync, rename over the
 * target, fsync the folder. A reader (or a crash) sees the old bytes or the new, never a mix.
 * The target's permission bits are kept. `exclusive`: fail with EEXIST rather than replace a file.
 */
export function writeFileAtomic(target: string, data: string | Uint8Array, opts: { mode?: number; exclusive?: boolean } = {}): void {
  const dir = path.dirname(target);
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let mode = opts.mode;
  if (mode === undefined) {
    try {
      mode = fs.statSync(target).mode & 0o7777;
    } catch {
      mode = 0o644;
    }
  }
  const tmp = path.join(dir, `.${path.basename(target)}${TEMP_MARKER}${process.pid}-${randomBytes(4).toString('hex')}`);
  let fd: number | undefined;
  try {
    fd = fs.openSync(tmp, 'wx', mode);
    let written = 0;
    while (written < bytes.length) written += fs.writeSync(fd, bytes.subarray(written));
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    // openSync's mode is filtered by the umask; the target's bits must survive exactly.
    fs.chmodSync(tmp, mode);
    if (opts.exclusive) {
      // A link never replaces a file: one created since the caller looked is kept (EEXIST).
      fs.linkSync(tmp, target);
      fs.rmSync(tmp);
    } else fs.renameSync(tmp, target);
  } catch (err) {
    if (fd !== undefined) {
      try {
        fs.closeSync(fd);
      } catch {
        /* already closed */
      }
    }
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  fsyncDir(dir);
}

function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Some file systems refuse fsync on a folder; the rename is still atomic.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Write JSON atomically, creating the folder. */
export function writeJsonAtomic(target: string, value: unknown): void {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  writeFileAtomic(target, JSON.stringify(value, null, 2) + '\n', { mode: 0o600 });
}
