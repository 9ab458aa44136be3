// `chaos-action validate [FILES|DIRS...] [--scenarios-dir D]... [--json]`: checks scenario files,
// scenario directories, suites files and run-config files without Docker. Prints `ok <file>
// (<name>)` per file and `file:line: field: message` per error (every error of a file at once),
// or all of it as one JSON document; exits 0 when all is valid, 2 otherwise.
import { builtinScenariosDir } from '../config/load-scenarios';
import { validatePaths } from '../config/validate';
import { EXIT } from '../results/gate';
import { flagSwitch, parseCommandLine } from './args';
import { commandHelp, inputFailure, say, sayIssues, sayNotices } from './help';

export async function validateCommand(argv: string[]): Promise<number> {
  let line;
  try {
    line = parseCommandLine('validate', argv[0] === 'validate' ? argv.slice(1) : argv);
  } catch (error) {
    const code = inputFailure('validate', error);
    if (code !== null) return code;
    throw error;
  }
  if (line.help) {
    process.stdout.write(`${commandHelp('validate')}\n`);
    return EXIT.passed;
  }
  sayNotices('validate', line.notices);
  const builtin = flagSwitch(line, 'builtin-scenarios', true);
  const report = validatePaths(line.positional, {
    builtinDir: builtin ? builtinScenariosDir() : null,
    scenariosDirs: line.values.get('scenarios-dir') ?? [],
  });
  const valid = report.errors.length === 0;
  if (flagSwitch(line, 'json', false)) {
    process.stdout.write(
      `${JSON.stringify({ valid, checked: report.checked, notes: report.notes, errors: report.errors }, null, 2)}\n`,
    );
    return valid ? EXIT.passed : EXIT.configuration;
  }
  for (const ok of report.ok) process.stdout.write(`${ok}\n`);
  for (const note of report.notes) process.stdout.write(`note: ${note}\n`);
  sayNotices('validate', report.notices);
  sayIssues('validate', report.errors);
  if (!valid) say('validate', `${report.errors.length} error${report.errors.length === 1 ? '' : 's'}`);
  return valid ? EXIT.passed : EXIT.configuration;
}
