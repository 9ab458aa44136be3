// A loopback HTTP server that speaks the slice of GitHub's REST API the sticky comment
// uses, for integration and end-to-end tests (point GITHUB_API_URL or `baseUrl` at
// `await server.start()`). Real HTTP on 127.0.0.1, real pagination with a `Link` header,
// GitHub's JSON error bodies. Every request is recorded.
//
//   GET   /user                                   the token's user; 403 with tokenKind 'installation'
//   GET   /repos/:o/:r/issues/:n/comments          ?per_page (default 30, max 100) &page, Link rel=next/last/prev/first
//   POST  /repos/:o/:r/issues/:n/comments          201; 403 with forbidWrites; 422 when the body is too long
//   PATCH /repos/:o/:r/issues/comments/:id         200; 403 with forbidWrites; 404 unknown id
//   GET   /repos/:o/:r/commits/:sha/pulls          the PRs in options.pullsByCommit[sha]
//   GET   /repos/:o/:r/pulls/:n                    a PR of options.pulls (its head commit); 404 otherwise
//   POST  /repos/:o/:r/check-runs                  201; 403 with forbidWrites or checksPermission false;
//                                                  422 past 50 annotations or a summary/text over 65,535 chars
//   PATCH /repos/:o/:r/check-runs/:id              200; the same limits; annotations accumulate across requests
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeUser {
  login: string;
  id: number;
  type: 'User' | 'Bot';
}

export interface FakeComment {
  id: number;
  issueNumber: number;
  body: string;
  user: FakeUser;
  createdAt: string;
  updatedAt: string;
}

export interface FakePull {
  number: number;
  state: 'open' | 'closed';
  headSha: string;
}

export interface FakeCheckAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: 'notice' | 'warning' | 'failure';
  message: string;
  title?: string;
}

export interface FakeCheckRun {
  id: number;
  owner: string;
  repo: string;
  name: string;
  headSha: string;
  status: 'queued' | 'in_progress' | 'completed';
  conclusion: string | null;
  /** Every status the run went through, in order (e.g. in_progress, completed). */
  statuses: string[];
  output: { title: string | null; summary: string | null; text: string | null };
  annotations: FakeCheckAnnotation[];
}

/** GitHub's limits for check runs. */
export const CHECK_ANNOTATIONS_PER_REQUEST = 50;
export const CHECK_OUTPUT_MAX_CHARS = 65_535;

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

export interface GitHubApiServerOptions {
  /** Answer 403 "Resource not accessible by integration" to POST/PATCH (a fork PR's read-only token). */
  forbidWrites?: boolean;
  /** Largest page the server serves, whatever per_page asks (GitHub: 100). */
  perPage?: number;
  /** The token's user for a PAT; default 'chaos-user'. */
  login?: string;
  /**
   * 'pat': GET /user answers with `login`, comments are written as that user (type User).
   * 'installation' (GITHUB_TOKEN): GET /user answers 403, comments are written as github-actions[bot].
   */
  tokenKind?: 'pat' | 'installation';
  /** When set, requests without `Authorization: token <token>` / `Bearer <token>` get 401. */
  token?: string;
  /** Comments present before the test; ids are assigned in order. issueNumber defaults to 1. */
  preexistingComments?: Array<{ issueNumber?: number; body: string; user?: Partial<FakeUser> }>;
  /** PRs associated with a commit, for push events. */
  pullsByCommit?: Record<string, FakePull[]>;
  /** PRs served by GET /repos/:o/:r/pulls/:n. */
  pulls?: FakePull[];
  /** false: the token has no checks: write (check-run writes answer 403). Default true. */
  checksPermission?: boolean;
}

const ACTIONS_BOT: FakeUser = { login: 'github-actions[bot]', id: 41898282, type: 'Bot' };
const DOCS = 'https://docs.github.com/rest';

export class GitHubApiServer {
  readonly comments: FakeComment[] = [];
  readonly checkRuns: FakeCheckRun[] = [];
  readonly requests: RecordedRequest[] = [];
  private server: Server | null = null;
  private base = '';
  private nextId = 1_000_001;
  private clock = Date.parse('2026-11-27T06:00:00Z');

  constructor(readonly options: GitHubApiServerOptions = {}) {
    for (const c of options.preexistingComments ?? []) {
      this.comments.push(
        this.newComment(c.issueNumber ?? 1, c.body, {
          login: 'someone',
          id: 500,
          type: 'User',
          ...c.user,
        }),
      );
    }
  }

  /** Starts on 127.0.0.1 at a free port; resolves to the base URL (no trailing slash). */
  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        this.send(res, 500, { message: `fake server error: ${String(err)}` });
      });
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = this.server.address() as AddressInfo;
    this.base = `http://127.0.0.1:${port}`;
    return this.base;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  get url(): string {
    return this.base;
  }

  /** The user the server writes comments as. */
  get actingUser(): FakeUser {
    return this.options.tokenKind === 'installation'
      ? ACTIONS_BOT
      : { login: this.options.login ?? 'chaos-user', id: 4242, type: 'User' };
  }

  commentsOn(issueNumber: number): FakeComment[] {
    return this.comments.filter((c) => c.issueNumber === issueNumber);
  }

  /** Requests with the given method whose path matches. */
  requestsTo(method: string, path: RegExp): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && path.test(r.path));
  }

  private newComment(issueNumber: number, body: string, user: FakeUser): FakeComment {
    const at = new Date((this.clock += 1000)).toISOString();
    return { id: this.nextId++, issueNumber, body, user, createdAt: at, updatedAt: at };
  }

  private toJson(owner: string, repo: string, c: FakeComment): Record<string, unknown> {
    return {
      id: c.id,
      node_id: `IC_${c.id}`,
      url: `${this.base}/repos/${owner}/${repo}/issues/comments/${c.id}`,
      html_url: `https://github.com/${owner}/${repo}/pull/${c.issueNumber}#issuecomment-${c.id}`,
      issue_url: `${this.base}/repos/${owner}/${repo}/issues/${c.issueNumber}`,
      body: c.body,
      user: { login: c.user.login, id: c.user.id, type: c.user.type },
      created_at: c.createdAt,
      updated_at: c.updatedAt,
      author_association: c.user.type === 'Bot' ? 'NONE' : 'MEMBER',
    };
  }

  private send(
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void {
    const text = body === undefined ? '' : JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'x-github-media-type': 'github.v3; format=json',
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '4999',
      ...headers,
    });
    res.end(text);
  }

  private error(res: ServerResponse, status: number, message: string, doc: string): void {
    this.send(res, status, { message, documentation_url: `${DOCS}/${doc}`, status: String(status) });
  }

  private async readBody(req: IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    if (!text) return undefined;
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.base);
    const method = (req.method ?? 'GET').toUpperCase();
    const body = await this.readBody(req);
    this.requests.push({
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      body,
    });

    if (this.options.token !== undefined) {
      const auth = req.headers.authorization ?? '';
      if (auth !== `token ${this.options.token}` && auth !== `Bearer ${this.options.token}`) {
        return this.error(res, 401, 'Bad credentials', 'overview/troubleshooting-the-rest-api');
      }
    }

    let m: RegExpExecArray | null;
    if (method === 'GET' && url.pathname === '/user') {
      if (this.options.tokenKind === 'installation') {
        return this.error(
          res,
          403,
          'Resource not accessible by integration',
          'users/users#get-the-authenticated-user',
        );
      }
      const u = this.actingUser;
      return this.send(res, 200, {
        login: u.login,
        id: u.id,
        type: u.type,
        html_url: `https://github.com/${u.login}`,
      });
    }

    if ((m = /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/.exec(url.pathname))) {
      const [, owner, repo, n] = m;
      const issue = Number(n);
      if (method === 'GET') return this.list(res, url, owner, repo, issue);
      if (method === 'POST') {
        if (this.options.forbidWrites) {
          return this.error(
            res,
            403,
            'Resource not accessible by integration',
            'issues/comments#create-an-issue-comment',
          );
        }
        const text = (body as { body?: unknown } | undefined)?.body;
        if (typeof text !== 'string' || text.length === 0) {
          return this.send(res, 422, {
            message: 'Validation Failed',
            errors: [{ resource: 'IssueComment', code: 'missing_field', field: 'body' }],
          });
        }
        if (text.length > 65_536) {
          return this.send(res, 422, {
            message: 'Validation Failed',
            errors: [
              {
                resource: 'IssueComment',
                code: 'custom',
                field: 'body',
                message: 'body is too long (maximum is 65536 characters)',
              },
            ],
          });
        }
        const c = this.newComment(issue, text, this.actingUser);
        this.comments.push(c);
        return this.send(res, 201, this.toJson(owner, repo, c), {
          location: `${this.base}/repos/${owner}/${repo}/issues/comments/${c.id}`,
        });
      }
    }

    if (
      (m = /^\/repos\/([^/]+)\/([^/]+)\/issues\/comments\/(\d+)$/.exec(url.pathname)) &&
      method === 'PATCH'
    ) {
      const [, owner, repo, id] = m;
      if (this.options.forbidWrites) {
        return this.error(
          res,
          403,
          'Resource not accessible by integration',
          'issues/comments#update-an-issue-comment',
        );
      }
      const c = this.comments.find((x) => x.id === Number(id));
      if (!c) return this.error(res, 404, 'Not Found', 'issues/comments#update-an-issue-comment');
      const text = (body as { body?: unknown } | undefined)?.body;
      if (typeof text !== 'string' || text.length > 65_536) {
        return this.send(res, 422, { message: 'Validation Failed' });
      }
      c.body = text;
      c.updatedAt = new Date((this.clock += 1000)).toISOString();
      return this.send(res, 200, this.toJson(owner, repo, c));
    }

    if ((m = /^\/repos\/([^/]+)\/([^/]+)\/commits\/([^/]+)\/pulls$/.exec(url.pathname)) && method === 'GET') {
      const [, owner, repo, sha] = m;
      const pulls = this.options.pullsByCommit?.[sha] ?? [];
      return this.send(
        res,
        200,
        pulls.map((p) => ({
          id: 90_000 + p.number,
          number: p.number,
          state: p.state,
          title: `PR #${p.number}`,
          html_url: `https://github.com/${owner}/${repo}/pull/${p.number}`,
          head: { sha: p.headSha, ref: `feature-${p.number}` },
          base: { ref: 'main' },
        })),
      );
    }

    if ((m = /^\/repos\/([^/]+)\/([^/]+)\/pulls\/(\d+)$/.exec(url.pathname)) && method === 'GET') {
      const [, owner, repo, n] = m;
      const p = (this.options.pulls ?? []).find((x) => x.number === Number(n));
      if (!p) return this.error(res, 404, 'Not Found', 'pulls/pulls#get-a-pull-request');
      return this.send(res, 200, {
        id: 90_000 + p.number,
        number: p.number,
        state: p.state,
        html_url: `https://github.com/${owner}/${repo}/pull/${p.number}`,
        head: { sha: p.headSha, ref: `feature-${p.number}` },
        base: { ref: 'main', repo: { full_name: `${owner}/${repo}` } },
      });
    }

    if ((m = /^\/repos\/([^/]+)\/([^/]+)\/check-runs(?:\/(\d+))?$/.exec(url.pathname))) {
      const [, owner, repo, id] = m;
      if (method === 'POST' && id === undefined) return this.checkRun(res, owner, repo, null, body);
      if (method === 'PATCH' && id !== undefined) return this.checkRun(res, owner, repo, Number(id), body);
    }

    return this.error(res, 404, 'Not Found', 'overview');
  }

  /** Check runs on a commit, in creation order. */
  checkRunsOn(headSha: string): FakeCheckRun[] {
    return this.checkRuns.filter((c) => c.headSha === headSha);
  }

  /** POST (id null) or PATCH a check run, with GitHub's limits. */
  private checkRun(res: ServerResponse, owner: string, repo: string, id: number | null, body: unknown): void {
    const doc = id === null ? 'checks/runs#create-a-check-run' : 'checks/runs#update-a-check-run';
    if (this.options.forbidWrites || this.options.checksPermission === false) {
      return this.error(res, 403, 'Resource not accessible by integration', doc);
    }
    const b = (body ?? {}) as {
      name?: unknown;
      head_sha?: unknown;
      status?: unknown;
      conclusion?: unknown;
      output?: { title?: unknown; summary?: unknown; text?: unknown; annotations?: unknown };
    };
    const invalid = (message: string) =>
      this.send(res, 422, {
        message: 'Validation Failed',
        errors: [{ resource: 'CheckRun', code: 'custom', message }],
        documentation_url: `${DOCS}/${doc}`,
      });
    const annotations = (b.output?.annotations ?? []) as FakeCheckAnnotation[];
    if (!Array.isArray(annotations)) return invalid('output.annotations must be an array');
    if (annotations.length > CHECK_ANNOTATIONS_PER_REQUEST) {
      return invalid(`Only ${CHECK_ANNOTATIONS_PER_REQUEST} annotations are allowed per request`);
    }
    for (const a of annotations) {
      if (typeof a?.path !== 'string' || !Number.isInteger(a.start_line) || !Number.isInteger(a.end_line))
        return invalid('each annotation needs path, start_line and end_line');
      if (!['notice', 'warning', 'failure'].includes(a.annotation_level))
        return invalid(`annotation_level ${String(a.annotation_level)} is not notice, warning or failure`);
      if (typeof a.message !== 'string' || a.message.length === 0)
        return invalid('an annotation needs a message');
    }
    for (const field of ['summary', 'text'] as const) {
      const v = b.output?.[field];
      if (typeof v === 'string' && v.length > CHECK_OUTPUT_MAX_CHARS) {
        return invalid(`output.${field} is too long (maximum is ${CHECK_OUTPUT_MAX_CHARS} characters)`);
      }
    }
    if (
      b.output !== undefined &&
      (typeof b.output.title !== 'string' || typeof b.output.summary !== 'string')
    ) {
      return invalid('output needs a title and a summary');
    }
    if (
      b.conclusion !== undefined &&
      !['success', 'neutral', 'failure', 'cancelled', 'skipped', 'timed_out', 'action_required'].includes(
        String(b.conclusion),
      )
    ) {
      return invalid(`conclusion ${String(b.conclusion)} is not valid`);
    }
    let run: FakeCheckRun | undefined;
    if (id === null) {
      if (typeof b.name !== 'string' || typeof b.head_sha !== 'string')
        return invalid('name and head_sha are required');
      run = {
        id: this.nextId++,
        owner,
        repo,
        name: b.name,
        headSha: b.head_sha,
        status: 'queued',
        conclusion: null,
        statuses: [],
        output: { title: null, summary: null, text: null },
        annotations: [],
      };
      this.checkRuns.push(run);
    } else {
      run = this.checkRuns.find((c) => c.id === id && c.owner === owner && c.repo === repo);
      if (!run) return this.error(res, 404, 'Not Found', doc);
    }
    const status =
      b.conclusion !== undefined ? 'completed' : (b.status as FakeCheckRun['status'] | undefined);
    if (status) {
      run.status = status;
      run.statuses.push(status);
    }
    if (b.conclusion !== undefined) run.conclusion = String(b.conclusion);
    if (b.output) {
      run.output = {
        title: b.output.title as string,
        summary: b.output.summary as string,
        text: typeof b.output.text === 'string' ? b.output.text : run.output.text,
      };
      run.annotations.push(...annotations);
    }
    return this.send(res, id === null ? 201 : 200, {
      id: run.id,
      name: run.name,
      head_sha: run.headSha,
      status: run.status,
      conclusion: run.conclusion,
      html_url: `https://github.com/${owner}/${repo}/runs/${run.id}`,
      output: { ...run.output, annotations_count: run.annotations.length },
    });
  }

  private list(res: ServerResponse, url: URL, owner: string, repo: string, issue: number): void {
    const asked = Number(url.searchParams.get('per_page') ?? '30');
    const perPage = Math.max(
      1,
      Math.min(Number.isFinite(asked) ? asked : 30, 100, this.options.perPage ?? 100),
    );
    const page = Math.max(1, Number(url.searchParams.get('page') ?? '1') || 1);
    const all = this.commentsOn(issue);
    const last = Math.max(1, Math.ceil(all.length / perPage));
    const items = all.slice((page - 1) * perPage, page * perPage).map((c) => this.toJson(owner, repo, c));
    const link = (p: number, rel: string) => {
      const u = new URL(`${this.base}${url.pathname}`);
      u.searchParams.set('per_page', String(perPage));
      u.searchParams.set('page', String(p));
      return `<${u.toString()}>; rel="${rel}"`;
    };
    const links: string[] = [];
    if (page > 1) links.push(link(page - 1, 'prev'), link(1, 'first'));
    if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'));
    this.send(res, 200, items, links.length > 0 ? { link: links.join(', ') } : {});
  }
}
