// Where a run's verdict goes on GitHub, for both modes of the Action (`run` measures and
// publishes; `report` publishes what a fork's run measured): the check run (`chaos`, or
// `chaos report` for report mode), the sticky comment, the annotations and the gate.
// Orchestration of the edges in src/report/; no logic of the verdict here. A check run that
// was started is concluded on every path: when the full completion fails (a report GitHub
// refuses, a render that throws), a short one with the same conclusion follows.
import * as core from '@actions/core';
import path from 'node:path';
import { isViolatedWarning, isViolation, type RunResult } from '../results';
import { GATE_SETTING_NAME, gateDecision, type GateKind } from '../results/gate';
import {
  checkAnnotations,
  checkConclusion,
  checkOutput,
  CHECK_RUN_NAME,
  completeCheckRun,
  startCheckRun,
  worseConclusion,
  type CheckConclusion,
  type CheckRunTarget,
  type GateSettings,
} from '../report/check-run';
import { escapeInline, plainText, truncateChars } from '../report/escape';
import { upsertStickyComment } from '../report/comment';
import { renderReport } from '../report/markdown';
import { locateSource, type SourceContext } from '../report/source-paths';

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const nameOf = (target: CheckRunTarget): string => target.name ?? CHECK_RUN_NAME;

/** Starts the check run (in progress); null when it could not be (no permission, API down). */
export async function beginCheck(target: CheckRunTarget, detailsUrl: string | null): Promise<number | null> {
  try {
    const started = await startCheckRun(target, detailsUrl);
    if (started.status === 'forbidden') return null;
    core.info(`check run ${nameOf(target)}: in progress${started.url ? ` (${started.url})` : ''}`);
    return started.id;
  } catch (error) {
    // The verdict does not depend on GitHub's API: warn and go on.
    core.warning(`check run could not be created: ${messageOf(error)}`);
    return null;
  }
}

/**
 * Completes the check run with the verdict, the report and one annotation per violated
 * threshold or warning. `cap`: the conclusion is never better than this (report mode: the gate
 * run's own). Returns the conclusion written, or null when none could be.
 */
export async function finishCheck(
  target: CheckRunTarget,
  id: number,
  result: RunResult,
  gate: GateSettings,
  sources: SourceContext,
  cap: CheckConclusion = 'success',
): Promise<CheckConclusion | null> {
  const locate = (file: string, line: number | null) => locateSource(sources, file, line);
  const conclusion = worseConclusion(checkConclusion(result, gate), cap);
  try {
    const done = await completeCheckRun(target, id, {
      conclusion,
      output: checkOutput(result, locate),
      annotations: checkAnnotations(result, (file) => locateSource(sources, file, null)),
    });
    if (done.status === 'completed') core.info(`check run ${nameOf(target)}: ${conclusion}`);
    return done.status === 'completed' ? conclusion : null;
  } catch (error) {
    core.warning(
      `check run could not be completed with the report: ${messageOf(error)}; completing it without`,
    );
    const done = await concludeCheck(target, id, conclusion, {
      title: plainText(`chaos: ${conclusion}`, 255),
      summary: `The report could not be attached (${escapeInline(truncateChars(messageOf(error), 1_000))}); the job summary and results.json carry it.`,
    });
    return done ? conclusion : null;
  }
}

/** Marks a started check run failed when the Action itself failed, so it is not left in progress. */
export async function abandonCheck(target: CheckRunTarget, id: number, reason: string): Promise<boolean> {
  return concludeCheck(target, id, 'failure', {
    title: 'chaos: the run failed',
    summary: escapeInline(truncateChars(reason, 8_000)),
  });
}

/** The shortest completion: a conclusion and a line of text. False when even that failed. */
async function concludeCheck(
  target: CheckRunTarget,
  id: number,
  conclusion: CheckConclusion,
  output: { title: string; summary: string },
): Promise<boolean> {
  try {
    const done = await completeCheckRun(target, id, {
      conclusion,
      output: { ...output, text: '' },
      annotations: [],
    });
    if (done.status === 'completed') core.info(`check run ${nameOf(target)}: ${conclusion}`);
    return done.status === 'completed';
  } catch (error) {
    core.warning(`check run could not be completed: ${messageOf(error)}`);
    return false;
  }
}

export interface CommentPlace {
  token: string;
  owner: string;
  repo: string;
  issueNumber: number | null;
  sha: string | null;
  /** The sticky marker's workflow and job: a report-mode run writes the gate job's comment. */
  workflow?: string;
  job?: string;
}

/** Posts or updates the sticky comment; failures other than 403 are warnings (the gate decides, not the API). */
export async function postComment(
  place: CommentPlace,
  result: RunResult,
  baseline: RunResult | null,
  sources: SourceContext,
): Promise<'created' | 'updated' | 'skipped-no-pr' | 'forbidden' | 'failed'> {
  try {
    const outcome = await upsertStickyComment({
      ...place,
      body: renderReport(result, { baseline, locate: (f, l) => locateSource(sources, f, l) }),
    });
    core.info(`sticky comment: ${outcome.status}${outcome.url ? ` (${outcome.url})` : ''}`);
    return outcome.status;
  } catch (error) {
    core.warning(`sticky comment could not be posted: ${messageOf(error)}`);
    return 'failed';
  }
}

/**
 * One annotation per violated threshold (error) or violated warning (warning), on the scenario
 * file line that declares it. GitHub places annotations by repository-relative path; a built-in
 * scenario lives in the action's own checkout, so its annotation carries the file in its title.
 */
export function annotateViolations(result: RunResult, sources: SourceContext): void {
  for (const scenario of result.scenarios) {
    for (const threshold of scenario.thresholds) {
      const warning = isViolatedWarning(threshold);
      if (!warning && !isViolation(threshold)) continue;
      const place = locateSource(sources, path.resolve(threshold.file), threshold.line);
      const what = warning ? 'broke a warning threshold' : 'violated its SLO';
      const annotate = warning ? core.warning : core.error;
      annotate(`${threshold.source}: actual ${threshold.actual}, limit ${threshold.limit}`, {
        title: `chaos: ${scenario.name} ${what}${place.repoPath ? '' : ` (${place.text})`}`,
        ...(place.repoPath ? { file: place.repoPath, startLine: threshold.line } : {}),
      });
    }
  }
}

/**
 * The Action's own verdict (the step fails or not): each kind of outcome the run holds by its
 * own setting (results/gate.ts). Every kind present is said, failing or not: an error is never
 * hidden behind a violation the settings let through, nor the other way round.
 */
export function gate(result: RunResult, settings: GateSettings): void {
  const decision = gateDecision(result, settings);
  const named = (outcome: 'fail' | 'error' | 'inconclusive', withReason: boolean): string =>
    result.scenarios
      .filter((s) => s.outcome === outcome)
      .map((s) => (withReason ? `${s.name} (${s.reason})` : s.name))
      .join('; ');
  const lines: Record<GateKind, string> = {
    violation: `${result.violations} threshold(s) violated in ${named('fail', false) || 'no scenario'}`,
    error: `error: ${named('error', true) || 'no scenario ran'}`,
    inconclusive: `inconclusive: ${named('inconclusive', true) || 'nothing was judged'}`,
  };
  for (const kind of decision.allowed)
    core.warning(`chaos gate: ${lines[kind]} (${GATE_SETTING_NAME[kind]} is false)`);
  if (decision.failing.length > 0) {
    core.setFailed(`chaos gate failed: ${decision.failing.map((kind) => lines[kind]).join('; ')}`);
    return;
  }
  if (decision.allowed.length > 0) return;
  core.info(
    `chaos gate passed${result.warnings ? ` with ${result.warnings} warning(s)` : ''}: ${result.scenarios.length} scenarios held their SLOs`,
  );
}
