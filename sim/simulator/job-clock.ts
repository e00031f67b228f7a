import type { Micros } from '../engine/index.ts';
import type { Handlers } from '../engine/simulation.ts';
import type { WorkloadPhase, WorkloadState } from '../workloads/state.ts';

/** A job may have run its time: valid only if `token` is still the workload's run token. */
export type JobClockEvent = { readonly type: 'run-complete'; readonly workload: string; readonly token: number };

/** What the job clock needs from the cluster around it. */
export interface JobClockContext {
  readonly now: Micros;
  after(delay: Micros, event: JobClockEvent): void;
  workload(id: string): WorkloadState | undefined;
  /** The job has run its time: its groups terminate. */
  complete(workload: WorkloadState): void;
}

/**
 * The clock of batch jobs (`spec.runFor`): a job runs its time in total, across preemptions (as a job that
 * checkpoints does), and completes when it has.
 */
export class JobClock {
  /** Per job: the token of its pending run-complete event (older events are stale). */
  private tokens = new Map<string, number>();
  readonly handlers: Handlers<JobClockEvent, void> = {
    'run-complete': (event) => this.onRunComplete(event),
  };

  constructor(private readonly ctx: JobClockContext) {}

  /** Starts or stops a job's clock as it enters or leaves Running. */
  onPhase(workload: WorkloadState, previous: WorkloadPhase): void {
    const runFor = workload.spec.runFor;
    if (runFor === undefined || workload.completedAt !== null) return;
    const token = (this.tokens.get(workload.id) ?? 0) + 1;
    const now = this.ctx.now;
    if (workload.phase === 'Running' && previous !== 'Running') {
      workload.runningSince = now;
      this.tokens.set(workload.id, token);
      this.ctx.after(Math.max(0, runFor - workload.ranMicros), { type: 'run-complete', workload: workload.id, token });
    } else if (previous === 'Running' && workload.phase !== 'Running') {
      workload.ranMicros += now - (workload.runningSince ?? now);
      workload.runningSince = null;
      this.tokens.set(workload.id, token);
    }
  }

  /** A copy for a copy of the cluster (its own context). */
  clone(ctx: JobClockContext): JobClock {
    const copy = new JobClock(ctx);
    copy.tokens = new Map(this.tokens);
    return copy;
  }

  /** Each job's current token, as [workload id, token]. */
  snapshot(): readonly (readonly [string, number])[] {
    return [...this.tokens];
  }

  restore(tokens: readonly (readonly [string, number])[]): void {
    this.tokens = new Map(tokens);
  }

  /** A job that has run its time completes: its pods terminate and it keeps the phase Completed. */
  private onRunComplete({ workload: id, token }: JobClockEvent): void {
    const workload = this.ctx.workload(id);
    if (!workload || this.tokens.get(id) !== token || workload.phase !== 'Running') return;
    const now = this.ctx.now;
    workload.completedAt = now;
    workload.ranMicros += now - (workload.runningSince ?? now);
    workload.runningSince = null;
    this.ctx.complete(workload);
  }
}
