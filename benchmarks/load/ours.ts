// Our generator as a separate process, so the benchmark can pin it to one core like the
// other tools. Prints one JSON line. Modes:
//   peak URL CONNECTIONS SECONDS  closed model, one user per connection, no think time
//   rate URL RATE SECONDS         open model at RATE req/s (accuracy check)
//   soak URL RATE SECONDS         open model, sampling this process's RSS every second
import { startLoad } from '../../src/load';

async function main(): Promise<void> {
  const [mode, url, amount, secondsText] = process.argv.slice(2);
  const seconds = Number(secondsText);
  let peakRssBytes = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRssBytes = Math.max(peakRssBytes, process.memoryUsage().rss)), 1000);
  const spec =
    mode === 'peak'
      ? { url, users: Number(amount), think: 0, duration: `${seconds}s`, timeout: '10s' }
      : { url, rate: `${amount}/s`, duration: `${seconds}s`, warmup: mode === 'rate' ? '1s' : 0 };
  const run = await startLoad(spec);
  await run.done;
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
    })}\n`,
  );
}

void main();
