/** The simulator's own surfaces: cluster view, clock, event stream, and a running (non-manual) clock. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKENS, creation, startLwsim, type LwsimServer } from './lwsim-server.ts';

let server: LwsimServer;
beforeAll(async () => void (server = await startLwsim()));
afterAll(async () => server.close());

describe('/sim/v1', () => {
  it('describes the cluster: pools, nodes, departments and projects with ids, quotas and allocation', async () => {
    await server.call('POST', '/api/v1/workloads/distributed-inferences', creation('one', { workers: 0, gpus: 4 }));
    await server.advance(1);
    const r = await server.call('GET', '/sim/v1/cluster');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ clusterId: server.live.model.spec.id, name: 'test', topologyLevels: ['rack'] });
    expect(r.body.nodePools).toEqual([
      expect.objectContaining({ pool: 'h100', capacityGpus: 32, allocatedGpus: 4, placement: 'binpack', nodes: 4 }),
      expect.objectContaining({ pool: 'l40s', capacityGpus: 8, allocatedGpus: 0, placement: 'spread', nodes: 2 }),
    ]);
    expect(r.body.nodes).toHaveLength(6);
    expect(r.body.nodes.filter((n: { allocatedGpus: number }) => n.allocatedGpus === 4)).toHaveLength(1);
    expect(r.body.projects.map((p: { id: string; name: string }) => `${p.id}:${p.name}`)).toEqual([
      '101:serving',
      '102:training',
      '103:chat',
    ]);
    expect(r.body.projects[0].quotas.h100).toMatchObject({ deserved: 16, allocated: 4 });
    expect(r.body.departments[0]).toMatchObject({ id: '1', name: 'research', projectIds: ['101', '102'] });
  });

  it('tells the clock and moves a manual one', async () => {
    const before = (await server.call('GET', '/sim/v1/clock')).body;
    expect(before).toMatchObject({ timeScale: 0, manual: true });
    const after = await server.call('POST', '/sim/v1/clock/advance', { seconds: 90 }, TOKENS.admin);
    expect(after.body.simulatedSeconds).toBe(before.simulatedSeconds + 90);
    expect(Date.parse(after.body.now) - Date.parse(before.now)).toBe(90_000);
  });

  it('streams what happens as Server-Sent Events', async () => {
    const controller = new AbortController();
    const response = await fetch(`${server.url}/sim/v1/events`, {
      headers: { authorization: `Bearer ${TOKENS.dev}` },
      signal: controller.signal,
    });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reader = response.body!.getReader();
    const seen: string[] = [];
    const reading = (async () => {
      const decoder = new TextDecoder();
      let buffer = '';
      while (!seen.includes('workload-phase:Running')) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        const blocks = buffer.split('\n\n');
        buffer = blocks.pop()!; // the unfinished tail
        for (const block of blocks) {
          const event = /event: (.+)/.exec(block)?.[1];
          const data = /data: (.+)/.exec(block)?.[1];
          // Only this test's workload (others created earlier may still be starting).
          if (event === 'clock') seen.push(event);
          else if (event && JSON.parse(data!).name === 'streamed')
            seen.push(event === 'workload-phase' ? `${event}:${JSON.parse(data!).phase}` : event);
        }
      }
    })();
    await server.call(
      'POST',
      '/api/v1/workloads/distributed-inferences',
      creation('streamed', { workers: 0, gpus: 1 }),
    );
    await server.advance(1);
    await server.advance(900);
    await reading;
    controller.abort();
    expect(seen).toEqual(['clock', 'workload-created', 'workload-phase:Initializing', 'workload-phase:Running']);
  });
});

describe('a running clock', () => {
  it('follows the wall clock at the time scale and refuses manual advances (409)', async () => {
    const running = await startLwsim({ timeScale: 3600 });
    try {
      const a = (await running.call('GET', '/sim/v1/clock')).body;
      await new Promise((resolve) => setTimeout(resolve, 50));
      const b = (await running.call('GET', '/sim/v1/clock')).body;
      expect(b.simulatedSeconds - a.simulatedSeconds).toBeGreaterThanOrEqual(150);
      const refused = await running.call('POST', '/sim/v1/clock/advance', { seconds: 1 }, TOKENS.admin);
      expect(refused.status).toBe(409);
      expect(refused.body.message).toContain('--time-scale 0');
    } finally {
      await running.close();
    }
  });
});
