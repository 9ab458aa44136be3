// Every package package.json lists is used: imported by the code, the tests, the benchmarks or
// a config file, or run as a command by a script, a workflow or an npm script. A listed package
// nothing uses is one more thing to install, audit and keep current for nothing.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const root = path.join(__dirname, '../../..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  scripts: Record<string, string>;
};

function filesUnder(dir: string, extensions: RegExp): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (name === 'node_modules' || name === 'fixtures') return [];
    if (statSync(full).isDirectory()) return filesUnder(full, extensions);
    return extensions.test(name) ? [full] : [];
  });
}

const read = (files: string[]): string => files.map((f) => readFileSync(f, 'utf8')).join('\n');
const code = read([
  ...['src', '__tests__', 'benchmarks', 'scripts'].flatMap((d) =>
    filesUnder(path.join(root, d), /\.(ts|js|mjs|cjs)$/),
  ),
  ...['eslint.config.mjs', 'jest.config.js'].map((f) => path.join(root, f)),
]);
const commands = [
  ...Object.values(pkg.scripts),
  read(filesUnder(path.join(root, 'scripts'), /\.sh$/)),
  read(filesUnder(path.join(root, '.github/workflows'), /\.ya?ml$/)),
].join('\n');

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/**
 * Imported or required as `name` or `name/...`, named as a module in a config (`'ts-jest'`), or
 * loaded by its path (`node_modules/mermaid/dist/mermaid.min.js` into a browser page).
 */
function imported(name: string): boolean {
  if (code.includes(`node_modules/${name}/`)) return true;
  return new RegExp(
    `(from |require\\(|import\\(|require\\.resolve\\(|['"\\[])\\s*['"]${escape(name)}(/[^'"]*)?['"]`,
  ).test(code);
}

/** One of its commands is run (`npx ncc`, `jest --selectProjects`, `tsc -p`). */
function run(name: string): boolean {
  const manifest = path.join(root, 'node_modules', name, 'package.json');
  const bin = (JSON.parse(readFileSync(manifest, 'utf8')) as { bin?: string | Record<string, string> }).bin;
  const bins = typeof bin === 'string' ? [name.split('/').pop() as string] : Object.keys(bin ?? {});
  return bins.some((b) => new RegExp(`(^|[\\s;&|(])(npx\\s+)?${escape(b)}(\\s|$)`, 'm').test(commands));
}

/** `@types/x` is used when x is (`@types/node` and `@types/jest` by every file). */
function typesUsed(name: string): boolean {
  const of = name.slice('@types/'.length);
  return of === 'node' || of === 'jest' || imported(of);
}

const listed = [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.devDependencies ?? {})];

describe('package.json', () => {
  it('finds uses the way it looks for them (a known import, a known command)', () => {
    expect(imported('zod')).toBe(true);
    expect(run('@vercel/ncc')).toBe(true);
    expect(imported('left-pad')).toBe(false);
  });

  it.each(listed)('%s is used', (name) => {
    const used = name.startsWith('@types/') ? typesUsed(name) : imported(name) || run(name);
    expect({ name, used }).toEqual({ name, used: true });
  });
});
