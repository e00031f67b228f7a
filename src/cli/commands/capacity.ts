// `lwsim capacity`: the cheapest deployment that serves a traffic within its SLOs, by simulation (sim/capacity);
// `capacity merge` joins an Indexed Job's shards, `capacity k8s-job` writes that Job.
import { writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  DEFAULT_MAX_GPUS,
  PRICE_SOURCE,
  searchCapacity,
  type CapacityAnswer,
  type Rated,
  type Rejected,
} from '../../../sim/capacity/index.ts';
import { shapeText } from '../../capacity/describe.ts';
import { capacityPool } from '../../capacity/pool.ts';
import { creationOf, UUID, WORKLOAD_NAME } from '../../capacity/question.ts';
import { readShards, writeShard } from '../../capacity/shards.ts';
import { writeCapacityReport } from '../../report/capacity-report.ts';
import { QUESTION_USAGE, questionFromFlags, questionOptions } from './capacity-flags.ts';
import { K8S_JOB_USAGE, k8sJobCommand } from './capacity-job.ts';
import { integer } from './perf.ts';
import { DEFAULT_CLUSTER_FILE } from '../../config/load-cluster.ts';
import { manifestFromRequest } from '../../export/from-request.ts';
import { manifestText } from '../../export/manifest-text.ts';
import { clusterTarget } from './export.ts';

export const CAPACITY_USAGE = `lwsim capacity ${QUESTION_USAGE}
         [--threads N] [--shard I/N --out DIR] [--name N --project-id ID --cluster-id UUID] [--report DIR] [--manifest FILE] [--json]
       lwsim capacity merge DIR [--wait] <the flags the shards ran with>
       ${K8S_JOB_USAGE}`;

function fail(message: string): number {
  process.stderr.write(`lwsim capacity: ${message}\nusage: ${CAPACITY_USAGE}\n`);
  return 2;
}

const options = {
  ...questionOptions,
  threads: { type: 'string' },
  shard: { type: 'string' },
  out: { type: 'string' },
  wait: { type: 'boolean' },
  name: { type: 'string' },
  'project-id': { type: 'string' },
  'cluster-id': { type: 'string' },
  report: { type: 'string' },
  manifest: { type: 'string' },
  json: { type: 'boolean' },
} as const;

type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

export async function capacityCommand(args: string[]): Promise<number> {
  if (args[0] === 'k8s-job') return k8sJobCommand(args.slice(1));
  const mergeDir = args[0] === 'merge' ? args[1] : undefined;
  if (args[0] === 'merge' && (mergeDir === undefined || mergeDir.startsWith('--')))
    return fail("merge needs the directory the shards wrote: lwsim capacity merge DIR <the shards' flags>");
  const { values } = parseArgs({ args: mergeDir !== undefined ? args.slice(2) : args, strict: true, options });
  const shard = values.shard === undefined ? undefined : parseShard(values.shard, process.env.JOB_COMPLETION_INDEX);
  if (shard && !shard.ok) return fail(shard.message);
  if (shard && values.out === undefined) return fail('--shard needs --out DIR (where the shard writes its part)');
  if (values.wait && mergeDir === undefined) return fail('--wait is for merge: it waits for the shards to be written');
  const threads = values.threads === undefined ? availableParallelism() : integer(values.threads, 1);
  if (threads === undefined) return fail(`--threads must be a positive integer, got "${values.threads}"`);
  if (values.name !== undefined && !WORKLOAD_NAME.test(values.name))
    return fail(`--name must be a DNS-1123 label (a Run:ai workload name), got "${values.name}"`);
  if (values['cluster-id'] !== undefined && !UUID.test(values['cluster-id']))
    return fail(`--cluster-id must be a UUID, got "${values['cluster-id']}"`);
  const question = questionFromFlags(values);
  if (!question.ok) return fail(question.message);
  const q = question.value;
  let rated: (Rated | Rejected)[] | undefined;
  if (mergeDir !== undefined) {
    const merged = await readShards(mergeDir, q, values.wait ? 1000 : undefined);
    if (!merged.ok) return fail(merged.message);
    rated = merged.value;
  }
  // One thread needs no pool; more give the same answer sooner.
  const pool = threads > 1 ? capacityPool(threads) : undefined;
  if (shard?.ok) {
    const { index, count } = shard.value;
    const written = await writeShard(q, index, count, values.out!, pool).finally(() => pool?.close());
    process.stdout.write(`${written.file}: ${written.rated} of ${written.shapes} shapes rated\n`);
    return 0;
  }
  const answer = await searchCapacity(q, {
    ...(pool ? { runner: pool } : {}),
    ...(rated ? { rated } : {}),
    onProgress: (done, total) => void (process.stderr.isTTY && process.stderr.write(`\r${done}/${total} steps`)),
  }).finally(() => pool?.close());
  if (process.stderr.isTTY) process.stderr.write('\n');
  const creation = creationOf(q, answer, {
    ...(values.name !== undefined ? { name: values.name } : {}),
    ...(values['project-id'] !== undefined ? { projectId: values['project-id'] } : {}),
    ...(values['cluster-id'] !== undefined ? { clusterId: values['cluster-id'] } : {}),
  });
  const json = `${JSON.stringify({ prices: PRICE_SOURCE, ...answer, ...(creation ? { creation } : {}) }, null, 2)}\n`;
  // The winner as the objects a cluster runs (lwsim export's builder): in the report, and where --manifest says.
  const manifest = creation && (values.report ?? values.manifest) !== undefined ? await winnerManifest(creation) : null;
  if (manifest && !manifest.ok) return fail(manifest.message);
  if (values.report !== undefined) {
    const paths = await writeCapacityReport(q, answer, json, values.report);
    const written = [paths.markdown, paths.html, paths.json];
    if (manifest?.ok) {
      written.push(join(values.report, 'manifest.yaml'));
      await writeFile(written[3]!, manifest.value);
    }
    process.stderr.write(`report: ${written.join(', ')}\n`);
  }
  if (values.manifest !== undefined) {
    if (manifest?.ok) await writeFile(values.manifest, manifest.value);
    else process.stderr.write(`no candidate meets the SLO: no manifest written to ${values.manifest}\n`);
  }
  process.stdout.write(values.json ? json : summary(answer));
  return 0;
}

/** The creation body's LeaderWorkerSet and Service, its project looked up in the default cluster file. */
async function winnerManifest(creation: Record<string, unknown>): Promise<Parsed<string>> {
  const target = await clusterTarget(DEFAULT_CLUSTER_FILE);
  if (!target.ok) return target;
  const made = manifestFromRequest(creation, target.value);
  if (!made.ok)
    return {
      ok: false,
      message: `the winner has no manifest: ${made.message} (--project-id names a project of lwsim's default cluster file)`,
    };
  return { ok: true, value: manifestText(made.manifest, 'yaml') };
}

/** `I/N`, or `/N` with the index from an Indexed Job's JOB_COMPLETION_INDEX. */
function parseShard(text: string, jobIndex: string | undefined): Parsed<{ index: number; count: number }> {
  const m = /^(\d*)\/(\d+)$/.exec(text);
  const index =
    m && (m[1] !== '' ? Number(m[1]) : jobIndex !== undefined && /^\d+$/.test(jobIndex) ? Number(jobIndex) : NaN);
  const count = m ? Number(m[2]) : NaN;
  if (m === null || !(count >= 1) || !(index! >= 0 && index! < count))
    return {
      ok: false,
      message: `--shard must be I/N with 0 <= I < N (or /N with JOB_COMPLETION_INDEX set), got "${text}"${jobIndex !== undefined ? ` (JOB_COMPLETION_INDEX=${jobIndex})` : ''}`,
    };
  return { ok: true, value: { index: index!, count } };
}

function summary(a: CapacityAnswer): string {
  const lines = [
    `${a.requests} requests at ${a.rate.toFixed(2)} req/s; ${a.candidates.length} candidates, ${a.simulations} simulations`,
  ];
  if (a.best === null) lines.push('no candidate meets the SLO; --json lists why each was rejected');
  else {
    const b = a.best;
    lines.push(
      `best: ${b.replicas} × ${shapeText(b.shape)} = ${b.gpus} GPU${b.gpus === 1 ? '' : 's'}, $${b.costPerHour.toFixed(2)}/h`,
      ...b.check.bounds.map((c) => `  ${c.bound}: ${c.valueMs.toFixed(1)} ms (margin ${c.marginMs.toFixed(1)} ms)`),
      `  binds: ${b.check.binding}`,
    );
    if (a.oneMoreReplica)
      lines.push(
        `  one more replica: ${a.oneMoreReplica.bounds.map((c) => `${c.bound.split(':')[0]} ${c.valueMs.toFixed(1)} ms`).join(', ')}`,
      );
  }
  lines.push(
    `pareto (cost vs p90 TTFT): ${a.pareto.map((c) => `$${c.costPerHour}/h ${c.figures.p90TtftMs.toFixed(0)} ms`).join('; ')}`,
  );
  if (a.best) lines.push('the Run:ai creation body of the best: --json, under creation');
  lines.push(`prices: ${PRICE_SOURCE}; max GPUs by default ${DEFAULT_MAX_GPUS}`);
  return `${lines.join('\n')}\n`;
}
