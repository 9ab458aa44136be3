// The sticky comment over real HTTP: @actions/github's Octokit → a loopback server that
// speaks GitHub's REST endpoints (pagination with Link headers, 403 bodies, …).
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stickyMarker, upsertStickyComment, type StickyCommentOptions } from '../../../src/report/comment';
import { renderReport } from '../../../src/report/markdown';
import { GitHubApiServer } from '../../helpers/github-api-server';
import { buildRun, failingScenario, longLogs } from '../../helpers/sample-results';

const MARKER = stickyMarker('Chaos gate', 'chaos');
let stdout: string[] = [];
let summaryPath = '';

beforeAll(async () => {
  summaryPath = join(await mkdtemp(join(tmpdir(), 'chaos-summary-')), 'summary.md');
});

beforeEach(async () => {
  stdout = [];
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout.push(String(chunk));
    return true;
  });
  await writeFile(summaryPath, '');
  process.env.GITHUB_STEP_SUMMARY = summaryPath;
});

afterEach(() => {
  jest.restoreAllMocks();
  delete process.env.GITHUB_STEP_SUMMARY;
});

async function withServer(
  opts: ConstructorParameters<typeof GitHubApiServer>[0],
  fn: (
    server: GitHubApiServer,
    base: (o?: Partial<StickyCommentOptions>) => StickyCommentOptions,
  ) => Promise<void>,
): Promise<void> {
  const server = new GitHubApiServer(opts);
  const url = await server.start();
  const base = (o: Partial<StickyCommentOptions> = {}): StickyCommentOptions => ({
    token: 'ghs_test',
    owner: 'acme',
    repo: 'fraud-api',
    issueNumber: 42,
    body: 'report v1',
    workflow: 'Chaos gate',
    job: 'chaos',
    baseUrl: url,
    ...o,
  });
  try {
    await fn(server, base);
  } finally {
    await server.stop();
  }
}

describe('sticky PR comment', () => {
  it('creates one comment with the marker, then updates it in place on the next run', async () => {
    await withServer({ login: 'chaos-user', token: 'ghs_test' }, async (server, base) => {
      const first = await upsertStickyComment(base({ body: 'report v1' }));
      expect(first.status).toBe('created');
      expect(first.issueNumber).toBe(42);
      expect(server.commentsOn(42)).toHaveLength(1);
      const [c] = server.commentsOn(42);
      expect(c.body).toBe(`${MARKER}\nreport v1`);
      expect(c.user.login).toBe('chaos-user');
      expect(first.commentId).toBe(c.id);
      expect(first.url).toContain(`#issuecomment-${c.id}`);
      // The token went over the wire.
      expect(server.requests.every((r) => r.headers.authorization === 'token ghs_test')).toBe(true);

      const second = await upsertStickyComment(base({ body: 'report v2' }));
      expect(second).toMatchObject({ status: 'updated', commentId: c.id });
      expect(server.commentsOn(42)).toHaveLength(1);
      expect(server.commentsOn(42)[0].body).toBe(`${MARKER}\nreport v2`);
      expect(server.requestsTo('POST', /comments$/)).toHaveLength(1);
      expect(server.requestsTo('PATCH', new RegExp(`/issues/comments/${c.id}$`))).toHaveLength(1);
    });
  });

  it('finds its comment on page 2 of a paginated listing (follows the Link header)', async () => {
    const others = Array.from({ length: 130 }, (_, i) => ({
      issueNumber: 42,
      body: `review comment ${i}`,
      user: { login: i % 2 ? 'alice' : 'renovate[bot]', type: (i % 2 ? 'User' : 'Bot') as 'User' | 'Bot' },
    }));
    const mine = {
      issueNumber: 42,
      body: `${MARKER}\nold report`,
      user: { login: 'chaos-user', type: 'User' as const },
    };
    const later = Array.from({ length: 30 }, (_, i) => ({ issueNumber: 42, body: `later ${i}` }));
    await withServer(
      { login: 'chaos-user', preexistingComments: [...others, mine, ...later] },
      async (server, base) => {
        const target = server.comments[130];
        expect(target.body).toContain(MARKER);
        const r = await upsertStickyComment(base({ body: 'new report' }));
        expect(r).toMatchObject({ status: 'updated', commentId: target.id });
        expect(target.body).toBe(`${MARKER}\nnew report`);
        expect(server.commentsOn(42)).toHaveLength(161);
        const lists = server.requestsTo('GET', /\/issues\/42\/comments$/);
        expect(lists.map((l) => l.query)).toEqual([{ per_page: '100' }, { per_page: '100', page: '2' }]);
        expect(server.requestsTo('POST', /comments$/)).toHaveLength(0);
      },
    );
  });

  it('also pages when the server serves fewer than asked (perPage 25)', async () => {
    const others = Array.from({ length: 60 }, (_, i) => ({ issueNumber: 42, body: `c ${i}` }));
    const mine = {
      issueNumber: 42,
      body: `${MARKER}\nold`,
      user: { login: 'chaos-user', type: 'User' as const },
    };
    await withServer(
      { login: 'chaos-user', perPage: 25, preexistingComments: [...others, mine] },
      async (server, base) => {
        const r = await upsertStickyComment(base());
        expect(r.status).toBe('updated');
        expect(server.requestsTo('GET', /\/comments$/)).toHaveLength(3);
      },
    );
  });

  it('does not hijack a comment with the marker written by another author', async () => {
    const impostor = {
      issueNumber: 42,
      body: `${MARKER}\nI copied your marker`,
      user: { login: 'mallory', type: 'User' as const },
    };
    await withServer({ login: 'chaos-user', preexistingComments: [impostor] }, async (server, base) => {
      const r = await upsertStickyComment(base({ body: 'real report' }));
      expect(r.status).toBe('created');
      expect(server.comments[0].body).toBe(`${MARKER}\nI copied your marker`);
      expect(server.commentsOn(42)).toHaveLength(2);
      expect(server.requestsTo('PATCH', /.*/)).toHaveLength(0);
    });
  });

  it('a different workflow/job has its own comment', async () => {
    await withServer({ login: 'chaos-user' }, async (server, base) => {
      await upsertStickyComment(base({ job: 'chaos' }));
      await upsertStickyComment(base({ job: 'nightly' }));
      expect(server.commentsOn(42)).toHaveLength(2);
      expect(server.commentsOn(42)[1].body).toContain('job=nightly');
    });
  });

  it('GITHUB_TOKEN: GET /user is 403, so it matches the github-actions[bot] comment, never a human one', async () => {
    const human = {
      issueNumber: 42,
      body: `${MARKER}\nhuman`,
      user: { login: 'mallory', type: 'User' as const },
    };
    const bot = {
      issueNumber: 42,
      body: `${MARKER}\nbot`,
      user: { login: 'github-actions[bot]', id: 41898282, type: 'Bot' as const },
    };
    await withServer(
      { tokenKind: 'installation', preexistingComments: [human, bot] },
      async (server, base) => {
        const r = await upsertStickyComment(base({ body: 'fresh' }));
        expect(server.requestsTo('GET', /^\/user$/)).toHaveLength(1);
        expect(r).toMatchObject({ status: 'updated', commentId: server.comments[1].id });
        expect(server.comments[0].body).toBe(`${MARKER}\nhuman`);
        expect(server.comments[1].body).toBe(`${MARKER}\nfresh`);
      },
    );
    await withServer({ tokenKind: 'installation', preexistingComments: [human] }, async (server, base) => {
      const r = await upsertStickyComment(base({ body: 'fresh' }));
      expect(r.status).toBe('created');
      expect(server.comments[1].user.login).toBe('github-actions[bot]');
    });
  });

  it("GITHUB_TOKEN: another app's bot comment that carries the marker is not taken over", async () => {
    const otherBot = {
      issueNumber: 42,
      body: `${MARKER}\nplanted`,
      user: { login: 'some-app[bot]', id: 777, type: 'Bot' as const },
    };
    await withServer({ tokenKind: 'installation', preexistingComments: [otherBot] }, async (server, base) => {
      const r = await upsertStickyComment(base({ body: 'fresh' }));
      expect(r.status).toBe('created');
      expect(server.comments[0].body).toBe(`${MARKER}\nplanted`);
      expect(server.comments[1].user.login).toBe('github-actions[bot]');
      expect(server.requestsTo('PATCH', /comments/)).toHaveLength(0);
    });
  });

  it("PAT: a marker comment by anyone but the token's user is not taken over", async () => {
    const planted = [
      {
        issueNumber: 42,
        body: `${MARKER}\nbot`,
        user: { login: 'github-actions[bot]', id: 41898282, type: 'Bot' as const },
      },
      { issueNumber: 42, body: `${MARKER}\nhuman`, user: { login: 'mallory', type: 'User' as const } },
    ];
    await withServer({ login: 'chaos-user', preexistingComments: planted }, async (server, base) => {
      const r = await upsertStickyComment(base({ body: 'fresh' }));
      expect(r.status).toBe('created');
      expect(server.comments.map((c) => c.user.login)).toEqual([
        'github-actions[bot]',
        'mallory',
        'chaos-user',
      ]);
      expect(server.comments[0].body).toBe(`${MARKER}\nbot`);
      expect(server.comments[1].body).toBe(`${MARKER}\nhuman`);
    });
  });

  it('fork PR (read-only token, 403 on write): status forbidden, a warning, the report in the job summary, no throw', async () => {
    await withServer({ login: 'chaos-user', forbidWrites: true }, async (server, base) => {
      const r = await upsertStickyComment(base({ body: '### ❌ chaos gate failed' }));
      expect(r).toEqual({ status: 'forbidden', issueNumber: 42, commentId: null, url: null });
      expect(server.comments).toHaveLength(0);
      expect(server.requestsTo('POST', /comments$/)).toHaveLength(1);
      const warnings = stdout.filter((l) => l.startsWith('::warning::'));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain('HTTP 403: Resource not accessible by integration');
      expect(await readFile(summaryPath, 'utf8')).toContain('### ❌ chaos gate failed');
    });
  });

  it('fork PR on update: PATCH 403 is also forbidden, not an error', async () => {
    const mine = {
      issueNumber: 42,
      body: `${MARKER}\nold`,
      user: { login: 'chaos-user', type: 'User' as const },
    };
    await withServer(
      { login: 'chaos-user', forbidWrites: true, preexistingComments: [mine] },
      async (server, base) => {
        const r = await upsertStickyComment(base({ fallbackToSummary: false }));
        expect(r.status).toBe('forbidden');
        expect(server.requestsTo('PATCH', /.*/)).toHaveLength(1);
        expect(await readFile(summaryPath, 'utf8')).toBe('');
      },
    );
  });

  it('push event: finds the open PR through the commit', async () => {
    const sha = '9f3c2b1a8e7d6c5b4a39281706f5e4d3c2b1a098';
    const pullsByCommit = {
      [sha]: [
        { number: 7, state: 'closed' as const, headSha: sha },
        { number: 9, state: 'open' as const, headSha: sha },
      ],
    };
    await withServer({ login: 'chaos-user', pullsByCommit }, async (server, base) => {
      const r = await upsertStickyComment(base({ issueNumber: null, sha }));
      expect(r).toMatchObject({ status: 'created', issueNumber: 9 });
      expect(server.requestsTo('GET', new RegExp(`/commits/${sha}/pulls$`))).toHaveLength(1);
      expect(server.commentsOn(9)).toHaveLength(1);
    });
  });

  it('push event without an open PR: skipped-no-pr with an info line, nothing written', async () => {
    await withServer(
      {
        login: 'chaos-user',
        pullsByCommit: { abc1234: [{ number: 3, state: 'closed', headSha: 'abc1234' }] },
      },
      async (server, base) => {
        const r = await upsertStickyComment(base({ issueNumber: null, sha: 'abc1234' }));
        expect(r.status).toBe('skipped-no-pr');
        expect(server.requestsTo('POST', /.*/)).toHaveLength(0);
        expect(stdout.join('')).toContain('No open pull request contains commit abc1234');
      },
    );
  });

  it('a report over the limit is cut to fit (the server rejects > 65,536 characters like GitHub)', async () => {
    const big = buildRun(
      Array.from({ length: 5 }, (_, i) => ({ ...failingScenario(`s${i}`), logMatches: longLogs(100, 1000) })),
    );
    const body = renderReport(big, { maxBytes: 1_000_000 });
    expect(Buffer.byteLength(body)).toBeGreaterThan(65_535);
    await withServer({ login: 'chaos-user' }, async (server, base) => {
      const r = await upsertStickyComment(base({ body }));
      expect(r.status).toBe('created');
      const stored = server.comments[0].body;
      expect(Buffer.byteLength(stored)).toBeLessThanOrEqual(65_535);
      expect(stored.startsWith(`${MARKER}\n### ❌ chaos gate failed`)).toBe(true);
      expect(stored).toContain("The report was cut to fit GitHub's comment limit");
    });
  });

  it('uses GITHUB_API_URL when no baseUrl is given (GitHub Enterprise, the packaged action)', async () => {
    await withServer({ login: 'chaos-user' }, async (server, base) => {
      process.env.GITHUB_API_URL = server.url;
      try {
        const r = await upsertStickyComment({ ...base(), baseUrl: undefined });
        expect(r.status).toBe('created');
      } finally {
        delete process.env.GITHUB_API_URL;
      }
    });
  });

  it('other failures (a 500) are thrown, for the caller to decide', async () => {
    const broken = createServer((_req, res) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'Server Error' }));
    });
    await new Promise<void>((r) => broken.listen(0, '127.0.0.1', () => r()));
    const { port } = broken.address() as AddressInfo;
    try {
      await expect(
        upsertStickyComment({
          token: 't',
          owner: 'o',
          repo: 'r',
          issueNumber: 1,
          body: 'x',
          authorLogin: 'me',
          baseUrl: `http://127.0.0.1:${port}`,
        }),
      ).rejects.toMatchObject({ status: 500 });
    } finally {
      await new Promise<void>((r) => broken.close(() => r()));
    }
  });
});
