import { describe, expect, it } from 'vitest';
import type { GpuRequest } from '../../sim/cluster/index.ts';
import { servingParallelism } from '../../sim/perf/parallelism.ts';
import { inference, template } from '../support/workloads.ts';

const withGpu = (gpu: GpuRequest, workers: number) =>
  servingParallelism(inference({ workers, leader: { ...template(1), resources: { ...template(1).resources, gpu } } }));

describe('servingParallelism', () => {
  it.each([
    [1, 1],
    [2, 2],
    [3, 2],
    [4, 4],
    [5, 4],
    [7, 4],
    [8, 8],
    [16, 8],
  ])('%i leader GPUs -> TP %i (the largest allowed degree not above)', (count, tp) => {
    expect(withGpu({ kind: 'devices', count }, 0)).toEqual({ tp, pp: 1 });
  });

  it.each([
    ['no GPU', { kind: 'none' }],
    ['a portion', { kind: 'portion', portion: 0.5 }],
    ['GPU memory', { kind: 'memory', bytes: 20e9 }],
  ] as const)('%s -> TP 1', (_, gpu) => {
    expect(withGpu(gpu, 0).tp).toBe(1);
  });

  it.each([
    [0, 1],
    [1, 2],
    [2, 2],
    [3, 4],
    [4, 4],
    [9, 4],
  ])('%i workers -> PP %i (group size rounded down to 1, 2 or 4)', (workers, pp) => {
    expect(withGpu({ kind: 'devices', count: 8 }, workers)).toEqual({ tp: 8, pp });
  });
});
