// JSON request bodies parsed by fastify's own parser (its limits, errors and prototype-poisoning checks), with
// the text kept on the request: a creation is journaled and kept as the client sent it instead of encoded again.
import type { FastifyInstance, FastifyRequest } from 'fastify';

const JSON_TEXT = Symbol('lwsim.jsonText');
type WithJsonText = { [JSON_TEXT]?: string | null };

/** Replaces the instance's `application/json` parser by fastify's default one that also keeps the body's text. */
export function installJsonBodyText(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser(
    app.initialConfig.onProtoPoisoning ?? 'error',
    app.initialConfig.onConstructorPoisoning ?? 'error',
  );
  app.decorateRequest(JSON_TEXT, null);
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    (request as WithJsonText)[JSON_TEXT] = body as string;
    parse(request, body as string, done);
  });
}

/** The text of a request's JSON body as received, if it had one. */
export function jsonBodyText(request: FastifyRequest): string | undefined {
  return (request as WithJsonText)[JSON_TEXT] ?? undefined;
}
