// The packaged action (dist/index.js, run as the runner runs it) prints text it did not write as
// text: a line of that text that reads as a workflow command (`::warning file=...::`) is made
// inert before it reaches the log. The hostile text arrives through an input that ends up in a
// logged note (a missing baseline file's path); a stack that cannot start ends the run in a second.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runPackagedAction } from '../helpers/action-runner';

jest.setTimeout(120_000);

const INJECTED = '::warning file=README.md,line=1::x';

describe('workflow commands in the packaged action log', () => {
  it('a reason containing ::warning file=README.md,line=1::x does not become a command', async () => {
    const workspace = mkdtempSync(path.join(tmpdir(), 'log-injection-'));
    // An image that is never pulled: compose up fails at once, after the notes are logged.
    writeFileSync(
      path.join(workspace, 'docker-compose.yml'),
      "services:\n  web:\n    image: chaos-action-absent-image:never\n    pull_policy: never\n    ports: ['8080']\n",
    );
    const run = await runPackagedAction({
      apiUrl: 'http://127.0.0.1:9',
      workspace,
      inputs: {
        'compose-file': 'docker-compose.yml',
        scenarios: 'load-test',
        'service-map': 'api=web',
        comment: 'false',
        'baseline-results': `nightly.json\n${INJECTED}`,
      },
    });
    const lines = run.main.stdout.split('\n');
    // The hostile text was printed (the path is in the note) ...
    expect(run.main.stdout).toContain('warning file=README.md,line=1::x');
    // ... and no line of the log is a command the runner would run, other than our own ::error.
    const commands = lines.filter((line) => /^\s*(::|##\[)/.test(line));
    expect(commands.filter((line) => !line.startsWith('::error::chaos-action:'))).toEqual([]);
    expect(lines.some((line) => line.startsWith(':\u2060:warning file=README.md'))).toBe(true);
  });
});
