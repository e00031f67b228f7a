// The capacity search on every core: its steps run on a piscina pool of worker threads. The search itself decides
// what runs (sim/capacity); the pool only runs it, so the answer is the same as in one thread.
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import type { CandidateResult, Rated, Rejected, SloCheck, StepRunner } from '../../sim/capacity/index.ts';
import { tsxImport } from '../runtime/tsx-loader.ts';
import type { StepResult, StepTask } from './worker.ts';

export interface CapacityPool extends StepRunner {
  readonly threads: number;
  close(): Promise<void>;
}

export function capacityPool(threads = availableParallelism()): CapacityPool {
  const pool = new Piscina<StepTask, StepResult>({
    filename: new URL('./worker.ts', import.meta.url).href,
    execArgv: ['--import', tsxImport()],
    minThreads: threads,
    maxThreads: threads,
  });
  return {
    threads,
    rate: (question, shapes) =>
      Promise.all(shapes.map((shape) => pool.run({ kind: 'rate', question, shape }) as Promise<Rated | Rejected>)),
    count: (question, rated, bestCost) =>
      Promise.all(
        rated.map((r) => pool.run({ kind: 'count', question, rated: r, bestCost }) as Promise<CandidateResult>),
      ),
    check: (question, shape, replicas) =>
      pool.run({ kind: 'check', question, shape, replicas }) as Promise<SloCheck | undefined>,
    close: () => pool.destroy(),
  };
}
