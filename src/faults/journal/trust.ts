// Whether a directory may hold a journal, and how a journal file is opened. Checked before
// every write and every replay: a journal decides what replay does, as root, so a directory
// that another user can write to (or swap: a parent they can write to) could hold their
// entries, and a symlink at the journal's name could turn our write into a write elsewhere.
//
// A journal directory is trusted when it is a real directory (not a symlink), owned by this
// user (or root), writable by nobody else (group write only for this user's own group), and
// every directory above it is owned by this user or root and writable by nobody else unless
// sticky (as /tmp is: there, others cannot rename what is ours).
import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  realpathSync,
  statSync,
} from 'node:fs';
import path from 'node:path';
import { readOpenFile } from '../../util/read-fd';

const euid = (): number | undefined => process.geteuid?.();
const egid = (): number | undefined => process.getegid?.();

function ownedByUs(uid: number): boolean {
  const me = euid();
  return me === undefined || uid === me || uid === 0;
}

function writableByOthers(mode: number, gid: number): boolean {
  if ((mode & 0o002) !== 0) return true;
  const group = egid();
  return (mode & 0o020) !== 0 && group !== undefined && gid !== group && gid !== 0;
}

const octal = (mode: number): string => (mode & 0o7777).toString(8);

/**
 * Why `dir` must not hold journals, or null when it may. A directory that does not exist is
 * not a problem here (it is made private by ensureJournalDir before anything is written).
 */
export function journalDirProblem(dir: string): string | null {
  let own;
  try {
    own = lstatSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    return `${dir} cannot be examined (${(error as NodeJS.ErrnoException).code})`;
  }
  if (own.isSymbolicLink()) return `${dir} is a symlink, not a directory`;
  if (!own.isDirectory()) return `${dir} is not a directory`;
  if (!ownedByUs(own.uid)) return `${dir} belongs to uid ${own.uid}, not to this user (${euid()})`;
  if (writableByOthers(own.mode, own.gid))
    return `${dir} is writable by other users (mode ${octal(own.mode)})`;
  // The directories above: whoever can write to one could move ours aside and put theirs there.
  let above = path.dirname(realpathSync(dir));
  for (;;) {
    const stat = statSync(above);
    if (!ownedByUs(stat.uid))
      return `${dir} lies in ${above}, which belongs to uid ${stat.uid}, not to this user or root`;
    if (writableByOthers(stat.mode, stat.gid) && (stat.mode & 0o1000) === 0)
      return `${dir} lies in ${above}, which other users can write to (mode ${octal(stat.mode)}, not sticky)`;
    const up = path.dirname(above);
    if (up === above) return null;
    above = up;
  }
}

/** Makes the directory (private, 0700) if it is missing, then checks it; throws with why not. */
export function ensureJournalDir(dir: string, fail: (why: string) => Error): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const why = journalDirProblem(dir);
  if (why) throw fail(`refusing the journal directory: ${why}`);
}

/**
 * A journal file's text, or null when there is none. Opened without following a symlink;
 * it must be a regular file owned by this user (or root), at most `maxBytes` long.
 */
export function readJournalText(file: string, maxBytes: number, fail: (why: string) => Error): string | null {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    if (code === 'ELOOP') throw fail(`refusing the journal ${file}: it is a symlink`);
    throw fail(`cannot open the journal ${file} (${code})`);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw fail(`refusing the journal ${file}: not a regular file`);
    if (!ownedByUs(stat.uid))
      throw fail(`refusing the journal ${file}: it belongs to uid ${stat.uid}, not to this user (${euid()})`);
    if (stat.size > maxBytes)
      throw fail(`refusing the journal ${file}: ${stat.size} bytes, more than a journal holds (${maxBytes})`);
    return readOpenFile(fd, stat.size);
  } finally {
    closeSync(fd);
  }
}
