// Fork-safe reporting: the PR metadata comes from the event payload, and a report-mode run reads
// the artifact as untrusted data (every field checked, the counts recomputed).
import { parseResults } from '../../../src/action/artifact';
import { parsePullRequestMetadata, pullRequestMetadata } from '../../../src/action/report-mode';
import { buildRun, buildScenario, buildThreshold } from '../../helpers/sample-results';

const SHA = 'c0ffee0000000000000000000000000000000042';
const env = {
  GITHUB_REPOSITORY: 'acme/shop',
  GITHUB_WORKFLOW: 'chaos',
  GITHUB_JOB: 'gate',
  GITHUB_WORKSPACE: '/home/runner/work/shop/shop',
};

describe('pullRequestMetadata', () => {
  it('takes the number, head commit and repositories from the event payload', () => {
    const payload = {
      pull_request: {
        number: 7,
        head: { sha: SHA, repo: { full_name: 'mallory/shop', fork: true } },
        base: { repo: { full_name: 'acme/shop' } },
      },
    };
    expect(pullRequestMetadata(payload, env, '/opt/chaos-action')).toEqual({
      schemaVersion: 1,
      number: 7,
      headSha: SHA,
      repository: 'acme/shop',
      headRepository: 'mallory/shop',
      fork: true,
      workflow: 'chaos',
      job: 'gate',
      workspace: '/home/runner/work/shop/shop',
      actionRoot: '/opt/chaos-action',
    });
  });

  it('is not a fork when head and base are the same repository, and null without a PR', () => {
    const same = { pull_request: { number: 3, head: { sha: SHA, repo: { full_name: 'acme/shop' } } } };
    expect(pullRequestMetadata(same, env, null)?.fork).toBe(false);
    expect(pullRequestMetadata({}, env, null)).toBeNull();
  });
});

describe('parsePullRequestMetadata', () => {
  const good = pullRequestMetadata(
    { pull_request: { number: 7, head: { sha: SHA, repo: { full_name: 'mallory/shop', fork: true } } } },
    env,
    null,
  );

  it('round-trips what the gate run wrote', () => {
    expect(parsePullRequestMetadata(JSON.stringify(good), 'pr.json')).toEqual(good);
  });

  it.each([
    ['number', { number: '7' }, /pr\.json: number: expected a PR number/],
    ['headSha', { headSha: 'HEAD' }, /headSha: expected a 40-digit commit/],
    ['repository', { repository: '../../etc' }, /repository: expected OWNER\/REPO/],
    ['workflow', { workflow: '' }, /workflow: expected a name/],
    ['workspace', { workspace: 'relative/dir' }, /workspace: expected an absolute path or null/],
  ])('refuses a bad %s, naming the file and field', (_, change, message) => {
    expect(() => parsePullRequestMetadata(JSON.stringify({ ...good, ...change }), 'pr.json')).toThrow(
      message,
    );
  });

  it('refuses text that is not JSON', () => {
    expect(() => parsePullRequestMetadata('{', 'pr.json')).toThrow(/^pr\.json: not JSON/);
  });
});

describe('parseResults', () => {
  it('recomputes violations and warnings instead of believing them', () => {
    const warned = buildThreshold({ passed: false, severity: 'warning' });
    const run = buildRun([buildScenario({}, { outcome: 'pass', thresholds: [buildThreshold(), warned] })], {
      violations: 99,
      warnings: 0,
    });
    const parsed = parseResults(JSON.stringify(run), 'results.json');
    expect(parsed.violations).toBe(0);
    expect(parsed.warnings).toBe(1);
  });

  it('refuses a file whose shape the renderers cannot trust', () => {
    const run = buildRun();
    expect(() => parseResults(JSON.stringify({ ...run, schemaVersion: 2 }), 'r.json')).toThrow(
      /schemaVersion/,
    );
    const broken = JSON.parse(JSON.stringify(run));
    broken.scenarios[0].thresholds[0].passed = 'yes';
    expect(() => parseResults(JSON.stringify(broken), 'r.json')).toThrow(
      /r\.json: scenarios\[0\]\.thresholds\[0\]\.passed: expected boolean/,
    );
  });
});
