import {
  COMMENT_MAX_BYTES,
  MARKER_RESERVE_BYTES,
  closersFor,
  renderReport,
  renderReportDetailed,
  renderVerdictLine,
  trimMarkdown,
} from '../../../src/report/markdown';
import { codeFence } from '../../../src/report/escape';
import type { RunResult } from '../../../src/results';
import {
  HOSTILE_LOG_LINE,
  buildRun,
  buildScenario,
  errorScenario,
  failingScenario,
  inconclusiveScenario,
  longLogs,
} from '../../helpers/sample-results';

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
const count = (s: string, needle: string | RegExp) =>
  typeof needle === 'string' ? s.split(needle).length - 1 : (s.match(needle) ?? []).length;

/** The text of every <pre> block. */
function preBlocks(md: string): string[] {
  return [...md.matchAll(/<pre>\n([\s\S]*?)\n<\/pre>/g)].map((m) => m[1]);
}

/** Structural balance: <details>, <pre> and code fences all closed, in order. */
function expectBalanced(md: string): void {
  expect(closersFor(md)).toEqual([]);
  expect(count(md, /<details>/g)).toBe(count(md, /<\/details>/g));
  expect(count(md, /<pre>/g)).toBe(count(md, /<\/pre>/g));
}

function mixedRun(): RunResult {
  return buildRun([buildScenario(), failingScenario(), inconclusiveScenario(), errorScenario()]);
}

describe('verdict line and summary table', () => {
  it('puts the overall verdict first, with counts, the commit and the run link', () => {
    const md = renderReport(mixedRun());
    const first = md.split('\n')[0];
    expect(first).toBe(
      '### ❌ chaos gate failed: 1 of 4 scenarios violated their SLOs (2 thresholds); 1 errored, 1 inconclusive',
    );
    expect(md).toContain(
      '[`9f3c2b1`](https://github.com/acme/fraud-api/commit/9f3c2b1a8e7d6c5b4a39281706f5e4d3c2b1a098)',
    );
    expect(md).toContain('[workflow run](https://github.com/acme/fraud-api/actions/runs/123456789)');
    // The verdict comes before any table.
    expect(md.indexOf('chaos gate failed')).toBeLessThan(md.indexOf('| Scenario |'));
  });

  it('reads passed / inconclusive / errored runs plainly', () => {
    expect(renderVerdictLine(buildRun([buildScenario(), buildScenario({ name: 'b' })]))).toBe(
      '✅ chaos gate passed: 2 of 2 scenarios held their SLOs',
    );
    expect(renderVerdictLine(buildRun([buildScenario(), inconclusiveScenario()]))).toBe(
      '⚠️ chaos gate inconclusive: 1 of 2 scenarios neither passed nor failed',
    );
    expect(renderVerdictLine(buildRun([errorScenario()]))).toContain(
      '💥 chaos gate errored: 1 of 1 scenario could not be run',
    );
  });

  it('has one row per scenario with verdict, key figures and violated thresholds (actual vs limit)', () => {
    const md = renderReport(mixedRun());
    const row = md.split('\n').find((l) => l.startsWith('| **redis-failure-naive**'));
    expect(row).toBeDefined();
    expect(row).toContain('❌ fail');
    expect(row).toContain('40ms → 612ms → 42ms'); // p95 baseline → fault → after
    expect(row).toContain('| 3.2% |'); // errors during the fault
    expect(row).toContain('| 3.2s |'); // recovery time
    expect(row).toContain('✗ fault p95 612ms &gt; 500ms');
    expect(row).toContain('✗ fault error\\_rate 3.2% &gt; 1%');
    const inconclusive = md.split('\n').find((l) => l.startsWith('| **telemetry-outage**'));
    expect(inconclusive).toContain('⚠️ inconclusive');
    expect(inconclusive).toContain('? alert HighLatency: not evaluated');
    expect(md).toContain('**inconclusive** = neither passed nor failed');
  });

  it('has a collapsible block per scenario with phases, thresholds, fault effect, timeline, logs', () => {
    const md = renderReport(mixedRun());
    expect(count(md, /<details><summary>/g)).toBe(4);
    expect(md).toContain('<details><summary>❌ <b>redis-failure-naive</b>');
    expect(md).toContain(
      '| ⚡ fault | 25s–55s | 1500 | 50/50 | 275ms | 612ms | 979ms | 1714ms | 3.2% | timeout 34, refused 14 | 0 |',
    );
    expect(md).toContain(
      '| ✗ | <code>fault: p95 &lt; 500ms</code> | fault | 612ms | &lt; 500ms | scenarios/redis-failure.yml:14 |',
    );
    expect(md).toContain('injected at 25s (took 312ms), reverted at 55s (took 1180ms)');
    expect(md).toContain('- <code>redis state=exited \\(checked 25.2s\\)</code>');
    expect(md).toContain('```mermaid\nxychart-beta');
    expect(md).toContain('| 25–29 ⚡ | fault |');
    expect(md).toContain('[+25.4s] fraud-api: WARN Cache miss for user 12345');
    expectBalanced(md);
  });

  it('flags generator-limited scenarios', () => {
    const md = renderReport(
      buildRun([buildScenario({}, { generatorLimited: true, notes: ['event loop delay p99 80ms'] })]),
    );
    expect(md).toContain('The load generator was the bottleneck');
    expect(md).toContain('<code>event loop delay p99 80ms</code>');
  });
});

describe('container output is inert', () => {
  const hostile = (): RunResult =>
    buildRun([
      failingScenario('hostile', {
        logMatches: [
          { service: 'fraud-api', line: HOSTILE_LOG_LINE, atMs: 1000 },
          { service: 'fraud-api', line: '```', atMs: 1100 },
          { service: 'fraud-api', line: '````js', atMs: 1200 },
          { service: 'fraud-api', line: '\u001b[31mred\u001b[0m </pre></details>', atMs: 1300 },
        ],
        notes: [HOSTILE_LOG_LINE],
        reason: HOSTILE_LOG_LINE,
        fault: { ...failingScenario().fault!, evidence: [HOSTILE_LOG_LINE] },
      }),
    ]);

  it('escapes `</details><img …>` in log lines, notes, evidence and reasons: no raw tag survives', () => {
    const md = renderReport(hostile());
    expect(md).not.toContain('<img');
    expect(md).not.toContain('<!-- x');
    expect(md).toContain('&lt;/details&gt;&lt;img src=x onerror=alert(1)&gt;');
    // Only our own blocks open and close: one <details>, one <pre>.
    expect(count(md, '<details>')).toBe(1);
    expect(count(md, '</details>')).toBe(1);
    expect(count(md, '<pre>')).toBe(1);
    expect(count(md, '</pre>')).toBe(1);
    expectBalanced(md);
  });

  it('renders log lines in a <pre> block where backticks and tags are plain text', () => {
    const md = renderReport(hostile());
    const [pre] = preBlocks(md);
    expect(pre).toBeDefined();
    expect(pre).not.toMatch(/[<>]/); // every < and > is an entity inside <pre>
    expect(pre).toContain('[+1.1s] fraud-api: ```');
    expect(pre).toContain('[+1.3s] fraud-api: red &lt;/pre&gt;&lt;/details&gt;'); // ANSI colours stripped
    // No line of the document outside our mermaid fences starts a code fence.
    const fenceLines = md.split('\n').filter((l) => /^ {0,3}(```|~~~)/.test(l));
    expect(fenceLines.every((l) => l === '```mermaid' || l === '```')).toBe(true);
    expect(fenceLines.length % 2).toBe(0);
    // The log's "```" is in the <pre> (an HTML block), not at the start of a line.
    expect(md).not.toMatch(/^````js$/m);
  });

  it('escapes backticks and markdown in inline text (reasons, notes, evidence)', () => {
    const md = renderReport(hostile());
    expect(md).toContain('\\`\\`\\`');
    expect(md).toContain('\\*\\*bold\\*\\*');
    // The brackets are escaped, and the URL no longer links (a joiner after the scheme's colon).
    expect(md).toContain('\\[link\\]\\(http:\u2060//evil\\)');
  });

  it('scenario text with pipes and newlines cannot break the summary table', () => {
    const s = failingScenario('a|b', {
      title: 'x | y\n| z',
      hypothesis: 'if | then\n\n# heading',
      thresholds: [{ ...failingScenario().thresholds[0], actual: '3|2%', metric: 'err|rate' }],
    });
    const md = renderReport(buildRun([s]));
    const row = md.split('\n').find((l) => l.startsWith('| **a\\|b**'));
    expect(row).toBeDefined();
    expect(row!.match(/(?<!\\)\|/g)).toHaveLength(8); // 7 columns
    expect(md).not.toMatch(/^# heading/m);
  });

  it('codeFence picks a fence longer than any backtick run in the content', () => {
    const content = 'a\n```\nb\n`````\nc ``` d';
    const block = codeFence(content, 'text');
    const lines = block.split('\n');
    expect(lines[0]).toBe('``````text');
    expect(lines[lines.length - 1]).toBe('``````');
    // No inner line could close it: every inner backtick run is shorter than the fence.
    for (const l of lines.slice(1, -1))
      for (const run of l.match(/`+/g) ?? []) expect(run.length).toBeLessThan(6);
    expect(closersFor(block)).toEqual([]);
    expect(closersFor(lines.slice(0, -1).join('\n'))).toEqual(['``````']);
  });
});

describe('size: fits GitHub comments, keeps every verdict', () => {
  const budget = COMMENT_MAX_BYTES - MARKER_RESERVE_BYTES;

  it('30 scenarios with long logs fit under 65,535 bytes with every verdict in the summary table', () => {
    const scenarios = Array.from({ length: 30 }, (_, i) => {
      const s =
        i % 5 === 0
          ? failingScenario(`scenario-${i}`)
          : i % 7 === 0
            ? inconclusiveScenario(`scenario-${i}`)
            : buildScenario({ name: `scenario-${i}` });
      return { ...s, logMatches: longLogs(200, 400) };
    });
    const run = buildRun(scenarios);
    const r = renderReportDetailed(run);
    expect(r.bytes).toBe(bytes(r.markdown));
    expect(r.bytes).toBeLessThanOrEqual(budget);
    expect(r.bytes).toBeLessThan(COMMENT_MAX_BYTES);
    expect(r.trimmed).toBe(false);
    expect(r.dropped.slice(0, 2)).toEqual(['charts', 'log lines']);
    for (const s of scenarios) {
      const row = r.markdown.split('\n').find((l) => l.startsWith(`| **${s.name}**`));
      expect(row).toBeDefined();
      expect(row).toContain(
        s.outcome === 'fail' ? '❌ fail' : s.outcome === 'inconclusive' ? '⚠️ inconclusive' : '✅ pass',
      );
    }
    expect(r.markdown).toContain(
      "Detail was left out to fit GitHub's 65,535-byte comment limit (charts, log lines",
    );
    expect(r.markdown).toContain('the full report is in the job summary and results.json');
    expectBalanced(r.markdown);
  });

  it('drops charts first, then log lines, keeping the rest when that is enough', () => {
    const s = { ...failingScenario(), logMatches: longLogs(100, 200) };
    const full = renderReportDetailed(buildRun([s]), { maxBytes: 10_000_000 });
    expect(full.dropped).toEqual([]);
    // One byte too many: dropping the charts (~1.6 KB) is enough, nothing else goes.
    const r = renderReportDetailed(buildRun([s]), { maxBytes: full.bytes - 1 });
    expect(r.dropped).toEqual(['charts']);
    expect(r.markdown).not.toContain('```mermaid');
    expect(r.markdown).toContain('<pre>');
    expect(r.markdown).toContain('| t (s) | phase |'); // the numbers stay in the table
  });

  it('drops whole details blocks of passing scenarios before failing ones', () => {
    const run = buildRun([
      buildScenario({ name: 'ok-1' }),
      failingScenario('bad-1'),
      buildScenario({ name: 'ok-2' }),
    ]);
    const r = renderReportDetailed(run, { maxBytes: 4_000 });
    expect(r.bytes).toBeLessThanOrEqual(4_000);
    expect(r.dropped).toContain('scenario details');
    expect(r.markdown).toContain('<details><summary>❌ <b>bad-1</b>');
    expect(r.markdown).not.toContain('<b>ok-1</b>');
    expectBalanced(r.markdown);
  });

  it('a single scenario with enormous logs is cut cleanly: balanced tags, fences, valid UTF-8', () => {
    const huge = { ...failingScenario('huge'), logMatches: longLogs(5, 400_000) };
    huge.logMatches[0].line = `🔥${'é'.repeat(100_000)}</details>\`\`\``;
    const r = renderReportDetailed(buildRun([huge]));
    expect(r.bytes).toBeLessThanOrEqual(budget);
    expect(r.markdown).not.toContain('\ufffd');
    expect(r.markdown).toContain('❌ fail');
    expectBalanced(r.markdown);
  });

  it('trimMarkdown cuts at a line boundary and closes open fences, <pre> and <details>', () => {
    const md = [
      '# head',
      '<details><summary>x</summary>',
      '',
      '````text',
      ...Array.from({ length: 50 }, (_, i) => `fenced ${i} ${'ü'.repeat(30)}`),
      '````',
      '<details><summary>inner</summary>',
      '<pre>',
      ...Array.from({ length: 500 }, (_, i) => `line ${i} 🔥🔥🔥 ${'x'.repeat(40)}`),
      '</pre>',
      '</details>',
      '</details>',
    ].join('\n');
    const out = trimMarkdown(md, 8_000, '> cut here');
    expect(bytes(out)).toBeLessThanOrEqual(8_000);
    expect(out.endsWith('</pre>\n</details>\n</details>\n\n> cut here')).toBe(true);
    expect(out).not.toContain('\ufffd');
    expect(closersFor(out.slice(0, out.lastIndexOf('\n\n> cut here')))).toEqual([]);
    // Cut inside the fence: the fence is closed with the same length.
    const inFence = trimMarkdown(md, 1_500, '> cut');
    expect(inFence).toMatch(/\n````\n<\/details>\n\n> cut$/);
    expect(bytes(inFence)).toBeLessThanOrEqual(1_500);
    // Text that fits is unchanged.
    expect(trimMarkdown('short', 100, 'note')).toBe('short');
  });

  it('hundreds of scenarios: a compact summary keeps every verdict', () => {
    const scenarios = Array.from({ length: 400 }, (_, i) =>
      i % 3 === 0 ? failingScenario(`s-${i}`) : buildScenario({ name: `s-${i}` }),
    );
    const r = renderReportDetailed(buildRun(scenarios));
    expect(r.bytes).toBeLessThanOrEqual(budget);
    expect(r.dropped).toContain('key figures in the summary table');
    expect(r.trimmed).toBe(false);
    for (const s of scenarios)
      expect(r.markdown).toContain(`| ${s.name} | ${s.outcome === 'fail' ? '❌ fail' : '✅ pass'} |`);
  });

  it('thousands of scenarios: the text is cut, still under the limit, still balanced, with a note', () => {
    const scenarios = Array.from({ length: 3000 }, (_, i) => failingScenario(`scenario-number-${i}`));
    const r = renderReportDetailed(buildRun(scenarios));
    expect(r.trimmed).toBe(true);
    expect(r.bytes).toBeLessThanOrEqual(budget);
    expect(r.markdown.split('\n')[0]).toContain('❌ chaos gate failed: 3000 of 3000 scenarios');
    expect(r.markdown).toContain('the end of the summary table');
    expectBalanced(r.markdown);
  });
});

describe('baseline comparison', () => {
  it('shows fault-phase p95 change, error-rate delta and verdict changes per scenario', () => {
    const current = buildRun([failingScenario('api'), buildScenario({ name: 'new-one' })]);
    const baseline = buildRun(
      [
        buildScenario({ name: 'api', p95: { fault: 400 }, errorRate: { fault: 0.01 } }),
        buildScenario({ name: 'gone' }),
      ],
      {
        commit: 'abcdef1234567890abcdef1234567890abcdef12',
      },
    );
    const md = renderReport(current, { baseline });
    expect(md).toContain('**Compared with baseline** <code>abcdef1</code>');
    expect(md).toContain('| api | ✅ → ❌ | 400ms → 612ms (+53%) | 1% → 3.2% (+2.2 pp) |');
    expect(md).toContain('| new-one | not in baseline |');
    expect(md).toContain('In the baseline but not in this run: <code>gone</code>');
  });
});
