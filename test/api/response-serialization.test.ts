import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractAjv, validatorFor } from '../../src/contract/ajv.ts';
import { responseSchema } from '../../src/contract/contract.ts';
import { contractRoute, routeSchema } from '../../src/contract/fastify-contract.ts';
import { distributedInference, pod, workload, WORKLOAD_ID } from './support/fixtures.ts';
import { request, startServer, type TestServer } from './support/server.ts';

const DI = '/api/v1/workloads/distributed-inferences';

/** Reply bodies per operation; `internalNote` is not in the contract and must never reach the client. */
const replies: Record<string, () => unknown> = {
  get_distributed_inference: () => ({ ...distributedInference(), internalNote: 'scheduler shard 3' }),
  delete_distributed_inference: () => ({ code: 202, message: 'Accepted', internalNote: 'x' }),
  get_workloads: () => ({
    next: 1,
    workloads: [workload(), { ...workload(), phase: 'Pending', phaseReason: 'OverLimit' }],
  }),
  get_workload: () => ({
    ...workload(),
    internalNote: 'x',
    pendingSchedulingMessages: [
      {
        nodePool: 'h100-pool',
        phaseReason: 'NonPreemptibleOverQuota',
        reason: 'over quota',
        orgType: null,
        userMessage: null,
      },
    ],
  }),
  count_workloads: () => ({ count: 2 }),
  get_workload_pods: () => ({ pods: [pod()] }),
};

/**
 * What the client should receive: the reply minus fields outside the contract, plus the contract's defaults
 * for absent fields (fast-json-stringify writes a property's `default` when the value is missing, which
 * matches what request validation stores).
 */
function expectedBody(operationId: string, status: number, value: unknown): unknown {
  const copy = structuredClone(value) as Record<string, unknown>;
  delete copy.internalNote;
  const fill = contractAjv('body').compile(responseSchema(operationId, status)!);
  expect(fill(copy)).toBe(true);
  return copy;
}

describe('replies serialized with the contract response schemas', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({
      routes: (app) => {
        for (const [operationId, reply] of Object.entries(replies)) {
          const status = operationId === 'delete_distributed_inference' ? 202 : 200;
          app.route(contractRoute(operationId, async (_req, res) => res.code(status).send(reply())));
        }
        app.route(
          contractRoute('update_distributed_inference_spec', async (_req, res) =>
            res.code(202).send({
              ...distributedInference(),
              spec: { replicas: 3, leader: null, worker: null, servingPort: null },
            }),
          ),
        );
      },
    });
  });
  afterAll(() => server.close());

  it.each([
    ['get_distributed_inference', `${DI}/${WORKLOAD_ID}`, 200],
    ['delete_distributed_inference', `${DI}/${WORKLOAD_ID}`, 202],
    ['get_workloads', '/api/v1/workloads', 200],
    ['get_workload', `/api/v1/workloads/${WORKLOAD_ID}`, 200],
    ['count_workloads', '/api/v1/workloads/count', 200],
    ['get_workload_pods', `/api/v1/workloads/${WORKLOAD_ID}/pods`, 200],
  ] as const)(
    '%s: round-trips every contract field, drops the rest, and matches the schema',
    async (operationId, path, status) => {
      const method = operationId === 'delete_distributed_inference' ? 'DELETE' : 'GET';
      const res = await request(`${server.url}${path}`, { method });
      expect(res.status).toBe(status);
      expect(res.body).toEqual(expectedBody(operationId, status, replies[operationId]!()));
      const validate = validatorFor(responseSchema(operationId, status)!);
      expect(validate(res.body), JSON.stringify(validate.errors)).toBe(true);
    },
  );

  it('writes null for nullable composed fields (leader, worker, servingPort), and defaults for absent ones', async () => {
    const res = await request(`${server.url}${DI}/${WORKLOAD_ID}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: '{"spec":{"replicas":3}}',
    });
    expect(res.status).toBe(202);
    expect((res.body as { spec: unknown }).spec).toEqual({
      replicas: 3,
      leader: null,
      worker: null,
      servingPort: null,
      restartPolicy: 'RecreateGroupOnPodRestart',
      startupPolicy: 'LeaderCreated',
      workers: 0,
    });
    expect(validatorFor('DistributedInference')(res.body)).toBe(true);
  });

  it('can leave response schemas off a route', () => {
    expect(routeSchema('get_workloads', { responses: false }).response).toBeUndefined();
    expect(Object.keys(routeSchema('get_workloads').response ?? {})).toEqual(['200', '401', '403', '500', '503']);
  });
});
