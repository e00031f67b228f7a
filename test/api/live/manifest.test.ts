/** GET /sim/v1/workloads/{id}/manifest over a real port: the LWS export of a live workload. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import type { WorkloadManifest } from '../../../src/export/lws-manifest.ts';
import { manifestProblems } from '../../export/manifest-check.ts';
import { PROJECT, TOKENS, creation, startLwsim, type LwsimServer } from './lwsim-server.ts';

const DI = '/api/v1/workloads/distributed-inferences';
const UNKNOWN = '0b5e3c1d-2f4a-4b6c-8d7e-9f0a1b2c3d4e';
let server: LwsimServer;
let id = '';
const manifestOf = (workload: string, query = '', token: string | null = TOKENS.dev) =>
  server.call('GET', `/sim/v1/workloads/${workload}/manifest${query}`, undefined, token);

beforeAll(async () => {
  server = await startLwsim();
  const body = creation('llama', { workers: 1, gpus: 8 });
  const spec = body.spec as Record<string, Record<string, unknown>>;
  spec.servingPort = { port: 8000 };
  spec.nodePools = ['h100'] as never;
  spec.leader = { ...spec.leader, command: 'vllm serve meta-llama/Llama-3.1-70B', args: '--tensor-parallel-size 8' };
  const created = await server.call('POST', DI, body);
  expect(created.status).toBe(202);
  id = created.body.workloadId;
  expect((await server.call('PATCH', `${DI}/${id}`, { spec: { replicas: 2 } })).status).toBe(202);
});
afterAll(async () => server.close());

describe('GET /sim/v1/workloads/{workloadId}/manifest', () => {
  it('answers YAML documents, the LeaderWorkerSet with the current replicas and then its Service', async () => {
    const r = await manifestOf(id);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/yaml; charset=utf-8');
    const [lws, service] = parseAllDocuments(r.text).map((d) => d.toJS()) as [
      WorkloadManifest['leaderWorkerSet'],
      NonNullable<WorkloadManifest['service']>,
    ];
    expect(manifestProblems({ leaderWorkerSet: lws, service })).toEqual([]);
    expect(lws.metadata).toEqual({ name: 'llama', namespace: 'runai-serving', labels: { 'runai/queue': 'serving' } });
    expect(lws.spec).toMatchObject({ replicas: 2, leaderWorkerTemplate: { size: 2 } });
    const leader = lws.spec.leaderWorkerTemplate.leaderTemplate!;
    expect(leader.spec).toMatchObject({
      schedulerName: 'runai-scheduler',
      nodeSelector: { 'run.ai/node-pool': 'h100' },
      containers: [
        {
          command: ['vllm', 'serve', 'meta-llama/Llama-3.1-70B'],
          args: ['--tensor-parallel-size', '8'],
          resources: { requests: { cpu: '4', memory: '32Gi' }, limits: { 'nvidia.com/gpu': '8' } },
        },
      ],
    });
    expect(service).toMatchObject({ kind: 'Service', metadata: { name: 'llama-leader' } });
  });

  it('answers a JSON List of the same objects with ?format=json', async () => {
    const [yaml, json] = await Promise.all([manifestOf(id), manifestOf(id, '?format=json')]);
    expect(json.status).toBe(200);
    expect(json.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(json.body).toEqual({
      apiVersion: 'v1',
      kind: 'List',
      items: parseAllDocuments(yaml.text).map((d) => d.toJS()),
    });
  });

  it('refuses whoever may not GET the workload, as GET does', async () => {
    for (const [workload, token] of [
      [id, TOKENS.chat],
      [UNKNOWN, TOKENS.dev],
      ['not-a-uuid', TOKENS.dev],
      [id, null],
    ] as const) {
      const [manifest, get] = await Promise.all([
        manifestOf(workload, '', token),
        server.call('GET', `${DI}/${workload}`, undefined, token),
      ]);
      expect({ workload, token, status: manifest.status }).toEqual({ workload, token, status: get.status });
      expect(manifest.body.code).toBe(manifest.status);
    }
    expect((await manifestOf(UNKNOWN)).body.message).toBe(`workload ${UNKNOWN} not found`);
    expect((await manifestOf(id, '', TOKENS.chat)).status).toBe(403);
  });

  it('answers 400 for an unknown format and 404 once the workload is deleted', async () => {
    const bad = await manifestOf(id, '?format=xml');
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/format/);
    const doomed = (await server.call('POST', DI, creation('doomed', { workers: 0, gpus: 1 }))).body.workloadId;
    expect((await manifestOf(doomed)).status).toBe(200);
    await server.call('DELETE', `${DI}/${doomed}`);
    expect((await manifestOf(doomed)).status).toBe(404);
  });

  it('answers 409 for a workload whose command no shell could split', async () => {
    const body = creation('quoted', { workers: 0, gpus: 1, projectId: PROJECT.serving });
    (body.spec as { leader: Record<string, unknown> }).leader.command = 'sh -c "unclosed';
    const created = (await server.call('POST', DI, body)).body.workloadId;
    const r = await manifestOf(created);
    expect(r.status).toBe(409);
    expect(r.body.message).toBe(
      'workload quoted has no Kubernetes manifest: spec.leader.command: has an unclosed double quote',
    );
    expect(parse(r.text)).toMatchObject({ code: 409 });
  });
});
