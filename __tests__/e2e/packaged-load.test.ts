// The packaged CLI's load generator, run the way a user runs it: `node dist/cli/index.js
// load`. With workers the bundle has to start its threads from dist/load-worker/, which
// only exists in the packaged layout, so this is the one place that path is exercised.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { LoadResult } from '../../src/load';
import { execCommand } from '../../src/util/exec';

jest.setTimeout(60_000);

const root = path.join(__dirname, '../..');

describe('chaos-action load from dist/', () => {
  let server: http.Server;
  let url: string;
  let hits = 0;
  beforeAll(async () => {
    server = http.createServer((_request, response) => {
      hits++;
      response.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('spreads an open-model run over two worker threads and merges their results', async () => {
    const before = hits;
    const exec = await execCommand(
      process.execPath,
      [
        path.join(root, 'dist/cli/index.js'),
        'load',
        '--url',
        url,
        '--rate',
        '200/s',
        '--duration',
        '1s',
        '--workers',
        '2',
        '--json',
      ],
      { cwd: root },
    );
    expect(exec.stderr).toBe('');
    expect(exec.code).toBe(0);
    const result = JSON.parse(exec.stdout) as LoadResult;
    expect(result.workers).toBe(2);
    expect(result.total).toMatchObject({ scheduled: 200, completed: 200, errors: {} });
    expect(hits - before).toBe(200);
  });
});
