// A bad entry in a scenarios directory is that file's error, reported beside the other files'
// errors: a dangling or looping symlink, an unreadable file, a YAML alias bomb.
import { chmodSync, copyFileSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, formatIssue } from '../../../src/config/errors';
import { loadCatalog } from '../../../src/config/load-scenarios';

const builtins = path.join(__dirname, '../../../scenarios');
const BOMB = [
  'name: bomb',
  'a: &a [x, x, x, x, x, x, x, x, x]',
  'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]',
  'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]',
  'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]',
  'e: [*d, *d, *d, *d, *d, *d, *d, *d, *d]',
  '',
].join('\n');

function catalogErrors(dir: string): string[] {
  try {
    loadCatalog({ builtinDir: null, userDirs: [dir] });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues.map(formatIssue);
  }
  throw new Error('the catalog loaded');
}

describe('bad entries in a scenarios directory', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'scenario-entries-'));
  copyFileSync(path.join(builtins, 'redis-failure.yml'), path.join(dir, 'good.yml'));
  writeFileSync(path.join(dir, 'broken.yml'), 'name: broken\ntitle: x\n');
  symlinkSync(path.join(dir, 'nowhere.yml'), path.join(dir, 'dangling.yml'));
  symlinkSync(path.join(dir, 'loop-b.yml'), path.join(dir, 'loop-a.yml'));
  symlinkSync(path.join(dir, 'loop-a.yml'), path.join(dir, 'loop-b.yml'));
  writeFileSync(path.join(dir, 'bomb.yml'), BOMB);

  it("reports each as file: message, next to the other files' errors", () => {
    const errors = catalogErrors(dir);
    const f = (name: string) => path.join(dir, name);
    expect(errors).toContain(`${f('dangling.yml')}: cannot read the file: ENOENT`);
    expect(errors).toContain(`${f('loop-a.yml')}: cannot read the file: ELOOP`);
    expect(errors).toContain(`${f('loop-b.yml')}: cannot read the file: ELOOP`);
    expect(errors).toContain(
      `${f('bomb.yml')}:3: YAML error: its aliases expand to too many copies (an alias bomb?); at most 100 are allowed`,
    );
    // The ordinary error of another file is still there.
    expect(errors.some((e) => e.startsWith(`${f('broken.yml')}:`))).toBe(true);
    expect(errors.some((e) => e.includes('good.yml'))).toBe(false);
  });

  it('reports an unreadable file the same way (when not root, who reads everything)', () => {
    const unreadable = mkdtempSync(path.join(tmpdir(), 'scenario-unreadable-'));
    const file = path.join(unreadable, 'secret.yml');
    copyFileSync(path.join(builtins, 'redis-failure.yml'), file);
    chmodSync(file, 0o000);
    const root = process.getuid?.() === 0;
    if (root) {
      // root reads a mode-000 file: nothing to report, and nothing thrown.
      expect(() => loadCatalog({ builtinDir: null, userDirs: [unreadable] })).not.toThrow();
    } else {
      expect(catalogErrors(unreadable)).toEqual([`${file}: cannot read the file: EACCES`]);
    }
  });
});
