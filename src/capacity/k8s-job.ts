// A capacity search as Kubernetes objects: an Indexed Job whose completions each rate one shard of the replica
// shapes (`--shard /N`, the index from JOB_COMPLETION_INDEX), a merge Job that waits for every shard and writes the
// answer and its report, and the ReadWriteMany claim they share. Built from kubernetes-models' typed classes and
// validated against their batch/v1 and core/v1 schemas before anyone applies them.
import { Job } from 'kubernetes-models/batch/v1';
import { PersistentVolumeClaim } from 'kubernetes-models/v1';
import type { IContainer } from 'kubernetes-models/v1/Container';
import { stringify } from 'yaml';

export interface CapacityJobOptions {
  /** The Jobs' base name: `NAME` rates the shards, `NAME-merge` joins them. */
  readonly name: string;
  readonly namespace?: string;
  /** An image with lwsim on its PATH (the repository's Dockerfile builds one). */
  readonly image: string;
  readonly shards: number;
  /** Shards that run at once (at most `shards`). */
  readonly parallelism: number;
  /** Threads (and CPUs requested) per shard. */
  readonly threads: number;
  /** The claim the shards write to; created here unless `existingClaim`. */
  readonly claim: string;
  readonly existingClaim: boolean;
  readonly storageClass?: string;
  /** The flags that state the question, as the shards and the merge are given them. */
  readonly questionArgs: readonly string[];
  /** Flags only the merge takes (the creation body's names). */
  readonly mergeArgs: readonly string[];
}

/** Where the claim is mounted in every pod; a trace given to the search is read from here. */
export const RESULTS_MOUNT = '/lwsim';
const SHARDS_DIR = `${RESULTS_MOUNT}/shards`;
const REPORT_DIR = `${RESULTS_MOUNT}/report`;

export type ManifestCheck = { ok: true; yaml: string } | { ok: false; message: string };

export function capacityJobManifests(o: CapacityJobOptions): ManifestCheck {
  const metadata = (name: string) => ({
    name,
    ...(o.namespace !== undefined ? { namespace: o.namespace } : {}),
    labels: { 'app.kubernetes.io/name': 'lwsim-capacity', 'app.kubernetes.io/instance': o.name },
  });
  const volumes = [{ name: 'results', persistentVolumeClaim: { claimName: o.claim } }];
  const container = (name: string, args: string[], cpu: number): IContainer => ({
    name,
    image: o.image,
    command: ['lwsim'],
    args,
    resources: { requests: { cpu: String(cpu), memory: `${1 + cpu}Gi` } },
    volumeMounts: [{ name: 'results', mountPath: RESULTS_MOUNT }],
  });
  const objects = [
    ...(o.existingClaim
      ? []
      : [
          new PersistentVolumeClaim({
            metadata: metadata(o.claim),
            spec: {
              // Shards run on different nodes, so every pod mounts the claim at once.
              accessModes: ['ReadWriteMany'],
              ...(o.storageClass !== undefined ? { storageClassName: o.storageClass } : {}),
              resources: { requests: { storage: '1Gi' } },
            },
          }),
        ]),
    new Job({
      metadata: metadata(o.name),
      spec: {
        completionMode: 'Indexed',
        completions: o.shards,
        parallelism: o.parallelism,
        // A shard is a pure function of its flags: a failed one is retried, not the whole sweep.
        backoffLimit: 2 * o.shards,
        template: {
          metadata: { labels: metadata(o.name).labels },
          spec: {
            restartPolicy: 'Never',
            containers: [
              container(
                'shard',
                [
                  'capacity',
                  ...o.questionArgs,
                  '--shard',
                  `/${o.shards}`,
                  '--out',
                  SHARDS_DIR,
                  '--threads',
                  String(o.threads),
                ],
                o.threads,
              ),
            ],
            volumes,
          },
        },
      },
    }),
    new Job({
      metadata: metadata(`${o.name}-merge`),
      spec: {
        completions: 1,
        backoffLimit: 2,
        template: {
          metadata: { labels: metadata(o.name).labels },
          spec: {
            restartPolicy: 'Never',
            containers: [
              container(
                'merge',
                [
                  'capacity',
                  'merge',
                  SHARDS_DIR,
                  '--wait',
                  ...o.questionArgs,
                  ...o.mergeArgs,
                  '--threads',
                  '1',
                  '--report',
                  REPORT_DIR,
                  '--json',
                ],
                1,
              ),
            ],
            volumes,
          },
        },
      },
    }),
  ];
  for (const object of objects) {
    try {
      object.validate();
    } catch (e) {
      return { ok: false, message: `${object.kind} ${object.metadata?.name}: ${(e as Error).message}` };
    }
  }
  return { ok: true, yaml: objects.map((o) => stringify(o.toJSON())).join('---\n') };
}
