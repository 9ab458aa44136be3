// Linux signals for the `kill` fault: names and numbers, their default actions, what a
// process does with one (read from /proc/PID/status) and so what sending it can be seen to do.
// Pure, except readProcessSignals, which reads /proc.
import { readFileSync } from 'node:fs';

export type DefaultAction = 'terminate' | 'core' | 'ignore' | 'stop' | 'continue';

// Numbers as on x86-64 and arm64 (the kernel's generic numbering), signal(7).
const TABLE: [name: string, number: number, action: DefaultAction][] = [
  ['HUP', 1, 'terminate'],
  ['INT', 2, 'terminate'],
  ['QUIT', 3, 'core'],
  ['ILL', 4, 'core'],
  ['TRAP', 5, 'core'],
  ['ABRT', 6, 'core'],
  ['IOT', 6, 'core'],
  ['BUS', 7, 'core'],
  ['FPE', 8, 'core'],
  ['KILL', 9, 'terminate'],
  ['USR1', 10, 'terminate'],
  ['SEGV', 11, 'core'],
  ['USR2', 12, 'terminate'],
  ['PIPE', 13, 'terminate'],
  ['ALRM', 14, 'terminate'],
  ['TERM', 15, 'terminate'],
  ['STKFLT', 16, 'terminate'],
  ['CHLD', 17, 'ignore'],
  ['CONT', 18, 'continue'],
  ['STOP', 19, 'stop'],
  ['TSTP', 20, 'stop'],
  ['TTIN', 21, 'stop'],
  ['TTOU', 22, 'stop'],
  ['URG', 23, 'ignore'],
  ['XCPU', 24, 'core'],
  ['XFSZ', 25, 'core'],
  ['VTALRM', 26, 'terminate'],
  ['PROF', 27, 'terminate'],
  ['WINCH', 28, 'ignore'],
  ['IO', 29, 'terminate'],
  ['POLL', 29, 'terminate'],
  ['PWR', 30, 'terminate'],
  ['SYS', 31, 'core'],
];

export interface SignalInfo {
  /** Canonical name, "SIGUSR1" (real-time signals: "SIG34"…). */
  name: string;
  number: number;
  defaultAction: DefaultAction;
}

/** "SIGUSR1", "usr1", "10" or "SIG10" → the signal; null when Linux has no such signal. */
export function parseSignal(signal: string): SignalInfo | null {
  const bare = signal.trim().toUpperCase().replace(/^SIG/, '');
  if (/^\d+$/.test(bare)) {
    const number = Number(bare);
    const known = TABLE.find(([, n]) => n === number);
    if (known) return { name: `SIG${known[0]}`, number, defaultAction: known[2] };
    // 32 and 33 belong to the C library (NPTL); 34..64 are real-time signals, which terminate.
    return number >= 34 && number <= 64 ? { name: `SIG${number}`, number, defaultAction: 'terminate' } : null;
  }
  const known = TABLE.find(([name]) => name === bare);
  return known ? { name: `SIG${known[0]}`, number: known[1], defaultAction: known[2] } : null;
}

/**
 * Why a kill fault with this signal can never be proven or undone (null when it can be sent):
 * for the scenario schema's validation and for the injector alike.
 */
export function killSignalProblem(signal: string): string | null {
  const info = parseSignal(signal);
  if (!info)
    return `unknown signal "${signal}": expected a Linux signal such as SIGTERM, SIGKILL, SIGHUP or USR1`;
  if (info.name === 'SIGSTOP')
    return 'SIGSTOP freezes the process and a kill fault has nothing to resume it with: use type pause';
  return null;
}

/** The signal lines of /proc/PID/status. */
export interface ProcessSignals {
  /** The process's command name ("Name:"). */
  command: string;
  /** Its PID in each PID namespace, outermost first ("NSpid:"); the last is 1 for a container's init. */
  nsPids: number[];
  /** Pending for the (main) thread, pending for the process, blocked, ignored, caught. */
  pending: bigint;
  sharedPending: bigint;
  blocked: bigint;
  ignored: bigint;
  caught: bigint;
}

function mask(fields: Map<string, string>, key: string): bigint {
  const value = fields.get(key);
  if (value === undefined || !/^[0-9a-f]+$/i.test(value)) throw new Error(`no ${key} line`);
  return BigInt(`0x${value}`);
}

export function parseProcStatus(text: string): ProcessSignals {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1).trim());
  }
  const nsPids = (fields.get('NSpid') ?? fields.get('Pid') ?? '').split(/\s+/).filter(Boolean).map(Number);
  return {
    command: fields.get('Name') ?? '?',
    nsPids,
    pending: mask(fields, 'SigPnd'),
    sharedPending: mask(fields, 'ShdPnd'),
    blocked: mask(fields, 'SigBlk'),
    ignored: mask(fields, 'SigIgn'),
    caught: mask(fields, 'SigCgt'),
  };
}

export function hasSignal(signalMask: bigint, signal: number): boolean {
  return ((signalMask >> BigInt(signal - 1)) & 1n) === 1n;
}

export function isPending(process: ProcessSignals, signal: number): boolean {
  return hasSignal(process.pending, signal) || hasSignal(process.sharedPending, signal);
}

/**
 * What the signal will be seen to do to the process:
 * - `handled`: it has a handler, which runs (and may exit or carry on): the pending bit clears.
 * - `death`: the default action ends it.
 * - `stop`: the default action stops it, with nothing in the fault to resume it.
 * - `nothing`: ignored, or a default that does nothing — and a PID namespace's init (a
 *   container's main process) only ever receives the signals it handles, plus KILL and STOP.
 */
export function signalOutcome(
  signal: SignalInfo,
  process: ProcessSignals,
): { kind: 'handled' | 'death' | 'stop' | 'nothing'; why: string } {
  if (signal.name !== 'SIGKILL' && signal.name !== 'SIGSTOP') {
    if (hasSignal(process.caught, signal.number)) return { kind: 'handled', why: 'it has a handler for it' };
    if (hasSignal(process.ignored, signal.number)) return { kind: 'nothing', why: 'it ignores it' };
    if (process.nsPids.at(-1) === 1 && process.nsPids.length > 1)
      return {
        kind: 'nothing',
        why: "it has no handler for it, and the kernel drops such signals for a container's init (PID 1)",
      };
  }
  switch (signal.defaultAction) {
    case 'terminate':
    case 'core':
      return { kind: 'death', why: 'its default action ends the process' };
    case 'stop':
      return { kind: 'stop', why: 'its default action stops the process' };
    default:
      return { kind: 'nothing', why: `its default action is to ${signal.defaultAction}` };
  }
}

/**
 * /proc/PID/status of a container's main process, from this host. Null when it cannot be read
 * here or is not that container's (a remote engine, another PID namespace): the process's
 * cgroup must name the container.
 */
export function readProcessSignals(pid: number, containerId: string): ProcessSignals | null {
  try {
    if (pid <= 0 || !readFileSync(`/proc/${pid}/cgroup`, 'utf8').includes(containerId)) return null;
    return parseProcStatus(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return null;
  }
}
