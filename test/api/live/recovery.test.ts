/**
 * Journal recovery of the real `lwsim serve` process: accepted requests survive a kill -9 at any moment, and the
 * restarted server rebuilds exactly the state it had.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const CLUSTER = `name: recovery
nodePools:
  - name: gpu
    nodes:
      - count: 4
        gpu: { model: H100-SXM-80GB, count: 8 }
        cpu: 96
        memory: 1Ti
departments:
  - name: d
    quota: { gpu: { deserved: 32 } }
    projects:
      - name: p
        quota: { gpu: { deserved: 32 } }
users:
  - email: tester@lwsim
    token: recovery-test-token-000000
    admin: true
`;
const TOKEN = 'recovery-test-token-000000';
const BIN = new URL('../../../bin/lwsim.js', import.meta.url).pathname;

let children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children) child.kill('SIGKILL');
  children = [];
});

async function serve(dir: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [
      BIN,
      'serve',
      '--port',
      '0',
      '--time-scale',
      '0',
      '--cluster',
      join(dir, 'cluster.yaml'),
      '--data-dir',
      join(dir, 'data'),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.push(child);
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /serving the Run:ai API at (http:\/\/\S+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    child.stderr!.on('data', (chunk: Buffer) => void (out += chunk.toString()));
    child.on('exit', (code) => reject(new Error(`lwsim serve exited (${code}): ${out}`)));
  });
  return { url, child };
}

/** `body`: sent as JSON, or as it is when it is text already. */
async function call(url: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${TOKEN}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  return { status: response.status, body: await response.json() };
}

async function state(url: string) {
  const list = await call(url, 'GET', '/api/v1/workloads?sortBy=name');
  const deleted = await call(url, 'GET', '/api/v1/workloads?deleted=true');
  const pods = await Promise.all(
    list.body.workloads.map(async (w: { id: string }) =>
      (await call(url, 'GET', `/api/v1/workloads/${w.id}/pods`)).body.pods.map(
        (p: { name: string; nodeName: string; k8sPhase: string }) => [p.name, p.nodeName, p.k8sPhase],
      ),
    ),
  );
  // The echoed requests too: a replay must give back what was submitted, with the contract's defaults.
  const inferences = await Promise.all(
    list.body.workloads.map(
      async (w: { id: string }) => (await call(url, 'GET', `/api/v1/workloads/distributed-inferences/${w.id}`)).body,
    ),
  );
  const clock = (await call(url, 'GET', '/sim/v1/clock')).body.simulatedSeconds;
  return {
    clock,
    workloads: list.body.workloads.map((w: any) => [w.id, w.name, w.phase, w.requestedPods.number]),
    deleted: deleted.body.workloads.map((w: any) => w.name),
    pods,
    inferences,
  };
}

function creation(clusterId: string, name: string, replicas = 1, prefix = false) {
  const pod = { image: 'vllm', compute: { gpuDevicesRequest: 4 } };
  return {
    name,
    projectId: '101',
    clusterId,
    useGivenNameAsPrefix: prefix,
    spec: { workers: 1, replicas, leader: pod, worker: pod, servingPort: { port: 8000 } },
  };
}

describe('journal recovery', () => {
  it('rebuilds the exact state after kill -9', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lwsim-recovery-'));
    writeFileSync(join(dir, 'cluster.yaml'), CLUSTER);
    const first = await serve(dir);
    const clusterId = (await call(first.url, 'GET', '/sim/v1/cluster')).body.clusterId;
    const a = await call(first.url, 'POST', '/api/v1/workloads/distributed-inferences', creation(clusterId, 'alpha'));
    await call(first.url, 'POST', '/sim/v1/clock/advance', { seconds: 30 });
    const b = await call(
      first.url,
      'POST',
      '/api/v1/workloads/distributed-inferences',
      creation(clusterId, 'beta', 1, true),
    );
    expect(b.status).toBe(202);
    await call(first.url, 'PATCH', `/api/v1/workloads/distributed-inferences/${a.body.workloadId}`, {
      spec: { replicas: 2 },
    });
    await call(first.url, 'POST', '/sim/v1/clock/advance', { seconds: 100 });
    await call(first.url, 'DELETE', `/api/v1/workloads/distributed-inferences/${b.body.workloadId}`);
    await call(first.url, 'POST', '/sim/v1/clock/advance', { seconds: 120 });
    // Acknowledged concurrently, then killed at once: every one of them must survive.
    const burst = await Promise.all(
      ['c1', 'c2', 'c3', 'c4'].map((n) =>
        call(first.url, 'POST', '/api/v1/workloads/distributed-inferences', creation(clusterId, n, 0)),
      ),
    );
    expect(burst.map((r) => r.status)).toEqual([202, 202, 202, 202]);
    // A request is journaled as the client sent it: one without the fields the contract defaults (replayed with the
    // same defaults), and one on several lines (journaled re-encoded on one line instead).
    const bare = `{"name":"delta","projectId":"101","clusterId":"${clusterId}","spec":{"leader":{"image":"vllm"}}}`;
    const pretty = JSON.stringify(creation(clusterId, 'gamma', 0), null, 2);
    expect((await call(first.url, 'POST', '/api/v1/workloads/distributed-inferences', bare)).status).toBe(202);
    expect((await call(first.url, 'POST', '/api/v1/workloads/distributed-inferences', pretty)).status).toBe(202);
    const journal = readFileSync(join(dir, 'data', 'journal.jsonl'), 'utf8');
    expect(journal).toContain(`"request":${bare},`);
    const entries = journal
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { command?: { request?: { name?: string } } });
    expect(entries.filter((e) => e.command?.request?.name === 'gamma')).toHaveLength(1);
    const before = await state(first.url);
    // (servingPort.protocol was not sent: the contract's default is part of what must come back.)
    expect(before.inferences[0].spec.servingPort.protocol).toBe('http');
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.on('exit', resolve));

    const second = await serve(dir);
    const after = await state(second.url);
    expect(after).toEqual(before);
    expect(after.workloads.map((w: unknown[]) => w[1])).toEqual(['alpha', 'c1', 'c2', 'c3', 'c4', 'delta', 'gamma']);
    const delta = after.inferences[5];
    expect([delta.spec.replicas, delta.spec.workers, delta.spec.startupPolicy, delta.spec.restartPolicy]).toEqual([
      1,
      0,
      'LeaderCreated',
      'RecreateGroupOnPodRestart',
    ]);
    expect(after.deleted).toEqual([expect.stringMatching(/^beta-[a-z0-9]{5}$/)]);
  }, 60_000);
});

describe('when the journal cannot be written', () => {
  it('answers 500 to the request that could not be recorded, 503 to everything after, and a restart recovers without it', async () => {
    const { startLwsim, creation } = await import('./lwsim-server.ts');
    const { contractErrors } = await import('../../../src/contract/ajv.ts');
    const server = await startLwsim();
    try {
      expect(
        (await server.call('POST', '/api/v1/workloads/distributed-inferences', creation('kept', { replicas: 0 })))
          .status,
      ).toBe(202);
      // The disk goes away under the server: its journal handle is closed.
      await (server.live as unknown as { journal: { close(): Promise<void> } }).journal.close();
      const lost = await server.call(
        'POST',
        '/api/v1/workloads/distributed-inferences',
        creation('lost', { replicas: 0 }),
      );
      expect(lost.status).toBe(500);
      expect(contractErrors('Error', lost.body)).toEqual([]);
      const after = await server.call('GET', '/api/v1/workloads');
      expect(after.status).toBe(503);
      expect(after.body.message).toContain('the journal could not be written');
      expect(contractErrors('Error', after.body)).toEqual([]);
    } finally {
      await server.close().catch(() => undefined);
    }
    const restarted = await startLwsim({ dataDir: server.dataDir });
    try {
      const names = (await restarted.call('GET', '/api/v1/workloads')).body.workloads.map(
        (w: { name: string }) => w.name,
      );
      expect(names).toEqual(['kept']);
    } finally {
      await restarted.close();
    }
  });
});
