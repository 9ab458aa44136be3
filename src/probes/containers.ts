// Container state as the engine reports it, and a watcher of the engine's event stream:
// OOMKilled is cleared when a container restarts, so an OOM kill is only seen reliably
// as an `oom` event while it happens.
import type { Readable } from 'node:stream';
import { docker } from '../stack/docker';
import { PROJECT_LABEL, SERVICE_LABEL } from '../stack/labels';

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
  stop(): void;
}

/** Collects the engine's container events for one compose project until stopped. */
export async function watchProjectEvents(project: string): Promise<EventWatcher> {
  const collected: ContainerEvent[] = [];
  const stream = (await docker().getEvents({
    filters: { type: ['container'], label: [`${PROJECT_LABEL}=${project}`] },
  })) as unknown as Readable;
  let buffered = '';
  stream.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, newline).trim();
      buffered = buffered.slice(newline + 1);
      if (!line) continue;
      try {
        const event = JSON.parse(line) as {
          Action: string;
          Actor: { ID: string; Attributes: Record<string, string> };
          timeNano?: number;
          time: number;
        };
        const exit = event.Actor.Attributes.exitCode;
        collected.push({
          service: event.Actor.Attributes[SERVICE_LABEL] ?? '',
          containerId: event.Actor.ID,
          action: event.Action,
          exitCode: exit === undefined ? null : Number(exit),
          atEpochMs: event.timeNano ? Math.floor(event.timeNano / 1e6) : event.time * 1000,
        });
      } catch {
        // A partial or foreign line: the stream resynchronises on the next newline.
      }
    }
  });
  stream.on('error', () => undefined);
  return {
    events: () => [...collected],
    stop: () => {
      (stream as Readable & { destroy: () => void }).destroy();
    },
  };
}
