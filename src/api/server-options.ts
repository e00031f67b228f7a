// The fastify constructor options the contract API needs; the server spreads them into `Fastify({...})`.
import type { ServerOptions } from 'node:http';
import type { FastifyServerOptions } from 'fastify';
import { CONTRACT_SERIALIZER_OPTIONS } from '../contract/fastify-contract.ts';
import { clientErrors, frameworkErrors } from './errors.ts';

export type ApiServerOptions = Pick<
  FastifyServerOptions,
  'serializerOpts' | 'frameworkErrors' | 'clientErrorHandler' | 'requestTimeout'
> & { readonly http: ServerOptions };

/** How long a client may take to send a whole request (headers and body) by default. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/**
 * `Fastify({ ...apiServerOptions(), logger })`: pre-routing and connection errors in the error body, quiet
 * serializers, and a time limit on receiving each request (fastify's default is none: a body that drips one byte
 * at a time would hold its connection forever), checked often enough to be kept.
 */
export function apiServerOptions(requestTimeoutMs = DEFAULT_REQUEST_TIMEOUT_MS): ApiServerOptions {
  return {
    serializerOpts: { ...CONTRACT_SERIALIZER_OPTIONS },
    frameworkErrors,
    clientErrorHandler: clientErrors,
    requestTimeout: requestTimeoutMs,
    // Node arms the check only for a timeout given at construction: fastify's own setting comes too late.
    http: {
      requestTimeout: requestTimeoutMs,
      connectionsCheckingInterval: Math.max(100, Math.min(1_000, Math.floor(requestTimeoutMs / 4))),
    },
  };
}
