// The packaged post step on its own, as the runner runs it after a main step that died: it
// removes the compose projects the main step saved in its state, the PR's and a paired run's
// base stack, and nothing else.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execCommand } from '../../src/util/exec';
import { NOTHING_LEFT, projectLeftovers } from '../helpers/leftovers';

const root = path.join(__dirname, '../..');
jest.setTimeout(120_000);

async function containerIn(project: string, service: string): Promise<void> {
  const made = await execCommand('docker', [
    ...['run', '-d', '--label', `com.docker.compose.project=${project}`],
    ...['--label', `com.docker.compose.service=${service}`, '--label', 'com.docker.compose.oneoff=False'],
    ...['--entrypoint', 'sleep', 'chaos-action-example/redis:local', '300'],
  ]);
  expect(made.code).toBe(0);
}

it('removes the saved project and the paired base project, and leaves another project alone', async () => {
  const id = Date.now().toString(36);
  const [pr, base, other] = [`post-${id}`, `post-${id}-base`, `post-${id}-other`];
  await containerIn(pr, 'web');
  await containerIn(base, 'web');
  await containerIn(other, 'web');
  try {
    const work = mkdtempSync(path.join(tmpdir(), 'chaos-post-'));
    const journal = path.join(work, 'journal.json');
    writeFileSync(journal, JSON.stringify({ version: 1, entries: [] }));
    const post = await execCommand(process.execPath, [path.join(root, 'dist/post/index.js')], {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        GITHUB_ACTIONS: 'true',
        RUNNER_TEMP: work,
        'STATE_journal-path': journal,
        'STATE_compose-project': pr,
        'STATE_base-compose-project': base,
        'STATE_run-id': 'post-test',
      },
    });
    expect({ code: post.code, out: post.stdout }).toEqual({
      code: 0,
      out: expect.stringContaining(`${base} removed`),
    });
    expect(await projectLeftovers(pr)).toEqual(NOTHING_LEFT);
    expect(await projectLeftovers(base)).toEqual(NOTHING_LEFT);
    expect((await projectLeftovers(other)).containers).toHaveLength(1);
  } finally {
    for (const project of [pr, base, other]) {
      const ids = await execCommand('docker', [
        'ps',
        '-aq',
        '--filter',
        `label=com.docker.compose.project=${project}`,
      ]);
      const list = ids.stdout.split('\n').filter(Boolean);
      if (list.length) await execCommand('docker', ['rm', '-f', ...list]);
    }
  }
});
