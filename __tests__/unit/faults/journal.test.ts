import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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
} from '../../../src/faults/journal';

function entry(id: string, steps: JournalEntry['steps'] = []): JournalEntry {
  return { id, kind: 'pause', project: 'p', createdAt: '2026-01-01T00:00:00.000Z', pid: 1, steps };
}

const tmp = () => path.join(mkdtempSync(path.join(os.tmpdir(), 'journal-test-')), 'sub', 'journal.json');

describe('journal file format', () => {
  test('an empty or missing file is an empty journal', () => {
    expect(parseJournal('')).toEqual({ version: 1, entries: [] });
    expect(new Journal(tmp()).read()).toEqual(emptyJournal());
  });

  test('a file of another shape is refused with its name', () => {
    expect(() => parseJournal('{"entries": []}', 'x.json')).toThrow(/x.json is not a chaos-action journal/);
    expect(() => parseJournal('not json', 'x.json')).toThrow(JournalError);
    expect(() => parseJournal('{"version":1,"entries":[{"id":1}]}')).toThrow(/malformed entry/);
  });

  test('replay runs the newest fault first', () => {
    const file = withEntry(withEntry(withEntry(emptyJournal(), entry('a')), entry('b')), entry('c'));
    expect(replayOrder(file).map((e) => e.id)).toEqual(['c', 'b', 'a']);
  });

  test('re-recording an entry replaces it in place of appending a duplicate; removal is by id', () => {
    const file = withEntry(
      withEntry(emptyJournal(), entry('a')),
      entry('a', [{ op: 'kill-process', pid: 5, startTicks: '1', what: 'x' }]),
    );
    expect(file.entries).toHaveLength(1);
    expect(file.entries[0].steps).toHaveLength(1);
    expect(withoutEntry(file, 'a').entries).toEqual([]);
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

describe('revertAll', () => {
  test('an absent journal has nothing to revert', async () => {
    const lines: string[] = [];
    expect(await revertAll(tmp(), (line) => lines.push(line))).toEqual({ reverted: 0, failed: 0 });
    expect(lines.join('\n')).toMatch(/nothing to revert/);
  });

  test('tolerant replay: a process already gone counts as reverted and the entry is dropped', async () => {
    const file = tmp();
    const journal = new Journal(file);
    // A PID that cannot exist (above pid_max) stands for a hog that already ended.
    await journal.record(entry('gone', [{ op: 'kill-process', pid: 2 ** 30, startTicks: '1', what: 'hog' }]));
    const lines: string[] = [];
    expect(await revertAll(file, (line) => lines.push(line))).toEqual({ reverted: 1, failed: 0 });
    expect(lines.join('\n')).toMatch(/already exited/);
    expect(existsSync(file)).toBe(false);
    // Idempotent: a second replay finds nothing.
    expect(await revertAll(file, () => undefined)).toEqual({ reverted: 0, failed: 0 });
  });

  test('a corrupt journal is reported, not ignored', async () => {
    const file = tmp();
    await new Journal(file).record(entry('a'));
    writeFileSync(file, '{ half');
    await expect(revertAll(file, () => undefined)).rejects.toThrow(JournalError);
  });
});
