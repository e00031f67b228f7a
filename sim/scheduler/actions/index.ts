import type { Action } from '../session.ts';
import { allocateAction } from './allocate.ts';
import { preemptAction } from './preempt.ts';
import { reclaimAction } from './reclaim.ts';

/**
 * KAI's default order is allocate, consolidation, reclaim, preempt, stale-gang eviction. lwsim places gangs
 * whole, so a stale gang never exists; consolidation slots in after allocate when it is written.
 */
export const DEFAULT_ACTIONS: readonly Action[] = [allocateAction, reclaimAction, preemptAction];

export { allocateAction, preemptAction, reclaimAction };
