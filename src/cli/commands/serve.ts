import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { buildServer } from '../../api/server.ts';
import type { Organisation } from '../../runai/organisation.ts';
import { DEFAULT_CLUSTER_FILE, loadClusterFile } from '../../config/load-cluster.ts';
import { JournalDamagedError, LiveCluster, type StartReport } from '../../runtime/live-cluster.ts';
import { tokenSecret } from '../../runtime/token-secret.ts';
import { DEFAULT_COMPACTION } from '../../runtime/compaction.ts';
import { AccessTokens, sha256Hex, type Application } from '../../api/access-tokens.ts';

export const SERVE_USAGE = `lwsim serve [--host 127.0.0.1] [--port 8080] [--cluster FILE] [--time-scale 60] [--data-dir .lwsim] [--seed N] [--kernel-threads N] [--fsync] [--repair] [--compact-after 20000]`;

/** `lwsim serve`: the Run:ai API over a live simulated cluster. Resolves when the server has stopped. */
export async function serve(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '8080' },
      cluster: { type: 'string', default: DEFAULT_CLUSTER_FILE },
      'time-scale': { type: 'string', default: '60' },
      'data-dir': { type: 'string', default: '.lwsim' },
      seed: { type: 'string', default: '1' },
      fsync: { type: 'boolean', default: false },
      repair: { type: 'boolean', default: false },
      'compact-after': { type: 'string', default: String(DEFAULT_COMPACTION.entries) },
      'kernel-threads': { type: 'string', default: String(availableParallelism()) },
    },
  });
  const port = Number(values.port);
  const timeScale = Number(values['time-scale']);
  const seed = Number(values.seed);
  if (!Number.isInteger(port) || port < 0 || port > 65535) return usage(`--port must be 0..65535, got ${values.port}`);
  if (!Number.isFinite(timeScale) || timeScale < 0)
    return usage(`--time-scale must be >= 0, got ${values['time-scale']}`);
  if (!Number.isSafeInteger(seed)) return usage(`--seed must be an integer, got ${values.seed}`);
  const kernelThreads = Number(values['kernel-threads']);
  if (!Number.isInteger(kernelThreads) || kernelThreads < 1 || kernelThreads > 1024)
    return usage(`--kernel-threads must be 1..1024, got ${values['kernel-threads']}`);

  const compactAfter = Number(values['compact-after']);
  if (!Number.isSafeInteger(compactAfter) || compactAfter < 0)
    return usage(`--compact-after must be a whole number of journal lines (0: never), got ${values['compact-after']}`);

  const loaded = await loadClusterFile(values.cluster);
  if (!loaded.ok) {
    for (const e of loaded.errors) process.stderr.write(`${e}\n`);
    return 2;
  }
  let started: Awaited<ReturnType<typeof LiveCluster.start>>;
  const startedAt = performance.now();
  try {
    started = await LiveCluster.start(loaded.spec, {
      timeScale,
      dataDir: values['data-dir'],
      seed,
      durability: values.fsync ? 'disk' : 'process',
      repair: values.repair,
      scheduler: loaded.scheduler,
      delays: loaded.delays,
      traffic: loaded.server.traffic,
      limits: loaded.server.limits,
      compaction: { entries: compactAfter },
      log: (message) => process.stderr.write(`${message}\n`),
    });
  } catch (e) {
    if (!(e instanceof JournalDamagedError)) throw e;
    process.stderr.write(`lwsim serve: ${e.message}\n`);
    return 1;
  }
  const { live, report } = started;
  const rebuildSeconds = (performance.now() - startedAt) / 1000;
  for (const problem of report.problems) process.stderr.write(`journal: ${problem}\n`);
  const { users, modelSize } = loaded.server;
  const adminToken = process.env.LWSIM_TOKEN || undefined;
  const devApp = developmentApplication();
  const applications = [...loaded.server.applications, ...(devApp === undefined ? [] : [devApp])];
  let accessTokens: AccessTokens;
  try {
    accessTokens = new AccessTokens(tokenSecret(values['data-dir']), applications);
  } catch (e) {
    process.stderr.write(`lwsim serve: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
  const app = buildServer({ live, users, adminToken, kernelThreads, modelSize, accessTokens });
  const address = await app.listen({ host: values.host, port });
  process.stdout.write(
    banner(
      address,
      loaded.spec.id,
      loaded.spec.name,
      timeScale,
      journalNote(report, rebuildSeconds),
      values['data-dir'],
      users[0]?.token,
      adminToken !== undefined,
      live.organisation,
      devApp?.id,
    ),
  );

  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void app
        .close()
        .then(() => live.close())
        .then(resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  return 0;
}

function banner(
  url: string,
  clusterId: string,
  name: string,
  timeScale: number,
  journal: string,
  dataDir: string,
  devToken: string | undefined,
  adminToken: boolean,
  organisation: Organisation,
  devApp: string | undefined,
): string {
  const project = organisation.projects[0];
  const token = devToken ?? '$LWSIM_TOKEN';
  const body = JSON.stringify({
    name: 'llama-70b',
    projectId: project?.id ?? '101',
    clusterId,
    spec: {
      workers: 1,
      replicas: 1,
      leader: { image: 'vllm/vllm-openai:latest', compute: { gpuDevicesRequest: 8 } },
      worker: { image: 'vllm/vllm-openai:latest', compute: { gpuDevicesRequest: 8 } },
    },
  });
  return [
    `lwsim serving the Run:ai API at ${url}`,
    `  cluster ${name} (clusterId ${clusterId}); clock: ${timeScale === 0 ? 'manual (POST /sim/v1/clock/advance)' : `${timeScale}x real time`}`,
    `  journal: ${dataDir}/journal.jsonl${journal}`,
    `  auth: send "Authorization: Bearer <token>"${devToken ? `; development token (public, from the cluster file): ${devToken}` : ''}${adminToken ? '; LWSIM_TOKEN is an admin token' : ''}`,
    ...(devApp === undefined
      ? []
      : [
          `  application ${devApp} (LWSIM_APP_ID, an administrator): POST ${url}/api/v1/token {"grantType":"client_credentials","clientID":"${devApp}","clientSecret":"$LWSIM_APP_SECRET"} gives an accessToken for an hour`,
        ]),
    `  projects: ${organisation.projects.map((p) => `${p.name}=${p.id}`).join(', ')}`,
    `  API description: ${url}/sim/v1/openapi.json; events: ${url}/sim/v1/events; Prometheus: ${url}/metrics (administrators)`,
    `  a Running workload answers completions at ${url}/serving/<workloadId>/v1/completions`,
    '',
    'try:',
    `  curl -s -X POST ${url}/api/v1/workloads/distributed-inferences -H 'Authorization: Bearer ${token}' -H 'Content-Type: application/json' -d '${body}'`,
    `  curl -s ${url}/api/v1/workloads -H 'Authorization: Bearer ${token}'`,
    '',
  ].join('\n');
}

/** What the start found in the journal, and how long rebuilding the model took. */
function journalNote(report: StartReport, seconds: number): string {
  const parts = [
    ...(report.restored === undefined ? [] : [`${report.restored} restored`]),
    ...(report.replayed > 0 ? [`${report.replayed} requests replayed`] : []),
  ];
  return parts.length === 0 ? '' : ` (${parts.join(', ')} in ${seconds.toFixed(2)} s)`;
}

/** `LWSIM_APP_ID` and `LWSIM_APP_SECRET` together add one administrator application (for development). */
function developmentApplication(): Application | undefined {
  const id = process.env.LWSIM_APP_ID;
  const secret = process.env.LWSIM_APP_SECRET;
  if (!id || !secret) return undefined;
  return { id, secretSha256: sha256Hex(secret), projects: 'all', admin: true };
}

function usage(message: string): number {
  process.stderr.write(`lwsim serve: ${message}\nusage: ${SERVE_USAGE}\n`);
  return 2;
}
