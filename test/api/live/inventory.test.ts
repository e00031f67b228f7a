/** The inventory as Run:ai lists it: nodes (of the tenant and of the cluster) and node pools. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLUSTER_ID, TOKENS, expectContract, startLwsim, type LwsimServer } from './lwsim-server.ts';

let server: LwsimServer;
beforeAll(async () => {
  server = await startLwsim();
});
afterAll(async () => server.close());

const names = (items: { name: string }[]) => items.map((i) => i.name);

describe('nodes', () => {
  it('lists every node with its pool, GPUs, taints and readiness, valid against the contract', async () => {
    const r = await server.call('GET', '/api/v1/nodes');
    expect(r.status).toBe(200);
    expectContract('get_tenant_nodes', 200, r.body);
    expect(r.body.nodes).toHaveLength(6);
    const l40s = r.body.nodes.find((n: { nodePool: string }) => n.nodePool === 'l40s');
    expect(l40s).toMatchObject({
      status: 'Ready',
      gpuInfo: { gpuType: 'L40S-48GB', gpuCount: 4 },
      taints: [{ key: 'dedicated', value: 'inference', effect: 'NoSchedule' }],
      clusterUuid: CLUSTER_ID,
    });
    // A chat user sees the inventory too.
    expect((await server.call('GET', '/api/v1/nodes/count', undefined, TOKENS.chat)).body).toEqual({ count: 6 });
  });

  it.each([
    ['filterBy=nodePool==l40s', 2],
    ['filterBy=gpuType=@h100', 4],
    ['search=l40s', 2],
    ['limit=3', 3],
  ])('GET /api/v1/nodes?%s', async (query, count) => {
    const r = await server.call('GET', `/api/v1/nodes?${query}`);
    expect(r.status).toBe(200);
    expect(r.body.nodes).toHaveLength(count);
  });

  it("shows a node down as NotReady, and lists the cluster's nodes by name", async () => {
    const [first] = (await server.call('GET', '/api/v1/nodes?sortBy=name')).body.nodes;
    expect((await server.call('POST', '/sim/v1/faults', { node: first.name, ready: false }, TOKENS.admin)).status).toBe(
      202,
    );
    const r = await server.call('GET', `/api/v1/clusters/${CLUSTER_ID}/nodes?nodeName=${first.name}`);
    expectContract('get_nodes', 200, r.body);
    expect(r.body.nodes.map((n: { name: string; status: string }) => [n.name, n.status])).toEqual([
      [first.name, 'NotReady'],
    ]);
    expect((await server.call('GET', '/api/v1/nodes/count?filterBy=status==NotReady')).body).toEqual({ count: 1 });
    expect((await server.call('POST', '/sim/v1/faults', { node: first.name, ready: true }, TOKENS.admin)).status).toBe(
      202,
    );
  });

  it('answers 404 for another cluster, 400 for a bad filter, 401 without a token', async () => {
    expect((await server.call('GET', '/api/v1/clusters/11111111-1111-4111-8111-111111111111/nodes')).status).toBe(404);
    const bad = await server.call('GET', '/api/v1/nodes?filterBy=colour==red');
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/filterBy/);
    expect((await server.call('GET', '/api/v1/nodes', undefined, null)).status).toBe(401);
  });
});

describe('node pools', () => {
  it('lists, counts and finds the pools, numbered in cluster-file order', async () => {
    const r = await server.call('GET', '/api/v1/node-pools');
    expect(r.status).toBe(200);
    expectContract('get_nodepools', 200, r.body);
    expect(
      r.body.nodepools.map((p: { id: string; name: string; isDefault: boolean }) => [p.id, p.name, p.isDefault]),
    ).toEqual([
      ['1', 'h100', true],
      ['2', 'l40s', false],
    ]);
    expect((await server.call('GET', '/api/v1/node-pools/count?filterBy=name==l40s')).body).toEqual({ count: 1 });
    const one = await server.call('GET', '/api/v1/node-pools/2');
    expectContract('get_nodepool', 200, one.body);
    expect(one.body).toMatchObject({ name: 'l40s', phase: 'Ready', placementStrategy: { gpu: 'spread' } });
    expect(names((await server.call('GET', '/api/v1/node-pools?sortBy=name&sortOrder=desc')).body.nodepools)).toEqual([
      'l40s',
      'h100',
    ]);
    expect((await server.call('GET', '/api/v1/node-pools/9')).status).toBe(404);
  });
});
