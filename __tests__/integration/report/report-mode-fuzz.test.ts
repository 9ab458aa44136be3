// 1,000 random results.json files through report mode (issue 27): each is read, checked and
// published against the loopback GitHub API as the chaos-report workflow would, and nothing a
// file holds may reach any surface as markup, a mention, a bare URL, a control character or a
// workflow command; the check run `chaos report` is concluded every time, never better than
// the gate run's own conclusion. Most files have the shape of a real run with hostile text in
// every string (so they are rendered); the rest are broken in one place (a wrong type, a null,
// a huge value, an unknown phase) and must be refused. Seeded: FUZZ_SEED=<n> replays a run.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as core from '@actions/core';
import { conclusionCap, runReportMode } from '../../../src/action/report-mode';
import type { ReportInputs } from '../../../src/action/inputs';
import type { RunResult } from '../../../src/results';
import { HEAD_SHA, PR_NUMBER } from '../../helpers/action-runner';
import { GitHubApiServer, type RecordedRequest } from '../../helpers/github-api-server';
import {
  bareUrls,
  forkMetadata,
  markdownProblems,
  plainTextProblems,
  workflowCommandProblems,
  workflowRunEvent,
} from '../../helpers/report-artifact';
import { buildRun, buildScenario, buildThreshold, buildFault } from '../../helpers/sample-results';

jest.setTimeout(20 * 60_000);

const FILES = 1_000;
const SEED = Number(process.env.FUZZ_SEED ?? 20261206);
const TOKEN = 'ghs_fuzz_token';

/** mulberry32: a small seeded generator, so a failing file can be made again. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = [
  '<img src="https://evil.example/px.gif">',
  '<script>alert(1)</script>',
  '</details>',
  '</summary>',
  '<!--',
  '-->',
  '<a href="javascript:alert(1)">x</a>',
  '@octocat',
  '@acme/security',
  ' @o ',
  '#12',
  'GH-7',
  'acme/shop#3',
  'https://evil.example/a?b=c',
  'http://10.0.0.1:8080/x',
  'www.evil.example',
  'ftp://files.evil.example',
  '[click](https://evil.example)',
  '![px](https://evil.example/p.png)',
  '<https://evil.example>',
  '\n::add-mask::secret',
  '\n::warning file=a,line=1::x',
  '\n##[error]boom',
  '::set-output name=result::pass',
  '\u0000',
  '\u0007',
  '\u001b[31mred\u001b[0m',
  '\u202eevil\u202c',
  '\r\n',
  '\t',
  '`',
  '```',
  '~~~',
  '|',
  '||',
  '**',
  '_',
  '\\',
  '&lt;',
  '&#60;',
  '<',
  '>',
  '&',
  '"',
  "'",
  '$(id)',
  '{{ secrets.X }}',
  '${{ github.token }}',
  '😀',
  '\ud800',
  'é',
  ' ',
  'redis',
  'fault: p95 < 500ms',
];

function hostileText(rand: () => number, maxPieces = 6): string {
  const n = Math.floor(rand() * maxPieces);
  let out = '';
  for (let i = 0; i < n; i++) out += PIECES[Math.floor(rand() * PIECES.length)];
  if (rand() < 0.02) out += 'x'.repeat(Math.floor(rand() * 3_000));
  return out;
}

const pick = <T>(rand: () => number, items: readonly T[]): T => items[Math.floor(rand() * items.length)];

/** Every string of a results object replaced with hostile text, some numbers with huge ones (enums kept). */
function poison(value: unknown, rand: () => number, key = ''): unknown {
  const enums = new Set(['phase', 'outcome', 'severity', 'verdict', 'mode', 'name']);
  if (typeof value === 'string') {
    if (enums.has(key) && key !== 'name') return value;
    if (key === 'schemaVersion') return value;
    // Names are bounded shorter than free text: fewer pieces there, so most files still render.
    const short = [
      'name',
      'metric',
      'kind',
      'service',
      'suite',
      'project',
      'startedAt',
      'finishedAt',
      'commit',
    ];
    return rand() < 0.8 ? hostileText(rand, short.includes(key) ? 3 : 6) : value;
  }
  // Huge and odd numbers where the schema takes any number (latencies, rates), huge counts where
  // it takes whole ones: rendered, not refused.
  if (typeof value === 'number' && /Ms$|Rate$/.test(key) && rand() < 0.05)
    return pick(rand, [1e308, -1e308, 1e-308, -0, 2 ** 53 + 2]);
  if (typeof value === 'number' && ['scheduled', 'late', 'completed', 'timed'].includes(key) && rand() < 0.05)
    return Number.MAX_SAFE_INTEGER;
  if (Array.isArray(value)) return value.map((v) => poison(v, rand, key));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => {
        if (k === 'tool') return [k, v];
        return [k, poison(v, rand, k)];
      }),
    );
  }
  return value;
}

/** A results object of a real run's shape, poisoned. */
function hostileRun(rand: () => number): RunResult {
  const scenarios = Array.from({ length: 1 + Math.floor(rand() * 3) }, (_, i) =>
    buildScenario(
      { name: `s${i}` },
      {
        outcome: pick(rand, ['pass', 'fail', 'inconclusive', 'error', 'skipped'] as const),
        thresholds: Array.from({ length: Math.floor(rand() * 4) }, () =>
          buildThreshold({
            passed: pick(rand, [true, false, null]),
            severity: pick(rand, ['error', 'warning'] as const),
          }),
        ),
        logMatches: Array.from({ length: Math.floor(rand() * 4) }, () => ({
          service: 'api',
          line: 'x',
          atMs: null,
        })),
        notes: ['n'],
        faults: rand() < 0.3 ? [buildFault(), buildFault({ kind: 'latency' })] : undefined,
      },
    ),
  );
  const run = poison(buildRun(scenarios), rand) as RunResult;
  run.outcome = pick(rand, ['pass', 'fail', 'inconclusive', 'error'] as const);
  return run;
}

/** One place broken: what the schema must refuse. */
function brokenRun(rand: () => number): unknown {
  const run = JSON.parse(JSON.stringify(hostileRun(rand))) as Record<string, unknown>;
  const scenario = (run.scenarios as Record<string, unknown>[])[0];
  const breakages: Array<() => void> = [
    () => ((scenario.phases as Record<string, unknown>[])[0].phase = hostileText(rand) || '<b>x</b>'),
    () => ((scenario.phases as Record<string, unknown>[])[0].scheduled = '<img src=x>'),
    () => ((scenario.phases as Record<string, unknown>[])[0].late = -1),
    () => (scenario.logMatches = [{ service: 'api', line: null, atMs: 1 }]),
    () => (scenario.outcome = 'passed @octocat'),
    () => (scenario.name = 'x'.repeat(100_000)),
    () =>
      (scenario.timeline = [
        { second: 1.5, phase: 'fault', scheduled: 1, completed: 1, p95Ms: 1, errorRate: 0 },
      ]),
    () => (scenario.thresholds = [{ ...buildThreshold(), passed: 'yes' }]),
    () => (scenario.thresholds = [{ ...buildThreshold(), line: 1e308 }]),
    () => (run.scenarios = null),
    () => (run.outcome = 'skipped'),
    () => (run.schemaVersion = 2),
    () => (scenario.notes = Array.from({ length: 2_000 }, () => 'n')),
    () => (scenario.comparison = { base: null }),
  ];
  pick(rand, breakages)();
  return run;
}

interface Surfaces {
  markdown: string[];
  plain: string[];
}

/** What the requests since `from` put on GitHub. */
function sent(requests: RecordedRequest[]): Surfaces {
  const markdown: string[] = [];
  const plain: string[] = [];
  for (const r of requests) {
    const body = r.body as Record<string, unknown> | undefined;
    if (!body || (r.method !== 'POST' && r.method !== 'PATCH')) continue;
    if (typeof body.body === 'string') markdown.push(body.body);
    const output = body.output as
      { title?: string; summary?: string; text?: string; annotations?: Record<string, string>[] } | undefined;
    if (output) {
      markdown.push(output.summary ?? '', output.text ?? '');
      plain.push(output.title ?? '');
      for (const a of output.annotations ?? []) plain.push(a.title ?? '', a.message ?? '', a.path ?? '');
    }
  }
  return { markdown, plain };
}

test(`${FILES} random results files through report mode leave no markup, mention, URL or command, and always conclude the check`, async () => {
  const rand = generator(SEED);
  const server = new GitHubApiServer({
    tokenKind: 'installation',
    token: TOKEN,
    pulls: [{ number: PR_NUMBER, state: 'open', headSha: HEAD_SHA }],
  });
  const apiUrl = await server.start();
  const work = mkdtempSync(path.join(tmpdir(), 'report-fuzz-'));
  const resultsDir = path.join(work, 'fork-results');
  mkdirSync(resultsDir);
  const summaryFile = path.join(work, 'summary.md');
  const outputFile = path.join(work, 'output');
  const env = {
    ...process.env,
    GITHUB_REPOSITORY: 'acme/shop',
    GITHUB_SERVER_URL: 'https://github.example',
    GITHUB_API_URL: apiUrl,
  };
  const saved = { ...process.env };
  Object.assign(process.env, {
    GITHUB_API_URL: apiUrl,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_OUTPUT: outputFile,
  });
  const inputs: ReportInputs = {
    resultsDir,
    token: TOKEN,
    comment: true,
    checkRun: true,
    failOnViolation: true,
    failOnInconclusive: true,
    failOnError: true,
  };
  let log = '';
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    log += chunk.toString();
    return true;
  });
  const failures: string[] = [];
  const tally = { rendered: 0, refused: 0 };
  try {
    for (let i = 0; i < FILES; i++) {
      const broken = rand() < 0.25;
      const results = broken ? brokenRun(rand) : hostileRun(rand);
      const metadata =
        rand() < 0.05 ? { ...forkMetadata(), workflow: hostileText(rand) || 'x' } : forkMetadata();
      writeFileSync(path.join(resultsDir, 'results.json'), JSON.stringify(results));
      writeFileSync(path.join(resultsDir, 'pull-request.json'), JSON.stringify(metadata));
      writeFileSync(summaryFile, '');
      writeFileSync(outputFile, '');
      log = '';
      const gate = pick(rand, ['success', 'failure', 'neutral', 'cancelled', null]);
      const event = workflowRunEvent(gate);
      const from = server.requests.length;
      const checksBefore = server.checkRuns.length;
      try {
        await runReportMode(inputs, env, { eventName: event.name, payload: event.payload });
        tally.rendered += 1;
      } catch (error) {
        // As the Action's main does with any error.
        core.setFailed(`chaos-action: ${error instanceof Error ? error.message : String(error)}`);
        tally.refused += 1;
      }
      process.exitCode = 0;
      const problems: string[] = [];
      const surfaces = sent(server.requests.slice(from));
      surfaces.markdown.push(readFileSync(summaryFile, 'utf8'));
      for (const md of surfaces.markdown) problems.push(...markdownProblems(md));
      for (const text of surfaces.plain) problems.push(...plainTextProblems(text), ...bareUrls(text));
      problems.push(...workflowCommandProblems(log, TOKEN));
      const checks = server.checkRuns.slice(checksBefore);
      const check = checks[0];
      if (checks.length !== 1 || check.status !== 'completed' || check.name !== 'chaos report')
        problems.push(`check: ${JSON.stringify(checks.map((c) => [c.name, c.status, c.conclusion]))}`);
      else {
        const rank = { failure: 0, neutral: 1, success: 2 } as Record<string, number>;
        if (!(check.conclusion! in rank) || rank[check.conclusion!] > rank[conclusionCap(gate)])
          problems.push(`check concluded ${check.conclusion} after a gate run that ended ${gate}`);
      }
      if (problems.length)
        failures.push(
          `file ${i} (seed ${SEED}, ${broken ? 'broken' : 'hostile'}): ${[...new Set(problems)].slice(0, 5).join('; ')}`,
        );
    }
  } finally {
    write.mockRestore();
    process.env = saved;
    await server.stop();
  }
  console.log(`report-mode fuzz (seed ${SEED}): ${tally.rendered} files rendered, ${tally.refused} refused`);
  expect(failures).toEqual([]);
  // Both kinds were exercised: rendered files and refused ones.
  expect(tally.rendered).toBeGreaterThan(FILES / 2);
  expect(tally.refused).toBeGreaterThan(FILES / 10);
});
