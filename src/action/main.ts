// The Action's main step: orchestration only. Inputs → engine → files, job summary,
// sticky comment, outputs, annotations → the gate. One try/catch → core.setFailed.
import path from 'node:path';
import * as core from '@actions/core';
import * as github from '@actions/github';
import { ConfigError, formatIssue } from '../config/errors';
import { upsertStickyComment, commentTargetFromContext, runUrlFromEnv } from '../report/comment';
import { readBaselineFile } from '../report/baseline-file';
import { neutralizeWorkflowCommands } from '../report/escape';
import { checkResultsDir, writeResultFiles } from '../report/files';
import { renderReport, SUMMARY_MAX_BYTES } from '../report/markdown';
import { writeJobSummary } from '../report/summary';
import { prepareRun, runChaos } from '../scenario/engine';
import type { RunResult } from '../results';
import { readInputs } from './inputs';
import { saveRunState } from './state';

export async function run(): Promise<void> {
  try {
    const inputs = readInputs();
    const { config } = inputs;
    core.info(`chaos-action: suite ${inputs.suiteChoice.suite} (${inputs.suiteChoice.why})`);
    if (config.baselineResults) readBaselineFile(config.baselineResults);
    checkResultsDir(config.resultsDir);
    const prepared = await prepareRun(config);
    saveRunState({ journalPath: config.journalPath, resultsDir: config.resultsDir });
    const result = await runChaos(
      config,
      prepared,
      {
        // The stack's output and reasons reach the log as text, never as workflow commands.
        log: (line) => core.info(neutralizeWorkflowCommands(line)),
        onPhase: (scenario, phase, detail) =>
          core.info(neutralizeWorkflowCommands(`▶ ${scenario}: ${phase}${detail ? ` (${detail})` : ''}`)),
        onProject: (project) => saveRunState({ journalPath: config.journalPath, project }),
        onScenarioDone: (scenario) =>
          core.info(
            neutralizeWorkflowCommands(
              `${scenario.name}: ${scenario.outcome}${scenario.reason ? ` — ${scenario.reason}` : ''}`,
            ),
          ),
      },
      {
        commit: github.context.payload.pull_request?.head?.sha ?? (github.context.sha || null),
        runUrl: runUrlFromEnv(),
        suiteLabel: config.scenarios.length ? 'custom' : inputs.suiteChoice.suite,
      },
    );

    const files = await writeResultFiles(result, config.resultsDir, {
      baseline: prepared.baseline,
      pushgatewayUrl: inputs.pushgatewayUrl,
    });
    core.setOutput('result', result.outcome);
    core.setOutput('violations', String(result.violations));
    core.setOutput('report-path', files.report);
    core.setOutput('results-json', files.resultsJson);

    // The summary goes first: it needs no API call, so a reviewer sees it even when the comment fails.
    await writeJobSummary(renderReport(result, { baseline: prepared.baseline, maxBytes: SUMMARY_MAX_BYTES }));
    annotateViolations(result);
    if (inputs.comment) await postComment(result, inputs.token, prepared.baseline);

    gate(result, config.failOnViolation, inputs.failOnInconclusive);
  } catch (error) {
    core.setOutput('result', 'error');
    if (error instanceof ConfigError) {
      for (const issue of error.issues) {
        core.error(
          formatIssue(issue),
          issue.file && issue.line ? { file: issue.file, startLine: issue.line } : {},
        );
      }
      core.setFailed(
        `chaos-action: configuration error (${error.issues.length} problem${error.issues.length === 1 ? '' : 's'})`,
      );
      return;
    }
    core.setFailed(`chaos-action: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * One annotation per violated threshold, on the scenario file line that declares it. GitHub
 * places annotations by repository-relative path; a built-in scenario lives in the action's
 * own checkout, so its annotation carries the file in its title instead.
 */
function annotateViolations(result: RunResult): void {
  const workspace = path.resolve(process.env.GITHUB_WORKSPACE ?? process.cwd());
  for (const scenario of result.scenarios) {
    for (const threshold of scenario.thresholds.filter((t) => t.passed === false)) {
      const relative = path.relative(workspace, path.resolve(threshold.file));
      const inRepository = !relative.startsWith('..') && !path.isAbsolute(relative);
      core.error(`${threshold.source}: actual ${threshold.actual}, limit ${threshold.limit}`, {
        title: `chaos: ${scenario.name} violated its SLO${inRepository ? '' : ` (${path.basename(threshold.file)}:${threshold.line})`}`,
        ...(inRepository ? { file: relative, startLine: threshold.line } : {}),
      });
    }
  }
}

async function postComment(result: RunResult, token: string, baseline: RunResult | null): Promise<void> {
  const target = commentTargetFromContext();
  if (!token || !target) {
    core.info('sticky comment: no token or repository in this context; the job summary carries the report');
    return;
  }
  try {
    const outcome = await upsertStickyComment({ token, ...target, body: renderReport(result, { baseline }) });
    core.info(`sticky comment: ${outcome.status}${outcome.url ? ` (${outcome.url})` : ''}`);
  } catch (error) {
    // The verdict does not depend on GitHub's API being up: warn and let the gate decide.
    core.warning(
      `sticky comment could not be posted: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

function gate(result: RunResult, failOnViolation: boolean, failOnInconclusive: boolean): void {
  const failedScenarios = result.scenarios.filter((s) => s.outcome === 'fail').map((s) => s.name);
  switch (result.outcome) {
    case 'pass':
      core.info(`chaos gate passed: ${result.scenarios.length} scenarios held their SLOs`);
      return;
    case 'fail': {
      const message = `chaos gate failed: ${result.violations} threshold(s) violated in ${failedScenarios.join(', ')}`;
      if (failOnViolation) core.setFailed(message);
      else core.warning(`${message} (fail-on-violation is false)`);
      return;
    }
    case 'inconclusive': {
      const message = `chaos gate inconclusive: ${result.scenarios
        .filter((s) => s.outcome === 'inconclusive')
        .map((s) => `${s.name} (${s.reason})`)
        .join('; ')}`;
      if (failOnInconclusive) core.setFailed(message);
      else core.warning(message);
      return;
    }
    default:
      core.setFailed(
        `chaos gate error: ${
          result.scenarios
            .filter((s) => s.outcome === 'error')
            .map((s) => `${s.name}: ${s.reason}`)
            .join('; ') || 'no scenario ran'
        }`,
      );
  }
}

void run();
