// Load generator benchmark (npm run bench:load). Prints figures; it is not a test.
//
// 1. Peak throughput, side by side against one Debian nginx (worker_processes 1) pinned to
//    core 0, each client pinned to core 1, same connection count, same duration:
//    ours (closed model: one user per connection, no think time, no pipelining), ours with
//    a mix of five requests (two with generated path values, benchmarks/load/ours.ts),
//    autocannon, wrk (1 thread), hey.
// 2. Accuracy: a fixed 50 ms server, autocannon's rate mode (-R) p50 vs ours (open model).
// 3. Memory: ours at 1000 req/s for LOAD_BENCH_SOAK_SECONDS (default 300) against nginx;
//    peak RSS of the generator process.
// Environment: LOAD_BENCH_SECONDS (peak run length, default 10), LOAD_BENCH_CONNECTIONS
// (default 50), LOAD_BENCH_ROUNDS (peak rounds, best kept, default 3), LOAD_BENCH_SOAK_SECONDS (default 300; 0 skips), LOAD_BENCH_ACCURACY=0 skips 2.
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const PEAK_SECONDS = Number(process.env.LOAD_BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.LOAD_BENCH_CONNECTIONS ?? 50);
const SOAK_SECONDS = Number(process.env.LOAD_BENCH_SOAK_SECONDS ?? 300);
const ACCURACY = process.env.LOAD_BENCH_ACCURACY !== '0';
const ROUNDS = Number(process.env.LOAD_BENCH_ROUNDS ?? 3);
const SERVER_CORE = '0';
const CLIENT_CORE = '1';

const log = (line: string): void => void process.stderr.write(`${line}\n`);

function which(command: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/sbin'])) {
    const candidate = path.join(dir, command);
    if (fs.existsSync(candidate)) return candidate;
  }
  return null;
}

/** Installs nginx, wrk and hey from Debian if any is missing (apt-get update only if needed). */
function ensureTools(): void {
  const missing = [
    ['nginx', 'nginx-light'],
    ['wrk', 'wrk'],
    ['hey', 'hey'],
  ].filter(([command]) => which(command) === null);
  if (!missing.length) return;
  const packages = missing.map(([, pkg]) => pkg);
  const sudo = process.getuid?.() === 0 ? [] : ['sudo'];
  const install = (): boolean =>
    spawnSync(
      sudo[0] ?? 'apt-get',
      [...sudo.slice(1), ...(sudo.length ? ['apt-get'] : []), 'install', '-y', ...packages],
      {
        stdio: 'inherit',
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      },
    ).status === 0;
  log(`installing ${packages.join(' ')}`);
  if (!install()) {
    spawnSync(sudo[0] ?? 'apt-get', [...sudo.slice(1), ...(sudo.length ? ['apt-get'] : []), 'update'], {
      stdio: 'inherit',
    });
    if (!install()) throw new Error(`could not install ${packages.join(' ')}`);
  }
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitForPort(port: number, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => (socket.destroy(), resolve(true)));
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nothing listens on 127.0.0.1:${port}`);
}

/** nginx with one worker on SERVER_CORE, returning a 3-byte body from memory. */
async function startNginx(): Promise<{ url: string; stop: () => void }> {
  const prefix = fs.mkdtempSync(path.join(os.tmpdir(), 'load-bench-nginx-'));
  const port = await freePort();
  const config = `
worker_processes 1;
daemon off;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 10000000;
  keepalive_timeout 120s;
  client_body_temp_path ${prefix}/body;
  proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi;
  scgi_temp_path ${prefix}/scgi;
  server {
    listen 127.0.0.1:${port};
    location / { default_type text/plain; return 200 "ok\\n"; }
  }
}
`;
  fs.writeFileSync(path.join(prefix, 'nginx.conf'), config);
  const nginx = spawn(
    'taskset',
    ['-c', SERVER_CORE, which('nginx') as string, '-p', prefix, '-c', `${prefix}/nginx.conf`],
    {
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  await waitForPort(port);
  const stop = (): void => {
    // The master was started by us; stopping it by its pid stops its worker too.
    if (nginx.exitCode === null) nginx.kill('SIGQUIT');
    fs.rmSync(prefix, { recursive: true, force: true });
  };
  return { url: `http://127.0.0.1:${port}/`, stop };
}

function runPinned(command: string, args: string[]): string {
  return execFileSync('taskset', ['-c', CLIENT_CORE, command, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

interface OursReport {
  requestsPerSecond: number;
  completed: number;
  errors: Record<string, number>;
  p50Ms: number | null;
  p99Ms: number | null;
  generatorLimited: boolean;
  peakRssMb: number;
}

function ours(
  mode: 'peak' | 'peak-mix' | 'rate' | 'soak',
  url: string,
  amount: number,
  seconds: number,
): OursReport {
  const output = runPinned(process.execPath, [
    '--require',
    require.resolve('tsx/cjs'),
    'benchmarks/load/ours.ts',
    mode,
    url,
    String(amount),
    String(seconds),
  ]);
  return JSON.parse(output.trim().split('\n').pop() as string) as OursReport;
}

function autocannon(
  url: string,
  connections: number,
  extra: string[] = [],
): { requestsPerSecond: number; p50Ms: number; errors: number } {
  const output = runPinned(process.execPath, [
    require.resolve('autocannon/autocannon.js'),
    '-c',
    String(connections),
    '-d',
    String(PEAK_SECONDS),
    '-j',
    ...extra,
    url,
  ]);
  const report = JSON.parse(output) as {
    requests: { total: number; average: number };
    latency: { p50: number };
    duration: number;
    errors: number;
    non2xx: number;
  };
  return {
    requestsPerSecond: Math.round(report.requests.total / report.duration),
    p50Ms: report.latency.p50,
    errors: report.errors + report.non2xx,
  };
}

function wrk(url: string): number {
  const output = runPinned(which('wrk') as string, ['-t1', `-c${CONNECTIONS}`, `-d${PEAK_SECONDS}s`, url]);
  return Math.round(Number(/Requests\/sec:\s+([\d.]+)/.exec(output)?.[1] ?? NaN));
}

function hey(url: string): number {
  const output = runPinned(which('hey') as string, [
    '-z',
    `${PEAK_SECONDS}s`,
    '-c',
    String(CONNECTIONS),
    url,
  ]);
  return Math.round(Number(/Requests\/sec:\s+([\d.]+)/.exec(output)?.[1] ?? NaN));
}

/** A node server answering after exactly 50 ms, in its own process on the server core. */
async function startFixedDelayServer(): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const source = `require('http').createServer((q, s) => { q.resume(); setTimeout(() => s.end('ok'), 50); }).listen(${port}, '127.0.0.1');`;
  const child = spawn('taskset', ['-c', SERVER_CORE, process.execPath, '-e', source], { stdio: 'inherit' });
  await waitForPort(port);
  return { url: `http://127.0.0.1:${port}/`, child };
}

function table(rows: (string | number)[][]): string {
  const cells = rows.map((row) => row.map(String));
  const widths = cells[0].map((_, column) => Math.max(...cells.map((row) => row[column].length)));
  return cells.map((row) => row.map((cell, column) => cell.padEnd(widths[column])).join('  ')).join('\n');
}

async function main(): Promise<void> {
  if (os.cpus().length < 2) log('warning: fewer than 2 cores; server and client share a core');
  ensureTools();
  const nginx = await startNginx();
  const cleanup = (): void => nginx.stop();
  process.once('SIGINT', () => (cleanup(), process.exit(130)));
  try {
    // Warm nginx's worker and the page cache so the first tool is not penalised.
    await new Promise<void>((resolve) =>
      http.get(nginx.url, (response) => response.resume().on('end', resolve)),
    );
    log(
      `peak throughput: ${CONNECTIONS} connections, ${PEAK_SECONDS}s each, best of ${ROUNDS} rounds, ` +
        `nginx on core ${SERVER_CORE}, clients on core ${CLIENT_CORE}`,
    );
    // The machine is shared: tools take turns for ROUNDS rounds and each keeps its best
    // round, so a burst of someone else's work does not decide the comparison.
    const best = { ours: 0, mix: 0, autocannon: 0, wrk: 0, hey: 0 };
    let oursPeak: OursReport | null = null;
    for (let round = 1; round <= ROUNDS; round++) {
      const report = ours('peak', nginx.url, CONNECTIONS, PEAK_SECONDS);
      if (report.requestsPerSecond > best.ours) oursPeak = report;
      best.ours = Math.max(best.ours, report.requestsPerSecond);
      const mixReport = ours('peak-mix', nginx.url, CONNECTIONS, PEAK_SECONDS);
      best.mix = Math.max(best.mix, mixReport.requestsPerSecond);
      const cannonRound = autocannon(nginx.url, CONNECTIONS).requestsPerSecond;
      best.autocannon = Math.max(best.autocannon, cannonRound);
      const wrkRound = wrk(nginx.url);
      best.wrk = Math.max(best.wrk, wrkRound);
      const heyRound = hey(nginx.url);
      best.hey = Math.max(best.hey, heyRound);
      log(
        `  round ${round}: ours ${report.requestsPerSecond} (p50 ${report.p50Ms} ms, errors ${JSON.stringify(report.errors)}), ` +
          `ours with the mix ${mixReport.requestsPerSecond} (errors ${JSON.stringify(mixReport.errors)}), ` +
          `autocannon ${cannonRound}, wrk ${wrkRound}, hey ${heyRound} req/s`,
      );
    }
    if (!oursPeak) throw new Error('our generator completed no request');
    const cannon = { requestsPerSecond: best.autocannon };
    const wrkRate = best.wrk;
    const heyRate = best.hey;

    const rows: (string | number)[][] = [['tool', 'mode', 'req/s', 'vs ours']];
    const ratio = (value: number): string => (value / oursPeak.requestsPerSecond).toFixed(2);
    rows.push([
      'ours',
      `closed, ${CONNECTIONS} users, think 0, 1 thread`,
      oursPeak.requestsPerSecond,
      '1.00',
    ]);
    rows.push(['ours, mix', `the same, 5 requests, 2 with generated paths`, best.mix, ratio(best.mix)]);
    rows.push([
      'autocannon',
      `-c ${CONNECTIONS} (no pipelining)`,
      cannon.requestsPerSecond,
      ratio(cannon.requestsPerSecond),
    ]);
    rows.push(['wrk', `-t1 -c${CONNECTIONS}`, wrkRate, ratio(wrkRate)]);
    rows.push(['hey', `-c ${CONNECTIONS}`, heyRate, ratio(heyRate)]);
    console.log(table(rows));

    if (ACCURACY) {
      const fixed = await startFixedDelayServer();
      try {
        const cannonRate = autocannon(fixed.url, 10, ['-R', '100']);
        const oursRate = ours('rate', fixed.url, 100, PEAK_SECONDS);
        console.log(
          `accuracy (server answers after 50 ms, 100 req/s): autocannon -R p50=${cannonRate.p50Ms}ms; ` +
            `ours p50=${oursRate.p50Ms}ms p99=${oursRate.p99Ms}ms`,
        );
      } finally {
        fixed.child.kill();
      }
    }

    if (SOAK_SECONDS > 0) {
      log(`memory: ours at 1000 req/s for ${SOAK_SECONDS}s against nginx`);
      const soak = ours('soak', nginx.url, 1000, SOAK_SECONDS);
      const verdict = soak.peakRssMb < 150 ? 'under' : 'OVER';
      console.log(
        `memory: 1000 req/s for ${SOAK_SECONDS}s, ${soak.completed} requests: peak RSS ${soak.peakRssMb} MB ` +
          `(${verdict} 150 MB), p99 ${soak.p99Ms} ms, generator-limited ${soak.generatorLimited}`,
      );
    }

    console.log(
      `mix: ${best.mix} req/s against ${oursPeak.requestsPerSecond} with one request: ` +
        `mix/single=${(best.mix / oursPeak.requestsPerSecond).toFixed(2)} (goal ≥ 0.90), ` +
        `mix/autocannon=${(best.mix / cannon.requestsPerSecond).toFixed(2)} (goal ≥ 1.00)`,
    );
    console.log(
      `load-bench: ours=${oursPeak.requestsPerSecond} mix=${best.mix} autocannon=${cannon.requestsPerSecond} wrk=${wrkRate} ` +
        `hey=${heyRate} req/s; vs-autocannon=${(oursPeak.requestsPerSecond / cannon.requestsPerSecond).toFixed(2)} ` +
        `vs-wrk=${(oursPeak.requestsPerSecond / wrkRate).toFixed(2)} mix-vs-single=${(best.mix / oursPeak.requestsPerSecond).toFixed(2)} ` +
        `mix-vs-autocannon=${(best.mix / cannon.requestsPerSecond).toFixed(2)}`,
    );
  } finally {
    cleanup();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
