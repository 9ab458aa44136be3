// Scenario paths as the report shows them: repository files linked at the head commit, built-ins relative.
import { locateSource, type SourceContext } from '../../../src/report/source-paths';

const context: SourceContext = {
  workspace: '/home/runner/work/shop/shop',
  actionRoot: '/home/runner/work/_actions/org/chaos-action/v1',
  serverUrl: 'https://github.example/',
  repository: 'acme/shop',
  sha: 'c0ffee0000000000000000000000000000000042',
};

describe('locateSource', () => {
  it("links a file of the user's repository to its line at the head commit", () => {
    expect(locateSource(context, '/home/runner/work/shop/shop/chaos/cart failure.yml', 12)).toEqual({
      text: 'chaos/cart failure.yml:12',
      repoPath: 'chaos/cart failure.yml',
      url: 'https://github.example/acme/shop/blob/c0ffee0000000000000000000000000000000042/chaos/cart%20failure.yml#L12',
    });
  });

  it("shows a built-in scenario relative to the action's checkout, unlinked", () => {
    expect(
      locateSource(context, '/home/runner/work/_actions/org/chaos-action/v1/scenarios/redis-failure.yml', 14),
    ).toEqual({ text: 'scenarios/redis-failure.yml:14', repoPath: null, url: null });
  });

  it('prefers the repository when the action checks itself out (a built-in is then a repository file)', () => {
    const self = { ...context, actionRoot: context.workspace };
    expect(locateSource(self, '/home/runner/work/shop/shop/scenarios/redis-failure.yml', null)).toMatchObject(
      {
        text: 'scenarios/redis-failure.yml',
        repoPath: 'scenarios/redis-failure.yml',
      },
    );
  });

  it('leaves other paths as recorded and links nothing without a commit', () => {
    expect(locateSource(context, '/tmp/x.yml', 3)).toEqual({
      text: '/tmp/x.yml:3',
      repoPath: null,
      url: null,
    });
    expect(locateSource({ ...context, sha: null }, '/home/runner/work/shop/shop/a.yml', 3).url).toBeNull();
    expect(locateSource(context, '/home/runner/work/shop/shopping/a.yml', 3).repoPath).toBeNull();
  });
});
