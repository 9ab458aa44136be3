// `chaos-action`: the engine from a terminal. Same scenarios, same verdicts as the Action.
import { calibrateCommand } from './calibrate-command';
import { cleanupCommand } from './cleanup-command';
import { initCommand } from './init-command';
import { judgeCommand } from './judge-command';
import { listCommand } from './list-command';
import { loadCommand } from './load-command';
import { renderCommand } from './render-command';
import { runCommand } from './run-command';
import { validateCommand } from './validate-command';
import { EXIT } from '../results/gate';

const USAGE = `usage: chaos-action <command> [options]
  init      write chaos-action.yml and the workflow for a compose stack (what it inferred, and why)
  run       start the compose stack, run a suite of chaos scenarios, print the verdict table
  calibrate run the revision paired with itself: each metric's noise floor, and the durations limits need
  validate  check scenario, suite and run-config files (no Docker needed)
  list      list the built-in and your scenarios, with the suites they belong to
  cleanup   revert every fault left in the journal (after a crash or a kill)
  load      run a plain load test against a URL
  render    render scenarios for Kubernetes (Chaos Mesh Workflow + k6-operator TestRun)
  judge     judge scenarios that ran on Kubernetes, from their workflow nodes and Prometheus
Run 'chaos-action <command> --help' for a command's options.
exit: 0 passed, 1 a threshold violated, 2 configuration or usage error, 3 inconclusive, 4 the tool or the infrastructure failed`;

const COMMANDS: Record<string, (argv: string[]) => Promise<number>> = {
  init: initCommand,
  run: runCommand,
  calibrate: calibrateCommand,
  validate: validateCommand,
  list: listCommand,
  cleanup: cleanupCommand,
  load: loadCommand,
  render: renderCommand,
  judge: judgeCommand,
};

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return command ? 0 : 2;
  }
  const handler = COMMANDS[command];
  if (!handler) {
    process.stderr.write(`chaos-action: unknown command "${command}"\n${USAGE}\n`);
    return 2;
  }
  return handler(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `chaos-action: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = EXIT.failed;
  },
);
