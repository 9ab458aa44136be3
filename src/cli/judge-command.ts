// `chaos-action judge`: the verdict on scenarios that ran on Kubernetes (rendered by
// `render k8s`): the same thresholds, results.json, JUnit, report and exit code as `run`.
import * as fs from 'node:fs';
import { ConfigError } from '../config/errors';
import { judgeRun, prometheusSource, readRenderedRun, JudgeError } from '../k8s/judge';
import { NodesError, parseNodes } from '../k8s/workflow-nodes';
import { writeResultFiles } from '../report/files';
import { renderTerminalTable } from '../report/terminal';
import { gateExitCode } from '../results/gate';
import { parseArgs, UsageError } from './args';
import { printableError } from './run-setup';

const USAGE = `usage: chaos-action judge --rendered DIR --nodes FILE --prometheus URL [--scenario NAME]... [--results DIR]
  --rendered DIR     the directory render k8s wrote (render.json)
  --nodes FILE       kubectl get workflownodes -n NS -o json (every rendered workflow's nodes; repeatable)
  --prometheus URL   the Prometheus the k6 runners wrote to (remote write) and that evaluates the alerts
  --scenario NAME    judge only these (repeatable; default: every rendered scenario)
  --results DIR      where results.json, report.md, junit.xml go (default ./chaos-results)
exit: 0 passed, 1 a threshold violated, 2 configuration or usage error, 3 inconclusive, 4 the tool or the infrastructure failed`;

export async function judgeCommand(argv: string[]): Promise<number> {
  const args = argv[0] === 'judge' ? argv.slice(1) : [...argv];
  try {
    const parsed = parseArgs(args, {
      values: ['rendered', 'nodes', 'prometheus', 'scenario', 'results'],
      repeatable: ['nodes', 'scenario'],
      booleans: ['help'],
    });
    if (parsed.booleans.has('help')) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (parsed.positional.length) throw new UsageError(`unexpected argument "${parsed.positional[0]}"`);
    const need = (name: string): string[] => {
      const v = parsed.flags[name];
      if (!v?.length) throw new UsageError(`--${name} is required`);
      return v;
    };
    const run = readRenderedRun(need('rendered')[0]);
    const nodes = need('nodes').flatMap((file) => {
      let json: unknown;
      try {
        json = JSON.parse(fs.readFileSync(file, 'utf8'));
      } catch (error) {
        throw new NodesError(`${file}: ${(error as Error).message}`);
      }
      return parseNodes(json, file);
    });
    const prometheus = need('prometheus')[0];
    if (!/^https?:\/\//.test(prometheus))
      throw new UsageError(`--prometheus "${prometheus}" is not an http(s) URL`);
    const names = parsed.flags.scenario ?? run.scenarios.map((s) => s.name);
    const result = await judgeRun(run, names, nodes, prometheusSource(prometheus), {
      commit: process.env.GITHUB_SHA ?? null,
      runUrl: null,
    });
    const files = await writeResultFiles(result, parsed.flags.results?.[0] ?? 'chaos-results');
    process.stdout.write(`${renderTerminalTable(result)}\n`);
    process.stdout.write(`results: ${files.resultsJson}\n`);
    return gateExitCode(result, { failOnViolation: true, failOnInconclusive: true, failOnError: true });
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`judge: ${error.message}\n${USAGE}\n`);
      return 2;
    }
    if (error instanceof ConfigError || error instanceof JudgeError || error instanceof NodesError) {
      process.stderr.write(`judge: ${printableError(error)}\n`);
      return 2;
    }
    throw error;
  }
}
