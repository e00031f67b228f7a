import type { Action } from '../session.ts';

/**
 * Allocate: every pending gang, in queue order, gets a placement on free resources if one exists. Fair share
 * orders the queues but does not gate them here: idle GPUs go to whoever can use them (quota gates still apply).
 */
export const allocateAction: Action = {
  name: 'allocate',
  run(session) {
    session.forEachInQueueOrder(session.core.pendingGangs(), (gang) => void session.allocate(gang));
  },
};
