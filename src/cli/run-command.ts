// `chaos-action run`: the same engine as the Action, from a terminal or any CI.
import type { ConfigIssue } from '../config/errors';
import { readBaselineFile } from '../report/baseline-file';
import { checkResultsDir, writeResultFiles } from '../report/files';
import { renderTerminalTable } from '../report/terminal';
import { EXIT, gateExitCode } from '../results/gate';
import { prepareRun, runChaos } from '../scenario/engine';
import { execCommand } from '../util/exec';
import { flagSwitch, flagValue, parseCommandLine, runSettingsFromFlags, UsageError } from './args';
import { commandHelp, inputFailure, say, sayNotices } from './help';
import { createProgress } from './progress';
import { installSignalHandlers, printableError, runConfigFromFlags } from './run-setup';

export async function runCommand(argv: string[]): Promise<number> {
  let config;
  let prepared;
  let perRequest = false;
  try {
    const line = parseCommandLine('run', argv);
    perRequest = flagSwitch(line, 'per-request', false);
    if (line.help) {
      process.stdout.write(`${commandHelp('run')}\n`);
      return EXIT.passed;
    }
    sayNotices('run', line.notices);
    if (line.positional.length) throw new UsageError(`unexpected argument "${line.positional[0]}"`);
    const notices: ConfigIssue[] = [];
    try {
      config = runConfigFromFlags(flagValue(line, 'config-file'), runSettingsFromFlags(line), notices);
    } finally {
      sayNotices('run', notices);
    }
    // A bad baseline fails now, in a second, not after the whole suite has run.
    if (config.baselineResults) readBaselineFile(config.baselineResults);
    checkResultsDir(config.resultsDir);
    prepared = await prepareRun(config);
  } catch (error) {
    const code = inputFailure('run', error);
    if (code !== null) return code;
    throw error;
  }

  const progress = createProgress();
  const interrupted = new AbortController();
  const stop = installSignalHandlers(progress.log, interrupted);
  try {
    progress.log(
      `running ${prepared.scenarios.map((s) => s.name).join(', ')} on ${config.composeFiles.join(' + ')}`,
    );
    const result = await runChaos(
      config,
      prepared,
      {
        log: progress.log,
        onPhase: progress.phase,
        onScenarioDone: progress.scenarioDone,
        signal: interrupted.signal,
      },
      { commit: process.env.GITHUB_SHA ?? (await currentCommit()), runUrl: null },
    );
    progress.finish();
    const files = await writeResultFiles(result, config.resultsDir, {
      baseline: prepared.baseline,
      pushgatewayUrl: config.pushgatewayUrl,
    });
    process.stdout.write(`\n${renderTerminalTable(result, { perRequest })}\n`);
    process.stdout.write(`results: ${files.resultsJson}\nreport:  ${files.report}\n`);
    return gateExitCode(result, config);
  } catch (error) {
    progress.finish();
    // The message may carry the stack's own output (compose's build log): shown, never acted on.
    say('run', printableError(error));
    return EXIT.failed;
  } finally {
    stop();
  }
}

/** The commit being measured, when the run starts inside a git checkout. */
async function currentCommit(): Promise<string | null> {
  const result = await execCommand('git', ['rev-parse', 'HEAD']).catch(() => null);
  return result?.code === 0 ? result.stdout.trim() : null;
}
