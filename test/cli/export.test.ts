import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments, stringify } from 'yaml';
import type { WorkloadManifest } from '../../src/export/lws-manifest.ts';
import { creation, startLwsim, TOKENS, type LwsimServer } from '../api/live/lwsim-server.ts';
import { manifestProblems } from '../export/manifest-check.ts';

const ROOT = join(import.meta.dirname, '../..');
const DIR = mkdtempSync(join(tmpdir(), 'lwsim-export-'));

/** The CLI in a child process, awaited without blocking this one (a test server may have to answer it). */
function lwsim(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [join(ROOT, 'bin/lwsim.js'), 'export', ...args], {
    env: { ...process.env, LWSIM_TOKEN: '' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((done) => child.on('close', (code) => done({ code, stdout, stderr })));
}

function file(name: string, text: string): string {
  const path = join(DIR, name);
  writeFileSync(path, text);
  return path;
}

const REQUEST = {
  name: 'llama',
  projectId: '101',
  clusterId: '00000000-0000-4000-8000-000000000000',
  spec: {
    workers: 1,
    servingPort: { port: 8000 },
    leader: { image: 'vllm/vllm-openai:v0.8.5', command: 'vllm serve x', compute: { gpuDevicesRequest: 8 } },
    worker: { image: 'vllm/vllm-openai:v0.8.5', compute: { gpuDevicesRequest: 8 } },
  },
};

function documents(yaml: string): WorkloadManifest {
  const [leaderWorkerSet, service] = parseAllDocuments(yaml).map((d) => d.toJS()) as [
    WorkloadManifest['leaderWorkerSet'],
    WorkloadManifest['service'],
  ];
  return { leaderWorkerSet, service: service ?? null };
}

describe('lwsim export --request', () => {
  it('prints the manifest of a YAML or JSON request body, against the default cluster file', async () => {
    const [yaml, json] = await Promise.all([
      lwsim('--request', file('request.yaml', stringify(REQUEST))),
      lwsim('--request', file('request.json', JSON.stringify(REQUEST)), '--json'),
    ]);
    expect(yaml).toMatchObject({ code: 0, stderr: '' });
    const m = documents(yaml.stdout);
    expect(manifestProblems(m)).toEqual([]);
    // Project 101 of the default cluster file.
    expect(m.leaderWorkerSet.metadata.labels).toEqual({ 'runai/queue': 'llm-serving' });
    expect(m.service?.metadata?.name).toBe('llama-leader');
    expect(json.code).toBe(0);
    expect(parse(json.stdout)).toEqual({ apiVersion: 'v1', kind: 'List', items: [m.leaderWorkerSet, m.service] });
  });

  it('looks the project and node pools up in --cluster', async () => {
    const cluster = file(
      'cluster.yaml',
      'name: t\nnodePools: [{ name: gpu, nodes: [{ count: 1, gpu: { model: H100-SXM-80GB, count: 8 }, cpu: 8, memory: 64Gi }] }]\ndepartments: [{ name: d, projects: [{ name: team-a }] }]\n',
    );
    const request = file('pooled.json', JSON.stringify({ ...REQUEST, spec: { ...REQUEST.spec, nodePools: ['gpu'] } }));
    const r = await lwsim('--request', request, '--cluster', cluster);
    expect(r.code).toBe(0);
    const lws = documents(r.stdout).leaderWorkerSet;
    expect(lws.metadata.namespace).toBe('runai-team-a');
    expect(lws.spec.leaderWorkerTemplate.workerTemplate.spec?.nodeSelector).toEqual({ 'run.ai/node-pool': 'gpu' });
  });

  it.each([
    [{ ...REQUEST, spec: { ...REQUEST.spec, workers: '2' } }, 'spec.workers: must be integer or null'],
    [{ ...REQUEST, projectId: '999' }, 'projectId: no project with id 999'],
    [{ ...REQUEST, name: undefined }, 'name: is required'],
    [{ ...REQUEST, spec: { ...REQUEST.spec, worker: null } }, 'spec.worker: is required when spec.workers is 1'],
  ])('refuses a bad request with the API’s message naming the field, exit 2 (%#)', async (body, message) => {
    const path = file('bad.json', JSON.stringify(body));
    const r = await lwsim('--request', path);
    expect(r).toMatchObject({ code: 2, stdout: '' });
    expect(r.stderr).toBe(`lwsim export: ${path}: ${message}\n`);
  });

  it.each([
    [[], /give either --request FILE or --workload ID/],
    [['--request', join(DIR, 'missing.json')], /missing\.json: ENOENT/],
    [['--request', 'x.json', '--url', 'http://x'], /--url and --token are for --workload/],
    [['--workload', 'abc'], /--workload needs --url URL/],
  ])('refuses %j, exit 2', async (args, message) => {
    const r = await lwsim(...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});

describe('lwsim export --workload', () => {
  let server: LwsimServer;
  let id = '';
  beforeAll(async () => {
    server = await startLwsim();
    id = (await server.call('POST', '/api/v1/workloads/distributed-inferences', creation('llama'))).body.workloadId;
  });
  afterAll(async () => server.close());

  it('prints what the running server answers for the workload', async () => {
    const [yaml, json] = await Promise.all([
      lwsim('--workload', id, '--url', `${server.url}/`, '--token', TOKENS.dev),
      lwsim('--workload', id, '--url', server.url, '--token', TOKENS.dev, '--json'),
    ]);
    expect(yaml).toMatchObject({ code: 0, stderr: '' });
    expect(yaml.stdout).toBe((await server.call('GET', `/sim/v1/workloads/${id}/manifest`)).text);
    expect(parse(json.stdout)).toMatchObject({ kind: 'List', items: [{ kind: 'LeaderWorkerSet' }] });
  });

  it('reports the server’s refusal, exit 1', async () => {
    const r = await lwsim('--workload', id, '--url', server.url, '--token', TOKENS.chat);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^lwsim export: 403 from .*: you may not use project serving\n$/);
  });
});
