// Where journals live, and which directories may hold one. A journal decides what replay does,
// as root: a directory that someone else can write to could hold entries planted by them (or
// a symlink that turns our write into theirs). So a journal directory is never guessed and
// then trusted: it is made by us, private, and checked for owner and mode before every write
// and every replay (trust.ts).
//
// Each run writes its own file, so runs never share one by accident:
// - $CHAOS_JOURNAL when set;
// - on a runner, $RUNNER_TEMP/chaos-action/journals/<run id>.json (the Action's main step
//   writes $RUNNER_TEMP/chaos-action/journal.json);
// - else under $XDG_RUNTIME_DIR (the user's own runtime directory, mode 0700 by its spec):
//   $XDG_RUNTIME_DIR/chaos-action/journals/<run id>.json;
// - else in a directory of the temp directory with a random name, made by this run:
//   <tmp>/chaos-action-<uid>-<12 random hex digits>/journal.json. Its name cannot be guessed
//   ahead, and one made by someone else fails the owner check.
// Never the working directory, where a checked-out pull request could have put a file.
// `cleanup` without arguments finds the files where runs in its environment write them.
import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { currentRunId } from './run-id';
import { journalDirProblem } from './trust';

const uid = (): string => String(process.getuid?.() ?? 'user');

/** Made once per process: this run's private directory in the temp directory. */
let privateDirName: string | undefined;

/** The directory runs write their journals under in this environment, or null (a private one each). */
function baseDir(env: NodeJS.ProcessEnv): string | null {
  if (env.RUNNER_TEMP) return path.join(env.RUNNER_TEMP, 'chaos-action');
  if (env.XDG_RUNTIME_DIR && path.isAbsolute(env.XDG_RUNTIME_DIR))
    return path.join(env.XDG_RUNTIME_DIR, 'chaos-action');
  return null;
}

/** This run's journal: see the head of this file. */
export function runJournalPath(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  if (env.CHAOS_JOURNAL) return path.resolve(cwd, env.CHAOS_JOURNAL);
  const base = baseDir(env);
  if (base) return path.join(base, 'journals', `${currentRunId()}.json`);
  privateDirName ??= `chaos-action-${uid()}-${randomBytes(6).toString('hex')}`;
  return path.join(os.tmpdir(), privateDirName, 'journal.json');
}

/** Whether `dir` is this run's own directory in the temp directory (removed once its journal is empty). */
export function isRunPrivateDir(dir: string): boolean {
  return privateDirName !== undefined && path.resolve(dir) === path.join(os.tmpdir(), privateDirName);
}

/** Where `cleanup` without arguments looks, in words (for its usage text): where runs here write. */
export function journalPlaces(env: NodeJS.ProcessEnv = process.env): string[] {
  const base = baseDir(env);
  const places = base
    ? [path.join(base, 'journals', '*.json'), path.join(base, 'journal.json')]
    : [path.join(os.tmpdir(), `chaos-action-${uid()}-*`, 'journal.json')];
  return env.CHAOS_JOURNAL ? [...places, env.CHAOS_JOURNAL] : places;
}

export interface FoundJournals {
  files: string[];
  /** Directories skipped, with why. */
  refused: string[];
}

/** The json files directly in a directory (no symlinks), sorted. */
function jsonFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .map((name) => path.join(dir, name))
    .filter((file) => file.endsWith('.json') && lstatSync(file).isFile());
}

/**
 * Every journal a `cleanup` without arguments replays, where runs in this environment write
 * them: $CHAOS_JOURNAL; then journal.json and journals/*.json under $RUNNER_TEMP/chaos-action
 * (else $XDG_RUNTIME_DIR/chaos-action); without either, the journal.json of each of this
 * user's private directories in the temp directory, and the journals/*.json of the temp
 * directory an earlier version used (chaos-action-<uid>). A directory that fails the owner and
 * mode checks is not read, and named in `refused`.
 */
export function findJournals(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): FoundJournals {
  const found: FoundJournals = { files: [], refused: [] };
  if (env.CHAOS_JOURNAL) {
    const file = path.resolve(cwd, env.CHAOS_JOURNAL);
    if (existsSync(file)) found.files.push(file);
  }
  const readable = (dir: string): boolean => {
    if (!existsSync(dir)) return false;
    const why = journalDirProblem(dir);
    if (why) found.refused.push(why);
    return why === null;
  };
  const base = baseDir(env);
  const tmp = os.tmpdir();
  const privateDir = new RegExp(`^chaos-action-${uid()}-[0-9a-f]{12}$`);
  const bases = base ? [base] : [path.join(tmp, `chaos-action-${uid()}`)];
  for (const dir of bases) {
    if (!readable(dir)) continue;
    const single = path.join(dir, 'journal.json');
    if (existsSync(single)) found.files.push(single);
    const runs = path.join(dir, 'journals');
    if (readable(runs)) found.files.push(...jsonFiles(runs));
  }
  if (!base) {
    for (const name of readdirSync(tmp)
      .filter((n) => privateDir.test(n))
      .sort()) {
      const dir = path.join(tmp, name);
      const file = path.join(dir, 'journal.json');
      if (readable(dir) && existsSync(file)) found.files.push(file);
    }
  }
  return { files: [...new Set(found.files)], refused: found.refused };
}
