// A container's network namespace as seen from the host: its init PID, its addresses on the
// project's networks, and the operations we run inside it (our iptables chains, and the
// probes that prove a network fault took hold, timed from where the client really is).
import type Docker from 'dockerode';
import { docker } from '../../stack/docker';
import { assertInProject } from '../../stack/targets';
import { detectPrivileges, execInNetns, PrivilegeError } from '../privileges';
import { assertChainOfOurs, type ChainSpec, removalRestoreInput, restoreInput } from './iptables';

export interface ContainerNetwork {
  networkId: string;
  networkName: string;
  ip: string;
  gateway: string;
  aliases: string[];
}

export interface ContainerRuntime {
  id: string;
  name: string;
  service: string;
  /** The init process in the host's PID namespace; 0 when the container is not running. */
  pid: number;
  running: boolean;
  paused: boolean;
  networks: ContainerNetwork[];
  inspect: Docker.ContainerInspectInfo;
}

/** Re-reads a container (checking it is still in the run's project) with what network faults need. */
export async function containerRuntime(containerId: string, project: string): Promise<ContainerRuntime> {
  const container = await assertInProject(containerId, project);
  const inspect = await docker().getContainer(container.id).inspect();
  const networks = Object.entries(inspect.NetworkSettings.Networks ?? {}).map(([networkName, net]) => ({
    networkId: net.NetworkID,
    networkName,
    ip: net.IPAddress,
    gateway: net.Gateway,
    aliases: net.Aliases ?? [],
  }));
  return {
    id: container.id,
    name: container.name,
    service: container.service,
    pid: inspect.State.Pid,
    running: inspect.State.Running,
    paused: inspect.State.Paused,
    networks,
    inspect,
  };
}

/**
 * The first network a client shares with a target, as the target's endpoint on it (its
 * address there is what the client connects to), or null.
 */
export function sharedNetwork(client: ContainerRuntime, target: ContainerRuntime): ContainerNetwork | null {
  return (
    target.networks.find((net) => client.networks.some((other) => other.networkId === net.networkId)) ?? null
  );
}

function requirePid(runtime: ContainerRuntime): number {
  if (!runtime.running || runtime.pid <= 0) {
    throw new Error(`container ${runtime.name} is not running: it has no network namespace to act in`);
  }
  return runtime.pid;
}

/** Creates our chain and its single jump rule in one iptables-restore transaction. */
export async function installChain(runtime: ContainerRuntime, spec: ChainSpec): Promise<void> {
  const privileges = await detectPrivileges();
  if (!privileges.tools.iptables) throw new PrivilegeError('iptables is not installed');
  const restore = `${privileges.tools.iptables}-restore`;
  const result = await execInNetns(requirePid(runtime), restore, ['-w', '--noflush'], {
    input: restoreInput(spec),
    timeoutMs: 10_000,
  });
  if (result.code !== 0) {
    throw new Error(
      `iptables-restore in ${runtime.name} failed: ${result.stderr.trim() || `exit ${result.code}`}`,
    );
  }
}

/** How often a removal is tried when the table changed under it (a jump added meanwhile). */
const REMOVAL_ATTEMPTS = 3;

/**
 * Removes every jump to our chain, then the chain, in the namespace of the process `pid`: the
 * table is listed, and what of ours it holds is deleted in one iptables-restore transaction
 * (argv and stdin, never a shell), after checking the table and chain are ours. Tolerant of
 * "already gone", so it can be replayed any number of times; a live revert, a journal replay
 * and a restart's reinstall all come through here. Two commands per namespace: the revert of a
 * network fault waits on them at a phase boundary.
 */
export async function removeChainInPid(
  pid: number,
  spec: Pick<ChainSpec, 'table' | 'parent' | 'chain'>,
): Promise<void> {
  assertChainOfOurs(spec);
  const privileges = await detectPrivileges();
  if (!privileges.tools.iptables) throw new PrivilegeError('iptables is not installed');
  const iptables = privileges.tools.iptables;
  let failure = '';
  for (let attempt = 0; attempt < REMOVAL_ATTEMPTS; attempt += 1) {
    // The table's whole listing (it always exists): a failure here means iptables could not run
    // in the namespace, not that the chain is gone.
    const listing = await execInNetns(pid, iptables, ['-w', '-t', spec.table, '-S'], { timeoutMs: 10_000 });
    if (listing.code !== 0) throw new Error(`iptables -t ${spec.table} -S: ${listing.stderr.trim()}`);
    const input = removalRestoreInput(listing.stdout, spec);
    if (input === null) return;
    const result = await execInNetns(pid, `${iptables}-restore`, ['-w', '--noflush'], {
      input,
      timeoutMs: 10_000,
    });
    if (result.code === 0) return;
    failure = result.stderr.trim() || `exit ${result.code}`;
  }
  throw new Error(
    `removing ${spec.table}/${spec.chain}: iptables-restore failed ${REMOVAL_ATTEMPTS} times: ${failure}`,
  );
}

/**
 * Kills the established TCP connections from a namespace to ip:port (`ss -K`, which needs the
 * kernel's INET_DIAG_DESTROY). A DNAT rule only diverts new connections: a client holding a
 * long-lived connection (a Redis client, a pool) would never see a toxic unless it reconnects.
 * Returns how many were killed, or null when the kernel or the tools do not allow it.
 */
export async function killEstablished(pid: number, ip: string, port: number): Promise<number | null> {
  const filter = ['state', 'established', 'dst', ip, 'dport', '=', `:${port}`];
  const lines = (text: string) => text.split('\n').filter((line) => line.trim() !== '').length;
  const before = await execInNetns(pid, 'ss', ['-Htn', ...filter], { timeoutMs: 5000 }).catch(() => null);
  if (!before || before.code !== 0) return null;
  if (lines(before.stdout) === 0) return 0;
  const killed = await execInNetns(pid, 'ss', ['-K', '-Htn', ...filter], { timeoutMs: 5000 }).catch(
    () => null,
  );
  if (!killed || killed.code !== 0) return null;
  // ss -K lists the sockets it closed and skips, without a word, those the kernel cannot close
  // (no INET_DIAG_DESTROY): connections there before and none closed means it cannot.
  const closed = lines(killed.stdout);
  return closed === 0 ? null : closed;
}

/** `iptables -S` (or `-t nat -S`) inside a container's namespace, for verification and leak checks. */
export async function listRules(pid: number, table: 'filter' | 'nat'): Promise<string> {
  const privileges = await detectPrivileges();
  const result = await execInNetns(pid, privileges.tools.iptables ?? 'iptables', ['-w', '-t', table, '-S'], {
    timeoutMs: 10_000,
  });
  return result.stdout;
}

export interface TcpProbeResult {
  outcome: 'reply' | 'closed' | 'timeout' | 'refused' | 'reset' | 'unreachable' | 'error';
  /** Time until the TCP connection was established (null if it never was). */
  connectMs: number | null;
  /** Time from the start until the first byte or the close (null on timeout/error). */
  totalMs: number | null;
  error: string;
  localPort: number;
}

// Run with the host's node inside the container's network namespace (only the network
// namespace is entered, so the host's filesystem, and node, stay visible). It connects,
// sends a few bytes most servers answer (redis answers PING, HTTP servers answer with an
// error page), and reports when the first reply byte or the close arrived.
const TCP_PROBE_SCRIPT = `
const net = require('node:net');
const [host, port, timeoutMs, localPort, payload, waitForClose] = process.argv.slice(1);
const started = process.hrtime.bigint();
const ms = () => Number(process.hrtime.bigint() - started) / 1e6;
let connectMs = null;
const done = (outcome, error) => {
  process.stdout.write(JSON.stringify({ outcome, connectMs, totalMs: outcome === 'timeout' ? null : ms(), error: error || '', localPort: Number(localPort) }));
  process.exit(0);
};
const socket = net.connect({ host, port: Number(port), localPort: Number(localPort) || undefined });
socket.setTimeout(Number(timeoutMs), () => done('timeout'));
socket.on('connect', () => { connectMs = ms(); socket.write(Buffer.from(payload, 'base64')); });
socket.on('data', () => { if (waitForClose !== '1') done('reply'); });
socket.on('end', () => done('closed'));
socket.on('error', (error) => {
  const map = { ECONNREFUSED: 'refused', ECONNRESET: 'reset', EHOSTUNREACH: 'unreachable', ENETUNREACH: 'unreachable' };
  done(map[error.code] || 'error', error.code || error.message);
});
`;

/** A TCP round trip from inside a container's network namespace, as its processes would make it. */
export async function tcpProbe(
  pid: number,
  target: { host: string; port: number },
  options: { timeoutMs: number; localPort?: number; payload?: string; waitForClose?: boolean },
): Promise<TcpProbeResult> {
  const payload = Buffer.from(options.payload ?? 'PING\r\n').toString('base64');
  const args = ['-e', TCP_PROBE_SCRIPT, target.host, String(target.port), String(options.timeoutMs)];
  args.push(String(options.localPort ?? 0), payload, options.waitForClose ? '1' : '0');
  const result = await execInNetns(pid, process.execPath, args, { timeoutMs: options.timeoutMs + 10_000 });
  try {
    return JSON.parse(result.stdout) as TcpProbeResult;
  } catch {
    throw new Error(`network probe in pid ${pid} failed: ${result.stderr.trim() || `exit ${result.code}`}`);
  }
}

// Asks the container's resolver (Docker's embedded DNS at 127.0.0.11, reachable only from
// inside the namespace) for a name, the way the container's processes do.
const DNS_PROBE_SCRIPT = `
const dns = require('node:dns');
const resolver = new dns.Resolver({ timeout: Number(process.argv[2]), tries: 1 });
resolver.setServers(['127.0.0.11']);
resolver.resolve4(process.argv[1], (error, addresses) => {
  process.stdout.write(JSON.stringify({ addresses: addresses || [], error: error ? error.code : '' }));
});
`;

export async function dnsProbe(
  pid: number,
  name: string,
  timeoutMs = 2000,
): Promise<{ addresses: string[]; error: string }> {
  const result = await execInNetns(pid, process.execPath, ['-e', DNS_PROBE_SCRIPT, name, String(timeoutMs)], {
    timeoutMs: timeoutMs + 10_000,
  });
  try {
    return JSON.parse(result.stdout) as { addresses: string[]; error: string };
  } catch {
    throw new Error(`DNS probe in pid ${pid} failed: ${result.stderr.trim() || `exit ${result.code}`}`);
  }
}
