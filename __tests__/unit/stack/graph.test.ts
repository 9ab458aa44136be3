// The stack as a graph (src/stack/graph.ts): the entry, the application's instances, and each
// dependency with its kind and evidence, from `compose config` output alone.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseComposeConfig } from '../../../src/stack/compose-model';
import { baseImage, dockerfileStages } from '../../../src/stack/dockerfile';
import { buildStackGraph, describeGraph } from '../../../src/stack/graph';
import { kindOf } from '../../../src/stack/kinds';
import { rolesFromModel } from '../../../src/stack/roles';

const graphOf = (yaml: string, api?: string) =>
  buildStackGraph(parseComposeConfig(yaml, ['compose.yaml']), api ? { api } : {});
const parts = (yaml: string) =>
  Object.fromEntries(graphOf(yaml).services.map((s) => [s.name, `${s.part} ${s.kind}`]));

describe('kinds', () => {
  const kind = (image: string | null, ports: number[] = [], command: string[] = []) =>
    kindOf({ image, builtFrom: null, ports, command });

  it('reads the image name first, whole words only', () => {
    expect(kind('postgres')).toMatchObject({ kind: 'database', product: 'postgres', why: 'image postgres' });
    expect(kind('mariadb:10-focal').kind).toBe('database');
    expect(kind('redislabs/redismod').kind).toBe('cache');
    expect(kind('redis/redis-stack-server:7.2.0-v10').kind).toBe('cache');
    expect(kind('docker.io/bitnami/valkey:8').kind).toBe('cache');
    expect(kind('confluentinc/cp-kafka:7.5').kind).toBe('queue');
    expect(kind('opensearchproject/opensearch:2').kind).toBe('search');
    expect(kind('otel/opentelemetry-collector-contrib:0.98.0').kind).toBe('telemetry');
    expect(kind('prom/prometheus').product).toBe('prometheus');
    expect(kind('acme/redistributor:1').kind).toBe('unknown');
  });

  it('does not take a tool beside a product for the product', () => {
    expect(kind('mongo-express').kind).toBe('unknown');
    expect(kind('rediscommander/redis-commander').kind).toBe('unknown');
    expect(kind('oliver006/redis_exporter').kind).toBe('metrics');
  });

  it('falls back to a well-known port, then to the command', () => {
    expect(kind('acme/store:1', [8080, 6379])).toMatchObject({ kind: 'cache', why: 'port 6379 (redis)' });
    expect(kind('acme/api:1', [9411], ['perl', '/srv/zipkin.pl'])).toMatchObject({ kind: 'telemetry' });
    expect(kind('acme/api:1', [], ['perl', '/srv/zipkin.pl'])).toMatchObject({
      kind: 'telemetry',
      why: 'command perl /srv/zipkin.pl',
    });
    // An argument deep in a shell line is not what the service runs.
    expect(
      kind('acme/worker:1', [], ['sh', '-c', 'until redis-cli ping; do sleep 1; done; exec worker']).kind,
    ).toBe('unknown');
  });

  it('reads the built stage of a Dockerfile through stage names', () => {
    const stages = dockerfileStages(
      '# syntax=docker/dockerfile:1.4\nFROM --platform=$BUILDPLATFORM python:3.10-alpine AS builder\nRUN x\nFROM builder as dev-envs\nFROM scratch\n',
    );
    expect(baseImage(stages, 'builder')).toBe('python:3.10-alpine');
    expect(baseImage(stages, 'dev-envs')).toBe('python:3.10-alpine');
    expect(baseImage(stages, null)).toBeNull();
  });
});

describe('the entry, the application and the dependencies', () => {
  it('takes the proxy nothing depends on over the replicas behind it that also publish ports', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'graph-'));
    mkdirSync(path.join(dir, 'nginx'));
    writeFileSync(
      path.join(dir, 'nginx', 'Dockerfile'),
      'FROM nginx:1.21.6\nCOPY nginx.conf /etc/nginx/conf.d/\n',
    );
    const yaml = `
services:
  nginx:
    build: { context: ${dir}/nginx, dockerfile: Dockerfile }
    ports: [{ target: 80, published: "80" }]
    depends_on: { web1: { condition: service_started }, web2: { condition: service_started } }
  redis:
    image: redislabs/redismod
    ports: [{ target: 6379, published: "6379" }]
  web1:
    build: { context: ${dir}/web, dockerfile: Dockerfile }
    ports: [{ target: 5000, published: "81" }]
  web2:
    build: { context: ${dir}/web, dockerfile: Dockerfile }
    ports: [{ target: 5000, published: "82" }]
`;
    const graph = graphOf(yaml);
    expect(graph.entry).toMatchObject({ service: 'nginx', port: 80, path: '/' });
    expect(graph.entry?.why).toContain('no service depends on it');
    expect(graph.entry?.why).toContain('it is a proxy (built FROM nginx:1.21.6 (nginx/Dockerfile))');
    expect(graph.application).toMatchObject({ name: 'web', services: ['web1', 'web2'], instances: 2 });
    expect(graph.dependencies.map((d) => `${d.name} ${d.kind}`)).toEqual(['redis cache']);
    expect(describeGraph(graph)).toEqual([
      expect.stringMatching(/^nginx {2}entry {8}it publishes 80; .*; depends on web1, web2$/),
      'redis  dependency   cache: redis (image redislabs/redismod)',
      'web1   application  instance of web',
      'web2   application  instance of web',
    ]);
  });

  it('follows depends_on in both forms and every network to the database behind the app', () => {
    const yaml = `
services:
  db:
    image: mariadb:10-focal
    expose: ["3306", "33060"]
    networks: { backnet: null }
    healthcheck: { test: [CMD-SHELL, mysqladmin ping] }
  backend:
    build: { context: /nowhere/backend }
    ports: [{ target: 8000, published: "8000" }]
    networks: { backnet: null, frontnet: null }
    depends_on: { db: { condition: service_healthy, required: true } }
  proxy:
    image: nginx
    ports: [{ target: 80, published: "80" }]
    networks: { frontnet: null }
    depends_on: [backend]
  adminer:
    image: adminer
    networks: { tools: null }
`;
    expect(parts(yaml)).toEqual({
      adminer: 'apart unknown',
      backend: 'application unknown',
      db: 'dependency database',
      proxy: 'entry proxy',
    });
    const lines = describeGraph(graphOf(yaml));
    expect(lines).toContain('backend  application  behind the entry; depends on db (healthy)');
    expect(lines).toContain('db       dependency   database: mariadb (image mariadb:10-focal)');
  });

  it('finds no entry where only dependencies publish, and says so; the service map overrides', () => {
    const yaml = `
services:
  worker: { image: acme/worker }
  redis: { image: redis:7, ports: [{ target: 6379, published: "6379" }] }
`;
    expect(graphOf(yaml).entry).toBeNull();
    expect(graphOf(yaml).noEntry).toBe('only redis (redis) publishes ports, and it is a dependency');
    expect(graphOf(yaml, 'worker').entry).toMatchObject({
      service: 'worker',
      why: 'the service map names it (api)',
    });
  });

  it('counts replicas as instances, and a service of a dependency kind never as one', () => {
    const yaml = `
services:
  api:
    build: { context: /nowhere/api }
    image: acme/api
    deploy: { replicas: 3 }
    ports: [{ target: 8080 }]
  zipkin:
    build: { context: /nowhere/api }
    image: acme/api
    command: [perl, /srv/zipkin.pl]
`;
    const graph = graphOf(yaml);
    expect(graph.application).toMatchObject({ services: ['api'], instances: 3 });
    expect(graph.dependencies.map((d) => `${d.name} ${d.kind}`)).toEqual(['zipkin telemetry']);
  });

  it('gives roles from the graph, under labels and the service map', () => {
    const model = parseComposeConfig(
      `
services:
  web: { image: acme/web, ports: [{ target: 8000 }] }
  sessions: { image: valkey/valkey:8 }
  sink: { image: acme/sink, labels: { dev.chaos-action.role: telemetry } }
  traces: { image: jaegertracing/all-in-one:1.60 }
  prom: { image: prom/prometheus }
  am: { image: prom/alertmanager }
`,
      ['compose.yaml'],
    );
    const roles = rolesFromModel(model, {});
    expect(roles.roles).toEqual({
      api: 'web',
      telemetry: 'sink', // the label wins over the graph's telemetry (traces)
      cache: 'sessions',
      metrics: 'prom',
      alerting: 'am',
      tracing: 'traces',
    });
    expect(roles.why.cache).toBe('valkey (image valkey/valkey:8)');
    expect(rolesFromModel(model, { cache: 'prom' }).roles.cache).toBe('prom');
  });
});
