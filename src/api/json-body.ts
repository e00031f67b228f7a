// JSON request bodies parsed by fastify's own parser (its limits, errors and prototype-poisoning checks), with
// the text kept on the request: a creation is journaled and kept as the client sent it instead of encoded again.
// What is kept must replay: a byte-order mark is dropped, and a value nested deeper than any contract body needs
// is refused (encoding it again would overflow the stack).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { apiError } from './errors.ts';

const JSON_TEXT = Symbol('lwsim.jsonText');
type WithJsonText = { [JSON_TEXT]?: string | null };

/** The deepest nesting a body may have; the contract's own bodies go 6 levels deep. */
export const MAX_BODY_DEPTH = 32;

/** Replaces the instance's `application/json` parser by fastify's default one that also keeps the body's text. */
export function installJsonBodyText(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser(
    app.initialConfig.onProtoPoisoning ?? 'error',
    app.initialConfig.onConstructorPoisoning ?? 'error',
  );
  app.decorateRequest(JSON_TEXT, null);
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    // Every leading mark: fastify's parser drops one itself, and a second one kept would make the text unreadable.
    let text = body as string;
    while (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    // A bodiless request (DELETE, GET, suspend) that still says `Content-Type: application/json`, as generated
    // clients do, is a request without a body, not a malformed one.
    if (text === '') return done(null, undefined);
    (request as WithJsonText)[JSON_TEXT] = text;
    parse(request, text, (error, value) => {
      if (error) return done(error, undefined);
      const tooDeep = pathDeeperThan(value, MAX_BODY_DEPTH);
      if (tooDeep !== undefined)
        return done(apiError('badRequest', `${tooDeep}: nested more than ${MAX_BODY_DEPTH} levels deep`), undefined);
      done(null, value);
    });
  });
}

/** The text of a request's JSON body as received, if it had one. */
export function jsonBodyText(request: FastifyRequest): string | undefined {
  return (request as WithJsonText)[JSON_TEXT] ?? undefined;
}

/**
 * Where `value` first nests deeper than `limit` objects and arrays, as `body.a.b[2]…` (the first few steps:
 * enough to find the field), or undefined. Iterative: the value may be far deeper than the stack. Every request
 * body passes here, so the first walk keeps no paths; only a refused body is walked again for its path.
 */
export function pathDeeperThan(value: unknown, limit: number): string | undefined {
  return nestsDeeperThan(value, limit) ? firstPathDeeperThan(value, limit) : undefined;
}

function nestsDeeperThan(value: unknown, limit: number): boolean {
  const values: unknown[] = [value];
  const depths: number[] = [0];
  while (values.length > 0) {
    const item = values.pop();
    const depth = depths.pop()!;
    if (typeof item !== 'object' || item === null) continue;
    if (depth >= limit) return true;
    // for-in (a parsed body has no inherited keys): no array of the values per object.
    const children = Array.isArray(item) ? item : (item as Record<string, unknown>);
    for (const key in children) {
      values.push((children as Record<string, unknown>)[key]);
      depths.push(depth + 1);
    }
  }
  return false;
}

function firstPathDeeperThan(value: unknown, limit: number): string | undefined {
  const stack: { value: unknown; path: readonly string[] }[] = [{ value, path: [] }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    if (typeof item.value !== 'object' || item.value === null) continue;
    if (item.path.length >= limit) return `body${item.path.slice(0, 4).join('')}${item.path.length > 4 ? '…' : ''}`;
    const entries = Array.isArray(item.value)
      ? item.value.map((v, i) => [`[${i}]`, v] as const)
      : Object.entries(item.value).map(([k, v]) => [`.${k}`, v] as const);
    for (const [step, child] of entries) stack.push({ value: child, path: [...item.path, step] });
  }
  return undefined;
}
