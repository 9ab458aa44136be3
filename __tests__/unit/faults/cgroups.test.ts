import { parseCgroupMounts, parseKeyValues, resolveCgroupDirs } from '../../../src/faults/resources/cgroups';
import { kernelLinesAfter, killedProcessLines } from '../../../src/faults/resources/oom-watch';
import { netemLatencyCommands, netemRemoveCommand, routeDevice } from '../../../src/faults/network/netem';
import { isLethalSignal } from '../../../src/faults/containers/kill';
import { parseLeakRequest } from '../../../src/faults/resources/memory';

const HYBRID_MOUNTINFO = [
  '30 25 0:26 / /sys/fs/cgroup ro,nosuid - tmpfs tmpfs ro,mode=755',
  '31 30 0:27 / /sys/fs/cgroup/unified rw,nosuid - cgroup2 cgroup2 rw',
  '35 30 0:31 / /sys/fs/cgroup/memory rw,nosuid - cgroup cgroup rw,memory',
  '36 30 0:32 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid - cgroup cgroup rw,cpu,cpuacct',
  '37 30 0:33 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,xattr,name=systemd',
].join('\n');

test('cgroup v1 (hybrid host): each controller maps to its hierarchy', () => {
  const proc = [
    '4:memory:/docker/abc',
    '2:cpu,cpuacct:/docker/abc',
    '1:name=systemd:/docker/abc',
    '0::/docker/abc',
  ].join('\n');
  const cgroups = resolveCgroupDirs(proc, parseCgroupMounts(HYBRID_MOUNTINFO));
  expect(cgroups.version).toBe(1);
  expect(cgroups.dirs.get('memory')).toBe('/sys/fs/cgroup/memory/docker/abc');
  expect(cgroups.dirs.get('cpuacct')).toBe('/sys/fs/cgroup/cpu,cpuacct/docker/abc');
  expect(cgroups.dirs.get('name=systemd')).toBe('/sys/fs/cgroup/systemd/docker/abc');
});

test('cgroup v2 (GitHub runners): the one unified directory', () => {
  const mountinfo = '30 25 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate';
  const cgroups = resolveCgroupDirs('0::/system.slice/docker-abc.scope\n', parseCgroupMounts(mountinfo));
  expect(cgroups).toEqual({
    version: 2,
    dirs: new Map([['', '/sys/fs/cgroup/system.slice/docker-abc.scope']]),
  });
});

test('a cgroup mount rooted below / (inside a cgroup namespace) is resolved relative to its root', () => {
  const mountinfo = '30 25 0:26 /docker/outer /sys/fs/cgroup rw - cgroup2 cgroup2 rw';
  expect(resolveCgroupDirs('0::/docker/outer/inner\n', parseCgroupMounts(mountinfo)).dirs.get('')).toBe(
    '/sys/fs/cgroup/inner',
  );
});

test('key/value counters (memory.events, memory.oom_control, cpu.stat)', () => {
  expect(parseKeyValues('oom_kill_disable 0\nunder_oom 0\noom_kill 3\n').get('oom_kill')).toBe(3);
  expect(parseKeyValues('usage_usec 12345\nuser_usec 1\n').get('usage_usec')).toBe(12345);
});

test('the kernel log names the processes the OOM killer chose in this container only', () => {
  const line = (id: string, task: string, pid: number) =>
    `[ 12.3] oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=${id},mems_allowed=0,oom_memcg=/docker/${id},task_memcg=/docker/${id},task=${task},pid=${pid},uid=0`;
  const log = [
    line('aaa111', 'python3', 1390),
    line('bbb222', 'java', 77),
    line('aaa111', 'node', 2167),
  ].join('\n');
  expect(killedProcessLines(log, 'aaa111')).toEqual(['pid 1390 (python3)', 'pid 2167 (node)']);
  expect(killedProcessLines(log, 'ccc333')).toEqual([]);
});

test('netem commands delay only target-ip:port, and one command removes them all', () => {
  const commands = netemLatencyCommands({
    device: 'eth0',
    targetIp: '10.0.0.3',
    port: 6379,
    delayMs: 100,
    jitterMs: 10,
  });
  expect(commands[1]).toEqual([
    'qdisc',
    'add',
    'dev',
    'eth0',
    'parent',
    '1:3',
    'handle',
    '30:',
    'netem',
    'delay',
    '100ms',
    '10ms',
  ]);
  expect(commands[2].join(' ')).toContain('match ip dst 10.0.0.3/32 match ip dport 6379 0xffff flowid 1:3');
  expect(netemRemoveCommand('eth0')).toEqual(['qdisc', 'del', 'dev', 'eth0', 'root']);
});

test('lethal signals are recognised with or without SIG, by name or number', () => {
  expect(isLethalSignal('SIGKILL')).toBe(true);
  expect(isLethalSignal('term')).toBe(true);
  expect(isLethalSignal('9')).toBe(true);
  expect(isLethalSignal('SIGHUP')).toBe(false);
  expect(isLethalSignal('SIGUSR1')).toBe(false);
});

test('a leak request may name its method', () => {
  expect(parseLeakRequest('/debug/leak?mb=10')).toEqual({ method: 'GET', path: '/debug/leak?mb=10' });
  expect(parseLeakRequest('post /leak')).toEqual({ method: 'POST', path: '/leak' });
});

test('the device toward a target comes from `ip -o route get`', () => {
  expect(routeDevice('172.20.0.3 dev eth0 src 172.20.0.2 uid 0 \\    cache ')).toBe('eth0');
  expect(routeDevice('RTNETLINK answers: Network is unreachable')).toBeNull();
});

test('kernel log lines are taken after the last one already seen, by timestamp', () => {
  const earlier = '[    1.000000] boot\n[   12.500000] something\n';
  const now = '[   12.500000] something\n[   13.000000] Killed process 7 (node)\n';
  expect(kernelLinesAfter(now, earlier)).toBe('[   13.000000] Killed process 7 (node)');
  expect(kernelLinesAfter(now, null)).toBe(now);
});
