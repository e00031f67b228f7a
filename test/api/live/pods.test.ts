/** GET /api/v1/workloads/pods and /count: the pods of every workload the caller may see. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT, TOKENS, creation, expectContract, startLwsim, type LwsimServer } from './lwsim-server.ts';

const DI = '/api/v1/workloads/distributed-inferences';
let server: LwsimServer;
let serving = '';
beforeAll(async () => {
  server = await startLwsim();
  serving = (await server.call('POST', DI, creation('two-groups', { replicas: 2, workers: 1, gpus: 1 }))).body
    .workloadId;
  await server.call('POST', DI, creation('chat-one', { projectId: PROJECT.chat, replicas: 1, workers: 2, gpus: 1 }));
  await server.advance(120);
});
afterAll(async () => server.close());

describe('GET /api/v1/workloads/pods', () => {
  it('lists the pods of every visible workload, valid against the contract', async () => {
    const r = await server.call('GET', '/api/v1/workloads/pods');
    expect(r.status).toBe(200);
    expectContract('list_pods', 200, r.body);
    expect(r.body.pods).toHaveLength(7);
    const chat = await server.call('GET', '/api/v1/workloads/pods', undefined, TOKENS.chat);
    expect(chat.body.pods).toHaveLength(3);
    expect((await server.call('GET', '/api/v1/workloads/pods/count', undefined, TOKENS.chat)).body).toEqual({
      count: 3,
    });
  });

  it.each([
    ['filterBy=workloadId==SERVING', 4],
    ['search=chat-one', 3],
    ['limit=5', 5],
    ['deleted=true', 0],
  ])('?%s', async (query, count) => {
    const r = await server.call('GET', `/api/v1/workloads/pods?${query.replace('SERVING', serving)}`);
    expect(r.status).toBe(200);
    expect(r.body.pods).toHaveLength(count);
  });

  it('pages with next, sorts, and refuses a bad filter naming it', async () => {
    const first = await server.call('GET', '/api/v1/workloads/pods?limit=5&sortBy=workloadId');
    expect(first.body.next).toBe(5);
    const rest = await server.call('GET', '/api/v1/workloads/pods?offset=5&limit=5&sortBy=workloadId');
    expect(rest.body.pods).toHaveLength(2);
    expect(rest.body.next).toBeUndefined();
    const bad = await server.call('GET', '/api/v1/workloads/pods?filterBy=colour==red');
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/filterBy/);
    expect((await server.call('GET', '/api/v1/workloads/pods', undefined, null)).status).toBe(401);
  });
});
