import type { SchedulerActionName } from '../scheduler-config.ts';
import type { Action } from '../session.ts';
import { allocateAction } from './allocate.ts';
import { preemptAction } from './preempt.ts';
import { reclaimAction } from './reclaim.ts';

/** Every action by the name a scheduler config lists it under (the order is the config's, not this table's). */
export const ACTIONS: Readonly<Record<SchedulerActionName, Action>> = {
  allocate: allocateAction,
  reclaim: reclaimAction,
  preempt: preemptAction,
};

export { allocateAction, preemptAction, reclaimAction };
