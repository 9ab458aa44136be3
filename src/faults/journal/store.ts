// The persisted revert log. Before a fault acts, the steps that undo it are written here;
// after they have run, the entry is removed. Whatever is left after a crash (or a SIGKILL of
// the injecting process) is replayed (replay.ts) by the post step and `chaos-action cleanup`.
// Every write goes to a temporary file that is fsynced and renamed over the journal, so a
// reader sees the old or the new file, never half of one; writers on the same file (two runs,
// a run and a cleanup) take turns through a lock file, so none loses another's entries.
// Entries carry the id of the run that wrote them: a run replays only its own, `cleanup`
// replays all.
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { withFileLock } from '../../util/file-lock';
import type { JournalEntry, JournalFile, RevertStep } from './entry';
import { currentRunId } from './run-id';

export class JournalError extends Error {}

export function emptyJournal(): JournalFile {
  return { version: 1, entries: [] };
}

/** Parses a journal file; a file of another shape is an error, never silently ignored. */
export function parseJournal(text: string, source = 'journal'): JournalFile {
  if (text.trim() === '') return emptyJournal();
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new JournalError(`${source} is not valid JSON: ${(error as Error).message}`);
  }
  const file = data as Partial<JournalFile> | null;
  if (file?.version !== 1 || !Array.isArray(file.entries)) {
    throw new JournalError(`${source} is not a chaos-action journal (version 1 with entries)`);
  }
  // Entries are checked one by one at replay: a malformed one is refused and kept there, and
  // does not stop the others from being reverted.
  return { version: 1, entries: file.entries };
}

/** Replay order: the newest fault first, so stacked faults unwind like a stack. */
export function replayOrder(file: JournalFile): JournalEntry[] {
  return [...file.entries].reverse();
}

/** Appends an entry, or replaces one with the same id where it stands (its replay position is kept). */
export function withEntry(file: JournalFile, entry: JournalEntry): JournalFile {
  const index = file.entries.findIndex((e) => e?.id === entry.id);
  if (index === -1) return { version: 1, entries: [...file.entries, entry] };
  return { version: 1, entries: file.entries.map((e, i) => (i === index ? entry : e)) };
}

export function withoutEntry(file: JournalFile, id: string): JournalFile {
  return { version: 1, entries: file.entries.filter((e) => e?.id !== id) };
}

/** Writes atomically: temp file, fsync, rename, fsync of the directory. */
function writeAtomically(file: string, content: string): void {
  const dir = path.dirname(file);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.tmp`;
  const fd = openSync(temp, 'w', 0o600);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, file);
  try {
    const dirFd = openSync(dir, 'r');
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
  } catch {
    // Some filesystems refuse fsync on a directory; the rename itself is still atomic.
  }
}

function readJournalFile(file: string): JournalFile {
  if (!existsSync(file)) return emptyJournal();
  return parseJournal(readFileSync(file, 'utf8'), file);
}

/**
 * A journal file. Read-modify-write on every change (entries written by an earlier,
 * crashed run, or by another run at the same path, are kept), serialised within the process
 * by a queue and between processes by the lock file `<journal>.lock`.
 */
export class Journal {
  private queue: Promise<unknown> = Promise.resolve();

  /** @param runId stamped on every entry this journal records (default: this process's run). */
  constructor(
    readonly file: string,
    readonly runId: string = currentRunId(),
  ) {}

  private change(mutate: (current: JournalFile) => JournalFile): Promise<void> {
    const next = this.queue.then(() =>
      withFileLock(`${this.file}.lock`, () => {
        const updated = mutate(readJournalFile(this.file));
        if (updated.entries.length === 0) rmSync(this.file, { force: true });
        else writeAtomically(this.file, `${JSON.stringify(updated, null, 2)}\n`);
      }),
    );
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Records (or replaces) an entry, stamped with this journal's run id; call before the fault acts. */
  record(entry: JournalEntry): Promise<void> {
    return this.change((current) => withEntry(current, { ...entry, runId: entry.runId ?? this.runId }));
  }

  /** Adds steps to an entry once they are known (e.g. the PID of a spawned hog). */
  addSteps(id: string, steps: RevertStep[]): Promise<void> {
    return this.change((current) => {
      const entry = current.entries.find((e) => e?.id === id);
      if (!entry) throw new JournalError(`journal ${this.file} has no entry ${id}`);
      return withEntry(current, { ...entry, steps: [...entry.steps, ...steps] });
    });
  }

  /** Removes an entry after its revert succeeded. */
  remove(id: string): Promise<void> {
    return this.change((current) => withoutEntry(current, id));
  }

  read(): JournalFile {
    return readJournalFile(this.file);
  }
}
