import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BusyError } from '../util/errors.js';

export interface LockInfo {
  pid: number;
  host: string;
  command: string;
  since: string;
}

export interface Lock {
  info: LockInfo;
  release(): void;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function lockPath(stateDir: string): string {
  return path.join(stateDir, 'mechanic.lock');
}

export function readLock(stateDir: string): LockInfo | undefined {
  try {
    const info = JSON.parse(fs.readFileSync(lockPath(stateDir), 'utf8')) as LockInfo;
    return typeof info.pid === 'number' ? info : undefined;
  } catch {
    return undefined;
  }
}

/** The holder of the lock when it is a live process on this host. */
export function liveHolder(stateDir: string): LockInfo | undefined {
  const info = readLock(stateDir);
  return info && info.host === os.hostname() && alive(info.pid) ? info : undefined;
}

/**
 * One mechanic per state folder. The lock file is created exclusively; a lock left by a process
 * that is gone is moved aside by rename (only one contender can win that) and taken over.
 */
export function acquireLock(stateDir: string, command: string): Lock {
  fs.mkdirSync(stateDir, { recursive: true });
  const file = lockPath(stateDir);
  const info: LockInfo = { pid: process.pid, host: os.hostname(), command, since: new Date().toISOString() };
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const fd = fs.openSync(file, 'wx', 0o600);
      fs.writeSync(fd, JSON.stringify(info));
      fs.fsyncSync(fd);
      fs.closeSync(fd);
      let released = false;
      return {
        info,
        release() {
          if (released) return;
          released = true;
          const now = readLock(stateDir);
          if (now?.pid === process.pid) fs.rmSync(file, { force: true });
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = readLock(stateDir);
    // A holder on another host (a shared folder) cannot be checked: it counts as alive.
    if (holder && holder.pid !== process.pid && (holder.host !== os.hostname() || alive(holder.pid)))
      throw new BusyError(
        `another mechanic (pid ${holder.pid}, \`${holder.command}\` since ${holder.since}) holds the state folder ${stateDir}`,
      );
    if (!holder) {
      // Just created by a contender that has not written its pid yet; give it a moment.
      const age = Date.now() - safeMtime(file);
      if (age < 2000) {
        sleepSync(50);
        continue;
      }
    }
    try {
      fs.renameSync(file, `${file}.stale-${process.pid}`);
      fs.rmSync(`${file}.stale-${process.pid}`, { force: true });
    } catch {
      /* another contender moved it first */
    }
  }
  throw new BusyError(`could not take the lock on ${stateDir}: it keeps changing hands`);
}

function safeMtime(file: string): number {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
