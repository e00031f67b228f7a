// The limits, and what the largest legitimate work costs the others: a probe request every 10 ms measures how
// long any request waits while the work runs.
import { Worker } from 'node:worker_threads';
import { call, creation, DI, TOKEN, type ServerProcess } from './server-process.ts';

export interface Probe {
  /** The slowest probe answer, ms. */
  stop(): Promise<number>;
}

// The probe runs on a thread of its own: timed from the soak's main thread, it would measure that thread's own
// work (generating requests) as much as the server's.
const PROBE_THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
let slowest = 0, running = true, samples = 0;
parentPort.on('message', () => { running = false; });
(async () => {
  while (running) {
    const started = performance.now();
    await (await fetch(workerData.url + '/sim/v1/clock', { headers: { authorization: 'Bearer ' + workerData.token } })).text();
    // The first answers warm up the connection and the route: not what the server makes others wait.
    if (++samples > 5) slowest = Math.max(slowest, performance.now() - started);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  parentPort.postMessage(slowest);
})();
`;

/** Starts timing `GET /sim/v1/clock` every 10 ms, from a thread of its own, until stopped; resolves once warm. */
export async function startProbe(server: ServerProcess): Promise<Probe> {
  const worker = new Worker(PROBE_THREAD, { eval: true, workerData: { url: server.url, token: TOKEN } });
  const result = new Promise<number>((resolve) => worker.once('message', resolve));
  await new Promise((resolve) => setTimeout(resolve, 300));
  return {
    stop: async () => {
      worker.postMessage('stop');
      const slowest = await result;
      await worker.terminate();
      return slowest;
    },
  };
}

export interface LimitsResult {
  readonly millionPods: { status: number; ms: number; message: string };
  readonly largestCreates: { accepted: number; refusedByClusterLimit: number; message: string };
  readonly podsPageMs: number;
  readonly slowestProbeMs: number;
}

export async function limits(server: ServerProcess): Promise<LimitsResult> {
  const probe = await startProbe(server);
  const huge = creation('huge', 1000);
  (huge.spec as { workers: number }).workers = 1000;
  const million = await call(server.url, 'POST', DI, huge);
  // The largest workload a limit allows (64 groups of 64 pods), until the cluster's pod limit refuses one.
  let accepted = 0;
  let refused = 0;
  let message = '';
  let firstId = '';
  for (let i = 0; i < 30; i++) {
    const big = creation(`big-${i}`, 64);
    (big.spec as { workers: number }).workers = 63;
    const r = await call(server.url, 'POST', DI, big);
    if (r.status === 202) {
      accepted++;
      firstId ||= r.body.workloadId;
    } else if (r.status === 400 && /podsPerCluster/.test(r.body.message)) {
      refused++;
      message = r.body.message;
    }
  }
  const page = await call(server.url, 'GET', `/api/v1/workloads/${firstId}/pods?offset=4000&limit=50`);
  const slowestProbeMs = await probe.stop();
  return {
    millionPods: { status: million.status, ms: million.ms, message: String(million.body?.message) },
    largestCreates: { accepted, refusedByClusterLimit: refused, message },
    podsPageMs: page.ms,
    slowestProbeMs,
  };
}
