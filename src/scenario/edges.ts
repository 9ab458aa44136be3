// Everything a scenario touches outside the process, behind one small interface: the clock,
// the engine (containers, events, logs), the load generator, the fault library and the
// Prometheus samplers. The runner reads only these, so a test can replace any of them (a
// fake clock whose t0 is far from process start, a setup that takes seconds) and still run
// the real runner. `dockerEdges` is what a real run uses.
import { injectFault, installMonitor } from '../faults';
import { startLoad } from '../load';
import { containerFacts, watchProjectEvents } from '../probes/containers';
import { containerLogsSince, type LogRead } from '../probes/logs';
import { resolveService } from '../stack/targets';
import { sleep, systemTime, type TimeSource } from '../util/clock';
import { sampleAlerts, samplePromql } from './collectors';
import { checkSteadyState } from './steady-state';

/** What inspect says about a service's container now. */
export interface ServiceState {
  restartCount: number;
  oomKilled: boolean;
  /** healthy | unhealthy | starting, or null without a healthcheck. */
  health: string | null;
  /** running, exited, paused, … */
  status: string;
}

/** One container of a service, as inspect says now. */
export interface ReplicaState extends ServiceState {
  id: string;
  /** The container's name, as reports show it (`shop-api-2`). */
  name: string;
}

export interface ScenarioEdges {
  time: TimeSource;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Every container of the service (each replica), as inspect says now. */
  serviceReplicas(project: string, service: string): Promise<ReplicaState[]>;
  /** Every container of the service's lines since the epoch instant, oldest first. */
  serviceLogsSince(project: string, service: string, sinceEpochMs: number): Promise<LogRead>;
  watchEvents: typeof watchProjectEvents;
  checkSteadyState: typeof checkSteadyState;
  startLoad: typeof startLoad;
  injectFault: typeof injectFault;
  installMonitor: typeof installMonitor;
  sampleAlerts: typeof sampleAlerts;
  samplePromql: typeof samplePromql;
}

export const dockerEdges: ScenarioEdges = {
  time: systemTime,
  sleep,
  async serviceReplicas(project, service) {
    return Promise.all(
      (await resolveService(project, service)).map(async (container) => {
        const facts = await containerFacts(container.id);
        return {
          id: container.id,
          name: container.name,
          restartCount: facts.restartCount,
          oomKilled: facts.oomKilled,
          health: facts.health,
          status: facts.status,
        };
      }),
    );
  },
  async serviceLogsSince(project, service, sinceEpochMs) {
    const reads = await Promise.all(
      (await resolveService(project, service)).map((c) => containerLogsSince(c.id, sinceEpochMs)),
    );
    return {
      lines: reads.flatMap((r) => r.lines).sort((a, b) => a.atEpochMs - b.atEpochMs),
      truncated: reads.some((r) => r.truncated),
    };
  },
  watchEvents: watchProjectEvents,
  checkSteadyState,
  startLoad,
  injectFault,
  installMonitor,
  sampleAlerts,
  samplePromql,
};
