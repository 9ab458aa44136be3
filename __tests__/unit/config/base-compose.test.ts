// The paired run's base: `base-compose` in a run config, `--base-compose` on the CLI.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadRunConfigFile, parseRunConfig } from '../../../src/config/run-config';

describe('base-compose', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'base-compose-'));
    fs.mkdirSync(path.join(dir, 'base'));
    for (const file of ['base/docker-compose.yml', 'base/override.yml', 'docker-compose.yml'])
      fs.writeFileSync(path.join(dir, file), 'services: {}\n');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('is empty (no paired base) when not given', () => {
    expect(parseRunConfig({ 'compose-files': 'a.yml' }).baseCompose).toEqual([]);
    expect(parseRunConfig({ 'compose-files': 'a.yml', 'base-compose': '' }).baseCompose).toEqual([]);
    expect(parseRunConfig({ 'compose-files': 'a.yml', 'base-compose': [] }).baseCompose).toEqual([]);
  });

  it('reads a list, newline- or comma-separated text, in order', () => {
    const a = path.join(dir, 'base/docker-compose.yml');
    const b = path.join(dir, 'base/override.yml');
    expect(parseRunConfig({ 'compose-files': 'a.yml', 'base-compose': [a, b] }).baseCompose).toEqual([a, b]);
    expect(parseRunConfig({ 'compose-files': 'a.yml', 'base-compose': `${a}\n${b}` }).baseCompose).toEqual([
      a,
      b,
    ]);
    expect(parseRunConfig({ 'compose-files': 'a.yml', 'base-compose': `${a}, ${b}` }).baseCompose).toEqual([
      a,
      b,
    ]);
  });

  it('names the field and the file when a base file is missing', () => {
    const missing = path.join(dir, 'nowhere/docker-compose.yml');
    expect(() => parseRunConfig({ 'compose-files': 'a.yml', 'base-compose': missing }, 'flag')).toThrow(
      `flag base-compose-file: ${missing} does not exist (is the base revision checked out there?)`,
    );
    expect(() => parseRunConfig({ 'compose-files': 'a.yml', 'base-compose': 42 }, 'input')).toThrow(
      'input base-compose-file: expected a list or a comma-separated string, got number',
    );
  });

  it('resolves a config file`s base-compose against the file and reports its line', () => {
    const file = path.join(dir, 'chaos-action.yml');
    fs.writeFileSync(file, 'compose-files: [docker-compose.yml]\nbase-compose: [base/docker-compose.yml]\n');
    expect(loadRunConfigFile(file, {}, null, { workdir: dir })).toMatchObject({
      composeFiles: [path.join(dir, 'docker-compose.yml')],
      baseCompose: [path.join(dir, 'base/docker-compose.yml')],
    });
    fs.writeFileSync(
      file,
      'compose-files: [docker-compose.yml]\nscale: 1\nbase-compose: [old/docker-compose.yml]\n',
    );
    expect(() => loadRunConfigFile(file, {}, null, { workdir: dir })).toThrow(
      `${file}:3: base-compose: ${path.join(dir, 'old/docker-compose.yml')} does not exist`,
    );
  });
});
