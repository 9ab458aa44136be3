// A lock file for short read-modify-write sections shared between processes (the fault
// journal). Taken with O_CREAT|O_EXCL, so exactly one process holds it; it names its holder
// (pid, host, a random token). A lock whose holder died without releasing it (a SIGKILL in the
// middle of a write) is stale: a waiter on the same host sees the pid gone and breaks it; any
// lock older than the sections it guards could ever take (30 s) is stale too.
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export class FileLockError extends Error {}

export interface FileLockOptions {
  /** Give up after this long (default 15 s): a live holder never keeps the lock that long. */
  timeoutMs?: number;
  /** A lock file that names no holder (its writer died between create and write) is stale after this (default 5 s). */
  unnamedStaleMs?: number;
  /**
   * Any lock is stale after this (default 30 s): the sections it guards take milliseconds, and
   * a holder's pid may have been reused by a live process, or the holder ran on another host.
   */
  staleMs?: number;
}

interface Holder {
  pid: number;
  host: string;
  token: string;
}

function parseHolder(text: string): Holder | null {
  const [pid, host, token] = text.trim().split(' ');
  if (!/^\d+$/.test(pid ?? '') || !host || !token) return null;
  return { pid: Number(pid), host, token };
}

/** Whether a process exists (EPERM: it exists but belongs to another user). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOrNull(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

function tryCreate(lockPath: string, content: string): boolean {
  let fd: number;
  try {
    fd = openSync(lockPath, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
  return true;
}

/**
 * Moves a stale lock aside. The rename is atomic, so of two waiters that both saw it stale only
 * one moves it; if what was moved is not the stale lock we saw (a live holder took the lock in
 * between), it is linked back (link never overwrites).
 */
function breakStale(lockPath: string, staleContent: string): void {
  const aside = `${lockPath}.stale.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    renameSync(lockPath, aside);
  } catch {
    return; // Someone else moved or released it.
  }
  if (readOrNull(aside) !== staleContent) {
    try {
      linkSync(aside, lockPath);
    } catch {
      // A third process took the lock meanwhile; the displaced holder's release checks its token.
    }
  }
  try {
    unlinkSync(aside);
  } catch {
    // Already gone.
  }
}

function ageMs(lockPath: string): number {
  try {
    return Date.now() - statSync(lockPath).mtimeMs;
  } catch {
    return 0;
  }
}

function isStale(
  lockPath: string,
  content: string,
  limits: { unnamedStaleMs: number; staleMs: number },
): boolean {
  const holder = parseHolder(content);
  if (!holder) return ageMs(lockPath) > limits.unnamedStaleMs;
  if (holder.host === os.hostname() && !processAlive(holder.pid)) return true;
  return ageMs(lockPath) > limits.staleMs;
}

/** Runs `fn` while holding `lockPath`; the lock is released however `fn` ends. */
export async function withFileLock<T>(
  lockPath: string,
  fn: () => T | Promise<T>,
  options: FileLockOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const limits = { unnamedStaleMs: options.unnamedStaleMs ?? 5000, staleMs: options.staleMs ?? 30_000 };
  mkdirSync(path.dirname(lockPath), { recursive: true, mode: 0o700 });
  const token = randomBytes(8).toString('hex');
  const content = `${process.pid} ${os.hostname()} ${token}\n`;
  const deadline = Date.now() + timeoutMs;
  let wait = 2;
  while (!tryCreate(lockPath, content)) {
    const current = readOrNull(lockPath);
    if (current !== null && isStale(lockPath, current, limits)) {
      breakStale(lockPath, current);
      continue;
    }
    if (Date.now() > deadline) {
      const holder = current === null ? null : parseHolder(current);
      throw new FileLockError(
        `${lockPath} is held by ${holder ? `pid ${holder.pid} on ${holder.host}` : 'an unknown process'} for over ${timeoutMs} ms; remove it if that process is gone`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, wait + Math.random() * wait));
    wait = Math.min(wait * 2, 50);
  }
  try {
    return await fn();
  } finally {
    // Release only our own lock (a waiter may have judged it stale and replaced it).
    if (readOrNull(lockPath) === content) {
      try {
        unlinkSync(lockPath);
      } catch {
        // Already gone.
      }
    }
  }
}
