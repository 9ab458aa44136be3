// `chaos-action validate [FILES|DIRS...] [--scenarios-dir D]`: checks scenario files, scenario
// directories, suites files and run-config files without Docker. Prints `ok <file> (<name>)`
// per file, or `file:line: field: message` per error; exits 0 when all is valid, 2 otherwise.
import { formatIssue } from '../config/errors';
import { builtinScenariosDir } from '../config/load-scenarios';
import { validatePaths } from '../config/validate';
import { parseArgs, UsageError } from './args';

const USAGE = `usage: chaos-action validate [FILE|DIR...] [--scenarios-dir DIR]... [--no-builtin]
  Checks scenario files (*.yml), directories of them, suites.yml files and run-config files
  (chaos-action.yml, *.run-config.yml) without touching Docker. With no FILE or DIR, checks the
  built-in scenarios and every --scenarios-dir. Exit 0: valid; 2: errors (file:line: field: message).`;

export async function validateCommand(argv: string[]): Promise<number> {
  const args = argv[0] === 'validate' ? argv.slice(1) : [...argv];
  let parsed;
  try {
    parsed = parseArgs(args, {
      values: ['scenarios-dir'],
      repeatable: ['scenarios-dir'],
      booleans: ['no-builtin', 'help'],
    });
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`validate: ${error.message}\n${USAGE}\n`);
    return 2;
  }
  if (parsed.booleans.has('help')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const paths = parsed.positional;
  const scenariosDirs = parsed.flags['scenarios-dir'] ?? [];
  const builtin = !parsed.booleans.has('no-builtin');
  const report = validatePaths(paths, { builtinDir: builtin ? builtinScenariosDir() : null, scenariosDirs });
  for (const line of report.ok) process.stdout.write(`${line}\n`);
  for (const note of report.notes) process.stdout.write(`note: ${note}\n`);
  for (const issue of report.errors) process.stderr.write(`${formatIssue(issue)}\n`);
  if (report.errors.length > 0) {
    process.stderr.write(`validate: ${report.errors.length} error${report.errors.length === 1 ? '' : 's'}\n`);
    return 2;
  }
  return 0;
}
