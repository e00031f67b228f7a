// Converts OpenAPI 3.0 schema objects into JSON Schema draft-07 that ajv accepts in strict mode and that
// fastify (ajv for validation, fast-json-stringify for serialization) can use unchanged.
import type { OpenApiSchema } from './openapi-types.ts';

/** A JSON Schema (draft-07): an object of keywords, or a boolean schema. */
export type JsonSchema = JsonSchemaObject | boolean;

export interface JsonSchemaObject {
  [keyword: string]: unknown;
}

export interface ConversionOptions {
  /** Rewrites a component name into the `$ref` the output should use, e.g. `X` -> `#/definitions/X`. */
  readonly refFor: (componentName: string) => string;
  /** The contract's component schemas: needed to follow `$ref`s for defaults and readOnly/writeOnly. */
  readonly components: Readonly<Record<string, OpenApiSchema>>;
}

const COMPONENT_REF_PREFIX = '#/components/schemas/';

// Keywords that are OpenAPI-only (or not draft-07) and that ajv's strict mode would reject or misread.
const DROPPED_KEYWORDS = new Set([
  'nullable',
  'discriminator',
  'xml',
  'externalDocs',
  'example',
  'examples',
  'deprecated',
]);

// Keywords whose value is a single subschema.
const SUBSCHEMA_KEYWORDS = new Set([
  'items',
  'not',
  'additionalProperties',
  'if',
  'then',
  'else',
  'propertyNames',
  'contains',
]);

// Keywords whose value is a list of subschemas.
const SUBSCHEMA_LIST_KEYWORDS = new Set(['allOf', 'anyOf', 'oneOf']);

// Keywords that combine or point to other schemas: a `type` union cannot make them accept null.
const COMPOSITION_KEYWORDS = ['$ref', 'allOf', 'anyOf', 'oneOf', 'not'] as const;

// Annotations that stay on the outside of a nullable wrapper, where ajv and readers look for them.
const ANNOTATION_KEYWORDS = ['title', 'description', 'default', 'readOnly', 'writeOnly'] as const;

/** `#/components/schemas/X` -> `X`. Any other reference is outside the contract and is an error. */
export function componentName(ref: string): string {
  if (!ref.startsWith(COMPONENT_REF_PREFIX))
    throw new Error(`unsupported $ref ${ref}: only ${COMPONENT_REF_PREFIX}* refs are resolved`);
  return decodeURIComponent(ref.slice(COMPONENT_REF_PREFIX.length)).replaceAll('~1', '/').replaceAll('~0', '~');
}

/** Converts one OpenAPI 3.0 schema (recursively) into draft-07 JSON Schema. The input is not modified. */
export function openApiToJsonSchema(schema: OpenApiSchema | boolean, options: ConversionOptions): JsonSchema {
  if (typeof schema === 'boolean') return schema;
  const out: JsonSchemaObject = {};
  for (const [keyword, value] of Object.entries(schema)) {
    if (DROPPED_KEYWORDS.has(keyword) || keyword.startsWith('x-')) continue;
    if (keyword === '$ref' && typeof value === 'string') out.$ref = options.refFor(componentName(value));
    else if (keyword === 'properties' && isObject(value)) out.properties = convertProperties(value, options);
    else if (SUBSCHEMA_KEYWORDS.has(keyword) && isSchema(value)) out[keyword] = openApiToJsonSchema(value, options);
    else if (SUBSCHEMA_LIST_KEYWORDS.has(keyword) && Array.isArray(value))
      out[keyword] = value.map((s: unknown) => openApiToJsonSchema(asSchema(s, keyword), options));
    else out[keyword] = value;
  }
  convertExclusiveBounds(out);
  dropDirectionalRequired(out, schema, options);
  inferType(out);
  return schema.nullable === true ? makeNullable(out) : out;
}

function convertProperties(
  properties: Readonly<Record<string, unknown>>,
  options: ConversionOptions,
): JsonSchemaObject {
  const out: JsonSchemaObject = {};
  for (const [name, property] of Object.entries(properties)) {
    const converted = openApiToJsonSchema(asSchema(property, `properties.${name}`), options);
    // ajv's useDefaults only reads `default` directly under `properties`, not behind a $ref: copy it up so every
    // default the contract states is applied, not only the inline ones.
    if (
      typeof converted === 'object' &&
      converted.default === undefined &&
      isObject(property) &&
      typeof property.$ref === 'string'
    ) {
      const target = resolveComponent(property.$ref, options.components);
      if (target?.default !== undefined) converted.default = target.default;
    }
    out[name] = converted;
  }
  return out;
}

// OpenAPI 3.0 uses draft-04 style boolean exclusive bounds; draft-07 wants the bound itself.
function convertExclusiveBounds(out: JsonSchemaObject): void {
  for (const [exclusive, bound] of [
    ['exclusiveMinimum', 'minimum'],
    ['exclusiveMaximum', 'maximum'],
  ] as const) {
    if (out[exclusive] === true && typeof out[bound] === 'number') {
      out[exclusive] = out[bound];
      delete out[bound];
    } else if (out[exclusive] === false) {
      delete out[exclusive];
    }
  }
}

// A required readOnly property is required in responses only, a required writeOnly one in requests only
// (OpenAPI 3.0 "Fixed Fields"). One shared schema serves both directions, so neither may be required.
function dropDirectionalRequired(out: JsonSchemaObject, source: OpenApiSchema, options: ConversionOptions): void {
  if (!Array.isArray(out.required) || !isObject(source.properties)) return;
  const properties = source.properties;
  const kept = out.required.filter((name: unknown) => {
    const property = typeof name === 'string' ? properties[name] : undefined;
    if (!isObject(property)) return true;
    const target = typeof property.$ref === 'string' ? resolveComponent(property.$ref, options.components) : property;
    return target?.readOnly !== true && target?.writeOnly !== true;
  });
  if (kept.length === out.required.length) return;
  if (kept.length === 0) delete out.required;
  else out.required = kept;
}

// `properties` without `type` would let a string or number through (and ajv's strictTypes rejects it); every
// such schema in the contract describes an object, so say so.
function inferType(out: JsonSchemaObject): void {
  if (out.type !== undefined) return;
  if (out.properties !== undefined || out.required !== undefined || out.additionalProperties !== undefined)
    out.type = 'object';
  else if (out.items !== undefined) out.type = 'array';
}

/**
 * Makes a converted schema accept null as well: `null` is added to `type` (and to `enum`). A schema that
 * composes others (`$ref`, `allOf`...) needs more, because the schemas it points to reject null on their own;
 * its composition moves under `if: {type: null}, else: {...}`. Not `anyOf: [{type: null}, {...}]`: ajv
 * applies `default`s inside `else` but never inside `anyOf`, and reports the real failure, not "must be null".
 */
export function makeNullable(schema: JsonSchemaObject): JsonSchemaObject {
  const out: JsonSchemaObject = { ...schema };
  if (typeof out.type === 'string' && out.type !== 'null') out.type = [out.type, 'null'];
  else if (Array.isArray(out.type) && !out.type.includes('null')) out.type = [...(out.type as unknown[]), 'null'];
  if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...(out.enum as unknown[]), null];
  if (!COMPOSITION_KEYWORDS.some((keyword) => out[keyword] !== undefined)) return out;
  // `type` and annotations stay outside, so ajv's strictTypes sees a nullable member inside a nullable context.
  const wrapper: JsonSchemaObject = {};
  const inner: JsonSchemaObject = {};
  for (const [keyword, value] of Object.entries(out)) {
    if (keyword === 'type' || (ANNOTATION_KEYWORDS as readonly string[]).includes(keyword)) wrapper[keyword] = value;
    else inner[keyword] = value;
  }
  return { ...wrapper, if: { type: 'null' }, else: inner };
}

/** Follows `$ref` chains to the component schema they name (undefined if a name is unknown). */
export function resolveComponent(
  ref: string,
  components: Readonly<Record<string, OpenApiSchema>>,
): OpenApiSchema | undefined {
  let target = components[componentName(ref)];
  for (let hops = 0; target !== undefined && typeof target.$ref === 'string'; hops++) {
    if (hops > 32) throw new Error(`$ref cycle through ${ref}`);
    target = components[componentName(target.$ref)];
  }
  return target;
}

function isObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isSchema(value: unknown): value is OpenApiSchema | boolean {
  return typeof value === 'boolean' || isObject(value);
}

function asSchema(value: unknown, where: string): OpenApiSchema | boolean {
  if (!isSchema(value)) throw new Error(`expected a schema at ${where}, got ${JSON.stringify(value)}`);
  return value;
}
