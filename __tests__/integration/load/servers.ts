// Loopback HTTP servers for the load generator's integration tests.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TestServer {
  url: string;
  /** Requests that reached the server. */
  hits(): number;
  close(): Promise<void>;
}

export type Behaviour = (request: http.IncomingMessage, response: http.ServerResponse) => void;

export async function startServer(behaviour: Behaviour): Promise<TestServer> {
  let hits = 0;
  const server = http.createServer((request, response) => {
    hits++;
    request.resume();
    request.on('end', () => behaviour(request, response));
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    hits: () => hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port on 127.0.0.1 with nothing listening (bound, then released). */
export async function closedPortUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/`;
}
