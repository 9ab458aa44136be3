import { parseComposeConfig } from '../../../src/stack/compose-model';
import { rolesFromModel } from '../../../src/stack/roles';
import { healthcheckUrl } from '../../../src/stack/compose-model';
import { inferRunTarget } from '../../../src/stack/run-target';
import { combineOutcomes } from '../../../src/results';
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
      expose: [],
      build: { context: '/src/storefront', dockerfile: 'Dockerfile', target: null, inline: null },
      replicas: 1,
      dependsOn: [],
      networks: ['default'],
      command: [],
      entrypoint: [],
      memoryLimited: false,
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

  it('resolves roles from labels, the service map and the graph, and names what is missing', () => {
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

  it("takes the health check from the HTTP healthcheck, and loads the entry's root, not the health path", () => {
    const v2 = parseComposeConfig(V2, ['compose.yaml']);
    const target = inferRunTarget(v2.services[1], none);
    expect(target.params).toEqual({
      request: { method: 'GET', path: '/', expect: { status: [200] } },
      health_path: '/health?deep=1',
      health_status: 200,
    });
    expect(target.port).toBe(8080);
    expect(target.explained).toEqual([
      'health check GET /health?deep=1 answering 200 (from the healthcheck of service storefront)',
      `request GET / (the entry's root, checked once the stack serves: else a GET its OpenAPI document offers, else the health check; set request to load a real endpoint, e.g. "POST /v1/orders")`,
      "port 8080 (the healthcheck's port, published by service storefront)",
    ]);
  });

  it('prefers what was given; without a healthcheck the check is that the entry answers', () => {
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
      health_status: '< 500',
    });
    expect(bare.port).toBeNull();
    expect(
      inferRunTarget(v1.services[1], { ...none, expectStatus: [200, 302] }).params.health_status,
    ).toEqual([200, 302]);
  });

  it("puts the run's headers under every request of a mix, and its expect-status on those that name no status", () => {
    const v1 = parseComposeConfig(V1, ['docker-compose.yml']);
    const target = inferRunTarget(v1.services[2], {
      ...none,
      requestHeaders: { authorization: 'Bearer t', 'x-tenant': '7' },
      expectStatus: [200, 204],
      requests: [
        { name: 'catalogue', path: '/items' },
        {
          name: 'checkout',
          method: 'POST',
          path: '/cart',
          headers: { 'x-tenant': '9' },
          expect: { status: 201 },
        },
        { name: 'search', path: '/search', expect: { 'body-contains': 'results' } },
      ],
    });
    expect(target.params.requests).toEqual([
      {
        name: 'catalogue',
        path: '/items',
        headers: { authorization: 'Bearer t', 'x-tenant': '7' },
        expect: { status: [200, 204] },
      },
      {
        name: 'checkout',
        method: 'POST',
        path: '/cart',
        headers: { authorization: 'Bearer t', 'x-tenant': '9' },
        expect: { status: 201 },
      },
      {
        name: 'search',
        path: '/search',
        headers: { authorization: 'Bearer t', 'x-tenant': '7' },
        expect: { 'body-contains': 'results', status: [200, 204] },
      },
    ]);
    const plain = inferRunTarget(v1.services[2], {
      ...none,
      requests: [{ name: 'catalogue', path: '/items' }],
    });
    expect(plain.params.requests).toEqual([{ name: 'catalogue', path: '/items' }]);
  });
});

describe('skipped scenarios', () => {
  it('count for nothing; a run of only skipped scenarios is inconclusive', () => {
    expect(combineOutcomes(['pass', 'skipped'])).toBe('pass');
    expect(combineOutcomes(['skipped', 'fail'])).toBe('fail');
    expect(combineOutcomes(['skipped', 'skipped'])).toBe('inconclusive');
  });
});

describe('init: the starter config', () => {
  const model = parseComposeConfig(
    `
services:
  shop:
    image: acme/shop:1
    healthcheck: { test: [CMD, curl, -f, 'http://localhost:3000/ready'] }
    ports: ['3000']
  sessions:
    image: docker.io/bitnami/valkey:8
`,
    ['compose.yaml'],
  );

  it('writes a run config that validates, shows the graph and says why', () => {
    const roles = rolesFromModel(model, {});
    const target = inferRunTarget(model.services[1], none, roles.graph.entry);
    const text = renderRunConfig(
      {
        composeFiles: ['compose.yaml'],
        serviceMap: [],
        labelledRoles: [],
        found: Object.entries(roles.roles).map(([role, service]) => ({ role, service, why: '' })),
        graph: ['sessions  dependency   cache: valkey (image docker.io/bitnami/valkey:8)'],
        ...starterTarget(target.params, target.explained),
        params: [{ name: 'cache_miss_log', what: 'checked in redis-failure' }],
      },
      'compose.yaml',
    );
    expect(text).toContain('#   sessions  dependency   cache: valkey (image docker.io/bitnami/valkey:8)\n');
    expect(text).toContain('# service-map: { api: shop, cache: sessions }\n');
    // Unset: each run resolves it on the serving entry.
    expect(text).toMatch(
      /^# request: GET \/items\/1 +# unset: each run takes the entry's \/ when it answers 2xx with a body/m,
    );
    expect(text).toContain('health-path: /ready # from the healthcheck of service shop\n');
    const dir = mkdtempSync(path.join(tmpdir(), 'starter-'));
    writeFileSync(path.join(dir, 'chaos-action.yml'), text);
    const config = loadRunConfigFile(path.join(dir, 'chaos-action.yml'), {}, null, { workdir: dir });
    expect(config.serviceMap).toEqual({});
    expect(config.target).toMatchObject({ request: null, healthPath: '/ready' });
    expect(config.readyTimeoutMs).toBe(120_000);
    expect(config.params).toEqual({});
  });
});
