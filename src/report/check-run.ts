// The check run `chaos` on the commit measured: the verdict where reviewers look.
//
// - Started `in_progress` when the run starts, completed with a conclusion when it ends:
//   success; neutral when only warnings were violated, or every kind of outcome the run holds
//   (violation, error, inconclusive) was one the gate was set not to fail on; failure otherwise.
// - The report is the check's summary, the list of every threshold its text; both fitted under
//   GitHub's 65,535-character limits the way the comment is (detail dropped first, then cut).
// - One annotation per violated threshold (level failure) or violated warning (level warning),
//   on the scenario file line. GitHub takes at most 50 annotations per request: the rest go in
//   further PATCH requests, 50 each, the conclusion with the last batch.
// - A token without `checks: write` gets 403: one note in the log, status 'forbidden', and the
//   run goes on (the comment, the summary and the gate do not depend on the check). Other
//   failures are thrown: the caller decides.
//
// Pure parts (conclusion, annotations, output) are exported for tests; the GitHub calls are
// the two functions at the end.
import * as core from '@actions/core';
import * as github from '@actions/github';
import { isViolatedWarning, isViolation, type RunResult } from '../results';
import { gateDecision, type GateSettings } from '../results/gate';
import { describeViolation, thresholdResultMark } from './format';
import { renderReport, renderVerdictLine, trimMarkdown, type SourceLocator } from './markdown';

export const CHECK_RUN_NAME = 'chaos';
/** GitHub's limit for a check run's output.summary and output.text (characters; bytes are stricter). */
export const CHECK_OUTPUT_MAX = 65_535;
/** GitHub accepts at most this many annotations per create or update request. */
export const ANNOTATIONS_PER_REQUEST = 50;

export type CheckConclusion = 'success' | 'neutral' | 'failure';

export type { GateSettings };

export interface CheckAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: 'notice' | 'warning' | 'failure';
  title: string;
  message: string;
}

export interface CheckOutput {
  title: string;
  summary: string;
  text: string;
}

/** The conclusion the gate's verdict maps to: each kind of outcome by its own setting (results/gate.ts). */
export function checkConclusion(result: RunResult, gate: GateSettings): CheckConclusion {
  const decision = gateDecision(result, gate);
  if (decision.failing.length > 0) return 'failure';
  if (decision.allowed.length > 0) return 'neutral';
  return result.scenarios.some((s) => s.thresholds.some(isViolatedWarning)) ? 'neutral' : 'success';
}

/**
 * One annotation per violated threshold or warning, placed by `repoPath` (a path of the
 * repository; a built-in scenario, which is not one, is placed by its display path and shows
 * in the check's list of annotations rather than on a diff).
 */
export function checkAnnotations(
  result: RunResult,
  place: (file: string) => { text: string; repoPath: string | null },
): CheckAnnotation[] {
  const out: CheckAnnotation[] = [];
  for (const s of result.scenarios) {
    for (const t of s.thresholds) {
      const warning = isViolatedWarning(t);
      if (!warning && !isViolation(t)) continue;
      const where = place(t.file);
      const line = Math.max(1, t.line || 1);
      out.push({
        path: where.repoPath ?? where.text,
        start_line: line,
        end_line: line,
        annotation_level: warning ? 'warning' : 'failure',
        title: clip(`chaos: ${s.name} ${warning ? 'broke a warning threshold' : 'violated its SLO'}`, 255),
        message: clip(`${t.source}: ${describeViolation(t)} (actual ${t.actual}, limit ${t.limit})`, 4_000),
      });
    }
  }
  return out;
}

function clip(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/** Every threshold of every scenario, one line each: the check's text. */
export function renderThresholdList(result: RunResult, locate: SourceLocator): string {
  const blocks = result.scenarios.map((s) => {
    const lines = s.thresholds.map((t) => {
      const where = locate(t.file, t.line).text;
      const tag = t.severity === 'warning' ? ' (warning)' : '';
      return `- ${thresholdResultMark(t)} \`${t.source.replace(/`/g, "'")}\`${tag}: actual ${t.actual}, limit ${t.limit} — ${where}`;
    });
    const head = `#### ${s.name}: ${s.outcome}${s.reason ? ` (${s.reason})` : ''}`;
    return [head, ...(lines.length ? lines : ['_No thresholds._'])].join('\n');
  });
  return blocks.join('\n\n') || '_No scenarios ran._';
}

/** Title, summary (the report) and text (every threshold), each within GitHub's limits. */
export function checkOutput(result: RunResult, locate: SourceLocator): CheckOutput {
  const summary = renderReport(result, {
    maxBytes: CHECK_OUTPUT_MAX,
    locate,
    fullReportHint: "the check's text, the job summary and results.json",
  });
  const text = trimMarkdown(
    renderThresholdList(result, locate),
    CHECK_OUTPUT_MAX,
    '> [!NOTE]\n> The list was cut to fit the check run limit; results.json has every threshold.',
  );
  return { title: clip(renderVerdictLine(result), 255), summary, text };
}

/** Splits annotations into GitHub's batches of at most 50; always at least one batch. */
export function annotationBatches(annotations: CheckAnnotation[]): CheckAnnotation[][] {
  const batches: CheckAnnotation[][] = [];
  for (let i = 0; i < annotations.length; i += ANNOTATIONS_PER_REQUEST) {
    batches.push(annotations.slice(i, i + ANNOTATIONS_PER_REQUEST));
  }
  return batches.length ? batches : [[]];
}

// ---------------------------------------------------------------------------------
// GitHub

export interface CheckRunTarget {
  token: string;
  owner: string;
  repo: string;
  /** The commit the check belongs to: the PR's head, not the merge commit. */
  headSha: string;
  /** REST API root; default process.env.GITHUB_API_URL, else https://api.github.com. */
  baseUrl?: string;
}

export type CheckRunStart = { status: 'started'; id: number; url: string | null } | { status: 'forbidden' };

function statusOf(err: unknown): number | null {
  const s = (err as { status?: unknown })?.status;
  return typeof s === 'number' ? s : null;
}

function octokitFor(target: CheckRunTarget) {
  return github.getOctokit(target.token, {
    baseUrl: target.baseUrl ?? (process.env.GITHUB_API_URL || 'https://api.github.com'),
  });
}

function forbiddenNote(err: unknown): void {
  core.info(
    `check run: not written (HTTP 403: ${err instanceof Error ? err.message : String(err)}); ` +
      'the token has no checks: write (a pull request from a fork?). The comment, the job summary and the gate go on without it.',
  );
}

/** Creates the check run `chaos`, in progress. */
export async function startCheckRun(
  target: CheckRunTarget,
  detailsUrl: string | null,
): Promise<CheckRunStart> {
  const octokit = octokitFor(target);
  try {
    const { data } = await octokit.rest.checks.create({
      owner: target.owner,
      repo: target.repo,
      name: CHECK_RUN_NAME,
      head_sha: target.headSha,
      status: 'in_progress',
      started_at: new Date().toISOString(),
      ...(detailsUrl ? { details_url: detailsUrl } : {}),
      output: { title: 'chaos: running', summary: 'The chaos scenarios are running.' },
    });
    return { status: 'started', id: data.id, url: data.html_url ?? null };
  } catch (err) {
    if (statusOf(err) === 403) {
      forbiddenNote(err);
      return { status: 'forbidden' };
    }
    throw err;
  }
}

/**
 * Completes the check run: the output and annotations in batches of 50, the conclusion with
 * the last batch. Returns the number of update requests sent, or 'forbidden'.
 */
export async function completeCheckRun(
  target: CheckRunTarget,
  id: number,
  completion: { conclusion: CheckConclusion; output: CheckOutput; annotations: CheckAnnotation[] },
): Promise<{ status: 'completed'; requests: number } | { status: 'forbidden' }> {
  const octokit = octokitFor(target);
  const batches = annotationBatches(completion.annotations);
  try {
    for (let i = 0; i < batches.length; i++) {
      const last = i === batches.length - 1;
      await octokit.rest.checks.update({
        owner: target.owner,
        repo: target.repo,
        check_run_id: id,
        output: { ...completion.output, annotations: batches[i] },
        ...(last
          ? { status: 'completed', conclusion: completion.conclusion, completed_at: new Date().toISOString() }
          : {}),
      });
    }
    return { status: 'completed', requests: batches.length };
  } catch (err) {
    if (statusOf(err) === 403) {
      forbiddenNote(err);
      return { status: 'forbidden' };
    }
    throw err;
  }
}
