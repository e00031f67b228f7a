/** Capacity search over HTTP: started, followed by id, answered as the CLI answers; the live cluster untouched. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { searchCapacity } from '../../../sim/capacity/index.ts';
import { buildQuestion, syntheticTraffic } from '../../../src/capacity/question.ts';
import { startLwsim, TEST_CLUSTER, type LwsimServer } from './lwsim-server.ts';

let server: LwsimServer;
beforeAll(async () => void (server = await startLwsim()));
afterAll(async () => server.close());

const traffic = { rate: 10, inputTokens: 512, outputTokens: 64, requests: 150 };
const BODY = { model: 'llama-3.1-8b', traffic, slo: ['ttft:p90<=500ms', 'tpot:p99<=50ms'], tp: [1, 2] };

async function finished(id: string): Promise<Record<string, unknown>> {
  for (;;) {
    const r = await server.call('GET', `/sim/v1/capacity/${id}`);
    expect(r.status).toBe(200);
    if (r.body.status !== 'running') return r.body;
    await new Promise((done) => setTimeout(done, 100));
  }
}

describe('POST /sim/v1/capacity', () => {
  it('answers 202 with an id, then the answer the search gives in-process; the live cluster is untouched', async () => {
    const journal = () => readFileSync(join(server.dataDir, 'journal.jsonl'), 'utf8');
    const before = { clock: (await server.call('GET', '/sim/v1/clock')).body, journal: journal() };
    const r = await server.call('POST', '/sim/v1/capacity', BODY);
    expect(r.status).toBe(202);
    expect(r.headers.location).toBe(`/sim/v1/capacity/${r.body.id}`);
    expect(r.body).toMatchObject({ status: 'running', progress: { done: 0 } });
    const done = await finished(r.body.id);
    expect(done).toMatchObject({ status: 'succeeded', progress: { done: 4, total: 4 } });
    const built = buildQuestion({ ...BODY, gpus: ['H100-SXM-80GB'], requests: syntheticTraffic(traffic) });
    if (!built.ok) throw new Error(built.message);
    // The cluster's GPU types with a price (its L40S has none) and its nodes' 8 GPUs.
    const expected = await searchCapacity({ ...built.question, gpusPerNode: 8, gpuTypes: TEST_CLUSTER.gpuTypes });
    const { prices, creation, ...answer } = done.result as Record<string, unknown>;
    expect(prices).toMatch(/mercatus/);
    expect(answer).toEqual(JSON.parse(JSON.stringify(expected)));
    expect(creation).toMatchObject({ clusterId: TEST_CLUSTER.id, spec: { replicas: expected.best!.replicas } });
    expect({ clock: (await server.call('GET', '/sim/v1/clock')).body, journal: journal() }).toEqual(before);
  });

  it.each([
    [{ traffic: { rate: 10, inputTokens: 512 } }, 'traffic.outputTokens: required'],
    [
      { traffic: { ...traffic, arrivals: [{ arrival: 0, inputTokens: 1, outputTokens: 1 }] } },
      'traffic.rate: give either',
    ],
    [
      {
        traffic: {
          arrivals: [
            { arrival: 1, inputTokens: 8, outputTokens: 8 },
            { arrival: 0, inputTokens: 8, outputTokens: 8 },
          ],
        },
      },
      'traffic.arrivals[1].arrival: arrivals must be in time order',
    ],
    [{ slo: ['ttft<500'] }, 'slo: "ttft<500" is not METRIC:pP<=BOUND'],
    [{ model: 'llama-9' }, 'model: unknown model "llama-9"'],
    [{ gpus: ['H100'] }, 'gpus: unknown GPU "H100"'],
    [{ gpus: ['L40S-48GB'] }, 'gpus: no default price for L40S-48GB'],
    [{ routers: ['random'] }, 'routers: unknown router "random"'],
    [{ goodput: 1.5 }, 'goodput: must be a fraction'],
    [{ creation: { name: 'Big' } }, 'creation.name: must be a DNS-1123 label'],
  ])('refuses %j with 400 naming the field', async (change, message) => {
    const r = await server.call('POST', '/sim/v1/capacity', { ...BODY, ...change });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe(400);
    expect(r.body.message).toContain(message);
  });

  it('refuses what the schema does not allow, and answers 404 for an unknown search', async () => {
    const unknownField = await server.call('POST', '/sim/v1/capacity', { ...BODY, replicas: 3 });
    expect(unknownField.status).toBe(400);
    expect(JSON.stringify(unknownField.body)).toMatch(/replicas/);
    const tooMany = await server.call('POST', '/sim/v1/capacity', {
      ...BODY,
      tp: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17],
    });
    expect(tooMany.status).toBe(400);
    const missing = await server.call('GET', '/sim/v1/capacity/6f1c0c1e-0000-4000-8000-000000000000');
    expect(missing.status).toBe(404);
    expect(missing.body.message).toMatch(/^id: no capacity search/);
    expect((await server.call('GET', '/sim/v1/capacity/not-a-uuid')).status).toBe(400);
  });
});
