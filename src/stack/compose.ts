// Brings a compose project up and down with whichever compose the machine has:
// v2 (`docker compose`) or v1 (`docker-compose`), detected once per process; v2 when both
// are there, unless CHAOS_COMPOSE=v1|v2 forces one.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import path from 'node:path';
import type Docker from 'dockerode';
import { childEnv } from '../util/child-env';
import { execCommand, type ExecResult } from '../util/exec';
import { monotonicMs, sleep } from '../util/clock';
import { assertDockerReachable, docker } from './docker';
import { listProjectContainers, type ServiceContainer } from './targets';
import { ONEOFF_LABEL, PROJECT_LABEL } from './labels';

export class ComposeError extends Error {}

export interface ComposeCommand {
  /** The executable and the arguments that precede compose's own, e.g. docker + [compose]. */
  command: string;
  prefix: string[];
  version: 1 | 2;
  label: string;
}

let detected: Promise<ComposeCommand> | undefined;

/** CHAOS_COMPOSE: `v1` or `v2` forces one compose; unset (or `auto`) prefers v2. */
export const COMPOSE_ENV = 'CHAOS_COMPOSE';

/**
 * What `<command> version --short` printed, as a ComposeCommand (pure, for tests). The major
 * version comes from the output, not from the command's name: a `docker-compose` on PATH may
 * be Compose v2 (a standalone binary, or Debian 13's symlink to the plugin).
 */
export function composeFromVersionOutput(
  command: 'docker' | 'docker-compose',
  output: string,
): ComposeCommand | null {
  const version = output.trim().split('\n')[0].trim().replace(/^v/, '');
  const major = /^(\d+)\./.exec(version)?.[1];
  if (!major) return null;
  const prefix = command === 'docker' ? ['compose'] : [];
  return {
    command,
    prefix,
    version: Number(major) >= 2 ? 2 : 1,
    label: `${[command, ...prefix].join(' ')} ${version}`,
  };
}

/** Reads CHAOS_COMPOSE; anything but v1, v2, auto or unset is a usage error. */
export function composePreference(env: NodeJS.ProcessEnv = process.env): 1 | 2 | null {
  const value = (env[COMPOSE_ENV] ?? '').trim().toLowerCase();
  if (value === '' || value === 'auto') return null;
  if (value === 'v1' || value === '1') return 1;
  if (value === 'v2' || value === '2') return 2;
  throw new ComposeError(`${COMPOSE_ENV}=${env[COMPOSE_ENV]}: use v1, v2 or auto`);
}

/**
 * Finds the compose command, remembered for the process: v2 (`docker compose`, or a
 * `docker-compose` that is v2) when present, else v1 (`docker-compose`). CHAOS_COMPOSE=v1|v2
 * forces one, and then its absence is an error rather than a fallback to the other.
 */
export function detectCompose(): Promise<ComposeCommand> {
  detected ??= (async () => {
    const wanted = composePreference();
    const probe = async (command: 'docker' | 'docker-compose'): Promise<ComposeCommand | null> => {
      const args = command === 'docker' ? ['compose', 'version', '--short'] : ['version', '--short'];
      const result = await execCommand(command, args, { timeoutMs: 30_000 }).catch(() => null);
      return result?.code === 0 ? composeFromVersionOutput(command, result.stdout) : null;
    };
    // `docker compose` first: when it is v2 and nothing else is asked for, v1 is not even started.
    const found: ComposeCommand[] = [];
    for (const command of ['docker', 'docker-compose'] as const) {
      const candidate = await probe(command);
      if (candidate) found.push(candidate);
      if (candidate && (wanted ?? 2) === candidate.version) break;
    }
    const choice = found.find((c) => c.version === (wanted ?? 2)) ?? (wanted === null ? found[0] : undefined);
    if (choice) return choice;
    if (wanted !== null) {
      throw new ComposeError(
        `${COMPOSE_ENV}=v${wanted} but Compose v${wanted} is not installed here` +
          (found.length ? ` (found: ${found.map((c) => c.label).join(', ')})` : '') +
          (wanted === 2 ? '; run scripts/ensure-docker.sh' : '; install docker-compose 1.x'),
      );
    }
    throw new ComposeError(
      'neither `docker compose` (v2) nor `docker-compose` (v1) works here; install one or run scripts/ensure-docker.sh',
    );
  })();
  return detected;
}

/** A compose project name unique to this run: lower-case, compose-safe, recognisable. */
export function uniqueProjectName(base = 'chaos'): string {
  const slug =
    base
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'chaos';
  return `${slug.slice(0, 30)}-${randomBytes(3).toString('hex')}`;
}

export interface StackOptions {
  /** Compose files in order: a base file, then overrides (as compose's own -f). */
  files: string[];
  project: string;
  /** Directory the files are resolved against; defaults to the first file's directory. */
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Withheld variables (tokens, INPUT_*, ACTIONS_*) compose may see anyway: the compose-env setting. */
  passEnv?: readonly string[];
  log?: (line: string) => void;
}

export interface UpOptions {
  /** How long every service with a healthcheck may take to become healthy. */
  healthTimeoutMs?: number;
  build?: boolean;
}

export class ComposeStack {
  readonly files: string[];
  readonly project: string;
  readonly cwd: string;
  private readonly env: NodeJS.ProcessEnv;
  private readonly log: (line: string) => void;

  constructor(options: StackOptions) {
    if (options.files.length === 0) throw new ComposeError('no compose file was given');
    this.cwd = path.resolve(options.cwd ?? path.dirname(path.resolve(options.files[0])));
    this.files = options.files.map((file) => path.resolve(options.cwd ?? process.cwd(), file));
    this.project = options.project;
    // Compose interpolates and passes through what it is given: never the runner's tokens.
    this.env = { ...childEnv(options.passEnv ?? []), ...options.env };
    this.log = options.log ?? (() => undefined);
  }

  /** Runs compose with this stack's project and files. */
  async compose(args: string[], timeoutMs = 15 * 60_000): Promise<ExecResult> {
    const cmd = await detectCompose();
    const fileArgs = this.files.flatMap((file) => ['-f', file]);
    return execCommand(cmd.command, [...cmd.prefix, '-p', this.project, ...fileArgs, ...args], {
      cwd: this.cwd,
      env: this.env,
      timeoutMs,
    });
  }

  /**
   * Checks that every file exists and that compose accepts them together, before anything
   * is built or started. Errors name the file and compose's own first complaint.
   */
  async validate(): Promise<void> {
    checkComposeFiles(this.files);
    await assertDockerReachable();
    const result = await this.compose(['config', '-q'], 60_000);
    if (result.code !== 0) {
      const message = oneLine(result.stderr || result.stdout);
      throw new ComposeError(`compose file ${this.files.join(' + ')} is not valid: ${message}`);
    }
  }

  /** Builds and starts the project and waits until every healthchecked service is healthy. */
  async up(options: UpOptions = {}): Promise<ServiceContainer[]> {
    await this.validate();
    const started = monotonicMs();
    this.log(`stack: starting project ${this.project} (${(await detectCompose()).label})`);
    const args = ['up', '-d', '--remove-orphans'];
    if (options.build !== false) args.push('--build');
    const result = await this.compose(args);
    if (result.code !== 0) {
      throw new ComposeError(
        `compose up failed for ${this.files.join(' + ')}: ${lastMeaningfulLines(result.stderr || result.stdout, 8)}`,
      );
    }
    const containers = await this.waitHealthy(options.healthTimeoutMs ?? 180_000);
    this.log(
      `stack: ${containers.length} containers ready in ${((monotonicMs() - started) / 1000).toFixed(1)}s`,
    );
    return containers;
  }

  /**
   * Waits for every container with a healthcheck to report healthy. A container that
   * exits for good, or stays unhealthy past the timeout, is named with its last log lines.
   */
  async waitHealthy(timeoutMs: number): Promise<ServiceContainer[]> {
    const deadline = monotonicMs() + timeoutMs;
    for (;;) {
      const containers = await listProjectContainers(this.project);
      if (containers.length === 0)
        throw new ComposeError(`project ${this.project} has no containers after up`);
      const pending: { container: ServiceContainer; inspect: Docker.ContainerInspectInfo }[] = [];
      for (const container of containers) {
        const inspect = await docker().getContainer(container.id).inspect();
        const health = inspect.State.Health?.Status;
        const exitedForGood = inspect.State.Status === 'exited' && !inspect.State.Restarting;
        if (exitedForGood && inspect.State.ExitCode !== 0) {
          throw new ComposeError(
            `service ${container.service} exited with code ${inspect.State.ExitCode} while starting; last log lines:\n${await this.tailLogs(container.id)}`,
          );
        }
        if (health !== undefined && health !== 'healthy') pending.push({ container, inspect });
        else if (inspect.State.Status !== 'running' && !exitedForGood) pending.push({ container, inspect });
      }
      if (pending.length === 0) return containers;
      if (monotonicMs() > deadline) {
        const { container, inspect } = pending[0];
        const status = inspect.State.Health?.Status ?? inspect.State.Status;
        throw new ComposeError(
          `service ${container.service} is not healthy after ${Math.round(timeoutMs / 1000)}s (status: ${status}); last log lines:\n${await this.tailLogs(container.id)}`,
        );
      }
      await sleep(500);
    }
  }

  /** The last lines of a container's output, for error messages. */
  async tailLogs(containerId: string, lines = 20): Promise<string> {
    try {
      const buffer = (await docker()
        .getContainer(containerId)
        .logs({ stdout: true, stderr: true, tail: lines, follow: false })) as unknown as Buffer;
      return demuxDockerLogs(buffer)
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => `  | ${line}`)
        .join('\n');
    } catch (error) {
      return `  (logs unavailable: ${error instanceof Error ? error.message : String(error)})`;
    }
  }

  /** Logs of the project (or one service) as compose prints them. */
  async logs(service?: string): Promise<string> {
    const result = await this.compose(['logs', '--no-color', ...(service ? [service] : [])], 60_000);
    return result.stdout + result.stderr;
  }

  /**
   * Stops and removes the project's containers, networks and volumes. When compose
   * itself cannot run (a broken file, a missing compose), falls back to removing
   * everything labelled with the project through the engine: nothing is left behind.
   */
  async down(): Promise<void> {
    const result = await this.compose(['down', '-v', '--remove-orphans', '--timeout', '5'], 5 * 60_000).catch(
      (error: Error) => ({ code: 1, stdout: '', stderr: error.message }),
    );
    if (result.code !== 0)
      this.log(`stack: compose down failed (${firstMeaningfulLine(result.stderr)}); removing by label`);
    await removeProjectResources(this.project);
  }
}

/**
 * Removes every container, network and volume labelled with the project. Idempotent.
 * Containers only when compose made them (its one-off label, "True" or "False"): a container
 * started by hand from an image the project built inherits the project label from the image,
 * and is not ours to remove (compose v2's own `down` leaves it too; v1's does not).
 */
export async function removeProjectResources(project: string): Promise<void> {
  const filters = { label: [`${PROJECT_LABEL}=${project}`] };
  const containers = await docker().listContainers({
    all: true,
    filters: { label: [...filters.label, ONEOFF_LABEL] },
  });
  await Promise.all(
    containers.map((info) =>
      docker()
        .getContainer(info.Id)
        .remove({ force: true, v: true })
        .catch(() => undefined),
    ),
  );
  const networks = await docker().listNetworks({ filters });
  await Promise.all(
    networks.map((net) =>
      docker()
        .getNetwork(net.Id)
        .remove()
        .catch(() => undefined),
    ),
  );
  const volumes = (await docker().listVolumes({ filters })).Volumes ?? [];
  await Promise.all(
    volumes.map((volume) =>
      docker()
        .getVolume(volume.Name)
        .remove()
        .catch(() => undefined),
    ),
  );
}

/** Docker multiplexes stdout and stderr of non-TTY containers in 8-byte-headed frames. */
export function demuxDockerLogs(buffer: Buffer | string): string {
  if (typeof buffer === 'string') return buffer;
  let out = '';
  let offset = 0;
  while (offset + 8 <= buffer.length) {
    const streamType = buffer[offset];
    const size = buffer.readUInt32BE(offset + 4);
    if (streamType > 2 || offset + 8 + size > buffer.length)
      return out + buffer.subarray(offset).toString('utf8');
    out += buffer.subarray(offset + 8, offset + 8 + size).toString('utf8');
    offset += 8 + size;
  }
  return out;
}

/** Each file exists and is YAML; what compose itself thinks is asked later (`config -q`). */
export function checkComposeFiles(files: readonly string[]): void {
  for (const file of files) {
    if (!existsSync(file)) throw new ComposeError(`compose file not found: ${file}`);
    assertYamlParses(file);
  }
}

/** A YAML syntax error is reported as file:line: message, before compose is even asked. */
function assertYamlParses(file: string): void {
  const lineCounter = new LineCounter();
  const document = parseDocument(readFileSync(file, 'utf8'), { lineCounter });
  const [error] = document.errors;
  if (error) {
    const { line } = lineCounter.linePos(error.pos[0]);
    const reason = error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    throw new ComposeError(`${file}:${line}: compose file does not parse: ${reason}`);
  }
}

/** Compose's complaints span lines (and v1 prefixes warnings); one line reads better in a log. */
function oneLine(text: string): string {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !/^(WARN|warning)/i.test(line))
    .join(' ')
    .slice(0, 500);
}

function firstMeaningfulLine(text: string): string {
  return (
    text
      .split('\n')
      .map((line) => line.trim())
      .find((line) => line !== '' && !/^(WARN|warning)/i.test(line)) ?? 'no message'
  );
}

/** The legacy builder's deprecation banner says nothing about what failed. */
const NOISE = /DEPRECATED: The legacy builder|Install the buildx component|docs\.docker\.com\/go\/buildx/;

function lastMeaningfulLines(text: string, count: number): string {
  return text
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line) => line.trim() !== '' && !NOISE.test(line))
    .slice(-count)
    .join('\n');
}
