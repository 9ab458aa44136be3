// Proof that a container fault's revert took hold, as a RevertCheck: evidence lines for the
// report, and problems that make revert() reject. Each waits a short, bounded while (a
// container being started needs a moment; one that dies at once or is stopped or paused again
// right away must not pass) and names the service/container and what was seen.
import type Docker from 'dockerode';
import type { ServiceContainer } from '../../stack/targets';
import { describeState, seconds, targetLabel, waitForSettledState } from './inspect';
import type { RevertCheck } from '../fault-handle';

/** How long a started container may take to be seen running. */
export const RUNNING_PROOF_MS = 5000;
/** How long an unpaused container may take to be seen thawed. */
export const UNPAUSED_PROOF_MS = 2000;
/**
 * How long the state must hold, look after look, to count: a container that dies as it starts
 * (a bad command, a missing file) is gone within this; one that crashes later is recovery's to
 * see. Every phase boundary after a container fault waits on it.
 */
export const SETTLE_MS = 150;

type Target = Pick<ServiceContainer, 'id' | 'name' | 'service'>;
type State = Docker.ContainerInspectInfo['State'];

/** What a container is instead of running, in a word or two: "exited", "paused", "restarting". */
export function notRunningAs(state: State): string {
  if (state.Paused) return 'paused';
  if (state.Restarting) return 'restarting';
  if (state.Running) return 'not running steadily (it started anew while watched)';
  return state.Status || 'not running';
}

export function mergeChecks(checks: RevertCheck[]): RevertCheck {
  return {
    evidence: checks.flatMap((check) => check.evidence),
    problems: checks.flatMap((check) => check.problems),
  };
}

async function checkEach(targets: Target[], check: (target: Target) => Promise<RevertCheck>) {
  const checks = await Promise.all(
    targets.map((target) =>
      check(target).catch((error: Error): RevertCheck => {
        const line = `${targetLabel(target)}: could not be inspected after the revert: ${error.message}`;
        return { evidence: [line], problems: [line] };
      }),
    ),
  );
  return mergeChecks(checks);
}

/** After a revert that starts containers: each is running (and not paused), and stays so for SETTLE_MS. */
export function verifyRunning(targets: Target[], timeoutMs = RUNNING_PROOF_MS): Promise<RevertCheck> {
  return checkEach(targets, async (target) => {
    const { inspect, held } = await waitForSettledState(
      target.id,
      (s) => s.Running && !s.Paused && !s.Restarting,
      SETTLE_MS,
      timeoutMs,
    );
    const state = describeState(inspect.State);
    if (held) return { evidence: [`${target.name} running again: ${state}`], problems: [] };
    return {
      evidence: [`${target.name} NOT running after revert: ${state}`],
      problems: [
        `${targetLabel(target)}: still ${notRunningAs(inspect.State)} ${seconds(timeoutMs)} after the revert (${state})`,
      ],
    };
  });
}

/** After a revert that unpauses containers: none is paused, and stays so for SETTLE_MS. */
export function verifyUnpaused(targets: Target[], timeoutMs = UNPAUSED_PROOF_MS): Promise<RevertCheck> {
  return checkEach(targets, async (target) => {
    const { inspect, held } = await waitForSettledState(target.id, (s) => !s.Paused, SETTLE_MS, timeoutMs);
    const state = describeState(inspect.State);
    if (held) return { evidence: [`${target.name} unpaused: ${state}`], problems: [] };
    return {
      evidence: [`${target.name} STILL paused after revert: ${state}`],
      problems: [`${targetLabel(target)}: still paused ${seconds(timeoutMs)} after the revert (${state})`],
    };
  });
}
