import type { Micros } from '../engine/index.ts';
import { allocationMetrics, type AllocationMetrics, type PendingReason } from '../scheduler/index.ts';
import type { InferenceSpec } from '../workloads/spec.ts';
import type { WorkloadPhase } from '../workloads/state.ts';
import type { SimulatedCluster } from './simulated-cluster.ts';

export interface WhatIfQuestion {
  readonly spec: InferenceSpec;
  readonly useGivenNameAsPrefix: boolean;
  readonly createdBy: string;
  /** The request as submitted, as JSON text. */
  readonly request: string;
  /** How far ahead to simulate. */
  readonly horizon: Micros;
}

export interface WhatIfPod {
  readonly name: string;
  readonly node: string;
  readonly nodePool: string;
  readonly gpus: readonly number[];
  /** Share of each listed device: 1 for whole devices. */
  readonly gpuShare: number;
}

export interface WhatIfEviction {
  readonly workloadId: string;
  readonly name: string;
  readonly project: string;
  readonly action: 'reclaim' | 'preempt';
  readonly message: string;
}

export type WhatIfAnswer =
  | {
      readonly ok: true;
      readonly workloadId: string;
      readonly name: string;
      /** Every group was placed within the horizon. */
      readonly schedulable: boolean;
      readonly phase: WorkloadPhase;
      readonly from: Micros;
      readonly until: Micros;
      readonly placedAfter: Micros | null;
      readonly runningAfter: Micros | null;
      /** Why groups still wait at the horizon (null when none waits). */
      readonly pending: PendingReason | null;
      readonly pods: readonly WhatIfPod[];
      readonly evicted: readonly WhatIfEviction[];
      readonly allocation: AllocationMetrics;
    }
  | { readonly ok: false; readonly error: 'conflict' | 'invalid' | 'not-found'; readonly message: string };

/**
 * "What if I submitted this now?": a fork of the model takes the workload at the current instant and runs
 * `horizon` ahead. The answer is read off the fork; the model asked is never touched.
 */
export function whatIf(model: SimulatedCluster, question: WhatIfQuestion): WhatIfAnswer {
  const fork = model.fork();
  const from = fork.now;
  const evicted: WhatIfEviction[] = [];
  let id = '';
  let placedAt: Micros | null = null;
  fork.observers.on('scheduling-cycle', (report) => {
    const mine = fork.workload(id);
    if (placedAt === null && mine && mine.groups.length > 0 && mine.groups.every((g) => g.status !== 'pending'))
      placedAt = fork.now;
    for (const eviction of report.evictions) {
      if (!eviction.preemptor.spec.id.startsWith(`${id}/`)) continue;
      const victimId = eviction.victim.spec.id.split('/')[0]!;
      const victim = fork.workload(victimId);
      if (victim && !evicted.some((e) => e.workloadId === victimId)) {
        evicted.push({
          workloadId: victimId,
          name: victim.name,
          project: victim.project,
          action: eviction.action,
          message: eviction.message,
        });
      }
    }
  });
  const created = fork.createWorkload(question);
  if (!created.ok) return created;
  const workload = created.value;
  id = workload.id;
  const until = from + Math.max(0, Math.round(question.horizon));
  fork.advanceTo(until);
  const pods = workload.groups.flatMap((group) =>
    group.pods.flatMap((pod): WhatIfPod[] =>
      pod.binding && pod.node && pod.pool
        ? [
            {
              name: pod.name,
              node: pod.node,
              nodePool: pod.pool,
              gpus: pod.binding.gpus,
              gpuShare: pod.binding.unitsPerGpu / 1_000_000,
            },
          ]
        : [],
    ),
  );
  const waiting = workload.groups.filter((g) => g.status === 'pending');
  return {
    ok: true,
    workloadId: workload.id,
    name: workload.name,
    schedulable: waiting.length === 0,
    phase: workload.phase,
    from,
    until,
    placedAfter: placedAt === null ? null : placedAt - from,
    runningAfter: workload.firstRunningAt === null ? null : workload.firstRunningAt - from,
    pending: waiting.map((g) => fork.pendingReason(g)).find((r) => r !== null) ?? null,
    pods,
    evicted,
    allocation: allocationMetrics(fork.scheduler),
  };
}
