// The report, checked as people see it (issue 16, item 4). The sticky PR comment of a real
// default-suite run (the packaged CLI on the example stack) is rendered the way GitHub shows
// it: markdown → HTML with marked (GFM), every ```mermaid block drawn by mermaid, in headless
// Chromium. The drawn SVG is then read back in page pixels:
//   (a) the fault band (the tall bars) covers the x positions of every second of the fault
//       phase (results.json `phases`, startMs/endMs from the scenario's t0) and nothing more
//       than a second outside it; a scenario without a fault has no band;
//   (b) every ⚡ label is on a fault-phase second, and every labelled fault-phase second has one;
//   (c) the x-axis labels do not overlap (their bounding boxes, as laid out).
// Seconds are read off the chart as a reader would: the visible labels name the seconds of
// their ticks, which fixes the seconds of every tick. A synthetic 600 s timeline (and a 4 s
// fault on it) checks the long end cheaply. A screenshot goes to test-artifacts/.
import { accessSync, constants, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { stickyCommentBody, stickyMarker } from '../../src/report/comment';
import { renderReport } from '../../src/report/markdown';
import type { RunResult, ScenarioResult } from '../../src/results';
import type { ExecResult } from '../../src/util/exec';
import { E2E_SCALE, runExampleCli } from '../helpers/example-cli';
import { buildRun, buildScenario } from '../helpers/sample-results';

const root = path.join(__dirname, '../..');
const CHROMIUM = process.env.CHAOS_CHROMIUM ?? '/usr/bin/chromium';
const ARTIFACTS = path.join(root, 'test-artifacts');
jest.setTimeout(5 * 60_000);

interface Box {
  left: number;
  right: number;
  top: number;
  bottom: number;
  width: number;
  height: number;
}

/** One chart as __tests__/helpers/report-page.js measured it. */
interface DrawnChart {
  mermaidBlocks: number;
  scenario: string | null;
  title: string;
  svg: Box;
  plot: Box | null;
  labels: Array<Box & { text: string }>;
  ticks: number[];
  bars: Box[];
}

// ---------------------------------------------------------------------------------
// Rendering

/** The comment body exactly as upsertStickyComment posts it for this result. */
function commentMarkdown(result: RunResult): string {
  return stickyCommentBody(stickyMarker('chaos', 'chaos'), renderReport(result));
}

const PAGE_CSS = `
  body { margin: 0; background: #fff; color: #1f2328; }
  #comment { box-sizing: border-box; width: 880px; padding: 16px 24px;
    font: 14px/1.5 -apple-system, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif; }
  table { border-collapse: collapse; margin: 8px 0; display: block; overflow: auto; }
  th, td { border: 1px solid #d1d9e0; padding: 4px 10px; }
  code, pre { font: 12px/1.45 ui-monospace, "DejaVu Sans Mono", monospace; background: #f6f8fa; }
  pre { padding: 12px; overflow: auto; white-space: pre; }
  details { margin: 8px 0; }
  div.mermaid { margin: 12px 0; }
`;

let context: BrowserContext | null = null;
let profileDir = '';

async function browser(): Promise<BrowserContext> {
  if (context) return context;
  // A fresh profile per run; no network (everything the page loads is a local file).
  profileDir = mkdtempSync(path.join(tmpdir(), 'chaos-chromium-'));
  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 880, height: 900 },
    deviceScaleFactor: 1,
    offline: true,
  });
  return context;
}

/** Renders the comment in Chromium, saves a full-page screenshot, returns every chart as drawn. */
async function renderInBrowser(markdown: string, screenshot: string): Promise<DrawnChart[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'chaos-report-page-'));
  const script = (file: string) => `<script src="${pathToFileURL(file).href}"></script>`;
  const html = [
    '<!doctype html><html><head><meta charset="utf-8"><title>chaos report</title>',
    `<style>${PAGE_CSS}</style></head><body><div id="comment"></div>`,
    // JSON in a script element: only "<" could end it early.
    `<script id="markdown" type="application/json">${JSON.stringify(markdown).replace(/</g, '\\u003c')}</script>`,
    script(path.join(root, 'node_modules/marked/lib/marked.umd.js')),
    script(path.join(root, 'node_modules/mermaid/dist/mermaid.min.js')),
    script(path.join(root, '__tests__/helpers/report-page.js')),
    '</body></html>',
  ].join('\n');
  const file = path.join(dir, 'index.html');
  writeFileSync(file, html);
  const page = await (await browser()).newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  try {
    await page.goto(pathToFileURL(file).href);
    await page.waitForFunction('document.body.dataset.rendered !== undefined', undefined, {
      timeout: 60_000,
    });
    const rendered = await page.getAttribute('body', 'data-rendered');
    expect({ rendered, errors }).toEqual({ rendered: 'ok', errors: [] });
    mkdirSync(path.dirname(screenshot), { recursive: true });
    await page.screenshot({ path: screenshot, fullPage: true });
    return (await page.evaluate('window.__charts')) as DrawnChart[];
  } finally {
    await page.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------
// Reading a chart back

const ZERO_WIDTH = /\u200b|\u200c|\u200d|\u2060/g;

interface ReadChart {
  /** The labels a reader sees, left to right, with the tick they stand under. */
  labels: Array<{ text: string; second: number; bolt: boolean; tick: number; box: Box }>;
  /** Seconds per tick and the second of tick 0, as the labels state them. */
  size: number;
  origin: number;
  /** Ticks (buckets) under a band bar. */
  band: number[];
}

function nearestTick(ticks: number[], x: number): number {
  let best = 0;
  for (let i = 1; i < ticks.length; i++) if (Math.abs(ticks[i] - x) < Math.abs(ticks[best] - x)) best = i;
  return best;
}

function readChart(c: DrawnChart): ReadChart {
  const labels = c.labels
    .map((l) => ({ text: l.text.replace(ZERO_WIDTH, '').trim(), box: l as Box }))
    .filter((l) => l.text !== '')
    .map((l) => {
      const match = /^(\d+)(⚡?)$/.exec(l.text);
      if (!match) throw new Error(`x-axis label ${JSON.stringify(l.text)} is not a second`);
      const centre = (l.box.left + l.box.right) / 2;
      const tick = nearestTick(c.ticks, centre);
      // Labels are drawn centred under their tick (mermaid does not rotate them here).
      expect(Math.abs(c.ticks[tick] - centre)).toBeLessThan(2);
      return { text: l.text, second: Number(match[1]), bolt: match[2] === '⚡', tick, box: l.box };
    })
    .sort((a, b) => a.box.left - b.box.left);
  expect(labels.length).toBeGreaterThanOrEqual(2);
  const [a, b] = labels;
  const size = (b.second - a.second) / (b.tick - a.tick);
  expect(Number.isInteger(size) && size >= 1).toBe(true);
  const origin = a.second - size * a.tick;
  // Every label agrees: the axis is linear in seconds.
  expect(labels.map((l) => l.second - (origin + size * l.tick))).toEqual(labels.map(() => 0));

  const plotHeight = c.plot?.height ?? 0;
  expect(plotHeight).toBeGreaterThan(100);
  const band = c.bars
    .filter((r) => r.height > plotHeight / 2) // the band reaches the top of the y-axis; the rest are stubs at 0
    .map((r) => {
      const inside = c.ticks.map((x, i) => (x >= r.left && x <= r.right ? i : -1)).filter((i) => i >= 0);
      expect(inside).toHaveLength(1); // each band bar stands on exactly one tick
      return inside[0];
    })
    .sort((x, y) => x - y);
  return { labels, size, origin, band };
}

/** The seconds of the fault phase, [first, last], as results.json states them. */
function faultPhaseSeconds(s: ScenarioResult): [number, number] | null {
  const p = s.phases.find((x) => x.phase === 'fault');
  return p ? [Math.floor(p.startMs / 1000), Math.ceil(p.endMs / 1000) - 1] : null;
}

function fmtRange(ticks: number[], r: ReadChart): string {
  if (ticks.length === 0) return 'none';
  const from = r.origin + ticks[0] * r.size;
  const to = r.origin + ticks[ticks.length - 1] * r.size + r.size - 1;
  return `${from}–${to}`;
}

/** Asserts (a), (b) and (c) on one drawn chart of scenario `s`. */
function checkChart(c: DrawnChart, s: ScenarioResult, faulted: boolean): void {
  const r = readChart(c);
  const where = `${s.name}: "${c.title}", band drawn over ${fmtRange(r.band, r)} s`;
  // The ticks are the timeline's seconds in buckets of `size`.
  expect({ where, ticks: c.ticks.length }).toEqual({ where, ticks: Math.ceil(s.timeline.length / r.size) });
  expect(r.labels.length).toBeGreaterThanOrEqual(4);
  const bucket = (tick: number): [number, number] => [
    r.origin + tick * r.size,
    r.origin + tick * r.size + r.size - 1,
  ];
  const overlaps = ([a, b]: [number, number], [c0, c1]: [number, number]) => a <= c1 && b >= c0;

  // (c) No two labels touch, and every label is inside the chart.
  const collisions: string[] = [];
  for (let i = 1; i < r.labels.length; i++) {
    const [p, q] = [r.labels[i - 1], r.labels[i]];
    if (q.box.left - p.box.right < 2) collisions.push(`${p.text}|${q.text}`);
  }
  const clipped = r.labels.filter((l) => l.box.left < c.svg.left - 1 || l.box.right > c.svg.right + 1);
  expect({ where, collisions, clipped: clipped.map((l) => l.text) }).toEqual({
    where,
    collisions: [],
    clipped: [],
  });

  const fault = faultPhaseSeconds(s);
  if (!faulted) {
    // No fault acted: no band, no ⚡.
    expect({
      where,
      band: fmtRange(r.band, r),
      bolts: r.labels.filter((l) => l.bolt).map((l) => l.text),
    }).toEqual({
      where,
      band: 'none',
      bolts: [],
    });
    return;
  }
  expect(fault).not.toBeNull();
  const [first, last] = fault!;

  // (a) The band covers every tick that holds a fault-phase second, and no tick more than a
  // second away from the fault phase.
  const expected: number[] = [];
  for (let t = 0; t < c.ticks.length; t++) if (overlaps(bucket(t), [first, last])) expected.push(t);
  const missing = expected.filter((t) => !r.band.includes(t)).map((t) => bucket(t)[0]);
  const outside = r.band.filter((t) => !overlaps(bucket(t), [first - 1, last + 1])).map((t) => bucket(t)[0]);
  expect({ where, faultPhase: `${first}–${last}`, missing, outside }).toEqual({
    where,
    faultPhase: `${first}–${last}`,
    missing: [],
    outside: [],
  });

  // (b) ⚡ exactly on the labelled ticks that hold a fault-phase second.
  const wrongBolts = r.labels
    .filter((l) => l.bolt !== overlaps(bucket(l.tick), [first, last]))
    .map((l) => l.text);
  expect({ where, faultPhase: `${first}–${last}`, wrongBolts }).toEqual({
    where,
    faultPhase: `${first}–${last}`,
    wrongBolts: [],
  });
  // The fault's first tick is labelled, with its ⚡, so the start can be read off the axis.
  const startTick = expected[0];
  expect(r.labels.find((l) => l.tick === startTick)?.bolt).toBe(true);
}

/** Checks every chart of a rendered comment against the run it came from. */
function checkComment(
  charts: DrawnChart[],
  result: RunResult,
  faulted: (s: ScenarioResult) => boolean,
): void {
  const withTimeline = result.scenarios.filter((s) => s.timeline.length > 0);
  expect(charts).toHaveLength(2 * withTimeline.length); // p95 and error rate per scenario
  expect(charts.every((c) => c.mermaidBlocks === charts.length)).toBe(true); // every block drew
  for (const s of withTimeline) {
    const drawn = charts.filter((c) => c.scenario === s.name);
    expect({ scenario: s.name, charts: drawn.map((c) => c.title.split(',')[0]) }).toEqual({
      scenario: s.name,
      charts: [expect.stringMatching(/^p95 latency ms/), expect.stringMatching(/^error rate %/)],
    });
    for (const c of drawn) checkChart(c, s, faulted(s));
  }
}

afterAll(async () => {
  await context?.close();
  if (profileDir) rmSync(profileDir, { recursive: true, force: true });
});

beforeAll(() => {
  // A missing browser is a failure, never a skip: scripts/ensure-chromium.sh installs it.
  expect({ chromium: CHROMIUM, present: existsExecutable(CHROMIUM) }).toEqual({
    chromium: CHROMIUM,
    present: true,
  });
});

function existsExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------

describe('the PR comment of a real default-suite run, rendered in Chromium', () => {
  let exec: ExecResult;
  let result: RunResult | null = null;
  let charts: DrawnChart[] = [];
  let dir = '';

  beforeAll(async () => {
    const run = await runExampleCli(['--suite', 'default', '--scale', E2E_SCALE]);
    ({ exec, results: result, dir } = run);
    if (result) {
      charts = await renderInBrowser(commentMarkdown(result), path.join(ARTIFACTS, 'report-comment.png'));
    }
  });

  it('ran both scenarios of the default suite, each with a timeline', () => {
    const log = `results in ${dir}, exit ${exec.code}\n${exec.stdout}\n${exec.stderr.split('\n').slice(-30).join('\n')}`;
    expect({ results: result !== null, log }).toEqual({ results: true, log: expect.any(String) });
    expect({ scenarios: result!.scenarios.map((s) => [s.name, s.timeline.length > 0]), log }).toEqual({
      scenarios: [
        ['otel-collector-failure', true],
        ['load-test', true],
      ],
      log: expect.any(String),
    });
  });

  it('draws the fault band over the fault phase, ⚡ only on fault seconds, x labels that do not overlap', () => {
    expect(result).not.toBeNull();
    // otel-collector-failure stops a container; load-test has a "fault" phase but no fault.
    const faulted = (s: ScenarioResult) => s.fault !== null && s.fault.kind !== 'none';
    expect(result!.scenarios.filter(faulted).map((s) => s.name)).toEqual(['otel-collector-failure']);
    checkComment(charts, result!, faulted);
  });
});

describe('a synthetic 600 s timeline, rendered in Chromium', () => {
  const result = buildRun([
    buildScenario({
      name: 'long-fault',
      phaseSeconds: { warmup: 5, baseline: 115, fault: 300, recovery: 150, after: 30 },
    }),
    // A 4 s fault, shorter than the label step of a 600 s axis.
    buildScenario({
      name: 'short-fault',
      phaseSeconds: { warmup: 0, baseline: 203, fault: 4, recovery: 393, after: 0 },
    }),
    buildScenario({
      name: 'one-minute',
      phaseSeconds: { warmup: 2, baseline: 18, fault: 20, recovery: 15, after: 5 },
    }),
  ]);

  it('keeps the band on the fault phase, ⚡ on fault seconds, and x labels apart', async () => {
    const charts = await renderInBrowser(
      commentMarkdown(result),
      path.join(ARTIFACTS, 'report-comment-600s.png'),
    );
    checkComment(charts, result, () => true);
    // 600 s are drawn as 60 ticks of 10 s, labelled every minute.
    const long = readChart(charts.find((c) => c.scenario === 'long-fault')!);
    expect([long.size, long.labels.map((l) => l.text)]).toEqual([
      10,
      ['0', '60', '120⚡', '180⚡', '240⚡', '300⚡', '360⚡', '420', '480', '540'],
    ]);
  });
});
