// What `chaos-action help`, `help COMMAND` and `COMMAND --help` print, and how every command
// reports a failure: one prefix (`chaos-action COMMAND: `) on every line that is not about a
// place in a file (those read `file:line: field: message`, as a compiler's do). The options
// listed are the command's flags in the registry of settings, so help cannot drift from them.
import { ConfigError, formatIssue, type ConfigIssue } from '../config/errors';
import { flagSettings, type CommandName, type Setting } from '../config/settings';
import { EXIT } from '../results/gate';
import { UsageError } from './args';

export interface CommandSpec {
  /** One line, for the overview. */
  summary: string;
  /** What follows `chaos-action NAME` in the usage line. */
  usage: string;
  /** A paragraph under the usage line, when the options do not say it all. */
  about?: string;
  /** Its exit codes, by the one table (results/gate.ts EXIT). */
  exit: string;
}

const RUN_EXIT = `exit: ${EXIT.passed} passed, ${EXIT.violated} a threshold violated, ${EXIT.configuration} configuration error, ${EXIT.inconclusive} inconclusive, ${EXIT.failed} the tool or the infrastructure failed`;

export const COMMANDS: Record<CommandName, CommandSpec> = {
  init: {
    summary: 'write chaos-action.yml and the workflow for a compose stack (what it inferred, and why)',
    usage: '[--compose-file FILE ...] [--dir DIR] [--force]',
    about:
      'Reads the compose file(s) (default: what docker compose reads in DIR) and writes DIR/chaos-action.yml\n(service map, request, health check) and DIR/.github/workflows/chaos.yml (the pull-request gate, the\nchaos:full label, nightly and by hand). Existing files are kept unless --force is given.\nThen: chaos-action validate chaos-action.yml; chaos-action run.',
    exit: `exit: ${EXIT.passed} written, ${EXIT.configuration} nothing written (a file exists, a symlink on the way, no compose file)`,
  },
  run: {
    summary: 'start the compose stack, run a suite of chaos scenarios, print the verdict table',
    usage: '[--config-file chaos-action.yml] [--compose-file FILE ...] [options]',
    about:
      'Each kind of outcome fails the run by its own setting (--fail-on-violation, --fail-on-inconclusive,\n--fail-on-error): one let through never hides another.',
    exit: RUN_EXIT,
  },
  calibrate: {
    summary: "run the revision paired with itself: each metric's noise floor, and the durations limits need",
    usage: '[--config-file chaos-action.yml] [--compose-file FILE ...] [--scenarios NAME ...] [options]',
    about:
      "Runs the revision paired with itself (A/A) and reports each metric's noise floor per phase: the\nsmallest change a paired run can detect at this rate and duration. A regression limit below the floor\nleaves unchanged code inconclusive; a phase length that brings the floor under it is recommended.\nfloor: max(the minimal detectable effect at 95 % confidence and the power, from the A/A interval's\nwidth; the A/A interval's end farthest from 0). Relative for p95/p99, percentage points for error rate.",
    exit: `exit: ${EXIT.passed} calibrated, ${EXIT.configuration} configuration error, ${EXIT.inconclusive} nothing measured on both sides, ${EXIT.failed} the tool or the infrastructure failed`,
  },
  validate: {
    summary: 'check scenario, suite and run-config files (no Docker needed)',
    usage: '[FILE|DIR ...] [--scenarios-dir DIR ...] [--json]',
    about:
      'Checks scenario files (*.yml), directories of them, suites.yml files and run-config files\n(chaos-action.yml, *.run-config.yml) without touching Docker, reporting every problem of a file at once.\nWith no FILE or DIR, checks the built-in scenarios and every --scenarios-dir.',
    exit: `exit: ${EXIT.passed} valid, ${EXIT.configuration} errors (file:line: field: message)`,
  },
  list: {
    summary: 'list the built-in and your scenarios, with the suites they belong to',
    usage: '[--scenarios-dir DIR ...] [--suite NAME] [--json]',
    about:
      'Lists the scenarios (built-in and from each --scenarios-dir): name, target, fault, suites, title.',
    exit: `exit: ${EXIT.passed} listed, ${EXIT.configuration} a scenario file or the suite is wrong`,
  },
  cleanup: {
    summary: 'revert every fault left in the journal (after a crash or a kill)',
    usage: '[--journal-path FILE]',
    about:
      'Reverts every fault left in the journal FILE, or, without --journal-path, in every journal left where\nruns write them (one per run). Run it as the user that ran chaos-action. An entry that fails its checks\nis refused, named with the field at fault, and kept.',
    exit: `exit: ${EXIT.passed} everything reverted, ${EXIT.configuration} usage error, ${EXIT.failed} an entry could not be reverted or was refused (it stays in its journal)`,
  },
  load: {
    summary: 'run a plain load test against a URL',
    usage:
      '--url URL (--rate 100/s --duration 30s | --stages "10/s:10s,100/s:20s"\n                          | --users N --think 1s --duration 30s | --user-stages "10:10s,100:20s") [options]',
    about:
      "Runs the load generator alone and prints what it measured, per second and per phase; each flag\nmaps onto a scenario's load section, so one can be tried from a shell first.",
    exit: `exit: ${EXIT.passed} done, ${EXIT.configuration} usage error, ${EXIT.failed} the target could not be reached`,
  },
  render: {
    summary: 'render scenarios for Kubernetes (Chaos Mesh Workflow + k6-operator TestRun)',
    usage: 'k8s --namespace NS --out DIR --target-url URL --service-map MAP [options]',
    about:
      "Writes one directory per scenario (a Chaos Mesh Workflow and a k6-operator TestRun), render.json and\nREADME.md. No Docker, no cluster. The run config's request, health check, parameters and scenario\ndirectories are used; its compose files are not.",
    exit: `exit: ${EXIT.passed} rendered, ${EXIT.configuration} configuration error, or a scenario refused (a fault with no faithful resource)`,
  },
  judge: {
    summary: 'judge scenarios that ran on Kubernetes, from their workflow nodes and Prometheus',
    usage:
      '--k8s-rendered DIR --k8s-nodes FILE --prometheus-url URL [--scenarios NAME ...] [--results-dir DIR]',
    exit: RUN_EXIT,
  },
};

/** `--name VALUE`, `--name[=false]` for a switch, `... (repeatable)` for a list. */
function optionName(s: Setting): string {
  if (s.kind === 'switch') return `--${s.name}[=false]`;
  return `--${s.name} ${s.placeholder ?? 'VALUE'}`;
}

function optionHelp(s: Setting, command: CommandName): string {
  const text = s.flag?.helpFor?.[command] ?? s.help ?? s.description;
  return s.kind === 'list' ? `${text} (repeatable)` : text;
}

/** The help of one command: usage, what it does, its options, its exit codes. */
export function commandHelp(command: CommandName): string {
  const spec = COMMANDS[command];
  const options = flagSettings(command).map((s) => [optionName(s), optionHelp(s, command)]);
  options.push(['-h, --help', 'this help']);
  const width = Math.min(30, Math.max(...options.map(([name]) => name.length)) + 2);
  const lines = [`usage: chaos-action ${command} ${spec.usage}`, `  ${spec.summary}`];
  if (spec.about) lines.push('', ...spec.about.split('\n'));
  lines.push('', 'options:');
  for (const [name, text] of options)
    lines.push(
      name.length + 2 > width ? `  ${name}\n  ${' '.repeat(width)}${text}` : `  ${name.padEnd(width)}${text}`,
    );
  lines.push('', spec.exit);
  return lines.join('\n');
}

/** The overview: every command in a line. */
export function overview(): string {
  const names = Object.keys(COMMANDS) as CommandName[];
  const width = Math.max(...names.map((n) => n.length)) + 2;
  return [
    'usage: chaos-action <command> [options]',
    ...names.map((name) => `  ${name.padEnd(width)}${COMMANDS[name].summary}`),
    "Run 'chaos-action help <command>' (or 'chaos-action <command> --help') for a command's options;",
    "'chaos-action --version' for the version.",
    RUN_EXIT,
  ].join('\n');
}

/** Writes `chaos-action COMMAND: message` lines to stderr. */
export function say(command: CommandName, message: string): void {
  for (const line of message.split('\n')) process.stderr.write(`chaos-action ${command}: ${line}\n`);
}

/** Notices (old names used) on stderr, one line each. */
export function sayNotices(command: CommandName, notices: readonly (string | ConfigIssue)[]): void {
  for (const notice of notices)
    say(command, `note: ${typeof notice === 'string' ? notice : formatIssue(notice)}`);
}

/** Problems with the input: at their place in a file (`file:line: field: message`), else under the prefix. */
export function sayIssues(command: CommandName, issues: readonly ConfigIssue[]): void {
  for (const issue of issues)
    if (issue.file === null) say(command, formatIssue(issue));
    else process.stderr.write(`${formatIssue(issue)}\n`);
}

/**
 * What a command prints and returns for a failure of its input: a usage error names itself and
 * points at the help; a configuration error lists every problem at its place, then counts them.
 * Anything else is not the input's fault: null, for the caller to handle.
 */
export function inputFailure(command: CommandName, error: unknown): number | null {
  if (error instanceof UsageError) {
    say(command, `${error.message}\nrun 'chaos-action help ${command}' for its options`);
    return EXIT.configuration;
  }
  if (error instanceof ConfigError) {
    sayIssues(command, error.issues);
    const n = error.issues.length;
    say(command, `${n} configuration error${n === 1 ? '' : 's'}`);
    return EXIT.configuration;
  }
  return null;
}
