// The Action's post step (post-if: always()): whatever happened in main — a crash, a
// cancellation, a runner that killed it — revert every fault left in the journal and
// remove the run's compose project, so the runner is never left with a broken stack.
import * as core from '@actions/core';
import { revertAll } from '../faults';
import { removeProjectResources } from '../stack/compose';
import { loadRunState } from './state';

export async function post(): Promise<void> {
  const { journalPath, project } = loadRunState();
  try {
    if (journalPath) {
      const outcome = await revertAll(journalPath, (line) => core.info(`cleanup: ${line}`));
      core.info(`cleanup: journal ${journalPath} replayed (${JSON.stringify(outcome)})`);
    } else {
      core.info('cleanup: the main step saved no journal path; nothing to revert');
    }
    if (project) {
      await removeProjectResources(project);
      core.info(`cleanup: compose project ${project} removed (containers, networks, volumes)`);
    }
  } catch (error) {
    core.warning(
      `cleanup: ${error instanceof Error ? error.message : String(error)}; run chaos-action cleanup by hand`,
    );
  }
}

void post();
