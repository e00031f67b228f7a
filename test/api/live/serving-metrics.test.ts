import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../../src/api/server.ts';
import { parseClusterText } from '../../../src/config/cluster-document.ts';
import { LiveCluster } from '../../../src/runtime/live-cluster.ts';
import { TEST_CLUSTER, TEST_USERS, TOKENS, PROJECT } from './lwsim-server.ts';

/** The cluster file's traffic: block, read as `lwsim serve` reads it. */
function traffic(text: string) {
  const parsed = parseClusterText(
    'cluster.yaml',
    `name: t\nnodePools: [{ name: h100, nodes: [{ count: 1, gpu: { model: H100-SXM-80GB, count: 8 }, cpu: 8, memory: 64Gi }] }]\ndepartments: [{ name: d, projects: [{ name: p }] }]\n${text}`,
  );
  return parsed;
}

const DI = '/api/v1/workloads/distributed-inferences';

describe('serving metrics of the live server (GET /sim/v1/workloads/{id}/serving)', () => {
  let url = '';
  let live: LiveCluster;
  let close: () => Promise<void>;
  const call = async (method: string, path: string, body?: unknown, token: string = TOKENS.dev) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: response.status, body: (await response.json()) as any };
  };
  const create = async (name: string, gpus: Record<string, number>) =>
    (
      await call('POST', DI, {
        name,
        projectId: PROJECT.serving,
        clusterId: TEST_CLUSTER.id,
        spec: { leader: { image: 'vllm/vllm-openai:latest', compute: gpus }, replicas: 1 },
      })
    ).body.workloadId as string;

  beforeAll(async () => {
    const read = traffic(`traffic:
  - { workload: chat, model: llama-3.1-8b, gpu: H100-SXM-80GB, rate: 5, inputTokens: 256, outputTokens: 64, slo: { ttft: 1000 } }
  - { workload: tiny, model: llama-3.1-8b, rate: 1, inputTokens: 8, outputTokens: 8 }
`);
    if (!read.ok) throw new Error(read.errors.map((e) => e.message).join('\n'));
    const started = await LiveCluster.start(TEST_CLUSTER, {
      timeScale: 0,
      dataDir: mkdtempSync(join(tmpdir(), 'lwsim-serving-')),
      seed: 1,
      traffic: read.document.server.traffic,
    });
    live = started.live;
    const app = buildServer({ live, users: TEST_USERS, adminToken: TOKENS.admin, kernelThreads: 1 });
    url = await app.listen({ host: '127.0.0.1', port: 0 });
    close = async () => {
      await app.close();
      await live.close();
    };
  });
  afterAll(async () => close());

  it('serves a workload created under a traffic name, and its figures grow with the clock', async () => {
    const id = await create('chat', { gpuDevicesRequest: 2 });
    await live.advance(600_000_000);
    const first = await call('GET', `/sim/v1/workloads/${id}/serving`);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ served: true, deployment: { model: 'llama-3.1-8b', tp: 2, pp: 1 } });
    expect(first.body.result.completed).toBeGreaterThan(0);
    expect(first.body.result).toHaveProperty('p99_ttft_ms');
    expect(first.body.replicaChanges).toBe(1);
    await live.advance(600_000_000);
    const later = await call('GET', `/sim/v1/workloads/${id}/serving`);
    expect(later.body.result.completed).toBeGreaterThan(first.body.result.completed);
    expect(later.body.seconds).toBeCloseTo(first.body.seconds + 600, 6);
  });

  it('says why a workload cannot serve its traffic, and 404s one without traffic', async () => {
    const fractional = await create('tiny', { gpuPortion: 0.5 });
    const none = await create('other', { gpuDevicesRequest: 1 });
    const why = await call('GET', `/sim/v1/workloads/${fractional}/serving`);
    expect(why.status).toBe(200);
    expect(why.body).toMatchObject({ served: false, reason: expect.stringMatching(/whole GPUs/) });
    const missing = await call('GET', `/sim/v1/workloads/${none}/serving`);
    expect(missing.status).toBe(404);
    expect(missing.body.message).toMatch(/has no traffic/);
    const unknown = await call('GET', `/sim/v1/workloads/11111111-1111-4111-8111-111111111111/serving`);
    expect(unknown.status).toBe(404);
    const bad = await call('GET', `/sim/v1/workloads/nope/serving`);
    expect(bad.status).toBe(400);
  });

  it('refuses a traffic block that names an unknown model or gives a workload twice, with its line', () => {
    const model = traffic('traffic:\n  - { workload: a, model: gpt-9, rate: 1, inputTokens: 1, outputTokens: 1 }\n');
    expect(!model.ok && model.errors.map((e) => `${e.line}: ${e.message}`).join('\n')).toMatch(
      /5: .*unknown model "gpt-9"/,
    );
    const twice = traffic(
      'traffic:\n  - { workload: a, model: llama-3.1-8b, rate: 1, inputTokens: 1, outputTokens: 1 }\n  - { workload: a, model: llama-3.1-8b, rate: 1, inputTokens: 1, outputTokens: 1 }\n',
    );
    expect(!twice.ok && twice.errors.map((e) => e.message).join('\n')).toMatch(/given twice/);
  });
});
