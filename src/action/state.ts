// What the post step needs from the main step, passed through the runner's state file
// (core.saveState / core.getState), as actions/checkout's state-helper does.
import * as core from '@actions/core';
import { currentRunId } from '../faults/journal';

const JOURNAL = 'journal-path';
const PROJECT = 'compose-project';
const RESULTS = 'results-dir';
const RUN_ID = 'run-id';
const BASE_PROJECT = 'base-compose-project';

/**
 * Saves the main step's journal, project and results directory, and its run id (the main step
 * is one process, so one run): the post step replays only that run's journal entries.
 */
export function saveRunState(state: {
  journalPath: string;
  project?: string;
  /** A paired run's base stack, its own compose project: the post step removes it too. */
  baseProject?: string;
  resultsDir?: string;
}): void {
  core.saveState(JOURNAL, state.journalPath);
  core.saveState(RUN_ID, currentRunId());
  if (state.project) core.saveState(PROJECT, state.project);
  if (state.baseProject) core.saveState(BASE_PROJECT, state.baseProject);
  if (state.resultsDir) core.saveState(RESULTS, state.resultsDir);
}

/** runId is '' when the main step saved none (it ended before saving any state). */
export function loadRunState(): { journalPath: string; project: string; baseProject: string; runId: string } {
  return {
    journalPath: core.getState(JOURNAL),
    project: core.getState(PROJECT),
    baseProject: core.getState(BASE_PROJECT),
    runId: core.getState(RUN_ID),
  };
}
