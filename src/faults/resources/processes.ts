// Host processes a fault acts on: telling a process from a later one that reuses its PID (its
// start time), and the OOM killer's preference for one (oom_score_adj).
import { readFileSync, writeFileSync } from 'node:fs';
import { execAsRoot } from '../privileges';

/**
 * The process start time (in clock ticks since boot) from /proc: it tells a reused PID from
 * ours. Null when the process is gone, and when it has exited but was not reaped yet (a
 * zombie: its parent died and nobody has waited for it): it has nothing left to stop, and
 * /proc shows it in no cgroup of its own any more.
 */
export function processStartTicks(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces; fields after its closing paren are plain.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (['Z', 'X', 'x'].includes(fields[0] ?? '')) return null;
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

/** Clock ticks per second of /proc's utime and stime (USER_HZ: 100 on every Linux ABI Docker runs on). */
const USER_HZ = 100;

/**
 * The CPU time a process has used, all its threads, in microseconds (utime + stime of
 * /proc/PID/stat, so at a resolution of 10 ms); null when it is gone.
 */
export function processCpuMicros(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? (ticks * 1_000_000) / USER_HZ : null;
  } catch {
    return null;
  }
}

/** A process's argv from /proc/PID/cmdline; null when it cannot be read (gone, exiting). */
export function processCommandLine(pid: number): string[] | null {
  try {
    const text = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (text === '') return null;
    return text.replace(/\0$/, '').split('\0');
  } catch {
    return null;
  }
}

/** Writes a process's oom_score_adj: directly as root, else through sudo -n tee. */
export async function writeOomScoreAdj(pid: number, value: number): Promise<void> {
  const file = `/proc/${pid}/oom_score_adj`;
  try {
    writeFileSync(file, `${Math.trunc(value)}\n`);
    return;
  } catch {
    // Not root (or not allowed directly): the same root path as the faults.
  }
  const result = await execAsRoot('tee', [file], { input: `${Math.trunc(value)}\n`, timeoutMs: 5000 });
  if (result.code !== 0) throw new Error(`cannot write ${file}: ${result.stderr.trim()}`);
}
