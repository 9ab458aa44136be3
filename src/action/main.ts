// The Action's main step: orchestration only. Inputs → engine → files, job summary,
// sticky comment, outputs, annotations → the gate. One try/catch → core.setFailed.
import path from 'node:path';
import * as core from '@actions/core';
import * as github from '@actions/github';
import { ConfigError, formatIssue } from '../config/errors';
import { builtinScenariosDir } from '../config/load-scenarios';
import type { CheckRunTarget } from '../report/check-run';
import { commentTargetFromContext, runUrlFromEnv } from '../report/comment';
import { readBaselineFile } from '../report/baseline-file';
import { checkResultsDir, writeFileNoFollow, writeResultFiles } from '../report/files';
import { renderReport, SUMMARY_MAX_BYTES } from '../report/markdown';
import { locateSource, sourceContextFromEnv } from '../report/source-paths';
import { writeJobSummary } from '../report/summary';
import { prepareRun, runChaos } from '../scenario/engine';
import { readInputs, readJudgeInputs, readMode, readReportInputs } from './inputs';
import { runJudgeMode } from './judge-mode';
import { abandonCheck, annotateViolations, beginCheck, finishCheck, gate, postComment } from './publish';
import { PULL_REQUEST_FILE, pullRequestMetadata, runReportMode } from './report-mode';
import { scenarioLog, type ScenarioLog } from './scenario-log';
import { saveRunState } from './state';

export async function run(): Promise<void> {
  let check: { target: CheckRunTarget; id: number } | null = null;
  let scenarios: ScenarioLog | null = null;
  try {
    const mode = readMode();
    if (mode === 'report') return await runReportMode(readReportInputs());
    if (mode === 'judge') return await runJudgeMode(readJudgeInputs());
    const inputs = readInputs();
    const { config } = inputs;
    core.info(`chaos-action: suite ${inputs.suiteChoice.suite} (${inputs.suiteChoice.why})`);
    const target = commentTargetFromContext();
    const builtinDir = builtinScenariosDir();
    const actionRoot = builtinDir ? path.dirname(builtinDir) : null;
    const sources = sourceContextFromEnv(process.env, actionRoot, target?.sha ?? null);
    if (inputs.checkRun && inputs.token && target?.sha) {
      const checkTarget = {
        token: inputs.token,
        owner: target.owner,
        repo: target.repo,
        headSha: target.sha,
      };
      const id = await beginCheck(checkTarget, runUrlFromEnv());
      if (id !== null) check = { target: checkTarget, id };
    }
    if (config.baselineResults) readBaselineFile(config.baselineResults);
    checkResultsDir(config.resultsDir);
    const prepared = await prepareRun(config);
    saveRunState({ journalPath: config.journalPath, resultsDir: config.resultsDir });
    // Each scenario's lines folded in a group of their own; the stack's output and reasons
    // reach the log as text, never as workflow commands.
    scenarios = scenarioLog();
    const result = await runChaos(
      config,
      prepared,
      {
        log: scenarios.log,
        onPhase: scenarios.onPhase,
        onProject: (project) => saveRunState({ journalPath: config.journalPath, project }),
        onBaseProject: (baseProject) => saveRunState({ journalPath: config.journalPath, baseProject }),
        onScenarioDone: scenarios.onScenarioDone,
      },
      {
        commit: github.context.payload.pull_request?.head?.sha ?? (github.context.sha || null),
        runUrl: runUrlFromEnv(),
        suiteLabel: config.scenarios.length ? 'custom' : inputs.suiteChoice.suite,
      },
    );

    scenarios.close();
    const files = await writeResultFiles(result, config.resultsDir, {
      baseline: prepared.baseline,
      pushgatewayUrl: config.pushgatewayUrl,
    });
    core.setOutput('result', result.outcome);
    core.setOutput('violations', String(result.violations));
    core.setOutput('warnings', String(result.warnings ?? 0));
    core.setOutput('report-path', files.report);
    core.setOutput('results-json', files.resultsJson);

    // For a report-mode run (a fork's PR): which PR and commit, from the event, never the PR's
    // code; like every result file, never written through a symlink at its name.
    const metadata = pullRequestMetadata(github.context.payload, process.env, actionRoot);
    if (metadata) {
      await writeFileNoFollow(
        path.join(config.resultsDir, PULL_REQUEST_FILE),
        `${JSON.stringify(metadata, null, 2)}\n`,
      );
      if (metadata.fork) {
        core.info(
          `pull request from a fork (${metadata.headRepository}): the token is read-only here; upload ${config.resultsDir} as an artifact and let the chaos-report workflow (mode: report) publish the comment and the check run`,
        );
      }
    }

    // The summary goes first: it needs no API call, so a reviewer sees it even when the comment fails.
    const locate = (file: string, line: number | null) => locateSource(sources, file, line);
    await writeJobSummary(
      renderReport(result, { baseline: prepared.baseline, maxBytes: SUMMARY_MAX_BYTES, locate }),
    );
    annotateViolations(result, sources);
    const gateSettings = {
      failOnViolation: config.failOnViolation,
      failOnInconclusive: config.failOnInconclusive,
      failOnError: config.failOnError,
    };
    if (check) await finishCheck(check.target, check.id, result, gateSettings, sources);
    check = null;
    if (inputs.comment) {
      if (!inputs.token || !target) {
        core.info(
          'sticky comment: no token or repository in this context; the job summary carries the report',
        );
      } else {
        await postComment({ token: inputs.token, ...target }, result, prepared.baseline, sources);
      }
    }

    gate(result, gateSettings);
  } catch (error) {
    scenarios?.close();
    core.setOutput('result', 'error');
    if (check)
      await abandonCheck(check.target, check.id, error instanceof Error ? error.message : String(error));
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

void run();
