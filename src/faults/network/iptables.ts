// iptables rules of our own, built as data (pure, unit-tested) and applied in a container's
// network namespace. We never touch Docker's chains (DOCKER_OUTPUT / DOCKER_POSTROUTING
// carry the embedded DNS): each fault creates its own chain and inserts one jump to it;
// the revert deletes exactly that jump and that chain.
import { quoteValue } from '../quote';

export type IptablesTable = 'filter' | 'nat';

export interface ChainSpec {
  table: IptablesTable;
  /** The built-in chain holding our single jump rule. */
  parent: 'OUTPUT';
  chain: string;
  /** Each rule's arguments after `-A <chain>`. */
  rules: string[][];
}

/** Prefix of every chain we create; cleanup and tests look for it. */
export const CHAIN_PREFIX = 'CHAOS-';

/** Our chains: CHAOS-<fault id>-DROP (filter table) or CHAOS-<fault id>-DNAT (nat table). */
export const CHAIN_NAME = /^CHAOS-[0-9a-f]{8}-(DROP|DNAT)$/;

/** iptables chain names are limited to 28 characters. */
export function chainName(faultId: string, purpose: 'DROP' | 'DNAT'): string {
  const name = `${CHAIN_PREFIX}${faultId}-${purpose}`;
  if (name.length > 28) throw new Error(`iptables chain name too long: ${name}`);
  return name;
}

/** DROP every packet to the given addresses: connections to them hang, so timeouts are what the client sees. */
export function dropChain(chain: string, addresses: string[]): ChainSpec {
  return {
    table: 'filter',
    parent: 'OUTPUT',
    chain,
    rules: [...new Set(addresses)].sort().map((address) => ['-d', `${address}/32`, '-j', 'DROP']),
  };
}

/** Redirect only TCP to target-ip:port to the proxy; every other destination is left alone. */
export function dnatChain(
  chain: string,
  route: { targetIp: string; port: number; proxyIp: string; proxyPort: number },
): ChainSpec {
  return {
    table: 'nat',
    parent: 'OUTPUT',
    chain,
    rules: [
      [
        '-p',
        'tcp',
        '-d',
        `${route.targetIp}/32`,
        '--dport',
        String(route.port),
        '-j',
        'DNAT',
        '--to-destination',
        `${route.proxyIp}:${route.proxyPort}`,
      ],
    ],
  };
}

/**
 * iptables-restore input that creates the chain, fills it and inserts one jump at the top of
 * the parent, in one transaction (--noflush keeps every other rule, Docker's included).
 */
export function restoreInput(spec: ChainSpec): string {
  return [
    `*${spec.table}`,
    `:${spec.chain} - [0:0]`,
    ...spec.rules.map((rule) => ['-A', spec.chain, ...rule].join(' ')),
    `-I ${spec.parent} 1 -j ${spec.chain}`,
    'COMMIT',
    '',
  ].join('\n');
}

/**
 * iptables-restore input that removes our chain from one table, read from that table's
 * `iptables -S` listing: every rule that jumps to it, then its rules and the chain itself, in
 * one transaction (--noflush keeps every other rule). Null when neither the chain nor a jump to
 * it is in the listing: nothing of ours is left there.
 */
export function removalRestoreInput(
  listing: string,
  spec: Pick<ChainSpec, 'table' | 'chain'>,
): string | null {
  const lines = listing.split('\n').map((line) => line.trim());
  const jumps = lines.filter((line) => line.startsWith('-A ') && line.endsWith(` -j ${spec.chain}`));
  const exists = lines.includes(`-N ${spec.chain}`);
  if (jumps.length === 0 && !exists) return null;
  return [
    `*${spec.table}`,
    ...jumps.map((line) => `-D ${line.slice(3)}`),
    ...(exists ? [`-F ${spec.chain}`, `-X ${spec.chain}`] : []),
    'COMMIT',
    '',
  ].join('\n');
}

/** Our chains present in `iptables -S` output (for verification and leak checks). */
export function ourChains(iptablesSave: string): string[] {
  return [...iptablesSave.matchAll(/^-N (CHAOS-\S+)$/gm)].map((match) => match[1]);
}

/**
 * The journal schema's checks for a chain about to be removed (a live revert never passes a
 * malformed one either): a table and parent we use, and a chain name of ours.
 */
export function assertChainOfOurs(spec: { table: string; parent: string; chain: string }): void {
  if (!['filter', 'nat'].includes(spec.table))
    throw new Error(`refusing iptables table ${quoteValue(spec.table)}`);
  if (spec.parent !== 'OUTPUT') throw new Error(`refusing parent chain ${quoteValue(spec.parent)}`);
  if (!CHAIN_NAME.test(spec.chain))
    throw new Error(`refusing chain ${quoteValue(spec.chain)}: not one of ours`);
}
