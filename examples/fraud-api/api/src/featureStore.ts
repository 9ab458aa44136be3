// Feature store: one MGET per request for keys feature:<user_id>:<name>.
import Redis from 'ioredis';
import { CircuitBreaker } from './breaker';
import { config } from './config';
import { log, rateLimited } from './log';
import { cacheHits, cacheMisses, redisConnected, redisErrors, redisReconnects } from './metrics';

export const FEATURE_NAMES = [
  'transaction_velocity',
  'account_age_days',
  'transaction_count',
  'avg_amount',
  'chargeback_count',
] as const;
export type FeatureName = (typeof FEATURE_NAMES)[number];
export type Features = Record<FeatureName, number>;

/** What a new, unremarkable customer looks like: used when a feature is missing. */
export const DEFAULT_FEATURES: Features = {
  transaction_velocity: 1,
  account_age_days: 365,
  transaction_count: 5,
  avg_amount: 100,
  chargeback_count: 0,
};

export type RedisOutcome = 'ok' | 'redis_error' | 'breaker_open';

export interface FeatureResult {
  features: Features;
  /** Names of the features that were not read from Redis. */
  defaulted: FeatureName[];
  redis: RedisOutcome;
  error?: string;
}

/** A failure of the feature store that the caller must turn into an HTTP error. */
export class FeatureStoreError extends Error {}

function errorKind(err: Error): 'timeout' | 'connection' | 'other' {
  const m = err.message || '';
  if (/timed? ?out/i.test(m)) return 'timeout';
  if (
    /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ECONNRESET|EHOSTUNREACH|Connection is closed|Stream isn't writeable|max retries/i.test(
      m,
    )
  )
    return 'connection';
  return 'other';
}

/** ioredis's messages for "not connected" are long; say it plainly. */
function reason(err: Error): string {
  const m = err.message || String(err);
  if (/max retries per request/i.test(m)) return 'connection lost';
  if (/Stream isn't writeable/i.test(m)) return 'not connected';
  return m;
}

const logMiss = rateLimited('info', config.cacheMissLogPerSec, 'Cache miss');

export class FeatureStore {
  readonly redis: Redis;
  readonly breaker: CircuitBreaker | null;
  private unreachableLogged = false;
  private everReady = false;
  /** HANG_AFTER_REDIS_RESTART: true once Redis came back after a lost connection (predictions hang from then on). */
  hung = false;

  constructor() {
    this.breaker = config.circuitBreaker
      ? new CircuitBreaker(config.breakerFailureThreshold, config.breakerOpenMs)
      : null;
    redisConnected.set(0);
    this.redis = new Redis(config.redisUrl, {
      commandTimeout: config.redisTimeoutMs > 0 ? config.redisTimeoutMs : undefined,
      connectTimeout: config.redisConnectTimeoutMs,
      // Resilient: fail fast while disconnected (no offline queue); naive: queue and wait.
      enableOfflineQueue: !config.resilient,
      maxRetriesPerRequest: config.resilient ? 0 : null,
      retryStrategy: (times: number) => {
        const delay =
          config.redisBackoff === 'exponential'
            ? Math.min(config.redisBackoffBaseMs * 2 ** Math.min(times - 1, 20), config.redisBackoffMaxMs)
            : config.redisRetryDelayMs;
        redisReconnects.inc();
        log.info(`Redis reconnect attempt ${times} in ${delay}ms`);
        return delay;
      },
    });
    this.redis.on('ready', () => {
      if (this.everReady && config.hangAfterRedisRestart && !this.hung) {
        this.hung = true;
        log.error('Redis is back, and HANG_AFTER_REDIS_RESTART is on: /v1/predict answers no more');
      }
      this.everReady = true;
      redisConnected.set(1);
      this.unreachableLogged = false;
      log.info(`Redis connected (${config.redisUrl})`);
      this.breaker?.readyAgain();
    });
    this.redis.on('close', () => redisConnected.set(0));
    this.redis.on('error', (err: Error) => {
      redisErrors.inc({ kind: errorKind(err) });
      this.reportUnreachable(reason(err));
    });
  }

  /** One line per outage that says plainly why Redis cannot be reached. */
  private reportUnreachable(reason: string): void {
    if (this.unreachableLogged) return;
    this.unreachableLogged = true;
    (config.resilient ? log.warn : log.error)(`Redis unreachable: ${reason}`);
  }

  get status(): string {
    return this.redis.status;
  }

  async get(userId: string): Promise<FeatureResult> {
    const keys = FEATURE_NAMES.map((name) => `feature:${userId}:${name}`);

    if (this.breaker && !this.breaker.allow()) {
      cacheMisses.inc({ reason: 'breaker_open' }, keys.length);
      if (!config.featureFallback) throw new FeatureStoreError('Redis unreachable: circuit breaker open');
      return this.fallback(userId, 'breaker_open', 'circuit breaker open');
    }

    let values: (string | null)[];
    try {
      values = await this.redis.mget(keys);
    } catch (e) {
      const err = e as Error;
      // Errors raised on a live command are counted here; connection-level ones via the 'error' event.
      redisErrors.inc({ kind: errorKind(err) });
      cacheMisses.inc({ reason: 'redis_error' }, keys.length);
      const why = reason(err);
      this.breaker?.failure(why);
      if (errorKind(err) === 'timeout') this.reportUnreachable(`${why} after ${config.redisTimeoutMs}ms`);
      if (!config.featureFallback) throw new FeatureStoreError(`Redis unreachable: ${why}`);
      return this.fallback(userId, 'redis_error', why);
    }
    this.breaker?.success();
    this.unreachableLogged = this.redis.status === 'ready' ? false : this.unreachableLogged;

    const features = { ...DEFAULT_FEATURES };
    const defaulted: FeatureName[] = [];
    FEATURE_NAMES.forEach((name, i) => {
      const raw = values[i];
      const n = raw === null ? NaN : Number(raw);
      if (Number.isFinite(n)) {
        features[name] = n;
      } else {
        defaulted.push(name);
      }
    });
    if (defaulted.length > 0) cacheMisses.inc({ reason: 'not_found' }, defaulted.length);
    if (defaulted.length < keys.length) cacheHits.inc(keys.length - defaulted.length);
    if (defaulted.length > 0) {
      if (!config.featureFallback) {
        throw new FeatureStoreError(`feature missing: feature:${userId}:${defaulted[0]}`);
      }
      for (const name of defaulted) logMiss(`Cache miss: feature:${userId}:${name} (using default)`);
    }
    return { features, defaulted, redis: 'ok' };
  }

  private fallback(userId: string, redis: RedisOutcome, error: string): FeatureResult {
    for (const name of FEATURE_NAMES) logMiss(`Cache miss: feature:${userId}:${name} (using default)`);
    return { features: { ...DEFAULT_FEATURES }, defaulted: [...FEATURE_NAMES], redis, error };
  }

  async close(): Promise<void> {
    this.redis.disconnect(false);
  }
}
