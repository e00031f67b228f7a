// Ties engines to workload lifecycles: an engine exists only while its workload is Running.
import type { SimulatedCluster } from '../../sim/simulator/simulated-cluster.ts';
import type { WorkloadState } from '../../sim/workloads/state.ts';
import type { EnginePool } from './engine-pool.ts';

/** Releases a workload's engine when it leaves Running or is deleted; returns the unsubscribe. */
export function closeEnginesWithWorkloads(pool: EnginePool, observers: SimulatedCluster['observers']): () => void {
  const onPhase = (workload: WorkloadState): void => {
    if (workload.phase !== 'Running') void pool.release(workload.id);
  };
  const onDeleted = (workload: WorkloadState): void => void pool.release(workload.id);
  observers.on('workload-phase', onPhase);
  observers.on('workload-deleted', onDeleted);
  return () => {
    observers.off('workload-phase', onPhase);
    observers.off('workload-deleted', onDeleted);
  };
}
