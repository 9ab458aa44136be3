// Scenarios that expand over the stack's graph (src/scenario/expansion.ts), loaded from the
// built-in files as a run loads them.
import path from 'node:path';
import { loadCatalog, loadScenarioFile } from '../../../src/config/load-scenarios';
import { ConfigError } from '../../../src/config/errors';
import { parseScenarioText } from '../../../src/config/load-scenarios';
import { expandScenario, splitExpandedName } from '../../../src/scenario/expansion';
import { parseComposeConfig } from '../../../src/stack/compose-model';
import { buildStackGraph } from '../../../src/stack/graph';

const builtin = (name: string) => loadScenarioFile(path.join(__dirname, '../../../scenarios', `${name}.yml`));

const graph = buildStackGraph(
  parseComposeConfig(
    `
services:
  proxy: { image: nginx, ports: [{ target: 80 }], depends_on: [web1, web2] }
  web1: { build: { context: /nowhere/web }, ports: [{ target: 5000 }] }
  web2: { build: { context: /nowhere/web } }
  db: { image: postgres }
  redis: { image: redis:7 }
  sink: { image: acme/sink }
`,
    ['compose.yaml'],
  ),
);

describe('expanding scenarios', () => {
  it('runs dependency-down once per dependency, each a scenario of its own', () => {
    const { scenarios, none } = expandScenario(builtin('dependency-down'), graph);
    expect(none).toBeNull();
    expect(scenarios.map((s) => [s.name, s.target.service, s.faults[0].target.service])).toEqual([
      ['dependency-down[db]', 'db', 'db'],
      ['dependency-down[redis]', 'redis', 'redis'],
      ['dependency-down[sink]', 'sink', 'sink'],
    ]);
    expect(scenarios[0].title).toBe('Dependency down: db (database, postgres)');
    expect(scenarios[0].expandedFrom).toEqual({
      template: 'dependency-down',
      over: 'dependency',
      kind: 'database',
    });
    // Recovery is judged first, so a service that never reconnects is named for that.
    expect(scenarios[0].thresholds.map((t) => t.source)).toEqual([
      'recovery_time < 30s',
      'after: error_rate < 1%',
      'fault: error_rate < 1%',
    ]);
  });

  it('takes only the dependencies of a kind, and says why it runs nowhere', () => {
    const text = (kind: string) => `
name: db-down
title: Database down
hypothesis: h
target: { each: dependency, kind: ${kind} }
fault: { type: stop, duration: 10s }
load: { request: { path: / }, rate: 5/s }
thresholds: [recovery_time < 10s]
`;
    expect(
      expandScenario(parseScenarioText(text('database'), 'db.yml'), graph).scenarios.map((s) => s.name),
    ).toEqual(['db-down[db]']);
    const none = expandScenario(parseScenarioText(text('queue'), 'q.yml'), graph);
    expect(none.scenarios).toEqual([]);
    expect(none.none).toBe(
      'the stack has no dependency of kind queue (dependencies: db, database; redis, cache; sink, unknown)',
    );
  });

  it('loses one instance where the application has two, and runs nowhere on one', () => {
    const { scenarios } = expandScenario(builtin('instance-loss'), graph);
    expect(scenarios.map((s) => [s.name, s.target.service])).toEqual([['instance-loss[web]', 'web1']]);
    const single = buildStackGraph(
      parseComposeConfig('services:\n  app: { image: acme/app, ports: [{ target: 80 }] }\n', ['c.yaml']),
    );
    expect(expandScenario(builtin('instance-loss'), single)).toEqual({
      scenarios: [],
      none: 'the application (app) runs one instance',
    });
  });

  it('refuses each: beside a role, kind without each: dependency, and an unknown each, naming the line', () => {
    const bad = (target: string) => () =>
      parseScenarioText(
        `name: x\ntitle: t\nhypothesis: h\ntarget: ${target}\nfault: { type: stop }\nload: { request: { path: / }, rate: 1/s }\nthresholds: [recovery_time < 1s]\n`,
        'x.yml',
      );
    expect(bad('{ each: dependency, role: cache }')).toThrow(ConfigError);
    expect(bad('{ each: dependency, role: cache }')).toThrow(
      /x\.yml:4: target: each: runs the scenario on every match, so it takes no role/,
    );
    expect(bad('{ each: instance, kind: database }')).toThrow(/kind goes with each: dependency/);
    expect(bad('{ each: everything }')).toThrow(
      /x\.yml:4: target.each: "everything" is not one of "dependency", "instance"/,
    );
  });

  it('reads names of single runs', () => {
    expect(splitExpandedName('dependency-down[db]')).toEqual({ template: 'dependency-down', arg: 'db' });
    expect(splitExpandedName('redis-failure')).toEqual({ template: 'redis-failure', arg: null });
  });

  it('keeps the default suite short and adds the expansions to weekly and full', () => {
    const { suites } = loadCatalog({ builtinDir: path.join(__dirname, '../../../scenarios') });
    expect(suites.default).toEqual(['otel-collector-failure', 'load-test']);
    for (const suite of ['weekly', 'full'])
      expect(suites[suite]).toEqual(
        expect.arrayContaining([
          'dependency-down',
          'dependency-slow',
          'dependency-partition',
          'instance-loss',
        ]),
      );
  });
});
