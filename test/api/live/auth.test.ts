/** Bearer auth over a real port: 401 without a valid token, 403 outside the user's projects, lists filtered. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT, TOKENS, creation, expectContract, startLwsim, type LwsimServer } from './lwsim-server.ts';

let server: LwsimServer;
let servingId = '';
beforeAll(async () => {
  server = await startLwsim();
  servingId = (await server.call('POST', '/api/v1/workloads/distributed-inferences', creation('secret'))).body
    .workloadId;
  await server.call(
    'POST',
    '/api/v1/workloads/distributed-inferences',
    creation('chatbot', { projectId: PROJECT.chat, workers: 0, gpus: 1 }),
    TOKENS.chat,
  );
});
afterAll(async () => server.close());

describe('auth', () => {
  it.each([
    ['no header', null, {}],
    ['an unknown token', 'not-a-known-token-000000', {}],
    ['another scheme', null, { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }],
    ['an empty bearer', null, { authorization: 'Bearer ' }],
  ])('answers 401 to %s, on every surface', async (_, token, headers) => {
    for (const [method, path] of [
      ['GET', '/api/v1/workloads'],
      ['POST', '/api/v1/workloads/distributed-inferences'],
      ['GET', '/sim/v1/cluster'],
      ['GET', '/api/v1/nowhere'],
    ]) {
      const r = await server.call(
        method!,
        path!,
        method === 'POST' ? creation('x') : undefined,
        token as string | null,
        headers,
      );
      expect(r.status).toBe(401);
      expectContract('get_workloads', 401, r.body);
    }
  });

  it('forbids a project the user may not use (403) and hides its workloads from lists', async () => {
    const post = await server.call('POST', '/api/v1/workloads/distributed-inferences', creation('nope'), TOKENS.chat);
    expect(post.status).toBe(403);
    expectContract('create_distributed_inference', 403, post.body);
    for (const path of [
      `/api/v1/workloads/distributed-inferences/${servingId}`,
      `/api/v1/workloads/${servingId}`,
      `/api/v1/workloads/${servingId}/pods`,
    ]) {
      expect((await server.call('GET', path, undefined, TOKENS.chat)).status).toBe(403);
    }
    expect(
      (
        await server.call(
          'PATCH',
          `/api/v1/workloads/distributed-inferences/${servingId}`,
          { spec: { replicas: 2 } },
          TOKENS.chat,
        )
      ).status,
    ).toBe(403);
    expect(
      (await server.call('DELETE', `/api/v1/workloads/distributed-inferences/${servingId}`, undefined, TOKENS.chat))
        .status,
    ).toBe(403);
    const list = await server.call('GET', '/api/v1/workloads', undefined, TOKENS.chat);
    expect(list.body.workloads.map((w: { name: string }) => w.name)).toEqual(['chatbot']);
    expect((await server.call('GET', '/api/v1/workloads/count', undefined, TOKENS.chat)).body).toEqual({ count: 1 });
    expect((await server.call('GET', '/api/v1/workloads/count', undefined, TOKENS.dev)).body).toEqual({ count: 2 });
    // Nothing changed by the refused calls.
    expect((await server.call('GET', `/api/v1/workloads/distributed-inferences/${servingId}`)).body.spec.replicas).toBe(
      1,
    );
  });

  it('accepts the LWSIM_TOKEN admin token everywhere, and records who created what', async () => {
    const r = await server.call(
      'POST',
      '/api/v1/workloads/distributed-inferences',
      creation('by-admin', { replicas: 0 }),
      TOKENS.admin,
    );
    expect(r.status).toBe(202);
    expect(r.body.createdBy).toBe('admin@lwsim.local');
    expect((await server.call('GET', '/api/v1/workloads/count', undefined, TOKENS.admin)).body).toEqual({ count: 3 });
  });

  it('serves the OpenAPI document without a token', async () => {
    const r = await server.call('GET', '/sim/v1/openapi.json', undefined, null);
    expect(r.status).toBe(200);
    expect(Object.keys(r.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/workloads/distributed-inferences',
        '/api/v1/workloads/{workloadId}/pods',
        '/sim/v1/cluster',
        '/sim/v1/clock/advance',
        '/sim/v1/events',
      ]),
    );
  });
});

describe('cluster-wide simulator operations are for administrators', () => {
  let server: LwsimServer;
  beforeAll(async () => {
    server = await startLwsim();
  });
  afterAll(async () => server.close());

  it.each([
    ['a node fault', '/sim/v1/faults', { node: 'h100-0', ready: false }],
    ['moving the clock', '/sim/v1/clock/advance', { seconds: 60 }],
  ])('%s: 403 for a project user and for one with every project, 2xx for an administrator', async (_, path, body) => {
    const state = async () => ({
      clock: (await server.call('GET', '/sim/v1/clock', undefined, TOKENS.admin)).body,
      nodes: (await server.call('GET', '/sim/v1/cluster', undefined, TOKENS.admin)).body.nodes,
    });
    const before = await state();
    for (const token of [TOKENS.chat, TOKENS.dev]) {
      const r = await server.call('POST', path, body, token);
      expect(r.status).toBe(403);
      expect(r.body.message).toMatch(/for administrators/);
    }
    expect(await state()).toEqual(before);
    expect((await server.call('POST', path, body, TOKENS.admin)).status).toBeLessThan(300);
  });

  it("shows a project user only its own projects' quotas and allocation", async () => {
    const chat = (await server.call('GET', '/sim/v1/cluster', undefined, TOKENS.chat)).body;
    expect(chat.projects.map((p: { name: string }) => p.name)).toEqual(['chat']);
    expect(chat.departments.map((d: { name: string; projectIds: string[] }) => [d.name, d.projectIds])).toEqual([
      ['product', [PROJECT.chat]],
    ]);
    const admin = (await server.call('GET', '/sim/v1/cluster', undefined, TOKENS.admin)).body;
    expect(admin.projects).toHaveLength(3);
    expect(chat.nodes).toEqual(admin.nodes);
  });
});
