// A real fastify server for the API tests: contract, error handlers and (optionally) auth installed the way
// the lwsim server will, listening on 127.0.0.1 on a free port.
import Fastify, { type FastifyInstance } from 'fastify';
import { installAuth, type AuthOptions } from '../../../src/api/auth.ts';
import { installContract } from '../../../src/contract/fastify-contract.ts';
import { installErrorHandlers } from '../../../src/api/errors.ts';
import { apiServerOptions } from '../../../src/api/server-options.ts';

export interface TestServer {
  readonly app: FastifyInstance;
  readonly url: string;
  close(): Promise<void>;
}

export interface TestServerOptions {
  readonly auth?: AuthOptions;
  readonly bodyLimit?: number;
  /** Adds routes before the server starts. */
  readonly routes: (app: FastifyInstance) => void;
}

export async function startServer(options: TestServerOptions): Promise<TestServer> {
  const app = Fastify({ ...apiServerOptions(), logger: false, bodyLimit: options.bodyLimit ?? 1_048_576 });
  installContract(app);
  installErrorHandlers(app);
  if (options.auth !== undefined) installAuth(app, options.auth);
  options.routes(app);
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, url: address, close: () => app.close() };
}

export interface JsonResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly body: unknown;
}

/** fetch that also parses the JSON body (body is undefined when the text is not JSON). */
export async function request(url: string, init: RequestInit = {}): Promise<JsonResponse> {
  const response = await fetch(url, init);
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, headers: response.headers, text, body };
}
