import { toSeconds, type Micros } from '../../engine/index.ts';
import { requestedGpus } from '../../scheduler/requests.ts';
import { percentiles, roundTo } from '../../stats/stats.ts';
import type { WorkloadState } from '../../workloads/state.ts';
import type { Recorder, ReplayEnd } from '../recorder.ts';
import type { ReplayReport, WorkloadReport } from '../report.ts';

type OutcomeSections = Pick<ReplayReport, 'workloads' | 'summary'>;

/** What became of every workload (when it ran, how long it waited, preemptions), and their summary. */
export class WorkloadOutcomes implements Recorder<OutcomeSections> {
  section({ cluster, at }: ReplayEnd): OutcomeSections {
    const workloads = [...cluster.allWorkloads()].map((w) => workloadReport(w, at));
    const ran = workloads.filter((w) => w.firstRunningAt !== null);
    return {
      workloads,
      summary: {
        workloads: workloads.length,
        ran: ran.length,
        neverRan: workloads.length - ran.length,
        pendingSeconds: percentiles(workloads.map((w) => w.pendingSeconds)),
        timeToRunningSeconds: percentiles(ran.map((w) => w.timeToRunningSeconds!)),
        preemptions: workloads.reduce((s, w) => s + w.preemptions, 0),
        restarts: workloads.reduce((s, w) => s + w.restarts, 0),
      },
    };
  }
}

function workloadReport(w: Readonly<WorkloadState>, end: Micros): WorkloadReport {
  const spec = w.spec;
  const groupGpus =
    requestedGpus(spec.leader.resources.gpu) +
    spec.workers * (spec.worker ? requestedGpus(spec.worker.resources.gpu) : 0);
  const scheduled = w.firstScheduledAt ?? w.deletedAt ?? end;
  const restarts = w.groups.reduce((s, g) => s + g.restarts, 0) - w.evictions;
  return {
    name: w.name,
    project: w.project,
    kind: spec.runFor === undefined ? 'inference' : 'training',
    gpus: round(groupGpus * w.replicas),
    submittedAt: toSeconds(w.createdAt),
    firstRunningAt: w.firstRunningAt === null ? null : toSeconds(w.firstRunningAt),
    pendingSeconds: round(toSeconds(Math.max(0, scheduled - w.createdAt))),
    timeToRunningSeconds: w.firstRunningAt === null ? null : round(toSeconds(w.firstRunningAt - w.createdAt)),
    preemptions: w.evictions,
    restarts: Math.max(0, restarts),
    finalPhase: w.deletedAt !== null ? 'Deleted' : w.phase,
    pendingReason: w.firstRunningAt === null ? w.phaseMessage || null : null,
  };
}

const round = (x: number): number => roundTo(x, 3);
