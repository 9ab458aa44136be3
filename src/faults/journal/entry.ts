// A journal entry as plain data: the steps that undo one fault, and the file that holds the
// entries. Only types: what writes entries (the faults), what checks them (schema.ts) and
// what runs them (revert-steps.ts) share this vocabulary.

export type RevertStep =
  | { op: 'start-container'; containerId: string; name: string }
  | { op: 'unpause-container'; containerId: string; name: string }
  | {
      op: 'remove-chain';
      containerId: string;
      name: string;
      table: 'filter' | 'nat';
      parent: 'OUTPUT';
      chain: string;
    }
  | {
      op: 'network-connect';
      containerId: string;
      name: string;
      networkId: string;
      networkName: string;
      aliases: string[];
    }
  | { op: 'kill-process'; pid: number; startTicks: string; what: string }
  /** Puts a process's oom_score_adj back (a memory hog made the app the OOM killer's first choice). */
  | { op: 'restore-oom-score'; pid: number; startTicks: string; value: number; what: string }
  | { op: 'remove-qdisc'; containerId: string; name: string; device: string };

export interface JournalEntry {
  /** The fault's id (also the suffix of its iptables chains). */
  id: string;
  /** The run that wrote it (currentRunId()); absent in journals written before runs had ids. */
  runId?: string;
  kind: string;
  /** The compose project; replay refuses containers outside it. */
  project: string;
  createdAt: string;
  /** The injecting process, for the log only. */
  pid: number;
  /** Run in order to undo the fault. */
  steps: RevertStep[];
}

export interface JournalFile {
  version: 1;
  /** As read from the file: unchecked until checkJournalEntry() says otherwise. */
  entries: JournalEntry[];
}
