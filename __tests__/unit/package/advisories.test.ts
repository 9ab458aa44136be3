// No package in package-lock.json (what ncc bundles into dist/, and the tools that build and
// test it) at a version with a published advisory we know of. The registry's audit endpoint does
// not answer from every machine that runs the tests, so the advisories are listed here, each with
// the versions that fixed it; add one when it is published for anything in the tree.
import { readFileSync } from 'node:fs';
import path from 'node:path';

interface Advisory {
  id: string;
  package: string;
  /** Affected: at or above `from` and below `fixed`, one range per release line. */
  affected: { from: string; fixed: string }[];
}

const ADVISORIES: Advisory[] = [
  {
    id: 'CVE-2024-12905, CVE-2025-48387, CVE-2025-59343 (tar-fs: paths outside the target directory)',
    package: 'tar-fs',
    affected: [
      { from: '0.0.0', fixed: '1.16.6' },
      { from: '2.0.0', fixed: '2.1.4' },
      { from: '3.0.0', fixed: '3.1.1' },
    ],
  },
  {
    id: 'CVE-2025-22150, CVE-2025-47279 (undici: predictable multipart boundary; memory leak on bad certificates)',
    package: 'undici',
    affected: [
      { from: '0.0.0', fixed: '5.29.0' },
      { from: '6.0.0', fixed: '6.21.2' },
      { from: '7.0.0', fixed: '7.5.0' },
    ],
  },
  {
    id: 'CVE-2025-25289 (@octokit/request-error: ReDoS)',
    package: '@octokit/request-error',
    affected: [
      { from: '1.0.0', fixed: '5.1.1' },
      { from: '6.0.0', fixed: '6.1.7' },
    ],
  },
  {
    id: 'CVE-2025-25290 (@octokit/request: ReDoS)',
    package: '@octokit/request',
    affected: [
      { from: '1.0.0', fixed: '8.4.1' },
      { from: '9.0.0', fixed: '9.2.1' },
    ],
  },
  {
    id: 'CVE-2025-25288 (@octokit/plugin-paginate-rest: ReDoS)',
    package: '@octokit/plugin-paginate-rest',
    affected: [
      { from: '1.0.0', fixed: '9.2.2' },
      { from: '10.0.0', fixed: '11.4.1' },
    ],
  },
  {
    id: 'CVE-2025-25285 (@octokit/endpoint: ReDoS)',
    package: '@octokit/endpoint',
    affected: [
      { from: '1.0.0', fixed: '9.0.6' },
      { from: '10.0.0', fixed: '10.1.3' },
    ],
  },
  {
    id: 'CVE-2025-27152, CVE-2025-58754 (axios: absolute URLs; unbounded data: URIs)',
    package: 'axios',
    affected: [{ from: '0.0.0', fixed: '1.12.0' }],
  },
  {
    id: 'CVE-2025-7783 (form-data: predictable boundary)',
    package: 'form-data',
    affected: [
      { from: '0.0.0', fixed: '2.5.4' },
      { from: '3.0.0', fixed: '3.0.4' },
      { from: '4.0.0', fixed: '4.0.4' },
    ],
  },
  {
    id: 'CVE-2024-28849 (follow-redirects: proxy authorization leaked)',
    package: 'follow-redirects',
    affected: [{ from: '0.0.0', fixed: '1.15.6' }],
  },
  {
    id: 'CVE-2023-36665 (protobufjs: prototype pollution)',
    package: 'protobufjs',
    affected: [
      { from: '6.10.0', fixed: '6.11.4' },
      { from: '7.0.0', fixed: '7.2.4' },
    ],
  },
  {
    id: 'CVE-2024-37168 (@grpc/grpc-js: memory allocation on large messages)',
    package: '@grpc/grpc-js',
    affected: [
      { from: '1.0.0', fixed: '1.8.22' },
      { from: '1.9.0', fixed: '1.9.15' },
      { from: '1.10.0', fixed: '1.10.9' },
    ],
  },
  {
    id: 'CVE-2024-37890 (ws: crash on many headers)',
    package: 'ws',
    affected: [
      { from: '2.1.0', fixed: '5.2.4' },
      { from: '6.0.0', fixed: '6.2.3' },
      { from: '7.0.0', fixed: '7.5.10' },
      { from: '8.0.0', fixed: '8.17.1' },
    ],
  },
  {
    id: 'CVE-2024-21538 (cross-spawn: ReDoS)',
    package: 'cross-spawn',
    affected: [
      { from: '0.0.0', fixed: '6.0.6' },
      { from: '7.0.0', fixed: '7.0.5' },
    ],
  },
  {
    id: 'CVE-2024-4068 (braces: memory exhaustion)',
    package: 'braces',
    affected: [{ from: '0.0.0', fixed: '3.0.3' }],
  },
  {
    id: 'CVE-2024-4067 (micromatch: ReDoS)',
    package: 'micromatch',
    affected: [{ from: '0.0.0', fixed: '4.0.8' }],
  },
  {
    id: 'CVE-2022-25883 (semver: ReDoS)',
    package: 'semver',
    affected: [
      { from: '0.0.0', fixed: '5.7.2' },
      { from: '6.0.0', fixed: '6.3.1' },
      { from: '7.0.0', fixed: '7.5.2' },
    ],
  },
];

/** [major, minor, patch] of "1.2.3" (a pre-release counts as its release: the stricter reading). */
function parts(version: string): number[] {
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(version);
  if (!m) throw new Error(`not a version: ${version}`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

export function compareVersions(a: string, b: string): number {
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return 0;
}

const isAffected = (advisory: Advisory, version: string): boolean =>
  advisory.affected.some(
    (range) => compareVersions(version, range.from) >= 0 && compareVersions(version, range.fixed) < 0,
  );

const lock = JSON.parse(readFileSync(path.join(__dirname, '../../../package-lock.json'), 'utf8')) as {
  packages: Record<string, { version?: string; dev?: boolean }>;
};
/** Every installed package of the tree: name, version, and where it sits. */
const installed = Object.entries(lock.packages)
  .filter(([where, entry]) => where.includes('node_modules/') && entry.version)
  .map(([where, entry]) => ({
    name: where.slice(where.lastIndexOf('node_modules/') + 'node_modules/'.length),
    version: entry.version as string,
    where,
  }));

describe('known advisories', () => {
  it('reads versions as release lines do', () => {
    const tarFs = ADVISORIES[0];
    expect(['2.0.1', '2.1.3', '3.1.0', '1.16.5'].filter((v) => isAffected(tarFs, v))).toEqual([
      '2.0.1',
      '2.1.3',
      '3.1.0',
      '1.16.5',
    ]);
    expect(['2.1.4', '2.1.6', '3.1.1', '1.16.6'].filter((v) => isAffected(tarFs, v))).toEqual([]);
  });

  it('the lock holds the packages it is checked for (a renamed lock format would check nothing)', () => {
    expect(installed.find((p) => p.name === 'dockerode')).toBeDefined();
    expect(installed.length).toBeGreaterThan(100);
  });

  it.each(ADVISORIES.map((a) => [a.package, a] as const))(
    'no %s at an affected version',
    (_name, advisory) => {
      const hits = installed
        .filter((p) => p.name === advisory.package && isAffected(advisory, p.version))
        .map((p) => `${p.where}@${p.version}`);
      expect({ advisory: advisory.id, hits }).toEqual({ advisory: advisory.id, hits: [] });
    },
  );
});
