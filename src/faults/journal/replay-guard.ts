// What a journal entry may touch on this host, checked with the engine and /proc before any of
// its steps runs (its shape is checked first, by schema.ts). A run's own replay (its teardown,
// the Action's post step) names the projects it created: an entry of any other project is
// refused, whatever project the entry names. Then each step: a container, a network or a
// process is touched only if it belongs to the entry's compose project, or, for a process,
// if it is recognisably one of our hogs. Something that is gone is fine (its step reports
// "already gone"); something that exists and belongs elsewhere makes the whole entry refused,
// and it stays in the journal for a person.
import { readFileSync } from 'node:fs';
import { docker } from '../../stack/docker';
import { PROJECT_LABEL, composeProjectOf } from '../../stack/labels';
import { quoteValue } from '../quote';
import { isHogCommandLine } from '../resources/hog';
import { processCommandLine, processStartTicks } from '../resources/processes';
import type { JournalEntry } from './entry';

export interface Refusal {
  field: string;
  message: string;
}

/** What the guard reads of a process (the host's /proc unless a test says otherwise). */
export interface ProcessView {
  /** Start time in clock ticks; null when gone or exited (a zombie). */
  startTicks(pid: number): string | null;
  cgroupFile(pid: number): string | null;
  commandLine(pid: number): string[] | null;
}

export interface GuardOptions {
  /**
   * The compose projects the replaying run created (its stack, a paired run's base stack).
   * Given, an entry of any other project is refused. Absent (`cleanup`, which has no run of
   * its own): the entry's project stands, as read from a journal whose directory passed the
   * owner and mode checks.
   */
  projects?: readonly string[];
  proc?: ProcessView;
}

function statusOf(error: unknown): number | undefined {
  return (error as { statusCode?: number }).statusCode;
}

/** The compose project of a container ('' when compose did not make it), or null when it does not exist. */
async function containerProject(id: string): Promise<{ name: string; project: string } | null> {
  try {
    const inspect = await docker().getContainer(id).inspect();
    return { name: inspect.Name.replace(/^\//, ''), project: composeProjectOf(inspect.Config.Labels) };
  } catch (error) {
    if (statusOf(error) === 404) return null;
    throw error;
  }
}

async function networkProject(id: string): Promise<{ name: string; project: string } | null> {
  try {
    const inspect = (await docker().getNetwork(id).inspect()) as {
      Name: string;
      Labels?: Record<string, string>;
    };
    return { name: inspect.Name, project: inspect.Labels?.[PROJECT_LABEL] ?? '' };
  } catch (error) {
    if (statusOf(error) === 404) return null;
    throw error;
  }
}

/** Container ids named by a process's cgroup paths (docker-<id>.scope, /docker/<id>, …). */
export function containerIdsInCgroupFile(text: string): string[] {
  return [...new Set([...text.matchAll(/(?<![0-9a-f])[0-9a-f]{64}(?![0-9a-f])/g)].map((m) => m[0]))];
}

/** The projects of the existing containers a process's cgroups name ('' for a container of none). */
async function containerProjectsOf(cgroups: string): Promise<string[]> {
  const projects: string[] = [];
  for (const id of containerIdsInCgroupFile(cgroups)) {
    const found = await containerProject(id);
    if (found) projects.push(found.project);
  }
  return projects;
}

/**
 * Null when the entry may be replayed; otherwise the first field that may not. Throws when
 * the engine cannot be asked (the entry then counts as failed and stays, as any replay that
 * could not run).
 */
export async function checkEntryOnHost(
  entry: JournalEntry,
  options: GuardOptions = {},
): Promise<Refusal | null> {
  const proc = options.proc ?? hostProcesses;
  if (options.projects && !options.projects.includes(entry.project)) {
    return {
      field: 'project',
      message: `${quoteValue(entry.project)} is not a project this run created (${options.projects.map(quoteValue).join(', ') || 'none'})`,
    };
  }
  const elsewhere = (kind: string, name: string, project: string) =>
    `${kind} ${name} belongs to ${project ? `compose project ${quoteValue(project)}` : 'no compose project'}, not to the entry's project ${quoteValue(entry.project)}`;
  for (const [i, step] of entry.steps.entries()) {
    if ('containerId' in step) {
      const found = await containerProject(step.containerId);
      if (found && found.project !== entry.project)
        return {
          field: `steps[${i}].containerId`,
          message: elsewhere('container', found.name, found.project),
        };
    }
    if (step.op === 'network-connect') {
      const found = await networkProject(step.networkId);
      if (found && found.project !== entry.project)
        return { field: `steps[${i}].networkId`, message: elsewhere('network', found.name, found.project) };
    }
    if (step.op === 'kill-process' || step.op === 'restore-oom-score') {
      // A process that is gone (or exited, a zombie), or a pid now used by another process
      // (another start time), is left alone by the step itself.
      if (proc.startTicks(step.pid) !== step.startTicks) continue;
      const projects = await containerProjectsOf(proc.cgroupFile(step.pid) ?? '');
      // The one it acts on must run in a container of the project (the OOM score is the
      // target's main process's; a hog moved into the target's cgroups), ...
      if (projects.includes(entry.project)) continue;
      // ... or, to be stopped, be one of our hogs: a host process, still in the host's cgroups
      // when its run died before moving it, and in no container of another project.
      const hog = step.op === 'kill-process' && isHogCommandLine(proc.commandLine(step.pid) ?? []);
      if (hog && projects.length === 0) continue;
      return {
        field: `steps[${i}].pid`,
        message: hog
          ? `process ${step.pid} is a hog, but in a container of ${projects.map((p) => (p ? `compose project ${quoteValue(p)}` : 'no compose project')).join(', ')}, not of ${quoteValue(entry.project)}`
          : `process ${step.pid} does not run in a container of compose project ${quoteValue(entry.project)}${step.op === 'kill-process' ? ' and is not a hog of ours' : ''}`,
      };
    }
  }
  return null;
}

const hostProcesses: ProcessView = {
  startTicks: processStartTicks,
  cgroupFile(pid: number): string | null {
    try {
      return readFileSync(`/proc/${pid}/cgroup`, 'utf8');
    } catch {
      return null;
    }
  },
  commandLine: processCommandLine,
};
