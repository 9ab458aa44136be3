import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  builtinScenariosDir,
  loadCatalog,
  parseScenarioText,
  parseSuiteText,
  scaleScenario,
  selectScenarios,
  suitesOf,
} from '../../../src/config/load-scenarios';

const minimal = (
  extra = '',
  fault = 'fault: { type: latency, delay: 100ms, jitter: 10ms, duration: 30s }',
) => `
name: demo
title: Demo
hypothesis: It holds.
target: { role: cache }
${fault}
load:
  request: { method: post, path: /v1/predict, json: { user_id: 1 } }
  rate: 3000/m
thresholds:
  - fault: p95 < 500ms
  - recovery_time < 10s
${extra}`;

const builtinDir = builtinScenariosDir() as string;

describe('scenario files', () => {
  it('parses the fault into the exact FaultSpec with defaults', () => {
    const s = parseScenarioText(minimal(), 'demo.yml');
    expect(s.fault).toEqual({
      type: 'latency',
      delayMs: 100,
      jitterMs: 10,
      port: null,
      direction: 'downstream',
      toxicity: 1,
      from: null,
      durationMs: 30_000,
    });
    expect(s.phases).toEqual({
      warmupMs: 5000,
      baselineMs: 10_000,
      faultMs: 30_000,
      recoveryMs: 60_000,
      afterMs: 10_000,
    });
    expect(s.load).toEqual({
      model: 'open',
      stages: [{ ratePerSecond: 50, durationMs: null, name: null }],
      url: null,
      requests: null,
      timeoutMs: 10_000,
      ramp: 'step',
      request: {
        method: 'POST',
        path: '/v1/predict',
        headers: {},
        json: { user_id: 1 },
        body: null,
        expect: { status: [200], bodyContains: null },
      },
    });
    expect(s.target).toEqual({ role: 'cache', service: null });
    expect(s.requires).toEqual({ roles: ['cache'], services: [] });
    expect(s.thresholds.map((t) => [t.kind, t.line])).toEqual([
      ['metric', 11],
      ['recovery_time', 12],
    ]);
  });

  it.each([
    ['fault: { type: stop }', { type: 'stop', durationMs: 30_000, stopTimeoutMs: 10_000 }],
    ['fault: { type: kill, signal: TERM }', { type: 'kill', signal: 'SIGTERM', restart: true }],
    ['fault: { type: pause, duration: 5s }', { type: 'pause', durationMs: 5000 }],
    [
      'fault: { type: flap, duration: 45s }',
      { type: 'flap', downMs: 5000, upMs: 10_000, durationMs: 45_000, stopTimeoutMs: 10_000 },
    ],
    [
      'fault: { type: partition, from: api }',
      { type: 'partition', mode: 'drop', from: 'api', durationMs: 30_000 },
    ],
    [
      'fault: { type: bandwidth, rate: 1MB/s, toxicity: 50% }',
      { type: 'bandwidth', rateBytesPerSecond: 1048576, toxicity: 0.5 },
    ],
    ['fault: { type: stall }', { type: 'stall', timeoutMs: 0 }],
    ['fault: { type: reset_peer, reset-after: 100ms }', { type: 'reset_peer', resetAfterMs: 100 }],
    ['fault: { type: down, port: 6379 }', { type: 'down', port: 6379, direction: 'downstream' }],
    [
      'fault: { type: memory, path: "/debug/leak?mb=20" }',
      {
        type: 'memory',
        method: 'leak-endpoint',
        path: '/debug/leak?mb=20',
        stepBytes: 20 * 1024 ** 2,
        intervalMs: 500,
      },
    ],
    [
      'fault: { type: memory, method: hog, step: 64MB, interval: 1s }',
      { type: 'memory', method: 'hog', stepBytes: 64 * 1024 ** 2 },
    ],
    ['fault: { type: cpu, workers: 2 }', { type: 'cpu', workers: 2, durationMs: 30_000 }],
  ])('%s', (fault, expected) => {
    expect(parseScenarioText(minimal('', fault), 'demo.yml').fault).toMatchObject(expected);
  });

  it.each([
    ['fault: { type: latency }', 'd.yml:6: fault.delay: is required'],
    [
      'fault: { type: stop, dureation: 5s }',
      'd.yml:6: fault.dureation: unknown key (did you mean "duration"?)',
    ],
    [
      'fault: { type: partition, mode: drp }',
      'd.yml:6: fault.mode: "drp" is not one of "drop", "disconnect" (did you mean "drop"?)',
    ],
    ['fault: { type: latency, delay: 1ms, toxicity: 150% }', 'd.yml:6: fault.toxicity: "150%" is over 100%'],
    [
      'fault: { type: memory, step: 10 parsecs }',
      'd.yml:6: fault.step: "10 parsecs" is not a size (write it like 512KB, 10MB or 1GB)',
    ],
    ['', 'd.yml:2: fault: is required (e.g. { type: stop, duration: 30s }, or { type: none })'],
  ])('fault errors: %s', (fault, message) => {
    expect(() => parseScenarioText(minimal('', fault), 'd.yml')).toThrow(message);
  });

  it('allows a pure load test with type none; the fault phase is then the measured window', () => {
    const s = parseScenarioText(minimal('phases: { fault: 20s }', 'fault: { type: none }'), 'demo.yml');
    expect(s.fault).toBeNull();
    expect(s.phases.faultMs).toBe(20_000);
  });

  it('takes the fault duration from phases.fault when the fault gives none', () => {
    const s = parseScenarioText(minimal('phases: { fault: 12s }', 'fault: { type: stop }'), 'demo.yml');
    expect(s.fault).toMatchObject({ durationMs: 12_000 });
  });

  it('reads closed-model loads and stages', () => {
    const closed = parseScenarioText(
      minimal().replace('rate: 3000/m', 'users: 100\n  think: 2s'),
      'demo.yml',
    );
    expect(closed.load).toMatchObject({
      model: 'closed',
      thinkMs: 2000,
      stages: [{ users: 100, durationMs: null }],
    });
    const staged = parseScenarioText(
      minimal().replace(
        'rate: 3000/m',
        'stages: [{ users: 10, duration: 10s }, { users: 50, duration: 20s, name: top }]',
      ),
      'demo.yml',
    );
    expect(staged.load).toMatchObject({
      model: 'closed',
      stages: [{ users: 10 }, { users: 50, name: 'top' }],
    });
    expect(() =>
      parseScenarioText(
        minimal().replace(
          'rate: 3000/m',
          'stages: [{ users: 10, duration: 10s }, { rate: 5/s, duration: 1s }]',
        ),
        'd.yml',
      ),
    ).toThrow('d.yml:9: load.stages[1]: every stage needs either rate (open model) or users (closed model)');
    expect(() =>
      parseScenarioText(minimal().replace('rate: 3000/m', 'rate: 5/s\n  users: 3'), 'd.yml'),
    ).toThrow('d.yml:8: load: give one of rate, users, stages (got rate and users)');
  });

  it('reads steady-state checks and the abort guard', () => {
    const s = parseScenarioText(
      minimal(`steady-state:
  - http: { path: /healthz, max-latency: 200ms }
  - promql: { query: 'up{job="api"}', op: '==', value: 1 }
abort: ['fault: error_rate > 50% for 10s', 'p95 > 5s for 5s']`),
      'demo.yml',
    );
    expect(s.steadyState).toMatchObject([
      { kind: 'http', path: '/healthz', status: 200, maxLatencyMs: 200, line: 14 },
      { kind: 'promql', query: 'up{job="api"}', op: '==', value: 1, line: 15 },
    ]);
    expect(s.abort?.conditions.map((c) => [c.metric, c.forMs, c.phase, c.line])).toEqual([
      ['error_rate', 10_000, 'fault', 16],
      ['p95', 5000, null, 16],
    ]);
    expect(() =>
      parseScenarioText(minimal('steady-state:\n  - http: { path: /x, maxLatency: 1s }'), 'd.yml'),
    ).toThrow('d.yml:14: steady-state[0].http.maxLatency: unknown key (did you mean "max-latency"?)');
  });

  it('substitutes params, with production values and overrides', () => {
    const text = minimal(
      `params: { wait: 30s, rate: 50/s }\nproduction: { wait: 5m }`,
      'fault:\n  type: stop\n  duration: ${wait}',
    ).replace('rate: 3000/m', 'rate: ${rate}');
    expect(parseScenarioText(text, 'd.yml').fault).toMatchObject({ durationMs: 30_000 });
    const prod = parseScenarioText(text, 'd.yml', { profile: 'production' });
    expect(prod.fault).toMatchObject({ durationMs: 300_000 });
    expect(prod.params).toEqual({ wait: '5m', rate: '50/s' });
    expect(prod.production).toEqual({ wait: '5m' });
    expect(
      parseScenarioText(text, 'd.yml', { params: { 'demo.wait': '7s', 'other.wait': '1s' } }).fault,
    ).toMatchObject({
      durationMs: 7000,
    });
    expect(() =>
      parseScenarioText(text.replace('production: { wait: 5m }', 'production: { wiat: 5m }'), 'd.yml'),
    ).toThrow('d.yml:16: production.wiat: not a parameter (did you mean "wait"?)');
  });

  it('scales phases, fault and stage durations but not the recovery wait', () => {
    const s = scaleScenario(parseScenarioText(minimal(), 'demo.yml'), 0.5);
    expect(s.phases).toEqual({
      warmupMs: 2500,
      baselineMs: 5000,
      faultMs: 15_000,
      recoveryMs: 60_000,
      afterMs: 5000,
    });
    expect(s.fault).toMatchObject({ durationMs: 15_000 });
  });

  it('applies the scale and ramp options', () => {
    const s = parseScenarioText(
      minimal().replace(
        'rate: 3000/m',
        'stages: [{ rate: 5/s, duration: 10s }, { rate: 50/s, duration: 20s }]\n  ramp: linear',
      ),
      'demo.yml',
      { scale: 0.1 },
    );
    expect(s.load).toMatchObject({
      ramp: 'linear',
      stages: [
        { ratePerSecond: 5, durationMs: 1000 },
        { ratePerSecond: 50, durationMs: 2000 },
      ],
    });
    expect(s.phases.faultMs).toBe(3000);
  });

  it('reports several errors at once, sorted by line', () => {
    expect(() =>
      parseScenarioText(
        minimal().replace('title: Demo', 'title: ""').replace('  - recovery_time < 10s', '  - p96 < 1s'),
        'd.yml',
      ),
    ).toThrow('d.yml:3: title: must not be empty');
    expect(() =>
      parseScenarioText(
        minimal().replace('  - recovery_time < 10s', '  - p96 < 1s\n  - faults: p95 < 1s'),
        'd.yml',
      ),
    ).toThrow(
      'd.yml:12: thresholds[1]: unknown metric "p96" (did you mean "p95"?)\nd.yml:13: thresholds[2]: unknown phase "faults"',
    );
  });
});

describe('built-in scenarios and suites', () => {
  const catalog = loadCatalog({ builtinDir });

  it('loads the seven seed scenarios, the game day, the load test and the four that expand over the graph', () => {
    expect([...catalog.scenarios.keys()].sort()).toEqual([
      'dependency-down',
      'dependency-partition',
      'dependency-slow',
      'game-day',
      'instance-loss',
      'latency-injection',
      'load-test',
      'memory-pressure',
      'network-partition',
      'otel-collector-failure',
      'redis-failure',
      'retry-storm',
      'traffic-spike',
    ]);
    for (const s of catalog.scenarios.values()) {
      expect(s.builtin).toBe(true);
      // A role, or an expansion over the graph (the dependencies, the application's instances).
      expect(s.target.role !== null || s.expansion !== null).toBe(true);
      expect(Object.keys(s.production).length).toBeGreaterThan(0);
      // CI-sized: a minute of fault at most. memory-pressure's 90 s is a cap, not its length: the
      // fault ends at the OOM kill, about 45 s in (the cap leaves the OOM watch room when scaled).
      const cap = s.name === 'memory-pressure' ? 90_000 : 60_000;
      expect({ name: s.name, faultMs: s.phases.faultMs, withinCap: s.phases.faultMs <= cap }).toMatchObject({
        withinCap: true,
      });
    }
    expect(catalog.notes).toEqual([]);
  });

  it('has the seed CI schedule as the default suite and everything but the monthly game day in full', () => {
    expect(catalog.suites.default).toEqual(['otel-collector-failure', 'load-test']);
    expect(catalog.suites['game-day']).toEqual(['game-day']);
    expect([...catalog.suites.full, 'game-day'].sort()).toEqual([...catalog.scenarios.keys()].sort());
    expect(suitesOf(catalog, 'load-test')).toEqual(['default', 'full']);
    expect(selectScenarios(catalog, {}).map((s) => s.name)).toEqual(['otel-collector-failure', 'load-test']);
    expect(selectScenarios(catalog, { suite: 'all' })).toHaveLength(13);
    expect(selectScenarios(catalog, { names: ['retry-storm'] })[0].fault).toMatchObject({ type: 'flap' });
    expect(() => selectScenarios(catalog, { names: ['redis-failur'] })).toThrow(
      'scenarios: unknown scenario "redis-failur" (did you mean "redis-failure"?)',
    );
    expect(() => selectScenarios(catalog, { suite: 'ful' })).toThrow(
      'suite: unknown suite "ful" (did you mean "full"?)',
    );
  });

  it('production profile gives production-sized windows', () => {
    const prod = loadCatalog(
      { builtinDir },
      { profile: 'production', params: { cache_alert: 'HighCacheMissRate' } },
    );
    expect(
      prod.scenarios.get('redis-failure')?.thresholds.find((t) => t.kind === 'alert_fires'),
    ).toMatchObject({
      withinMs: 300_000,
    });
    expect(prod.scenarios.get('otel-collector-failure')?.phases.faultMs).toBe(300_000);
  });

  it('leaves out, with a note, the checks whose application-specific parameter is unset', () => {
    const generic = loadCatalog({ builtinDir }, {}).scenarios.get('redis-failure');
    expect(generic?.thresholds.map((t) => t.source)).toEqual([
      'fault: error_rate < 1%',
      'fault: p95 < 500ms',
      'recovery_time < 10s',
    ]);
    expect(generic?.omitted).toEqual([
      'thresholds[3] (alert ${cache_alert} fires within ${alert_within}) left out: parameter cache_alert is not set',
      'thresholds[4] (log api contains "${cache_miss_log}") left out: parameter cache_miss_log is not set',
      'thresholds[5] ({"fault":"trace api span ${cache_lookup_span} any attribute ${cache_hit_attribute} == false"}) left out: parameter cache_lookup_span is not set',
    ]);
    const example = loadCatalog(
      { builtinDir },
      {
        params: {
          cache_alert: 'HighCacheMissRate',
          cache_miss_log: 'Cache miss',
          cache_lookup_span: 'feature_store.get',
        },
      },
    ).scenarios.get('redis-failure');
    expect(example?.thresholds.map((t) => t.source).slice(3)).toEqual([
      'alert HighCacheMissRate fires within 30s',
      'log api contains "Cache miss"',
      'fault: trace api span feature_store.get any attribute cache.hit == false',
    ]);
    expect(example?.omitted).toEqual([]);
  });

  it("uses the run's request and health check in every built-in", () => {
    const run = {
      request: { method: 'GET', path: '/item/1', expect: { status: [200, 203] } },
      health_path: '/health',
    };
    const catalog = loadCatalog({ builtinDir }, { run });
    for (const scenario of catalog.scenarios.values()) {
      expect({
        name: scenario.name,
        path: scenario.load.request.path,
        status: scenario.load.request.expect.status,
      }).toEqual({
        name: scenario.name,
        path: '/item/1',
        status: [200, 203],
      });
      for (const check of scenario.steadyState)
        expect(check).toMatchObject({ kind: 'http', path: '/health' });
    }
    const memory = catalog.scenarios.get('memory-pressure');
    expect(memory?.fault).toMatchObject({ type: 'memory', method: 'hog' });
  });

  it('lets a user scenario replace a built-in, with a note, and user suites extend them', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'user-scenarios-'));
    fs.writeFileSync(path.join(dir, 'mine.yml'), minimal().replace('name: demo', 'name: load-test'));
    fs.writeFileSync(path.join(dir, 'suites.yml'), 'smoke: [load-test]\ndefault: [load-test]\n');
    const c = loadCatalog({ builtinDir, userDirs: [dir] });
    expect(c.scenarios.get('load-test')?.file).toBe(path.join(dir, 'mine.yml'));
    expect(c.notes[0]).toMatch(/mine\.yml: scenario "load-test" replaces the built-in one/);
    expect(c.notes[1]).toMatch(/suites\.yml: suite "default" replaces the one in/);
    expect(c.suites.smoke).toEqual(['load-test']);
    expect(c.suites.full).toHaveLength(12);
  });

  it('checks suite names with lines', () => {
    expect(() => parseSuiteText('default:\n  - a\n  - b\n  - a\n', 's.yml', ['a', 'b'])).toThrow(
      's.yml:4: default[2]: "a" is listed twice',
    );
    expect(() => parseSuiteText('Bad Name: [a]\n', 's.yml', ['a'])).toThrow(
      'a suite name uses lowercase letters',
    );
  });
});
