// What the post step needs from the main step, passed through the runner's state file
// (core.saveState / core.getState), as actions/checkout's state-helper does.
import * as core from '@actions/core';

const JOURNAL = 'journal-path';
const PROJECT = 'compose-project';
const RESULTS = 'results-dir';

export function saveRunState(state: { journalPath: string; project?: string; resultsDir?: string }): void {
  core.saveState(JOURNAL, state.journalPath);
  if (state.project) core.saveState(PROJECT, state.project);
  if (state.resultsDir) core.saveState(RESULTS, state.resultsDir);
}

export function loadRunState(): { journalPath: string; project: string } {
  return { journalPath: core.getState(JOURNAL), project: core.getState(PROJECT) };
}
