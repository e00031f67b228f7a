// Public API of the local-hardware module.
export { parseNvidiaSmiCsv, queryNvidiaGpus, NVIDIA_SMI_ARGS } from './nvidia.ts';
export type { LocalGpu, NvidiaQueryResult } from './nvidia.ts';
export { describeLocalMachine, mapGpuName } from './machine.ts';
export type { LocalMachine, MachineSources, CatalogGpuModel } from './machine.ts';
export * from './local-node.ts';
