// A consecutive-failure circuit breaker: closed -> open after N failures in a
// row -> half-open after openMs (or as soon as Redis reconnects) -> one probe
// decides closed or open again.
import { log } from './log';
import { breakerOpen } from './metrics';

export type BreakerState = 'closed' | 'open' | 'half_open';

export class CircuitBreaker {
  private state: BreakerState = 'closed';
  private failures = 0;
  private openedAt = 0;
  private probing = false;

  constructor(
    private readonly threshold: number,
    private readonly openMs: number,
  ) {
    breakerOpen.set(0);
  }

  get current(): BreakerState {
    if (this.state === 'open' && Date.now() - this.openedAt >= this.openMs) this.state = 'half_open';
    return this.state;
  }

  /** May a call go to Redis now? In half-open, only one probe at a time. */
  allow(): boolean {
    const state = this.current;
    if (state === 'closed') return true;
    if (state === 'half_open' && !this.probing) {
      this.probing = true;
      log.info('Circuit breaker half-open: probing Redis');
      return true;
    }
    return false;
  }

  /** Redis is connected again: let the next request probe right away. */
  readyAgain(): void {
    if (this.state === 'open') this.state = 'half_open';
  }

  success(): void {
    this.failures = 0;
    this.probing = false;
    if (this.state !== 'closed') {
      this.state = 'closed';
      breakerOpen.set(0);
      log.info('Circuit breaker closed: Redis reachable again');
    }
  }

  failure(reason: string): void {
    this.failures++;
    const wasProbe = this.probing;
    this.probing = false;
    if (wasProbe || (this.state === 'closed' && this.failures >= this.threshold)) {
      const first = this.state === 'closed';
      this.state = 'open';
      this.openedAt = Date.now();
      breakerOpen.set(1);
      if (first) {
        log.warn(
          `Circuit breaker opened: Redis unreachable (${this.failures} consecutive failures, last: ${reason}); ` +
            `using default features for ${this.openMs}ms before probing again`,
        );
      } else {
        log.warn(`Circuit breaker re-opened: Redis still unreachable (${reason})`);
      }
    }
  }
}
