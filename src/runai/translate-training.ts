/**
 * From Run:ai's `TrainingCreationRequest` (valid against the contract) to the model's spec: a training is one
 * pod, preemptible by default (priority class low), that the model runs like any gang. How long it runs is not
 * in Run:ai's request; the annotation `lwsim.io/run-for` (e.g. `2h`) makes it complete after that much running
 * time (its progress survives preemption, as a job that checkpoints does); without it, it runs until deleted.
 */
import { parseDuration } from '../../sim/engine/index.ts';
import { DEFAULT_PRIORITY_CLASS, isPriorityClassName } from '../../sim/scheduler/index.ts';
import {
  creationTarget,
  fail,
  NO_NODE_POOLS,
  podAffinity,
  podTemplate,
  priorityOf,
  type RequestPodSpec,
  type Translation,
  type TranslationContext,
} from './translate.ts';

export const RUN_FOR_ANNOTATION = 'lwsim.io/run-for';

export interface TrainingRequest {
  name: string;
  useGivenNameAsPrefix?: boolean | null;
  projectId: string;
  clusterId: string;
  spec?: TrainingRequestSpec | null;
}

export interface TrainingRequestSpec extends RequestPodSpec {
  nodePools?: string[] | null;
  preemptibility?: 'preemptible' | 'non-preemptible' | null;
  priorityClass?: string | null;
  parallelism?: number | null;
  completions?: number | null;
  annotations?: ({ name?: string | null; value?: string | null; exclude?: boolean | null } | null)[] | null;
}

export function translateTraining(body: TrainingRequest, context: TranslationContext): Translation {
  const target = creationTarget(body, context);
  if (!target.ok) return target;
  const { project } = target;
  const spec = body.spec ?? {};
  for (const field of ['parallelism', 'completions'] as const) {
    const n = spec[field];
    if (n != null && n !== 1)
      return fail(
        `spec.${field}`,
        `is ${n}: lwsim runs a training as one pod (use a distributed inference for groups)`,
      );
  }
  const pod = podTemplate(spec, 'spec');
  if (!pod.ok) return pod;
  const className = spec.priorityClass ?? DEFAULT_PRIORITY_CLASS.training;
  if (!isPriorityClassName(className))
    return fail(
      'spec.priorityClass',
      `unknown priority class "${className}" (very-low, low, medium-low, medium, medium-high, high, very-high)`,
    );
  const topology = podAffinity(spec, 'spec');
  if (topology !== undefined && !('key' in topology)) return topology;
  const runFor = runForOf(spec);
  if (runFor !== undefined && !runFor.ok) return runFor;
  return {
    ok: true,
    spec: {
      name: body.name,
      project,
      replicas: 1,
      workers: 0,
      startupPolicy: 'LeaderCreated',
      restartPolicy: 'RecreateGroupOnPodRestart',
      leader: pod.template,
      worker: null,
      nodePools: spec.nodePools ?? NO_NODE_POOLS,
      priority: priorityOf(className, spec.preemptibility ?? null),
      kind: 'training',
      ...(topology ? { topology } : {}),
      ...(runFor ? { runFor: runFor.value } : {}),
    },
  };
}

function runForOf(spec: TrainingRequestSpec): { ok: true; value: number } | { ok: false; message: string } | undefined {
  const annotations = spec.annotations ?? [];
  const i = annotations.findIndex((a) => a?.name === RUN_FOR_ANNOTATION && !a.exclude);
  if (i < 0) return undefined;
  const parsed = parseDuration(annotations[i]!.value ?? '');
  if (!parsed.ok || parsed.value <= 0)
    return fail(
      `spec.annotations[${i}].value`,
      `${RUN_FOR_ANNOTATION} must be a positive duration (examples: 90m, 2h)`,
    );
  return { ok: true, value: parsed.value };
}
