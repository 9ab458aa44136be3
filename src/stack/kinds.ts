// What a service is, from what compose says about it: the kind of dependency it is (database,
// cache, queue, search, telemetry, metrics) or a reverse proxy, with the evidence. In order:
// its image's name (for a built service, the image its Dockerfile starts FROM), then a
// well-known port it publishes or exposes, then its command. Names of services are not
// evidence: a service called `db` may be anything. Pure.

export const DEPENDENCY_KINDS = ['database', 'cache', 'queue', 'search', 'telemetry', 'metrics'] as const;
export type DependencyKind = (typeof DEPENDENCY_KINDS)[number] | 'unknown';
/** A proxy forwards outside traffic; it is never a dependency kind, but it decides the entry. */
export type ServiceKind = DependencyKind | 'proxy';

export interface Product {
  /** What it is, as a reader would say it: postgres, redis, nginx. */
  name: string;
  kind: Exclude<ServiceKind, 'unknown'>;
  /** Words of an image or command that name it (whole words of the path, split at / - _ . :). */
  words: string[];
  /** Its well-known ports; only ports nothing else commonly uses. */
  ports: number[];
}

export const PRODUCTS: Product[] = [
  {
    name: 'postgres',
    kind: 'database',
    words: ['postgres', 'postgresql', 'postgis', 'timescaledb'],
    ports: [5432],
  },
  { name: 'mysql', kind: 'database', words: ['mysql', 'percona'], ports: [3306, 33060] },
  { name: 'mariadb', kind: 'database', words: ['mariadb', 'mariadbd'], ports: [] },
  { name: 'mongodb', kind: 'database', words: ['mongo', 'mongodb', 'mongod'], ports: [27017] },
  { name: 'sql server', kind: 'database', words: ['mssql', 'sqlservr'], ports: [1433] },
  { name: 'cockroachdb', kind: 'database', words: ['cockroach', 'cockroachdb'], ports: [26257] },
  { name: 'cassandra', kind: 'database', words: ['cassandra', 'scylla'], ports: [9042] },
  { name: 'couchdb', kind: 'database', words: ['couchdb'], ports: [5984] },
  { name: 'clickhouse', kind: 'database', words: ['clickhouse'], ports: [] },
  { name: 'neo4j', kind: 'database', words: ['neo4j'], ports: [7687] },
  {
    name: 'redis',
    kind: 'cache',
    words: ['redis', 'redis-server', 'redismod', 'redislabs', 'redis-stack'],
    ports: [6379],
  },
  { name: 'valkey', kind: 'cache', words: ['valkey', 'valkey-server'], ports: [] },
  { name: 'keydb', kind: 'cache', words: ['keydb', 'keydb-server'], ports: [] },
  { name: 'dragonfly', kind: 'cache', words: ['dragonfly', 'dragonflydb'], ports: [] },
  { name: 'memcached', kind: 'cache', words: ['memcached', 'memcache'], ports: [11211] },
  { name: 'rabbitmq', kind: 'queue', words: ['rabbitmq', 'rabbitmq-server'], ports: [5672] },
  { name: 'kafka', kind: 'queue', words: ['kafka', 'cp-kafka', 'redpanda'], ports: [9092] },
  { name: 'nats', kind: 'queue', words: ['nats', 'nats-server'], ports: [4222] },
  { name: 'activemq', kind: 'queue', words: ['activemq', 'artemis'], ports: [61616] },
  { name: 'pulsar', kind: 'queue', words: ['pulsar'], ports: [6650] },
  { name: 'mosquitto', kind: 'queue', words: ['mosquitto', 'emqx'], ports: [1883] },
  { name: 'elasticsearch', kind: 'search', words: ['elasticsearch'], ports: [9200] },
  { name: 'opensearch', kind: 'search', words: ['opensearch'], ports: [] },
  { name: 'solr', kind: 'search', words: ['solr'], ports: [8983] },
  { name: 'meilisearch', kind: 'search', words: ['meilisearch'], ports: [7700] },
  { name: 'typesense', kind: 'search', words: ['typesense'], ports: [8108] },
  {
    name: 'otel collector',
    kind: 'telemetry',
    words: ['otel-collector', 'opentelemetry-collector', 'otelcol', 'otelcol-contrib'],
    ports: [4317, 4318],
  },
  { name: 'jaeger', kind: 'telemetry', words: ['jaeger', 'jaegertracing'], ports: [16686, 14268, 6831] },
  { name: 'zipkin', kind: 'telemetry', words: ['zipkin', 'openzipkin'], ports: [9411] },
  { name: 'tempo', kind: 'telemetry', words: ['tempo'], ports: [] },
  { name: 'loki', kind: 'telemetry', words: ['loki'], ports: [3100] },
  { name: 'fluentd', kind: 'telemetry', words: ['fluentd', 'fluent-bit'], ports: [24224] },
  { name: 'logstash', kind: 'telemetry', words: ['logstash'], ports: [5044] },
  { name: 'prometheus', kind: 'metrics', words: ['prometheus'], ports: [9090] },
  { name: 'alertmanager', kind: 'metrics', words: ['alertmanager'], ports: [9093] },
  { name: 'grafana', kind: 'metrics', words: ['grafana'], ports: [] },
  { name: 'influxdb', kind: 'metrics', words: ['influxdb', 'influxd'], ports: [8086] },
  { name: 'victoriametrics', kind: 'metrics', words: ['victoriametrics', 'victoria-metrics'], ports: [8428] },
  { name: 'nginx', kind: 'proxy', words: ['nginx', 'openresty'], ports: [] },
  { name: 'traefik', kind: 'proxy', words: ['traefik'], ports: [] },
  { name: 'haproxy', kind: 'proxy', words: ['haproxy'], ports: [] },
  { name: 'envoy', kind: 'proxy', words: ['envoy', 'envoyproxy'], ports: [] },
  { name: 'caddy', kind: 'proxy', words: ['caddy'], ports: [] },
  { name: 'apache httpd', kind: 'proxy', words: ['httpd', 'apache2'], ports: [] },
];

/**
 * Words that make an image a tool beside a product rather than the product itself: a web UI
 * (mongo-express, redis-commander, redisinsight) or an exporter (redis_exporter is metrics).
 */
const TOOL_WORDS = ['express', 'commander', 'insight', 'redisinsight', 'admin', 'ui', 'browser', 'exporter'];

export interface KindEvidence {
  kind: ServiceKind;
  /** The product recognised; null for unknown. */
  product: string | null;
  /** Why, in words: "image postgres:16", "port 6379 (redis)", "command redis-server ...". */
  why: string;
}

/** The words of an image reference or a command: path parts split at / - _ . : and @, lower case. */
export function wordsOf(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[/\s:@.,=]+/)
    .filter(Boolean);
}

/** A product named by the words: a whole word, or a run of hyphen-joined words ("otel-collector"). */
function productNamedBy(text: string): Product | null {
  const parts = wordsOf(text);
  const words = new Set(parts.flatMap((part) => [part, ...part.split(/[-_]+/)]));
  if ([...words].some((w) => TOOL_WORDS.includes(w) || w.endsWith('exporter'))) {
    return words.has('exporter') || parts.some((p) => p.endsWith('exporter'))
      ? { name: 'exporter', kind: 'metrics', words: [], ports: [] }
      : null;
  }
  // A hyphenated word ("otel-collector") is found as a run of a part's hyphen-separated pieces.
  const named = (word: string): boolean =>
    words.has(word) || parts.some((part) => new RegExp(`(^|[-_])${word}([-_]|$)`).test(part));
  return PRODUCTS.find((product) => product.words.some(named)) ?? null;
}

/** The image reference without its tag or digest, for messages and matching. */
export function imageRepository(image: string): string {
  const [repository] = image.split('@');
  const slash = repository.lastIndexOf('/');
  const colon = repository.lastIndexOf(':');
  return colon > slash ? repository.slice(0, colon) : repository;
}

export interface KindInputs {
  image: string | null;
  /** For a built service: the image its Dockerfile starts FROM, with where that was read. */
  builtFrom: { image: string; file: string } | null;
  /** Ports it publishes or exposes (container side). */
  ports: number[];
  /** Its command and entrypoint, as words. */
  command: string[];
}

export function kindOf(service: KindInputs): KindEvidence {
  if (service.image) {
    const product = productNamedBy(imageRepository(service.image));
    if (product) return { kind: product.kind, product: product.name, why: `image ${service.image}` };
  }
  if (service.builtFrom) {
    const product = productNamedBy(imageRepository(service.builtFrom.image));
    if (product)
      return {
        kind: product.kind,
        product: product.name,
        why: `built FROM ${service.builtFrom.image} (${service.builtFrom.file})`,
      };
  }
  for (const port of service.ports) {
    const product = PRODUCTS.find((p) => p.ports.includes(port));
    if (product) return { kind: product.kind, product: product.name, why: `port ${port} (${product.name})` };
  }
  // Only the program a command runs, not its arguments' every word: `sh -c "... redis-cli ..."`
  // in a worker's command is no evidence that the worker is Redis.
  const programs = service.command.filter((word, i) => i === 0 || /^[\w./-]+$/.test(word)).slice(0, 3);
  for (const word of programs) {
    const product = productNamedBy(word.replace(/\.(pl|py|js|sh)$/, ''));
    if (product)
      return {
        kind: product.kind,
        product: product.name,
        why: `command ${service.command.join(' ').slice(0, 60)}`,
      };
  }
  return {
    kind: 'unknown',
    product: null,
    why: 'neither its image, its ports nor its command name a known product',
  };
}
