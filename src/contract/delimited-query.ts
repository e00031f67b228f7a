// OpenAPI `style: form, explode: false` array parameters arrive as one comma-separated value
// (`filterBy=name==a,phase==Running`); the JSON Schema says `array`, so split them before validation.
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { operation, type ContractParameter } from './contract.ts';

export type QueryPreValidation = (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => void;

export interface DelimitedParameter {
  readonly name: string;
  /** The items' pattern: a piece that does not match it continues the previous value (a comma in a value). */
  readonly itemPattern: RegExp | undefined;
}

/**
 * Splits one comma-separated value into the array's items. A piece that does not start a valid item is
 * glued back onto the previous one, so `name=@a,b` stays one filter. An empty value is an empty list.
 */
export function splitDelimited(value: string, itemPattern?: RegExp): string[] {
  if (value === '') return [];
  const items: string[] = [];
  for (const piece of value.split(',')) {
    const last = items.length - 1;
    if (last >= 0 && itemPattern !== undefined && !itemPattern.test(piece))
      items[last] = `${items[last] ?? ''},${piece}`;
    else items.push(piece);
  }
  return items;
}

/** The operation's `explode: false` array query parameters. */
export function delimitedQueryParameters(operationId: string): readonly ContractParameter[] {
  return operation(operationId).parameters.filter((p) => p.in === 'query' && !p.explode && isArraySchema(p.schema));
}

/** Splits the query's comma-separated arrays in place; repeated parameters (`a=1&a=2`) are split too. */
export function splitDelimitedQuery(query: Record<string, unknown>, params: readonly DelimitedParameter[]): void {
  for (const { name, itemPattern } of params) {
    const value = query[name];
    if (typeof value === 'string') query[name] = splitDelimited(value, itemPattern);
    else if (Array.isArray(value))
      query[name] = value.flatMap((v: unknown) => (typeof v === 'string' ? splitDelimited(v, itemPattern) : [v]));
  }
}

/** A fastify `preValidation` hook for the operation, or undefined when it has no delimited arrays. */
export function delimitedQueryHook(operationId: string): QueryPreValidation | undefined {
  const params: DelimitedParameter[] = delimitedQueryParameters(operationId).map((p) => ({
    name: p.name,
    itemPattern: itemPatternOf(p),
  }));
  if (params.length === 0) return undefined;
  return (request, _reply, done) => {
    const query = request.query;
    if (typeof query === 'object' && query !== null) splitDelimitedQuery(query as Record<string, unknown>, params);
    done();
  };
}

function isArraySchema(schema: unknown): boolean {
  if (typeof schema !== 'object' || schema === null) return false;
  const type = (schema as { type?: unknown }).type;
  return type === 'array' || (Array.isArray(type) && type.includes('array'));
}

function itemPatternOf(p: ContractParameter): RegExp | undefined {
  const items = typeof p.schema === 'object' ? p.schema.items : undefined;
  const pattern = typeof items === 'object' && items !== null ? (items as { pattern?: unknown }).pattern : undefined;
  return typeof pattern === 'string' ? new RegExp(pattern, 'u') : undefined;
}
