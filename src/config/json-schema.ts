// JSON Schemas for editors (yaml-language-server and anything that reads `$schema`), made from
// the zod schemas the loaders use: chaos-action.yml from the settings' file shapes, a scenario
// file from scenarioSchema. Fields a zod transform reads from human units (30s, 50/s, 10MB) carry
// the shape they accept as metadata; a `${param}` may stand for any value in a scenario file, as
// the loader substitutes parameters before it validates. `npm run generate` writes them to
// schemas/; the test command checks they are current and that every file we ship validates.
import { z } from 'zod';
import { ACTION_REPOSITORY, ACTION_REF } from './project';
import { FAULT_SCHEMAS, scenarioSchema } from './scenario-schema';
import { fileSettings, SETTINGS } from './settings';
import { UNIT_SHAPES } from './zod-fields';

export type JsonSchema = Record<string, unknown>;

/** Where the published schemas are read from (the `# yaml-language-server: $schema=` line). */
export const SCHEMA_FILES = {
  runConfig: 'schemas/chaos-action.schema.json',
  scenario: 'schemas/scenario.schema.json',
} as const;

export function schemaUrl(file: string): string {
  return `https://raw.githubusercontent.com/${ACTION_REPOSITORY}/${ACTION_REF}/${file}`;
}

/** The first line of a file an editor should check against `file`'s schema. */
export function schemaModeline(file: string): string {
  return `# yaml-language-server: $schema=${schemaUrl(file)}`;
}

const generate = (schema: z.ZodType): JsonSchema =>
  z.toJSONSchema(schema, { target: 'draft-07', io: 'input', unrepresentable: 'any' }) as JsonSchema;

/** chaos-action.yml: every key a run config file may hold; an old key still validates, marked deprecated. */
export function runConfigJsonSchema(): JsonSchema {
  const shape: Record<string, z.ZodType> = {};
  for (const s of fileSettings())
    shape[s.name] = s.file.shape.meta({ description: s.description }).optional();
  for (const s of SETTINGS)
    for (const old of s.deprecated ?? [])
      if (old.key && s.file && 'shape' in s.file)
        shape[old.key] = s.file.shape
          .meta({
            description: `Deprecated: write ${s.name}.`,
            deprecated: true,
            deprecationMessage: `${old.key} is deprecated: write ${s.name} (the same value).`,
          })
          .optional();
  const schema = generate(z.object(shape).strict());
  return {
    $schema: schema.$schema,
    $id: schemaUrl(SCHEMA_FILES.runConfig),
    title: 'chaos-action run config (chaos-action.yml)',
    description:
      'The settings of a chaos-action run, by the names of the action inputs. Paths are relative to this file; inputs and flags that are given override it.',
    ...schema,
  };
}

/** A scenario's `${name}`: the loader puts the parameter's value there before it validates. */
const PARAMETER: JsonSchema = {
  type: 'string',
  pattern: '^\\$\\{[A-Za-z_][\\w-]*\\}$',
  description: 'a parameter (params:, or the run parameters request and health_path)',
};
const PARAMETER_REF = { $ref: '#/definitions/parameter' };

/** Every value below `node` (a property, an item, a map value) may also be a `${param}`. */
function allowParameters(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(allowParameters);
  if (node === null || typeof node !== 'object') return node;
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(node as JsonSchema)) {
    if (key === 'properties' && value && typeof value === 'object')
      out[key] = Object.fromEntries(
        Object.entries(value as JsonSchema).map(([name, sub]) => [name, orParameter(allowParameters(sub))]),
      );
    else if ((key === 'items' || key === 'additionalProperties') && value && typeof value === 'object')
      out[key] = orParameter(allowParameters(value));
    // zod's name for startsWith, which editors do not know; the pattern beside it says the same.
    else if (key === 'format' && value === 'starts_with') continue;
    else out[key] = allowParameters(value);
  }
  return out;
}

function orParameter(schema: unknown): unknown {
  const s = schema as JsonSchema;
  // A plain string already takes any text, a parameter among it.
  if (s.type === 'string' && Object.keys(s).every((k) => ['type', 'description', 'default'].includes(k)))
    return s;
  return { anyOf: [s, PARAMETER_REF] };
}

/** The fault kinds: one map each, told apart by `type`. */
function faultSchemas(): JsonSchema[] {
  return Object.entries(FAULT_SCHEMAS).map(([type, schema]) => {
    const json = generate(schema as z.ZodType);
    delete json.$schema;
    const properties = { ...(json.properties as JsonSchema), type: { const: type } };
    return { ...json, properties, required: [...new Set(['type', ...((json.required as string[]) ?? [])])] };
  });
}

/** A scenario file (scenarios/*.yml and your scenarios-dir's). */
export function scenarioJsonSchema(): JsonSchema {
  const schema = generate(scenarioSchema);
  const properties = schema.properties as Record<string, JsonSchema>;
  const faults = faultSchemas();
  properties.fault = {
    description: 'The fault: { type: stop, duration: 30s }, or { type: none } for a pure load test.',
    anyOf: faults,
  };
  const target = properties.target;
  properties.faults = {
    ...properties.faults,
    items: {
      anyOf: faults.map((f) => ({
        ...f,
        properties: { ...(f.properties as JsonSchema), target, at: UNIT_SHAPES.duration },
        required: [...(f.required as string[]), 'target'],
      })),
    },
  };
  return {
    $schema: schema.$schema,
    $id: schemaUrl(SCHEMA_FILES.scenario),
    title: 'chaos-action scenario',
    description:
      'One chaos scenario: a fault on a target under load, with the thresholds that must hold (docs/scenarios.md).',
    ...(allowParameters({ ...schema, properties }) as JsonSchema),
    definitions: { parameter: PARAMETER },
  };
}
