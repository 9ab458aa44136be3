// Tells a fault when one of its containers starts again (a restart policy after an OOM
// kill, a flap, a `docker restart`). A restarted container has a new network namespace,
// so rules a fault put in the old one are gone, and it may have a new address: a fault
// that lives in network namespaces has to redo its work there or it silently stops.
import { streamContainerEvents } from '../../stack/events';
import type { ChainSpec } from './iptables';
import { type ContainerRuntime, installChain, removeChainInPid } from './netns';

export interface RestartWatch {
  stop(): void;
}

/** Calls onStart(containerId) for each watched container of the project that starts, until stopped. */
function watchContainerStarts(
  project: string,
  containerIds: () => Set<string>,
  onStart: (containerId: string) => void,
): Promise<RestartWatch> {
  return streamContainerEvents(project, ['start'], (event) => {
    if (containerIds().has(event.Actor.ID)) onStart(event.Actor.ID);
  });
}

/** A chain to put back in a container that (re)started. */
export interface ChainPlacement {
  runtime: ContainerRuntime;
  spec: ChainSpec;
}

/**
 * Keeps a fault's iptables chains in place across restarts: on each start of a watched
 * container, `replan` says which chains to put back where (after re-reading whatever it
 * needs); each is removed first, so nothing is doubled, then installed. One restart is
 * handled at a time. `note` receives an evidence line per chain, or why it failed.
 */
export function keepChainsAcrossRestarts(
  project: string,
  watched: () => Set<string>,
  replan: (containerId: string) => Promise<ChainPlacement[]>,
  note: (line: string) => void,
): Promise<RestartWatch> {
  let queue: Promise<void> = Promise.resolve();
  return watchContainerStarts(project, watched, (containerId) => {
    queue = queue.then(async () => {
      try {
        for (const { runtime, spec } of await replan(containerId)) {
          if (!runtime.running || runtime.pid === 0) continue;
          await removeChainInPid(runtime.pid, spec);
          await installChain(runtime, spec);
          note(`${runtime.name}: chain ${spec.chain} reinstalled after a restart`);
        }
      } catch (error) {
        note(`could not follow the restart of ${containerId.slice(0, 12)}: ${(error as Error).message}`);
      }
    });
  });
}
