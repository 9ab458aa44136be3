// A hog left behind by a run that died is stopped by the replay, not refused (issue 27,
// finding 9). A hog is a host process: while its run lives it is in the target's cgroups, but
// the replay may meet it before it was moved (the run died between journalling it and moving
// it), or after it has exited without being reaped (its parent died; a zombie shows in no
// cgroup of its own). Neither is "a process outside the project" for a person to look at.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Journal, revertAll, type JournalEntry } from '../../../src/faults/journal';
import { isHogCommandLine, spawnHog, type Hog } from '../../../src/faults/resources/hog';
import { processCommandLine, processStartTicks } from '../../../src/faults/resources/processes';

const PROJECT = 'hog-replay';

function hogEntry(pid: number, startTicks: string): JournalEntry {
  return {
    id: 'cafe0001',
    runId: 'run-hog',
    kind: 'cpu',
    project: PROJECT,
    createdAt: '2026-12-01T00:00:00.000Z',
    pid: 4_000_000,
    steps: [{ op: 'kill-process', pid, startTicks, what: `cpu hog in ${PROJECT}-api-1` }],
  };
}

async function replay(entry: JournalEntry): Promise<{ result: unknown; lines: string[]; file: string }> {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'hog-replay-')), 'journal.json');
  await new Journal(file, 'run-hog').record(entry);
  const lines: string[] = [];
  const result = await revertAll(file, (line) => lines.push(line), { runId: 'run-hog', projects: [PROJECT] });
  return { result, lines, file };
}

/** Field 22 of /proc/PID/stat as written, zombie or not. */
function rawStartTicks(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}

describe("the replay and a run's hog", () => {
  let hog: Hog | null = null;
  afterEach(async () => {
    await hog?.stop();
    hog = null;
  });

  test('a hog still in the host cgroups (its run died before moving it) is recognised and stopped', async () => {
    // Waiting at its start line, as spawnHog leaves it until it has been moved; it watches
    // this process, which lives on.
    hog = spawnHog({ mode: 'cpu', workers: 1, watchPid: process.pid });
    expect(isHogCommandLine(processCommandLine(hog.pid) ?? [])).toBe(true);
    const { result, lines, file } = await replay(hogEntry(hog.pid, hog.startTicks));
    expect({ result, lines }).toEqual({
      result: { reverted: 1, failed: 0 },
      lines: expect.arrayContaining([
        `  ok stop cpu hog in ${PROJECT}-api-1 (pid ${hog.pid}): killed`,
      ]) as string[],
    });
    expect(await hog.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(new Journal(file).read().entries).toEqual([]);
  });

  test('a hog that has exited but was not reaped (a zombie) counts as gone', async () => {
    // A parent that never waits: its child, once exited, stays a zombie until the parent ends.
    const parent: ChildProcess = spawn(
      'python3',
      [
        '-c',
        'import os, sys, time\npid = os.fork()\nif pid == 0: os._exit(0)\nprint(pid, flush=True)\ntime.sleep(30)',
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      const zombie = await new Promise<number>((resolve, reject) => {
        parent.stdout?.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
        parent.once('error', reject);
      });
      // Until /proc says it has exited (the fork's child exits at once, but on its own time).
      while (!/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${zombie}/stat`, 'utf8')))
        await new Promise((resolve) => setTimeout(resolve, 10));
      expect(processStartTicks(zombie)).toBeNull();
      const { result, lines } = await replay(hogEntry(zombie, rawStartTicks(zombie)));
      expect({ result, lines }).toEqual({
        result: { reverted: 1, failed: 0 },
        lines: expect.arrayContaining([
          `  ok stop cpu hog in ${PROJECT}-api-1 (pid ${zombie}): already exited`,
        ]) as string[],
      });
    } finally {
      parent.kill('SIGKILL');
    }
  });

  test('a live process that is not a hog, outside the project, is still refused and lives', async () => {
    const bystander = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      const pid = bystander.pid as number;
      const ticks = processStartTicks(pid) as string;
      const { result, lines } = await replay(hogEntry(pid, ticks));
      expect(result).toEqual({ reverted: 0, failed: 0, refused: 1 });
      expect(lines.join('\n')).toContain(
        `refused, steps[0].pid: process ${pid} does not run in a container of compose project "${PROJECT}" and is not a hog of ours`,
      );
      expect(processStartTicks(pid)).toBe(ticks);
    } finally {
      bystander.kill('SIGKILL');
    }
  });

  test("a hog's command line is told from others'", () => {
    expect(isHogCommandLine(['/usr/bin/node', '-e', 'while(1){}', 'cpu', '0', '0', '0', '1', '1'])).toBe(
      false,
    );
    expect(isHogCommandLine(['sleep', '30'])).toBe(false);
  });
});
