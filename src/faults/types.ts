// The contract between the scenario runner and the fault library: what the runner holds
// while a fault is active (ActiveFault) and the ways a fault fails. It imports nothing of the
// fault library, so every fault file may import it.
import type { FaultReport } from '../results';
import type { MonotonicMs, ScenarioClock } from '../util/clock';

export interface ActiveFault {
  /** Short random id; also the suffix of the fault's iptables chains and its journal entry id. */
  readonly id: string;
  readonly kind: string;
  /** "service/container-name" of every container acted on (clients included for network faults). */
  readonly targets: string[];
  /** When the fault had taken hold, on the process's monotonic clock; null until proven. */
  readonly injectedAtMs: MonotonicMs | null;
  /** How long injecting (acting + proving) took. */
  readonly injectMs: number;
  /**
   * Undoes the fault (idempotent: later calls return the first call's promise). Resolves when
   * every journal step succeeded, the revert was seen to take hold (the kind's proof: the
   * container running again, unpaused, reachable…) and the entry was removed. Rejects, the
   * entry kept, with FaultRevertError when a step failed and with FaultRevertUnprovenError
   * when the steps ran but the proof did not hold.
   */
  revert(): Promise<void>;
  /**
   * Resolves, with the reason, when the fault has run its course on its own (a memory fault
   * at the OOM kill: the pressure is gone and what follows is recovery). Never resolves for
   * faults that act until they are reverted.
   */
  readonly ranItsCourse: Promise<string>;
  /** Measured proof lines: how the fault was seen to take hold (and, after revert, to go). */
  evidence(): string[];
  /** The FaultReport the runner puts into results.json, its times on the scenario's clock. */
  report(clock: ScenarioClock): FaultReport;
}

/** The fault was injected but its effect could not be measured: the scenario must not pass. */
export class FaultNotEffectiveError extends Error {}

/** The fault cannot run here (privileges, kernel, a spec that does not fit the target). */
export class FaultUnavailableError extends Error {}

/** A revert step failed; the journal entry stays so cleanup can retry. */
export class FaultRevertError extends Error {}

/**
 * Every revert step succeeded, yet the revert was not seen to take hold: a container still
 * exited or paused a few seconds later, a client still cut off. `problems` holds one line per
 * finding ("redis/proj-redis-1: still exited 5s after the revert (state=exited exitCode=0)").
 * The journal entry stays, so cleanup replays the (idempotent) steps.
 */
export class FaultRevertUnprovenError extends FaultRevertError {
  constructor(
    message: string,
    readonly problems: string[],
  ) {
    super(message);
  }
}
