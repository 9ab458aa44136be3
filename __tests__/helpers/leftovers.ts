// What a compose project left behind, for the tests to assert it is nothing: containers,
// networks and volumes on the engine, and our iptables chains and qdiscs inside its
// containers' network namespaces.
//
// The namespace checks look the way the product acts: root directly, else `sudo -n`
// (src/faults/privileges.ts). A check that cannot look (no privileges, nsenter missing, a
// command that fails) throws LeftoverCheckError: it never answers "nothing found".
import { docker } from '../../src/stack/docker';
import { PROJECT_LABEL } from '../../src/stack/labels';
import { listProjectContainers } from '../../src/stack/targets';
import { ourChains } from '../../src/faults/network/iptables';
import { detectPrivileges, execInNetns } from '../../src/faults/privileges';

export interface Leftovers {
  containers: string[];
  networks: string[];
  volumes: string[];
}

export async function projectLeftovers(project: string): Promise<Leftovers> {
  const filters = { label: [`${PROJECT_LABEL}=${project}`] };
  const containers = await docker().listContainers({ all: true, filters });
  const networks = await docker().listNetworks({ filters });
  const volumes = (await docker().listVolumes({ filters })).Volumes ?? [];
  return {
    containers: containers.map((c) => c.Names[0]),
    networks: networks.map((n) => n.Name),
    volumes: volumes.map((v) => v.Name),
  };
}

export const NOTHING_LEFT: Leftovers = { containers: [], networks: [], volumes: [] };

/** A leftover check that could not look. */
export class LeftoverCheckError extends Error {}

/**
 * Runs `command` in the network namespace of every running container of the project (found
 * by its compose labels) and hands each output to `read`. A container that stops between
 * the inspect and the command (a restart, an OOM kill) is inspected again: when it runs
 * again, the new namespace is the one looked at; when it does not run, it has no namespace,
 * so nothing of ours can be in it.
 */
async function inEachNamespace(
  project: string,
  command: (tools: { iptables: string; tc: string }) => string[],
  read: (service: string, output: string) => string[],
): Promise<string[]> {
  const privileges = await detectPrivileges();
  if (privileges.mode === 'none')
    throw new LeftoverCheckError(
      `cannot look into ${project}'s network namespaces: neither root nor passwordless sudo (sudo -n), as the faults need`,
    );
  if (!privileges.tools.nsenter)
    throw new LeftoverCheckError('cannot look: nsenter (util-linux) is not installed');
  const found: string[] = [];
  let looked = 0;
  for (const container of await listProjectContainers(project)) {
    const tools = { iptables: privileges.tools.iptables ?? '', tc: privileges.tools.tc ?? '' };
    const [bin, ...args] = command(tools);
    if (!bin) throw new LeftoverCheckError(`cannot look: ${command.name || 'the tool'} is not installed`);
    let output: string | null = null;
    let lastError = '';
    for (let attempt = 0; attempt < 5 && output === null; attempt += 1) {
      const inspect = await docker()
        .getContainer(container.id)
        .inspect()
        .catch(() => null);
      if (!inspect || !inspect.State.Running || inspect.State.Pid <= 0) break;
      const result = await execInNetns(inspect.State.Pid, bin, args, { timeoutMs: 15_000 }).catch(
        (error: Error) => ({ code: -1, stdout: '', stderr: error.message }),
      );
      if (result.code === 0) output = result.stdout;
      else {
        lastError = `${bin} ${args.join(' ')} in ${container.name} (pid ${inspect.State.Pid}, via ${privileges.mode}) exited ${result.code}: ${result.stderr.trim()}`;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    if (output === null && lastError) throw new LeftoverCheckError(`could not look: ${lastError}`);
    if (output !== null) {
      looked += 1;
      found.push(...read(container.service, output));
    }
  }
  // A project with no running container (a wrong name, a stack already down) has no namespace
  // to look into: that is no evidence of a clean stack either.
  if (looked === 0)
    throw new LeftoverCheckError(`cannot look: no running container of ${project} to look into`);
  return found;
}

/** Every chain of ours (CHAOS-*) and every rule naming one, in any running container of the project. */
export async function leftoverChains(project: string): Promise<string[]> {
  const leftovers: string[] = [];
  for (const table of ['filter', 'nat']) {
    leftovers.push(
      ...(await inEachNamespace(
        project,
        function iptables(tools) {
          return [tools.iptables, '-w', '-t', table, '-S'];
        },
        (service, output) => {
          // iptables -S always lists the built-in chains: an empty answer means it did not look.
          if (!/^-P OUTPUT /m.test(output))
            throw new LeftoverCheckError(
              `iptables -S in ${service} printed no OUTPUT chain: ${output.slice(0, 200)}`,
            );
          return [
            ...ourChains(output).map((chain) => `${service}:${table}:${chain}`),
            ...output
              .split('\n')
              .filter((line) => line.includes('CHAOS-') && !line.startsWith('-N'))
              .map((line) => `${service}:${table}:${line}`),
          ];
        },
      )),
    );
  }
  return leftovers;
}

/**
 * Every qdisc that is not a default one (noqueue, pfifo_fast, fq_codel, mq), in any running
 * container of the project: a netem latency fault leaves a prio root with netem under it.
 */
export async function leftoverQdiscs(project: string): Promise<string[]> {
  return inEachNamespace(
    project,
    function tc(tools) {
      return [tools.tc, 'qdisc', 'show'];
    },
    (service, output) => {
      // Every namespace has lo: an empty answer means tc did not look.
      if (!/\bdev lo\b/.test(output))
        throw new LeftoverCheckError(
          `tc qdisc show in ${service} printed no qdisc for lo: ${output.slice(0, 200)}`,
        );
      return output
        .split('\n')
        .filter((line) => /^qdisc /.test(line) && !/^qdisc (noqueue|pfifo_fast|fq_codel|mq) /.test(line))
        .map((line) => `${service}:${line.trim()}`);
    },
  );
}
