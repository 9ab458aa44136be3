// Where a scenario file is, as a reader of the report sees it. Pure.
//
// A run records scenario files by their path on the runner (/home/runner/work/shop/shop/…,
// /home/runner/work/_actions/org/chaos-action/v1/scenarios/…). The report shows instead:
// - a file of the user's repository (under GITHUB_WORKSPACE) by its repository path, linked
//   to that file and line at the commit measured (the PR's head):
//   `${GITHUB_SERVER_URL}/${OWNER}/${REPO}/blob/${SHA}/${path}#L${line}`;
// - a built-in scenario (under the action's own checkout) as `scenarios/redis-failure.yml`,
//   unlinked: it is not a file of the user's repository;
// - anything else as recorded.
import path from 'node:path';

export interface SourceContext {
  /** GITHUB_WORKSPACE of the run that measured (the user's checkout). */
  workspace: string | null;
  /** The action's own checkout (the directory that holds its scenarios/), or null. */
  actionRoot: string | null;
  /** GITHUB_SERVER_URL, e.g. https://github.com. */
  serverUrl: string | null;
  /** OWNER/REPO. */
  repository: string | null;
  /** The commit measured (the PR's head). */
  sha: string | null;
}

export interface SourcePlace {
  /** What the report shows: a relative path, with `:line` when a line is given. */
  text: string;
  /** The path inside the user's repository (for annotations), or null when the file is not in it. */
  repoPath: string | null;
  /** A link to the file and line at the commit measured, or null. */
  url: string | null;
}

/** `file` relative to `root` with forward slashes, or null when it is not under `root`. */
function under(root: string | null, file: string): string | null {
  if (!root || !path.isAbsolute(file)) return null;
  const relative = path.relative(path.resolve(root), path.resolve(file));
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return null;
  return relative.split(path.sep).join('/');
}

/** The segment-wise URL encoding of a repository path. */
function encodePath(repoPath: string): string {
  return repoPath.split('/').map(encodeURIComponent).join('/');
}

export function locateSource(context: SourceContext, file: string, line: number | null): SourcePlace {
  const withLine = (p: string) => (line === null ? p : `${p}:${line}`);
  // The user's repository first: this very repository checks itself out, and there a
  // built-in scenario is also a repository file.
  const inRepository = path.isAbsolute(file) ? under(context.workspace, file) : null;
  if (inRepository) {
    const { serverUrl, repository, sha } = context;
    const url =
      serverUrl && repository && sha && /^[0-9a-f]{7,64}$/i.test(sha) && /^[\w.-]+\/[\w.-]+$/.test(repository)
        ? `${serverUrl.replace(/\/+$/, '')}/${repository}/blob/${sha}/${encodePath(inRepository)}${line === null ? '' : `#L${line}`}`
        : null;
    return { text: withLine(inRepository), repoPath: inRepository, url };
  }
  const builtin = under(context.actionRoot, file);
  if (builtin) return { text: withLine(builtin), repoPath: null, url: null };
  return { text: withLine(file), repoPath: null, url: null };
}

/** The source context of a run on GitHub Actions: the workspace, the action's checkout, the server and the commit. */
export function sourceContextFromEnv(
  env: NodeJS.ProcessEnv,
  actionRoot: string | null,
  sha: string | null,
): SourceContext {
  return {
    workspace: env.GITHUB_WORKSPACE ? path.resolve(env.GITHUB_WORKSPACE) : null,
    actionRoot,
    serverUrl: env.GITHUB_SERVER_URL || 'https://github.com',
    repository: env.GITHUB_REPOSITORY || null,
    sha,
  };
}
