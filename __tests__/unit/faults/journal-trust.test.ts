// The journal's directory and file are trusted only when they are ours (issue 27, finding 3):
// another local user who made the directory first, or can write to it, or planted a symlink
// where the journal writes, must not get a write of ours or a replay of theirs.
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Journal, JournalError, revertAll, type JournalEntry } from '../../../src/faults/journal';

const scratch = () => mkdtempSync(path.join(os.tmpdir(), 'journal-trust-'));

function entry(id: string, project = 'mine', runId = 'run-1'): JournalEntry {
  return {
    id,
    runId,
    kind: 'cpu',
    project,
    createdAt: '2026-12-01T00:00:00.000Z',
    pid: 4_000_000,
    // A process that cannot exist (above pid_max here): the step reports "already exited".
    steps: [{ op: 'kill-process', pid: 4_000_001, startTicks: '1', what: 'cpu hog' }],
  };
}

const quiet = () => undefined;

describe('writing a journal', () => {
  test('a directory made first by someone else, writable by all, is refused and nothing is written', async () => {
    const dir = path.join(scratch(), 'journals');
    mkdirSync(dir);
    chmodSync(dir, 0o777);
    const file = path.join(dir, 'run.json');
    await expect(new Journal(file).record(entry('aaaaaaaa'))).rejects.toThrow(
      new JournalError(`refusing the journal directory: ${dir} is writable by other users (mode 777)`),
    );
    expect(existsSync(file)).toBe(false);
  });

  test('a directory above the journal that others can write to (not sticky) is refused', async () => {
    const open = path.join(scratch(), 'open');
    mkdirSync(open);
    chmodSync(open, 0o777);
    const dir = path.join(open, 'mine');
    mkdirSync(dir, { mode: 0o700 });
    await expect(new Journal(path.join(dir, 'run.json')).record(entry('aaaaaaaa'))).rejects.toThrow(
      `lies in ${open}, which other users can write to (mode 777, not sticky)`,
    );
  });

  test("a directory of another user's is refused, even a private one", async () => {
    // As root: a scratch directory given to nobody. As anyone else (who cannot give one away),
    // the check is made to see this user as somebody else, so the same directory is another's.
    const dir = path.join(scratch(), 'theirs');
    mkdirSync(dir, { mode: 0o700 });
    let uid = process.geteuid?.() ?? 0;
    const spy =
      uid === 0 ? null : jest.spyOn(process, 'geteuid').mockReturnValue((uid = statSync(dir).uid + 4242));
    try {
      if (spy === null) chownSync(dir, 65534, 65534);
      await expect(new Journal(path.join(dir, 'run.json')).record(entry('aaaaaaaa'))).rejects.toThrow(
        `${dir} belongs to uid ${statSync(dir).uid}, not to this user (${uid})`,
      );
    } finally {
      spy?.mockRestore();
    }
  });

  test('a directory made by the journal is private (0700)', async () => {
    const dir = path.join(scratch(), 'a', 'b');
    await new Journal(path.join(dir, 'run.json')).record(entry('aaaaaaaa'));
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  test('a symlink planted where the temporary file used to be written is not followed', async () => {
    const dir = scratch();
    const file = path.join(dir, 'run.json');
    // What a shell sources later: the write must not land there.
    const victim = path.join(dir, 'profile.sh');
    writeFileSync(victim, 'export PATH=/usr/bin\n');
    symlinkSync(victim, `${file}.${process.pid}.tmp`);
    const journal = new Journal(file);
    await journal.record(entry('aaaaaaaa'));
    await journal.remove('aaaaaaaa');
    expect(readFileSync(victim, 'utf8')).toBe('export PATH=/usr/bin\n');
  });

  test('a journal name that is a symlink is refused, its target left as it was', async () => {
    const dir = scratch();
    const victim = path.join(dir, 'elsewhere.json');
    writeFileSync(victim, 'untouched\n');
    const file = path.join(dir, 'run.json');
    symlinkSync(victim, file);
    // Reading through it is refused first: a journal is never read through a symlink.
    await expect(new Journal(file).record(entry('aaaaaaaa'))).rejects.toThrow(
      `refusing the journal ${file}: it is a symlink`,
    );
    expect(readFileSync(victim, 'utf8')).toBe('untouched\n');
  });
});

describe('replaying a journal', () => {
  test('a journal in a directory others can write to is not replayed', async () => {
    const dir = scratch();
    const file = path.join(dir, 'run.json');
    await new Journal(file, 'run-1').record(entry('aaaaaaaa'));
    chmodSync(dir, 0o777);
    await expect(revertAll(file, quiet)).rejects.toThrow(`${dir} is writable by other users (mode 777)`);
    chmodSync(dir, 0o700);
    expect(JSON.parse(readFileSync(file, 'utf8')).entries).toHaveLength(1);
  });

  test('a journal that is a symlink is not read', async () => {
    const dir = scratch();
    const real = path.join(dir, 'real.json');
    await new Journal(real, 'run-1').record(entry('aaaaaaaa'));
    const link = path.join(dir, 'run.json');
    symlinkSync(real, link);
    await expect(revertAll(link, quiet)).rejects.toThrow(`refusing the journal ${link}: it is a symlink`);
  });

  test("a run's replay refuses an entry of a project it did not create, whatever the entry names, and keeps it", async () => {
    const file = path.join(scratch(), 'run.json');
    const journal = new Journal(file, 'run-1');
    await journal.record(entry('aaaaaaaa', 'mine'));
    await journal.record(entry('bbbbbbbb', 'someone-elses'));
    const lines: string[] = [];
    const result = await revertAll(file, (line) => lines.push(line), { runId: 'run-1', projects: ['mine'] });
    expect(result).toEqual({ reverted: 1, failed: 0, refused: 1 });
    expect(lines).toContain(
      `entry bbbbbbbb ("cpu", project "someone-elses"): refused, project: "someone-elses" is not a project this run created ("mine"); kept in ${file} for a person to look at`,
    );
    expect(JSON.parse(readFileSync(file, 'utf8')).entries.map((e: JournalEntry) => e.id)).toEqual([
      'bbbbbbbb',
    ]);
  });
});
