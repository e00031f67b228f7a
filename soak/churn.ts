// Memory and restart time under churn: create/delete pairs over HTTP, the server's resident memory sampled, then
// a restart timed; and subscribers to the event stream that never read.
import { connect } from 'node:net';
import { startProbe } from './limits.ts';
import { call, creation, DI, startServer, TOKEN, type ServerProcess } from './server-process.ts';

export interface ChurnResult {
  readonly pairs: number;
  readonly seconds: number;
  readonly rssStartMiB: number;
  readonly rssEndMiB: number;
  readonly restartSeconds: number;
  /** The same start on an empty journal: what a restart costs beyond the replay. */
  readonly freshStartSeconds: number;
  readonly rssAfterRestartMiB: number;
  readonly failures: number;
}

/** `pairs` create/delete pairs from `clients` concurrent clients, then a timed restart. */
export async function churn(
  dir: string,
  pairs: number,
  clients = 16,
  serverArgs: readonly string[] = [],
): Promise<ChurnResult> {
  const freshStarted = performance.now();
  let server = await startServer(dir, serverArgs, 60);
  const freshStartSeconds = (performance.now() - freshStarted) / 1000;
  // Warm up the paths first, so the start figure is the server's working size, not its cold start.
  await pairsOf(server, 500, clients, 'warm');
  const rssStartMiB = server.rssMiB();
  const started = performance.now();
  const failures = await pairsOf(server, pairs, clients, 'churn');
  const seconds = (performance.now() - started) / 1000;
  // Let the deleted workloads' pods terminate (60x real time) before the memory is read.
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  const rssEndMiB = server.rssMiB();
  await server.stop();
  const restarted = performance.now();
  server = await startServer(dir, serverArgs, 60);
  const restartSeconds = (performance.now() - restarted) / 1000;
  const rssAfterRestartMiB = server.rssMiB();
  await server.stop();
  return { pairs, seconds, rssStartMiB, rssEndMiB, restartSeconds, freshStartSeconds, rssAfterRestartMiB, failures };
}

async function pairsOf(server: ServerProcess, pairs: number, clients: number, tag: string): Promise<number> {
  let next = 0;
  let failures = 0;
  const client = async (): Promise<void> => {
    for (let i = next++; i < pairs; i = next++) {
      const created = await call(server.url, 'POST', DI, creation(`${tag}-${i}`, 1));
      if (created.status !== 202) {
        failures++;
        continue;
      }
      const deleted = await call(server.url, 'DELETE', `${DI}/${created.body.workloadId}`);
      if (deleted.status >= 300) failures++;
    }
  };
  await Promise.all(Array.from({ length: clients }, client));
  return failures;
}

export interface SubscribersResult {
  readonly subscribers: number;
  readonly events: number;
  readonly rssBeforeMiB: number;
  readonly rssWithThemMiB: number;
  readonly rssAfterMiB: number;
  /** Slowest of the probe's requests while the subscribers lagged. */
  readonly slowestProbeMs: number;
}

/** `subscribers` event-stream clients that never read, while workloads churn; memory before, during, after. */
export async function slowSubscribers(dir: string, subscribers: number, pairs: number): Promise<SubscribersResult> {
  const server = await startServer(dir, [], 60);
  await pairsOf(server, 200, 8, 'warm');
  const rssBeforeMiB = server.rssMiB();
  const { port, hostname } = new URL(server.url);
  const sockets = Array.from({ length: subscribers }, () => {
    const socket = connect(Number(port), hostname);
    socket.write(`GET /sim/v1/events HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${TOKEN}\r\n\r\n`);
    socket.pause(); // never reads: the server's buffer for it is all that can grow
    return socket;
  });
  const probe = await startProbe(server);
  await pairsOf(server, pairs, 8, 'sub');
  const rssWithThemMiB = server.rssMiB();
  const slowestProbeMs = await probe.stop();
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const rssAfterMiB = server.rssMiB();
  await server.stop();
  return { subscribers, events: pairs * 4, rssBeforeMiB, rssWithThemMiB, rssAfterMiB, slowestProbeMs };
}
