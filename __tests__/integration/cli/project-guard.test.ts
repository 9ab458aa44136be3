// `--project NAME` (or `project:` in a run config) names the compose project a run creates and
// tears down at the end, containers, networks and volumes included. A name that already has
// anything on the engine must be refused before anything starts: exit 2, a clear message, and
// the existing project untouched.
import { runCommand } from '../../../src/cli/run-command';
import { uniqueProjectName } from '../../../src/stack/compose';
import { assertProjectIsNew } from '../../../src/stack/project-guard';
import { execCommand } from '../../../src/util/exec';
import { projectLeftovers } from '../../helpers/leftovers';
import { ensureFixtureImage } from '../faults/helpers';

jest.setTimeout(60_000);

const COMPOSE = 'examples/fraud-api/docker-compose.yml';
const LABEL = 'com.docker.compose.project';

/** `chaos-action run --project NAME` in-process; its exit code and everything it printed. */
async function runWithProject(project: string): Promise<{ code: number; out: string }> {
  let out = '';
  const write = (chunk: string | Uint8Array) => {
    out += chunk.toString();
    return true;
  };
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(write);
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(write);
  try {
    const code = await runCommand([
      '--compose-file',
      COMPOSE,
      '--scenarios',
      'redis-failure',
      '--project',
      project,
    ]);
    return { code, out };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
}

/** Resources made by hand under a project label, as another stack (or a colleague's) would have them. */
const made: Array<[string, string]> = [];
afterAll(async () => {
  for (const [kind, name] of made.reverse()) await execCommand('docker', [kind, 'rm', '-f', name]);
});

test.each([
  ['network', (name: string) => ['network', 'create', '--label', `${LABEL}=${name}`, `${name}_default`]],
  ['volume', (name: string) => ['volume', 'create', '--label', `${LABEL}=${name}`, `${name}_data`]],
  [
    'container',
    (name: string, image: string) => [
      'create',
      '--label',
      `${LABEL}=${name}`,
      '--name',
      `${name}-db-1`,
      image,
      'true',
    ],
  ],
] as const)(
  'a project that already has a %s is refused with exit 2, and is left as it was',
  async (kind, create) => {
    const project = uniqueProjectName('existing');
    const image = kind === 'container' ? await ensureFixtureImage() : '';
    const created = await execCommand('docker', create(project, image));
    expect(created.code).toBe(0);
    made.push([kind === 'container' ? 'container' : kind, created.stdout.trim()]);
    const before = await projectLeftovers(project);

    const { code, out } = await runWithProject(project);

    expect(code).toBe(2);
    expect(out).toMatch(
      new RegExp(
        `^chaos-action run: project: compose project "${project}" already exists on the engine: 1 ${kind} \\(${project}[-_]`,
        'm',
      ),
    );
    expect(out).toContain('choose another name, or leave --project out');
    expect(await projectLeftovers(project)).toEqual(before);
  },
);

test('a new project name passes; a name compose would not accept is refused', async () => {
  await expect(assertProjectIsNew(uniqueProjectName('fresh'))).resolves.toBeUndefined();
  const { code, out } = await runWithProject('Not A Project');
  expect(code).toBe(2);
  expect(out).toMatch(/^chaos-action run: project: "Not A Project" is not a compose project name/m);
});
