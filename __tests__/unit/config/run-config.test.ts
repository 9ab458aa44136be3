import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runJournalPath } from '../../../src/faults/journal';
import {
  loadRunConfigFile,
  NO_TARGET_SETTINGS,
  parseRunConfig,
  parseServiceMap,
} from '../../../src/config/run-config';

describe('run config', () => {
  it('reads action-style string inputs', () => {
    const c = parseRunConfig({
      'compose-files': 'docker-compose.yml\ndocker-compose.naive.yml',
      suite: 'full',
      'service-map': 'api=web, cache=redis-main',
      scale: '0.5',
      'fail-on-violation': 'false',
      params: 'alert_within=60s,redis-failure.fault_duration=10s',
      'target-url': 'http://localhost:8000/',
      'results-dir': '',
    });
    expect(c).toEqual({
      composeFiles: ['docker-compose.yml', 'docker-compose.naive.yml'],
      baseCompose: [],
      project: null,
      composeEnv: [],
      suite: 'full',
      scenarios: [],
      scenariosDirs: [],
      builtinScenarios: true,
      serviceMap: { api: 'web', cache: 'redis-main' },
      targetUrl: 'http://localhost:8000',
      resultsDir: 'chaos-results',
      journalPath: runJournalPath(),
      failOnViolation: false,
      failOnInconclusive: true,
      pairedInconclusive: 'warn',
      failOnError: true,
      scale: 0.5,
      profile: 'ci',
      params: { alert_within: '60s', 'redis-failure.fault_duration': '10s' },
      baselineResults: null,
      pushgatewayUrl: null,
      target: NO_TARGET_SETTINGS,
      readyTimeoutMs: 120_000,
    });
    expect(parseRunConfig({ 'compose-files': 'a.yml', 'ready-timeout': '3m' }).readyTimeoutMs).toBe(180_000);
    expect(parseRunConfig({ 'compose-files': 'a.yml', 'ready-timeout': 45 }).readyTimeoutMs).toBe(45_000);
    expect(() => parseRunConfig({ 'compose-files': 'a.yml', 'ready-timeout': '0s' }, 'flag')).toThrow(
      'flag ready-timeout: "0s" is not a wait between 1s and 1h (e.g. 120s)',
    );
  });

  it('accepts the service map as JSON or a map', () => {
    expect(parseServiceMap('{"api":"web"}')).toEqual({ api: 'web' });
    expect(parseServiceMap({ telemetry: 'otel' })).toEqual({ telemetry: 'otel' });
  });

  it('names the input and suggests a role', () => {
    expect(() => parseRunConfig({ 'compose-files': 'a.yml', 'service-map': 'cach=redis' }, 'input')).toThrow(
      'input service-map.cach: unknown role "cach" (did you mean "cache"?) (roles: api, cache, telemetry, metrics, alerting, tracing)',
    );
    expect(() => parseRunConfig({ 'compose-file': '' }, null, { workdir: os.tmpdir() })).toThrow(
      `compose-file: no compose file in ${os.tmpdir()} (looked for compose.yaml, compose.yml, docker-compose.yml, docker-compose.yaml)`,
    );
    expect(() => parseRunConfig({ 'compose-files': 'a.yml', scale: '0' })).toThrow(
      'scale: "0" is not a scale factor (a number > 0, e.g. 0.5)',
    );
    expect(() => parseRunConfig({ 'compose-files': 'a.yml', 'fail-on-violaton': 'true' })).toThrow(
      'fail-on-violaton: unknown key (did you mean "fail-on-violation"?)',
    );
    expect(() => parseRunConfig({ 'compose-files': 'a.yml', profile: 'prod' })).toThrow('is not a profile');
  });

  it('reads a YAML file with line numbers', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'run-config-'));
    const file = path.join(dir, 'chaos-action.yml');
    fs.writeFileSync(file, 'compose-files: [a.yml]\nscale: 0.25\nfail-on-violation: maybe\n');
    expect(() => loadRunConfigFile(file, {}, null, { workdir: dir })).toThrow(
      `${file}:3: fail-on-violation: "maybe" is not true or false`,
    );
    fs.writeFileSync(file, 'compose-files: [a.yml]\nscale: 0.25\nservice-map: { api: web }\n');
    // Paths in the file are relative to the file; flags override the file.
    expect(loadRunConfigFile(file, { scale: '0.5' }, 'flag', { workdir: dir })).toMatchObject({
      composeFiles: [path.join(dir, 'a.yml')],
      scale: 0.5,
      serviceMap: { api: 'web' },
    });
  });

  it('reads the target settings: request, body, statuses, health path', () => {
    const c = parseRunConfig({
      'compose-files': 'a.yml',
      request: 'post /v1/predict',
      'request-json': '{"user_id": 1}',
      'expect-status': '200, 201',
      'health-path': '/healthz',
    });
    expect(c.target).toEqual({
      request: { method: 'POST', path: '/v1/predict' },
      requestJson: { user_id: 1 },
      requestBody: null,
      requests: null,
      requestHeaders: {},
      expectStatus: [200, 201],
      healthPath: '/healthz',
    });
    expect(() => parseRunConfig({ 'compose-files': 'a.yml', request: 'FETCH /x' }, 'flag')).toThrow(
      'flag request: "FETCH" is not an HTTP method',
    );
    expect(() => parseRunConfig({ 'compose-files': 'a.yml', 'health-path': 'healthz' })).toThrow(
      'health-path: "healthz" is not a path (it must start with /)',
    );
  });
});
