// Tells a fault when one of its containers starts again (a restart policy after an OOM
// kill, a flap, a `docker restart`). A restarted container has a new network namespace,
// so rules a fault put in the old one are gone, and it may have a new address: a fault
// that lives in network namespaces has to redo its work there or it silently stops.
import type { Readable } from 'node:stream';
import { docker } from '../stack/docker';
import { PROJECT_LABEL } from '../stack/labels';

export interface RestartWatch {
  stop(): void;
}

/** Calls onStart(containerId) for each container of the project that starts, until stopped. */
export async function watchContainerStarts(
  project: string,
  containerIds: () => Set<string>,
  onStart: (containerId: string) => void,
): Promise<RestartWatch> {
  const stream = (await docker().getEvents({
    filters: { type: ['container'], event: ['start'], label: [`${PROJECT_LABEL}=${project}`] },
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
        const id = (JSON.parse(line) as { Actor?: { ID?: string } }).Actor?.ID;
        if (id && containerIds().has(id)) onStart(id);
      } catch {
        // A partial or foreign line: the stream resynchronises on the next newline.
      }
    }
  });
  stream.on('error', () => undefined);
  return {
    stop: () => {
      stream.removeAllListeners('data');
      (stream as Readable & { destroy: () => void }).destroy();
    },
  };
}
