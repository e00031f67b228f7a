import autocannon from 'autocannon';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchSuite } from '../suite.ts';
import { median } from '../stats.ts';

const ROUNDS = 5;
const SECONDS = 3;
/** Unmeasured load before each measurement: the JIT compiles the hot paths, connections are open. */
const WARM_UP_SECONDS = 1;
const CONNECTIONS = 10;
const TOKEN = 'bench-token-00000000000000';
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const CLUSTER = `name: api-bench
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
async function start(args: string[], pattern: RegExp): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
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

interface Load {
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly non2xx: number;
}

async function load(url: string, options: { method?: 'GET' | 'POST'; body?: string; seconds?: number } = {}): Promise<Load> {
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: options.seconds ?? SECONDS,
    method: options.method ?? 'GET',
    headers: { authorization: `Bearer ${TOKEN}`, ...(options.body ? { 'content-type': 'application/json' } : {}) },
    ...(options.body ? { body: options.body } : {}),
  });
  return { requestsPerSecond: result.requests.average, p50Ms: result.latency.p50, p99Ms: result.latency.p99, non2xx: result.non2xx };
}

/** Creates the workload the GET reads; returns the two URLs and the POST body. */
async function prepare(url: string): Promise<{ get: string; post: string; body: string }> {
  const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
  const clusterId = ((await (await fetch(`${url}/sim/v1/cluster`, { headers })).json()) as { clusterId: string }).clusterId;
  const pod = { image: 'vllm/vllm-openai', compute: { gpuDevicesRequest: 8 } };
  const post = `${url}/api/v1/workloads/distributed-inferences`;
  const target = { name: 'target', projectId: '101', clusterId, spec: { workers: 1, replicas: 1, leader: pod, worker: pod } };
  const created = await fetch(post, { method: 'POST', headers, body: JSON.stringify(target) });
  const id = ((await created.json()) as { workloadId: string }).workloadId;
  // Every POST creates a workload: a prefix keeps names unique; replicas 0 keeps the cluster from filling up.
  const body = JSON.stringify({ name: 'bench', useGivenNameAsPrefix: true, projectId: '101', clusterId, spec: { workers: 1, replicas: 0, leader: pod, worker: pod } });
  return { get: `${post}/${id}`, post, body };
}

const suite: BenchSuite = {
  name: 'api',
  description: `GET and POST of distributed inferences against lwsim serve on loopback (autocannon, ${CONNECTIONS} connections, ${ROUNDS} rounds of ${SECONDS} s after a warm-up, a fresh server each round), with fastify hello-world as the baseline`,
  async run(log) {
    const dir = mkdtempSync(join(tmpdir(), 'lwsim-api-bench-'));
    writeFileSync(join(dir, 'cluster.yaml'), CLUSTER);
    const hello = await start(['--import', 'tsx', 'bench/workloads/hello-server.ts'], /listening (http:\/\/\S+)/);
    let lwsim: Awaited<ReturnType<typeof start>> | undefined;
    try {
      const rounds: { hello: Load; helloPost: Load; get: Load; post: Load }[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        // A fresh server each round: rounds are alike (POST rounds otherwise start from the workloads of the last).
        lwsim = await start(['bin/lwsim.js', 'serve', '--port', '0', '--time-scale', '60', '--cluster', join(dir, 'cluster.yaml'), '--data-dir', join(dir, `data-${round}`)], /serving the Run:ai API at (http:\/\/\S+)/);
        const { get: getUrl, post: postUrl, body } = await prepare(lwsim.url);
        // The baseline first, while the fresh lwsim idles (after a load it would still be collecting garbage).
        const warm = { seconds: WARM_UP_SECONDS };
        await load(hello.url, warm);
        await load(hello.url, { ...warm, method: 'POST', body });
        const hi = await load(hello.url);
        const helloPost = await load(hello.url, { method: 'POST', body });
        await load(postUrl, { ...warm, method: 'POST', body });
        await load(getUrl, warm);
        const get = await load(getUrl);
        const post = await load(postUrl, { method: 'POST', body });
        rounds.push({ hello: hi, helloPost, get, post });
        lwsim.child.kill('SIGKILL');
        lwsim = undefined;
        log(`api: round ${round + 1}: hello ${Math.round(hi.requestsPerSecond)} req/s (POST ${Math.round(helloPost.requestsPerSecond)}), GET ${Math.round(get.requestsPerSecond)} req/s, POST ${Math.round(post.requestsPerSecond)} req/s`);
      }
      const m = (pick: (r: (typeof rounds)[number]) => number): number => Math.round(median(rounds.map(pick)) * 100) / 100;
      const figures = {
        helloWorldRequestsPerSecond: m((r) => r.hello.requestsPerSecond),
        helloWorldPostRequestsPerSecond: m((r) => r.helloPost.requestsPerSecond),
        getRequestsPerSecond: m((r) => r.get.requestsPerSecond),
        getP50Ms: m((r) => r.get.p50Ms),
        getP99Ms: m((r) => r.get.p99Ms),
        postRequestsPerSecond: m((r) => r.post.requestsPerSecond),
        postP50Ms: m((r) => r.post.p50Ms),
        postP99Ms: m((r) => r.post.p99Ms),
        getToHelloWorld: m((r) => r.get.requestsPerSecond / r.hello.requestsPerSecond),
        postToHelloWorld: m((r) => r.post.requestsPerSecond / r.hello.requestsPerSecond),
        postToHelloWorldPost: m((r) => r.post.requestsPerSecond / r.helloPost.requestsPerSecond),
        non2xx: rounds.reduce((sum, r) => sum + r.get.non2xx + r.post.non2xx, 0),
      };
      return { ...figures, meetsTarget: figures.getToHelloWorld >= 0.7 && figures.postToHelloWorld >= 0.4 && figures.non2xx === 0 };
    } finally {
      hello.child.kill('SIGKILL');
      lwsim?.child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

export default suite;
