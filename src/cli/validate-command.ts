// `chaos-action validate [FILES|DIRS...] [--scenarios-dir D]`: checks scenario files, scenario
// directories, suites files and run-config files without Docker. Prints `ok <file> (<name>)`
// per file, or `file:line: field: message` per error; exits 0 when all is valid, 2 otherwise.
import { formatIssue } from '../config/errors';
import { builtinScenariosDir } from '../config/load-scenarios';
import { validatePaths } from '../config/validate';

const USAGE = `usage: chaos-action validate [FILE|DIR...] [--scenarios-dir DIR]... [--no-builtin]
  Checks scenario files (*.yml), directories of them, suites.yml files and run-config files
  (chaos-action.yml, *.run-config.yml) without touching Docker. With no FILE or DIR, checks the
  built-in scenarios and every --scenarios-dir. Exit 0: valid; 2: errors (file:line: field: message).`;

export async function validateCommand(argv: string[]): Promise<number> {
  const args = argv[0] === 'validate' ? argv.slice(1) : [...argv];
  const paths: string[] = [];
  const scenariosDirs: string[] = [];
  let builtin = true;
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i];
    if (arg === '--help' || arg === '-h') {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (arg === '--scenarios-dir') {
      const dir = args[++i];
      if (!dir) {
        process.stderr.write(`validate: --scenarios-dir needs a directory\n${USAGE}\n`);
        return 2;
      }
      scenariosDirs.push(dir);
    } else if (arg.startsWith('--scenarios-dir=')) scenariosDirs.push(arg.slice('--scenarios-dir='.length));
    else if (arg === '--no-builtin') builtin = false;
    else if (arg.startsWith('-')) {
      process.stderr.write(`validate: unknown option "${arg}"\n${USAGE}\n`);
      return 2;
    } else paths.push(arg);
  }
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
