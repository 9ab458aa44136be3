// The persisted revert log. Before a fault acts, the steps that undo it are written here;
// after they have run, the entry is removed. Whatever is left after a crash (or a SIGKILL of
// the injecting process) is replayed by the post step and `chaos-action cleanup`.
// Every write goes to a temporary file that is fsynced and renamed over the journal, so a
// reader sees the old or the new file, never half of one.
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
import { executeStep, type RevertStep } from './revert-steps';

export interface JournalEntry {
  /** The fault's id (also the suffix of its iptables chains). */
  id: string;
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
  entries: JournalEntry[];
}

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
  const file = data as Partial<JournalFile>;
  if (file.version !== 1 || !Array.isArray(file.entries)) {
    throw new JournalError(`${source} is not a chaos-action journal (version 1 with entries)`);
  }
  for (const entry of file.entries) {
    if (typeof entry?.id !== 'string' || typeof entry.project !== 'string' || !Array.isArray(entry.steps)) {
      throw new JournalError(`${source} has a malformed entry: ${JSON.stringify(entry).slice(0, 200)}`);
    }
  }
  return file as JournalFile;
}

/** Replay order: the newest fault first, so stacked faults unwind like a stack. */
export function replayOrder(file: JournalFile): JournalEntry[] {
  return [...file.entries].reverse();
}

/** Appends an entry, or replaces one with the same id where it stands (its replay position is kept). */
export function withEntry(file: JournalFile, entry: JournalEntry): JournalFile {
  const index = file.entries.findIndex((e) => e.id === entry.id);
  if (index === -1) return { version: 1, entries: [...file.entries, entry] };
  return { version: 1, entries: file.entries.map((e, i) => (i === index ? entry : e)) };
}

export function withoutEntry(file: JournalFile, id: string): JournalFile {
  return { version: 1, entries: file.entries.filter((e) => e.id !== id) };
}

/** Writes atomically: temp file, fsync, rename, fsync of the directory. */
function writeAtomically(file: string, content: string): void {
  const dir = path.dirname(file);
  mkdirSync(dir, { recursive: true });
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
 * crashed run at the same path are kept), serialised within the process.
 */
export class Journal {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly file: string) {}

  private change(mutate: (current: JournalFile) => JournalFile): Promise<void> {
    const next = this.queue.then(() => {
      const updated = mutate(readJournalFile(this.file));
      if (updated.entries.length === 0) rmSync(this.file, { force: true });
      else writeAtomically(this.file, `${JSON.stringify(updated, null, 2)}\n`);
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Records (or replaces) an entry; call before the fault acts. */
  record(entry: JournalEntry): Promise<void> {
    return this.change((current) => withEntry(current, entry));
  }

  /** Adds steps to an entry once they are known (e.g. the PID of a spawned hog). */
  addSteps(id: string, steps: RevertStep[]): Promise<void> {
    return this.change((current) => {
      const entry = current.entries.find((e) => e.id === id);
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

/** Runs an entry's steps in order; true when every step succeeded (tolerated ones included). */
export async function revertEntry(entry: JournalEntry, log: (line: string) => void): Promise<boolean> {
  let allOk = true;
  for (const step of entry.steps) {
    const outcome = await executeStep(step, entry.project);
    log(`  ${outcome.ok ? 'ok' : 'FAILED'} ${outcome.message}`);
    allOk &&= outcome.ok;
  }
  return allOk;
}

export interface RevertAllResult {
  reverted: number;
  failed: number;
}

/**
 * Replays whatever the journal still holds, newest fault first. Idempotent and tolerant:
 * running it twice, or on a journal whose faults were half reverted, is safe. Entries that
 * reverted cleanly are removed; failed ones stay for the next attempt.
 */
export async function revertAll(journalPath: string, log: (line: string) => void): Promise<RevertAllResult> {
  const journal = new Journal(journalPath);
  const entries = replayOrder(journal.read());
  if (entries.length === 0) {
    log(`journal ${journalPath}: nothing to revert`);
    return { reverted: 0, failed: 0 };
  }
  log(`journal ${journalPath}: reverting ${entries.length} fault(s)`);
  const result: RevertAllResult = { reverted: 0, failed: 0 };
  for (const entry of entries) {
    log(
      `${entry.kind} ${entry.id} (project ${entry.project}, injected ${entry.createdAt} by pid ${entry.pid}):`,
    );
    if (await revertEntry(entry, log)) {
      await journal.remove(entry.id);
      result.reverted += 1;
    } else result.failed += 1;
  }
  return result;
}
