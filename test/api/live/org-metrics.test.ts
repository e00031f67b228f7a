/**
 * Cluster, node-pool and project metrics over a time range, and the workloads telemetry, over a real port against
 * the contract. The test cluster: h100 4 × 8 GPUs, l40s 2 × 4 (tainted); quotas serving 16 + 8, training 8,
 * chat 8. At 0 s: `a` (serving, 2 pods × 8 GPUs), `c` (chat, 2 × 4) and `big` (serving, 4 × 8: over quota, so it
 * waits as NonPreemptibleOverQuota); the first cycle at 1 s places a and c.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLUSTER_ID, PROJECT, TOKENS, creation, expectContract, startLwsim, type LwsimServer } from './lwsim-server.ts';

const DI = '/api/v1/workloads/distributed-inferences';
const CLUSTER = `/api/v1/clusters/${CLUSTER_ID}`;
let server: LwsimServer;
let epoch = 0;

beforeAll(async () => {
  server = await startLwsim();
  for (const body of [
    creation('a', { workers: 1, gpus: 8 }),
    creation('c', { workers: 1, gpus: 4, projectId: PROJECT.chat }),
    creation('big', { workers: 3, gpus: 8 }),
  ])
    expect((await server.call('POST', DI, body)).status).toBe(202);
  epoch = Date.parse((await server.call('GET', CLUSTER)).body.createdAt);
  await server.advance(600);
});
afterAll(async () => server.close());

/** Seven instants: 0, 100, … 600 s. */
const RANGE = () =>
  `start=${new Date(epoch).toISOString()}&end=${new Date(epoch + 600_000).toISOString()}&numberOfSamples=7`;
const valuesOf = (body: any) =>
  Object.fromEntries(body.measurements.map((m: any) => [m.type, m.values.map((v: any) => v.value)]));
const seven = (v: string) => Array(7).fill(v);
const later = (first: string, rest: string) => [first, ...Array(6).fill(rest)];

describe('GET /api/v1/clusters/{clusterUuid}/metrics', () => {
  it('gives capacity, allocation, quota, workloads and wait over the range', async () => {
    const types =
      'TOTAL_GPU_NODES,TOTAL_GPU,ALLOCATED_GPU,UNALLOCATED_GPU,GPU_QUOTA,WORKLOADS_COUNT,AVG_WORKLOAD_WAIT_TIME';
    const r = await server.call('GET', `${CLUSTER}/metrics?metricType=${types}&${RANGE()}`);
    expect(r.status).toBe(200);
    expectContract('get_cluster_metrics', 200, r.body);
    expect(valuesOf(r.body)).toEqual({
      TOTAL_GPU_NODES: seven('6'),
      TOTAL_GPU: seven('40'),
      ALLOCATED_GPU: later('0', '24'),
      UNALLOCATED_GPU: later('40', '16'),
      GPU_QUOTA: seven('40'),
      WORKLOADS_COUNT: seven('3'),
      // big waits from the first cycle (1 s); at 0 s nobody waits yet: no value.
      AVG_WORKLOAD_WAIT_TIME: ['99', '199', '299', '399', '499', '599'],
    });
    expect(r.body.measurements[0].values[1].timestamp).toBe(new Date(epoch + 100_000).toISOString());
  });

  it('answers what it cannot model with no values', async () => {
    const types =
      'GPU_UTILIZATION,GPU_UTILIZATION_DISTRIBUTION,GPU_MEMORY_UTILIZATION,CPU_UTILIZATION,CPU_MEMORY_UTILIZATION';
    const r = await server.call('GET', `${CLUSTER}/metrics?metricType=${types}&${RANGE()}`);
    expect(r.status).toBe(200);
    expectContract('get_cluster_metrics', 200, r.body);
    expect(r.body.measurements.map((m: any) => m.values)).toEqual([[], [], [], [], []]);
  });

  it('groups by node pool, and filters by one', async () => {
    const r = await server.call(
      'GET',
      `${CLUSTER}/metrics?metricType=TOTAL_GPU,ALLOCATED_GPU&groupBy=Nodepool&${RANGE()}`,
    );
    expectContract('get_cluster_metrics', 200, r.body);
    const last = r.body.measurements.map((m: any) => [m.type, m.groups, m.values[6].value]);
    expect(last).toEqual([
      ['TOTAL_GPU', [{ key: 'Nodepool', value: 'h100' }], '32'],
      ['TOTAL_GPU', [{ key: 'Nodepool', value: 'l40s' }], '8'],
      ['ALLOCATED_GPU', [{ key: 'Nodepool', value: 'h100' }], '24'],
      ['ALLOCATED_GPU', [{ key: 'Nodepool', value: 'l40s' }], '0'],
    ]);
    const l40s = await server.call(
      'GET',
      `${CLUSTER}/metrics?metricType=TOTAL_GPU,GPU_QUOTA&nodepoolName=l40s&${RANGE()}`,
    );
    expect(valuesOf(l40s.body)).toEqual({ TOTAL_GPU: seven('8'), GPU_QUOTA: seven('8') });
  });

  it('has no values by workload category, which it does not record', async () => {
    const r = await server.call('GET', `${CLUSTER}/metrics?metricType=ALLOCATED_GPU&groupBy=Category&${RANGE()}`);
    expect(r.status).toBe(200);
    expectContract('get_cluster_metrics', 200, r.body);
    expect(r.body).toEqual({ measurements: [{ type: 'ALLOCATED_GPU', values: [] }] });
  });

  it('groups by project and department, showing only the queues the caller may use', async () => {
    const all = await server.call(
      'GET',
      `${CLUSTER}/metrics?metricType=ALLOCATED_GPU,TOTAL_GPU&groupBy=Project&${RANGE()}`,
    );
    expectContract('get_cluster_metrics', 200, all.body);
    const allocated = all.body.measurements.filter((m: any) => m.type === 'ALLOCATED_GPU');
    expect(allocated.map((m: any) => [m.groups[0].value, m.values[6].value])).toEqual([
      [PROJECT.serving, '16'],
      [PROJECT.training, '0'],
      [PROJECT.chat, '8'],
    ]);
    // Capacity belongs to pools, not projects.
    expect(
      all.body.measurements.filter((m: any) => m.type === 'TOTAL_GPU').every((m: any) => m.values.length === 0),
    ).toBe(true);
    const chat = await server.call(
      'GET',
      `${CLUSTER}/metrics?metricType=ALLOCATED_GPU,GPU_QUOTA&groupBy=Department&${RANGE()}`,
      undefined,
      TOKENS.chat,
    );
    expect(chat.status).toBe(200);
    expectContract('get_cluster_metrics', 200, chat.body);
    expect(chat.body.measurements.map((m: any) => [m.type, m.groups, m.values[6].value])).toEqual([
      ['ALLOCATED_GPU', [{ key: 'Department', value: '2' }], '8'],
      ['GPU_QUOTA', [{ key: 'Department', value: '2' }], '8'],
    ]);
  });

  it('answers 401, 404 and 400 as the contract says', async () => {
    const q = `metricType=TOTAL_GPU&${RANGE()}`;
    expect((await server.call('GET', `${CLUSTER}/metrics?${q}`, undefined, null)).status).toBe(401);
    const other = await server.call('GET', `/api/v1/clusters/11111111-1111-4111-8111-111111111111/metrics?${q}`);
    expect(other.status).toBe(404);
    expectContract('get_cluster_metrics', 404, other.body);
    const pool = await server.call('GET', `${CLUSTER}/metrics?${q}&nodepoolName=a100`);
    expect(pool.status).toBe(404);
    expect(pool.body.message).toMatch(/nodepoolName/);
    const backwards = `metricType=TOTAL_GPU&start=${new Date(epoch + 1000).toISOString()}&end=${new Date(epoch).toISOString()}`;
    const bad = await server.call('GET', `${CLUSTER}/metrics?${backwards}`);
    expect(bad.status).toBe(400);
    expectContract('get_cluster_metrics', 400, bad.body);
    expect(bad.body.message).toMatch(/^end/);
    expect((await server.call('GET', `${CLUSTER}/metrics?metricType=NVLINK&${RANGE()}`)).status).toBe(400);
    expect((await server.call('GET', `${CLUSTER}/metrics?metricType=TOTAL_GPU`)).status).toBe(400);
  });
});

describe('GET /api/v1/clusters/{clusterUuid}/nodepools/{nodepoolName}/metrics', () => {
  it("gives one pool's figures, the waiting workload counted in the pool it asks for first", async () => {
    const types = 'TOTAL_GPU_NODES,TOTAL_GPU,ALLOCATED_GPU,GPU_QUOTA,WORKLOADS_COUNT,CPU_UTILIZATION';
    const r = await server.call('GET', `${CLUSTER}/nodepools/h100/metrics?metricType=${types}&${RANGE()}`);
    expect(r.status).toBe(200);
    expectContract('get_nodepool_metrics', 200, r.body);
    expect(valuesOf(r.body)).toEqual({
      TOTAL_GPU_NODES: seven('4'),
      TOTAL_GPU: seven('32'),
      ALLOCATED_GPU: later('0', '24'),
      GPU_QUOTA: seven('32'),
      // At 0 s: big waits in Creating, a and c are not placed yet.
      WORKLOADS_COUNT: later('0', '3'),
      CPU_UTILIZATION: [],
    });
  });

  it('answers 404 for an unknown pool or cluster', async () => {
    const q = `metricType=TOTAL_GPU&${RANGE()}`;
    const missing = await server.call('GET', `${CLUSTER}/nodepools/a100/metrics?${q}`);
    expect(missing.status).toBe(404);
    expectContract('get_nodepool_metrics', 404, missing.body);
    expect(
      (await server.call('GET', `/api/v1/clusters/11111111-1111-4111-8111-111111111111/nodepools/h100/metrics?${q}`))
        .status,
    ).toBe(404);
    expect((await server.call('GET', `${CLUSTER}/nodepools/h100/metrics?${q}`, undefined, null)).status).toBe(401);
  });
});

describe('GET /api/v1/org-unit/projects/{projectId}/metrics', () => {
  const types =
    'GPU_QUOTA,GPU_ALLOCATION,CPU_ALLOCATION_MILLICORES,CPU_MEMORY_ALLOCATION_MB,CPU_QUOTA_MILLICORES,GPU_MEMORY_UTILIZATION';

  it("gives a project's quota and what its running pods hold", async () => {
    const r = await server.call(
      'GET',
      `/api/v1/org-unit/projects/${PROJECT.serving}/metrics?metricType=${types}&${RANGE()}`,
    );
    expect(r.status).toBe(200);
    expectContract('get_project_metrics', 200, r.body);
    expect(valuesOf(r.body)).toEqual({
      GPU_QUOTA: seven('24'),
      GPU_ALLOCATION: later('0', '16'),
      // a's two pods: 4 cores and 32 GiB each.
      CPU_ALLOCATION_MILLICORES: later('0', '8000'),
      CPU_MEMORY_ALLOCATION_MB: later('0', '68719.476736'),
      CPU_QUOTA_MILLICORES: [],
      GPU_MEMORY_UTILIZATION: [],
    });
    const l40s = await server.call(
      'GET',
      `/api/v1/org-unit/projects/${PROJECT.serving}/metrics?metricType=GPU_QUOTA,GPU_ALLOCATION&nodepoolName=l40s&${RANGE()}`,
    );
    expect(valuesOf(l40s.body)).toEqual({ GPU_QUOTA: seven('8'), GPU_ALLOCATION: seven('0') });
  });

  it('shows a project only to those who may use it', async () => {
    const q = `metricType=GPU_ALLOCATION&${RANGE()}`;
    const mine = await server.call(
      'GET',
      `/api/v1/org-unit/projects/${PROJECT.chat}/metrics?${q}`,
      undefined,
      TOKENS.chat,
    );
    expect(valuesOf(mine.body)).toEqual({ GPU_ALLOCATION: later('0', '8') });
    const other = await server.call(
      'GET',
      `/api/v1/org-unit/projects/${PROJECT.serving}/metrics?${q}`,
      undefined,
      TOKENS.chat,
    );
    expect(other.status).toBe(403);
    expectContract('get_project_metrics', 403, other.body);
    const missing = await server.call('GET', `/api/v1/org-unit/projects/999/metrics?${q}`);
    expect(missing.status).toBe(404);
    expectContract('get_project_metrics', 404, missing.body);
    expect(
      (await server.call('GET', `/api/v1/org-unit/projects/${PROJECT.chat}/metrics?${q}`, undefined, null)).status,
    ).toBe(401);
    const bad = await server.call(
      'GET',
      `/api/v1/org-unit/projects/${PROJECT.chat}/metrics?metricType=ALLOCATED_GPU&${RANGE()}`,
    );
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/metricType/);
  });
});

describe('GET /api/v1/workloads/telemetry', () => {
  const telemetry = async (query: string, token: string = TOKENS.dev) => {
    const r = await server.call('GET', `/api/v1/workloads/telemetry?${query}`, undefined, token);
    expect(r.status).toBe(200);
    expectContract('get_workloads_telemetry', 200, r.body);
    return r.body;
  };

  it('counts the workloads the caller may see, grouped by up to two fields', async () => {
    const all = await telemetry('telemetryType=WORKLOADS_COUNT');
    expect(all).toEqual({
      type: 'WORKLOADS_COUNT',
      timestamp: new Date(epoch + 600_000).toISOString(),
      values: [{ value: '3' }],
    });
    expect((await telemetry('telemetryType=WORKLOADS_COUNT', TOKENS.chat)).values).toEqual([{ value: '1' }]);
    const grouped = await telemetry('telemetryType=WORKLOADS_COUNT&groupBy=ProjectId,Phase');
    expect(grouped.values).toEqual([
      {
        value: '1',
        groups: [
          { key: 'ProjectId', value: PROJECT.serving, name: 'serving' },
          { key: 'Phase', value: 'Running' },
        ],
      },
      {
        value: '1',
        groups: [
          { key: 'ProjectId', value: PROJECT.chat, name: 'chat' },
          { key: 'Phase', value: 'Running' },
        ],
      },
      {
        value: '1',
        groups: [
          { key: 'ProjectId', value: PROJECT.serving, name: 'serving' },
          { key: 'Phase', value: 'Pending' },
        ],
      },
    ]);
    const running = await telemetry('telemetryType=WORKLOADS_COUNT&filterByPhases=Running&departmentId=1');
    expect(running.values).toEqual([{ value: '1' }]);
  });

  it('sums GPUs by current node pool, and spreads the waiting over time buckets', async () => {
    const gpus = await telemetry('telemetryType=GPU_ALLOCATION&groupBy=CurrentNodepools');
    expect(gpus.values).toEqual([
      { value: '24', groups: [{ key: 'CurrentNodepools', value: 'h100' }] },
      { value: '0', groups: [{ key: 'CurrentNodepools', value: '' }] },
    ]);
    expect((await telemetry('telemetryType=GPU_ALLOCATION&nodepoolName=h100')).values).toEqual([{ value: '24' }]);
    const waits = await telemetry('telemetryType=PENDING_TIME_DISTRIBUTION');
    expect(waits.values.map((v: any) => [v.groups[0].value, v.value])).toEqual([
      ['0-5m', '0'],
      ['5m-30m', '1'],
      ['30m-2h', '0'],
      ['2h+', '0'],
    ]);
  });

  it('answers 401, 404 and 400 as the contract says', async () => {
    expect(
      (await server.call('GET', '/api/v1/workloads/telemetry?telemetryType=WORKLOADS_COUNT', undefined, null)).status,
    ).toBe(401);
    expect((await server.call('GET', '/api/v1/workloads/telemetry')).status).toBe(400);
    const tooMany = await server.call(
      'GET',
      '/api/v1/workloads/telemetry?telemetryType=WORKLOADS_COUNT&groupBy=Type,Phase,ProjectId',
    );
    expect(tooMany.status).toBe(400);
    const buckets = await server.call(
      'GET',
      '/api/v1/workloads/telemetry?telemetryType=PENDING_TIME_DISTRIBUTION&groupBy=Type,Phase',
    );
    expect(buckets.status).toBe(400);
    expectContract('get_workloads_telemetry', 400, buckets.body);
    expect(buckets.body.message).toMatch(/^groupBy/);
    for (const filter of ['departmentId=9', 'nodepoolName=a100', 'clusterId=11111111-1111-4111-8111-111111111111']) {
      const r = await server.call('GET', `/api/v1/workloads/telemetry?telemetryType=WORKLOADS_COUNT&${filter}`);
      expect(r.status).toBe(404);
      expectContract('get_workloads_telemetry', 404, r.body);
    }
  });
});

describe('the figures over time', () => {
  it('follow a node fault, and are rebuilt identically from the journal', async () => {
    expect((await server.call('POST', '/sim/v1/faults', { node: 'l40s-1', ready: false }, TOKENS.admin)).status).toBe(
      202,
    );
    await server.advance(60);
    const q = `${CLUSTER}/metrics?metricType=TOTAL_GPU_NODES,TOTAL_GPU,ALLOCATED_GPU,WORKLOADS_COUNT,AVG_WORKLOAD_WAIT_TIME&groupBy=Nodepool&start=${new Date(epoch).toISOString()}&end=${new Date(epoch + 660_000).toISOString()}&numberOfSamples=12`;
    const before = await server.call('GET', q);
    const l40s = before.body.measurements.filter(
      (m: any) => m.groups[0].value === 'l40s' && m.type !== 'ALLOCATED_GPU',
    );
    expect(l40s.slice(0, 2).map((m: any) => m.values.at(-1).value)).toEqual(['1', '4']);
    const { dataDir } = server;
    await server.close();
    server = await startLwsim({ dataDir });
    const after = await server.call('GET', q);
    expect(after.body).toEqual(before.body);
  });
});
