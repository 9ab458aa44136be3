// `requests:`: a mix as the run config and a scenario's load write it, its value generators
// (a CSV column next to the file among them), and thresholds that name one request of it.
import { mkdtempSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseScenarioText } from '../../../src/config/load-scenarios';
import { parseCsv } from '../../../src/config/request-mix';
import { loadRunConfigFile, parseRunConfig } from '../../../src/config/run-config';
import type { ScenarioObservations } from '../../../src/scenario/observations';
import { planLoad } from '../../../src/scenario/load-plan';
import { evalMetric } from '../../../src/scenario/verdict/load';
import type { MetricThreshold } from '../../../src/scenario/thresholds';
import type { PhaseStats, RequestStats } from '../../../src/results';

const MIX = `
  requests:
    - name: predict
      weight: 9
      method: post
      path: /v1/predict/{{user}}
      json: { user_id: "{{user}}", email: "{{email}}", trace: "{{trace}}" }
      values:
        user: { range: [1, 1000] }
        email: { csv: users.csv, column: email }
        trace: uuid
    - name: health
      path: /health?n={{n}}
      values: { n: { sequence: { from: 5, step: 5, to: 20 } } }
      expect: { status: [200, 204] }
    - name: catalogue
      path: /items/{{sku}}
      values: { sku: { pick: [a, b] } }`;

function scenario(thresholds: string, mix = MIX): string {
  return `
name: demo
title: Demo
hypothesis: It holds.
target: { role: cache }
fault: { type: latency, delay: 100ms, duration: 30s }
load:${mix}
  rate: 100/s
thresholds:
${thresholds}`;
}

/** A directory holding a scenario file and the users.csv beside it. */
function beside(text: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'request-mix-'));
  writeFileSync(path.join(dir, 'users.csv'), 'id,email\n1,"a@x.io"\n2,b@x.io\n\n');
  const file = path.join(dir, 'demo.yml');
  writeFileSync(file, text);
  return file;
}

describe('a scenario with requests:', () => {
  it('reads each generator, a CSV column next to the file among them, and sends the mix', () => {
    const file = beside(scenario('  - fault: p95{request:predict} < 300ms'));
    const s = parseScenarioText(scenario('  - fault: p95{request:predict} < 300ms'), file);
    expect(s.load.requests?.map((r) => [r.name, r.weight])).toEqual([
      ['predict', 9],
      ['health', 1],
      ['catalogue', 1],
    ]);
    expect(s.load.requests?.[0].values).toEqual({
      user: { kind: 'range', min: 1, max: 1000 },
      email: { kind: 'cycle', values: ['a@x.io', 'b@x.io'], source: 'users.csv:email' },
      trace: { kind: 'uuid' },
    });
    expect(s.load.requests?.[1].values.n).toEqual({ kind: 'sequence', from: 5, step: 5, to: 20 });
    // What a consumer of one request reads: the first of the mix.
    expect(s.load.request.path).toBe('/v1/predict/{{user}}');
    const { spec } = planLoad(s, 'http://127.0.0.1:8080');
    expect(spec.request).toBeUndefined();
    expect(spec.requests?.map((r) => [r.name, r.method, r.expect?.status])).toEqual([
      ['predict', 'POST', [200]],
      ['health', 'GET', [200, 204]],
      ['catalogue', 'GET', [200]],
    ]);
    expect(s.thresholds[0]).toMatchObject({
      kind: 'metric',
      metric: 'p95',
      request: 'predict',
      phase: 'fault',
    });
  });

  it('refuses a threshold tag that names no request, at its line, with the names it could be', () => {
    const text = scenario('  - fault: p95{request:predict} < 300ms\n  - error_rate{request:catalog} < 1%');
    expect(() => parseScenarioText(text, beside(text))).toThrow(
      /demo\.yml:28: thresholds\[1\]: \{request:catalog\} names no request of the load \(did you mean "catalogue"\?\)/,
    );
  });

  it('refuses a tag other than request, and a tag on what is not a load metric', () => {
    const text = scenario('  - fault: p95{status:500} < 300ms\n  - recovery_time{request:predict} < 10s');
    const thrown = (() => {
      try {
        parseScenarioText(text, beside(text));
      } catch (error) {
        return (error as Error).message;
      }
      return '';
    })();
    expect(thrown).toContain(
      'demo.yml:27: thresholds[0]: unknown tag "status" (a metric takes {request:NAME})',
    );
    expect(thrown).toContain('demo.yml:28: thresholds[1]: a {request:NAME} tag applies to load metrics');
  });

  it('names a generator it cannot use, and a CSV column the file lacks, at their lines', () => {
    const message = (mix: string): string => {
      const text = scenario('  - p95 < 1s', mix);
      try {
        parseScenarioText(text, beside(text));
      } catch (error) {
        return (error as Error).message;
      }
      return '';
    };
    expect(message(MIX.replace('{ range: [1, 1000] }', '{ range: [1] }'))).toContain(
      'demo.yml:15: load.requests[0].values.user.range: expected [min, max]',
    );
    expect(message(MIX.replace('trace: uuid', 'trace: uid'))).toContain(
      'demo.yml:17: load.requests[0].values.trace: is not a generator',
    );
    expect(message(MIX.replace('column: email', 'column: mail'))).toMatch(
      /demo\.yml:16: load\.requests\[0\]\.values\.email: \S+users\.csv has no column "mail" \(columns: id, email\)/,
    );
  });

  it('refuses request beside requests, and two requests of one name', () => {
    const both = scenario('  - p95 < 1s', `\n  request: { path: / }${MIX}`);
    expect(() => parseScenarioText(both, beside(both))).toThrow('give request or requests (a mix), not both');
    const twice = scenario('  - p95 < 1s', MIX.replace('name: catalogue', 'name: health'));
    expect(() => parseScenarioText(twice, beside(twice))).toThrow('"health" is used twice');
  });

  it("a built-in sends the run's mix", () => {
    const builtin = path.join(__dirname, '../../../scenarios/redis-failure.yml');
    const { loadScenarioFile } = jest.requireActual<typeof import('../../../src/config/load-scenarios')>(
      '../../../src/config/load-scenarios',
    );
    const run = {
      request: { method: 'GET', path: '/' },
      requests: [
        {
          name: 'predict',
          weight: 3,
          method: 'POST',
          path: '/v1/predict',
          json: { user: '{{u}}' },
          values: { u: { range: [1, 9] } },
        },
        { name: 'health', path: '/health' },
      ],
      health_path: '/health',
    };
    const s = loadScenarioFile(builtin, { run });
    expect(s.load.requests?.map((r) => r.name)).toEqual(['predict', 'health']);
  });
});

describe('requests: in the run config file', () => {
  function checkout(config: string): { dir: string; file: string } {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'request-mix-run-'));
    writeFileSync(path.join(dir, 'docker-compose.yml'), 'services:\n  web:\n    image: nginx\n');
    writeFileSync(path.join(dir, 'users.csv'), 'id\n7\n8\n');
    const file = path.join(dir, 'chaos-action.yml');
    writeFileSync(file, config);
    return { dir, file };
  }

  it('reads the CSV column next to the file into the mix built-ins take', () => {
    const c = checkout(
      'requests:\n  - name: user\n    path: /users/{{id}}\n    values: { id: { csv: users.csv, column: id } }\n  - { name: root, path: / }\n',
    );
    const config = loadRunConfigFile(c.file, {}, 'input', { workdir: c.dir });
    expect(config.target.requests).toEqual([
      { name: 'user', path: '/users/{{id}}', values: { id: { cycle: [7, 8] } } },
      { name: 'root', path: '/' },
    ]);
  });

  it('names a generator it cannot use at its line, and keeps CSV files inside the working directory', () => {
    const c = checkout(
      'compose-file: docker-compose.yml\nrequests:\n  - name: user\n    path: /u\n    values: { id: { pick: [] } }\n',
    );
    expect(() => loadRunConfigFile(c.file, {}, 'input', { workdir: c.dir })).toThrow(
      /chaos-action\.yml:5: requests\[0\]\.values\.id\.pick: needs a list of at least one value/,
    );
    const away = checkout(
      'requests:\n  - name: user\n    path: /u/{{id}}\n    values: { id: { csv: ../elsewhere.csv, column: 1 } }\n',
    );
    expect(() => loadRunConfigFile(away.file, {}, 'input', { workdir: away.dir })).toThrow(
      /outside the working directory/,
    );
  });
});

describe('requests as an action input', () => {
  it('reads the YAML text an input holds, and names what is wrong in it', () => {
    const input = (requests: string) => parseRunConfig({ 'compose-file': 'a.yml', requests }, 'input');
    expect(input('- { name: a, path: /a, weight: 3 }\n- { name: b, path: /b }').target.requests).toEqual([
      { name: 'a', path: '/a', weight: 3 },
      { name: 'b', path: '/b' },
    ]);
    expect(() => input('- { name: a, path: a }')).toThrow('input requests[0].path: must start with /');
  });
});

describe('parseCsv', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks', () => {
    expect(parseCsv('a,b\r\n"x, y","say ""hi""\nthere"\n')).toEqual([
      ['a', 'b'],
      ['x, y', 'say "hi"\nthere'],
    ]);
  });
});

describe('a threshold on one request', () => {
  const stats = (scheduled: number, errorRate: number, p95Ms: number): RequestStats =>
    ({
      name: '',
      scheduled,
      completed: scheduled,
      timed: scheduled,
      errorRate,
      errors: {},
      p95Ms,
    }) as RequestStats;
  const fault = {
    phase: 'fault',
    ...stats(400, 0.25, 40),
    requests: [
      { ...stats(300, 0, 20), name: 'catalogue' },
      { ...stats(100, 1, 90), name: 'checkout' },
    ],
  } as unknown as PhaseStats;
  const obs = { phases: { fault }, stages: [] } as unknown as ScenarioObservations;
  const threshold = (metric: 'p95' | 'error_rate', request: string, value: number): MetricThreshold => ({
    kind: 'metric',
    metric,
    unit: metric === 'p95' ? 'ms' : 'ratio',
    op: '<',
    value,
    sustainedMs: null,
    request,
    source: '',
    file: 'd.yml',
    line: 1,
    phase: 'fault',
    stage: null,
  });

  it('is judged on that request alone', () => {
    expect(evalMetric(threshold('error_rate', 'catalogue', 0.01), obs)).toMatchObject({
      passed: true,
      value: 0,
    });
    expect(evalMetric(threshold('error_rate', 'checkout', 0.01), obs)).toMatchObject({
      passed: false,
      value: 1,
    });
    expect(evalMetric(threshold('p95', 'checkout', 50), obs)).toMatchObject({ passed: false, value: 90 });
  });
});
