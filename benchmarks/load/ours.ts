// Our generator as a separate process, so the benchmark can pin it to one core like the
// other tools. Prints one JSON line. Modes:
//   peak URL CONNECTIONS SECONDS      closed model, one user per connection, no think time
//   peak-mix URL CONNECTIONS SECONDS  the same with BENCH_MIX: five requests, two of them with
//                                     a value drawn into the path at each send
//   rate URL RATE SECONDS             open model at RATE req/s (accuracy check)
//   soak URL RATE SECONDS             open model, sampling this process's RSS every second
import { startLoad, type LoadSpec, type MixRequestSpec } from '../../src/load';

/**
 * What the mix costs the generator at its worst: the two generated paths draw from domains too
 * large to encode ahead (a range of 100,000 ids and an endless sequence), so each of their sends
 * formats its value and encodes its bytes; the rest are encoded once.
 */
export const BENCH_MIX: MixRequestSpec[] = [
  { name: 'home', weight: 4, path: '/' },
  {
    name: 'item',
    weight: 3,
    path: '/items/{{id}}',
    values: { id: { kind: 'range', min: 1, max: 100_000 } },
  },
  {
    name: 'user',
    weight: 1,
    path: '/users/{{user}}/orders',
    values: { user: { kind: 'sequence', from: 1, step: 1 } },
  },
  { name: 'search', weight: 1, path: '/search?q=shoes&page=1' },
  { name: 'order', weight: 1, method: 'POST', path: '/orders', json: { sku: 42, quantity: 1 } },
];

async function main(): Promise<void> {
  const [mode, url, amount, secondsText] = process.argv.slice(2);
  const seconds = Number(secondsText);
  let peakRssBytes = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRssBytes = Math.max(peakRssBytes, process.memoryUsage().rss)), 1000);
  const spec: LoadSpec =
    mode === 'peak' || mode === 'peak-mix'
      ? { url, users: Number(amount), think: 0, duration: `${seconds}s`, timeout: '10s' }
      : { url, rate: `${amount}/s`, duration: `${seconds}s`, warmup: mode === 'rate' ? '1s' : 0 };
  if (mode === 'peak-mix') spec.requests = BENCH_MIX;
  const cpuBefore = process.cpuUsage();
  const run = await startLoad(spec);
  await run.done;
  const cpu = process.cpuUsage(cpuBefore);
  clearInterval(sampler);
  peakRssBytes = Math.max(peakRssBytes, process.memoryUsage().rss);
  const { total, durationMs, generatorLimited, timeline } = run.result();
  const sent = total.scheduled - (total.errors.dropped ?? 0);
  process.stdout.write(
    `${JSON.stringify({
      requestsPerSecond: Math.round(total.completed / (durationMs / 1000)),
      sent,
      completed: total.completed,
      errors: total.errors,
      p50Ms: total.p50Ms,
      p99Ms: total.p99Ms,
      generatorLimited,
      seconds: timeline.length,
      peakRssMb: Math.round((peakRssBytes / 1024 / 1024) * 10) / 10,
      // The generator's own CPU per request: what a shared machine's noise moves least.
      cpuMicrosPerRequest: Math.round(((cpu.user + cpu.system) / Math.max(1, total.completed)) * 100) / 100,
    })}\n`,
  );
}

if (require.main === module) void main();
