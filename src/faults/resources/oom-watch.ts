// Watches a container through a memory fault: OOM kills (the engine's `oom` and `die` events,
// the cgroup's counter and Docker's OOMKilled), restarts, how long until it was running (and
// healthy) again, and — when the kernel log is readable — which process the kernel killed.
import { type EventStream, streamContainerEvents } from '../../stack/events';
import { monotonicMs, sleep } from '../../util/clock';
import { execAsRoot } from '../privileges';
import { type ContainerCgroups, memoryUsageBytes, oomKillCount } from './cgroups';
import { inspectContainer } from '../containers/inspect';

export interface OomObservation {
  oomKills: number | null;
  oomKilled: boolean;
  restarts: number;
  peakUsageBytes: number | null;
  /** From the first moment it was seen down to running (and healthy when it has a check). */
  downToHealthyMs: number | null;
  killedProcesses: string[];
  kernelLogReadable: boolean;
}

/**
 * The kernel log lines newer than the last line of an earlier read, by dmesg's timestamp (the
 * ring buffer drops old lines, so offsets into the earlier text are not reliable). Pure.
 */
export function kernelLinesAfter(log: string, earlier: string | null): string {
  const stamp = (line: string) => Number(/^\[\s*(\d+\.\d+)\]/.exec(line)?.[1] ?? NaN);
  const last = (earlier ?? '').trimEnd().split('\n').pop() ?? '';
  const since = stamp(last);
  if (!Number.isFinite(since)) return log;
  return log
    .split('\n')
    .filter((line) => stamp(line) > since)
    .join('\n');
}

/**
 * The processes the OOM killer chose in one container's memory cgroup, from the kernel's
 * `oom-kill:... oom_memcg=<cgroup>,... task=<comm>,pid=<pid>` lines (pure, for tests). Kills in
 * other cgroups (other projects on the same machine) are left out.
 */
export function killedProcessLines(kernelLog: string, containerId: string): string[] {
  return [...kernelLog.matchAll(/oom-kill:\S*oom_memcg=([^,\s]+)\S*?,task=([^,\s]+),pid=(\d+)/g)]
    .filter((m) => m[1].includes(containerId))
    .map((m) => `pid ${m[3]} (${m[2]})`);
}

async function kernelLog(): Promise<string | null> {
  const result = await execAsRoot('dmesg', [], { timeoutMs: 5000 }).catch(() => null);
  return result?.code === 0 ? result.stdout : null;
}

export class OomWatcher {
  private readonly abort = new AbortController();
  private loop: Promise<void> = Promise.resolve();
  private lastOomCount: number | null = null;
  private oomKills: number | null = null;
  private baselineRestarts = 0;
  private baselineFinishedAt = '';
  private baselineKernelLog: string | null = null;
  private peak: number | null = null;
  private downSinceMs: number | null = null;
  private downToHealthyMs: number | null = null;
  private oomKilled = false;
  private restarts = 0;
  private cgroups: ContainerCgroups;
  private firstKillSeenAtMs: number | null = null;
  /** The engine reported an OOM in the container's cgroup since start(). */
  private oomEvent = false;
  private events: EventStream | null = null;
  private settle: (why: string) => void = () => undefined;
  /**
   * Resolves once an OOM kill since start() is settled: Docker has recorded the container's
   * death (OOMKilled), or the cgroup counted a kill and the container was still up a second
   * later (a process it survived losing). Waiting for Docker's record matters: a revert
   * that looked earlier could see "exited" before the restart policy took over.
   */
  readonly killSettled: Promise<string> = new Promise((resolve) => (this.settle = resolve));

  constructor(
    private readonly project: string,
    private readonly containerId: string,
    cgroups: ContainerCgroups,
  ) {
    this.cgroups = cgroups;
  }

  async start(): Promise<void> {
    // The engine's events first: a container OOM-killed and restarted by its policy between two
    // samples leaves no trace in them (an engine of 25 or later clears OOMKilled at the start,
    // and the new cgroup's counter begins at 0), and a leak that missed the kill would go on
    // leaking into the restarted app. `oom` then `die` is the kill, whenever it happens.
    this.events = await streamContainerEvents(this.project, ['oom', 'die'], (event) => {
      if (event.Actor.ID !== this.containerId) return;
      if (event.Action === 'oom') {
        this.oomEvent = true;
        this.firstKillSeenAtMs ??= monotonicMs();
      } else if (event.Action === 'die' && this.oomEvent) {
        this.oomKilled = true;
        this.settle('the kernel OOM-killed the container');
      }
    }).catch(() => null);
    const inspect = await inspectContainer(this.containerId);
    this.baselineRestarts = inspect.RestartCount;
    this.baselineFinishedAt = inspect.State.FinishedAt;
    this.lastOomCount = oomKillCount(this.cgroups);
    if (this.lastOomCount !== null) this.oomKills = 0;
    this.baselineKernelLog = await kernelLog();
    this.loop = this.watch();
  }

  private async watch(): Promise<void> {
    while (!this.abort.signal.aborted) {
      await this.sample();
      await sleep(100, this.abort.signal);
    }
  }

  private async sample(): Promise<void> {
    this.countOomKills();
    const usage = safe(() => memoryUsageBytes(this.cgroups));
    if (usage !== null) this.peak = Math.max(this.peak ?? 0, usage);
    const inspect = await inspectContainer(this.containerId).catch(() => null);
    if (!inspect) return;
    const state = inspect.State;
    const diedSinceStart = state.FinishedAt !== this.baselineFinishedAt;
    // OOMKilled stays set from an earlier death; only a death after the fault began counts.
    this.oomKilled ||= state.OOMKilled && diedSinceStart;
    this.restarts = inspect.RestartCount - this.baselineRestarts;
    if ((this.oomKills ?? 0) > 0) this.firstKillSeenAtMs ??= monotonicMs();
    if (this.oomKilled) this.settle('the kernel OOM-killed the container');
    else if (
      this.firstKillSeenAtMs !== null &&
      monotonicMs() - this.firstKillSeenAtMs >= 1000 &&
      !diedSinceStart
    )
      this.settle("the kernel OOM-killed a process in the container's cgroup");
    const up = state.Running && !state.Restarting && (!state.Health || state.Health.Status === 'healthy');
    if (!up && this.downSinceMs === null) this.downSinceMs = monotonicMs();
    if (up && this.downToHealthyMs === null) {
      if (this.downSinceMs !== null) this.downToHealthyMs = monotonicMs() - this.downSinceMs;
      else if (diedSinceStart) {
        // Died and came back between two samples: Docker's own timestamps tell how long it was down.
        const downMs = Date.parse(state.StartedAt) - Date.parse(state.FinishedAt);
        if (Number.isFinite(downMs) && downMs >= 0) this.downToHealthyMs = downMs;
      }
    }
  }

  /** Adds new OOM kills; a counter that went down belongs to a cgroup created anew by a restart. */
  private countOomKills(): void {
    const now = safe(() => oomKillCount(this.cgroups));
    if (now === null) return;
    const last = this.lastOomCount ?? 0;
    this.oomKills = (this.oomKills ?? 0) + (now >= last ? now - last : now);
    this.lastOomCount = now;
  }

  /** Whether the kernel has killed anything in the container since start() (no waiting for Docker). */
  get killSeen(): boolean {
    return this.oomKilled || this.oomEvent || (this.oomKills ?? 0) > 0;
  }

  /** Reads the current state without stopping. */
  async observe(): Promise<OomObservation> {
    await this.sample();
    const log = await kernelLog();
    const fresh = log === null ? '' : kernelLinesAfter(log, this.baselineKernelLog);
    return {
      oomKills: this.oomKills,
      oomKilled: this.oomKilled,
      restarts: this.restarts,
      peakUsageBytes: this.peak,
      downToHealthyMs: this.downToHealthyMs,
      killedProcesses: killedProcessLines(fresh, this.containerId),
      kernelLogReadable: log !== null,
    };
  }

  async stop(): Promise<OomObservation> {
    this.abort.abort();
    this.events?.stop();
    await this.loop;
    return this.observe();
  }
}

function safe<T>(read: () => T): T | null {
  try {
    return read();
  } catch {
    return null;
  }
}

export function describeObservation(o: OomObservation): string[] {
  const mb = (bytes: number | null) => (bytes === null ? '?' : `${(bytes / 2 ** 20).toFixed(1)}MiB`);
  return [
    // A kill that ends the container goes with its cgroup (recreated on restart): Docker's
    // OOMKilled reports that one; the cgroup's counter reports kills the container survived.
    `peak memory ${mb(o.peakUsageBytes)}; OOM kills in the cgroup: ${o.oomKills ?? 'unreadable'} (kills the container survived); docker OOMKilled=${o.oomKilled}; restarts +${o.restarts}`,
    o.downToHealthyMs === null
      ? 'never seen down'
      : `down → running/healthy again in ${Math.round(o.downToHealthyMs)}ms`,
    o.kernelLogReadable
      ? `kernel killed: ${o.killedProcesses.length ? o.killedProcesses.join(', ') : 'no process logged'}`
      : 'kernel log (dmesg) not readable: which process was killed is unknown',
  ];
}
