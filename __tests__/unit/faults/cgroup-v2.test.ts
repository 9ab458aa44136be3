// cgroup v2 without a v2 kernel. This project's machines run cgroup v1 (and the host itself
// uses the memory controller there, so it cannot be moved); GitHub's runners, systemd laptops,
// rootless Docker and Docker Desktop run v2. Two layers are covered here:
// 1. resolution: the recorded /proc/self/mountinfo and /proc/PID/cgroup of real v2 hosts
//    (__tests__/fixtures/cgroup-v2/hosts.ts, each line cited) give the right directory, or the
//    right refusal;
// 2. the memory and CPU faults, injected with injectFault() against a scratch directory laid
//    out like each of those hosts (cgroup.procs, memory.current, memory.max, memory.events with
//    oom_kill, cpu.stat) and a stand-in for the kernel's accounting: the code path is the one
//    a real host runs (containerCgroups → joinCgroups → the counters), with only the root path
//    and the Docker engine (a fake container whose init is this test process) replaced.
// What a real v2 kernel does (charging, the OOM killer) is NOT proven here: see docs/faults.md.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RECORDED_HOSTS, type RecordedHost } from '../../fixtures/cgroup-v2/hosts';
import { layOutHost, type ScratchHost } from '../../fixtures/cgroup-v2/fake-kernel';
import {
  containerCgroups,
  cpuUsageMicros,
  memoryLimitBytes,
  oomKillCount,
  parseCgroupMounts,
  resolveCgroupDirs,
} from '../../../src/faults/resources/cgroups';
import { createFaultContext, FaultUnavailableError, injectFault, Journal } from '../../../src/faults';
import type { FaultContext } from '../../../src/faults';

jest.setTimeout(30_000);

// The engine: one running container of project "cg2", service "api", whose init is this
// process (so the hog, which ends when the init does, lives as long as the test).
const mockContainer = {
  id: 'ae836c95b4c3c9e9179e0e91015512da89fdec91612f63cebae57df9a5444c79',
  labels: {
    'com.docker.compose.project': 'cg2',
    'com.docker.compose.service': 'api',
    'com.docker.compose.oneoff': 'False',
  },
};
jest.mock('../../../src/stack/docker', () => {
  const inspect = () => ({
    Id: mockContainer.id,
    Name: '/cg2-api-1',
    Config: { Labels: mockContainer.labels },
    State: {
      Status: 'running',
      Running: true,
      Paused: false,
      Restarting: false,
      OOMKilled: false,
      Pid: process.pid,
      ExitCode: 0,
      StartedAt: '2025-01-01T00:00:00Z',
      FinishedAt: '0001-01-01T00:00:00Z',
    },
    RestartCount: 0,
    NetworkSettings: { Networks: {} },
  });
  const engine = {
    listContainers: async () => [
      { Id: mockContainer.id, Names: ['/cg2-api-1'], Labels: mockContainer.labels, State: 'running' },
    ],
    getContainer: () => ({
      inspect: async () => inspect(),
      start: async () => undefined,
      unpause: async () => undefined,
    }),
    // The engine's past events (a replayed start looks for a stop still under way): none here.
    getEvents: async () => jest.requireActual<typeof import('node:stream')>('node:stream').Readable.from([]),
  };
  return { docker: () => engine, assertDockerReachable: async () => undefined };
});

const MiB = 2 ** 20;
type DirHost = RecordedHost & { expect: { dir: string } };
const withDir = RECORDED_HOSTS.filter((h): h is DirHost => 'dir' in h.expect);

describe('recorded cgroup v2 hosts resolve to the container directory, or to a clear refusal', () => {
  test.each(RECORDED_HOSTS.map((h) => [h.name, h] as const))('%s', (_name, host) => {
    const resolve = () => resolveCgroupDirs(host.procCgroup, parseCgroupMounts(host.mountinfo));
    if ('dir' in host.expect) {
      expect(resolve()).toEqual({ version: 2, dirs: new Map([['', host.expect.dir]]) });
    } else {
      expect(resolve).toThrow(FaultUnavailableError);
      expect(resolve).toThrow(host.expect.error);
    }
    expect(host.sources.length).toBeGreaterThan(0);
  });

  test('a hierarchy that cannot be reached is skipped unless it holds the memory controller', () => {
    const mounts = parseCgroupMounts(
      [
        '35 30 0:31 / /sys/fs/cgroup/memory rw,nosuid - cgroup cgroup rw,memory',
        '37 30 0:33 /init.scope /sys/fs/cgroup/systemd rw - cgroup cgroup rw,xattr,name=systemd',
      ].join('\n'),
    );
    const v1 = resolveCgroupDirs('4:memory:/docker/abc\n1:name=systemd:/docker/abc\n', mounts);
    expect([...v1.dirs]).toEqual([['memory', '/sys/fs/cgroup/memory/docker/abc']]);
    expect(() => resolveCgroupDirs('4:memory:/../docker/abc\n', mounts)).toThrow(
      /outside this process's cgroup view/,
    );
  });

  test('a PID this process cannot see (the engine in a VM, or remote) is refused with why', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'chaos-noproc-'));
    try {
      expect(() => containerCgroups(4242, { procDir: dir, rootDir: dir })).toThrow(
        /cannot read .*4242\/cgroup \(ENOENT\): the container's process is not visible from here/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('this machine: the test process resolves on the real kernel, to the version the host mounts', () => {
    const cgroups = containerCgroups(process.pid);
    expect(cgroups.version).toBe(existsSync('/sys/fs/cgroup/cgroup.controllers') ? 2 : 1);
    expect(cpuUsageMicros(cgroups)).toBeGreaterThan(0);
  });
});

describe.each(withDir.map((h) => [h.name, h] as const))(
  'faults on a scratch cgroupfs laid out like: %s',
  (_name, recorded) => {
    let scratch: ScratchHost;
    let ctx: FaultContext;
    let journalPath: string;

    beforeEach(async () => {
      scratch = layOutHost(recorded, process.pid, { memoryMaxBytes: 96 * MiB });
      scratch.kernel.start();
      journalPath = path.join(scratch.root, 'journal.json');
      const created = await createFaultContext({ project: 'cg2', journalPath, cgroupHost: scratch.host });
      // The hogs need root or sudo to join a real host's cgroups; the scratch tree is this
      // process's own, so they run the same code without either.
      ctx = {
        ...created,
        privileges: {
          ...created.privileges,
          mode: created.privileges.mode === 'none' ? 'root' : created.privileges.mode,
        },
      };
    });

    afterEach(() => {
      scratch.remove();
    });

    test('the container directory comes from the recorded files, under the injected root', () => {
      const cgroups = containerCgroups(process.pid, scratch.host);
      expect(cgroups).toEqual({ version: 2, dirs: new Map([['', scratch.cgroupDir]]) });
      expect(memoryLimitBytes(cgroups)).toBe(96 * MiB);
    });

    test('memory hog: joins cgroup.procs, grows memory.current, is OOM-killed at memory.max, counted from memory.events', async () => {
      const fault = await injectFault(
        ctx,
        { service: 'api' },
        {
          type: 'memory',
          method: 'hog',
          path: '',
          port: null,
          stepBytes: 16 * MiB,
          intervalMs: 40,
          durationMs: 0,
        },
      );
      const hogPid = Number(/hog pid (\d+)/.exec(fault.evidence().join('\n'))?.[1]);
      expect(readFileSync(path.join(scratch.cgroupDir, 'cgroup.procs'), 'utf8').trim()).toBe(String(hogPid));
      const why = await fault.ranItsCourse;
      await fault.revert();
      const evidence = fault.evidence().join('\n');
      expect(evidence).toMatch(
        /hog pid \d+ in cg2-api-1's cgroup: usage \+\d+(\.\d)?MiB \(limit 96MiB, cgroup v2\)/,
      );
      expect(why).toBe("the kernel OOM-killed a process in the container's cgroup");
      expect(scratch.kernel.oomKilled).toEqual([hogPid]);
      expect(oomKillCount(containerCgroups(process.pid, scratch.host))).toBe(1);
      expect(evidence).toMatch(/OOM kills in the cgroup: 1 \(kills the container survived\)/);
      expect(evidence).toMatch(/hog was killed by the kernel after allocating \d+MiB/);
      expect(new Journal(journalPath).read().entries).toEqual([]);
    });

    test('memory hog: refused when memory.max is "max" (no limit: it would press on the whole host)', async () => {
      writeFileSync(path.join(scratch.cgroupDir, 'memory.max'), 'max\n');
      await expect(
        injectFault(
          ctx,
          { service: 'api' },
          {
            type: 'memory',
            method: 'hog',
            path: '',
            port: null,
            stepBytes: 16 * MiB,
            intervalMs: 40,
            durationMs: 0,
          },
        ),
      ).rejects.toThrow(/cg2-api-1 has no memory limit/);
      expect(new Journal(journalPath).read().entries).toEqual([]);
    });

    test('cpu hog: joins cgroup.procs and is proven by cpu.stat usage_usec', async () => {
      const fault = await injectFault(ctx, { service: 'api' }, { type: 'cpu', workers: 1, durationMs: 0 });
      const evidence = fault.evidence().join('\n');
      const hogPid = Number(/\(pid (\d+)\)/.exec(evidence)?.[1]);
      expect(readFileSync(path.join(scratch.cgroupDir, 'cgroup.procs'), 'utf8').trim()).toBe(String(hogPid));
      await fault.revert();
      expect(evidence).toMatch(
        /1 busy worker\(s\) \(pid \d+\) in cg2-api-1's cgroup: \d\.\d\d CPU used over \d+ms, the hog's own [1-9]\d+ms of it counted there \(cgroup v2\)/,
      );
      let gone = false;
      for (let i = 0; i < 50 && !gone; i += 1) {
        gone =
          !existsSync(`/proc/${hogPid}`) ||
          /^State:\s+Z/m.test(readFileSync(`/proc/${hogPid}/status`, 'utf8'));
        if (!gone) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(gone).toBe(true);
      expect(new Journal(journalPath).read().entries).toEqual([]);
    });

    test('cpu hog: refused, and gone, when the cgroup does not count its CPU time', async () => {
      // The stand-in stops accounting: the hog runs, but cpu.stat never grows, as on a host
      // where the join did not take.
      scratch.kernel.stop();
      try {
        await expect(
          injectFault(ctx, { service: 'api' }, { type: 'cpu', workers: 1, durationMs: 0 }),
        ).rejects.toThrow(
          /cpu hog not in effect: it used [1-9]\d*ms of CPU in \d+ms, but cg2-api-1's cgroup counted 0ms/,
        );
      } finally {
        scratch.kernel.start();
      }
      expect(new Journal(journalPath).read().entries).toEqual([]);
    });
  },
);
