// A journal is a file: whoever writes it chooses what `chaos-action cleanup` does, as root.
// These tests hand cleanup crafted journals against a running container of the named project
// and check that nothing outside what our faults write can run: a chain name carrying shell
// text, a container of another project, a process that is not in the project's containers.
// And that a genuine entry still reverts: a real chain is removed, a real hog is killed.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cleanupCommand } from '../../../src/cli/cleanup-command';
import { dropChain } from '../../../src/faults/network/iptables';
import { containerRuntime, installChain } from '../../../src/faults/network/netns';
import { detectPrivileges } from '../../../src/faults/privileges';
import { processStartTicks } from '../../../src/faults/resources/processes';
import type { ComposeStack } from '../../../src/stack/compose';
import { docker } from '../../../src/stack/docker';
import { containerEventsBetween } from '../../../src/stack/events';
import { execCommand } from '../../../src/util/exec';
import { leftoverChains } from '../../helpers/leftovers';
import { containerOf, ensureFixtureImage, startFixtureStack } from './helpers';

jest.setTimeout(120_000);

let stack: ComposeStack;
let web: { id: string; name: string };
let dir: string;

beforeAll(async () => {
  // Without root or sudo -n, a replayed shell command could not run either: these checks would
  // pass for the wrong reason. The genuine-entry test needs the root path too.
  expect((await detectPrivileges()).mode).toMatch(/^(root|sudo)$/);
  stack = await startFixtureStack('journal-replay', await ensureFixtureImage(), ['web']);
  const inspect = await containerOf(stack.project, 'web');
  web = { id: inspect.Id, name: inspect.Name.replace(/^\//, '') };
  dir = mkdtempSync(path.join(os.tmpdir(), 'journal-replay-'));
});

afterAll(async () => {
  await stack?.down();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Runs `chaos-action cleanup --journal FILE` in-process; returns its exit code and output. */
async function cleanup(journal: string): Promise<{ code: number; out: string }> {
  let out = '';
  const write = (chunk: string | Uint8Array) => {
    out += chunk.toString();
    return true;
  };
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(write);
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(write);
  try {
    return { code: await cleanupCommand(['cleanup', '--journal-path', journal]), out };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
}

function writeJournal(name: string, entries: unknown[]): string {
  const file = path.join(dir, name);
  writeFileSync(file, JSON.stringify({ version: 1, entries }, null, 2));
  return file;
}

const entry = (id: string, steps: unknown[], project = stack.project) => ({
  id,
  runId: 'crafted',
  kind: 'partition',
  project,
  createdAt: new Date().toISOString(),
  pid: 4_000_000,
  steps,
});

test('a chain name carrying $(touch …) is refused and runs nothing; the entry stays, named with its field', async () => {
  const pwned = path.join(dir, 'pwned');
  const crafted = entry('1234abcd', [
    {
      op: 'remove-chain',
      containerId: web.id,
      name: web.name,
      table: 'filter',
      parent: 'OUTPUT',
      chain: `CHAOS-1234abcd-DROP$(touch ${pwned})`,
    },
  ]);
  const journal = writeJournal('shell.json', [crafted]);
  const { code, out } = await cleanup(journal);
  expect(existsSync(pwned)).toBe(false);
  expect(code).toBe(4);
  expect(out).toContain(
    `entry 1234abcd ("partition", project "${stack.project}"): refused, steps[0].chain: must be CHAOS-<8 hex digits>-DROP`,
  );
  expect(JSON.parse(readFileSync(journal, 'utf8')).entries).toEqual([crafted]);
});

test("a container of another project is refused (the entry's project must own it) and left as it is", async () => {
  const crafted = entry(
    '5678abcd',
    [{ op: 'unpause-container', containerId: web.id, name: web.name }],
    'someone-else',
  );
  await execCommand('docker', ['pause', web.id]);
  try {
    const journal = writeJournal('other-project.json', [crafted]);
    const { code, out } = await cleanup(journal);
    expect(code).toBe(4);
    expect(out).toContain(
      `refused, steps[0].containerId: container ${web.name} belongs to compose project "${stack.project}", not to the entry's project "someone-else"`,
    );
    expect((await containerOf(stack.project, 'web')).State.Paused).toBe(true);
    expect(JSON.parse(readFileSync(journal, 'utf8')).entries).toEqual([crafted]);
  } finally {
    await execCommand('docker', ['unpause', web.id]);
  }
});

test('kill-process: a live pid with the right start time but outside the project is refused and lives', async () => {
  const bystander = spawn('sleep', ['60'], { stdio: 'ignore' });
  try {
    const pid = bystander.pid as number;
    const startTicks = processStartTicks(pid) as string;
    const journal = writeJournal('bystander.json', [
      entry('9abcdef0', [{ op: 'kill-process', pid, startTicks, what: 'memory hog' }]),
    ]);
    const { code, out } = await cleanup(journal);
    expect(code).toBe(4);
    expect(out).toContain(
      `refused, steps[0].pid: process ${pid} does not run in a container of compose project "${stack.project}"`,
    );
    expect(processStartTicks(pid)).toBe(startTicks);
  } finally {
    bystander.kill('SIGKILL');
  }
});

test('genuine entries still revert: our chain in the container is removed, a process in its cgroup is killed', async () => {
  // A chain of ours, installed the way a partition does.
  const runtime = await containerRuntime(web.id, stack.project);
  const chain = 'CHAOS-0badf00d-DROP';
  await installChain(runtime, dropChain(chain, ['10.255.255.1']));
  expect(await leftoverChains(stack.project)).toContain(`web:filter:${chain}`);
  // A process in the container's cgroups, standing for a hog (docker top gives its host pid).
  await execCommand('docker', ['exec', '-d', web.id, 'sleep', '300']);
  let hogPid = 0;
  for (let attempt = 0; attempt < 50 && !hogPid; attempt += 1) {
    const top = await execCommand('docker', ['top', web.id, '-eo', 'pid,args']);
    hogPid = Number(/^\s*(\d+)\s+sleep 300$/m.exec(top.stdout)?.[1] ?? 0);
    if (!hogPid) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const hogTicks = processStartTicks(hogPid) as string;
  expect(hogTicks).toMatch(/^\d+$/);
  const journal = writeJournal('genuine.json', [
    entry('0badf00d', [
      { op: 'remove-chain', containerId: web.id, name: web.name, table: 'filter', parent: 'OUTPUT', chain },
      { op: 'kill-process', pid: hogPid, startTicks: hogTicks, what: `hog in ${web.name}` },
    ]),
  ]);
  const { code, out } = await cleanup(journal);
  expect({ code, out }).toEqual({ code: 0, out: expect.stringContaining('1 fault(s) reverted') });
  expect(await leftoverChains(stack.project)).toEqual([]);
  expect(processStartTicks(hogPid)).toBeNull();
  expect(existsSync(journal)).toBe(false);
});

test('a stop still under way when the run died is waited for, then the container is started (not left to die after the replay)', async () => {
  // A run SIGKILLed right after it journalled a stop leaves the engine stopping the container:
  // the fixture's server ignores SIGTERM (pid 1 without a handler), so the stop takes its whole
  // timeout. The replay must not take "running" for "whole".
  const sinceSeconds = Date.now() / 1000 - 1;
  const stopping = docker().getContainer(web.id).stop({ t: 3 });
  try {
    // Deterministic: the replay starts once the engine has begun the stop (its `kill` event).
    for (let i = 0; i < 200; i += 1) {
      const events = await containerEventsBetween(web.id, sinceSeconds, Date.now() / 1000);
      if (events.some((e) => e.Action === 'kill')) break;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect((await containerOf(stack.project, 'web')).State.Running).toBe(true);
    const journal = writeJournal('stop-in-flight.json', [
      {
        ...entry('0ddba11a', [{ op: 'start-container', containerId: web.id, name: web.name }]),
        kind: 'stop',
      },
    ]);
    const { code, out } = await cleanup(journal);
    expect({ code, out }).toEqual({
      code: 0,
      out: expect.stringMatching(
        /started \(after waiting \d+ms for a stop sent before the crash to finish\)/,
      ),
    });
    await stopping;
    // The engine's stop is over and the replay's start came after it.
    expect((await containerOf(stack.project, 'web')).State.Running).toBe(true);
  } finally {
    await stopping.catch(() => undefined);
    await docker()
      .getContainer(web.id)
      .start()
      .catch(() => undefined);
  }
});
