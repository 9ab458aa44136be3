// The workflow `init` writes does what its comments say: pull requests compare with the artifact
// the nightly run uploads, a person can run any built-in suite by hand, and it gives the action
// only inputs action.yml declares; GitHub's schema accepts it.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { validateWorkflow } from '@action-validator/core';
import { parse } from 'yaml';
import { renderWorkflow } from '../../../src/config/starter-files';
import { inputSettings } from '../../../src/config/settings';

interface Step {
  name?: string;
  uses?: string;
  if?: string;
  with?: Record<string, string>;
}

const text = renderWorkflow('chaos-action.yml');
const doc = parse(text) as {
  on: { workflow_dispatch: { inputs: { suite: { options: string[] } } } };
  permissions: Record<string, string>;
  jobs: { chaos: { steps: Step[] } };
};
const steps = doc.jobs.chaos.steps;
const root = path.join(__dirname, '../../..');

describe('the workflow init writes', () => {
  it('validates against the workflow schema', () => {
    expect(validateWorkflow(text).errors).toEqual([]);
  });

  it('offers every built-in suite by hand', () => {
    const suites = Object.keys(
      parse(readFileSync(path.join(root, 'scenarios/suites.yml'), 'utf8')) as object,
    );
    expect(doc.on.workflow_dispatch.inputs.suite.options.sort()).toEqual(suites.sort());
  });

  it('downloads, on a pull request, the artifact the nightly run uploads, and passes it as baseline-results', () => {
    const download = steps.find((s) => s.uses?.startsWith('dawidd6/action-download-artifact@'));
    const upload = steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'));
    const gate = steps.find((s) => s.uses?.startsWith('org/chaos-action@'));
    expect(download?.if).toBe("github.event_name == 'pull_request'");
    expect(upload?.with?.name).toContain("github.event_name == 'schedule' && 'nightly'");
    expect(download?.with?.name).toBe('chaos-results-nightly');
    expect(gate?.with?.['baseline-results']).toContain(`${download?.with?.path}/results.json`);
    expect(doc.permissions.actions).toBe('read');
  });

  it('gives the action only inputs it declares', () => {
    const gate = steps.find((s) => s.uses?.startsWith('org/chaos-action@'));
    const inputs = inputSettings().map((s) => s.name);
    expect(Object.keys(gate?.with ?? {}).filter((key) => !inputs.includes(key))).toEqual([]);
  });
});
