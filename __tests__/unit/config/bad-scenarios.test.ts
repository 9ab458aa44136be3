// Every malformed fixture in __tests__/fixtures/bad-scenarios gives exactly the message in
// expected.json (file:line: field: message), through the same code as `chaos-action validate`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { builtinScenariosDir } from '../../../src/config/load-scenarios';
import { formatReport, validatePaths } from '../../../src/config/validate';

const root = path.resolve(__dirname, '../../..');
const fixtures = path.join(root, '__tests__/fixtures/bad-scenarios');
const expected: Record<string, string> = JSON.parse(
  fs.readFileSync(path.join(fixtures, 'expected.json'), 'utf8'),
);

describe('bad scenario fixtures', () => {
  const cwd = process.cwd();
  beforeAll(() => process.chdir(root));
  afterAll(() => process.chdir(cwd));

  it('has an expected message for every fixture, and at least 15 of them', () => {
    const onDisk = fs
      .readdirSync(fixtures)
      .filter((f) => f !== 'expected.json')
      .map((f) => (fs.existsSync(path.join(fixtures, f, 'suites.yml')) ? `${f}/suites.yml` : f))
      .sort();
    expect(Object.keys(expected).sort()).toEqual(onDisk);
    expect(onDisk.length).toBeGreaterThanOrEqual(15);
  });

  it.each(Object.entries(expected))('%s', (name, message) => {
    const target = path.relative(root, path.join(fixtures, name));
    const report = validatePaths([target], { builtinDir: builtinScenariosDir() });
    expect(report.ok).toEqual([]);
    expect(formatReport(report).join('\n')).toBe(message);
  });
});
