// A real `lwsim serve` process for the soak: spawned on a free port over a data directory, killed with SIGKILL,
// its resident memory read from /proc.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const BIN = new URL('../bin/lwsim.js', import.meta.url).pathname;
export const TOKEN = 'soak-admin-token-0000000000';
export const USER_TOKEN = 'soak-user-token-00000000000';
export const CLUSTER_ID = '5e1f0a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b';

/** 8 nodes of 8 H100 in two departments; an administrator and a user of one project. */
export const SOAK_CLUSTER = `name: soak
clusterId: ${CLUSTER_ID}
nodePools:
  - name: gpu
    nodes:
      - count: 8
        gpu: { model: H100-SXM-80GB, count: 8 }
        cpu: 96
        memory: 1Ti
departments:
  - name: research
    quota: { gpu: { deserved: 48 } }
    projects:
      - name: serving
        quota: { gpu: { deserved: 32 } }
      - name: training
        quota: { gpu: { deserved: 16 } }
  - name: product
    quota: { gpu: { deserved: 16 } }
    projects:
      - name: chat
        quota: { gpu: { deserved: 16 } }
users:
  - email: admin@soak
    token: ${TOKEN}
    admin: true
  - email: chat@soak
    token: ${USER_TOKEN}
    projects: [chat]
`;

export interface ServerProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything the process wrote, stdout and stderr. */
  output(): string;
  /** Resident set size now, in MiB. */
  rssMiB(): number;
  kill(): Promise<void>;
  stop(): Promise<void>;
}

/** Writes the soak cluster file into `dir` (once) and starts a server over `dir/data`. */
export async function startServer(
  dir: string,
  extraArgs: readonly string[] = [],
  timeScale = 0,
): Promise<ServerProcess> {
  const clusterFile = join(dir, 'cluster.yaml');
  writeFileSync(clusterFile, SOAK_CLUSTER);
  const child = spawn(
    process.execPath,
    [
      BIN,
      'serve',
      '--port',
      '0',
      '--time-scale',
      String(timeScale),
      '--cluster',
      clusterFile,
      '--data-dir',
      join(dir, 'data'),
      ...extraArgs,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => void (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => void (out += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const check = setInterval(() => {
      const match = /serving the Run:ai API at (http:\/\/\S+)/.exec(out);
      if (match) {
        clearInterval(check);
        resolve(match[1]!);
      }
    }, 5);
    void exited.then((code) => {
      clearInterval(check);
      reject(new ServerExit(code, out));
    });
  });
  return {
    url,
    child,
    output: () => out,
    rssMiB: () => {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
    },
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** The server exited before it served: `code` and what it wrote. */
export class ServerExit extends Error {
  constructor(
    readonly code: number | null,
    readonly output: string,
  ) {
    super(`lwsim serve exited (${code}): ${output.slice(-2000)}`);
  }
}

export interface Answer {
  readonly status: number;
  readonly body: any;
  readonly ms: number;
}

/** One request with a deadline: a request that does not answer within `timeoutMs` is a hang (status 0). */
export async function call(
  url: string,
  method: string,
  path: string,
  body?: unknown,
  options: { token?: string | null; timeoutMs?: number; contentType?: string | null } = {},
): Promise<Answer> {
  const started = performance.now();
  // fetch sends no body with GET or HEAD.
  if (method === 'GET' || method === 'HEAD') body = undefined;
  const token = options.token === undefined ? TOKEN : options.token;
  const headers: Record<string, string> = token === null ? {} : { authorization: `Bearer ${token}` };
  if (body !== undefined && options.contentType !== null)
    headers['content-type'] = options.contentType ?? 'application/json';
  try {
    const response = await fetch(`${url}${path}`, {
      method,
      headers,
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    // An event stream never ends: its headers are the answer.
    if (response.headers.get('content-type')?.startsWith('text/event-stream')) {
      await response.body?.cancel();
      return { status: response.status, body: '', ms: performance.now() - started };
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
    return { status: response.status, body: parsed, ms: performance.now() - started };
  } catch (e) {
    if (e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError'))
      return { status: 0, body: 'no answer in time', ms: performance.now() - started };
    throw e;
  }
}

export const DI = '/api/v1/workloads/distributed-inferences';

/** A creation body for project `serving` (101) or the given one. */
export function creation(name: string, replicas = 1, projectId = '101', prefix = false): Record<string, unknown> {
  const pod = { image: 'vllm/vllm-openai:v0.6.0', compute: { gpuDevicesRequest: 1, cpuMemoryRequest: '8Gi' } };
  return {
    name,
    projectId,
    clusterId: CLUSTER_ID,
    useGivenNameAsPrefix: prefix,
    spec: { workers: 1, replicas, leader: pod, worker: pod },
  };
}
