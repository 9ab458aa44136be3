// The built-in suites' names (scenarios/suites.yml), for what offers a choice of suite: the
// workflow `init` writes lets a person run any of them by hand.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { builtinScenariosDir } from './load-scenarios';

/** The suites of the built-in suites file, in its order (default and full when it cannot be read). */
export function builtinSuiteNames(): string[] {
  const dir = builtinScenariosDir();
  try {
    const doc = parse(readFileSync(path.join(dir ?? '', 'suites.yml'), 'utf8')) as Record<string, unknown>;
    return Object.keys(doc);
  } catch {
    return ['default', 'full'];
  }
}
