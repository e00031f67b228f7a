// A restart after journal compaction, over HTTP on a real port: every answer a client can get is the one it got
// before the restart, and the server goes on from there as it would have.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLUSTER_ID, creation, PROJECT, startLwsim, TOKENS, type LwsimServer } from './lwsim-server.ts';

const DI = '/api/v1/workloads/distributed-inferences';

/** What a client reads: lists, each workload with its pods, events and metrics, the cluster, nodes and metrics. */
async function answers(server: LwsimServer): Promise<unknown> {
  const get = async (path: string, token: string = TOKENS.dev) => {
    const r = await server.call('GET', path, undefined, token);
    return [r.status, r.body];
  };
  const list = (await server.call('GET', '/api/v1/workloads?deleted=true&limit=500')).body;
  const live = (await server.call('GET', '/api/v1/workloads?limit=500')).body;
  const ids: string[] = [...list.workloads, ...live.workloads].map((w: { id: string }) => w.id);
  const created = Date.parse((await server.call('GET', `/api/v1/clusters/${CLUSTER_ID}`)).body.createdAt);
  const range = `start=${new Date(created).toISOString()}&end=${new Date(created + 3 * 3600_000).toISOString()}&numberOfSamples=12`;
  const perWorkload = [];
  for (const id of ids)
    perWorkload.push(
      await get(`/api/v1/workloads/${id}`),
      await get(`/api/v1/workloads/${id}/pods`),
      await get(`/api/v1/workloads/${id}/events?limit=500`),
      await get(`/api/v1/workloads/${id}/history?limit=500`),
      await get(`/api/v1/workloads/${id}/metrics?metricType=GPU_ALLOCATION,RUNNING_POD_COUNT&${range}`),
    );
  // The server's own address is in serving URLs: a restart listens on another port.
  return JSON.parse(
    JSON.stringify({
      list,
      perWorkload,
      all: live,
      count: await get('/api/v1/workloads/count'),
      pods: await get('/api/v1/workloads/pods'),
      clock: await get('/sim/v1/clock'),
      cluster: await get('/sim/v1/cluster', TOKENS.admin),
      nodes: await get('/api/v1/nodes'),
      metrics: await get(
        `/api/v1/clusters/${CLUSTER_ID}/metrics?metricType=TOTAL_GPU,ALLOCATED_GPU,WORKLOADS_COUNT,AVG_WORKLOAD_WAIT_TIME&groupBy=Project&${range}`,
      ),
    }).replaceAll(server.url, 'URL'),
  );
}

/** Creates, scales, deletes and fails nodes, with the clock moving between. */
async function traffic(server: LwsimServer, tag: string): Promise<void> {
  const ids: string[] = [];
  for (let i = 0; i < 6; i++) {
    const body = creation(`${tag}-${i}`, {
      replicas: 1 + (i % 2),
      projectId: i % 3 === 0 ? PROJECT.training : PROJECT.serving,
    });
    const r = await server.call('POST', DI, body);
    expect(r.status).toBe(202);
    ids.push(r.body.workloadId);
    await server.advance(20 + i * 7);
  }
  expect((await server.call('PATCH', `${DI}/${ids[1]}`, { spec: { replicas: 3 } })).status).toBe(202);
  await server.advance(90);
  expect((await server.call('DELETE', `${DI}/${ids[2]}`)).status).toBe(202);
  await server.advance(200);
}

describe('POST /sim/v1/journal/compact', () => {
  it('compacts now for an administrator, and is refused to others', async () => {
    const server = await startLwsim({ compaction: { entries: 0 } });
    await traffic(server, 'e');
    expect((await server.call('POST', '/sim/v1/journal/compact')).status).toBe(403);
    const r = await server.call('POST', '/sim/v1/journal/compact', undefined, TOKENS.admin);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ snapshot: 'snapshot-1.json', bytes: expect.any(Number), at: expect.any(String) });
    expect(r.body.at).toBe((await server.call('GET', '/sim/v1/clock')).body.now);
    expect((await server.call('GET', '/sim/v1/journal/compact', undefined, TOKENS.admin)).status).toBe(405);
    await server.close();
  });
});

describe('restart after compaction', () => {
  it('answers every read as before the restart, and goes on as it would have', async () => {
    const server = await startLwsim({ compaction: { entries: 0 } });
    await traffic(server, 'a');
    const compacted = await server.live.compact();
    expect(compacted.ok).toBe(true);
    await traffic(server, 'b');
    const before = await answers(server);
    await server.close();
    const journal = readFileSync(join(server.dataDir, 'journal.jsonl'), 'utf8');
    expect(JSON.parse(journal.split('\n')[0]!).kind).toBe('base');

    // The same requests against a journal never compacted, restarted too: the reference.
    const reference = await startLwsim({ compaction: { entries: 0 } });
    await traffic(reference, 'a');
    await traffic(reference, 'b');
    await reference.close();

    const again = await startLwsim({ dataDir: server.dataDir, compaction: { entries: 0 } });
    const whole = await startLwsim({ dataDir: reference.dataDir, compaction: { entries: 0 } });
    expect(await answers(again)).toEqual(before);
    await traffic(again, 'c');
    await traffic(whole, 'c');
    const [a, b] = [await answers(again), await answers(whole)];
    // Ids created after a restart carry the start's wall time, dates the first start's: equal up to those.
    const masked = (v: unknown) =>
      JSON.parse(
        JSON.stringify(v)
          .replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, 'ID')
          .replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, 'DATE')
          .replace(/"(start|end)=[^"&]*/g, 'RANGE'),
      );
    expect(masked(a)).toEqual(masked(b));
    await again.close();
    await whole.close();
  });
});
