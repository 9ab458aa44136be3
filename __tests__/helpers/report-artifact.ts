// A gate run's results artifact as a report-mode run downloads it (results.json and
// pull-request.json in a directory of the base checkout), the workflow_run event that names
// the gate run, and what a test reads back of GitHub's surfaces: the check runs, the comments,
// the job summary. For the report-mode tests that hand report mode crafted artifacts.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RunResult } from '../../src/results';
import { HEAD_SHA, PR_NUMBER } from './action-runner';

/** pull-request.json as the gate run on a fork's pull request writes it. */
export function forkMetadata(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    schemaVersion: 1,
    number: PR_NUMBER,
    headSha: HEAD_SHA,
    repository: 'acme/shop',
    headRepository: 'mallory/shop',
    fork: true,
    workflow: 'chaos',
    job: 'gate',
    workspace: '/home/runner/work/shop/shop',
    actionRoot: '/home/runner/work/_actions/org/chaos-action/v1',
    ...overrides,
  };
}

/**
 * Writes an artifact into a fresh base checkout: `results` as results.json (an object is
 * written as JSON, a string as it is), `metadata` as pull-request.json. Returns the checkout
 * and the results directory's name in it.
 */
export function writeArtifact(
  results: RunResult | Record<string, unknown> | string,
  metadata: Record<string, unknown> | string = forkMetadata(),
): { workspace: string; resultsDir: string; dir: string } {
  const workspace = mkdtempSync(path.join(tmpdir(), 'chaos-report-artifact-'));
  const dir = path.join(workspace, 'fork-results');
  mkdirSync(dir);
  const json = (value: unknown) =>
    typeof value === 'string' ? value : `${JSON.stringify(value, null, 2)}\n`;
  writeFileSync(path.join(dir, 'results.json'), json(results));
  writeFileSync(path.join(dir, 'pull-request.json'), json(metadata));
  return { workspace, resultsDir: 'fork-results', dir };
}

/** The chaos-report workflow's event: the gate workflow's run completed, with `conclusion`. */
export function workflowRunEvent(conclusion: string | null = 'failure'): {
  name: string;
  payload: Record<string, unknown>;
} {
  return {
    name: 'workflow_run',
    payload: {
      action: 'completed',
      workflow_run: {
        id: 4242,
        event: 'pull_request',
        head_sha: HEAD_SHA,
        head_repository: { full_name: 'mallory/shop' },
        html_url: 'https://github.example/acme/shop/actions/runs/4242',
        pull_requests: [],
        conclusion,
      },
      repository: { name: 'shop', owner: { login: 'acme' } },
    },
  };
}

/** The environment of the chaos-report workflow's job (its own workflow, job and run). */
export const REPORT_JOB_ENV = {
  GITHUB_WORKFLOW: 'chaos-report',
  GITHUB_JOB: 'publish',
  GITHUB_RUN_ID: '4343',
};

/** Where GitHub's surfaces may link to: the run page of the event and files at the head commit. */
export const TRUSTED_LINK = /^https:\/\/github\.example\/acme\/shop\/(actions\/runs\/4242|commit\/|blob\/)/;

/** A tag GitHub would render: only those our own report writes may appear. */
const OUR_TAGS = new Set(['details', 'summary', 'b', 'sub', 'br', 'code', 'pre']);

/**
 * What a markdown surface must never carry from a results file, one line each: a tag other
 * than ours, an HTML comment other than the sticky marker (which is not rendered), a live
 * @mention or #reference, a
 * bare URL (any URL that is not the target of one of our own links to the trusted places), a
 * control character. [] when it is clean.
 */
/** The sticky comment's marker: an HTML comment GitHub does not render, its names URI-encoded. */
const MARKER = /<!-- chaos-action:sticky workflow=[^\s<>]* job=[^\s<>]* -->/g;

export function markdownProblems(text: string): string[] {
  const problems: string[] = [];
  const md = text.replace(MARKER, '');
  for (const m of md.matchAll(/<\/?([A-Za-z][\w-]*)/g))
    if (!OUR_TAGS.has(m[1].toLowerCase())) problems.push(`tag <${m[1]}>`);
  for (const m of md.matchAll(/<!--[^]*?(-->|$)/g))
    problems.push(`comment ${JSON.stringify(m[0].slice(0, 60))}`);
  problems.push(...plainTextProblems(md));
  // A link of ours: ](https://trusted…). Every other URL must not be one GitHub links.
  for (const m of md.matchAll(/(\]\()?\b([a-z][a-z0-9+.-]*):\/\/[^\s)]*/gi)) {
    const url = m[0].replace(/^\]\(/, '');
    if (!(m[1] && TRUSTED_LINK.test(url))) problems.push(`URL ${JSON.stringify(url.slice(0, 60))}`);
  }
  return problems;
}

/** What any GitHub surface must never carry: a live mention or reference, a bare www link, a control character. */
export function plainTextProblems(text: string): string[] {
  const problems: string[] = [];
  for (const m of text.matchAll(/(^|[^A-Za-z0-9])@[A-Za-z0-9][\w-]*/gm))
    problems.push(`mention ${JSON.stringify(m[0].trim())}`);
  for (const m of text.matchAll(/#\d+|\bGH-\d+/gi)) problems.push(`reference ${m[0]}`);
  for (const m of text.matchAll(/\bwww\.[a-z0-9]/gi)) problems.push(`www link ${m[0]}`);
  // eslint-disable-next-line no-control-regex
  for (const m of text.matchAll(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g))
    problems.push(`control U+${m[0].charCodeAt(0).toString(16).padStart(4, '0')}`);
  return problems;
}

/** URLs in a plain-text surface (shown as text, still linked by GitHub). */
export function bareUrls(text: string): string[] {
  return [...text.matchAll(/\b[a-z][a-z0-9+.-]*:\/\/\S*/gi)].map((m) => m[0]);
}

/**
 * Log lines the Actions runner would run as a workflow command other than the ones a report
 * run issues itself (an annotation, a debug line, masking the token).
 */
export function workflowCommandProblems(log: string, token: string): string[] {
  return log
    .split(/\r?\n/)
    .filter((line) => /^\s*(::|##\[)/.test(line))
    .filter(
      (line) => !/^::(error|warning|notice|debug)( [^:]*)?::/.test(line) && line !== `::add-mask::${token}`,
    )
    .map((line) => `command ${JSON.stringify(line.slice(0, 80))}`);
}

export function scratch(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}
