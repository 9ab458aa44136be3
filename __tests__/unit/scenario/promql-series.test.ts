// A multi-series PromQL answer is judged series by series: `min promql 'up{job="api"}' >= 1`
// fails when one replica reports 0 throughout, however the other does, and the report names the
// replica. The same holds for the steady-state check and for what the sampler keeps (both read
// a local stub that answers as Prometheus's /api/v1/query does).
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkSteadyState } from '../../../src/scenario/steady-state';
import { samplePromql } from '../../../src/scenario/collectors';
import { emptyObservations, type PromSample } from '../../../src/scenario/observations';
import { parseThreshold } from '../../../src/scenario/threshold-parser';
import { evaluateThresholds } from '../../../src/scenario/verdict';
import type { PhaseName } from '../../../src/results';
import { scenarioMs as ms } from '../../../src/util/clock';

const where = { file: 's.yml', line: 4 };
const QUERY = 'up{job="api"}';
const api1 = 'up{instance="api-1:8000", job="api"}';
const api2 = 'up{instance="api-2:8000", job="api"}';

function judge(text: string, samples: PromSample[]) {
  const obs = emptyObservations();
  obs.endMs = ms(30_000);
  obs.promql = { [QUERY]: samples };
  obs.promqlCoverage = { [QUERY]: { fromMs: ms(0), toMs: ms(30_000), blind: [], problems: [] } };
  return evaluateThresholds([parseThreshold(text, where)], obs)[0];
}

const sample = (atMs: number, phase: PhaseName, values: Record<string, number>): PromSample => ({
  atMs: ms(atMs),
  phase,
  series: Object.entries(values).map(([series, value]) => ({ series, value })),
  answered: true,
});

describe('PromQL checks judge every series', () => {
  const replicas = [1000, 2000, 3000, 4000].map((t) => sample(t, 'fault', { [api1]: 1, [api2]: 0 }));

  it('one replica at 0 throughout breaks `min ... >= 1`, named in the result', () => {
    const r = judge(`fault: min promql '${QUERY}' >= 1`, replicas);
    expect(r).toMatchObject({ passed: false, actual: `0 on ${api2}`, value: 0 });
    expect(r.detail).toBe(`1 of 2 series break it: ${api2} 0`);
  });

  it('holds only when each series holds; the value shown is the one nearest the limit', () => {
    const healthy = [1000, 2000].map((t) => sample(t, 'fault', { [api1]: 1, [api2]: 3 }));
    expect(judge(`fault: min promql '${QUERY}' >= 1`, healthy)).toMatchObject({
      passed: true,
      value: 1,
      actual: '1 (each of 2 series holds)',
    });
    expect(judge(`fault: max promql '${QUERY}' < 2`, healthy)).toMatchObject({
      passed: false,
      actual: `3 on ${api2}`,
    });
  });

  it('aggregates each series over its own samples (a series that appears late is judged on what it had)', () => {
    const late = [sample(1000, 'fault', { [api1]: 0 }), sample(2000, 'fault', { [api1]: 1, [api2]: 1 })];
    expect(judge(`fault: promql '${QUERY}' >= 1`, late)).toMatchObject({ passed: true });
    expect(judge(`fault: avg promql '${QUERY}' >= 1`, late)).toMatchObject({
      passed: false,
      actual: `0.5 on ${api1}`,
    });
  });
});

/** A stub of Prometheus's instant query API answering with fixed series. */
async function stubPrometheus(vector: { metric: Record<string, string>; value: number }[]) {
  const server = http.createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify({
        status: 'success',
        data: {
          resultType: 'vector',
          result: vector.map((v) => ({ metric: v.metric, value: [1_790_000_000, String(v.value)] })),
        },
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('the steady-state check and the sampler keep every series', () => {
  const vector = [
    { metric: { __name__: 'up', job: 'api', instance: 'api-1:8000' }, value: 1 },
    { metric: { __name__: 'up', job: 'api', instance: 'api-2:8000' }, value: 0 },
  ];

  it('steady state does not hold while one replica is down, and says which', async () => {
    const stub = await stubPrometheus(vector);
    try {
      const result = await checkSteadyState(
        [{ kind: 'promql', query: QUERY, op: '>=', value: 1, source: `promql '${QUERY}' >= 1`, line: 9 }],
        { targetUrl: 'http://127.0.0.1:1', prometheusUrl: stub.url },
      );
      expect(result).toEqual({
        ok: false,
        problems: [`promql '${QUERY}' >= 1: 0 on ${api2} (1 of 2 series)`],
      });
    } finally {
      await stub.close();
    }
  });

  it('the sampler keeps each series by its labels', async () => {
    const stub = await stubPrometheus(vector);
    let at = 0;
    const sampler = samplePromql(stub.url, [QUERY], {
      intervalMs: 20,
      now: () => ms(at++),
      phase: () => 'fault',
    });
    try {
      for (let i = 0; i < 500 && (sampler.samples()[QUERY]?.length ?? 0) === 0; i++)
        await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      await sampler.stop();
      await stub.close();
    }
    expect(sampler.samples()[QUERY][0].series).toEqual([
      { series: api1, value: 1 },
      { series: api2, value: 0 },
    ]);
  });
});
