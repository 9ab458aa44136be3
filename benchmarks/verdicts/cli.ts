// What the verdict benchmarks share: `chaos-action run` in a child process from a tree (the
// working tree, or a snapshot of the committed one), its results.json read back.
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RunResult } from '../../src/results';

export const ROOT = path.resolve(__dirname, '../..');
export const EXAMPLE = 'examples/fraud-api/docker-compose.yml';
export const CONFIG = 'examples/fraud-api/chaos-action.yml';
export const SLOWER = 'benchmarks/verdicts/docker-compose.slower.yml';

export const log = (line: string): void => void process.stderr.write(`${line}\n`);

export interface CliRun {
  name: string;
  exitCode: number;
  seconds: number;
  result: RunResult | null;
  /** The first and last error-looking stderr lines, and where the whole log is. */
  failure: string;
  /** The child's stdout, when asked for (a GC trace). */
  stdoutFile: string | null;
}

/** The committed tree in a temporary directory (node_modules linked), so edits in progress do not leak in. */
export function snapshot(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'verdict-bench-tree-'));
  const archive = spawnSync('sh', ['-c', `git -C "${ROOT}" archive HEAD | tar -x -C "${dir}"`], {
    stdio: 'inherit',
  });
  if (archive.status !== 0) throw new Error('git archive HEAD failed');
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

/** load-test paired against the example at a fault phase of `duration`, the PR side from `prCompose`. */
export function pairedLoadTest(prCompose: string[], duration: string): string[] {
  return [
    '--config-file',
    CONFIG,
    ...prCompose.flatMap((file) => ['--compose-file', file]),
    '--scenarios',
    'load-test',
    '--params',
    `duration=${duration}`,
    '--base-compose-file',
    EXAMPLE,
  ];
}

/**
 * One `chaos-action run` in a child process, under `work/name`; build-env.sh gives image builds
 * the machine's extra CAs. `env` is added to the child's environment.
 */
export function runCli(
  tree: string,
  work: string,
  name: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
  keepStdout = false,
  /** Node's own flags (`--trace-gc`; NODE_OPTIONS refuses V8 flags like it): node --import tsx. */
  nodeArgs: string[] = [],
): Promise<CliRun> {
  const results = path.join(work, name);
  const full = [
    'run',
    ...args,
    '--results-dir',
    results,
    '--journal-path',
    path.join(work, `${name}.journal.json`),
    '--fail-on-violation=false',
  ];
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(
      'bash',
      [
        '-c',
        nodeArgs.length
          ? `source scripts/lib/build-env.sh && exec node ${nodeArgs.join(' ')} --import tsx src/cli/main.ts "$@"`
          : 'source scripts/lib/build-env.sh && exec node_modules/.bin/tsx src/cli/main.ts "$@"',
        'chaos-action',
        ...full,
      ],
      {
        cwd: tree,
        env: { ...process.env, CHAOS_COMPOSE: process.env.CHAOS_COMPOSE ?? 'v2', ...env },
        stdio: ['ignore', keepStdout ? 'pipe' : 'ignore', 'pipe'],
      },
    );
    const logFile = path.join(work, `${name}.log`);
    const logStream = createWriteStream(logFile);
    const stdoutFile = keepStdout ? path.join(work, `${name}.stdout`) : null;
    if (stdoutFile && child.stdout) child.stdout.pipe(createWriteStream(stdoutFile));
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      logStream.write(chunk);
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      logStream.end();
      const file = path.join(results, 'results.json');
      const result = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as RunResult) : null;
      // The first error line says more than Node's closing banner.
      const lines = stderr
        .trim()
        .split('\n')
        .filter((line) => /error|fail|cannot|refused/i.test(line) && !/^\s+at /.test(line));
      lines.push(`(log: ${logFile})`);
      resolve({
        name,
        exitCode: code ?? -1,
        seconds: (Date.now() - started) / 1000,
        result,
        failure: lines.slice(0, 1).concat(lines.slice(-1)).join(' '),
        stdoutFile,
      });
    });
  });
}

/** The machine's load averages, as `uptime` prints them. */
export function loadAverage(): string {
  return os
    .loadavg()
    .map((v) => v.toFixed(2))
    .join(', ');
}
