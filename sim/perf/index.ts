// The GPU performance model: what one engine iteration of a real LLM costs on a real GPU, and what fits in memory.
export * from './architectures.ts';
export * from './calibration.ts';
export * from './closed-loop.ts';
export * from './deployment.ts';
export * from './engines.ts';
export * from './iteration.ts';
export * from './latency-models.ts';
export * from './memory.ts';
export * from './precision.ts';
export { CALIBRATION, CALIBRATION_REPORT } from './calibration-data.ts';
