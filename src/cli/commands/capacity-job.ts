// `lwsim capacity k8s-job`: a capacity search as a Kubernetes Indexed Job (src/capacity/k8s-job.ts). The question is
// checked here, before anything is applied to a cluster, with the same flags the shards will be given.
import { writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { capacityJobManifests, RESULTS_MOUNT } from '../../capacity/k8s-job.ts';
import { UUID, WORKLOAD_NAME } from '../../capacity/question.ts';
import { QUESTION_USAGE, questionFromFlags, questionOptions } from './capacity-flags.ts';
import { integer } from './perf.ts';

export const K8S_JOB_USAGE = `lwsim capacity k8s-job --shards N --image IMAGE [--parallelism P] [--threads T] [--job-name NAME]
         [--namespace NS] [--claim NAME | --storage-class CLASS] [--out FILE] <the search's flags>`;

function fail(message: string): number {
  process.stderr.write(
    `lwsim capacity k8s-job: ${message}\nusage: ${K8S_JOB_USAGE}\n  the search's flags: ${QUESTION_USAGE}\n`,
  );
  return 2;
}

const options = {
  ...questionOptions,
  shards: { type: 'string' },
  image: { type: 'string' },
  parallelism: { type: 'string' },
  threads: { type: 'string' },
  'job-name': { type: 'string' },
  namespace: { type: 'string' },
  claim: { type: 'string' },
  'storage-class': { type: 'string' },
  out: { type: 'string' },
  name: { type: 'string' },
  'project-id': { type: 'string' },
  'cluster-id': { type: 'string' },
} as const;

export async function k8sJobCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, strict: true, options });
  const shards = values.shards === undefined ? undefined : integer(values.shards, 1);
  if (shards === undefined) return fail(`--shards must be a positive integer, got "${values.shards ?? ''}"`);
  if (values.image === undefined || values.image === '') return fail('--image is required (an image with lwsim)');
  const parallelism = values.parallelism === undefined ? shards : integer(values.parallelism, 1);
  if (parallelism === undefined) return fail(`--parallelism must be a positive integer, got "${values.parallelism}"`);
  const threads = values.threads === undefined ? 1 : integer(values.threads, 1);
  if (threads === undefined) return fail(`--threads must be a positive integer, got "${values.threads}"`);
  const name = values['job-name'] ?? 'lwsim-capacity';
  if (!WORKLOAD_NAME.test(name) || name.length > 57)
    return fail(`--job-name must be a DNS-1123 label of at most 57 characters (NAME-merge must fit), got "${name}"`);
  for (const flag of ['claim', 'namespace'] as const)
    if (values[flag] !== undefined && !WORKLOAD_NAME.test(values[flag]))
      return fail(`--${flag} must be a DNS-1123 label, got "${values[flag]}"`);
  if (values.claim !== undefined && values['storage-class'] !== undefined)
    return fail('--storage-class is for the claim this command creates: not with --claim (an existing one)');
  if (values.name !== undefined && !WORKLOAD_NAME.test(values.name))
    return fail(`--name must be a DNS-1123 label (a Run:ai workload name), got "${values.name}"`);
  if (values['cluster-id'] !== undefined && !UUID.test(values['cluster-id']))
    return fail(`--cluster-id must be a UUID, got "${values['cluster-id']}"`);
  // The whole question is checked (the trace read) here, so a mistake fails now, not in N pods.
  const question = questionFromFlags(values);
  if (!question.ok) return fail(question.message);
  const inPod = values.trace === undefined ? undefined : `${RESULTS_MOUNT}/${basename(values.trace)}`;
  const manifests = capacityJobManifests({
    name,
    ...(values.namespace !== undefined ? { namespace: values.namespace } : {}),
    image: values.image,
    shards,
    parallelism: Math.min(parallelism, shards),
    threads,
    claim: values.claim ?? `${name}-results`,
    existingClaim: values.claim !== undefined,
    ...(values['storage-class'] !== undefined ? { storageClass: values['storage-class'] } : {}),
    questionArgs: argsOf(values, Object.keys(questionOptions), inPod),
    mergeArgs: argsOf(values, ['name', 'project-id', 'cluster-id']),
  });
  if (!manifests.ok) return fail(manifests.message);
  if (values.out === undefined) process.stdout.write(manifests.yaml);
  else await writeFile(values.out, manifests.yaml);
  const claim = values.claim ?? `${name}-results`;
  process.stderr.write(
    [
      ...(inPod ? [`the pods read the trace as ${inPod}: copy ${values.trace} into the claim ${claim} first`] : []),
      `kubectl apply -f ${values.out ?? '<this manifest>'}; the answer: kubectl logs job/${name}-merge`,
      `(and ${RESULTS_MOUNT}/report/{answer.json,report.md,report.html} on the claim)`,
    ].join('\n') + '\n',
  );
  return 0;
}

/** The given flags back as arguments, in `flags` order; the trace path as the pods see it. */
function argsOf(values: Record<string, unknown>, flags: readonly string[], tracePath?: string): string[] {
  return flags.flatMap((flag) => {
    const value = flag === 'trace' && tracePath !== undefined ? tracePath : values[flag];
    if (value === undefined) return [];
    return Array.isArray(value) ? value.flatMap((v) => [`--${flag}`, String(v)]) : [`--${flag}`, String(value)];
  });
}
