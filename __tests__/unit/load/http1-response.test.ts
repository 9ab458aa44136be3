import { type ParsedResponse, ResponseParseError, ResponseParser } from '../../../src/load/http1-response';

/** Feeds `wire` cut at the given offsets, each piece in a reused buffer (as the socket does). */
function parse(
  wire: string,
  cuts: number[] = [],
  options: { collect?: boolean; bodiless?: boolean; close?: boolean } = {},
): ParsedResponse[] {
  const responses: ParsedResponse[] = [];
  const parser = new ResponseParser((response) => responses.push(response));
  parser.expect(options.collect ?? true, options.bodiless ?? false);
  const bytes = Buffer.from(wire, 'latin1');
  const shared = Buffer.alloc(bytes.length + 16);
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    bytes.copy(shared, 0, from, cut);
    parser.feed(shared, cut - from);
    shared.fill(0x2a); // scribble over the reused buffer: the parser must have copied what it keeps
    from = cut;
  }
  if (options.close) parser.end();
  return responses;
}

const simplify = (responses: ParsedResponse[]): unknown[] =>
  responses.map((response) => ({ ...response, body: response.body?.toString('latin1') ?? null }));

const NGINX =
  'HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Fri, 27 Nov 2026 09:37:38 GMT\r\n' +
  'Content-Type: text/plain\r\nContent-Length: 3\r\nConnection: keep-alive\r\n\r\nok\n';
const CHUNKED =
  'HTTP/1.1 201 Created\r\ntransfer-encoding: chunked\r\nkeep-alive: timeout=5\r\n\r\n' +
  '5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nx-trailer: yes\r\n\r\n';

describe('HTTP/1.1 response parser', () => {
  it('reads a content-length response and its keep-alive', () => {
    expect(simplify(parse(NGINX))).toEqual([
      { status: 200, body: 'ok\n', keepAlive: true, keepAliveTimeoutMs: null },
    ]);
  });

  it('reads chunked bodies with extensions and trailers, and the keep-alive timeout', () => {
    expect(simplify(parse(CHUNKED))).toEqual([
      { status: 201, body: 'hello, world', keepAlive: true, keepAliveTimeoutMs: 5000 },
    ]);
  });

  it('gives the same result however the bytes are split, even byte by byte', () => {
    for (const wire of [NGINX, CHUNKED]) {
      const whole = simplify(parse(wire));
      for (let cut = 1; cut < wire.length; cut++) expect(simplify(parse(wire, [cut]))).toEqual(whole);
      const everyByte = Array.from({ length: wire.length - 1 }, (_, index) => index + 1);
      expect(simplify(parse(wire, everyByte))).toEqual(whole);
    }
  });

  it('reads consecutive responses on one connection', () => {
    const responses = parse(NGINX + CHUNKED + NGINX, [NGINX.length + 10]);
    expect(responses.map((response) => response.status)).toEqual([200, 201, 200]);
  });

  it('only counts bodies unless asked to keep them', () => {
    expect(parse(NGINX, [], { collect: false })[0].body).toBeNull();
  });

  it('frames a response without length by the close, and does not keep that connection', () => {
    const wire = 'HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n\r\nuntil the end';
    expect(parse(wire)).toEqual([]);
    expect(simplify(parse(wire, [20], { close: true }))).toEqual([
      { status: 200, body: 'until the end', keepAlive: false, keepAliveTimeoutMs: null },
    ]);
  });

  it('knows which responses have no body', () => {
    const noContent = 'HTTP/1.1 204 No Content\r\ncontent-length: 10\r\n\r\n';
    expect(parse(noContent)[0]).toMatchObject({ status: 204, keepAlive: true });
    expect(parse('HTTP/1.1 304 Not Modified\r\n\r\n')[0].status).toBe(304);
    const head = parse('HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\n', [], { bodiless: true });
    expect(head[0]).toMatchObject({ status: 200, body: Buffer.alloc(0) });
  });

  it('skips informational heads before the real one', () => {
    const wire = 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nlink: </a>\r\n\r\n' + NGINX;
    expect(parse(wire).map((response) => response.status)).toEqual([200]);
  });

  it('honours connection: close and HTTP/1.0 defaults', () => {
    const close = 'HTTP/1.1 503 Busy\r\nCONNECTION: Close\r\ncontent-length: 0\r\n\r\n';
    expect(parse(close)[0]).toMatchObject({ status: 503, keepAlive: false });
    expect(parse('HTTP/1.0 200 OK\r\ncontent-length: 0\r\n\r\n')[0].keepAlive).toBe(false);
    const kept = 'HTTP/1.0 200 OK\r\nconnection: keep-alive\r\ncontent-length: 0\r\n\r\n';
    expect(parse(kept)[0].keepAlive).toBe(true);
  });

  it('reads header names in any case and values with spaces around them', () => {
    const wire = 'HTTP/1.1 200 OK\r\nContent-LENGTH:    2  \r\n\r\nhi';
    expect(simplify(parse(wire))[0]).toMatchObject({ body: 'hi' });
  });

  it.each([
    ['a different protocol', 'SSH-2.0-OpenSSH\r\n\r\n'],
    ['a short non-HTTP reply', 'nope'],
    ['a malformed status', 'HTTP/1.1 2x0 OK\r\n\r\n'],
    ['a header without a colon', 'HTTP/1.1 200 OK\r\nbroken\r\n\r\n'],
    ['an invalid content-length', 'HTTP/1.1 200 OK\r\ncontent-length: 1e3\r\n\r\n'],
    ['conflicting content-lengths', 'HTTP/1.1 200 OK\r\ncontent-length: 1\r\ncontent-length: 2\r\n\r\n'],
    ['a bad chunk size', 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n'],
    ['a chunk without its CRLF', 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\nabX'],
    ['a protocol switch', 'HTTP/1.1 101 Switching Protocols\r\n\r\n'],
  ])('refuses %s', (_label, wire) => {
    expect(() => parse(wire)).toThrow(ResponseParseError);
  });

  it('refuses a head that never ends instead of buffering it', () => {
    const endless =
      'HTTP/1.1 200 OK\r\n' + 'x-filler: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n'.repeat(2000);
    const cuts = Array.from({ length: 100 }, (_, index) => (index + 1) * 900);
    expect(() => parse(endless, cuts)).toThrow(/too large/);
  });

  it('reports a response cut short by the close', () => {
    expect(() => parse('HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc', [], { close: true })).toThrow(
      /closed in the middle/,
    );
    const parser = new ResponseParser(() => undefined);
    expect(parser.end()).toBe(false);
  });
});
