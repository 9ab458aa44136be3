// `init --openapi FILE|URL`: a request mix from an OpenAPI 3 document. Pure. Every operation
// that can be called without a value nobody knows is kept: each required path, query or header
// parameter needs an example (the parameter's, its schema's, the first enum value or the
// default), and a required body needs a JSON example (the media type's, or one built from the
// schema's property examples). Optional parameters are left out. Each operation dropped says why.
import type { MixEntryInput } from '../config/request-mix';
import { type ImportResult, mixName } from './result';

type Json = Record<string, unknown>;
const isMap = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/** Follows a local `$ref` (#/components/...), once per level; an unknown one is null. */
function deref(doc: Json, value: unknown, depth = 0): unknown {
  if (!isMap(value) || typeof value.$ref !== 'string' || depth > 10) return value;
  const ref = value.$ref;
  if (!ref.startsWith('#/')) return null;
  let node: unknown = doc;
  for (const part of ref.slice(2).split('/'))
    node = isMap(node) ? node[part.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
  return node === undefined ? null : deref(doc, node, depth + 1);
}

/** An example of a schema: its own, its enum's first, its default, or one built from its parts. */
function schemaExample(doc: Json, schemaRef: unknown, depth = 0): unknown {
  const schema = deref(doc, schemaRef);
  if (!isMap(schema) || depth > 8) return undefined;
  if (schema.example !== undefined) return schema.example;
  if (Array.isArray(schema.examples) && schema.examples.length) return schema.examples[0];
  if (Array.isArray(schema.enum) && schema.enum.length) return schema.enum[0];
  if (schema.default !== undefined) return schema.default;
  if (Array.isArray(schema.allOf)) {
    const parts = schema.allOf.map((part) => schemaExample(doc, part, depth + 1));
    if (parts.every(isMap)) return Object.assign({}, ...parts);
    return undefined;
  }
  if (schema.type === 'object' || isMap(schema.properties)) {
    const out: Json = {};
    for (const [name, property] of Object.entries((schema.properties as Json) ?? {})) {
      const example = schemaExample(doc, property, depth + 1);
      if (example !== undefined) out[name] = example;
      else if (Array.isArray(schema.required) && schema.required.includes(name)) return undefined;
    }
    return Object.keys(out).length ? out : undefined;
  }
  if (schema.type === 'array') {
    const item = schemaExample(doc, schema.items, depth + 1);
    return item === undefined ? undefined : [item];
  }
  return undefined;
}

/** A parameter's example: its own, its `examples`' first value, or its schema's. */
function parameterExample(doc: Json, parameter: Json): unknown {
  if (parameter.example !== undefined) return parameter.example;
  if (isMap(parameter.examples)) {
    const first = deref(doc, Object.values(parameter.examples)[0]);
    if (isMap(first) && first.value !== undefined) return first.value;
  }
  return schemaExample(doc, parameter.schema);
}

/** A JSON body's example: the media type's `example`, its `examples`' first value, or its schema's. */
function bodyExample(doc: Json, media: Json): unknown {
  if (media.example !== undefined) return media.example;
  if (isMap(media.examples)) {
    const first = deref(doc, Object.values(media.examples)[0]);
    if (isMap(first) && first.value !== undefined) return first.value;
  }
  return schemaExample(doc, media.schema);
}

/** The path prefix of the document's first server (`/v3` of `https://x.io/v3` or `/v3`). */
function serverPrefix(doc: Json): string {
  const server = Array.isArray(doc.servers) ? doc.servers[0] : undefined;
  const url = isMap(server) && typeof server.url === 'string' ? server.url : '';
  const pathname = /^[a-z][a-z0-9+.-]*:\/\//i.test(url)
    ? new URL(url).pathname
    : url.replace(/\{[^}]*\}/g, '');
  return pathname.replace(/\/+$/, '').replace(/^(?!\/)/, pathname ? '/' : '');
}

const scalarText = (value: unknown): string | null =>
  ['string', 'number', 'boolean'].includes(typeof value) ? String(value) : null;

export function importOpenApi(doc: unknown): ImportResult {
  if (!isMap(doc) || typeof doc.openapi !== 'string' || !doc.openapi.startsWith('3'))
    throw new Error(
      `not an OpenAPI 3 document (${isMap(doc) && doc.swagger ? 'Swagger 2: convert it to OpenAPI 3 first' : 'no "openapi: 3.x" field'})`,
    );
  const prefix = serverPrefix(doc);
  const requests: MixEntryInput[] = [];
  const dropped: ImportResult['dropped'] = [];
  const names = new Set<string>();
  for (const [template, itemRef] of Object.entries(isMap(doc.paths) ? doc.paths : {})) {
    const item = deref(doc, itemRef);
    if (!isMap(item)) continue;
    for (const method of METHODS) {
      const operation = item[method];
      if (!isMap(operation)) continue;
      const what = `${method.toUpperCase()} ${prefix}${template}`;
      const parameters = [
        ...(Array.isArray(item.parameters) ? item.parameters : []),
        ...(Array.isArray(operation.parameters) ? operation.parameters : []),
      ]
        .map((p) => deref(doc, p))
        .filter(isMap);
      let path = template;
      const query: string[] = [];
      const headers: Record<string, string> = {};
      const missing: string[] = [];
      for (const parameter of parameters) {
        const required = parameter.required === true || parameter.in === 'path';
        if (!required || typeof parameter.name !== 'string') continue;
        const example = scalarText(parameterExample(doc, parameter));
        if (example === null) {
          missing.push(`${parameter.in} parameter ${parameter.name}`);
          continue;
        }
        if (parameter.in === 'path')
          path = path.split(`{${parameter.name}}`).join(encodeURIComponent(example));
        else if (parameter.in === 'query')
          query.push(`${encodeURIComponent(parameter.name)}=${encodeURIComponent(example)}`);
        else if (parameter.in === 'header') headers[parameter.name] = example;
        else missing.push(`${parameter.in} parameter ${parameter.name} (set by the browser, not a request)`);
      }
      if (missing.length) {
        dropped.push({ what, why: `no example for the required ${missing.join(', ')}` });
        continue;
      }
      const body = deref(doc, operation.requestBody);
      let json: unknown;
      if (isMap(body)) {
        const content = isMap(body.content) ? body.content : {};
        const jsonType = Object.keys(content).find((type) => /^application\/(.+\+)?json\b/.test(type));
        const example = jsonType ? bodyExample(doc, deref(doc, content[jsonType]) as Json) : undefined;
        if (example !== undefined) json = example;
        else if (body.required === true || method !== 'get') {
          dropped.push({
            what,
            why: jsonType
              ? 'its JSON body has no example (in the document or its schema)'
              : `its body is not JSON (${Object.keys(content).join(', ') || 'no content'})`,
          });
          continue;
        }
      }
      const name = mixName(typeof operation.operationId === 'string' ? operation.operationId : what, names);
      requests.push({
        name,
        // Reads outnumber writes in most traffic: a GET weighs 3, anything else 1 (edit to taste).
        weight: method === 'get' ? 3 : 1,
        method: method.toUpperCase(),
        path: `${prefix}${path}${query.length ? `?${query.join('&')}` : ''}`,
        ...(Object.keys(headers).length ? { headers } : {}),
        ...(json !== undefined ? { json } : {}),
      });
    }
  }
  return {
    requests,
    kept: requests.map((r) => `${r.method} ${r.path} as ${r.name}`),
    dropped,
    notes: [
      `weights: 3 for each GET, 1 for each other method (the document says nothing of traffic)`,
      `optional parameters left out; required ones take the document's examples`,
    ],
  };
}
