/** Every Run:ai operation over a real port, with its status codes, and every body checked against the contract. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLUSTER_ID, PROJECT, creation, expectContract, startLwsim, type LwsimServer } from './lwsim-server.ts';

let server: LwsimServer;
beforeAll(async () => void (server = await startLwsim()));
afterAll(async () => server.close());

const DI = '/api/v1/workloads/distributed-inferences';

describe('distributed-inference operations', () => {
  let id = '';

  it('POST creates: 202 with the DistributedInference body', async () => {
    const r = await server.call('POST', DI, creation('llama'));
    expect(r.status).toBe(202);
    expectContract('create_distributed_inference', 202, r.body);
    expect(r.body).toMatchObject({
      name: 'llama',
      requestedName: 'llama',
      projectId: PROJECT.serving,
      clusterId: CLUSTER_ID,
      createdBy: 'dev@test',
      desiredPhase: 'Running',
      departmentId: '1',
      deletedAt: null,
    });
    expect(r.body.spec).toMatchObject({
      workers: 1,
      replicas: 1,
      startupPolicy: 'LeaderCreated',
      restartPolicy: 'RecreateGroupOnPodRestart',
      priorityClass: 'very-high',
      preemptibility: 'non-preemptible',
    });
    id = r.body.workloadId;
  });

  it('POST with a taken name in the project: 409', async () => {
    const r = await server.call('POST', DI, creation('llama'));
    expect(r.status).toBe(409);
    expectContract('get_distributed_inference', 404, r.body); // the Error schema
    expect(r.body).toEqual({ code: 409, message: 'a workload named llama already exists in project serving' });
  });

  it('POST with useGivenNameAsPrefix appends a random suffix', async () => {
    const r = await server.call('POST', DI, {
      ...creation('llama'),
      useGivenNameAsPrefix: true,
      spec: { ...(creation('llama').spec as object), replicas: 0 },
    });
    expect(r.status).toBe(202);
    expect(r.body.name).toMatch(/^llama-[a-z0-9]{5}$/);
    expect(r.body.requestedName).toBe('llama');
  });

  it('GET one: 200, and 404 for an unknown id', async () => {
    const r = await server.call('GET', `${DI}/${id}`);
    expect(r.status).toBe(200);
    expectContract('get_distributed_inference', 200, r.body);
    const missing = await server.call('GET', `${DI}/00000000-0000-4000-8000-000000000000`);
    expect(missing.status).toBe(404);
    expectContract('get_distributed_inference', 404, missing.body);
  });

  it('PATCH replicas: 202 with the updated workload', async () => {
    const r = await server.call('PATCH', `${DI}/${id}`, { spec: { replicas: 2 } });
    expect(r.status).toBe(202);
    expectContract('update_distributed_inference_spec', 202, r.body);
    expect(r.body.spec.replicas).toBe(2);
    expect(
      (await server.call('PATCH', `${DI}/00000000-0000-4000-8000-000000000000`, { spec: { replicas: 1 } })).status,
    ).toBe(404);
  });

  it('GET /workloads lists, /count counts, /workloads/{id} details, /pods lists the pods', async () => {
    await server.advance(2);
    const list = await server.call('GET', '/api/v1/workloads');
    expect(list.status).toBe(200);
    expectContract('get_workloads', 200, list.body);
    expect(list.body.workloads.map((w: { name: string }) => w.name)).toEqual([
      'llama',
      expect.stringMatching(/^llama-[a-z0-9]{5}$/),
    ]);
    const count = await server.call('GET', '/api/v1/workloads/count');
    expect(count.status).toBe(200);
    expectContract('count_workloads', 200, count.body);
    expect(count.body).toEqual({ count: 2 });
    const one = await server.call('GET', `/api/v1/workloads/${id}`);
    expect(one.status).toBe(200);
    expectContract('get_workload', 200, one.body);
    expect(one.body).toMatchObject({
      id,
      type: 'distributed-inference',
      projectName: 'serving',
      departmentName: 'research',
      namespace: 'runai-serving',
      requestedPods: { number: 4 },
    });
    expect(one.body.pendingSchedulingMessages).toEqual(expect.any(Array));
    const pods = await server.call('GET', `/api/v1/workloads/${id}/pods`);
    expect(pods.status).toBe(200);
    expectContract('get_workload_pods', 200, pods.body);
    expect(pods.body.pods.map((p: { name: string }) => p.name).sort()).toEqual([
      'llama-0',
      'llama-0-1',
      'llama-1',
      'llama-1-1',
    ]);
    for (const missing of [
      `/api/v1/workloads/00000000-0000-4000-8000-000000000000`,
      `/api/v1/workloads/00000000-0000-4000-8000-000000000000/pods`,
    ]) {
      const r = await server.call('GET', missing);
      expect(r.status).toBe(404);
      expectContract('get_workload', 404, r.body);
    }
  });

  it('filters, searches, sorts and pages the list as the contract defines', async () => {
    for (const name of ['alpha', 'beta', 'gamma'])
      expect((await server.call('POST', DI, creation(name, { replicas: 0 }))).status).toBe(202);
    const byName = await server.call('GET', '/api/v1/workloads?filterBy=name=^llama');
    expect(byName.body.workloads).toHaveLength(2);
    const two = await server.call('GET', '/api/v1/workloads?filterBy=name!=alpha,phase==Stopped,name!@llama');
    expect(two.body.workloads.map((w: { name: string }) => w.name).sort()).toEqual(['beta', 'gamma']);
    const sorted = await server.call('GET', '/api/v1/workloads?sortBy=name&sortOrder=desc&limit=2');
    expect(sorted.body.workloads.map((w: { name: string }) => w.name)).toEqual([
      expect.stringMatching(/^llama-/),
      'llama',
    ]);
    expect(sorted.body.next).toBe(2);
    const page = await server.call('GET', '/api/v1/workloads?sortBy=name&offset=4&limit=2');
    expect(page.body.workloads).toHaveLength(1);
    expect(page.body.next).toBeUndefined();
    const search = await server.call('GET', '/api/v1/workloads/count?search=GAM');
    expect(search.body).toEqual({ count: 1 });
  });

  it('DELETE: 202 with the accepted body, then Deleting, then gone but listed with deleted=true', async () => {
    const r = await server.call('DELETE', `${DI}/${id}`);
    expect(r.status).toBe(202);
    expectContract('delete_distributed_inference', 202, r.body);
    expect(r.body).toEqual({ code: 202, message: 'Request has been accepted.' });
    expect((await server.call('GET', `${DI}/${id}`)).body.actualPhase).toBe('Deleting');
    await server.advance(60);
    expect((await server.call('GET', `${DI}/${id}`)).status).toBe(404);
    expect((await server.call('DELETE', `${DI}/${id}`)).status).toBe(404);
    const deleted = await server.call('GET', '/api/v1/workloads?deleted=true');
    expectContract('get_workloads', 200, deleted.body);
    expect(deleted.body.workloads).toHaveLength(1);
    expect(deleted.body.workloads[0]).toMatchObject({ id, deletedAt: expect.any(String) });
    expect((await server.call('GET', '/api/v1/workloads/count')).body).toEqual({ count: 4 });
  });
});
