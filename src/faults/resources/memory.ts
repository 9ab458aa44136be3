// memory: pressure on the target's memory, two ways.
// - leak-endpoint (the seed's way): the app's own leak endpoint is called every intervalMs
//   (on the container's address on the project network) until the container is OOM-killed
//   or the fault is reverted. Proof: the first call succeeds and the cgroup's usage grows.
// - hog: a host process joins the container's cgroups and allocates stepBytes every
//   intervalMs, charged to the container. The app's main process is made the OOM killer's
//   first choice, so at the limit the kernel kills the app, as its own leak would. Refused when the
//   container has no memory limit (it would press on the whole host). Proof: the cgroup's
//   usage grows by the hog's step.
// Both watch OOM kills (cgroup counter, Docker's OOMKilled), restarts and the time until the
// container is running and healthy again; the kernel log names the killed process when it is
// readable. The revert stops the pressure and starts the container if it is down for good.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { monotonicMs, sleep } from '../../util/clock';
import { containerCgroups, type ContainerCgroups, memoryLimitBytes, memoryUsageBytes } from './cgroups';
import { defaultPort, resolveTargetRuntimes } from '../network/clients';
import { targetLabel } from '../containers/inspect';
import { FaultHandle } from '../fault-handle';
import { spawnHog } from './hog';
import { processStartTicks, writeOomScoreAdj } from './processes';
import { joinCgroups } from './cgroups';
import type { ContainerRuntime } from '../network/netns';
import { describeObservation, OomWatcher } from './oom-watch';
import type { FaultTarget, MemoryFault } from '../spec';
import { type ActiveFault, FaultNotEffectiveError, FaultUnavailableError } from '../types';
import type { FaultContext } from '../context';

const MiB = 2 ** 20;

/** "POST /debug/leak?mb=10" or "/debug/leak?mb=10" (GET). */
export function parseLeakRequest(path: string): { method: 'GET' | 'POST'; path: string } {
  const match = /^(GET|POST)\s+(\S+)$/i.exec(path.trim());
  if (match) return { method: match[1].toUpperCase() as 'GET' | 'POST', path: match[2] };
  return { method: 'GET', path: path.trim() };
}

function callOnce(url: URL, method: string, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method, timeout: timeoutMs }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs}ms`)));
    request.on('error', reject);
    request.end();
  });
}

export async function injectMemory(
  ctx: FaultContext,
  target: FaultTarget,
  spec: MemoryFault,
): Promise<ActiveFault> {
  const [runtime] = await resolveTargetRuntimes(ctx.project, target.service);
  const cgroups = containerCgroups(runtime.pid, ctx.cgroupHost);
  const handle = await FaultHandle.begin(
    ctx,
    'memory',
    [targetLabel(runtime)],
    [{ op: 'start-container', containerId: runtime.id, name: runtime.name }],
  );
  const watcher = new OomWatcher(ctx.project, runtime.id, cgroups);
  try {
    await watcher.start();
    const stopPressure =
      spec.method === 'hog'
        ? await startHog(ctx, handle, runtime, cgroups, spec)
        : await startLeakCalls(handle, runtime, cgroups, spec, watcher);
    handle.hooks.beforeSteps = async () => {
      await stopPressure();
      for (const line of describeObservation(await watcher.stop())) handle.addEvidence(line);
    };
    // The OOM kill is what the fault drives towards: once it is settled, the rest is recovery.
    void watcher.killSettled.then((why) => handle.endOfCourse(why));
  } catch (error) {
    await watcher.stop();
    return handle.abandon(error);
  }
  return handle.markInjected();
}

async function startLeakCalls(
  handle: FaultHandle,
  runtime: ContainerRuntime,
  cgroups: ContainerCgroups,
  spec: MemoryFault,
  watcher: OomWatcher,
): Promise<() => Promise<void>> {
  const request = parseLeakRequest(spec.path);
  const address = runtime.networks.find((n) => n.ip)?.ip;
  if (!address) throw new FaultUnavailableError(`${runtime.name} has no address on a Docker network`);
  const url = new URL(`http://${address}:${defaultPort(runtime, spec.port)}${request.path}`);
  const before = memoryUsageBytes(cgroups) ?? 0;
  const status = await callOnce(url, request.method, 5000);
  if (status < 200 || status >= 300)
    throw new FaultNotEffectiveError(`${request.method} ${url} answered ${status}`);
  const after = memoryUsageBytes(cgroups) ?? 0;
  if (after - before < MiB / 2) {
    throw new FaultNotEffectiveError(
      `${request.method} ${url} answered ${status} but the cgroup's memory grew by only ${((after - before) / MiB).toFixed(2)}MiB`,
    );
  }
  handle.addEvidence(
    `${request.method} ${url.pathname}${url.search} → ${status}; cgroup memory ${(before / MiB).toFixed(1)} → ${(after / MiB).toFixed(1)}MiB`,
  );

  const abort = new AbortController();
  let calls = 1;
  let failures = 0;
  const startedAt = monotonicMs();
  const loop = (async () => {
    while (!abort.signal.aborted && (spec.durationMs <= 0 || monotonicMs() - startedAt < spec.durationMs)) {
      await sleep(spec.intervalMs, abort.signal);
      if (abort.signal.aborted) return;
      // The leak has done its job at the first OOM kill; leaking into the restarted app
      // would only kill it again and again.
      if (watcher.killSeen) {
        handle.addEvidence(`leak calls stopped at the OOM kill`);
        return;
      }
      const ok = await callOnce(url, request.method, Math.max(1000, spec.intervalMs))
        .then((code) => code >= 200 && code < 300)
        .catch(() => false);
      calls += 1;
      if (!ok) failures += 1;
    }
  })();
  return async () => {
    abort.abort();
    await loop;
    handle.addEvidence(`${calls} leak call(s), ${failures} failed (the app was down or OOM-killed)`);
  };
}

/**
 * Makes the container's main process the OOM killer's first choice (oom_score_adj 1000), so that
 * when the hog fills the cgroup it is the application that is killed and restarted, as its own
 * leak would have it, not the hog. The old value is journalled and put back by the revert when
 * the process is still the same one (after an OOM kill it is not: the new one starts afresh).
 */
async function makeFirstOomVictim(handle: FaultHandle, runtime: ContainerRuntime): Promise<void> {
  const file = `/proc/${runtime.pid}/oom_score_adj`;
  const old = Number(readFileSync(file, 'utf8').trim());
  const startTicks = processStartTicks(runtime.pid);
  if (!Number.isFinite(old) || startTicks === null) throw new Error(`cannot read ${file}`);
  await handle.addSteps([
    {
      op: 'restore-oom-score',
      pid: runtime.pid,
      startTicks,
      value: old,
      what: `${runtime.name}'s main process`,
    },
  ]);
  await writeOomScoreAdj(runtime.pid, 1000);
  handle.addEvidence(
    `${runtime.name}'s main process (pid ${runtime.pid}) is the OOM killer's first choice (oom_score_adj ${old} → 1000)`,
  );
}

async function startHog(
  ctx: FaultContext,
  handle: FaultHandle,
  runtime: ContainerRuntime,
  cgroups: ContainerCgroups,
  spec: MemoryFault,
): Promise<() => Promise<void>> {
  if (ctx.privileges.mode === 'none')
    throw new FaultUnavailableError("a memory hog joins the container's cgroup: needs root or sudo -n");
  const limit = memoryLimitBytes(cgroups);
  if (limit === null) {
    throw new FaultUnavailableError(
      `${runtime.name} has no memory limit: a hog would press on the whole host; give the service mem_limit`,
    );
  }
  const hog = spawnHog({
    mode: 'memory',
    stepBytes: spec.stepBytes,
    intervalMs: spec.intervalMs,
    // Enough to cross the limit: the kernel then has to reclaim or kill.
    maxBytes: limit + 2 * spec.stepBytes,
    watchPid: runtime.pid,
  });
  try {
    await handle.addSteps([
      { op: 'kill-process', pid: hog.pid, startTicks: hog.startTicks, what: `memory hog in ${runtime.name}` },
    ]);
    await joinCgroups(hog.pid, cgroups);
    await makeFirstOomVictim(handle, runtime);
  } catch (error) {
    await hog.stop();
    throw error;
  }
  const before = memoryUsageBytes(cgroups) ?? 0;
  hog.go();
  const deadline = monotonicMs() + 3000;
  let grown = 0;
  while (monotonicMs() < deadline) {
    await sleep(25);
    grown = (memoryUsageBytes(cgroups) ?? 0) - before;
    if (hog.allocatedBytes() > 0 && grown >= spec.stepBytes / 2) break;
    if (hog.child.exitCode !== null || hog.child.signalCode !== null) break;
  }
  const killedEarly = hog.child.signalCode === 'SIGKILL';
  if (!killedEarly && grown < spec.stepBytes / 2) {
    await hog.stop();
    throw new FaultNotEffectiveError(
      `the hog (pid ${hog.pid}) allocated ${hog.allocatedBytes()} bytes but ${runtime.name}'s cgroup grew by only ${grown} bytes`,
    );
  }
  handle.addEvidence(
    killedEarly
      ? `hog pid ${hog.pid} was OOM-killed at once in ${runtime.name}'s cgroup (limit ${(limit / MiB).toFixed(0)}MiB)`
      : `hog pid ${hog.pid} in ${runtime.name}'s cgroup: usage +${(grown / MiB).toFixed(1)}MiB (limit ${(limit / MiB).toFixed(0)}MiB, cgroup v${cgroups.version})`,
  );
  return async () => {
    const killedByKernel = hog.child.signalCode === 'SIGKILL';
    await hog.stop();
    handle.addEvidence(
      killedByKernel
        ? `hog was killed by the kernel after allocating ${(hog.allocatedBytes() / MiB).toFixed(0)}MiB`
        : `hog stopped after allocating ${(hog.allocatedBytes() / MiB).toFixed(0)}MiB`,
    );
  };
}
