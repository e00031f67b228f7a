/** Trainings over a real port: create, get, suspend, resume, delete; reclaimed by inference; replayed on restart. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLUSTER_ID, PROJECT, TOKENS, creation, expectContract, startLwsim, type LwsimServer } from './lwsim-server.ts';

const TRAININGS = '/api/v1/workloads/trainings';
let server: LwsimServer;

const training = (name: string, overrides: Record<string, unknown> = {}) => ({
  name,
  projectId: PROJECT.training,
  clusterId: CLUSTER_ID,
  spec: {
    image: 'nvcr.io/nvidia/pytorch:24.05-py3',
    compute: { gpuDevicesRequest: 8 },
    nodePools: ['h100'],
    ...overrides,
  },
});

beforeAll(async () => {
  server = await startLwsim();
});
afterAll(async () => server.close());

describe('POST /api/v1/workloads/trainings', () => {
  it('creates a preemptible training that runs, is listed as one, and is not a distributed inference', async () => {
    const r = await server.call('POST', TRAININGS, training('train-a'));
    expect(r.status).toBe(202);
    expectContract('create_training1', 202, r.body);
    expect(r.body.spec).toMatchObject({ priorityClass: 'low', preemptibility: 'preemptible' });
    const id = r.body.workloadId;
    await server.advance(120);
    const got = await server.call('GET', `${TRAININGS}/${id}`);
    expect(got.status).toBe(200);
    expectContract('get_training', 200, got.body);
    expect(got.body).toMatchObject({ actualPhase: 'Running', desiredPhase: 'Running', name: 'train-a' });
    const listed = await server.call('GET', `/api/v1/workloads/${id}`);
    expect(listed.body).toMatchObject({ type: 'training', category: 'Train', actionsSupport: { suspend: true } });
    const asInference = await server.call('GET', `/api/v1/workloads/distributed-inferences/${id}`);
    expect(asInference.status).toBe(404);
    expect(asInference.body.message).toMatch(/is a training/);
    await server.call('DELETE', `${TRAININGS}/${id}`);
  });

  it('refuses bad requests naming the field, and other projects', async () => {
    const cases: [Record<string, unknown>, number, RegExp][] = [
      [training('x', { parallelism: 2 }), 400, /spec\.parallelism/],
      [training('x', { annotations: [{ name: 'lwsim.io/run-for', value: 'soon' }] }), 400, /annotations\[0\]\.value/],
      [training('x', { compute: { gpuPortionRequest: 1.5, gpuRequestType: 'portion' } }), 400, /gpuPortionRequest/],
      [training('x', { priorityClass: 'urgent' }), 400, /spec\.priorityClass/],
      [{ ...training('x'), projectId: '999' }, 400, /projectId/],
      [{ ...training('Bad_Name') }, 400, /name/],
    ];
    for (const [body, status, message] of cases) {
      const r = await server.call('POST', TRAININGS, body);
      expect(r.status, JSON.stringify(body)).toBe(status);
      expect(r.body.message).toMatch(message);
    }
    const forbidden = await server.call('POST', TRAININGS, training('x'), TOKENS.chat);
    expect(forbidden.status).toBe(403);
    expect((await server.call('POST', TRAININGS, training('x'), null)).status).toBe(401);
  });
});

describe('suspend, resume, completion, delete', () => {
  it('suspends to no pods (desired phase Stopped) and resumes; both are idempotent', async () => {
    const id = (await server.call('POST', TRAININGS, training('train-s'))).body.workloadId;
    await server.advance(120);
    for (let i = 0; i < 2; i++) {
      const r = await server.call('POST', `${TRAININGS}/${id}/suspend`, undefined, TOKENS.dev, {
        'content-type': 'application/json',
      });
      expect(r.status).toBe(202);
      expectContract('suspend_training', 202, r.body);
    }
    await server.advance(60);
    const stopped = (await server.call('GET', `${TRAININGS}/${id}`)).body;
    expect(stopped).toMatchObject({ desiredPhase: 'Stopped', actualPhase: 'Stopped' });
    expect((await server.call('POST', `${TRAININGS}/${id}/resume`)).status).toBe(202);
    await server.advance(120);
    expect((await server.call('GET', `${TRAININGS}/${id}`)).body).toMatchObject({
      desiredPhase: 'Running',
      actualPhase: 'Running',
    });
    const deleted = await server.call('DELETE', `${TRAININGS}/${id}`, undefined, TOKENS.dev, {
      'content-type': 'application/json',
    });
    expect(deleted.status).toBe(202);
    await server.advance(60);
    expect((await server.call('GET', `${TRAININGS}/${id}`)).status).toBe(404);
    expect((await server.call('POST', `${TRAININGS}/${id}/resume`)).status).toBe(404);
  });

  it('completes after its lwsim.io/run-for of running time', async () => {
    const body = training('train-c', { annotations: [{ name: 'lwsim.io/run-for', value: '30m' }] });
    const id = (await server.call('POST', TRAININGS, body)).body.workloadId;
    // Its clock runs only while it is Running (after the image pull and start): not done 30 minutes after creation.
    await server.advance(1800);
    expect((await server.call('GET', `${TRAININGS}/${id}`)).body.actualPhase).toBe('Running');
    await server.advance(3600);
    expect((await server.call('GET', `${TRAININGS}/${id}`)).body.actualPhase).toBe('Completed');
    // A completed training has nothing to suspend or resume.
    expect((await server.call('POST', `${TRAININGS}/${id}/suspend`)).status).toBe(202);
    await server.call('DELETE', `${TRAININGS}/${id}`);
  });
});

describe('trainings compete with inference', () => {
  it('are reclaimed by an inference within its quota, which a what-if shows first', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push((await server.call('POST', TRAININGS, training(`fill-${i}`))).body.workloadId);
    await server.advance(120);
    // Placed: starting or running (not waiting for GPUs).
    const placed = async () =>
      (await Promise.all(ids.map((id) => server.call('GET', `${TRAININGS}/${id}`)))).filter((r) =>
        ['Initializing', 'Running'].includes(r.body.actualPhase),
      ).length;
    expect(await placed()).toBe(4);
    const inference = creation('needs-sixteen', { workers: 1, gpus: 8 });
    const whatIf = await server.call('POST', '/sim/v1/what-if', { request: inference, horizonSeconds: 600 });
    expect(whatIf.status).toBe(200);
    expect(whatIf.body.preempted).toHaveLength(2);
    expect(whatIf.body.preempted.every((e: any) => ids.includes(e.workloadId) && e.action === 'reclaim')).toBe(true);
    await server.call('POST', '/api/v1/workloads/distributed-inferences', inference);
    await server.advance(300);
    expect(await placed()).toBe(2);
    const victim = whatIf.body.preempted[0].workloadId;
    const events = await server.call('GET', `/api/v1/workloads/${victim}/events?limit=100`);
    expect(events.body.events.map((e: any) => e.reason)).toContain('Reclaimed');
    const metrics = await server.call('GET', '/metrics', undefined, TOKENS.admin);
    expect(metrics.text).toContain('kai_pod_group_evictions_total{queue_name="training",action="reclaim"} 2');
  });

  it('survive a restart: the journal replays them as trainings', async () => {
    const dataDir = server.dataDir;
    const before = (await server.call('GET', '/api/v1/workloads?filterBy=type==training')).body;
    await server.close();
    server = await startLwsim({ dataDir });
    const after = (await server.call('GET', '/api/v1/workloads?filterBy=type==training')).body;
    expect(after.workloads.map((w: any) => [w.id, w.phase])).toEqual(before.workloads.map((w: any) => [w.id, w.phase]));
    expect(after.workloads.length).toBeGreaterThanOrEqual(4);
  });
});
