// A hog: a host process (the host's node, so it works on any image, shell or not) moved into
// a container's cgroups before it starts working, so everything it allocates or burns is
// charged to the container — the kernel's limits and OOM killer treat it as the container's.
// It ends itself when the process that started it dies (even by SIGKILL) or the container's
// init exits, and the journal holds a kill step for it as well.
import { spawn, type ChildProcess } from 'node:child_process';
import { type ContainerCgroups, joinCgroups } from './cgroups';
import { processStartTicks } from './processes';
import { childEnv } from '../../util/child-env';

// argv: mode (memory|cpu), stepBytes, intervalMs, maxBytes, workers, watchPid.
// Waits for "go" on stdin (sent once it is in the container's cgroups), then works; reports
// "allocated <bytes>" lines on stdout.
const HOG_SCRIPT = `
const mode = process.argv[1];
const [stepBytes, intervalMs, maxBytes, workers, watchPid] = process.argv.slice(2).map(Number);
const parent = process.ppid;
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch (e) { return e.code === 'EPERM'; } };
setInterval(() => { if (process.ppid !== parent || !alive(watchPid)) process.exit(0); }, 100);
const held = [];
let allocated = 0;
process.stdin.once('data', () => {
  if (mode === 'memory') {
    const step = () => {
      if (allocated + stepBytes > maxBytes) return;
      const chunk = Buffer.allocUnsafe(stepBytes);
      chunk.fill(0x5a);
      held.push(chunk);
      allocated += stepBytes;
      process.stdout.write('allocated ' + allocated + '\\n');
    };
    step();
    setInterval(step, intervalMs);
  } else {
    const { Worker } = require('node:worker_threads');
    // "burning" once every worker's thread runs (booting one takes a while on a busy machine).
    let running = 0;
    for (let i = 0; i < workers; i++)
      new Worker('require("node:worker_threads").parentPort.postMessage(1); for (;;) {}', { eval: true })
        .once('message', () => { if (++running === workers) process.stdout.write('burning ' + workers + '\\n'); });
  }
});
`;

/** The number of arguments after the script: mode, stepBytes, intervalMs, maxBytes, workers, watchPid. */
const HOG_ARGS = 6;

/**
 * Whether an argv (from /proc/PID/cmdline) is a hog's as spawnHog starts it: node, `-e`, this
 * very script, and its six arguments. How a replay recognises a hog it has to stop, wherever
 * its cgroup is (not moved yet when its run died; gone with the container).
 */
export function isHogCommandLine(argv: readonly string[]): boolean {
  return (
    argv.length === 3 + HOG_ARGS &&
    /(^|\/)node[^/]*$/.test(argv[0]) &&
    argv[1] === '-e' &&
    argv[2] === HOG_SCRIPT &&
    argv.slice(3).every((arg, i) => (i === 0 ? arg === 'memory' || arg === 'cpu' : /^\d+(\.\d+)?$/.test(arg)))
  );
}

export interface HogOptions {
  mode: 'memory' | 'cpu';
  stepBytes?: number;
  intervalMs?: number;
  maxBytes?: number;
  workers?: number;
  /** The container's init PID on the host: the hog ends when it does. */
  watchPid: number;
}

export interface Hog {
  pid: number;
  startTicks: string;
  child: ChildProcess;
  /** Bytes the hog reported allocated so far. */
  allocatedBytes(): number;
  /** Resolves with the exit signal (SIGKILL from the OOM killer, or ours) when it ends. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Starts the work; call once the hog is in the container's cgroups. */
  go(): void;
  /** Resolves once the work runs (the first allocation, or every CPU worker's thread started). */
  working: Promise<void>;
  stop(): Promise<void>;
}

/** Spawns a hog, waiting at the start line; the caller journals it, moves it in, then calls go(). */
export function spawnHog(options: HogOptions): Hog {
  const args = [
    options.mode,
    options.stepBytes ?? 0,
    options.intervalMs ?? 0,
    options.maxBytes ?? 0,
    options.workers ?? 0,
    options.watchPid,
  ].map(String);
  const child = spawn(process.execPath, ['-e', HOG_SCRIPT, ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: childEnv(),
  });
  if (!child.pid) throw new Error('could not start the hog process');
  let allocated = 0;
  let markWorking: () => void = () => undefined;
  const working = new Promise<void>((resolve) => (markWorking = resolve));
  child.stdout?.on('data', (chunk: Buffer) => {
    const text = chunk.toString();
    const last = [...text.matchAll(/allocated (\d+)/g)].pop();
    if (last) allocated = Number(last[1]);
    if (last || text.includes('burning')) markWorking();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    pid: child.pid,
    startTicks: processStartTicks(child.pid) ?? '',
    child,
    allocatedBytes: () => allocated,
    exited,
    working,
    go: () => child.stdin?.write('go\n'),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

export async function moveHogInto(hog: Hog, cgroups: ContainerCgroups): Promise<void> {
  await joinCgroups(hog.pid, cgroups);
}
