// Reads what `init --openapi/--har/--access-log` names (a file, or for OpenAPI a URL too) and
// imports its request mix (openapi.ts, har.ts, access-log.ts).
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { importAccessLog } from './access-log';
import { importHar } from './har';
import { importOpenApi } from './openapi';
import type { ImportResult } from './result';

export type { ImportResult } from './result';
export { importAccessLog, importHar, importOpenApi };

export type ImportKind = 'openapi' | 'har' | 'access-log';

/** A URL's text; a document that does not answer 200 within 10 s is an error that says so. */
async function download(url: string): Promise<string> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  return response.text();
}

/** The mix in `source` (a file, or an http(s) URL for OpenAPI). Throws Error with what went wrong. */
export async function importMix(kind: ImportKind, source: string): Promise<ImportResult> {
  const remote = /^https?:\/\//i.test(source);
  if (remote && kind !== 'openapi') throw new Error(`--${kind} reads a file, not a URL`);
  let text: string;
  try {
    text = remote ? await download(source) : readFileSync(source, 'utf8');
  } catch (error) {
    throw new Error(
      `cannot read ${source}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  switch (kind) {
    case 'openapi': {
      // YAML is a superset of JSON: one parser reads both forms of the document.
      let doc: unknown;
      try {
        doc = parseYaml(text, { maxAliasCount: 1000 });
      } catch (error) {
        throw new Error(
          `not an OpenAPI 3 document (not JSON or YAML: ${(error as Error).message.split('\n')[0]})`,
        );
      }
      return importOpenApi(doc);
    }
    case 'har':
      return importHar(JSON.parse(text));
    case 'access-log':
      return importAccessLog(text);
  }
}
