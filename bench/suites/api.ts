import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchSuite } from '../suite.ts';
import { median } from '../stats.ts';
import {
  CLUSTER,
  CONNECTIONS,
  load,
  measuredLoad,
  prepare,
  SECONDS,
  start,
  WARM_UP_SECONDS,
  type Load,
} from '../workloads/api-load.ts';

const ROUNDS = 5;

const suite: BenchSuite = {
  name: 'api',
  description: `GET and POST of distributed inferences against lwsim serve on loopback (autocannon, ${CONNECTIONS} connections, ${ROUNDS} rounds of ${SECONDS} s after a warm-up, a fresh server each round), with fastify hello-world as the baseline`,
  async run(log) {
    const dir = mkdtempSync(join(tmpdir(), 'lwsim-api-bench-'));
    writeFileSync(join(dir, 'cluster.yaml'), CLUSTER);
    const hello = await start(['--import', 'tsx', 'bench/workloads/hello-server.ts'], /listening (http:\/\/\S+)/);
    let lwsim: Awaited<ReturnType<typeof start>> | undefined;
    try {
      type Measured = Awaited<ReturnType<typeof measuredLoad>>;
      const rounds: { hello: Load; helloPost: Load; get: Measured; post: Measured }[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        // A fresh server each round: rounds are alike (POST rounds otherwise start from the workloads of the last).
        lwsim = await start(
          [
            'bin/lwsim.js',
            'serve',
            '--port',
            '0',
            '--time-scale',
            '60',
            '--cluster',
            join(dir, 'cluster.yaml'),
            '--data-dir',
            join(dir, `data-${round}`),
          ],
          /serving the Run:ai API at (http:\/\/\S+)/,
        );
        const { get: getUrl, post: postUrl, body } = await prepare(lwsim.url);
        // The baseline first, while the fresh lwsim idles (after a load it would still be collecting garbage).
        const warm = { seconds: WARM_UP_SECONDS };
        await load(hello.url, warm);
        await load(hello.url, { ...warm, method: 'POST', body });
        const hi = await load(hello.url);
        const helloPost = await load(hello.url, { method: 'POST', body });
        await load(postUrl, { ...warm, method: 'POST', body });
        await load(getUrl, warm);
        const get = await measuredLoad(lwsim.child.pid!, getUrl);
        const post = await measuredLoad(lwsim.child.pid!, postUrl, { method: 'POST', body });
        rounds.push({ hello: hi, helloPost, get, post });
        lwsim.child.kill('SIGKILL');
        lwsim = undefined;
        log(
          `api: round ${round + 1}: hello ${Math.round(hi.requestsPerSecond)} req/s (POST ${Math.round(helloPost.requestsPerSecond)}), GET ${Math.round(get.requestsPerSecond)} req/s, POST ${Math.round(post.requestsPerSecond)} req/s`,
        );
      }
      const m = (pick: (r: (typeof rounds)[number]) => number): number =>
        Math.round(median(rounds.map(pick)) * 100) / 100;
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
        // The server's CPU time (all its threads) per request: what changes to lwsim move, less noisy than ratios.
        ...(rounds.every(
          (r) => r.get.serverMicrosPerRequest !== undefined && r.post.serverMicrosPerRequest !== undefined,
        )
          ? {
              getServerMicrosPerRequest: m((r) => r.get.serverMicrosPerRequest!),
              postServerMicrosPerRequest: m((r) => r.post.serverMicrosPerRequest!),
            }
          : {}),
      };
      return {
        ...figures,
        meetsTarget: figures.getToHelloWorld >= 0.7 && figures.postToHelloWorld >= 0.4 && figures.non2xx === 0,
      };
    } finally {
      hello.child.kill('SIGKILL');
      lwsim?.child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

export default suite;
