// Wires the contract into fastify: the shared schemas, a validator compiler that treats bodies and
// parameters differently (see ajv.ts), and route definitions built from an operationId.
import type { FastifyInstance, FastifySchemaCompiler, RouteHandlerMethod, RouteOptions } from 'fastify';
import { contractAjv } from './ajv.ts';
import { bodySchema, getContract, operation, paramsSchema, querySchema } from './contract.ts';
import { delimitedQueryHook } from './delimited-query.ts';
import type { JsonSchema, JsonSchemaObject } from './openapi-to-json-schema.ts';

/** A route's `schema` option, built from the contract. */
export interface ContractRouteSchema {
  body?: JsonSchema;
  querystring?: JsonSchemaObject;
  params?: JsonSchemaObject;
  /** Status code -> body schema; fastify serializes replies with it (fast-json-stringify). */
  response?: Record<string, JsonSchema>;
}

export interface RouteSchemaOptions {
  /**
   * Attach response schemas (default true). fast-json-stringify then writes only the properties the contract
   * declares, so internal fields cannot leak, and throws if a required one is missing.
   */
  readonly responses?: boolean;
}

/** The schemas fastify needs registered with `addSchema` before any contract route: one bundle. */
export function sharedSchemas(): readonly JsonSchemaObject[] {
  return [getContract().bundle];
}

/**
 * Fastify validator compiler: bodies are validated without coercion, parameters (query, path, headers) with
 * coercion to the declared types. Both fill in the contract's defaults.
 */
export const contractValidatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) => {
  const ajv = contractAjv(httpPart === 'body' ? 'body' : 'parameters');
  return ajv.compile(schema as JsonSchema);
};

/**
 * Prepares an instance (call it on the root instance, before registering contract routes): registers the
 * shared schemas and the contract's validator compiler, and drops fastify's built-in text/plain parser:
 * every body in the contract is application/json, so any other type is a 415, not a 400 "must be object".
 */
export function installContract(app: FastifyInstance): void {
  for (const schema of sharedSchemas()) app.addSchema(schema);
  app.setValidatorCompiler(contractValidatorCompiler);
  if (app.hasContentTypeParser('text/plain')) app.removeContentTypeParser('text/plain');
}

/**
 * fast-json-stringify options for the server's `serializerOpts`. When it merges an `allOf` whose members are
 * nullable (`type: [object, null]`) with non-nullable ones, its internal ajv sees a null branch under an
 * object-only context and logs a strictTypes warning per route; the merged schema is still correct.
 */
export const CONTRACT_SERIALIZER_OPTIONS: Readonly<Record<string, unknown>> = Object.freeze({
  ajv: { strictTypes: false },
});

/** The `schema` route option for an operation: body, querystring, params and responses from the contract. */
export function routeSchema(operationId: string, options: RouteSchemaOptions = {}): ContractRouteSchema {
  const out: ContractRouteSchema = {};
  const body = bodySchema(operationId);
  const querystring = querySchema(operationId);
  const params = paramsSchema(operationId);
  if (body !== undefined) out.body = body;
  if (querystring !== undefined) out.querystring = querystring;
  if (params !== undefined) out.params = params;
  if (options.responses ?? true) {
    const response: Record<string, JsonSchema> = {};
    for (const r of operation(operationId).responses) if (r.schema !== undefined) response[String(r.status)] = r.schema;
    out.response = response;
  }
  return out;
}

/**
 * A complete fastify route for an operation: method and URL from the contract, its schemas, and the hook
 * that splits comma-separated query arrays. Pass the result to `app.route()`.
 */
export function contractRoute(
  operationId: string,
  handler: RouteHandlerMethod,
  options: RouteSchemaOptions = {},
): RouteOptions {
  const op = operation(operationId);
  const route: RouteOptions = { method: op.method, url: op.url, schema: routeSchema(operationId, options), handler };
  const split = delimitedQueryHook(operationId);
  if (split !== undefined) route.preValidation = split;
  return route;
}
