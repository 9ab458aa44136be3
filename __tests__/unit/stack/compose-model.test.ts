import { parseComposeConfig } from '../../../src/stack/compose-model';
import { rolesFromModel } from '../../../src/stack/roles';
import { healthcheckUrl, inferRunTarget } from '../../../src/stack/run-target';
import { combineOutcomes } from '../../../src/results';
import { guessRoles } from '../../../src/stack/infer-roles';
import { renderRunConfig, starterTarget } from '../../../src/config/starter-files';
import { loadRunConfigFile, NO_TARGET_SETTINGS } from '../../../src/config/run-config';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

// `docker-compose config` (v1 1.29) prints ports in the short syntax and a list healthcheck.
const V1 = `
services:
  storefront:
    build:
      context: /src/storefront
    healthcheck:
      test:
      - CMD-SHELL
      - curl -fsS http://localhost:8080/health || exit 1
    image: shop/storefront:dev
    ports:
    - 127.0.0.1::8080/tcp
    - 9100/tcp
  memcached:
    image: memcached:1.6
    labels:
      dev.chaos-action.role: cache
  pricing:
    image: nginx
`;

// \`docker compose config\` (v2) prints the long syntax and a map of labels.
const V2 = `
name: shop
services:
  storefront:
    healthcheck:
      test:
        - CMD
        - wget
        - -qO-
        - http://127.0.0.1:8080/health?deep=1
    image: shop/storefront:dev
    labels:
      dev.chaos-action.role: api
    ports:
      - mode: ingress
        host_ip: 127.0.0.1
        target: 8080
        protocol: tcp
      - mode: ingress
        target: 9100
        published: "19100"
        protocol: tcp
  pricing:
    image: nginx
    healthcheck:
      disable: true
`;

const none = NO_TARGET_SETTINGS;

describe('compose config', () => {
  it('reads v1 and v2 output alike', () => {
    const v1 = parseComposeConfig(V1, ['docker-compose.yml']);
    expect(v1.services.map((s) => s.name)).toEqual(['memcached', 'pricing', 'storefront']);
    expect(v1.services[2]).toEqual({
      name: 'storefront',
      image: 'shop/storefront:dev',
      labels: {},
      healthcheck: ['CMD-SHELL', 'curl -fsS http://localhost:8080/health || exit 1'],
      ports: [
        { target: 8080, published: null, protocol: 'tcp' },
        { target: 9100, published: null, protocol: 'tcp' },
      ],
    });
    const v2 = parseComposeConfig(V2, ['compose.yaml']);
    expect(v2.services[1]).toMatchObject({
      name: 'storefront',
      labels: { 'dev.chaos-action.role': 'api' },
      ports: [
        { target: 8080, published: null },
        { target: 9100, published: 19100 },
      ],
    });
    expect(v2.services[0].healthcheck).toBeNull();
  });

  it('resolves roles from labels, the service map and names, and names what is missing', () => {
    const model = parseComposeConfig(V1, ['/repo/docker-compose.yml']);
    const roles = rolesFromModel(model, { api: 'storefront' });
    expect(roles.service('api')).toBe('storefront');
    expect(roles.service('cache')).toBe('memcached');
    expect(roles.optional('telemetry')).toBeNull();
    expect(() => rolesFromModel(model, { api: 'shop' })).toThrow(
      'service-map: role "api" maps to service "shop", which is not in docker-compose.yml (services: memcached, pricing, storefront)',
    );
  });
});

describe('the run target, inferred', () => {
  it('takes the health check from a curl or wget healthcheck', () => {
    expect(healthcheckUrl(['CMD-SHELL', 'curl -f http://localhost:8080/health || exit 1'])?.pathname).toBe(
      '/health',
    );
    expect(healthcheckUrl(['CMD', 'pg_isready'])).toBeNull();
    expect(healthcheckUrl(null)).toBeNull();
  });

  it('infers the health check, the request from it, and the port; says where each came from', () => {
    const v2 = parseComposeConfig(V2, ['compose.yaml']);
    const target = inferRunTarget(v2.services[1], none);
    expect(target.params).toEqual({
      request: { method: 'GET', path: '/health?deep=1', expect: { status: [200] } },
      health_path: '/health?deep=1',
    });
    expect(target.port).toBe(8080);
    expect(target.explained).toEqual([
      'health check GET /health?deep=1 (from the healthcheck of service storefront)',
      'request GET /health?deep=1 (the health check; set request to load a real endpoint)',
      "port 8080 (the healthcheck's port, published by service storefront)",
    ]);
  });

  it('prefers what was given, and falls back to GET / without a healthcheck', () => {
    const v1 = parseComposeConfig(V1, ['docker-compose.yml']);
    const given = inferRunTarget(v1.services[2], {
      ...none,
      request: { method: 'POST', path: '/cart' },
      requestJson: { sku: 1 },
      expectStatus: [201],
    });
    expect(given.params.request).toEqual({
      method: 'POST',
      path: '/cart',
      json: { sku: 1 },
      expect: { status: [201] },
    });
    expect(given.params.health_path).toBe('/health');
    const bare = inferRunTarget(v1.services[1], none);
    expect(bare.params).toEqual({
      request: { method: 'GET', path: '/', expect: { status: [200] } },
      health_path: '/',
    });
    expect(bare.port).toBeNull();
  });
});

describe('skipped scenarios', () => {
  it('count for nothing; a run of only skipped scenarios is inconclusive', () => {
    expect(combineOutcomes(['pass', 'skipped'])).toBe('pass');
    expect(combineOutcomes(['skipped', 'fail'])).toBe('fail');
    expect(combineOutcomes(['skipped', 'skipped'])).toBe('inconclusive');
  });
});

describe('init: guessing roles', () => {
  const model = parseComposeConfig(
    `
services:
  shop:
    image: acme/shop:1
    healthcheck: { test: [CMD, curl, -f, 'http://localhost:3000/ready'] }
    ports: ['3000']
  worker:
    image: acme/worker:1
    healthcheck: { test: [CMD, /bin/true] }
    ports: ['9000']
  sessions:
    image: docker.io/bitnami/valkey:8
  traces:
    image: jaegertracing/all-in-one:1.60
  prom:
    image: prom/prometheus:v2
  redistributor:
    image: acme/redistributor:1
`,
    ['compose.yaml'],
  );

  it('reads roles from images and names, and picks the api by its port and HTTP healthcheck', () => {
    const { roles, notes } = guessRoles(model);
    expect(Object.fromEntries(roles.map((r) => [r.role, `${r.service}: ${r.why}`]))).toEqual({
      cache: 'sessions: its image docker.io/bitnami/valkey:8',
      telemetry: 'traces: its image jaegertracing/all-in-one:1.60',
      metrics: 'prom: its image prom/prometheus:v2',
      // Jaeger receives and stores traces: it plays both roles.
      tracing: 'traces: its image jaegertracing/all-in-one:1.60',
      api: 'shop: it publishes port 3000 and has an HTTP healthcheck',
    });
    // worker's healthcheck is not HTTP: shop is the clear choice, so nothing to note.
    expect(notes).toEqual([]);
  });

  it('writes a run config that validates and says why', () => {
    const { roles } = guessRoles(model);
    const api = model.services.find((s) => s.name === 'shop') ?? null;
    const target = inferRunTarget(api, none);
    const text = renderRunConfig(
      {
        composeFiles: ['compose.yaml'],
        serviceMap: roles,
        labelledRoles: [],
        ...starterTarget(target.params, target.explained),
        params: [{ name: 'cache_miss_log', what: 'checked in redis-failure' }],
      },
      'compose.yaml',
    );
    expect(text).toContain('  api: shop # it publishes port 3000 and has an HTTP healthcheck\n');
    expect(text).toContain('request: GET /ready # the health check; set request to load a real endpoint\n');
    expect(text).toContain('health-path: /ready # from the healthcheck of service shop\n');
    const dir = mkdtempSync(path.join(tmpdir(), 'starter-'));
    writeFileSync(path.join(dir, 'chaos-action.yml'), text);
    const config = loadRunConfigFile(path.join(dir, 'chaos-action.yml'), {}, null, { workdir: dir });
    expect(config.serviceMap).toEqual({
      cache: 'sessions',
      telemetry: 'traces',
      metrics: 'prom',
      tracing: 'traces',
      api: 'shop',
    });
    expect(config.target).toMatchObject({ request: { method: 'GET', path: '/ready' }, healthPath: '/ready' });
    expect(config.params).toEqual({});
  });
});
