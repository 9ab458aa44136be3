// `chaos-action judge`: the verdict on scenarios that ran on Kubernetes (rendered by
// `render k8s`): the same thresholds, results.json, JUnit, report, gate settings and exit code
// as `run`.
import * as fs from 'node:fs';
import { parseSetting } from '../config/settings';
import { judgeRun, prometheusSource, readRenderedRun, JudgeError } from '../k8s/judge';
import { NodesError, parseNodes } from '../k8s/workflow-nodes';
import { writeResultFiles } from '../report/files';
import { renderTerminalTable } from '../report/terminal';
import { DEFAULT_RESULTS_DIR } from '../config/run-config';
import { EXIT, gateExitCode } from '../results/gate';
import { flagSwitch, flagValue, parseCommandLine, UsageError } from './args';
import { commandHelp, inputFailure, say, sayNotices } from './help';
import { printableError } from './run-setup';

export async function judgeCommand(argv: string[]): Promise<number> {
  try {
    const line = parseCommandLine('judge', argv[0] === 'judge' ? argv.slice(1) : argv);
    if (line.help) {
      process.stdout.write(`${commandHelp('judge')}\n`);
      return EXIT.passed;
    }
    sayNotices('judge', line.notices);
    if (line.positional.length) throw new UsageError(`unexpected argument "${line.positional[0]}"`);
    const need = (name: string): string[] => {
      const v = line.values.get(name);
      if (!v?.length) throw new UsageError(`--${name} is required`);
      return v;
    };
    const run = readRenderedRun(need('k8s-rendered')[0]);
    const nodes = need('k8s-nodes')
      .flatMap((files) => files.split(','))
      .flatMap((file) => {
        let json: unknown;
        try {
          json = JSON.parse(fs.readFileSync(file, 'utf8'));
        } catch (error) {
          throw new NodesError(`${file}: ${(error as Error).message}`);
        }
        return parseNodes(json, file);
      });
    let prometheus: string;
    try {
      prometheus = parseSetting('prometheus-url', need('prometheus-url')[0]) as string;
    } catch (error) {
      throw new UsageError(`--prometheus-url: ${(error as Error).message}`);
    }
    const asked = (line.values.get('scenarios') ?? []).flatMap((v) => v.split(',')).map((n) => n.trim());
    const names = asked.length ? asked : run.scenarios.map((s) => s.name);
    const result = await judgeRun(run, names, nodes, prometheusSource(prometheus), {
      commit: process.env.GITHUB_SHA ?? null,
      runUrl: null,
    });
    const files = await writeResultFiles(result, flagValue(line, 'results-dir') ?? DEFAULT_RESULTS_DIR);
    process.stdout.write(
      `${renderTerminalTable(result, { perRequest: flagSwitch(line, 'per-request', false) })}\n`,
    );
    process.stdout.write(`results: ${files.resultsJson}\n`);
    return gateExitCode(result, {
      failOnViolation: flagSwitch(line, 'fail-on-violation', true),
      failOnInconclusive: flagSwitch(line, 'fail-on-inconclusive', true),
      failOnError: flagSwitch(line, 'fail-on-error', true),
    });
  } catch (error) {
    const code = inputFailure('judge', error);
    if (code !== null) return code;
    if (error instanceof JudgeError || error instanceof NodesError) {
      say('judge', printableError(error));
      return EXIT.configuration;
    }
    throw error;
  }
}
