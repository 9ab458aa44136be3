// Validators for the Kubernetes resources we render, built from the CustomResourceDefinitions in
// k8s/crds/ (copied unchanged from Chaos Mesh and k6-operator). The API server prunes fields a
// structural schema does not name, silently; so that a misspelt field fails here instead of
// vanishing on a cluster, every object schema with `properties` and no
// `x-kubernetes-preserve-unknown-fields` is closed (additionalProperties: false).
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import { parse } from 'yaml';

export const CRD_DIR = path.join(__dirname, '..', '..', 'k8s', 'crds');

type Schema = Record<string, unknown>;

function closeObjects(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closeObjects);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Schema = {};
  for (const [key, value] of Object.entries(schema as Schema)) {
    // Property names are data, not keywords: recurse into each property's schema only.
    if (key === 'properties' && value && typeof value === 'object') {
      out.properties = Object.fromEntries(
        Object.entries(value as Schema).map(([k, v]) => [k, closeObjects(v)]),
      );
    } else out[key] = closeObjects(value);
  }
  // OpenAPI 3.0's boolean exclusiveMinimum/Maximum are JSON Schema's numeric ones.
  for (const [flag, bound] of [
    ['exclusiveMinimum', 'minimum'],
    ['exclusiveMaximum', 'maximum'],
  ] as const) {
    if (typeof out[flag] === 'boolean') {
      if (out[flag] === true && typeof out[bound] === 'number') {
        out[flag] = out[bound];
        delete out[bound];
      } else delete out[flag];
    }
  }
  if (
    out.properties &&
    out.additionalProperties === undefined &&
    out['x-kubernetes-preserve-unknown-fields'] !== true
  ) {
    out.additionalProperties = false;
  }
  return out;
}

const ajv = new Ajv({
  strict: false, // the x-kubernetes-* extensions are not JSON Schema keywords
  allErrors: true,
  validateFormats: false, // int32/int64/date-time are OpenAPI formats the API server checks itself
});
for (const keyword of [
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-int-or-string',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type',
  'x-kubernetes-validations',
  'x-kubernetes-embedded-resource',
]) {
  ajv.addKeyword(keyword);
}

const cache = new Map<string, ValidateFunction>();

/** The validator for `kind` (its apiVersion's served version), from the CRD file that defines it. */
export function crdValidator(kind: string): ValidateFunction {
  const cached = cache.get(kind);
  if (cached) return cached;
  for (const file of fs.readdirSync(CRD_DIR).filter((f) => f.endsWith('.yaml'))) {
    const crd = parse(fs.readFileSync(path.join(CRD_DIR, file), 'utf8'));
    if (crd?.spec?.names?.kind !== kind) continue;
    const version = crd.spec.versions.find((v: { storage?: boolean }) => v.storage) ?? crd.spec.versions[0];
    const schema = closeObjects(version.schema.openAPIV3Schema) as Schema;
    // apiVersion/kind/metadata are the API server's; the CRD types metadata as a bare object.
    const validate = ajv.compile(schema);
    cache.set(kind, validate);
    return validate;
  }
  throw new Error(`no CRD for kind ${kind} in ${CRD_DIR}`);
}

/** Validation errors of a resource as readable lines; [] when it is valid. */
export function crdErrors(resource: Record<string, unknown>): string[] {
  const kind = String(resource.kind);
  const validate = crdValidator(kind);
  if (validate(resource)) return [];
  return (validate.errors ?? []).map(
    (e) =>
      `${kind} ${e.instancePath || '/'} ${e.message ?? ''}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`,
  );
}
