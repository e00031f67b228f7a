import { availableParallelism } from 'node:os';
import Fastify, { type FastifyInstance } from 'fastify';
import type { ModelSize } from '../../sim/perf/presets.ts';
import { DEFAULT_SERVING_MODEL_SIZE } from '../completions/model-choice.ts';
import { installContract } from '../contract/fastify-contract.ts';
import type { LiveCluster } from '../runtime/live-cluster.ts';
import { installAuth, type ApiUser } from './auth.ts';
import { ApiContext } from './context.ts';
import { installErrorHandlers } from './errors.ts';
import { installJsonBodyText } from './json-body.ts';
import { methodNotAllowed } from './method-not-allowed.ts';
import { serverOpenApiDocument } from './openapi-document.ts';
import { distributedInferenceRoutes } from './routes/distributed-inferences.ts';
import { capacityRoutes } from './routes/capacity.ts';
import { completionRoutes, SERVING_PREFIX } from './routes/completions.ts';
import { simulatorRoutes } from './routes/simulator.ts';
import { whatIfRoutes } from './routes/what-if.ts';
import { servingMetricsRoutes } from './routes/serving-metrics.ts';
import { workloadRoutes } from './routes/workloads.ts';
import { orgUnitRoutes } from './routes/org-units.ts';
import { inventoryRoutes } from './routes/inventory.ts';
import { trainingRoutes } from './routes/trainings.ts';
import { prometheusRoutes } from './routes/prometheus.ts';
import { workloadTelemetryRoutes } from './routes/workload-telemetry.ts';
import { orgMetricsRoutes } from './routes/org-metrics.ts';
import { podRoutes } from './routes/pods.ts';
import { manifestRoutes } from './routes/manifest.ts';
import { TOKEN_ROUTE, tokenRoutes } from './routes/tokens.ts';
import type { AccessTokens } from './access-tokens.ts';
import { apiServerOptions } from './server-options.ts';

export interface ServerOptions {
  readonly live: LiveCluster;
  readonly users: readonly ApiUser[];
  /** An extra admin token (`LWSIM_TOKEN`). */
  readonly adminToken?: string | undefined;
  /** Pool threads per serving engine (`--kernel-threads`); default: the machine's available parallelism. */
  readonly kernelThreads?: number | undefined;
  /** Model size of workloads without a `lwsim.io/model-size` annotation; default tiny. */
  readonly modelSize?: ModelSize | undefined;
  /** Access tokens for applications (POST /api/v1/token); without them the route answers 404. */
  readonly accessTokens?: AccessTokens | undefined;
  /** How long a client may take to send a whole request; default DEFAULT_REQUEST_TIMEOUT_MS. */
  readonly requestTimeoutMs?: number | undefined;
}

/**
 * The composition root: one fastify instance, the contract's schemas and validators, the error catalogue, bearer
 * auth, then one module per API surface.
 */
export function buildServer(options: ServerOptions): FastifyInstance {
  const app = Fastify({ ...apiServerOptions(options.requestTimeoutMs), logger: false, bodyLimit: 1 << 20 });
  installErrorHandlers(app);
  installContract(app);
  installJsonBodyText(app);
  const answerOtherMethods = methodNotAllowed(app);
  // Serving endpoints check each workload's servingPort access themselves. Matched on the registered route, so
  // no raw-URL trick makes another route public; unknown /serving paths still answer 401 before 404.
  const authenticator = installAuth(app, {
    users: options.users,
    adminToken: options.adminToken,
    accessTokens: options.accessTokens,
    publicRoutes: ['/sim/v1/openapi.json', TOKEN_ROUTE],
    isPublic: (request) => request.routeOptions.url?.startsWith(SERVING_PREFIX) === true,
  });
  let origin = 'http://127.0.0.1';
  const ctx = new ApiContext(options.live, () => origin);
  distributedInferenceRoutes(app, ctx);
  orgUnitRoutes(app, ctx);
  inventoryRoutes(app, ctx);
  podRoutes(app, ctx);
  workloadTelemetryRoutes(app, ctx);
  trainingRoutes(app, ctx);
  orgMetricsRoutes(app, ctx);
  if (options.accessTokens !== undefined) tokenRoutes(app, options.accessTokens);
  workloadRoutes(app, ctx);
  simulatorRoutes(app, ctx);
  whatIfRoutes(app, ctx);
  capacityRoutes(app, ctx);
  servingMetricsRoutes(app, ctx);
  prometheusRoutes(app, ctx);
  manifestRoutes(app, ctx);
  completionRoutes(app, ctx, {
    authenticator,
    kernelThreads: options.kernelThreads ?? availableParallelism(),
    modelSize: options.modelSize ?? DEFAULT_SERVING_MODEL_SIZE,
  });
  // Half a megabyte that never changes: serialized once.
  const document = JSON.stringify(serverOpenApiDocument());
  app.get('/sim/v1/openapi.json', async (_request, reply) =>
    reply.type('application/json; charset=utf-8').send(document),
  );
  answerOtherMethods();
  // URLs handed out (serving endpoints) name the address the server really listens on.
  app.addHook('onListen', async () => {
    const address = app.server.address();
    if (address !== null && typeof address === 'object')
      origin = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  });
  return app;
}
