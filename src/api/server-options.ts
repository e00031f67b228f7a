// The fastify constructor options the contract API needs; the server spreads them into `Fastify({...})`.
import type { FastifyServerOptions } from 'fastify';
import { CONTRACT_SERIALIZER_OPTIONS } from '../contract/fastify-contract.ts';
import { frameworkErrors } from './errors.ts';

export type ApiServerOptions = Pick<FastifyServerOptions, 'serializerOpts' | 'frameworkErrors'>;

/** `Fastify({ ...apiServerOptions(), logger })`: pre-routing errors in the error body, quiet serializers. */
export function apiServerOptions(): ApiServerOptions {
  return { serializerOpts: { ...CONTRACT_SERIALIZER_OPTIONS }, frameworkErrors };
}
