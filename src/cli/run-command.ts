// `chaos-action run`: the same engine as the Action, from a terminal or any CI.
import { ConfigError, formatIssue } from '../config/errors';
import { readBaselineFile } from '../report/baseline-file';
import { checkResultsDir, writeResultFiles } from '../report/files';
import { renderTerminalTable } from '../report/terminal';
import { EXIT, gateExitCode } from '../results/gate';
import { prepareRun, runChaos } from '../scenario/engine';
import { execCommand } from '../util/exec';
import { parseArgs, UsageError } from './args';
import { createProgress } from './progress';
import { installSignalHandlers, printableError, runConfigFromFlags } from './run-setup';

export const RUN_USAGE = `usage: chaos-action run [--config chaos-action.yml] [--compose FILE ...] [options]
  --config FILE          a run config file (default: ./chaos-action.yml when it exists; flags override it)
  --compose FILE         compose file(s): a base file, then overrides (repeatable)
  --base-compose FILE    the base revision's compose file(s) (repeatable): a paired run, both stacks under the same chaos
  --compose-env NAME     let compose see this withheld variable (GITHUB_TOKEN, INPUT_*, ACTIONS_*...; repeatable)
  --suite NAME           default | full | a suite of your own (default: default)
  --scenario NAME        run this scenario (repeatable; replaces --suite)
  --scenarios-dir DIR    your scenario files, added to the built-ins (repeatable)
  --service-map MAP      roles to your services, e.g. "api=web,cache=redis-main"
  --target-url URL       where the load goes (default: the api service's published port)
  --request "METHOD /path"  the request the load sends (default: the health check, else GET /)
  --request-json JSON    its JSON body
  --request-body-file F  its raw body, read from a file
  --expect-status LIST   statuses that count as success (default: 200)
  --health-path PATH     the health check (default: from the api's compose healthcheck)
  --results DIR          where results.json, report.md, junit.xml and metrics.prom go
  --baseline FILE        a results.json to compare with
  --scale N              multiply scenario durations (0.5 halves them)
  --profile ci|production  CI-sized (default) or production-sized durations
  --param NAME=VALUE     override a scenario parameter (repeatable; scenario.name=value for one)
  --journal FILE         where fault reverts are journalled (default: a file of this run's own
                         that chaos-action cleanup finds; see docs/faults.md)
  --project NAME         the compose project to create (default: a unique one); it is torn down
                         at the end, so a name that already has containers, networks or volumes
                         is refused (exit 2)
  --pushgateway URL      push the run's metrics to a Prometheus Pushgateway
  --no-fail              exit 0 even when thresholds are violated (fail-on-violation: false)
  --no-fail-on-inconclusive  exit 0 even when a scenario is inconclusive
  --no-fail-on-error     exit 0 even when a scenario errored
exit: 0 passed, 1 a threshold violated, 2 configuration or usage error, 3 inconclusive, 4 the tool or the infrastructure failed
  (each by its own setting: one let through never hides another)`;

export async function runCommand(argv: string[]): Promise<number> {
  let config;
  let prepared;
  let pushgateway: string | undefined;
  try {
    const args = parseArgs(argv, {
      values: [
        'compose',
        'base-compose',
        'compose-env',
        'suite',
        'scenario',
        'scenarios-dir',
        'service-map',
        'target-url',
        'results',
        'baseline',
        'scale',
        'profile',
        'param',
        'journal',
        'pushgateway',
        'project',
        'config',
        'request',
        'request-json',
        'request-body-file',
        'expect-status',
        'health-path',
      ],
      repeatable: ['compose', 'base-compose', 'compose-env', 'scenario', 'scenarios-dir', 'param'],
      booleans: ['no-fail', 'no-fail-on-inconclusive', 'no-fail-on-error', 'help'],
    });
    if (args.booleans.has('help')) {
      process.stdout.write(`${RUN_USAGE}\n`);
      return 0;
    }
    if (args.positional.length) throw new UsageError(`unexpected argument "${args.positional[0]}"`);
    const one = (name: string): string | undefined => args.flags[name]?.[0];
    const flags = {
      'compose-files': args.flags.compose,
      'base-compose': args.flags['base-compose'],
      'compose-env': args.flags['compose-env'],
      suite: one('suite'),
      scenarios: args.flags.scenario,
      'scenarios-dirs': args.flags['scenarios-dir'],
      'service-map': one('service-map'),
      'target-url': one('target-url'),
      'results-dir': one('results'),
      'baseline-results': one('baseline'),
      scale: one('scale'),
      profile: one('profile'),
      params: args.flags.param?.join(','),
      'journal-path': one('journal'),
      project: one('project'),
      request: one('request'),
      'request-json': one('request-json'),
      'request-body-file': one('request-body-file'),
      'expect-status': one('expect-status'),
      'health-path': one('health-path'),
      'fail-on-violation': args.booleans.has('no-fail') ? 'false' : undefined,
      'fail-on-inconclusive': args.booleans.has('no-fail-on-inconclusive') ? 'false' : undefined,
      'fail-on-error': args.booleans.has('no-fail-on-error') ? 'false' : undefined,
    };
    config = runConfigFromFlags(one('config'), flags, Boolean(args.flags.compose));
    pushgateway = one('pushgateway');
    // A bad baseline fails now, in a second, not after the whole suite has run.
    if (config.baselineResults) readBaselineFile(config.baselineResults);
    checkResultsDir(config.resultsDir);
    prepared = await prepareRun(config);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`chaos-action run: ${error.message}\n${RUN_USAGE}\n`);
      return 2;
    }
    if (error instanceof ConfigError) {
      for (const issue of error.issues) process.stderr.write(`${formatIssue(issue)}\n`);
      return 2;
    }
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
      pushgatewayUrl: pushgateway,
    });
    process.stdout.write(`\n${renderTerminalTable(result)}\n`);
    process.stdout.write(`results: ${files.resultsJson}\nreport:  ${files.report}\n`);
    return gateExitCode(result, config);
  } catch (error) {
    progress.finish();
    // The message may carry the stack's own output (compose's build log): shown, never acted on.
    process.stderr.write(`chaos-action run: ${printableError(error)}\n`);
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
