import { parseServiceMap } from '../../../src/stack/roles';

describe('parseServiceMap', () => {
  it('reads commas, newlines, = and :', () => {
    expect(parseServiceMap('api=web, cache: redis-main\ntelemetry=otel.collector')).toEqual({
      api: 'web',
      cache: 'redis-main',
      telemetry: 'otel.collector',
    });
  });

  it('treats an empty text as no mapping', () => {
    expect(parseServiceMap('  \n ')).toEqual({});
  });

  it('names the entry it cannot read', () => {
    expect(() => parseServiceMap('api=web, cache')).toThrow(
      'service-map: "cache" is not of the form role=service',
    );
  });
});
