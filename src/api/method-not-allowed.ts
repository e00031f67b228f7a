// Every route answers every method: a method a path does not have is a 405 naming the ones it does (with the
// `Allow` header), not a 404 that would say the path does not exist.
import type { FastifyInstance, HTTPMethods } from 'fastify';
import { apiError } from './errors.ts';

const METHODS: readonly HTTPMethods[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/**
 * Call before the routes are registered; the returned function, after them, adds the 405 answers. Routes
 * registered later get none.
 */
export function methodNotAllowed(app: FastifyInstance): () => void {
  const methodsOf = new Map<string, Set<string>>();
  let installed = false;
  app.addHook('onRoute', (route) => {
    if (installed) return;
    const methods = methodsOf.get(route.url) ?? new Set<string>();
    for (const method of [route.method].flat()) methods.add(method.toUpperCase());
    methodsOf.set(route.url, methods);
  });
  return () => {
    installed = true;
    for (const [url, methods] of methodsOf) {
      const missing = METHODS.filter((m) => !methods.has(m));
      if (missing.length === 0) continue;
      const allow = METHODS.filter((m) => methods.has(m)).join(', ');
      app.route({
        method: missing,
        url,
        handler: async (request) => {
          throw apiError(
            'methodNotAllowed',
            `${request.method} is not allowed on ${url}; it allows ${allow}`,
            undefined,
            {
              headers: { allow },
            },
          );
        },
      });
    }
  };
}
