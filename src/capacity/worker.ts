// A capacity search's worker thread: runs one step of sim/capacity for one input (piscina calls the default export).
import {
  rateOneReplica,
  replicaCount,
  type CapacityQuestion,
  type CandidateResult,
  type Rated,
  type Rejected,
  type ReplicaShape,
} from '../../sim/capacity/index.ts';

export type StepTask =
  | { readonly kind: 'rate'; readonly question: CapacityQuestion; readonly shape: ReplicaShape }
  | { readonly kind: 'count'; readonly question: CapacityQuestion; readonly rated: Rated; readonly bestCost: number };

export default function step(task: StepTask): Rated | Rejected | CandidateResult {
  return task.kind === 'rate'
    ? rateOneReplica(task.question, task.shape)
    : replicaCount(task.question, task.rated, task.bestCost);
}
