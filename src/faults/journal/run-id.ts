// The id of this run, stamped on its journal entries so a run replays only its own faults.
// One process is one run (the CLI's `run`, the Action's main step): the id is made once per
// process from its start time, pid and a random part, and is safe in a file name.
import { randomBytes } from 'node:crypto';

let runId: string | undefined;

export function currentRunId(): string {
  runId ??= `${new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '')}-${process.pid}-${randomBytes(3).toString('hex')}`;
  return runId;
}
