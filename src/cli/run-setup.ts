// What `run` and `calibrate` share once their flags are parsed: the run config (a config file
// when there is one, flags winning), the signal handling that lets a run revert its faults, and
// how an infrastructure error reaches the terminal.
import { existsSync } from 'node:fs';
import { DEFAULT_CONFIG_FILE, loadRunConfigFile, parseRunConfig, type RunConfig } from '../config/run-config';
import { neutralizeWorkflowCommands, stripControl } from '../report/escape';
import { UsageError } from './args';

/** `--config FILE`, else ./chaos-action.yml when it exists, else the flags alone (which must name a compose file). */
export function runConfigFromFlags(
  configFlag: string | undefined,
  flags: Record<string, unknown>,
  composeGiven: boolean,
): RunConfig {
  const configFile = configFlag ?? (existsSync(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : undefined);
  if (configFile) return loadRunConfigFile(configFile, flags, 'flag');
  if (!composeGiven) throw new UsageError('--compose FILE (or --config FILE) is required');
  return parseRunConfig(flags, 'flag');
}

/** An error's message for the terminal: it may carry the stack's own output, shown and never acted on. */
export function printableError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return neutralizeWorkflowCommands(stripControl(message));
}

/**
 * Ctrl-C or a CI cancellation: the first signal aborts the run, whose finally blocks revert
 * the fault and remove the stack; a second one exits at once (the journal still lets
 * `chaos-action cleanup` revert what is left).
 */
export function installSignalHandlers(log: (line: string) => void, controller: AbortController): () => void {
  let received = 0;
  const handler = (signal: NodeJS.Signals): void => {
    received += 1;
    if (received === 1) {
      log(`${signal}: stopping; reverting the fault and removing the stack (again to exit at once)`);
      controller.abort();
      return;
    }
    process.exit(130);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}
