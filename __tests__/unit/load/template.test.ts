import {
  compileRequest,
  MAX_VARIANTS,
  TemplateError,
  type RequestTemplate,
} from '../../../src/load/template';
import { valueSource, type ValueSpec } from '../../../src/load/values';

function compile(over: Partial<RequestTemplate> & { specs?: Record<string, ValueSpec> }) {
  const { specs = {}, ...rest } = over;
  const values = Object.fromEntries(
    Object.entries(specs).map(([name, spec]) => [name, valueSource(spec, name)]),
  );
  return compileRequest({
    method: 'GET',
    host: 'api:8080',
    path: '/',
    headers: {},
    body: null,
    values,
    ...rest,
  });
}

/** What a send puts on the wire, as text (a send formatted at the time is a string already). */
const text = (bytes: Buffer | string): string => (typeof bytes === 'string' ? bytes : bytes.toString('utf8'));
const wire = (bytes: Buffer | string): Buffer =>
  typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;

describe('request encoding', () => {
  it('encodes a request without values once: every send is the same bytes', () => {
    const request = compile({ method: 'POST', path: '/v1/predict', body: { kind: 'json', value: { a: 1 } } });
    expect(request.fixed).not.toBeNull();
    expect(request.bytes(0)).toBe(request.bytes(99));
    expect(text(request.bytes(0))).toBe(
      'POST /v1/predict HTTP/1.1\r\nhost: api:8080\r\nuser-agent: chaos-action-load\r\ncontent-length: 7\r\n\r\n{"a":1}',
    );
  });

  it('puts a value in the path URL-encoded, in order of the sends for a sequence', () => {
    const request = compile({
      path: '/items/{{id}}?q={{ word }}',
      specs: { id: { kind: 'sequence', from: 1, step: 1 }, word: { kind: 'cycle', values: ['a b', 'c/d'] } },
    });
    expect(request.fixed).toBeNull();
    expect(text(request.bytes(0))).toMatch(/^GET \/items\/1\?q=a%20b HTTP\/1.1\r\n/);
    expect(text(request.bytes(1))).toMatch(/^GET \/items\/2\?q=c%2Fd HTTP\/1.1\r\n/);
  });

  it('keeps a lone JSON placeholder typed and escapes one inside a longer string, with the right content-length', () => {
    const request = compile({
      method: 'POST',
      body: {
        kind: 'json',
        value: { user_id: '{{user}}', note: 'id "{{user}}"', tags: ['{{tag}}', null], n: 2.5 },
      },
      specs: { user: { kind: 'sequence', from: 41, step: 1 }, tag: { kind: 'cycle', values: ['x"y'] } },
    });
    const sent = text(request.bytes(1));
    const body = sent.slice(sent.indexOf('\r\n\r\n') + 4);
    expect(JSON.parse(body)).toEqual({ user_id: 42, note: 'id "42"', tags: ['x"y', null], n: 2.5 });
    expect(sent).toContain(`content-length: ${Buffer.byteLength(body)}\r\n`);
  });

  it('counts a body in bytes, not characters', () => {
    const request = compile({
      method: 'PUT',
      body: { kind: 'raw', text: 'name={{who}}' },
      specs: { who: { kind: 'cycle', values: ['zoë'] } },
    });
    const sent = wire(request.bytes(0));
    expect(sent.toString('utf8')).toContain('content-length: 9\r\n\r\nname=zoë');
    expect(sent.length - sent.indexOf('\r\n\r\n') - 4).toBe(9);
  });

  it('encodes every variant ahead when the values come from few choices, and formats at each send otherwise', () => {
    const few = compile({ path: '/u/{{id}}', specs: { id: { kind: 'range', min: 1, max: 100 } } });
    expect(few.variants).toBe(100);
    const seen = new Set(Array.from({ length: 3000 }, (_, n) => text(few.bytes(n)).split(' ')[1]));
    expect(seen.size).toBe(100);
    const many = compile({
      path: '/u/{{id}}',
      specs: { id: { kind: 'range', min: 1, max: MAX_VARIANTS + 1 } },
    });
    expect(many.variants).toBe(0);
    const endless = compile({ path: '/u/{{id}}', specs: { id: { kind: 'uuid' } } });
    expect(endless.variants).toBe(0);
    expect(text(endless.bytes(0))).not.toBe(text(endless.bytes(0)));
  });

  it('takes values into header values', () => {
    const request = compile({
      headers: { 'x-user': 'u-{{id}}' },
      specs: { id: { kind: 'cycle', values: [7] } },
    });
    expect(text(request.bytes(0))).toContain('x-user: u-7\r\n');
  });

  it('formats at the send as bytes when a header is not ASCII: a socket would write its text as UTF-8', () => {
    const request = compile({
      path: '/{{n}}',
      headers: { 'x-name': 'Zoë' },
      specs: { n: { kind: 'sequence', from: 1, step: 1 } },
    });
    const sent = request.bytes(0);
    expect(Buffer.isBuffer(sent)).toBe(true);
    expect((sent as Buffer).toString('latin1')).toContain('x-name: Zoë\r\n');
  });

  it('refuses a placeholder without a value, a value nothing uses, and a header value that would break the request', () => {
    expect(() => compile({ path: '/x/{{id}}' })).toThrow(
      new TemplateError('{{id}} names no value (the request has no values:)'),
    );
    expect(() => compile({ path: '/x/{{idd}}', specs: { id: { kind: 'uuid' } } })).toThrow(
      /names no value \(values: id\)/,
    );
    expect(() => compile({ path: '/x', specs: { id: { kind: 'uuid' } } })).toThrow(
      'values.id: no {{id}} in the path, a header or the body uses it',
    );
    expect(() =>
      compile({ headers: { 'x-a': '{{v}}' }, specs: { v: { kind: 'pick', values: ['ok', 'a\r\nb'] } } }),
    ).toThrow(/cannot go in a header/);
  });
});
