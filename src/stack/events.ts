// The engine's event stream for one compose project, as parsed events. Docker sends one
// JSON object per line, but a chunk may end mid-line: lines are reassembled here, once,
// for every reader (the scenario's event probe, faults that follow restarts).
import type { Readable } from 'node:stream';
import { docker } from './docker';
import { PROJECT_LABEL } from './labels';

export interface EngineEvent {
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  timeNano?: number;
  time: number;
}

export interface EventStream {
  stop(): void;
}

/** Calls onEvent for each container event of the project (optionally only these actions) until stopped. */
export async function streamContainerEvents(
  project: string,
  actions: string[] | null,
  onEvent: (event: EngineEvent) => void,
  /** Called once if the stream errs or ends before stop(): from then on, events are missed. */
  onBroken?: (reason: string) => void,
): Promise<EventStream> {
  const stream = (await docker().getEvents({
    filters: {
      type: ['container'],
      label: [`${PROJECT_LABEL}=${project}`],
      ...(actions ? { event: actions } : {}),
    },
  })) as unknown as Readable;
  let buffered = '';
  stream.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, newline).trim();
      buffered = buffered.slice(newline + 1);
      if (!line) continue;
      let event: EngineEvent;
      try {
        event = JSON.parse(line) as EngineEvent;
      } catch {
        continue; // a foreign line: the stream resynchronises on the next newline
      }
      if (event?.Actor?.ID) onEvent(event);
    }
  });
  let stopped = false;
  let broken = false;
  const breakOff = (reason: string): void => {
    if (stopped || broken) return;
    broken = true;
    onBroken?.(reason);
  };
  stream.on('error', (error: Error) => breakOff(`the engine's event stream failed: ${error.message}`));
  stream.on('end', () => breakOff("the engine's event stream ended"));
  stream.on('close', () => breakOff("the engine's event stream closed"));
  return {
    stop: () => {
      stopped = true;
      stream.removeAllListeners('data');
      (stream as Readable & { destroy: () => void }).destroy();
    },
  };
}

/**
 * The engine's past events of one container between two moments (unix seconds, fractions
 * allowed), oldest first. With `until` set the engine sends what it has and closes the stream;
 * an `until` in the future keeps the stream open until then, so callers pass now at most.
 */
export async function containerEventsBetween(
  containerId: string,
  sinceSeconds: number,
  untilSeconds: number,
  /** Only these actions (a long-running container with a healthcheck has thousands of others). */
  actions: string[] | null = null,
): Promise<EngineEvent[]> {
  const stream = (await docker().getEvents({
    since: Math.floor(sinceSeconds * 1000) / 1000,
    until: Math.ceil(untilSeconds * 1000) / 1000,
    filters: { type: ['container'], container: [containerId], ...(actions ? { event: actions } : {}) },
  })) as unknown as Readable;
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', resolve);
    stream.on('close', resolve);
    stream.on('error', reject);
  });
  const events: EngineEvent[] = [];
  for (const line of Buffer.concat(chunks).toString('utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      const event = JSON.parse(line) as EngineEvent;
      if (event?.Actor?.ID) events.push(event);
    } catch {
      // a foreign line: skipped, as in the live stream
    }
  }
  return events;
}
