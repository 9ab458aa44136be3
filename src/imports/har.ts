// `init --har FILE`: a request mix from a browser's recording (HAR 1.2). Pure. Kept: the
// requests to the recording's own host (the host of its first page's document, else the most
// frequent one) that are not static assets. Dropped, each with why: third-party hosts, static
// assets, non-HTTP entries, error answers, and requests the browser answered without the
// server (status 0).
import { droppedList, type ImportResult, mixFromObserved, type Observed, staticAsset } from './result';

interface HarEntry {
  request?: { method?: string; url?: string; postData?: { mimeType?: string; text?: string } };
  response?: { status?: number; content?: { mimeType?: string } };
}

export function importHar(har: unknown): ImportResult {
  const entries = (har as { log?: { entries?: HarEntry[] } })?.log?.entries;
  if (!Array.isArray(entries)) throw new Error('not a HAR file (no log.entries)');
  const urls = entries.map((entry) => {
    try {
      return new URL(entry.request?.url ?? '');
    } catch {
      return null;
    }
  });
  const counts = new Map<string, number>();
  for (const url of urls) if (url) counts.set(url.host, (counts.get(url.host) ?? 0) + 1);
  const documentIndex = entries.findIndex((entry) =>
    /text\/html/.test(entry.response?.content?.mimeType ?? ''),
  );
  const host =
    (documentIndex >= 0 ? urls[documentIndex]?.host : undefined) ??
    [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  if (!host) throw new Error('the HAR file records no request');
  const dropped = new Map<string, { why: string; count: number }>();
  const drop = (what: string, why: string): void => {
    const entry = dropped.get(what) ?? { why, count: 0 };
    entry.count++;
    dropped.set(what, entry);
  };
  const observed: Observed[] = [];
  entries.forEach((entry, index) => {
    const url = urls[index];
    const method = (entry.request?.method ?? 'GET').toUpperCase();
    if (!url || !/^https?:$/.test(url.protocol))
      return drop(`${method} ${entry.request?.url ?? '?'}`, 'not an HTTP request');
    if (url.host !== host)
      return drop(`requests to ${url.host}`, `a third-party host (the recording's host is ${host})`);
    const asset = staticAsset(url.pathname, entry.response?.content?.mimeType);
    if (asset) return drop(`${method} ${url.pathname}`, asset);
    const status = entry.response?.status ?? 0;
    if (!status) return drop(`${method} ${url.pathname}`, 'no response from the server (blocked or cached)');
    if (status >= 400)
      return drop(`${method} ${url.pathname} answered ${status}`, 'an error answer: not what users ask for');
    const post = entry.request?.postData;
    let json: unknown;
    if (post?.text && /json/.test(post.mimeType ?? '')) {
      try {
        json = JSON.parse(post.text);
      } catch {
        json = undefined;
      }
    }
    observed.push({
      method,
      pathname: url.pathname,
      search: url.search,
      ...(json !== undefined ? { json } : post?.text ? { body: post.text, contentType: post.mimeType } : {}),
    });
  });
  const notes: string[] = [
    `the recording's host: ${host}`,
    'cookies and other recorded headers are left out (a load needs none of a browser session)',
  ];
  const { requests, kept } = mixFromObserved(observed, notes);
  return {
    requests,
    kept,
    dropped: droppedList(dropped),
    notes,
  };
}
