// A capacity search's worker thread: runs one step of sim/capacity for one input (piscina calls the default export).
import {
  checkReplicas,
  rateOneReplica,
  replicaCount,
  type CapacityQuestion,
  type CandidateResult,
  type Rated,
  type Rejected,
  type ReplicaShape,
  type SloCheck,
} from '../../sim/capacity/index.ts';

export type StepTask =
  | { readonly kind: 'rate'; readonly question: CapacityQuestion; readonly shape: ReplicaShape }
  | { readonly kind: 'count'; readonly question: CapacityQuestion; readonly rated: Rated; readonly bestCost: number }
  | {
      readonly kind: 'check';
      readonly question: CapacityQuestion;
      readonly shape: ReplicaShape;
      readonly replicas: number;
    };

export type StepResult = Rated | Rejected | CandidateResult | SloCheck | undefined;

export default function step(task: StepTask): StepResult {
  switch (task.kind) {
    case 'rate':
      return rateOneReplica(task.question, task.shape);
    case 'count':
      return replicaCount(task.question, task.rated, task.bestCost);
    case 'check':
      return checkReplicas(task.question, task.shape, task.replicas);
  }
}
