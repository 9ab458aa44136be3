import { chmodSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cleanupCommand } from '../../../src/cli/cleanup-command';
import { currentRunId, findJournals, Journal, runJournalPath } from '../../../src/faults/journal';
import { parseRunConfig } from '../../../src/config/run-config';

const scratch = () => mkdtempSync(path.join(os.tmpdir(), 'journal-location-'));

/** A journal holding one entry whose revert is a no-op (its hog is long gone). */
async function leftover(file: string, id: string, runId: string): Promise<void> {
  await new Journal(file, runId).record({
    id,
    kind: 'cpu',
    project: 'left-over',
    createdAt: '2026-11-29T00:00:00.000Z',
    pid: 4_000_000,
    steps: [{ op: 'kill-process', pid: 4_000_001, startTicks: '1', what: 'cpu hog' }],
  });
}

async function quietly<T>(fn: () => Promise<T>): Promise<{ value: T; out: string }> {
  let out = '';
  const write = (chunk: string | Uint8Array) => {
    out += chunk.toString();
    return true;
  };
  const spies = [
    jest.spyOn(process.stdout, 'write').mockImplementation(write),
    jest.spyOn(process.stderr, 'write').mockImplementation(write),
  ];
  try {
    return { value: await fn(), out };
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
}

describe('where journals live', () => {
  test('each run has its own file: under RUNNER_TEMP, else XDG_RUNTIME_DIR, else a private directory of its own; never the working directory', () => {
    expect(runJournalPath({ RUNNER_TEMP: '/runner/tmp' })).toBe(
      `/runner/tmp/chaos-action/journals/${currentRunId()}.json`,
    );
    expect(runJournalPath({ CHAOS_JOURNAL: 'j.json' }, '/w')).toBe('/w/j.json');
    expect(runJournalPath({ XDG_RUNTIME_DIR: '/run/user/1000' })).toBe(
      `/run/user/1000/chaos-action/journals/${currentRunId()}.json`,
    );
    // No runner, no runtime directory: a directory whose name nobody could have guessed ahead
    // (and so made first), the same for the whole run.
    const own = runJournalPath({}, '/w');
    expect(own).toMatch(
      new RegExp(`^${os.tmpdir()}/chaos-action-${process.getuid?.()}-[0-9a-f]{12}/journal\\.json$`),
    );
    expect(runJournalPath({}, '/elsewhere')).toBe(own);
    expect(existsSync(path.dirname(own))).toBe(false);
    expect(parseRunConfig({ 'compose-files': 'c.yml' }).journalPath).toBe(runJournalPath());
    expect(parseRunConfig({ 'compose-files': 'c.yml', 'journal-path': 'x.json' }).journalPath).toBe('x.json');
  });
});

describe('chaos-action cleanup without arguments', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  test("replays every run's journal and the Action's journal.json in the default directory", async () => {
    const tmp = scratch();
    process.env = { ...saved, RUNNER_TEMP: tmp };
    delete process.env.CHAOS_JOURNAL;
    const runs = path.join(tmp, 'chaos-action', 'journals');
    await leftover(path.join(runs, 'run-1.json'), 'aaaaaaaa', 'run-1');
    await leftover(path.join(runs, 'run-2.json'), 'bbbbbbbb', 'run-2');
    await leftover(path.join(tmp, 'chaos-action', 'journal.json'), 'cccccccc', 'action-run');
    expect(findJournals().files).toHaveLength(3);
    const { value: code, out } = await quietly(() => cleanupCommand(['cleanup']));
    expect(out).toMatch(/cleanup: 3 fault\(s\) reverted/);
    expect(code).toBe(0);
    expect(findJournals().files).toEqual([]);
  });

  test('a journal directory other users can write to is not read (its entries could be planted)', async () => {
    const tmp = scratch();
    process.env = { ...saved, RUNNER_TEMP: tmp };
    delete process.env.CHAOS_JOURNAL;
    const runs = path.join(tmp, 'chaos-action', 'journals');
    await leftover(path.join(runs, 'run-1.json'), 'aaaaaaaa', 'run-1');
    chmodSync(runs, 0o777);
    const { value: code, out } = await quietly(() => cleanupCommand([]));
    expect(code).toBe(4);
    expect(out).toContain(`not reading journals there: ${runs} is writable by other users (mode 777)`);
    expect(existsSync(path.join(runs, 'run-1.json'))).toBe(true);
  });

  test('a file that is not a journal is named, and the other journals are still replayed', async () => {
    const tmp = scratch();
    process.env = { ...saved, RUNNER_TEMP: tmp };
    delete process.env.CHAOS_JOURNAL;
    const runs = path.join(tmp, 'chaos-action', 'journals');
    await leftover(path.join(runs, 'run-2.json'), 'bbbbbbbb', 'run-2');
    writeFileSync(path.join(runs, 'run-1.json'), '{ half');
    const { value: code, out } = await quietly(() => cleanupCommand([]));
    expect(code).toBe(4);
    expect(out).toContain(`${path.join(runs, 'run-1.json')} is not valid JSON`);
    expect(existsSync(path.join(runs, 'run-2.json'))).toBe(false);
  });

  test('nothing left: exit 0 and says so', async () => {
    const tmp = scratch();
    mkdirSync(path.join(tmp, 'chaos-action'), { mode: 0o700 });
    process.env = { ...saved, RUNNER_TEMP: tmp };
    delete process.env.CHAOS_JOURNAL;
    writeFileSync(path.join(tmp, 'chaos-action', 'notes.txt'), 'not a journal');
    const { value: code, out } = await quietly(() => cleanupCommand([]));
    expect(code).toBe(0);
    expect(out).toMatch(/no journal left \(looked in .*\): nothing to revert/);
  });
});
