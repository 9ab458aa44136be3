// The workflows this repository runs and the one `init` writes (issue 27, findings 4 and 8):
// every third-party action pinned by commit (a tag can be moved to other code), and no checkout
// that leaves the token in .git/config, where any container that mounts the checkout reads it.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { renderWorkflow } from '../../../src/config/starter-files';

const root = path.join(__dirname, '../../..');
const dir = path.join(root, '.github/workflows');

interface Step {
  uses?: string;
  with?: Record<string, unknown>;
}

function steps(text: string): Step[] {
  const doc = parseYaml(text) as { jobs: Record<string, { steps?: Step[] }> };
  return Object.values(doc.jobs).flatMap((job) => job.steps ?? []);
}

const workflows: Array<[string, string]> = [
  ...readdirSync(dir)
    .filter((name) => name.endsWith('.yml'))
    .map((name): [string, string] => [
      `.github/workflows/${name}`,
      readFileSync(path.join(dir, name), 'utf8'),
    ]),
  ['the workflow init writes', renderWorkflow('chaos-action.yml')],
];

describe.each(workflows)('%s', (_, text) => {
  const used = steps(text).filter((step) => step.uses);

  it('pins every third-party action by its commit', () => {
    const loose = used
      .map((step) => step.uses as string)
      // This action itself: the repository runs its own checkout; the copies name the published one.
      .filter((uses) => !uses.startsWith('./') && !uses.startsWith('org/chaos-action@'))
      .filter((uses) => !/^[\w.-]+\/[\w.-]+(\/[\w./-]+)?@[0-9a-f]{40}$/.test(uses));
    expect(loose).toEqual([]);
  });

  it('checks out without persisting the token', () => {
    const checkouts = used.filter((step) => step.uses?.startsWith('actions/checkout@'));
    expect(checkouts.filter((step) => step.with?.['persist-credentials'] !== false)).toEqual([]);
  });
});
