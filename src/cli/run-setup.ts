// What `run` and `calibrate` share once their flags are parsed: the run config (a config file
// when there is one, flags winning), the signal handling that lets a run revert its faults, and
// how an infrastructure error reaches the terminal.
import { existsSync } from 'node:fs';
import type { ConfigIssue } from '../config/errors';
import {
  DEFAULT_CONFIG_FILE,
  loadRunConfigFile,
  parseRunConfig,
  type RunConfig,
  type RunConfigOptions,
} from '../config/run-config';
import { neutralizeWorkflowCommands, stripControl } from '../report/escape';

/**
 * `--config-file FILE`, else ./chaos-action.yml when it exists, else the flags alone (the compose
 * files found as docker compose finds them when none is named). Old names used land in `notices`.
 */
export function runConfigFromFlags(
  configFlag: string | undefined,
  flags: Record<string, unknown>,
  notices: ConfigIssue[],
  options: Omit<RunConfigOptions, 'notices'> = {},
): RunConfig {
  const configFile = configFlag ?? (existsSync(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : undefined);
  if (configFile) return loadRunConfigFile(configFile, flags, 'flag', { ...options, notices });
  return parseRunConfig(flags, 'flag', { ...options, notices });
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
