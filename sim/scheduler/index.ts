export * from './priority.ts';
export * from './queues.ts';
export * from './gang.ts';
export * from './framework.ts';
export * from './fair-share.ts';
export * from './scheduler.ts';
export * from './metrics.ts';
export { DEFAULT_ACTIONS } from './actions/index.ts';
export type { Action, ActionName, Eviction } from './session.ts';
