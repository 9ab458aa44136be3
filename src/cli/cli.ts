// `chaos-action`: the command line, one handler per command (help, --version and errors here). Same
// scenarios, same verdicts as the Action.
import { COMMAND_NAMES, type CommandName } from '../config/settings';
import { EXIT } from '../results/gate';
import { TOOL_VERSION } from '../scenario/engine';
import { calibrateCommand } from './calibrate-command';
import { cleanupCommand } from './cleanup-command';
import { commandHelp, overview } from './help';
import { initCommand } from './init-command';
import { judgeCommand } from './judge-command';
import { listCommand } from './list-command';
import { loadCommand } from './load-command';
import { renderCommand } from './render-command';
import { runCommand } from './run-command';
import { validateCommand } from './validate-command';

const HANDLERS: Record<CommandName, (argv: string[]) => Promise<number>> = {
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

const isCommand = (name: string): name is CommandName => (COMMAND_NAMES as readonly string[]).includes(name);

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined) {
    process.stderr.write(`${overview()}\n`);
    return EXIT.configuration;
  }
  if (command === '--version' || command === '-V') {
    process.stdout.write(`${TOOL_VERSION}\n`);
    return EXIT.passed;
  }
  if (command === 'help' || command === '--help' || command === '-h') {
    const about = rest[0];
    if (about === undefined) {
      process.stdout.write(`${overview()}\n`);
      return EXIT.passed;
    }
    if (!isCommand(about)) {
      process.stderr.write(
        `chaos-action: help: unknown command "${about}" (commands: ${COMMAND_NAMES.join(', ')})\n`,
      );
      return EXIT.configuration;
    }
    process.stdout.write(`${commandHelp(about)}\n`);
    return EXIT.passed;
  }
  if (!isCommand(command)) {
    process.stderr.write(
      `chaos-action: unknown command "${command}" (commands: ${COMMAND_NAMES.join(', ')}; chaos-action help)\n`,
    );
    return EXIT.configuration;
  }
  return HANDLERS[command](rest);
}
