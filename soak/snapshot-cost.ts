// What a compaction costs the server: the snapshot's size and the time it blocks the event loop (taking and
// encoding it), and the start from it, after in-process churn and with a large live state. In-process (no HTTP):
// the figures are the model's, not the network's.
//
//   node --import tsx soak/snapshot-cost.ts [--pairs 100000] [--pods 20000]
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadClusterFile } from '../src/config/load-cluster.ts';
import type { LiveCommand } from '../src/runtime/commands.ts';
import { LiveCluster, type LiveOptions } from '../src/runtime/live-cluster.ts';
import { CLUSTER_ID, SOAK_CLUSTER } from './server-process.ts';

const { values } = parseArgs({
  options: { pairs: { type: 'string', default: '100000' }, pods: { type: 'string', default: '20000' } },
});
const dir = mkdtempSync(join(tmpdir(), 'lwsim-snapshot-cost-'));
writeFileSync(join(dir, 'cluster.yaml'), SOAK_CLUSTER);
const loaded = await loadClusterFile(join(dir, 'cluster.yaml'));
if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
const logged: string[] = [];
const options: LiveOptions = {
  timeScale: 0,
  dataDir: join(dir, 'data'),
  seed: 1,
  scheduler: loaded.scheduler,
  delays: loaded.delays,
  limits: loaded.server.limits,
  compaction: { entries: 0 },
  log: (m) => logged.push(m),
};
const pod = (gpus: number) => ({
  image: 'vllm',
  compute: { gpuDevicesRequest: gpus, cpuCoreRequest: 1, cpuMemoryRequest: '1Gi' },
});
const create = (name: string, replicas: number, gpus: number): LiveCommand =>
  ({
    type: 'create',
    request: {
      name,
      projectId: '101',
      clusterId: CLUSTER_ID,
      spec: { replicas, workers: 1, leader: pod(gpus), worker: pod(gpus) },
    },
    createdBy: 'soak',
  }) as LiveCommand;

async function compactions(live: LiveCluster, label: string): Promise<void> {
  logged.length = 0;
  for (let i = 0; i < 3; i++) await live.compact();
  const figures = logged.map((m) => /\(([^)]*)\)/.exec(m)?.[1]).join('; ');
  const started = performance.now();
  await live.close();
  const again = await LiveCluster.start(loaded.ok ? loaded.spec : (undefined as never), options);
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(`${label}: three compactions (${figures}); restart ${seconds.toFixed(2)} s\n`);
  await again.live.close();
}

let { live } = await LiveCluster.start(loaded.spec, options);
const pairs = Number(values.pairs);
for (let i = 0; i < pairs; i++) {
  const created = await live.mutate(create(`churn-${i}`, 1, 1));
  if (created.ok && typeof created.value !== 'string')
    await live.mutate({ type: 'delete', workload: { id: created.value.id } });
  if (i % 1000 === 0) await live.advance(60_000_000);
}
await compactions(live, `after ${pairs} create/delete pairs`);
({ live } = await LiveCluster.start(loaded.spec, options));
const groups = Math.max(1, Math.floor(Number(values.pods) / 2 / 40));
for (let i = 0; i < 40; i++) await live.mutate(create(`big-${i}`, groups, 1));
await live.advance(600_000_000);
await compactions(live, `with ${40 * groups * 2} pods (40 workloads of ${groups} groups of 2, most waiting)`);
