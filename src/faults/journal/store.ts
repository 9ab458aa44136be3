// The persisted revert log. Before a fault acts, the steps that undo it are written here;
// after they have run, the entry is removed. Whatever is left after a crash (or a SIGKILL of
// the injecting process) is replayed (replay.ts) by the post step and `chaos-action cleanup`.
// Every write goes to a temporary file that is fsynced and renamed over the journal, so a
// reader sees the old or the new file, never half of one; writers on the same file (two runs,
// a run and a cleanup) take turns through a lock file, so none loses another's entries.
// Entries carry the id of the run that wrote them: a run replays only its own, `cleanup`
// replays all. The directory is checked before every write and every read (trust.ts), and
// nothing is opened through a symlink: the temporary file must not exist yet (O_EXCL), the
// journal is read with O_NOFOLLOW.
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  openSync,
  renameSync,
  rmdirSync,
  rmSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { withFileLock } from '../../util/file-lock';
import type { JournalEntry, JournalFile, RevertStep } from './entry';
import { isRunPrivateDir } from './location';
import { currentRunId } from './run-id';
import { ensureJournalDir, journalDirProblem, readJournalText } from './trust';

/** The most a journal file may hold; a run journals a handful of faults, each a few hundred bytes. */
export const MAX_JOURNAL_BYTES = 1024 * 1024;

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

/**
 * Writes atomically: a new temporary file (O_EXCL: never an existing file or symlink, under a
 * random name), fsync, rename over the journal (which replaces a symlink there rather than
 * following it), fsync of the directory.
 */
function writeAtomically(file: string, content: string): void {
  const dir = path.dirname(file);
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(temp, 'wx', 0o600);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
    closeSync(fd);
    renameSync(temp, file);
  } catch (error) {
    try {
      closeSync(fd);
    } catch {
      // Already closed.
    }
    try {
      unlinkSync(temp);
    } catch {
      // Renamed already, or never made.
    }
    throw error;
  }
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

const refuse = (why: string): JournalError => new JournalError(why);

/** The journal as it is now; its directory checked first (an absent journal is an empty one). */
function readJournalFile(file: string): JournalFile {
  ensureReadableDir(path.dirname(file));
  const text = readJournalText(file, MAX_JOURNAL_BYTES, refuse);
  return text === null ? emptyJournal() : parseJournal(text, file);
}

function ensureReadableDir(dir: string): void {
  const why = journalDirProblem(dir);
  if (why) throw new JournalError(`refusing the journal directory: ${why}`);
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
    const dir = path.dirname(this.file);
    const next = this.queue.then(async () => {
      ensureJournalDir(dir, refuse);
      const left = await withFileLock(`${this.file}.lock`, () => {
        const updated = mutate(readJournalFile(this.file));
        if (updated.entries.length === 0) rmSync(this.file, { force: true });
        else writeAtomically(this.file, `${JSON.stringify(updated, null, 2)}\n`);
        return updated.entries.length;
      });
      // This run's own directory in the temp directory goes with its last entry (no other
      // process writes there; a failure only leaves an empty private directory behind).
      if (left === 0 && isRunPrivateDir(dir)) {
        try {
          rmdirSync(dir);
        } catch {
          // Not empty, or gone.
        }
      }
    });
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
