// Container output since a point in time, read through the engine (it survives restarts
// and OOM kills of the same container, so lines from before a crash are still there).
import { docker } from '../stack/docker';
import { demuxDockerLogs } from '../stack/compose';

export interface LogLine {
  /** Epoch milliseconds the engine stamped on the line. */
  atEpochMs: number;
  text: string;
}

/** The most lines read per container: past it, the oldest are dropped and the read says so. */
export const LOG_LINE_LIMIT = 100_000;

export interface LogRead {
  /** Oldest first. */
  lines: LogLine[];
  /** True when the engine had more lines than the limit: the oldest ones are missing. */
  truncated: boolean;
}

/** Lines a container wrote since `sinceEpochMs`, oldest first, at most `limit` of the newest. */
export async function containerLogsSince(
  containerId: string,
  sinceEpochMs: number,
  limit = LOG_LINE_LIMIT,
): Promise<LogRead> {
  const raw = (await docker()
    .getContainer(containerId)
    .logs({
      stdout: true,
      stderr: true,
      timestamps: true,
      follow: false,
      since: Math.floor(sinceEpochMs / 1000),
      tail: limit,
    })) as unknown as Buffer;
  const lines: LogLine[] = [];
  let read = 0;
  for (const line of demuxDockerLogs(raw).split('\n')) {
    if (line.trim() === '') continue;
    read++;
    const space = line.indexOf(' ');
    const stamp = Date.parse(line.slice(0, space));
    if (Number.isNaN(stamp)) {
      lines.push({ atEpochMs: sinceEpochMs, text: line });
      continue;
    }
    // `since` has one-second resolution; drop what came before the exact instant.
    if (stamp < sinceEpochMs) continue;
    lines.push({ atEpochMs: stamp, text: line.slice(space + 1) });
  }
  // `tail` keeps the newest `limit` lines: having read that many means older ones may be gone.
  return { lines, truncated: read >= limit };
}
