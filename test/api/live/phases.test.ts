/** The life of a workload as a client sees it over the API, under a manual clock. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { creation, expectContract, startLwsim, type LwsimServer, TOKENS } from './lwsim-server.ts';

let server: LwsimServer;
beforeEach(async () => void (server = await startLwsim()));
afterEach(async () => server.close());

const DI = '/api/v1/workloads/distributed-inferences';
const phase = async (id: string) => (await server.call('GET', `${DI}/${id}`)).body.actualPhase as string;
const pods = async (id: string) =>
  (await server.call('GET', `/api/v1/workloads/${id}/pods`)).body.pods as {
    name: string;
    k8sPhase: string;
    nodeName: string | null;
    createdAt: string;
  }[];

describe('phases over the API', () => {
  it('Creating -> Initializing -> Running as the clock advances', async () => {
    const id = (await server.call('POST', DI, creation('llama'))).body.workloadId as string;
    expect(await phase(id)).toBe('Creating');
    await server.advance(1);
    expect(await phase(id)).toBe('Initializing');
    expect((await pods(id)).map((p) => p.k8sPhase)).toEqual(['Pending', 'Pending']);
    await server.advance(600);
    expect(await phase(id)).toBe('Running');
    const detail = await server.call('GET', `/api/v1/workloads/${id}`);
    expectContract('get_workload', 200, detail.body);
    expect(detail.body).toMatchObject({
      phase: 'Running',
      runningPods: 2,
      conditions: expect.arrayContaining([expect.objectContaining({ type: 'Ready', status: 'True' })]),
    });
  });

  it('Pending with the reason in phaseMessage and pendingSchedulingMessages when quota does not allow it', async () => {
    // Project serving deserves 16 H100: a second 16-GPU non-preemptible group is over quota.
    const id = (await server.call('POST', DI, creation('big', { replicas: 2 }))).body.workloadId as string;
    const other = (await server.call('POST', DI, creation('more'))).body.workloadId as string;
    await server.advance(600);
    expect(await phase(id)).toBe('Degraded');
    expect(await phase(other)).toBe('Pending');
    const detail = await server.call('GET', `/api/v1/workloads/${other}`);
    expectContract('get_workload', 200, detail.body);
    expect(detail.body.phaseMessage).toContain('Non-preemptible workload is over quota');
    expect(detail.body.phaseReason).toBe('NonPreemptibleOverQuota');
    expect(detail.body.pendingSchedulingMessages).toEqual([
      expect.objectContaining({
        nodePool: 'h100',
        phaseReason: 'NonPreemptibleOverQuota',
        orgType: 'PROJECT',
        reason: expect.stringContaining('project serving quota is 16 GPUs'),
      }),
      expect.objectContaining({ nodePool: 'l40s', phaseReason: 'NonPreemptibleOverQuota' }),
    ]);
  });

  it('scales up and down: Updating while it rolls out, highest group removed first, 0 keeps the workload', async () => {
    const id = (await server.call('POST', DI, creation('svc', { workers: 0, gpus: 4 }))).body.workloadId as string;
    await server.advance(600);
    expect((await server.call('PATCH', `${DI}/${id}`, { spec: { replicas: 3 } })).status).toBe(202);
    await server.advance(1);
    expect(await phase(id)).toBe('Updating');
    await server.advance(600);
    expect(await phase(id)).toBe('Running');
    expect((await pods(id)).map((p) => p.name)).toEqual(['svc-0', 'svc-1', 'svc-2']);
    await server.call('PATCH', `${DI}/${id}`, { spec: { replicas: 1 } });
    expect(await phase(id)).toBe('Updating');
    await server.advance(120);
    expect((await pods(id)).map((p) => p.name)).toEqual(['svc-0']);
    expect(await phase(id)).toBe('Running');
    await server.call('PATCH', `${DI}/${id}`, { spec: { replicas: 0 } });
    await server.advance(120);
    expect(await phase(id)).toBe('Stopped');
    expect(await pods(id)).toEqual([]);
  });

  it('LeaderReady: the worker pod exists only once the leader is Ready', async () => {
    const id = (await server.call('POST', DI, creation('lr', { spec: { startupPolicy: 'LeaderReady' } }))).body
      .workloadId as string;
    await server.advance(1);
    expect((await pods(id)).map((p) => p.name)).toEqual(['lr-0']);
    let seconds = 1;
    while ((await pods(id)).length === 1 && seconds < 3600) {
      await server.advance(10);
      seconds += 10;
    }
    const [leader, worker] = await pods(id);
    expect(worker!.name).toBe('lr-0-1');
    expect(Date.parse(worker!.createdAt)).toBeGreaterThan(Date.parse(leader!.createdAt));
    expect(leader!.k8sPhase).toBe('Running');
  });

  it('a failed pod recreates its group (RecreateGroupOnPodRestart); a failed node moves the group', async () => {
    const id = (await server.call('POST', DI, creation('ft'))).body.workloadId as string;
    await server.advance(600);
    expect(await phase(id)).toBe('Running');
    expect((await server.call('POST', '/sim/v1/faults', { workloadId: id, pod: 'ft-0-1' })).status).toBe(202);
    await server.advance(1);
    expect(await phase(id)).toBe('Initializing');
    await server.advance(600);
    expect(await phase(id)).toBe('Running');
    const node = (await pods(id))[0]!.nodeName!;
    expect((await server.call('POST', '/sim/v1/faults', { node, ready: false }, TOKENS.admin)).status).toBe(202);
    await server.advance(600);
    expect(await phase(id)).toBe('Running');
    expect((await pods(id)).every((p) => p.nodeName !== node)).toBe(true);
    const cluster = await server.call('GET', '/sim/v1/cluster');
    expect(cluster.body.nodes.find((n: { name: string }) => n.name === node).ready).toBe(false);
  });
});
