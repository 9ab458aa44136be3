// The journal's one entry point: the persisted revert log (store), where it lives (location)
// and which directories may hold one (trust), the shape of an entry (entry, schema), the
// replay that undoes what a crash left (replay, with replay-guard), and the executor of revert
// steps shared with live reverts.
export type { JournalEntry, JournalFile, RevertStep } from './entry';
export { findJournals, journalPlaces, runJournalPath, type FoundJournals } from './location';
export { revertAll, revertEntry, type RevertAllOptions, type RevertAllResult } from './replay';
export { executeStep, type StepOutcome } from './revert-steps';
export { currentRunId } from './run-id';
export { checkJournalEntry, type EntryCheck } from './schema';
export { journalDirProblem } from './trust';
export {
  emptyJournal,
  Journal,
  JournalError,
  MAX_JOURNAL_BYTES,
  parseJournal,
  replayOrder,
  withEntry,
  withoutEntry,
} from './store';
