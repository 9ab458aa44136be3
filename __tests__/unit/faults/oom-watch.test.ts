// The OOM watch over a fake engine whose inspect never shows the kill: a container OOM-killed
// and restarted by its policy between two samples (an engine of 25 or later clears OOMKilled at
// the start, and the new cgroup's counter begins at 0). The engine's `oom` and `die` events are
// what tells, and a leak must stop on them.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { OomWatcher } from '../../../src/faults/resources/oom-watch';

const mockEvents = new PassThrough();
const CONTAINER = 'c0ffee'.padEnd(64, '0');
jest.mock('../../../src/stack/docker', () => ({
  docker: () => ({
    getEvents: async () => mockEvents,
    getContainer: () => ({
      inspect: async () => ({
        Id: CONTAINER,
        RestartCount: 0,
        State: {
          Status: 'running',
          Running: true,
          Paused: false,
          Restarting: false,
          OOMKilled: false,
          Pid: 1,
          StartedAt: '2026-01-01T00:00:00Z',
          FinishedAt: '0001-01-01T00:00:00Z',
        },
      }),
    }),
  }),
}));
jest.mock('../../../src/faults/privileges', () => ({
  // No kernel log here: the events must be enough.
  execAsRoot: async () => ({ code: 1, stdout: '', stderr: 'not here' }),
}));

function cgroupV2(): { version: 2; dirs: Map<string, string> } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'oom-watch-'));
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'memory.current'), '1048576\n');
  writeFileSync(path.join(dir, 'memory.events'), 'low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n');
  return { version: 2, dirs: new Map([['', dir]]) };
}

const event = (Action: string, ID = CONTAINER) =>
  `${JSON.stringify({ Action, Actor: { ID, Attributes: {} }, time: 0 })}\n`;

test('an oom then a die of the container is its OOM kill, though inspect and the cgroup never show it', async () => {
  const watcher = new OomWatcher('proj', CONTAINER, cgroupV2());
  await watcher.start();
  expect(watcher.killSeen).toBe(false);
  // Another container's events are not this one's.
  mockEvents.write(event('oom', 'f'.repeat(64)));
  mockEvents.write(event('die', 'f'.repeat(64)));
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(watcher.killSeen).toBe(false);
  mockEvents.write(event('oom'));
  await new Promise((resolve) => setTimeout(resolve, 50));
  // The leak stops here: the kernel has killed in the container's cgroup.
  expect(watcher.killSeen).toBe(true);
  mockEvents.write(event('die'));
  await expect(watcher.killSettled).resolves.toBe('the kernel OOM-killed the container');
  const seen = await watcher.stop();
  expect(seen).toMatchObject({ oomKilled: true, kernelLogReadable: false });
});
