import Fastify, { type FastifyInstance } from 'fastify';
import type { LiveCluster } from '../runtime/live-cluster.ts';
import { installAuth, type ApiUser } from './auth.ts';
import { ApiContext } from './context.ts';
import { installContract } from './contract/fastify-contract.ts';
import { installErrorHandlers } from './errors.ts';
import { serverOpenApiDocument } from './openapi-document.ts';
import { Organisation } from './organisation.ts';
import { distributedInferenceRoutes } from './routes/distributed-inferences.ts';
import { simulatorRoutes } from './routes/simulator.ts';
import { workloadRoutes } from './routes/workloads.ts';
import { apiServerOptions } from './server-options.ts';

export interface ServerOptions {
  readonly live: LiveCluster;
  readonly users: readonly ApiUser[];
  /** An extra admin token (`LWSIM_TOKEN`). */
  readonly adminToken?: string | undefined;
}

/**
 * The composition root: one fastify instance, the contract's schemas and validators, the error catalogue, bearer
 * auth, then one module per API surface.
 */
export function buildServer(options: ServerOptions): FastifyInstance {
  const app = Fastify({ ...apiServerOptions(), logger: false, bodyLimit: 1 << 20 });
  installErrorHandlers(app);
  installContract(app);
  installAuth(app, { users: options.users, adminToken: options.adminToken, publicRoutes: ['/sim/v1/openapi.json'] });
  let origin = 'http://127.0.0.1';
  const organisation = new Organisation(options.live.model.spec.departments);
  const ctx = new ApiContext(options.live, organisation, () => origin);
  distributedInferenceRoutes(app, ctx);
  workloadRoutes(app, ctx);
  simulatorRoutes(app, ctx);
  const document = serverOpenApiDocument();
  app.get('/sim/v1/openapi.json', async () => document);
  // URLs handed out (serving endpoints) name the address the server really listens on.
  app.addHook('onListen', async () => {
    const address = app.server.address();
    if (address !== null && typeof address === 'object') origin = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  });
  return app;
}
