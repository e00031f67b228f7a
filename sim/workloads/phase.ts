import type { GroupState, WorkloadPhase, WorkloadState } from './state.ts';

/**
 * A workload's phase, derived from its groups, by the first rule that applies:
 *
 *  1. Deleting   deletion was requested and pods are still terminating;
 *  1b. Completed a job (spec.runFor) that has run its full time;
 *  2. Stopping / Stopped   no groups are desired (replicas 0): Stopping while groups still terminate;
 *  3. Creating   submitted, and the scheduler has not looked at it yet;
 *  4. Updating   a replica change is rolling out while at least one group serves;
 *  5. Running    every desired group is Ready;
 *  6. Degraded   some groups are Ready and others are not (waiting for placement, restarting);
 *  7. Pending    no group is Ready and at least one waits for placement (phaseMessage says why);
 *  8. Initializing  every group is placed and some pod is still pulling, starting or loading its model.
 */
export function derivePhase(
  workload: WorkloadState,
  pendingMessage: (group: GroupState) => string | null,
): { phase: WorkloadPhase; message: string } {
  if (workload.desiredPhase === 'Deleted') return { phase: 'Deleting', message: '' };
  if (workload.completedAt !== null) return { phase: 'Completed', message: '' };
  if (workload.replicas === 0) return { phase: workload.groups.length === 0 ? 'Stopped' : 'Stopping', message: '' };
  if (workload.creating) return { phase: 'Creating', message: '' };
  // One pass, no arrays: this runs for every workload an event touches.
  let active = 0;
  let ready = 0;
  let waiting = 0;
  for (const group of workload.groups) {
    if (group.status === 'terminating') continue;
    active++;
    if (group.status === 'ready') ready++;
    else if (group.status === 'pending') waiting++;
  }
  if (workload.updating && ready > 0) return { phase: 'Updating', message: firstReason(workload, pendingMessage) };
  if (active > 0 && ready === active && active === workload.replicas) return { phase: 'Running', message: '' };
  if (ready > 0) return { phase: 'Degraded', message: firstReason(workload, pendingMessage) };
  if (waiting > 0) return { phase: 'Pending', message: firstReason(workload, pendingMessage) };
  return { phase: 'Initializing', message: '' };
}

/** Why the first waiting group waits ('' if the scheduler has said nothing yet). */
function firstReason(workload: WorkloadState, pendingMessage: (group: GroupState) => string | null): string {
  for (const group of workload.groups) {
    if (group.status !== 'pending') continue;
    const message = pendingMessage(group);
    if (message !== null) return message;
  }
  return '';
}
