/** A workload's events, history and metrics (workload and pod), over a real port, against the contract. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLUSTER_ID, PROJECT, TOKENS, creation, expectContract, startLwsim, type LwsimServer } from './lwsim-server.ts';

const DI = '/api/v1/workloads/distributed-inferences';
let server: LwsimServer;
let watched = '';
let chat = '';
let createdAt = '';

beforeAll(async () => {
  server = await startLwsim({
    traffic: `traffic:
  - { workload: chat, model: llama-3.1-8b, gpu: H100-SXM-80GB, rate: 4, inputTokens: 256, outputTokens: 64 }
`,
  });
  watched = (await server.call('POST', DI, creation('watched', { workers: 1, gpus: 2 }))).body.workloadId;
  const chatBody = {
    name: 'chat',
    projectId: PROJECT.serving,
    clusterId: CLUSTER_ID,
    spec: { leader: { image: 'vllm/vllm-openai:latest', compute: { gpuDevicesRequest: 1 } }, replicas: 1 },
  };
  chat = (await server.call('POST', DI, chatBody)).body.workloadId;
  createdAt = (await server.call('GET', `/api/v1/workloads/${watched}`)).body.createdAt;
  await server.advance(600);
});
afterAll(async () => server.close());

const iso = (ms: number) => new Date(ms).toISOString();
const range = async (id: string, types: string, samples = 5, path = 'metrics') => {
  const start = Date.parse(createdAt);
  const end = start + 600_000;
  return server.call(
    'GET',
    `/api/v1/workloads/${id}/${path}?metricType=${types}&start=${iso(start)}&end=${iso(end)}&numberOfSamples=${samples}`,
  );
};

describe('GET /api/v1/workloads/{id}/events', () => {
  it("tells a group's start step by step, newest first, valid against the contract", async () => {
    const r = await server.call('GET', `/api/v1/workloads/${watched}/events?limit=500`);
    expect(r.status).toBe(200);
    expectContract('get_workload_events', 200, r.body);
    const reasons = (r.body.events as { reason: string }[]).map((e) => e.reason).reverse();
    expect(reasons.slice(0, 2)).toEqual(['Created', 'SuccessfulCreate']);
    for (const step of ['Scheduled', 'Pulling', 'Pulled', 'Created', 'Started']) expect(reasons).toContain(step);
    const leader = r.body.events.find((e: any) => e.reason === 'Scheduled' && e.involvedObject.name === 'watched-0');
    expect(leader).toMatchObject({ type: 'Normal', source: 'runai-scheduler', clusterId: CLUSTER_ID });
    expect(leader.involvedObject).toMatchObject({ kind: 'Pod', namespace: 'runai-serving' });
    // The pod's uid is the id the pods list gives it.
    const pods = await server.call('GET', `/api/v1/workloads/${watched}/pods`);
    expect(pods.body.pods.map((p: any) => p.id)).toContain(leader.involvedObject.uid);
  });

  it('sorts ascending on request, pages with next, and tells a node failure', async () => {
    const asc = await server.call('GET', `/api/v1/workloads/${watched}/events?sortOrder=asc&limit=3`);
    expect(asc.body.events.map((e: any) => e.reason)).toEqual(['Created', 'SuccessfulCreate', 'SuccessfulCreate']);
    expect(asc.body.next).toBe(3);
    const node = (await server.call('GET', `/api/v1/workloads/${watched}/pods`)).body.pods[0].nodeName;
    expect((await server.call('POST', '/sim/v1/faults', { node, ready: false }, TOKENS.admin)).status).toBe(202);
    await server.advance(5);
    const after = await server.call('GET', `/api/v1/workloads/${watched}/events?limit=20`);
    const reasons = after.body.events.map((e: any) => e.reason);
    expect(reasons).toContain('NodeNotReady');
    expect(reasons).toContain('Killing');
    expect((await server.call('POST', '/sim/v1/faults', { node, ready: true }, TOKENS.admin)).status).toBe(202);
  });

  it('answers 401, 403, 404 and 400 as the contract says', async () => {
    expect((await server.call('GET', `/api/v1/workloads/${watched}/events`, undefined, null)).status).toBe(401);
    const other = await server.call('GET', `/api/v1/workloads/${watched}/events`, undefined, TOKENS.chat);
    expect(other.status).toBe(403);
    const missing = await server.call('GET', '/api/v1/workloads/11111111-1111-4111-8111-111111111111/events');
    expect(missing.status).toBe(404);
    const bad = await server.call('GET', `/api/v1/workloads/${watched}/events?offset=-1`);
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/offset/);
    expect((await server.call('GET', `/api/v1/workloads/${watched}/events?sortOrder=up`)).status).toBe(400);
  });
});

describe('GET /api/v1/workloads/{id}/history', () => {
  it('interleaves events and phase updates, newest first', async () => {
    const r = await server.call('GET', `/api/v1/workloads/${watched}/history?limit=500`);
    expect(r.status).toBe(200);
    expectContract('get_workload_history', 200, r.body);
    const phases = r.body.records
      .filter((x: any) => x.meta.type === 'PhaseUpdate')
      .map((x: any) => x.spec.phaseUpdate.phase)
      .reverse();
    expect(phases[0]).toBe('Creating');
    expect(phases).toContain('Running');
    expect(r.body.records.some((x: any) => x.meta.type === 'Event' && x.spec.event.reason === 'Started')).toBe(true);
  });
});

describe('GET /api/v1/workloads/{id}/metrics', () => {
  it('gives what the workload held over the range', async () => {
    const r = await range(watched, 'GPU_ALLOCATION,POD_COUNT,RUNNING_POD_COUNT,CPU_REQUEST_CORES');
    expect(r.status).toBe(200);
    expectContract('get_workload_metrics', 200, r.body);
    const byType = Object.fromEntries(r.body.measurements.map((m: any) => [m.type, m.values]));
    // At creation nothing is placed; two minutes on, 2 pods of 2 GPUs each run.
    expect(byType.GPU_ALLOCATION[0].value).toBe('0');
    expect(byType.GPU_ALLOCATION[2].value).toBe('4');
    expect(byType.POD_COUNT[2].value).toBe('2');
    expect(byType.RUNNING_POD_COUNT[2].value).toBe('2');
    expect(byType.CPU_REQUEST_CORES[2].value).toBe('8');
    expect(byType.GPU_ALLOCATION.map((v: any) => v.timestamp)[0]).toBe(createdAt);
  });

  it('has no values for what a workload without traffic cannot know', async () => {
    const r = await range(watched, 'GPU_UTILIZATION,CPU_USAGE_CORES,NIM_NUM_REQUESTS_RUNNING');
    expect(r.status).toBe(200);
    expect(r.body.measurements.map((m: any) => m.values)).toEqual([[], [], []]);
  });

  it('gives a served workload its GPU utilisation, memory and vLLM figures', async () => {
    const r = await range(
      chat,
      'GPU_UTILIZATION,GPU_MEMORY_USAGE_BYTES,NIM_NUM_REQUESTS_RUNNING,NIM_REQUEST_SUCCESS_TOTAL,NIM_GPU_CACHE_USAGE_PERC,NIM_TIME_TO_FIRST_TOKEN_SECONDS,NIM_E2E_REQUEST_LATENCY_SECONDS_PERCENTILES',
      11,
    );
    expect(r.status).toBe(200);
    expectContract('get_workload_metrics', 200, r.body);
    const values = (type: string, labels?: object) =>
      r.body.measurements
        .find(
          (m: any) => m.type === type && (labels === undefined || JSON.stringify(m.labels) === JSON.stringify(labels)),
        )
        .values.map((v: any) => Number(v.value));
    const utilization = values('GPU_UTILIZATION');
    expect(utilization.length).toBeGreaterThan(5);
    expect(Math.max(...utilization)).toBeGreaterThan(0);
    expect(Math.max(...utilization)).toBeLessThanOrEqual(100);
    expect(Math.max(...values('GPU_MEMORY_USAGE_BYTES'))).toBeGreaterThan(40e9);
    const success = values('NIM_REQUEST_SUCCESS_TOTAL');
    expect(success.at(-1)).toBeGreaterThan(1000);
    expect(success).toEqual([...success].sort((a, b) => a - b));
    const p50 = values('NIM_E2E_REQUEST_LATENCY_SECONDS_PERCENTILES', { quantile: '0.5' });
    const p99 = values('NIM_E2E_REQUEST_LATENCY_SECONDS_PERCENTILES', { quantile: '0.99' });
    expect(p99.at(-1)).toBeGreaterThanOrEqual(p50.at(-1)!);
    const histogram = r.body.histogram.find((h: any) => h.type === 'NIM_TIME_TO_FIRST_TOKEN_SECONDS');
    const last = histogram.values.at(-1).data;
    expect(Number(last['+Inf'])).toBeGreaterThan(0);
    expect(Number(last['0.001'])).toBeLessThanOrEqual(Number(last['+Inf']));
  });

  it("gives a pod its replica's figures, per GPU where asked", async () => {
    const pod = (await server.call('GET', `/api/v1/workloads/${chat}/pods`)).body.pods[0];
    const r = await range(chat, 'GPU_UTILIZATION_PER_GPU,NIM_NUM_REQUESTS_WAITING', 5, `pods/${pod.id}/metrics`);
    expect(r.status).toBe(200);
    expectContract('get_workload_pod_metrics', 200, r.body);
    // The device index on its node, as DCGM labels it.
    expect(r.body.measurements[0]).toMatchObject({
      type: 'GPU_UTILIZATION_PER_GPU',
      labels: { gpu: expect.stringMatching(/^[0-7]$/) },
    });
    expect(r.body.measurements[0].values.length).toBeGreaterThan(0);
    const missing = await range(chat, 'GPU_UTILIZATION', 5, 'pods/11111111-1111-4111-8111-111111111111/metrics');
    expect(missing.status).toBe(404);
    expect(missing.body.message).toMatch(/podId/);
  });

  it('refuses a bad range naming the parameter', async () => {
    const start = iso(Date.parse(createdAt));
    const earlier = iso(Date.parse(createdAt) - 1000);
    const base = `/api/v1/workloads/${watched}/metrics`;
    const reversed = await server.call('GET', `${base}?metricType=POD_COUNT&start=${start}&end=${earlier}`);
    expect(reversed.status).toBe(400);
    expect(reversed.body.message).toMatch(/end/);
    for (const query of [
      `metricType=POD_COUNT&end=${start}`,
      `metricType=NOT_A_METRIC&start=${earlier}&end=${start}`,
      `metricType=POD_COUNT&start=yesterday&end=${start}`,
      `metricType=POD_COUNT&start=${earlier}&end=${start}&numberOfSamples=1001`,
    ]) {
      const r = await server.call('GET', `${base}?${query}`);
      expect(r.status, query).toBe(400);
      expectContract('get_workload_metrics', 400, r.body);
    }
  });
});

describe('text/csv', () => {
  it('answers a metrics query as CSV when asked, one value a row', async () => {
    const start = new Date(Date.parse(createdAt)).toISOString();
    const end = new Date(Date.parse(createdAt) + 600_000).toISOString();
    const path = `/api/v1/workloads/${watched}/metrics?metricType=POD_COUNT,GPU_ALLOCATION&start=${start}&end=${end}&numberOfSamples=3`;
    const r = await server.call('GET', path, undefined, TOKENS.dev, { accept: 'text/csv' });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/csv/);
    const rows = r.text.trim().split('\n');
    expect(rows[0]).toBe('type,labels,groups,timestamp,value');
    expect(rows).toHaveLength(1 + 6);
    expect(rows[1]).toBe(`POD_COUNT,,,${createdAt},2`);
    // JSON first in Accept, or no Accept: JSON.
    const json = await server.call('GET', path, undefined, TOKENS.dev, { accept: 'application/json, text/csv' });
    expect(json.body.measurements).toHaveLength(2);
  });

  it('answers telemetry as CSV too', async () => {
    const r = await server.call(
      'GET',
      '/api/v1/workloads/telemetry?telemetryType=WORKLOADS_COUNT',
      undefined,
      TOKENS.dev,
      {
        accept: 'text/csv',
      },
    );
    expect(r.status).toBe(200);
    const [header, ...rows] = r.text.trim().split('\n');
    expect(header).toBe('type,timestamp,groups,value');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatch(/^WORKLOADS_COUNT,[^,]+,,2$/);
  });
});
