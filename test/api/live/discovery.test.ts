/**
 * Discovery as Run:ai clients do it: the cluster (GET /api/v1/clusters) and the projects and departments with their
 * ids and quotas, filtered by what the caller may use; then a client that knows only the base URL and application
 * credentials finds a project and runs a workload in it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  APPLICATIONS,
  CLUSTER_ID,
  PROJECT,
  TOKENS,
  creation,
  expectContract,
  startLwsim,
  type LwsimServer,
} from './lwsim-server.ts';

let server: LwsimServer;
beforeAll(async () => {
  server = await startLwsim();
});
afterAll(async () => server.close());

const names = (units: { name: string }[]) => units.map((u) => u.name);

describe('clusters', () => {
  it('lists the one simulated cluster, and finds it by uuid', async () => {
    const list = await server.call('GET', '/api/v1/clusters');
    expect(list.status).toBe(200);
    expectContract('get_clusters', 200, list.body);
    expect(list.body.map((c: { uuid: string; name: string }) => [c.uuid, c.name])).toEqual([[CLUSTER_ID, 'test']]);
    const one = await server.call('GET', `/api/v1/clusters/${CLUSTER_ID}`);
    expect(one.status).toBe(200);
    expectContract('get_cluster_by_uuid', 200, one.body);
  });

  it('answers 404 for another uuid, 400 for no uuid, 401 without a token', async () => {
    expect((await server.call('GET', '/api/v1/clusters/11111111-1111-4111-8111-111111111111')).status).toBe(404);
    expect((await server.call('GET', '/api/v1/clusters/not-a-uuid')).status).toBe(400);
    expect((await server.call('GET', '/api/v1/clusters', undefined, null)).status).toBe(401);
  });
});

describe('projects and departments', () => {
  it('lists the projects the caller may use, with ids, parents and quotas per node pool', async () => {
    const all = await server.call('GET', '/api/v1/org-unit/projects');
    expect(all.status).toBe(200);
    expectContract('get_projects', 200, all.body);
    expect(
      all.body.projects.map((p: { id: string; name: string; parentId: string }) => [p.id, p.name, p.parentId]),
    ).toEqual([
      ['101', 'serving', '1'],
      ['102', 'training', '1'],
      ['103', 'chat', '2'],
    ]);
    const serving = all.body.projects[0];
    expect(serving.totalResources.gpuQuota).toBe(24);
    expect(
      serving.resources.map((r: { nodePool: { name: string }; gpu: { deserved: number } }) => [
        r.nodePool.name,
        r.gpu.deserved,
      ]),
    ).toEqual([
      ['h100', 16],
      ['l40s', 8],
    ]);
    const chat = await server.call('GET', '/api/v1/org-unit/projects', undefined, TOKENS.chat);
    expect(names(chat.body.projects)).toEqual(['chat']);
  });

  it.each([
    ['filterBy=name==chat', ['chat']],
    ['filterBy=parentId==1', ['serving', 'training']],
    ['filterBy=parentName=@prod', ['chat']],
    ['filterBy=totalGpuQuota>=10', ['serving']],
    ['search=rain', ['training']],
    ['sortBy=name&sortOrder=desc', ['training', 'serving', 'chat']],
  ])('GET /api/v1/org-unit/projects?%s', async (query, expected) => {
    const r = await server.call('GET', `/api/v1/org-unit/projects?${query}`);
    expect(r.status).toBe(200);
    expect(names(r.body.projects)).toEqual(expected);
  });

  it('pages, counts and finds one project', async () => {
    const first = await server.call('GET', '/api/v1/org-unit/projects?limit=2');
    expect(first.body.next).toBe(2);
    const count = await server.call('GET', '/api/v1/org-unit/projects/count?filterBy=parentId==1');
    expectContract('count_projects', 200, count.body);
    expect(count.body).toEqual({ count: 2 });
    const one = await server.call('GET', `/api/v1/org-unit/projects/${PROJECT.chat}`);
    expect(one.status).toBe(200);
    expectContract('get_project', 200, one.body);
    expect(one.body.name).toBe('chat');
    expect((await server.call('GET', '/api/v1/org-unit/projects/999')).status).toBe(404);
    // A project the caller may not use does not exist for them.
    expect(
      (await server.call('GET', `/api/v1/org-unit/projects/${PROJECT.serving}`, undefined, TOKENS.chat)).status,
    ).toBe(404);
  });

  it('answers 400 naming a bad filter', async () => {
    const r = await server.call('GET', '/api/v1/org-unit/projects?filterBy=colour==red');
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(/filterBy/);
  });

  it('lists, counts and finds departments the caller may see', async () => {
    const all = await server.call('GET', '/api/v1/org-unit/departments');
    expect(all.status).toBe(200);
    expectContract('get_departments', 200, all.body);
    expect(names(all.body.departments)).toEqual(['research', 'product']);
    expect((await server.call('GET', '/api/v1/org-unit/departments/count')).body).toEqual({ count: 2 });
    const one = await server.call('GET', '/api/v1/org-unit/departments/2');
    expectContract('get_department', 200, one.body);
    expect(one.body.totalResources.gpuQuota).toBe(8);
    const chat = await server.call('GET', '/api/v1/org-unit/departments', undefined, TOKENS.chat);
    expect(names(chat.body.departments)).toEqual(['product']);
    expect((await server.call('GET', '/api/v1/org-unit/departments/1', undefined, TOKENS.chat)).status).toBe(404);
  });
});

describe('a client that knows only the base URL and application credentials', () => {
  it('gets a token, finds its cluster and project, creates, reads and deletes a distributed inference', async () => {
    const { chatBot } = APPLICATIONS;
    const granted = await server.call(
      'POST',
      '/api/v1/token',
      { grantType: 'app_token', AppId: chatBot.id, AppSecret: chatBot.secret },
      null,
    );
    const token = granted.body.accessToken as string;
    const [cluster] = (await server.call('GET', '/api/v1/clusters', undefined, token)).body;
    const [project] = (await server.call('GET', '/api/v1/org-unit/projects', undefined, token)).body.projects;
    const body = { ...creation('client-made', { projectId: project.id, replicas: 1 }), clusterId: cluster.uuid };
    const created = await server.call('POST', '/api/v1/workloads/distributed-inferences', body, token);
    expect(created.status).toBe(202);
    const id = created.body.workloadId as string;
    const path = `/api/v1/workloads/distributed-inferences/${id}`;
    expect((await server.call('GET', path, undefined, token)).body.name).toBe('client-made');
    const deleted = await server.call('DELETE', path, undefined, token, { 'content-type': 'application/json' });
    expect(deleted.status).toBe(202);
  });
});
