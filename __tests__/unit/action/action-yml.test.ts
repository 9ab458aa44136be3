// action.yml and the workflows, checked by @action-validator (SchemaStore's schemas). That
// action.yml declares the inputs the Action reads, and only those, is settings-drift.test.ts's.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { validateAction, validateWorkflow } from '@action-validator/core';
import { parse } from 'yaml';

const root = path.join(__dirname, '../../..');
const actionText = readFileSync(path.join(root, 'action.yml'), 'utf8');

describe('action.yml', () => {
  it('runs on node24 with a main and an always-run post step', () => {
    const action = parse(actionText) as { runs: Record<string, string> };
    expect(action.runs).toEqual({
      using: 'node24',
      main: 'dist/index.js',
      post: 'dist/post/index.js',
      'post-if': 'always()',
    });
  });

  it('validates against the action schema', () => {
    // The validator's bundled schema (0.6.0) predates node24 and knows node12/16/20 only;
    // everything else in the file is checked as it is.
    const state = validateAction(actionText.replace("using: 'node24'", "using: 'node20'"));
    expect(state.errors).toEqual([]);
  });

  it('declares the outputs the main step sets', () => {
    const outputs = Object.keys((parse(actionText) as { outputs: Record<string, unknown> }).outputs).sort();
    const source = readFileSync(path.join(root, 'src/action/main.ts'), 'utf8');
    const set = [...source.matchAll(/setOutput\('([a-z-]+)'/g)].map((m) => m[1]);
    expect([...new Set(set)].sort()).toEqual(outputs);
  });
});

describe('workflows', () => {
  const dir = path.join(root, '.github/workflows');
  const files = readdirSync(dir).filter((file) => file.endsWith('.yml'));

  it('has ci, check-dist, chaos and chaos-report', () => {
    expect(files.sort()).toEqual(['chaos-report.yml', 'chaos.yml', 'check-dist.yml', 'ci.yml']);
  });

  it.each(files)('%s validates against the workflow schema', (file) => {
    expect(validateWorkflow(readFileSync(path.join(dir, file), 'utf8')).errors).toEqual([]);
  });
});
