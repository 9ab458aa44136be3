// `init --access-log FILE`: a request mix from an nginx access log in the combined format
//   $remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"
// Pure. Kept: requests the server answered 2xx or 3xx that are not static assets. Dropped,
// each with why: lines that are not the format, static assets, error answers, and writes
// (POST, PUT, PATCH: an access log does not record their bodies).
import { droppedList, type ImportResult, mixFromObserved, type Observed, staticAsset } from './result';

const COMBINED =
  /^(\S+) \S+ (\S+) \[([^\]]+)\] "([A-Z]+) (\S+) HTTP\/[\d.]+" (\d{3}) (\d+|-) "([^"]*)" "([^"]*)"/;

export function importAccessLog(text: string): ImportResult {
  const dropped = new Map<string, { why: string; count: number }>();
  const drop = (what: string, why: string): void => {
    const entry = dropped.get(what) ?? { why, count: 0 };
    entry.count++;
    dropped.set(what, entry);
  };
  const observed: Observed[] = [];
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  lines.forEach((line, index) => {
    const match = COMBINED.exec(line);
    if (!match) return drop(`line ${index + 1}`, 'not in the combined log format');
    const [, , , , method, target, statusText] = match;
    const url = new URL(target, 'http://logged.invalid');
    const status = Number(statusText);
    const asset = staticAsset(url.pathname);
    if (asset) return drop(`${method} ${url.pathname}`, asset);
    if (status >= 400)
      return drop(`${method} ${url.pathname} answered ${status}`, 'an error answer: not what users ask for');
    if (['POST', 'PUT', 'PATCH'].includes(method))
      return drop(`${method} ${url.pathname}`, 'a write: an access log does not record its body');
    observed.push({ method, pathname: url.pathname, search: url.search });
  });
  if (lines.length === 0) throw new Error('the access log is empty');
  const notes: string[] = [];
  const { requests, kept } = mixFromObserved(observed, notes);
  return {
    requests,
    kept,
    dropped: droppedList(dropped),
    notes,
  };
}
