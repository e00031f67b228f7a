/** What-if over HTTP: the answer comes from a fork; the live cluster, its journal and its clock stay untouched. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { creation, startLwsim, type LwsimServer } from './lwsim-server.ts';

let server: LwsimServer;
beforeEach(async () => void (server = await startLwsim()));
afterEach(async () => server.close());

const DI = '/api/v1/workloads/distributed-inferences';
const journal = () => readFileSync(join(server.dataDir, 'journal.jsonl'), 'utf8');
const live = async () => ({
  clock: (await server.call('GET', '/sim/v1/clock')).body,
  workloads: (await server.call('GET', '/api/v1/workloads?sortBy=name')).body.workloads.map(
    (w: { name: string; phase: string }) => [w.name, w.phase],
  ),
  cluster: (await server.call('GET', '/sim/v1/cluster')).body.nodePools,
  journal: journal(),
});

describe('POST /sim/v1/what-if', () => {
  it('answers where and when a workload would run, and leaves the live cluster as it was', async () => {
    await server.call('POST', DI, creation('existing', { workers: 0, gpus: 4, projectId: '102' }));
    await server.advance(600);
    const before = await live();
    const r = await server.call('POST', '/sim/v1/what-if', { request: creation('candidate'), horizonSeconds: 1800 });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      name: 'candidate',
      schedulable: true,
      phase: 'Running',
      timeToScheduledSeconds: 1,
      pendingReason: null,
      preempted: [],
    });
    expect(r.body.timeToRunningSeconds).toBeGreaterThan(1);
    expect(r.body.timeToRunningSeconds).toBeLessThanOrEqual(1800);
    expect(r.body.pods.map((p: { name: string }) => p.name)).toEqual(['candidate-0', 'candidate-0-1']);
    expect(
      r.body.pods.every((p: { nodePool: string; gpus: number[] }) => p.nodePool === 'h100' && p.gpus.length === 8),
    ).toBe(true);
    expect(r.body.allocationAfter.nodePools.find((p: { pool: string }) => p.pool === 'h100').allocatedGpus).toBe(20);
    expect(await live()).toEqual(before);
    // The same name is still free for real.
    expect((await server.call('POST', DI, creation('candidate'))).status).toBe(202);
  });

  it('says why a workload would not run', async () => {
    const r = await server.call('POST', '/sim/v1/what-if', {
      request: creation('too-big', { replicas: 2 }),
      horizonSeconds: 600,
    });
    expect(r.status).toBe(200);
    expect(r.body.schedulable).toBe(false);
    expect(r.body.phase).toBe('Degraded');
    expect(r.body.pendingReason.code).toBe('NonPreemptibleOverQuota');
    expect(r.body.pendingReason.message).toContain('project serving quota is 16 GPUs');
  });

  it('names the workloads it would preempt', async () => {
    for (const name of ['low-a', 'low-b']) {
      expect((await server.call('POST', DI, creation(name, { spec: { priorityClass: 'low' } }))).status).toBe(202);
    }
    await server.advance(600);
    const before = await live();
    const r = await server.call('POST', '/sim/v1/what-if', {
      request: creation('urgent', { spec: { priorityClass: 'very-high' } }),
      horizonSeconds: 900,
    });
    expect(r.status).toBe(200);
    expect(r.body.schedulable).toBe(true);
    expect(r.body.preempted).toEqual([
      expect.objectContaining({ name: 'low-b', project: 'serving', action: 'preempt' }),
    ]);
    expect(await live()).toEqual(before);
  });

  it('validates like the real POST', async () => {
    const before = await live();
    expect(
      (await server.call('POST', '/sim/v1/what-if', { request: { ...creation('x'), clusterId: 'nope' } })).status,
    ).toBe(400);
    expect(
      (
        await server.call(
          'POST',
          '/sim/v1/what-if',
          { request: creation('x', { projectId: '103' }) },
          'test-chat-token-000000000',
        )
      ).status,
    ).toBe(200);
    expect(
      (await server.call('POST', '/sim/v1/what-if', { request: creation('x') }, 'test-chat-token-000000000')).status,
    ).toBe(403);
    expect((await server.call('POST', '/sim/v1/what-if', { request: creation('x'), horizonSeconds: -1 })).status).toBe(
      400,
    );
    expect((await server.call('POST', '/sim/v1/what-if', { request: creation('x') }, null)).status).toBe(401);
    expect((await server.call('POST', '/sim/v1/what-if', { horizonSeconds: 5 })).body.message).toMatch(/request/);
    expect(await live()).toEqual(before);
  });
});
