// Where a repository's own files may send the load and the probes: to the stack, that is to a
// loopback address (where its ports are published) or to one of its services by name. A file
// that named any other host could send the load's request, headers and body, and the probes,
// to a server of its author's choosing; another host is for the workflow's author to allow,
// with the target-url input or the --target-url flag.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';

/** localhost, 127.0.0.0/8 or ::1 (a URL's hostname: IPv6 in brackets, IPv4 already normalised). */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    host === '::1' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)
  );
}

/** The service names the compose files define (a file that cannot be read or parsed adds none). */
export function composeServiceNames(files: readonly string[]): string[] {
  const names = new Set<string>();
  for (const file of files) {
    try {
      const doc = parseYaml(readFileSync(file, 'utf8')) as { services?: unknown } | null;
      if (doc?.services && typeof doc.services === 'object')
        for (const name of Object.keys(doc.services)) names.add(name);
    } catch {
      // Compose reports a broken file itself, before anything starts.
    }
  }
  return [...names].sort();
}

/** Why a file may not send the load to `url`, or null when it may (loopback, or a service of the stack). */
export function targetHostProblem(url: string, services: readonly string[]): string | null {
  let hostname: string;
  try {
    hostname = new URL(url).hostname;
  } catch {
    return null; // Not a URL: the field's own check says so.
  }
  if (isLoopbackHost(hostname) || services.includes(hostname)) return null;
  return (
    `host "${hostname}" is neither loopback nor a service of the stack${services.length ? ` (${services.join(', ')})` : ''}: ` +
    'a file in the repository may not send the load and the probes elsewhere; give target-url as an input (or --target-url) to allow another host'
  );
}

/**
 * Whether a scenario file may send its load to `url` by itself: loopback, or a bare name (a
 * compose service's; a host elsewhere has dots in its name). Another host is the run's
 * target-url, given as an input.
 */
export function isStackUrl(url: string): boolean {
  try {
    const { hostname } = new URL(url);
    return isLoopbackHost(hostname) || /^[a-z0-9][a-z0-9_-]*$/i.test(hostname);
  } catch {
    return true; // Not a URL: the field's own check says so.
  }
}
