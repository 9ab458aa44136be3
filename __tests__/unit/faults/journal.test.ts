import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  Journal,
  JournalError,
  parseJournal,
  replayOrder,
  revertAll,
  withEntry,
  withoutEntry,
  emptyJournal,
  type JournalEntry,
  currentRunId,
} from '../../../src/faults/journal';

// Fault ids are 8 hex digits (newFaultId()); replay refuses anything else.
const ID = { a: 'aaaaaaaa', b: 'bbbbbbbb', c: 'cccccccc' } as const;

function entry(id: string, steps: JournalEntry['steps'] = [], runId?: string): JournalEntry {
  return {
    id,
    ...(runId ? { runId } : {}),
    kind: 'pause',
    project: 'p',
    createdAt: '2026-01-01T00:00:00.000Z',
    pid: 1,
    steps,
  };
}

/** A kill step for a pid above pid_max's ceiling for a live process here: "already exited". */
const goneHog = (n = 0): JournalEntry['steps'][number] => ({
  op: 'kill-process',
  pid: 4_000_000 + n,
  startTicks: '1',
  what: 'hog',
});

const tmp = () => path.join(mkdtempSync(path.join(os.tmpdir(), 'journal-test-')), 'sub', 'journal.json');

/** A journal path whose directory exists, for a test that writes next to it by hand. */
const tmpIn = () => {
  const file = tmp();
  mkdirSync(path.dirname(file), { recursive: true });
  return file;
};

describe('journal file format', () => {
  test('an empty or missing file is an empty journal', () => {
    expect(parseJournal('')).toEqual({ version: 1, entries: [] });
    expect(new Journal(tmp()).read()).toEqual(emptyJournal());
  });

  test('a file of another shape is refused with its name', () => {
    expect(() => parseJournal('{"entries": []}', 'x.json')).toThrow(/x.json is not a chaos-action journal/);
    expect(() => parseJournal('not json', 'x.json')).toThrow(JournalError);
  });

  test('a malformed entry does not make the file unreadable: it is refused at replay, alone', () => {
    expect(parseJournal('{"version":1,"entries":[{"id":1}]}').entries).toEqual([{ id: 1 }]);
  });

  test('replay runs the newest fault first', () => {
    const file = withEntry(withEntry(withEntry(emptyJournal(), entry(ID.a)), entry(ID.b)), entry(ID.c));
    expect(replayOrder(file).map((e) => e.id)).toEqual([ID.c, ID.b, ID.a]);
  });

  test('re-recording an entry replaces it in place of appending a duplicate; removal is by id', () => {
    const file = withEntry(
      withEntry(emptyJournal(), entry(ID.a)),
      entry(ID.a, [{ op: 'kill-process', pid: 5, startTicks: '1', what: 'x' }]),
    );
    expect(file.entries).toHaveLength(1);
    expect(file.entries[0].steps).toHaveLength(1);
    expect(withoutEntry(file, ID.a).entries).toEqual([]);
  });
});

describe('Journal on disk', () => {
  test('record, addSteps and remove round-trip through the file; the file goes when empty', async () => {
    const file = tmp();
    const journal = new Journal(file);
    await journal.record(entry('a'));
    await journal.record(entry('b'));
    await journal.addSteps('a', [{ op: 'unpause-container', containerId: 'c1', name: 'n' }]);
    const onDisk = parseJournal(readFileSync(file, 'utf8'));
    expect(onDisk.entries.map((e) => e.id)).toEqual(['a', 'b']);
    expect(onDisk.entries[0].steps).toEqual([{ op: 'unpause-container', containerId: 'c1', name: 'n' }]);
    await journal.remove('a');
    await journal.remove('b');
    expect(existsSync(file)).toBe(false);
  });

  test('concurrent changes in one process are serialised, none lost', async () => {
    const journal = new Journal(tmp());
    await Promise.all(Array.from({ length: 20 }, (_, i) => journal.record(entry(`e${i}`))));
    expect(journal.read().entries).toHaveLength(20);
  });

  test('entries left by an earlier run at the same path are kept', async () => {
    const file = tmp();
    await new Journal(file).record(entry('old'));
    await new Journal(file).record(entry('new'));
    expect(new Journal(file).read().entries.map((e) => e.id)).toEqual(['old', 'new']);
  });

  test('no temporary file is left next to the journal', async () => {
    const file = tmp();
    await new Journal(file).record(entry('a'));
    expect(existsSync(`${file}.${process.pid}.tmp`)).toBe(false);
  });
});

describe('Journal shared by processes', () => {
  const CHILD = path.resolve(__dirname, '../../fixtures/journal/append-entries.ts');

  function appendFromChild(file: string, runId: string, count: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', CHILD, file, runId, String(count)], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('exit', (code) =>
        code === 0 ? resolve() : reject(new Error(`child exited ${code}: ${stderr}`)),
      );
    });
  }

  test('two processes appending 200 entries each to one journal lose none (the lock file)', async () => {
    const file = tmp();
    await Promise.all([appendFromChild(file, 'run-a', 200), appendFromChild(file, 'run-b', 200)]);
    const entries = new Journal(file).read().entries;
    const count = (run: string) => entries.filter((e) => e.runId === run).length;
    expect({ total: entries.length, a: count('run-a'), b: count('run-b') }).toEqual({
      total: 400,
      a: 200,
      b: 200,
    });
    expect(existsSync(`${file}.lock`)).toBe(false);
  }, 30_000);

  test('a lock left by a writer that died (SIGKILL mid-write) is broken, not waited on', async () => {
    const file = tmp();
    await new Journal(file).record(entry(ID.a));
    // A pid that is not running on this host stands for the dead holder.
    writeFileSync(`${file}.lock`, `4000001 ${os.hostname()} deadbeef\n`);
    const started = Date.now();
    await new Journal(file).record(entry(ID.b));
    expect(Date.now() - started).toBeLessThan(2000);
    expect(new Journal(file).read().entries.map((e) => e.id)).toEqual([ID.a, ID.b]);
  });

  test('a lock older than any write could take is broken even if its pid now runs something else', async () => {
    const file = tmpIn();
    writeFileSync(`${file}.lock`, `${process.pid} ${os.hostname()} cafebabe\n`);
    const minuteAgo = new Date(Date.now() - 60_000);
    utimesSync(`${file}.lock`, minuteAgo, minuteAgo);
    await new Journal(file).record(entry(ID.a));
    expect(new Journal(file).read().entries.map((e) => e.id)).toEqual([ID.a]);
  });

  test("a live holder's lock is waited for, and its release lets the writer in", async () => {
    const file = tmpIn();
    writeFileSync(`${file}.lock`, `${process.pid} ${os.hostname()} cafebabe\n`);
    let written = false;
    const writing = new Journal(file).record(entry(ID.a)).then(() => (written = true));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(written).toBe(false);
    unlinkSync(`${file}.lock`);
    await writing;
    expect(new Journal(file).read().entries.map((e) => e.id)).toEqual([ID.a]);
  });

  test('every entry is stamped with the run id of the journal that recorded it', async () => {
    const file = tmp();
    await new Journal(file, 'run-1').record(entry(ID.a));
    await new Journal(file).record(entry(ID.b));
    const [a, b] = new Journal(file).read().entries;
    expect(a.runId).toBe('run-1');
    expect(b.runId).toBe(currentRunId());
    expect(currentRunId()).toMatch(/^\d{8}T\d{6}Z-\d+-[0-9a-f]{6}$/);
  });
});

describe('revertAll', () => {
  test('an absent journal has nothing to revert', async () => {
    const lines: string[] = [];
    expect(await revertAll(tmp(), (line) => lines.push(line))).toEqual({ reverted: 0, failed: 0 });
    expect(lines.join('\n')).toMatch(/nothing to revert/);
  });

  test('tolerant replay: a process already gone counts as reverted and the entry is dropped', async () => {
    const file = tmp();
    const journal = new Journal(file);
    await journal.record(entry(ID.a, [goneHog()]));
    const lines: string[] = [];
    expect(await revertAll(file, (line) => lines.push(line))).toEqual({ reverted: 1, failed: 0 });
    expect(lines.join('\n')).toMatch(/already exited/);
    expect(existsSync(file)).toBe(false);
    // Idempotent: a second replay finds nothing.
    expect(await revertAll(file, () => undefined)).toEqual({ reverted: 0, failed: 0 });
  });

  test('a corrupt journal is reported, not ignored', async () => {
    const file = tmp();
    await new Journal(file).record(entry(ID.a));
    writeFileSync(file, '{ half');
    await expect(revertAll(file, () => undefined)).rejects.toThrow(JournalError);
  });

  test("a run replays only its own entries; another run's stay; cleanup (no run) replays them", async () => {
    const file = tmp();
    await new Journal(file, 'run-a').record(entry(ID.a, [goneHog(1)]));
    await new Journal(file, 'run-b').record(entry(ID.b, [goneHog(2)]));
    await new Journal(file, 'run-a').record(entry(ID.c, [goneHog(3)]));
    const lines: string[] = [];
    expect(await revertAll(file, (line) => lines.push(line), { runId: 'run-a' })).toEqual({
      reverted: 2,
      failed: 0,
    });
    expect(lines.join('\n')).toMatch(/1 entry of other runs left alone/);
    expect(new Journal(file).read().entries.map((e) => [e.id, e.runId])).toEqual([[ID.b, 'run-b']]);
    expect(await revertAll(file, () => undefined, { runId: 'run-a' })).toEqual({ reverted: 0, failed: 0 });
    expect(await revertAll(file, () => undefined)).toEqual({ reverted: 1, failed: 0 });
    expect(existsSync(file)).toBe(false);
  });

  test('an invalid entry is refused in one line naming it and the field, kept, and the others still run', async () => {
    const file = tmpIn();
    const bad = {
      ...entry('1234abcd'),
      kind: 'partition',
      steps: [
        {
          op: 'remove-chain',
          containerId: 'a'.repeat(64),
          name: 'web-1',
          table: 'filter',
          parent: 'OUTPUT',
          chain: 'CHAOS-1234abcd-DROP$(touch /tmp/pwned)',
        },
      ],
    };
    writeFileSync(
      file,
      JSON.stringify({ version: 1, entries: [entry(ID.a, [goneHog()]), bad, { id: 'x; rm -rf /' }] }),
    );
    const lines: string[] = [];
    expect(await revertAll(file, (line) => lines.push(line))).toEqual({ reverted: 1, failed: 0, refused: 2 });
    const refused = lines.filter((line) => /refused/.test(line));
    expect(refused).toHaveLength(2);
    expect(refused[0]).toMatch(
      /^entry #3 \(id "x; rm -rf \/"\) \(no project\): refused, id: must be 8 hex digits/,
    );
    expect(refused[1]).toContain(
      'entry 1234abcd ("partition", project "p"): refused, steps[0].chain: must be CHAOS-<8 hex digits>-DROP',
    );
    expect(refused[1]).toContain('got "CHAOS-1234abcd-DROP$(touch /tmp/pwned)"');
    expect(refused[1]).toMatch(/kept in .* for a person to look at$/);
    // Both stay, exactly as they were; the valid entry was replayed and removed.
    expect(new Journal(file).read().entries).toEqual([bad, { id: 'x; rm -rf /' }]);
  });
});
