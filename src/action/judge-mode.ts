// `mode: judge`: the Action judges scenarios that ran on Kubernetes (rendered by
// `chaos-action render k8s`, run by Chaos Mesh and k6-operator) instead of running a compose
// stack. No Docker. The verdict, files, job summary, check run, sticky comment and gate are
// the compose path's (publish.ts); only where the observations come from differs (src/k8s/judge.ts).
import { readFileSync } from 'node:fs';
import * as core from '@actions/core';
import * as github from '@actions/github';
import { judgeRun, prometheusSource, readRenderedRun } from '../k8s/judge';
import { parseNodes } from '../k8s/workflow-nodes';
import { commentTargetFromContext, runUrlFromEnv } from '../report/comment';
import { writeResultFiles } from '../report/files';
import { renderReport, SUMMARY_MAX_BYTES } from '../report/markdown';
import { locateSource, sourceContextFromEnv } from '../report/source-paths';
import { writeJobSummary } from '../report/summary';
import type { JudgeInputs } from './inputs';
import { annotateViolations, beginCheck, finishCheck, gate, postComment } from './publish';

export async function runJudgeMode(inputs: JudgeInputs, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const run = readRenderedRun(inputs.renderedDir);
  const nodes = inputs.nodesFiles.flatMap((file) => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new Error(
        `mode judge: cannot read ${file} (${(error as Error).message}); write it with kubectl get workflownodes -o json`,
      );
    }
    return parseNodes(JSON.parse(text), file);
  });
  const names = inputs.scenarios.length ? inputs.scenarios : run.scenarios.map((s) => s.name);
  core.info(
    `chaos-action: judging ${names.join(', ')} of Kubernetes run ${run.runId} (${nodes.length} workflow nodes, Prometheus ${inputs.prometheusUrl})`,
  );
  const target = commentTargetFromContext();
  const result = await judgeRun(run, names, nodes, prometheusSource(inputs.prometheusUrl), {
    commit: github.context.payload.pull_request?.head?.sha ?? (github.context.sha || null),
    runUrl: runUrlFromEnv(),
  });
  const files = await writeResultFiles(result, inputs.resultsDir);
  core.setOutput('result', result.outcome);
  core.setOutput('violations', String(result.violations));
  core.setOutput('warnings', String(result.warnings ?? 0));
  core.setOutput('report-path', files.report);
  core.setOutput('results-json', files.resultsJson);

  const sources = sourceContextFromEnv(env, null, target?.sha ?? null);
  const locate = (file: string, line: number | null) => locateSource(sources, file, line);
  await writeJobSummary(renderReport(result, { maxBytes: SUMMARY_MAX_BYTES, locate }));
  annotateViolations(result, sources);
  const settings = {
    failOnViolation: inputs.failOnViolation,
    failOnInconclusive: inputs.failOnInconclusive,
    failOnError: inputs.failOnError,
  };
  if (inputs.checkRun && inputs.token && target?.sha) {
    const check = { token: inputs.token, owner: target.owner, repo: target.repo, headSha: target.sha };
    const id = await beginCheck(check, result.runUrl);
    if (id !== null) await finishCheck(check, id, result, settings, sources);
  }
  if (inputs.comment && inputs.token && target)
    await postComment({ token: inputs.token, ...target }, result, null, sources);
  gate(result, settings);
}
