// Where journals live when no path is given. Each CLI run writes its own file,
// <dir>/journals/<run id>.json, so runs never share one by accident; `cleanup` without
// arguments finds every file there. <dir> is $RUNNER_TEMP/chaos-action on a runner (where the
// Action's journal.json also lives), else a directory of this user's in the temp directory:
// never the working directory, where a checked-out pull request could have put a file.
import { existsSync, lstatSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { currentRunId } from './run-id';

export function defaultJournalDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.RUNNER_TEMP) return path.join(env.RUNNER_TEMP, 'chaos-action');
  return path.join(os.tmpdir(), `chaos-action-${process.getuid?.() ?? 'user'}`);
}

/** This run's journal: $CHAOS_JOURNAL when set, else <dir>/journals/<run id>.json. */
export function runJournalPath(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  if (env.CHAOS_JOURNAL) return path.resolve(cwd, env.CHAOS_JOURNAL);
  return path.join(defaultJournalDir(env), 'journals', `${currentRunId()}.json`);
}

/**
 * Why a directory must not be trusted to hold journals (null: it may): someone else's, or
 * writable by others, it could hold entries planted by another user. Absent is fine.
 */
export function untrustedDirReason(dir: string): string | null {
  let stat;
  try {
    stat = lstatSync(dir);
  } catch {
    return null;
  }
  if (!stat.isDirectory()) return `${dir} is not a directory (a symlink or a file)`;
  const uid = process.getuid?.();
  if (uid !== undefined && stat.uid !== uid)
    return `${dir} belongs to uid ${stat.uid}, not to this user (${uid})`;
  if ((stat.mode & 0o022) !== 0)
    return `${dir} is writable by other users (mode ${(stat.mode & 0o777).toString(8)})`;
  return null;
}

export interface FoundJournals {
  files: string[];
  /** Directories skipped, with why. */
  refused: string[];
}

/** Every journal a `cleanup` without arguments replays: $CHAOS_JOURNAL, <dir>/journal.json, <dir>/journals/*.json. */
export function findJournals(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): FoundJournals {
  const found: FoundJournals = { files: [], refused: [] };
  if (env.CHAOS_JOURNAL) {
    const file = path.resolve(cwd, env.CHAOS_JOURNAL);
    if (existsSync(file)) found.files.push(file);
  }
  const dir = defaultJournalDir(env);
  const runs = path.join(dir, 'journals');
  for (const candidate of [dir, runs]) {
    const why = untrustedDirReason(candidate);
    if (why) {
      found.refused.push(why);
      return found;
    }
  }
  const single = path.join(dir, 'journal.json');
  if (existsSync(single)) found.files.push(single);
  if (existsSync(runs)) {
    for (const name of readdirSync(runs).sort()) {
      const file = path.join(runs, name);
      if (name.endsWith('.json') && lstatSync(file).isFile()) found.files.push(file);
    }
  }
  return { files: [...new Set(found.files)], refused: found.refused };
}

/**
 * The journal of a run given no path (createFaultContext): $CHAOS_JOURNAL, else
 * $RUNNER_TEMP/chaos-action/journal.json, else ./.chaos-action/journal.json.
 */
export function defaultJournalPath(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  if (env.CHAOS_JOURNAL) return path.resolve(cwd, env.CHAOS_JOURNAL);
  if (env.RUNNER_TEMP) return path.join(env.RUNNER_TEMP, 'chaos-action', 'journal.json');
  return path.join(cwd, '.chaos-action', 'journal.json');
}
