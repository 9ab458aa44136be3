// Which compose files a directory holds when none is named: what `docker compose` reads there
// without -f (compose-go's DefaultFileNames and DefaultOverrideFileNames, in their order). The
// Action, `run`, `calibrate` and `init` all find the stack this way. Unlike compose, the parent
// directories are not searched: the stack under test is the checkout's own.
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';

/** The base file names compose tries, in its order of preference. */
export const COMPOSE_FILE_NAMES = [
  'compose.yaml',
  'compose.yml',
  'docker-compose.yml',
  'docker-compose.yaml',
];

/** The override file compose adds when it found a base file, in its order of preference. */
export const COMPOSE_OVERRIDE_NAMES = [
  'compose.override.yml',
  'compose.override.yaml',
  'docker-compose.override.yml',
  'docker-compose.override.yaml',
];

const firstFile = (dir: string, names: readonly string[]): string | null =>
  names.map((name) => path.join(dir, name)).find((file) => existsSync(file) && statSync(file).isFile()) ??
  null;

/**
 * The compose files of `dir`: the first base file that exists, then the first override file
 * beside it when there is one; [] when the directory has no compose file.
 */
export function discoverComposeFiles(dir: string): string[] {
  const base = firstFile(dir, COMPOSE_FILE_NAMES);
  if (base === null) return [];
  const override = firstFile(dir, COMPOSE_OVERRIDE_NAMES);
  return override === null ? [base] : [base, override];
}

/** The sentence an error uses when a directory has no compose file. */
export function noComposeFileIn(dir: string): string {
  return `no compose file in ${dir} (looked for ${COMPOSE_FILE_NAMES.join(', ')})`;
}
