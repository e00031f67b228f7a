export * from './time.ts';
export * from './event-queue.ts';
export * from './random.ts';
export * from './simulation.ts';
