/**
 * The real lwsim server for integration tests: a small cluster with two departments, a manual clock, a journal
 * in a temp folder, listening on 127.0.0.1 on a free port. Every response body can be checked against the
 * contract with `expectContract`.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { GIB, GPU_CATALOG, type ClusterSpec } from '../../../sim/cluster/index.ts';
import { contractErrors } from '../../../src/contract/ajv.ts';
import { responseSchema } from '../../../src/contract/contract.ts';
import { buildServer } from '../../../src/api/server.ts';
import type { ServerUser } from '../../../src/config/server-config.ts';
import { LiveCluster } from '../../../src/runtime/live-cluster.ts';
import { tokenSecret } from '../../../src/runtime/token-secret.ts';
import type { CompactionPolicy } from '../../../src/runtime/compaction.ts';
import { AccessTokens, sha256Hex, type Application } from '../../../src/api/access-tokens.ts';
import { parseClusterText } from '../../../src/config/cluster-document.ts';
import type { WorkloadTraffic } from '../../../sim/serving/traffic.ts';

export const TOKENS = {
  dev: 'test-dev-token-0000000000',
  chat: 'test-chat-token-000000000',
  admin: 'test-admin-token-00000000',
} as const;
export const CLUSTER_ID = '3a1f6c2e-9b4d-4e8a-8c7f-1d2e3f4a5b6c';

/** 4 nodes x 8 H100 in racks of 2 (pool h100), 2 nodes x 4 L40S with a taint (pool l40s). */
export const TEST_CLUSTER: ClusterSpec = {
  name: 'test',
  id: CLUSTER_ID,
  topologyLevels: [{ name: 'rack', label: 'lwsim.io/topology.rack' }],
  nodePools: [
    {
      name: 'h100',
      placement: 'binpack',
      nodes: [
        {
          count: 4,
          gpu: { model: 'H100-SXM-80GB', count: 8 },
          cpuMillis: 96_000,
          memoryBytes: 1024 * GIB,
          labels: { 'run.ai/type': 'h100' },
          taints: [],
          topology: { rack: 2 },
        },
      ],
    },
    {
      name: 'l40s',
      placement: 'spread',
      nodes: [
        {
          count: 2,
          gpu: { model: 'L40S-48GB', count: 4 },
          cpuMillis: 64_000,
          memoryBytes: 512 * GIB,
          labels: { 'run.ai/type': 'l40s' },
          taints: [{ key: 'dedicated', value: 'inference', effect: 'NoSchedule' }],
          topology: {},
        },
      ],
    },
  ],
  departments: [
    {
      name: 'research',
      rank: 0,
      quotas: { h100: { deserved: 24 }, l40s: { deserved: 8 } },
      projects: [
        { name: 'serving', rank: 0, quotas: { h100: { deserved: 16 }, l40s: { deserved: 8 } } },
        { name: 'training', rank: 0, quotas: { h100: { deserved: 8 } } },
      ],
    },
    {
      name: 'product',
      rank: 0,
      quotas: { h100: { deserved: 8 } },
      projects: [{ name: 'chat', rank: 0, quotas: { h100: { deserved: 8 } } }],
    },
  ],
  gpuTypes: GPU_CATALOG,
};
/** Who may call the test server: a developer with every project, the chat team with one. */
export const TEST_USERS: readonly ServerUser[] = [
  { email: 'dev@test', token: TOKENS.dev, projects: 'all', admin: false },
  { email: 'chat@test', token: TOKENS.chat, projects: ['chat'], admin: false },
];
/** Applications that may ask POST /api/v1/token for access tokens: one for project chat, one administrator. */
export const APPLICATIONS = {
  chatBot: { id: 'chat-bot', secret: 'chat-bot-secret-00000000' },
  adminBot: { id: 'admin-bot', secret: 'admin-bot-secret-0000000' },
} as const;
const TEST_APPLICATIONS: readonly Application[] = [
  {
    id: APPLICATIONS.chatBot.id,
    secretSha256: sha256Hex(APPLICATIONS.chatBot.secret),
    projects: ['chat'],
    admin: false,
  },
  { id: APPLICATIONS.adminBot.id, secretSha256: sha256Hex(APPLICATIONS.adminBot.secret), projects: 'all', admin: true },
];
/** Project ids: serving 101, training 102, chat 103. */
export const PROJECT = { serving: '101', training: '102', chat: '103' } as const;

export interface LwsimServer {
  readonly url: string;
  readonly live: LiveCluster;
  readonly dataDir: string;
  call(
    method: string,
    path: string,
    body?: unknown,
    token?: string | null,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: any; text: string; headers: Record<string, string> }>;
  advance(seconds: number): Promise<void>;
  close(): Promise<void>;
}

export async function startLwsim(
  options: {
    timeScale?: number;
    dataDir?: string;
    kernelThreads?: number;
    requestTimeoutMs?: number;
    /** The cluster file's `traffic:` block (YAML), for workloads served request by request. */
    traffic?: string;
    /** Instead of TEST_CLUSTER (keep its departments for the test users' projects). */
    cluster?: ClusterSpec;
    /** When the journal is compacted (default: the server's). */
    compaction?: CompactionPolicy;
  } = {},
): Promise<LwsimServer> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'lwsim-api-'));
  const { live } = await LiveCluster.start(options.cluster ?? TEST_CLUSTER, {
    timeScale: options.timeScale ?? 0,
    dataDir,
    seed: 1,
    ...(options.traffic !== undefined ? { traffic: trafficOf(options.traffic) } : {}),
    ...(options.compaction !== undefined ? { compaction: options.compaction } : {}),
  });
  const accessTokens = new AccessTokens(tokenSecret(dataDir), TEST_APPLICATIONS);
  // Two kernel threads per serving engine: the suites run two at a time on a 2-core machine.
  const app = buildServer({
    live,
    users: TEST_USERS,
    adminToken: TOKENS.admin,
    kernelThreads: options.kernelThreads ?? 2,
    requestTimeoutMs: options.requestTimeoutMs,
    accessTokens,
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const call: LwsimServer['call'] = async (method, path, body, token = TOKENS.dev, headers = {}) => {
    const init: RequestInit = {
      method,
      headers: { ...(token === null ? {} : { authorization: `Bearer ${token}` }), ...headers },
    };
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
      (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
    }
    const response = await fetch(`${url}${path}`, init);
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: response.status, body: parsed, text, headers: Object.fromEntries(response.headers) };
  };
  return {
    url,
    live,
    dataDir,
    call,
    advance: async (seconds) => {
      const r = await call('POST', '/sim/v1/clock/advance', { seconds }, TOKENS.admin);
      expect(r.status).toBe(200);
    },
    close: async () => {
      await app.close();
      await live.close();
    },
  };
}

/** A `traffic:` block read as `lwsim serve` reads the cluster file's. */
export function trafficOf(block: string): ReadonlyMap<string, WorkloadTraffic> {
  const parsed = parseClusterText(
    'cluster.yaml',
    `name: t\nnodePools: [{ name: h100, nodes: [{ count: 1, gpu: { model: H100-SXM-80GB, count: 8 }, cpu: 8, memory: 64Gi }] }]\ndepartments: [{ name: d, projects: [{ name: p }] }]\n${block}`,
  );
  if (!parsed.ok) throw new Error(parsed.errors.map((e) => e.message).join('\n'));
  return parsed.document.server.traffic;
}

/** Asserts a response body matches the contract's schema for the operation and status. */
export function expectContract(operationId: string, status: number, body: unknown): void {
  const errors = contractErrors(responseSchema(operationId, status)!, body);
  expect(errors.map((e) => `${e.instancePath} ${e.message}`)).toEqual([]);
}

/** A valid creation request for project `serving`: one group of a leader and `workers` workers of `gpus` each. */
export function creation(
  name: string,
  overrides: {
    workers?: number;
    replicas?: number;
    gpus?: number;
    projectId?: string;
    spec?: Record<string, unknown>;
  } = {},
): Record<string, unknown> {
  const gpus = overrides.gpus ?? 8;
  const pod = {
    image: 'vllm/vllm-openai:v0.6.0',
    compute: { gpuDevicesRequest: gpus, cpuCoreRequest: 4, cpuMemoryRequest: '32Gi' },
  };
  return {
    name,
    projectId: overrides.projectId ?? PROJECT.serving,
    clusterId: CLUSTER_ID,
    spec: {
      workers: overrides.workers ?? 1,
      replicas: overrides.replicas ?? 1,
      leader: pod,
      worker: pod,
      ...(overrides.spec ?? {}),
    },
  };
}
