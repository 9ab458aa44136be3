// The packaged CLI on the example stack, as the end-to-end tests run it: `node dist/cli/index.js
// run` with the example's run config, results and journal in a directory of the run's own.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RunResult, ScenarioResult } from '../../src/results';
import { execCommand, type ExecResult } from '../../src/util/exec';

export const root = path.join(__dirname, '../..');
export const EXAMPLE = path.join(root, 'examples/fraud-api/docker-compose.yml');
export const NAIVE = path.join(root, 'examples/fraud-api/docker-compose.naive.yml');
/** The example's run config: its request, health check and application-specific checks. */
export const EXAMPLE_CONFIG = path.join(root, 'examples/fraud-api/chaos-action.yml');
/** Scenario durations in the end-to-end tests (`--scale`). */
export const E2E_SCALE = process.env.CHAOS_E2E_SCALE ?? '0.5';

export interface CliRun {
  exec: ExecResult;
  results: RunResult | null;
  /** Where the run wrote results.json, report.md and junit.xml (kept after the test). */
  dir: string;
}

/** `chaos-action run --config-file <example> ARGS`; results.json read back when the run wrote one. */
export async function runExampleCli(args: string[]): Promise<CliRun> {
  const dir = mkdtempSync(path.join(tmpdir(), 'chaos-e2e-'));
  const exec = await execCommand(
    process.execPath,
    [
      path.join(root, 'dist/cli/index.js'),
      'run',
      '--results-dir',
      dir,
      '--journal-path',
      path.join(dir, 'journal.json'),
      '--config-file',
      EXAMPLE_CONFIG,
      ...args,
    ],
    { cwd: root, env: { ...process.env, CI: 'true' } },
  );
  let results: RunResult | null = null;
  try {
    results = JSON.parse(readFileSync(path.join(dir, 'results.json'), 'utf8')) as RunResult;
  } catch {
    results = null;
  }
  return { exec, results, dir };
}

export function scenarioOf(results: RunResult | null, name: string): ScenarioResult {
  const found = results?.scenarios.find((s) => s.name === name);
  if (!found) throw new Error(`no result for ${name}`);
  return found;
}

/** The thresholds that were violated, as written in the scenario file. */
export function violated(result: ScenarioResult): string[] {
  return result.thresholds.filter((t) => t.passed === false).map((t) => t.source);
}

/** The exit code, stdout and the end of stderr: what a failing assertion should show. */
export function describeRun(run: { exec: ExecResult }): string {
  return `exit ${run.exec.code}\n${run.exec.stdout}\n${run.exec.stderr.split('\n').slice(-40).join('\n')}`;
}

/** The fault window sits on the fault phase, on the scenario's own clock. */
export function expectFaultWindowOnFaultPhase(result: ScenarioResult): void {
  const fault = result.phases.find((p) => p.phase === 'fault');
  expect({ name: result.name, window: result.faultWindow }).toEqual({
    name: result.name,
    window: {
      startSecond: Math.floor((fault?.startMs ?? NaN) / 1000),
      endSecond: Math.ceil((fault?.endMs ?? NaN) / 1000),
    },
  });
  expect(result.fault?.injectedAtMs).toBeGreaterThanOrEqual(fault?.startMs ?? Infinity);
  expect(result.fault?.revertedAtMs).toBeLessThanOrEqual(fault?.endMs ?? -Infinity);
}

/** Each kind's injection proof as its evidence words it: a measurement, not a line of the revert. */
export const INJECTION_PROOF: Record<string, RegExp> = {
  stop: /\(stopped in \d+ms\)/,
  kill: /died on|handled by its main process/,
  pause: /paused=true/,
  flap: /^cycle 1: /,
  partition: /connect timed out after|no longer resolves|still attached|not resolve/,
  latency: /ms to \S+ measured from/,
  bandwidth: /goes through the proxy/,
  stall: /: no reply \(/,
  reset_peer: /connection reset after/,
  down: /refused by the proxy/,
  memory: /cgroup memory [\d.]+ → [\d.]+MiB|usage \+[\d.]+MiB|OOM-killed at once/,
  cpu: /CPU used over \d+ms/,
};

/** Every faulted scenario's fault was injected inside its fault phase, proven there, and reverted. */
export function expectProvenInFaultPhase(results: ScenarioResult[]): void {
  const faulted = results.filter((s) => s.fault);
  expect(faulted.length).toBeGreaterThan(0);
  for (const result of faulted) {
    const fault = result.fault!;
    const phase = result.phases.find((p) => p.phase === 'fault');
    // The injection proof only (lines the revert adds, "running again" and the like, do not match).
    const proof = fault.evidence.filter((line) => INJECTION_PROOF[fault.kind]?.test(line));
    expect({
      name: result.name,
      injectedInFaultPhase:
        fault.injectedAtMs !== null &&
        phase !== undefined &&
        fault.injectedAtMs >= phase.startMs &&
        fault.injectedAtMs <= phase.endMs,
      revertedAfterInjection:
        fault.revertedAtMs !== null &&
        fault.injectedAtMs !== null &&
        fault.revertedAtMs >= fault.injectedAtMs,
      proof: proof.length > 0,
    }).toEqual({
      name: result.name,
      injectedInFaultPhase: true,
      revertedAfterInjection: true,
      proof: true,
    });
  }
}
