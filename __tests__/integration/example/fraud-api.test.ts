// The example system in both variants on a real engine: it serves predictions, Prometheus
// scrapes it, the collector receives its spans, and with Redis stopped by hand the
// resilient API degrades gracefully while the naive one fails. Nothing is left behind.
import path from 'node:path';
import { request } from 'undici';
import { ComposeStack, uniqueProjectName } from '../../../src/stack/compose';
import { docker } from '../../../src/stack/docker';
import { firstPublishedUrl } from '../../../src/stack/endpoints';
import { resolveService } from '../../../src/stack/targets';
import { queryInstant } from '../../../src/probes/prometheus';
import { NOTHING_LEFT, projectLeftovers } from '../../helpers/leftovers';

const exampleDir = path.join(__dirname, '../../../examples/fraud-api');
const BASE = path.join(exampleDir, 'docker-compose.yml');
const NAIVE = path.join(exampleDir, 'docker-compose.naive.yml');
jest.setTimeout(240_000);

async function predict(
  apiUrl: string,
  timeoutMs: number,
): Promise<{ status: number | null; body: string; ms: number }> {
  const started = Date.now();
  try {
    const response = await request(`${apiUrl}/v1/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user_id: 12345, amount: 120.5 }),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    return { status: response.statusCode, body: await response.body.text(), ms: Date.now() - started };
  } catch (error) {
    return { status: null, body: (error as Error).name, ms: Date.now() - started };
  }
}

async function eventually<T>(
  read: () => Promise<T>,
  accept: (value: T) => boolean,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await read();
  while (!accept(last) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    last = await read();
  }
  return last;
}

async function stopRedis(project: string): Promise<void> {
  const [redis] = await resolveService(project, 'redis');
  await docker().getContainer(redis.id).stop({ t: 1 });
}

describe.each([
  ['resilient', [BASE]],
  ['naive', [BASE, NAIVE]],
])('the %s example stack', (variant, files) => {
  const stack = new ComposeStack({ files, project: uniqueProjectName(`example-${variant}`) });
  let apiUrl: string;
  let prometheusUrl: string;

  beforeAll(async () => {
    await stack.up({ healthTimeoutMs: 120_000 });
    apiUrl = await firstPublishedUrl(stack.project, 'fraud-api');
    prometheusUrl = await firstPublishedUrl(stack.project, 'prometheus');
  });

  afterAll(async () => {
    await stack.down();
    expect(await projectLeftovers(stack.project)).toEqual(NOTHING_LEFT);
  });

  it('scores a transaction from the features in Redis', async () => {
    const answer = await predict(apiUrl, 5000);
    expect(answer.status).toBe(200);
    const body = JSON.parse(answer.body) as Record<string, unknown>;
    expect(body.degraded).toBe(false);
    expect(body.features_source).toBe('cache');
    expect(typeof body.fraud_probability).toBe('number');
    expect(['approve', 'review', 'decline']).toContain(body.decision);
  });

  it('is scraped by Prometheus and its spans reach the collector', async () => {
    const up = await eventually(
      () => queryInstant(prometheusUrl, 'up{job="fraud-api"}').catch(() => []),
      (samples) => samples.length === 1 && samples[0].value === 1,
      30_000,
    );
    expect(up.map((s) => s.value)).toEqual([1]);
    await predict(apiUrl, 5000);
    const spans = await eventually(
      () => queryInstant(prometheusUrl, 'sum(otelcol_receiver_accepted_spans_total)').catch(() => []),
      (samples) => samples.length === 1 && samples[0].value > 0,
      30_000,
    );
    expect(spans[0].value).toBeGreaterThan(0);
  });

  it(
    variant === 'resilient'
      ? 'answers 200 with degraded features within 1 s when Redis is stopped'
      : 'fails (5xx) or hangs when Redis is stopped',
    async () => {
      await stopRedis(stack.project);
      const answers = [];
      for (let i = 0; i < 5; i++) answers.push(await predict(apiUrl, 3000));
      if (variant === 'resilient') {
        for (const answer of answers) {
          expect(answer.status).toBe(200);
          expect(JSON.parse(answer.body)).toMatchObject({ degraded: true, features_source: 'default' });
          expect(answer.ms).toBeLessThan(1000);
        }
      } else {
        for (const answer of answers) {
          const failedOrHung = answer.status === null || answer.status >= 500;
          expect({ failedOrHung, answer }).toEqual({ failedOrHung: true, answer });
        }
      }
    },
  );
});
