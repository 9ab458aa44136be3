import { checkJournalEntry } from '../../../src/faults/journal';
import { assertChainOfOurs } from '../../../src/faults/network/iptables';
import { containerIdsInCgroupFile } from '../../../src/faults/journal/replay-guard';

const CONTAINER = 'ab'.repeat(32);
const NETWORK = 'cd'.repeat(32);

/** An entry exactly as our faults write it: one step of each kind. */
function valid(): Record<string, unknown> & { steps: Record<string, unknown>[] } {
  return {
    id: '1234abcd',
    runId: '20261129T231500Z-4242-a1b2c3',
    kind: 'partition',
    project: 'chaos-fraud-api-1a2b3c',
    createdAt: '2026-11-29T23:15:00.123Z',
    pid: 4242,
    steps: [
      { op: 'start-container', containerId: CONTAINER, name: 'chaos-x-redis-1' },
      { op: 'unpause-container', containerId: CONTAINER, name: 'chaos-x-redis-1' },
      {
        op: 'remove-chain',
        containerId: CONTAINER,
        name: 'chaos-x-web-1',
        table: 'filter',
        parent: 'OUTPUT',
        chain: 'CHAOS-1234abcd-DROP',
      },
      {
        op: 'network-connect',
        containerId: CONTAINER,
        name: 'chaos-x-redis-1',
        networkId: NETWORK,
        networkName: 'chaos-x_default',
        aliases: ['redis', 'chaos-x-redis-1'],
      },
      { op: 'kill-process', pid: 31337, startTicks: '123456', what: 'memory hog in chaos-x-api-1' },
      {
        op: 'restore-oom-score',
        pid: 31338,
        startTicks: '99',
        value: -500,
        what: "chaos-x-api-1's main process",
      },
      { op: 'remove-qdisc', containerId: CONTAINER, name: 'chaos-x-web-1', device: 'eth0' },
    ],
  };
}

/** The entry with one field of one step (or of the entry) replaced. */
function withStep(index: number, field: string, value: unknown) {
  const entry = valid();
  entry.steps[index] = { ...entry.steps[index], [field]: value };
  return entry;
}

const refusal = (data: unknown) => {
  const check = checkJournalEntry(data);
  return check.ok ? 'accepted' : `${check.field}: ${check.message}`;
};

describe('journal entry schema', () => {
  test('an entry as our faults write it passes, every step kind included', () => {
    expect(checkJournalEntry(valid())).toEqual({ ok: true, entry: valid() });
    const { runId: _, ...legacy } = valid();
    expect(checkJournalEntry(legacy).ok).toBe(true);
  });

  test.each([
    ['CHAOS-1234abcd-DROP$(touch /tmp/pwned)', /^steps\[2\]\.chain: must be CHAOS-<8 hex digits>-DROP/],
    ['CHAOS-1234abcd-DROP; reboot', /^steps\[2\]\.chain/],
    ['CHAOS-1234abcd-DROP\nCOMMIT', /^steps\[2\]\.chain: .*got "CHAOS-1234abcd-DROP\\nCOMMIT"/],
    ['DOCKER-USER', /^steps\[2\]\.chain/],
    ['CHAOS-1234ABCD-DROP', /^steps\[2\]\.chain/],
    ['CHAOS-deadbeef-DROP', /^steps\[2\]\.chain: must be this entry's filter chain CHAOS-1234abcd-DROP/],
    ['CHAOS-1234abcd-DNAT', /^steps\[2\]\.chain: must be this entry's filter chain/],
  ])('chain %j is refused', (chain, expected) => {
    expect(refusal(withStep(2, 'chain', chain))).toMatch(expected);
  });

  test('only the filter and nat tables, and only OUTPUT as the parent', () => {
    expect(refusal(withStep(2, 'table', 'raw'))).toMatch(/^steps\[2\]\.table: must be "filter" or "nat"/);
    expect(refusal(withStep(2, 'table', 'filter -F'))).toMatch(/^steps\[2\]\.table/);
    expect(refusal(withStep(2, 'parent', 'INPUT'))).toMatch(/^steps\[2\]\.parent: must be "OUTPUT"/);
    const nat = withStep(2, 'table', 'nat');
    nat.steps[2].chain = 'CHAOS-1234abcd-DNAT';
    expect(refusal(nat)).toBe('accepted');
  });

  test('container and network ids are hex, names are Docker names', () => {
    expect(refusal(withStep(0, 'containerId', '../../etc'))).toMatch(
      /^steps\[0\]\.containerId: must be a Docker container id/,
    );
    expect(refusal(withStep(0, 'containerId', 'my-container'))).toMatch(/^steps\[0\]\.containerId/);
    expect(refusal(withStep(1, 'name', 'x y'))).toMatch(/^steps\[1\]\.name/);
    expect(refusal(withStep(3, 'networkId', 'host'))).toMatch(/^steps\[3\]\.networkId/);
    expect(refusal(withStep(3, 'aliases', ['ok', '$(id)']))).toMatch(/^steps\[3\]\.aliases\[1\]/);
    expect(refusal(withStep(6, 'device', 'eth0; tc qdisc del dev lo root'))).toMatch(/^steps\[6\]\.device/);
  });

  test('kill-process: a pid above 1 with a start time in clock ticks', () => {
    expect(refusal(withStep(4, 'pid', 1))).toMatch(/^steps\[4\]\.pid: must be a process id above 1/);
    expect(refusal(withStep(4, 'pid', -1))).toMatch(/^steps\[4\]\.pid/);
    expect(refusal(withStep(4, 'pid', 12.5))).toMatch(/^steps\[4\]\.pid/);
    expect(refusal(withStep(4, 'pid', '31337'))).toMatch(/^steps\[4\]\.pid/);
    expect(refusal(withStep(4, 'startTicks', 'any'))).toMatch(
      /^steps\[4\]\.startTicks: must be a process start time/,
    );
    const { startTicks: _, ...noTicks } = valid().steps[4];
    const entry = valid();
    entry.steps[4] = noTicks;
    expect(refusal(entry)).toMatch(/^steps\[4\]\.startTicks/);
    expect(refusal(withStep(4, 'what', 'hog\u001b]8;;x\u0007'))).toMatch(
      /^steps\[4\]\.what: must be one line/,
    );
  });

  test('restore-oom-score: pid, start time and a value oom_score_adj accepts', () => {
    expect(refusal(withStep(5, 'value', 1001))).toMatch(/^steps\[5\]\.value: must be at most 1000/);
    expect(refusal(withStep(5, 'value', -1001))).toMatch(/^steps\[5\]\.value: must be at least -1000/);
    expect(refusal(withStep(5, 'value', '0\n'))).toMatch(/^steps\[5\]\.value/);
    expect(refusal(withStep(5, 'pid', 0))).toMatch(/^steps\[5\]\.pid/);
    expect(refusal(withStep(5, 'startTicks', ''))).toMatch(/^steps\[5\]\.startTicks/);
  });

  test('unknown steps, unknown fields and a malformed entry are refused, naming the field', () => {
    expect(refusal(withStep(0, 'op', 'run-shell'))).toMatch(/^steps\[0\]\.op/);
    expect(refusal(withStep(0, 'command', 'id'))).toMatch(/^steps\[0\]: .*command/);
    expect(refusal({ ...valid(), id: 'abc' })).toMatch(/^id: must be 8 hex digits, got "abc"/);
    expect(refusal({ ...valid(), project: 'Other Project' })).toMatch(
      /^project: must be a compose project name/,
    );
    expect(refusal({ ...valid(), runId: '../x' })).toMatch(/^runId/);
    expect(refusal({ ...valid(), steps: 'none' })).toMatch(/^steps/);
    expect(refusal(null)).toMatch(/^entry/);
    expect(refusal('text')).toMatch(/^entry/);
  });

  test('the executor refuses a chain that is not ours even when nothing checked it before', () => {
    expect(() =>
      assertChainOfOurs({ table: 'filter', parent: 'OUTPUT', chain: 'CHAOS-1234abcd-DROP' }),
    ).not.toThrow();
    expect(() => assertChainOfOurs({ table: 'filter', parent: 'OUTPUT', chain: 'X$(id)' })).toThrow(
      /not one of ours/,
    );
    expect(() =>
      assertChainOfOurs({ table: 'mangle', parent: 'OUTPUT', chain: 'CHAOS-1234abcd-DROP' }),
    ).toThrow(/table/);
  });
});

describe('container ids in /proc/PID/cgroup', () => {
  test('cgroup v1 (cgroupfs), v2 (systemd) and a process outside any container', () => {
    const id = 'ef'.repeat(32);
    expect(containerIdsInCgroupFile(`12:memory:/docker/${id}\n11:cpu,cpuacct:/docker/${id}\n`)).toEqual([id]);
    expect(containerIdsInCgroupFile(`0::/system.slice/docker-${id}.scope\n`)).toEqual([id]);
    expect(containerIdsInCgroupFile('0::/user.slice/user-1000.slice/session-2.scope\n')).toEqual([]);
    expect(containerIdsInCgroupFile(`0::/x/${id}0\n`)).toEqual([]);
  });
});
