// The Action's post step (post-if: always()): whatever happened in main — a crash, a
// cancellation, a runner that killed it — revert every fault its run left in the journal and
// remove the run's compose project, so the runner is never left with a broken stack.
// Only the main step's own entries are replayed (by run id): another run's live faults at the
// same path are not ours to undo. Every entry is checked before it runs (faults/journal/replay.ts).
import * as core from '@actions/core';
import { revertAll } from '../faults';
import { neutralizeWorkflowCommands } from '../report/escape';
import { removeProjectResources } from '../stack/compose';
import { loadRunState } from './state';

export async function post(): Promise<void> {
  const { journalPath, project, baseProject, runId } = loadRunState();
  try {
    if (journalPath) {
      const log = (line: string): void => core.info(neutralizeWorkflowCommands(`cleanup: ${line}`));
      // Only this run's entries, and only of the projects the main step created: an entry that
      // names any other project is refused, whatever it says.
      const outcome = await revertAll(journalPath, log, {
        runId: runId || undefined,
        projects: [project, baseProject].filter(Boolean),
      });
      core.info(`cleanup: journal ${journalPath} replayed (${JSON.stringify(outcome)})`);
      if (outcome.failed || outcome.refused) {
        core.warning(
          `cleanup: ${outcome.failed} fault(s) could not be reverted and ${outcome.refused ?? 0} journal entr(ies) were refused; they stay in ${journalPath} (see the lines above)`,
        );
      }
    } else {
      core.info('cleanup: the main step saved no journal path; nothing to revert');
    }
    // The PR's stack, and a paired run's base stack (its own project).
    for (const name of [project, baseProject].filter(Boolean)) {
      await removeProjectResources(name);
      core.info(`cleanup: compose project ${name} removed (containers, networks, volumes)`);
    }
  } catch (error) {
    core.warning(
      `cleanup: ${error instanceof Error ? error.message : String(error)}; run chaos-action cleanup by hand`,
    );
  }
}

void post();
