// Plain single-line logs on stdout: "<ISO time> <LEVEL> <message>".
import { config } from './config';

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40 } as const;
type Level = keyof typeof LEVELS;

const threshold = LEVELS[config.logLevel];

function write(level: Level, message: string): void {
  if (LEVELS[level] < threshold) return;
  process.stdout.write(`${new Date().toISOString()} ${level.toUpperCase()} ${message}\n`);
}

export const log = {
  debug: (m: string) => write('debug', m),
  info: (m: string) => write('info', m),
  warn: (m: string) => write('warn', m),
  error: (m: string) => write('error', m),
};

/**
 * A logger that writes at most `perSecond` lines each second and then one line
 * saying how many it suppressed, so a flood (1000 req/s) stays readable.
 */
export function rateLimited(level: Level, perSecond: number, what: string): (m: string) => void {
  let windowStart = 0;
  let written = 0;
  let suppressed = 0;
  return (message: string) => {
    const now = Date.now();
    if (now - windowStart >= 1000) {
      if (suppressed > 0) write(level, `(${suppressed} more "${what}" lines suppressed in the last second)`);
      windowStart = now;
      written = 0;
      suppressed = 0;
    }
    if (written < perSecond) {
      written++;
      write(level, message);
    } else {
      suppressed++;
    }
  };
}
