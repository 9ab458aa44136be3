import {
  chainName,
  dnatChain,
  dropChain,
  ourChains,
  removalRestoreInput,
  restoreInput,
} from '../../../src/faults/network/iptables';

test('chain names carry our prefix and the fault id, within iptables 28 characters', () => {
  expect(chainName('0a1b2c3d', 'DROP')).toBe('CHAOS-0a1b2c3d-DROP');
  expect(chainName('0a1b2c3d', 'DNAT').length).toBeLessThanOrEqual(28);
  expect(() => chainName('x'.repeat(30), 'DNAT')).toThrow(/too long/);
});

test('a DROP chain drops exactly the given addresses, deduplicated, in the filter table', () => {
  expect(dropChain('CHAOS-1-DROP', ['10.0.0.3', '10.0.0.2', '10.0.0.3'])).toEqual({
    table: 'filter',
    parent: 'OUTPUT',
    chain: 'CHAOS-1-DROP',
    rules: [
      ['-d', '10.0.0.2/32', '-j', 'DROP'],
      ['-d', '10.0.0.3/32', '-j', 'DROP'],
    ],
  });
});

test('the DNAT rule matches only TCP to target-ip:port and points at the proxy', () => {
  const spec = dnatChain('CHAOS-1-DNAT', {
    targetIp: '172.20.0.3',
    port: 6379,
    proxyIp: '172.20.0.1',
    proxyPort: 41000,
  });
  expect(spec.table).toBe('nat');
  expect(spec.rules).toEqual([
    [
      '-p',
      'tcp',
      '-d',
      '172.20.0.3/32',
      '--dport',
      '6379',
      '-j',
      'DNAT',
      '--to-destination',
      '172.20.0.1:41000',
    ],
  ]);
});

test('iptables-restore input creates our chain and inserts one jump, without flushing anything else', () => {
  const text = restoreInput(dropChain('CHAOS-1-DROP', ['10.0.0.2']));
  expect(text).toBe(
    '*filter\n:CHAOS-1-DROP - [0:0]\n-A CHAOS-1-DROP -d 10.0.0.2/32 -j DROP\n-I OUTPUT 1 -j CHAOS-1-DROP\nCOMMIT\n',
  );
  expect(text).not.toMatch(/DOCKER/);
  expect(text).not.toMatch(/^-F|^:OUTPUT/m);
});

test('our chains are found in iptables -S output, Docker chains are not', () => {
  const save =
    '-P OUTPUT ACCEPT\n-N DOCKER_OUTPUT\n-N CHAOS-ab12cd34-DNAT\n-A OUTPUT -j CHAOS-ab12cd34-DNAT\n';
  expect(ourChains(save)).toEqual(['CHAOS-ab12cd34-DNAT']);
});

describe('the removal transaction, read from the table as listed', () => {
  const chain = 'CHAOS-0a1b2c3d-DROP';
  const listing = [
    '-P INPUT ACCEPT',
    '-P OUTPUT ACCEPT',
    '-N CHAOS-0a1b2c3d-DROP',
    '-N CHAOS-99999999-DROP',
    '-N DOCKER_OUTPUT',
    `-A OUTPUT -j ${chain}`,
    '-A OUTPUT -d 127.0.0.11/32 -j DOCKER_OUTPUT',
    `-A OUTPUT -j ${chain}`,
    '-A OUTPUT -j CHAOS-99999999-DROP',
    `-A ${chain} -d 10.0.0.2/32 -j DROP`,
    '',
  ].join('\n');

  test("deletes every jump to our chain, then the chain; Docker's rules and another fault's chain stay", () => {
    expect(removalRestoreInput(listing, { table: 'filter', chain })).toBe(
      [
        '*filter',
        `-D OUTPUT -j ${chain}`,
        `-D OUTPUT -j ${chain}`,
        `-F ${chain}`,
        `-X ${chain}`,
        'COMMIT',
        '',
      ].join('\n'),
    );
  });

  test('a jump whose chain is already gone is still deleted; nothing of ours gives no transaction', () => {
    expect(removalRestoreInput(`-P OUTPUT ACCEPT\n-A OUTPUT -j ${chain}\n`, { table: 'nat', chain })).toBe(
      ['*nat', `-D OUTPUT -j ${chain}`, 'COMMIT', ''].join('\n'),
    );
    expect(
      removalRestoreInput('-P OUTPUT ACCEPT\n-N CHAOS-99999999-DROP\n', { table: 'filter', chain }),
    ).toBeNull();
  });
});
