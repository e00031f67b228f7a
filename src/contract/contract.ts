// The Run:ai 2.24 contract, loaded from the JSON next to this module and converted once into JSON Schema:
// one bundle of shared schemas (`runai#/definitions/<Name>`) plus per-operation parameter, body and
// response schemas that point into it. Routes, validators and tests all read from here, never retype it.
import { readFileSync } from 'node:fs';
import {
  openApiToJsonSchema,
  type ConversionOptions,
  type JsonSchema,
  type JsonSchemaObject,
} from './openapi-to-json-schema.ts';
import {
  OPENAPI_METHODS,
  isReference,
  type OpenApiDocument,
  type OpenApiOperation,
  type OpenApiParameter,
  type OpenApiReference,
  type OpenApiRequestBody,
  type OpenApiResponse,
} from './openapi-types.ts';

/** `$id` of the bundle holding every component schema; route schemas `$ref` into it. */
export const CONTRACT_SCHEMA_ID = 'runai';

const JSON_MEDIA_TYPE = 'application/json';

export type HttpMethod = 'GET' | 'PUT' | 'POST' | 'DELETE' | 'OPTIONS' | 'HEAD' | 'PATCH' | 'TRACE';

export interface ContractParameter {
  readonly name: string;
  readonly in: OpenApiParameter['in'];
  readonly required: boolean;
  readonly schema: JsonSchema;
  /** For arrays: false means one comma-separated value (`filterBy=a,b`), OpenAPI's `form` style. */
  readonly explode: boolean;
  readonly style: string;
}

export interface ContractRequestBody {
  /** As the contract states it (OpenAPI's default is false); see `bodySchema` for how lwsim treats it. */
  readonly required: boolean;
  readonly mediaType: string;
  readonly schema: JsonSchema;
}

export interface ContractResponse {
  readonly status: number;
  /** Name of the shared `components.responses` entry, e.g. `404NotFound`, when the contract uses one. */
  readonly component: string | undefined;
  /** Undefined when the response has no body. */
  readonly schema: JsonSchema | undefined;
}

export interface ContractOperation {
  readonly operationId: string;
  readonly method: HttpMethod;
  /** The OpenAPI path template, e.g. `/api/v1/workloads/{workloadId}`. */
  readonly path: string;
  /** The same path in fastify's syntax, e.g. `/api/v1/workloads/:workloadId`. */
  readonly url: string;
  readonly tags: readonly string[];
  readonly parameters: readonly ContractParameter[];
  readonly requestBody: ContractRequestBody | undefined;
  readonly responses: readonly ContractResponse[];
  /** Every status code the contract lists for this operation, ascending. */
  readonly statuses: readonly number[];
}

export interface Contract {
  readonly document: OpenApiDocument;
  readonly title: string;
  readonly version: string;
  /** `{ $id: 'runai', definitions: { <Name>: <JSON Schema> } }`: register once, with ajv or fastify. */
  readonly bundle: JsonSchemaObject;
  readonly componentNames: readonly string[];
  readonly operations: readonly ContractOperation[];
}

/** The `$ref` that route schemas (outside the bundle) use for a component schema. */
export function contractRef(name: string): string {
  return `${CONTRACT_SCHEMA_ID}#/definitions/${name}`;
}

let loaded: Contract | undefined;

/** The contract, read and converted on first use. */
export function getContract(): Contract {
  loaded ??= buildContract(readContractDocument());
  return loaded;
}

/**
 * The platform contract's operations lwsim answers (`runai-2.24-contract-platform.json` holds them all: tokens,
 * clusters, nodes, projects, trainings...). Only these join the contract, so that every operation in it has a route.
 */
export const PLATFORM_OPERATIONS: readonly string[] = [
  'grant_token',
  'get_clusters',
  'get_cluster_by_uuid',
  'get_projects',
  'count_projects',
  'get_project',
  'get_departments',
  'count_departments',
  'get_department',
  'get_tenant_nodes',
  'count_tenant_nodes',
  'get_nodes',
  'get_nodepools',
  'count_nodepools',
  'get_nodepool',
  'list_pods',
  'count_pods',
  'get_workload_events',
  'get_workload_history',
  'get_workload_metrics',
  'get_workload_pod_metrics',
  'create_training1',
  'get_training',
  'delete_training',
  'suspend_training',
  'resume_training',
  'get_cluster_metrics',
  'get_nodepool_metrics',
  'get_project_metrics',
  'get_workloads_telemetry',
];

/** The distributed-inference contract with the platform operations lwsim answers merged in. */
export function readContractDocument(): OpenApiDocument {
  const main = readDocument('runai-2.24-contract.json');
  const platform = readDocument('runai-2.24-contract-platform.json');
  const paths: Record<string, OpenApiDocument['paths'][string]> = { ...main.paths };
  for (const [path, item] of Object.entries(platform.paths)) {
    const kept = Object.fromEntries(
      Object.entries(item).filter(
        ([, op]) => typeof op === 'object' && PLATFORM_OPERATIONS.includes((op as OpenApiOperation).operationId),
      ),
    );
    if (Object.keys(kept).length > 0) paths[path] = kept;
  }
  // Of the platform's components, those the kept operations reach. Shared ones are the same in both contracts but
  // one (the distributed-inference contract's EnvironmentVariable also has `description`): its own win.
  const reached = reachable(platform.components as ComponentTable, Object.values(paths));
  const own = main.components as ComponentTable;
  const components = Object.fromEntries(
    [...new Set([...Object.keys(own), ...Object.keys(reached)])].map((kind) => [
      kind,
      // Own first, in its order; then what only the platform has.
      {
        ...own[kind],
        ...Object.fromEntries(Object.entries(reached[kind] ?? {}).filter(([n]) => !(n in (own[kind] ?? {})))),
      },
    ]),
  ) as unknown as OpenApiDocument['components'];
  return { ...main, paths, components };
}

type ComponentTable = Record<string, Record<string, unknown>>;

/** The components (`#/components/<kind>/<name>`) that `roots` reach through `$ref`s, transitively. */
function reachable(components: ComponentTable, roots: readonly unknown[]): ComponentTable {
  const found: ComponentTable = {};
  const pending: unknown[] = [...roots];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value !== 'object' || value === null) continue;
    const ref = (value as { $ref?: unknown }).$ref;
    if (typeof ref === 'string') {
      const [, , kind, name] = ref.split('/');
      const target = kind === undefined || name === undefined ? undefined : components[kind]?.[name];
      if (target !== undefined && found[kind!]?.[name!] === undefined) {
        (found[kind!] ??= {})[name!] = target;
        pending.push(target);
      }
    }
    pending.push(...Object.values(value));
  }
  return found;
}

function readDocument(file: string): OpenApiDocument {
  const parsed: unknown = JSON.parse(readFileSync(new URL(`./${file}`, import.meta.url), 'utf8'));
  if (!isDocument(parsed)) throw new Error(`${file} is not an OpenAPI 3.0 document with paths and components.schemas`);
  return parsed;
}

export function buildContract(document: OpenApiDocument): Contract {
  const components = document.components.schemas;
  const local: ConversionOptions = { components, refFor: (name) => `#/definitions/${name}` };
  const external: ConversionOptions = { components, refFor: contractRef };
  const definitions: JsonSchemaObject = {};
  for (const [name, schema] of Object.entries(components)) definitions[name] = openApiToJsonSchema(schema, local);
  const operations: ContractOperation[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    // Document order, so listings and reports read like the contract.
    for (const [key, op] of Object.entries(item)) {
      const method = OPENAPI_METHODS.find((m) => m === key);
      if (method !== undefined && op !== undefined)
        operations.push(buildOperation(document, path, method.toUpperCase() as HttpMethod, op, external));
    }
  }
  return {
    document,
    title: document.info.title,
    version: document.info.version,
    bundle: { $id: CONTRACT_SCHEMA_ID, definitions },
    componentNames: Object.keys(components),
    operations,
  };
}

function buildOperation(
  doc: OpenApiDocument,
  path: string,
  method: HttpMethod,
  op: OpenApiOperation,
  conv: ConversionOptions,
): ContractOperation {
  const parameters = (op.parameters ?? []).map((p): ContractParameter => {
    const param = resolve(doc, p, 'parameters');
    if (param.schema === undefined) throw new Error(`${op.operationId}: parameter ${param.name} has no schema`);
    const style = param.style ?? (param.in === 'query' || param.in === 'cookie' ? 'form' : 'simple');
    return {
      name: param.name,
      in: param.in,
      required: param.required === true,
      schema: openApiToJsonSchema(param.schema, conv),
      explode: param.explode ?? style === 'form',
      style,
    };
  });
  let requestBody: ContractRequestBody | undefined;
  if (op.requestBody !== undefined) {
    const body = resolve(doc, op.requestBody, 'requestBodies');
    requestBody = {
      required: body.required === true,
      mediaType: JSON_MEDIA_TYPE,
      schema: jsonContent(body.content, `${op.operationId} request body`, conv),
    };
  }
  const responses = Object.entries(op.responses).map(([code, r]): ContractResponse => {
    const status = Number(code);
    if (!Number.isInteger(status)) throw new Error(`${op.operationId}: response key ${code} is not a status code`);
    const response = resolve(doc, r, 'responses');
    const content = response.content;
    const schema = content === undefined ? undefined : jsonContent(content, `${op.operationId} ${code}`, conv);
    return { status, component: isReference(r) ? r.$ref.split('/').pop() : undefined, schema };
  });
  return {
    operationId: op.operationId,
    method,
    path,
    url: path.replace(/\{([^}]+)\}/g, ':$1'),
    tags: op.tags ?? [],
    parameters,
    requestBody,
    responses,
    statuses: responses.map((r) => r.status).sort((a, b) => a - b),
  };
}

function jsonContent(content: OpenApiRequestBody['content'], where: string, conv: ConversionOptions): JsonSchema {
  const schema = content[JSON_MEDIA_TYPE]?.schema;
  if (schema === undefined) throw new Error(`${where}: no ${JSON_MEDIA_TYPE} schema`);
  return openApiToJsonSchema(schema, conv);
}

type Section = 'parameters' | 'responses' | 'requestBodies';
type SectionValue<S extends Section> = S extends 'parameters'
  ? OpenApiParameter
  : S extends 'responses'
    ? OpenApiResponse
    : OpenApiRequestBody;

function resolve<S extends Section>(
  doc: OpenApiDocument,
  value: SectionValue<S> | OpenApiReference,
  section: S,
): SectionValue<S> {
  if (!isReference(value)) return value;
  const prefix = `#/components/${section}/`;
  if (!value.$ref.startsWith(prefix)) throw new Error(`unsupported $ref ${value.$ref}, expected ${prefix}*`);
  const table = doc.components[section] as Readonly<Record<string, SectionValue<S>>> | undefined;
  const found = table?.[value.$ref.slice(prefix.length)];
  if (found === undefined) throw new Error(`unresolved $ref ${value.$ref}`);
  return found;
}

function isDocument(value: unknown): value is OpenApiDocument {
  if (typeof value !== 'object' || value === null) return false;
  const doc = value as Partial<Record<keyof OpenApiDocument, unknown>>;
  const components = doc.components as { schemas?: unknown } | undefined;
  return (
    typeof doc.openapi === 'string' &&
    doc.openapi.startsWith('3.0.') &&
    typeof doc.paths === 'object' &&
    typeof components?.schemas === 'object'
  );
}

// ---- per-operation lookups -------------------------------------------------------------------------------

export function operations(): readonly ContractOperation[] {
  return getContract().operations;
}

/** The operation with this operationId; throws for an unknown id so a typo fails at startup. */
export function operation(operationId: string): ContractOperation {
  const op = getContract().operations.find((o) => o.operationId === operationId);
  if (op === undefined) throw new Error(`unknown operationId ${operationId}`);
  return op;
}

/**
 * The request body schema, or undefined for operations without a body. The contract never marks a body
 * `required: true`, yet every body schema is an object, so a missing body fails validation ("must be object"):
 * a create or update without a body has nothing to act on.
 */
export function bodySchema(operationId: string): JsonSchema | undefined {
  return operation(operationId).requestBody?.schema;
}

/** Schema of the query string as one object (names, types, enums, bounds, defaults from the contract). */
export function querySchema(operationId: string): JsonSchemaObject | undefined {
  return parametersSchema(operation(operationId), 'query');
}

/** Schema of the path parameters as one object. */
export function paramsSchema(operationId: string): JsonSchemaObject | undefined {
  return parametersSchema(operation(operationId), 'path');
}

/** Schema of the response body for a status; undefined if that response has no body. Throws for unlisted statuses. */
export function responseSchema(operationId: string, status: number): JsonSchema | undefined {
  const op = operation(operationId);
  const response = op.responses.find((r) => r.status === status);
  if (response === undefined)
    throw new Error(`${operationId} does not list status ${status} (it lists ${op.statuses.join(', ')})`);
  return response.schema;
}

function parametersSchema(op: ContractOperation, where: ContractParameter['in']): JsonSchemaObject | undefined {
  const params = op.parameters.filter((p) => p.in === where);
  if (params.length === 0) return undefined;
  const properties: JsonSchemaObject = {};
  for (const p of params) properties[p.name] = p.schema;
  const required = params.filter((p) => p.required || p.in === 'path').map((p) => p.name);
  return required.length > 0 ? { type: 'object', properties, required } : { type: 'object', properties };
}
