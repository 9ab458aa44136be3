import {
  commentTargetFromContext,
  findStickyComment,
  runUrlFromEnv,
  stickyMarker,
} from '../../../src/report/comment';
import { describeViolation, fmtMs, fmtPct, fmtPp } from '../../../src/report/format';
import { escapeInline, escapeXml, preBlock } from '../../../src/report/escape';
import { buildThreshold } from '../../helpers/sample-results';

describe('sticky marker and matching', () => {
  it('one marker per workflow and job; names cannot close the HTML comment', () => {
    expect(stickyMarker('Chaos gate', 'chaos')).toBe(
      '<!-- chaos-action:sticky workflow=Chaos%20gate job=chaos -->',
    );
    const m = stickyMarker('evil --> <img>', 'j');
    expect(m.match(/-->/g)).toHaveLength(1);
    expect(m).not.toContain('<img');
    // Long names are cut by code point: emoji across the cut do not break encoding.
    expect(stickyMarker('🔥'.repeat(150), 'j')).toBe(
      `<!-- chaos-action:sticky workflow=${encodeURIComponent('🔥'.repeat(100))} job=j -->`,
    );
  });

  it('matches the marker AND the author; in bot mode only github-actions[bot], never a human or another bot', () => {
    const marker = stickyMarker('w', 'j');
    const comments = [
      { id: 1, body: `${marker}\nx`, user: { login: 'mallory', type: 'User' } },
      { id: 2, body: 'no marker', user: { login: 'me', type: 'User' } },
      { id: 3, body: `${marker}\nx`, user: { login: 'some-app[bot]', type: 'Bot' } },
      { id: 4, body: `${marker}\nx`, user: { login: 'github-actions[bot]', type: 'Bot' } },
      { id: 5, body: `${marker}\nx`, user: { login: 'me', type: 'User' } },
      { id: 6, body: `${stickyMarker('w', 'other')}\nx`, user: { login: 'me', type: 'User' } },
    ];
    expect(findStickyComment(comments, marker, { kind: 'login', login: 'me' })?.id).toBe(5);
    expect(findStickyComment(comments, marker, { kind: 'login', login: 'nobody' })).toBeUndefined();
    expect(findStickyComment(comments, marker, { kind: 'bot' })?.id).toBe(4);
    // Another app's bot copied the marker: not ours to take over.
    expect(
      findStickyComment(
        comments.filter((c) => c.id !== 4),
        marker,
        { kind: 'bot' },
      ),
    ).toBeUndefined();
    expect(findStickyComment([comments[0]], marker, { kind: 'bot' })).toBeUndefined();
  });
});

describe('comment target from the workflow context', () => {
  const env = { GITHUB_REPOSITORY: 'acme/fraud-api' };
  it('pull_request: the PR number and its head commit (not the merge commit)', () => {
    const t = commentTargetFromContext(
      {
        eventName: 'pull_request',
        sha: 'merge123',
        payload: { pull_request: { number: 42, head: { sha: 'head456' } } },
      },
      env,
    );
    expect(t).toEqual({ owner: 'acme', repo: 'fraud-api', issueNumber: 42, sha: 'head456' });
  });
  it('push: no number, the pushed commit (the PR is looked up through it)', () => {
    expect(commentTargetFromContext({ eventName: 'push', sha: 'abc', payload: {} }, env)).toEqual({
      owner: 'acme',
      repo: 'fraud-api',
      issueNumber: null,
      sha: 'abc',
    });
  });
  it('issue_comment on a PR uses the issue number; on a plain issue, none', () => {
    const onPr = commentTargetFromContext(
      { eventName: 'issue_comment', sha: 's', payload: { issue: { number: 7, pull_request: {} } } },
      env,
    );
    expect(onPr?.issueNumber).toBe(7);
    const onIssue = commentTargetFromContext(
      { eventName: 'issue_comment', sha: 's', payload: { issue: { number: 8 } } },
      env,
    );
    expect(onIssue?.issueNumber).toBeNull();
  });
  it('null without a repository', () => {
    expect(commentTargetFromContext({ eventName: 'push', sha: 's', payload: {} }, {})).toBeNull();
  });
  it('run URL from the environment', () => {
    expect(
      runUrlFromEnv({
        GITHUB_SERVER_URL: 'https://ghe.example.com/',
        GITHUB_REPOSITORY: 'a/b',
        GITHUB_RUN_ID: '99',
      }),
    ).toBe('https://ghe.example.com/a/b/actions/runs/99');
    expect(runUrlFromEnv({})).toBeNull();
  });
});

describe('formatting and escaping', () => {
  it('describes a violation as actual vs limit', () => {
    expect(describeViolation(buildThreshold({ passed: false, actual: '612ms' }))).toBe(
      'fault p95 612ms > 500ms',
    );
    expect(describeViolation(buildThreshold({ passed: false, actual: '500ms' }))).toBe(
      'fault p95 500ms = 500ms',
    );
    expect(
      describeViolation(
        buildThreshold({ passed: false, metric: 'availability', actual: '98%', limit: '>= 99.9%' }),
      ),
    ).toBe('fault availability 98% < 99.9%');
    expect(
      describeViolation(
        buildThreshold({
          passed: false,
          phase: null,
          metric: 'alert HighCacheMissRate',
          actual: 'not fired',
          limit: 'fires within 5m',
        }),
      ),
    ).toBe('alert HighCacheMissRate: not fired (expected fires within 5m)');
    expect(describeViolation(buildThreshold({ passed: null, actual: 'no data' }))).toBe(
      'fault p95: not evaluated (no data)',
    );
  });

  it('formats figures', () => {
    expect([fmtMs(null), fmtMs(0.4), fmtMs(12.54), fmtMs(612.4), fmtMs(12_345)]).toEqual([
      '—',
      '0.4ms',
      '12.5ms',
      '612ms',
      '12.3s',
    ]);
    expect([fmtPct(0), fmtPct(0.0032), fmtPct(0.5), fmtPct(1), fmtPct(0.00001)]).toEqual([
      '0%',
      '0.32%',
      '50%',
      '100%',
      '<0.01%',
    ]);
    expect([fmtPp(0.022), fmtPp(-0.001), fmtPp(0)]).toEqual(['+2.2 pp', '-0.1 pp', '±0 pp']);
  });

  it('escapes inline markdown, <pre> content and XML', () => {
    expect(escapeInline('a|b `c` *d* <e> & [f](g)\nh')).toBe(
      'a\\|b \\`c\\` \\*d\\* &lt;e&gt; &amp; \\[f\\]\\(g\\) h',
    );
    expect(preBlock(['</pre><b>x</b> & ```'])).toBe(
      '<pre>\n&lt;/pre&gt;&lt;b&gt;x&lt;/b&gt; &amp; ```\n</pre>',
    );
    expect(escapeXml(`<a b="c" d='e'>&\u0001`)).toBe('&lt;a b=&quot;c&quot; d=&apos;e&apos;&gt;&amp;\ufffd');
  });
});
