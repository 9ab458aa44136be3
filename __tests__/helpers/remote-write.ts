// Prometheus remote write (protocol 1.0) from a test: a WriteRequest encoded as protobuf by hand
// (four small messages) and framed as a snappy block of literals only, which every snappy
// decoder accepts. This is how k6-operator's runner pods deliver their samples.

export interface RemoteSeries {
  labels: Record<string, string>;
  samples: { value: number; timestampMs: number }[];
}

function varint(n: number): number[] {
  const out: number[] = [];
  let v = BigInt(n);
  while (v >= 0x80n) {
    out.push(Number((v & 0x7fn) | 0x80n));
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}

function field(tag: number, payload: Uint8Array): number[] {
  return [(tag << 3) | 2, ...varint(payload.length), ...payload];
}

function encodeSeries(series: RemoteSeries): Uint8Array {
  const bytes: number[] = [];
  // Prometheus wants labels sorted by name.
  for (const [name, value] of Object.entries(series.labels).sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  )) {
    const label = [...field(1, Buffer.from(name)), ...field(2, Buffer.from(value))];
    bytes.push(...field(1, Uint8Array.from(label)));
  }
  for (const sample of series.samples) {
    const value = Buffer.alloc(8);
    value.writeDoubleLE(sample.value);
    const encoded = [0x09, ...value, 0x10, ...varint(sample.timestampMs)];
    bytes.push(...field(2, Uint8Array.from(encoded)));
  }
  return Uint8Array.from(bytes);
}

export function encodeWriteRequest(series: readonly RemoteSeries[]): Buffer {
  const bytes: number[] = [];
  for (const s of series) bytes.push(...field(1, encodeSeries(s)));
  return Buffer.from(bytes);
}

/** A snappy block holding `data` as literals (no compression, valid framing). */
export function snappyLiterals(data: Buffer): Buffer {
  const parts: Buffer[] = [Buffer.from(varint(data.length))];
  for (let offset = 0; offset < data.length; offset += 65_536) {
    const chunk = data.subarray(offset, offset + 65_536);
    const n = chunk.length - 1;
    parts.push(n < 60 ? Buffer.from([n << 2]) : Buffer.from([61 << 2, n & 0xff, n >> 8]), chunk);
  }
  return Buffer.concat(parts);
}

export async function remoteWrite(prometheusUrl: string, series: readonly RemoteSeries[]): Promise<void> {
  const body = snappyLiterals(encodeWriteRequest(series));
  // A refused connection is retried a few times: on this shared 2-core machine the published
  // port was seen refusing for a moment while the container ran (2 of 18 runs under load 12).
  for (let attempt = 1; ; attempt++) {
    try {
      const response = await fetch(`${prometheusUrl}/api/v1/write`, {
        method: 'POST',
        headers: {
          'content-encoding': 'snappy',
          'content-type': 'application/x-protobuf',
          'x-prometheus-remote-write-version': '0.1.0',
        },
        body,
      });
      if (response.status >= 300)
        throw new Error(`remote write: HTTP ${response.status}: ${await response.text()}`);
      return;
    } catch (error) {
      const refused = (error as { cause?: { code?: string } }).cause?.code === 'ECONNREFUSED';
      if (!refused || attempt >= 10) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
