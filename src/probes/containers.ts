// Container state as the engine reports it, and a watcher of the engine's event stream:
// OOMKilled is cleared when a container restarts, so an OOM kill is only seen reliably
// as an `oom` event while it happens.
import { docker } from '../stack/docker';
import { streamContainerEvents } from '../stack/events';
import { SERVICE_LABEL } from '../stack/labels';

export interface ContainerFacts {
  id: string;
  status: string;
  health: string | null;
  restartCount: number;
  oomKilled: boolean;
  exitCode: number;
  startedAtEpochMs: number | null;
}

export async function containerFacts(containerId: string): Promise<ContainerFacts> {
  const inspect = await docker().getContainer(containerId).inspect();
  const started = Date.parse(inspect.State.StartedAt);
  return {
    id: inspect.Id,
    status: inspect.State.Status,
    health: inspect.State.Health?.Status ?? null,
    restartCount: inspect.RestartCount,
    oomKilled: inspect.State.OOMKilled,
    exitCode: inspect.State.ExitCode,
    startedAtEpochMs: Number.isNaN(started) ? null : started,
  };
}

export interface ContainerEvent {
  service: string;
  containerId: string;
  /** oom, die, start, restart, kill, stop, pause, unpause, health_status: healthy, ... */
  action: string;
  exitCode: number | null;
  atEpochMs: number;
}

export interface EventWatcher {
  events(): ContainerEvent[];
  /** When (epoch ms) and why the stream broke off before stop(); null while it is whole. */
  broken(): { atEpochMs: number; reason: string } | null;
  stop(): void;
}

/** Collects the engine's container events for one compose project until stopped. */
export async function watchProjectEvents(project: string): Promise<EventWatcher> {
  const collected: ContainerEvent[] = [];
  let broken: { atEpochMs: number; reason: string } | null = null;
  const stream = await streamContainerEvents(
    project,
    null,
    (event) => {
      const attributes = event.Actor.Attributes ?? {};
      const exit = attributes.exitCode;
      collected.push({
        service: attributes[SERVICE_LABEL] ?? '',
        containerId: event.Actor.ID,
        action: event.Action,
        exitCode: exit === undefined ? null : Number(exit),
        atEpochMs: event.timeNano ? Math.floor(event.timeNano / 1e6) : event.time * 1000,
      });
    },
    (reason) => {
      broken = { atEpochMs: Date.now(), reason };
    },
  );
  return { events: () => [...collected], broken: () => broken, stop: () => stream.stop() };
}
