/**
 * What a Run:ai client does against a real control plane, with only the base URL and application credentials:
 * get a token, discover the cluster and a project, create a distributed inference, watch it, scale it, read its
 * metrics and events, delete it. Plain HTTP, as a generated client sends it (JSON content type on bodiless calls).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPLICATIONS, TOKENS, startLwsim, type LwsimServer } from './lwsim-server.ts';

let server: LwsimServer;
beforeAll(async () => {
  server = await startLwsim();
});
afterAll(async () => server.close());

describe('a client that knows only the base URL and its application credentials', () => {
  it('discovers, creates, watches, scales, reads metrics of and deletes a distributed inference', async () => {
    const json = { 'content-type': 'application/json' };
    const token = await fetch(`${server.url}/api/v1/token`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({
        grantType: 'app_token',
        AppId: APPLICATIONS.chatBot.id,
        AppSecret: APPLICATIONS.chatBot.secret,
      }),
    }).then((r) => r.json() as Promise<{ accessToken: string }>);
    const api = async (method: string, path: string, body?: unknown) => {
      const r = await fetch(`${server.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token.accessToken}`, ...json },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: r.status, body: (await r.json()) as any };
    };
    // The clock is the operator's (an administrator moves the manual clock of a test server).
    const wait = (seconds: number) => server.call('POST', '/sim/v1/clock/advance', { seconds }, TOKENS.admin);

    const [cluster] = (await api('GET', '/api/v1/clusters')).body;
    const projects = (await api('GET', '/api/v1/org-unit/projects')).body.projects;
    expect(projects.map((p: any) => p.name)).toEqual(['chat']);
    const created = await api('POST', '/api/v1/workloads/distributed-inferences', {
      name: 'assistant',
      projectId: projects[0].id,
      clusterId: cluster.uuid,
      spec: {
        workers: 0,
        replicas: 1,
        leader: { image: 'vllm/vllm-openai:latest', compute: { gpuDevicesRequest: 4 } },
      },
    });
    expect(created.status).toBe(202);
    const id = created.body.workloadId;

    let phase = '';
    for (let i = 0; i < 20 && phase !== 'Running'; i++) {
      await wait(60);
      phase = (await api('GET', `/api/v1/workloads/${id}`)).body.phase;
    }
    expect(phase).toBe('Running');

    expect(
      (await api('PATCH', `/api/v1/workloads/distributed-inferences/${id}`, { spec: { replicas: 2 } })).status,
    ).toBe(202);
    await wait(900);
    const createdAt = Date.parse(created.body.createdAt);
    const range = `start=${new Date(createdAt).toISOString()}&end=${new Date(createdAt + 2 * 3600_000).toISOString()}`;
    const metrics = await api(
      'GET',
      `/api/v1/workloads/${id}/metrics?metricType=GPU_ALLOCATION,RUNNING_POD_COUNT&${range}`,
    );
    expect(metrics.status).toBe(200);
    const gpus = metrics.body.measurements
      .find((m: any) => m.type === 'GPU_ALLOCATION')
      .values.map((v: any) => v.value);
    expect(gpus[0]).toBe('0');
    expect(gpus.at(-1)).toBe('8');
    const events = (await api('GET', `/api/v1/workloads/${id}/events`)).body.events;
    expect(events.filter((e: any) => e.reason === 'Started')).toHaveLength(2);

    expect((await api('DELETE', `/api/v1/workloads/distributed-inferences/${id}`)).status).toBe(202);
    await wait(120);
    expect((await api('GET', `/api/v1/workloads/${id}`)).status).toBe(404);
  });
});
