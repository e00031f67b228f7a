/** `lwsim serve` with a pool an FGD policy places: workloads land, and the cluster view reports FGD's ratio. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { creation, startLwsim, TEST_CLUSTER, type LwsimServer } from './lwsim-server.ts';

let server: LwsimServer;
beforeAll(async () => {
  const nodePools = TEST_CLUSTER.nodePools.map((p) => (p.name === 'h100' ? { ...p, placement: 'fgd' as const } : p));
  server = await startLwsim({ cluster: { ...TEST_CLUSTER, nodePools } });
});
afterAll(async () => server.close());

describe('a pool with placement: fgd', () => {
  it('places workloads and reports the FGD fragmentation ratio beside lwsim’s own', async () => {
    const created = await server.call(
      'POST',
      '/api/v1/workloads/distributed-inferences',
      creation('frag', { workers: 1, gpus: 3 }),
    );
    expect(created.status).toBe(202);
    await server.advance(1);
    const { body } = await server.call('GET', '/sim/v1/cluster');
    const [h100, l40s] = body.nodePools;
    expect(h100).toMatchObject({ pool: 'h100', placement: 'fgd', allocatedGpus: 6 });
    // Typical pod: 3 GPUs (and 4 cores). Two nodes with 5 free GPUs and two empty ones: no idle GPU is stranded.
    expect(h100.fgdFragmentation).toBe(0);
    expect(l40s).not.toHaveProperty('fgdFragmentation');
  });
});
