// Reads HTTP/1.1 responses off one keep-alive connection, a chunk at a time, in any
// fragmentation: status line, the few headers that decide framing (content-length,
// transfer-encoding, connection, keep-alive), then a body by length, by chunks or until
// the server closes. Everything else is skipped without being turned into strings,
// which is what lets one core drive ~100k responses a second.

/** The server sent something that is not an HTTP/1.x response. */
export class ResponseParseError extends Error {}

export interface ParsedResponse {
  status: number;
  /** The body, only when the parser was asked to collect it. */
  body: Buffer | null;
  /** False when the server asked to close (connection: close, HTTP/1.0, or a body framed by close). */
  keepAlive: boolean;
  /** The server's `keep-alive: timeout=N` in ms: how long it keeps an idle connection open. */
  keepAliveTimeoutMs: number | null;
}

/** A head larger than this is refused rather than buffered without end. */
const MAX_HEAD_BYTES = 80 * 1024;
const LF = 10;
const CR = 13;

const STATE_HEAD = 0;
const STATE_LENGTH = 1;
const STATE_CHUNK_SIZE = 2;
const STATE_CHUNK_DATA = 3;
const STATE_CHUNK_END = 4;
const STATE_TRAILERS = 5;
const STATE_UNTIL_CLOSE = 6;

const CONTENT_LENGTH = bytesOf('content-length');
const CONNECTION = bytesOf('connection');
const TRANSFER_ENCODING = bytesOf('transfer-encoding');
const KEEP_ALIVE = bytesOf('keep-alive');

function bytesOf(lowercase: string): Uint8Array {
  return Uint8Array.from(lowercase, (character) => character.charCodeAt(0));
}

/** Whether buffer[from..to) is `lowercase`, ignoring ASCII case. */
function nameIs(buffer: Buffer, from: number, to: number, lowercase: Uint8Array): boolean {
  if (to - from !== lowercase.length) return false;
  for (let index = 0; index < lowercase.length; index++) {
    const byte = buffer[from + index];
    const expected = lowercase[index];
    if (byte !== expected && !(byte >= 65 && byte <= 90 && byte + 32 === expected)) return false;
  }
  return true;
}

function hexValue(byte: number): number {
  if (byte >= 48 && byte <= 57) return byte - 48;
  const lower = byte | 0x20;
  if (lower >= 97 && lower <= 102) return lower - 87;
  return -1;
}

export class ResponseParser {
  private state = STATE_HEAD;
  /** Head bytes of earlier chunks while the head is incomplete (rare: heads are small). */
  private pendingHead: Buffer | null = null;
  private remaining = 0;
  private chunkSizeDigits = 0;
  private inChunkExtension = false;
  private trailerLineLength = 0;
  private bodyParts: Buffer[] = [];
  private collectBody = false;
  private bodiless = false;

  // Fields of the head being read.
  private status = 0;
  private keepAlive = true;
  private keepAliveTimeoutMs: number | null = null;
  private contentLength = -1;
  private chunked = false;

  constructor(private readonly onResponse: (response: ParsedResponse) => void) {}

  /**
   * Prepares for the next response. `bodiless` is for requests whose response never has a
   * body (HEAD); `collectBody` keeps the body for checks, otherwise it is only counted.
   */
  expect(collectBody: boolean, bodiless: boolean): void {
    this.collectBody = collectBody;
    this.bodiless = bodiless;
  }

  /** True between responses, with nothing half-read. */
  get betweenResponses(): boolean {
    return this.state === STATE_HEAD && this.pendingHead === null;
  }

  /** Feeds bytes as they arrive; throws ResponseParseError on a malformed response. */
  feed(chunk: Buffer, end: number = chunk.length): void {
    let offset = 0;
    while (offset < end) {
      switch (this.state) {
        case STATE_HEAD:
          offset = this.readHead(chunk, offset, end);
          break;
        case STATE_LENGTH: {
          const take = Math.min(this.remaining, end - offset);
          this.keepBody(chunk, offset, offset + take);
          offset += take;
          this.remaining -= take;
          if (this.remaining === 0) this.complete();
          break;
        }
        case STATE_CHUNK_SIZE:
          offset = this.readChunkSize(chunk, offset, end);
          break;
        case STATE_CHUNK_DATA: {
          const take = Math.min(this.remaining, end - offset);
          this.keepBody(chunk, offset, offset + take);
          offset += take;
          this.remaining -= take;
          if (this.remaining === 0) this.state = STATE_CHUNK_END;
          break;
        }
        case STATE_CHUNK_END: {
          const byte = chunk[offset++];
          if (byte === LF) this.startChunkSize();
          else if (byte !== CR) throw new ResponseParseError('missing CRLF after a chunk');
          break;
        }
        case STATE_TRAILERS:
          offset = this.readTrailers(chunk, offset, end);
          break;
        default:
          // STATE_UNTIL_CLOSE: the body is whatever arrives before the server closes.
          this.keepBody(chunk, offset, end);
          offset = end;
      }
    }
  }

  /**
   * The connection ended. Returns true when that completed a response framed by close;
   * false when nothing was in progress; throws when a response was cut short.
   */
  end(): boolean {
    if (this.state === STATE_UNTIL_CLOSE) {
      this.complete();
      return true;
    }
    if (this.betweenResponses) return false;
    throw new ResponseParseError('connection closed in the middle of a response');
  }

  private keepBody(chunk: Buffer, from: number, to: number): void {
    // Copied: the socket may reuse its read buffer for the next chunk.
    if (this.collectBody && to > from) this.bodyParts.push(Buffer.from(chunk.subarray(from, to)));
  }

  /** Reads the head from chunk[offset..end); returns the offset after it, or end if incomplete. */
  private readHead(chunk: Buffer, offset: number, end: number): number {
    let buffer = chunk;
    let start = offset;
    let bufferEnd = end;
    if (this.pendingHead) {
      buffer = Buffer.concat([this.pendingHead, chunk.subarray(offset, end)]);
      start = 0;
      bufferEnd = buffer.length;
    }
    const headEnd = this.parseHead(buffer, start, bufferEnd);
    if (headEnd < 0) {
      if (bufferEnd - start > MAX_HEAD_BYTES) throw new ResponseParseError('response head too large');
      // Copied: the socket may reuse its read buffer for the next chunk.
      this.pendingHead = Buffer.from(buffer.subarray(start, bufferEnd));
      return end;
    }
    const consumedOfChunk = this.pendingHead ? headEnd - this.pendingHead.length + offset : headEnd;
    this.pendingHead = null;
    this.afterHead();
    return consumedOfChunk;
  }

  /** Parses a complete head at buffer[start..]; returns the offset after its blank line, or -1. */
  private parseHead(buffer: Buffer, start: number, end: number): number {
    // Status line: "HTTP/1.x NNN reason".
    if (end - start < 12) return this.partialStatusLine(buffer, start, end);
    if (
      buffer[start] !== 72 || // H
      buffer[start + 1] !== 84 || // T
      buffer[start + 2] !== 84 || // T
      buffer[start + 3] !== 80 || // P
      buffer[start + 4] !== 47 || // /
      buffer[start + 5] !== 49 || // 1
      buffer[start + 6] !== 46 // .
    ) {
      throw new ResponseParseError('not an HTTP/1.x response');
    }
    const minor = buffer[start + 7] - 48;
    const d1 = buffer[start + 9] - 48;
    const d2 = buffer[start + 10] - 48;
    const d3 = buffer[start + 11] - 48;
    if (d1 < 1 || d1 > 5 || d2 < 0 || d2 > 9 || d3 < 0 || d3 > 9)
      throw new ResponseParseError('malformed status line');
    this.status = d1 * 100 + d2 * 10 + d3;
    this.keepAlive = minor >= 1;
    this.keepAliveTimeoutMs = null;
    this.contentLength = -1;
    this.chunked = false;

    let position = start + 12;
    while (position < end && buffer[position] !== LF) position++;
    if (position >= end) return -1;
    let lineStart = position + 1;
    for (position = lineStart; position < end; position++) {
      if (buffer[position] !== LF) continue;
      const lineEnd = position > lineStart && buffer[position - 1] === CR ? position - 1 : position;
      if (lineEnd === lineStart) return position + 1;
      this.readHeaderLine(buffer, lineStart, lineEnd);
      lineStart = position + 1;
    }
    return -1;
  }

  /** A head shorter than a status line: fine if it is a prefix of one, else malformed. */
  private partialStatusLine(buffer: Buffer, start: number, end: number): number {
    const prefix = 'HTTP/1.';
    for (let index = 0; index < Math.min(prefix.length, end - start); index++) {
      if (buffer[start + index] !== prefix.charCodeAt(index))
        throw new ResponseParseError('not an HTTP/1.x response');
    }
    return -1;
  }

  /** Only the headers that decide framing or reuse are read; the rest are skipped unread. */
  private readHeaderLine(buffer: Buffer, lineStart: number, lineEnd: number): void {
    let colon = lineStart;
    while (colon < lineEnd && buffer[colon] !== 58) colon++;
    if (colon === lineEnd) throw new ResponseParseError('header line without a colon');
    let valueStart = colon + 1;
    while (valueStart < lineEnd && (buffer[valueStart] === 32 || buffer[valueStart] === 9)) valueStart++;
    let valueEnd = lineEnd;
    while (valueEnd > valueStart && (buffer[valueEnd - 1] === 32 || buffer[valueEnd - 1] === 9)) valueEnd--;
    if (nameIs(buffer, lineStart, colon, CONTENT_LENGTH))
      this.readContentLength(buffer, valueStart, valueEnd);
    else if (nameIs(buffer, lineStart, colon, CONNECTION)) {
      // "keep-alive" is by far the usual value; only others are turned into a string.
      if (nameIs(buffer, valueStart, valueEnd, KEEP_ALIVE)) this.keepAlive = true;
      else {
        const value = buffer.toString('latin1', valueStart, valueEnd).toLowerCase();
        if (/(?:^|,)\s*close\s*(?:,|$)/.test(value)) this.keepAlive = false;
        else if (/(?:^|,)\s*keep-alive\s*(?:,|$)/.test(value)) this.keepAlive = true;
      }
    } else if (nameIs(buffer, lineStart, colon, TRANSFER_ENCODING)) {
      // Chunked only counts as the final coding; anything else is framed by close (RFC 9112 §6.3).
      const value = buffer.toString('latin1', valueStart, valueEnd).toLowerCase();
      this.chunked = /(?:^|,)\s*chunked$/.test(value);
      if (!this.chunked) this.keepAlive = false;
    } else if (nameIs(buffer, lineStart, colon, KEEP_ALIVE)) {
      const value = buffer.toString('latin1', valueStart, valueEnd).toLowerCase();
      const timeout = /(?:^|,)\s*timeout\s*=\s*(\d+)/.exec(value);
      if (timeout) this.keepAliveTimeoutMs = Number(timeout[1]) * 1000;
    }
  }

  private readContentLength(buffer: Buffer, from: number, to: number): void {
    if (from === to || to - from > 15) throw new ResponseParseError('invalid content-length');
    let length = 0;
    for (let position = from; position < to; position++) {
      const digit = buffer[position] - 48;
      if (digit < 0 || digit > 9)
        throw new ResponseParseError(
          `invalid content-length ${JSON.stringify(buffer.toString('latin1', from, to))}`,
        );
      length = length * 10 + digit;
    }
    if (this.contentLength !== -1 && this.contentLength !== length)
      throw new ResponseParseError('conflicting content-length headers');
    this.contentLength = length;
  }

  private afterHead(): void {
    const status = this.status;
    if (status >= 100 && status < 200) {
      // 100 Continue, 103 Early Hints: informational heads before the real one.
      if (status === 101) throw new ResponseParseError('unexpected protocol switch (101)');
      return;
    }
    if (this.bodiless || status === 204 || status === 304) return this.complete();
    if (this.chunked) return this.startChunkSize();
    if (this.contentLength >= 0) {
      if (this.contentLength === 0) return this.complete();
      this.remaining = this.contentLength;
      this.state = STATE_LENGTH;
      return;
    }
    this.keepAlive = false;
    this.state = STATE_UNTIL_CLOSE;
  }

  private startChunkSize(): void {
    this.state = STATE_CHUNK_SIZE;
    this.remaining = 0;
    this.chunkSizeDigits = 0;
    this.inChunkExtension = false;
  }

  private readChunkSize(chunk: Buffer, offset: number, end: number): number {
    while (offset < end) {
      const byte = chunk[offset++];
      if (byte === LF) {
        if (this.chunkSizeDigits === 0) throw new ResponseParseError('chunk without a size');
        if (this.remaining === 0) {
          this.state = STATE_TRAILERS;
          this.trailerLineLength = 0;
        } else {
          this.state = STATE_CHUNK_DATA;
        }
        return offset;
      }
      if (this.inChunkExtension || byte === CR) continue;
      if (byte === 59 /* ; */ || byte === 32 || byte === 9) {
        this.inChunkExtension = true;
        continue;
      }
      const digit = hexValue(byte);
      if (digit < 0 || this.chunkSizeDigits >= 12) throw new ResponseParseError('malformed chunk size');
      this.remaining = this.remaining * 16 + digit;
      this.chunkSizeDigits++;
    }
    return offset;
  }

  private readTrailers(chunk: Buffer, offset: number, end: number): number {
    while (offset < end) {
      const byte = chunk[offset++];
      if (byte === LF) {
        if (this.trailerLineLength === 0) {
          this.complete();
          return offset;
        }
        this.trailerLineLength = 0;
      } else if (byte !== CR) {
        this.trailerLineLength++;
      }
    }
    return offset;
  }

  private complete(): void {
    this.state = STATE_HEAD;
    let body: Buffer | null = null;
    if (this.collectBody) {
      body = this.bodyParts.length === 1 ? this.bodyParts[0] : Buffer.concat(this.bodyParts);
      this.bodyParts = [];
    }
    this.onResponse({
      status: this.status,
      body,
      keepAlive: this.keepAlive,
      keepAliveTimeoutMs: this.keepAliveTimeoutMs,
    });
  }
}
