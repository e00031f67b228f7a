// The API benchmark's load: the cluster lwsim serves, starting servers, autocannon runs, the request bodies.
import autocannon from 'autocannon';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const SECONDS = 3;
/** Unmeasured load before each measurement: the JIT compiles the hot paths, connections are open. */
export const WARM_UP_SECONDS = 1;
export const CONNECTIONS = 10;
const TOKEN = 'bench-token-00000000000000';
/** This checkout: the lwsim a benchmark starts unless told another. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export const CLUSTER = `name: api-bench
nodePools:
  - name: gpu
    nodes:
      - count: 16
        gpu: { model: H100-SXM-80GB, count: 8 }
        cpu: 96
        memory: 1Ti
departments:
  - name: d
    quota: { gpu: { deserved: 128 } }
    projects:
      - name: p
        quota: { gpu: { deserved: 128 } }
users:
  - email: bench@lwsim
    token: ${TOKEN}
`;

/** Starts a server in its own process (so client and server do not share an event loop) and waits for its URL. */
export async function start(
  args: string[],
  pattern: RegExp,
  cwd = ROOT,
): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const collect = (chunk: Buffer): void => {
      out += chunk.toString();
      const match = pattern.exec(out);
      if (match) resolve(match[1]!);
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', (chunk: Buffer) => void (out += chunk.toString()));
    child.on('exit', (code) => reject(new Error(`server exited (${code}): ${out}`)));
  });
  return { url, child };
}

export interface Load {
  readonly requestsPerSecond: number;
  readonly requests: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly non2xx: number;
}

export async function load(
  url: string,
  options: { method?: 'GET' | 'POST'; body?: string; seconds?: number } = {},
): Promise<Load> {
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: options.seconds ?? SECONDS,
    method: options.method ?? 'GET',
    headers: { authorization: `Bearer ${TOKEN}`, ...(options.body ? { 'content-type': 'application/json' } : {}) },
    ...(options.body ? { body: options.body } : {}),
  });
  return {
    requestsPerSecond: result.requests.average,
    requests: result.requests.total,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
  };
}

/** Creates the workload the GET reads; returns the two URLs and the POST body. */
export async function prepare(url: string): Promise<{ get: string; post: string; body: string }> {
  const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
  const clusterId = ((await (await fetch(`${url}/sim/v1/cluster`, { headers })).json()) as { clusterId: string })
    .clusterId;
  const pod = { image: 'vllm/vllm-openai', compute: { gpuDevicesRequest: 8 } };
  const post = `${url}/api/v1/workloads/distributed-inferences`;
  const target = {
    name: 'target',
    projectId: '101',
    clusterId,
    spec: { workers: 1, replicas: 1, leader: pod, worker: pod },
  };
  const created = await fetch(post, { method: 'POST', headers, body: JSON.stringify(target) });
  const id = ((await created.json()) as { workloadId: string }).workloadId;
  // Every POST creates a workload: a prefix keeps names unique; replicas 0 keeps the cluster from filling up.
  const body = JSON.stringify({
    name: 'bench',
    useGivenNameAsPrefix: true,
    projectId: '101',
    clusterId,
    spec: { workers: 1, replicas: 0, leader: pod, worker: pod },
  });
  return { get: `${post}/${id}`, post, body };
}

/** CPU time (user + system, all threads) a process has used, in microseconds; undefined where /proc is missing. */
function cpuMicros(pid: number): number | undefined {
  try {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th, in ticks.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * (1_000_000 / CLOCK_TICKS);
  } catch {
    return undefined;
  }
}

/** Linux reports process times in clock ticks of 1/100 s (USER_HZ) on every architecture Node runs on. */
const CLOCK_TICKS = 100;

/** A load against a server process, with the server's CPU time per request (undefined where it cannot be read). */
export async function measuredLoad(
  pid: number,
  url: string,
  options: Parameters<typeof load>[1] = {},
): Promise<Load & { serverMicrosPerRequest: number | undefined }> {
  const before = cpuMicros(pid);
  const result = await load(url, options);
  const after = cpuMicros(pid);
  const used = before === undefined || after === undefined ? undefined : after - before;
  return {
    ...result,
    serverMicrosPerRequest: used === undefined || result.requests === 0 ? undefined : used / result.requests,
  };
}
