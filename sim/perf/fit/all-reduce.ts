// Fits of the in-node ring all-reduce to Vidur's NCCL measurements, and a check of the cross-node model against them.
import type { GpuType } from '../../cluster/gpu-catalog.ts';
import type { ScaleOutNetwork } from '../../cluster/spec.ts';
import { nelderMead } from '../../stats/nelder-mead.ts';
import { linkBytesPerSecond, type CollectiveFit } from '../calibration.ts';
import { ringAllReduceSeconds } from '../iteration.ts';
import { logLoss, mape, positive } from './error.ts';

export interface AllReduceSample {
  readonly ranks: number;
  readonly devicesPerNode: number;
  readonly bytes: number;
  readonly seconds: number;
}

/** In-node: the ring over NVLink. Across nodes: in-node reduce-scatter + all-gather, and a ring of the nodes' NICs. */
export function predictAllReduce(
  fit: CollectiveFit,
  gpu: GpuType,
  network: ScaleOutNetwork,
  s: AllReduceSample,
): number {
  const local = s.devicesPerNode;
  const inNode = ringAllReduceSeconds(fit, linkBytesPerSecond(gpu), local, s.bytes);
  if (s.ranks === local) return inNode;
  const nodes = s.ranks / local;
  const nic = (network.bandwidthGbps * 1e9) / 8;
  return (
    inNode + 2 * (nodes - 1) * network.latencyMicros * 1e-6 + ((2 * (nodes - 1)) / nodes) * (s.bytes / local / nic)
  );
}

const fitFrom = (x: readonly number[]): CollectiveFit => ({
  latencySeconds: positive(x[0]!),
  efficiency: positive(x[1]!),
});

/** One fit per rank count, on the samples where every rank is in one node. */
export function fitAllReduce(
  gpu: GpuType,
  samples: readonly AllReduceSample[],
  network: ScaleOutNetwork,
): Record<string, CollectiveFit> {
  const fits: Record<string, CollectiveFit> = {};
  const inNode = samples.filter((s) => s.ranks === s.devicesPerNode);
  for (const ranks of [...new Set(inNode.map((s) => s.ranks))].sort((a, b) => a - b)) {
    const rows = inNode.filter((s) => s.ranks === ranks);
    const loss = (x: readonly number[]): number => {
      const fit = fitFrom(x);
      return logLoss(rows.map((s) => ({ predicted: predictAllReduce(fit, gpu, network, s), measured: s.seconds })));
    };
    fits[String(ranks)] = fitFrom(nelderMead(loss, [Math.log(2e-5), Math.log(0.7)], { step: 0.5 }).x);
  }
  return fits;
}

export interface AllReduceErrors {
  /** MAPE (%) by "ranks" in one node, in sample. */
  readonly inNode: Readonly<Record<string, number>>;
  /** MAPE (%) by "ranks/devicesPerNode" across nodes: never fitted, a pure prediction from the in-node fits. */
  readonly crossNode: Readonly<Record<string, number>>;
}

export function allReduceErrors(
  gpu: GpuType,
  samples: readonly AllReduceSample[],
  network: ScaleOutNetwork,
): AllReduceErrors {
  const fits = fitAllReduce(gpu, samples, network);
  const inNode: Record<string, number> = {};
  const crossNode: Record<string, number> = {};
  const groups = new Map<string, AllReduceSample[]>();
  for (const s of samples) {
    const key = s.ranks === s.devicesPerNode ? String(s.ranks) : `${s.ranks}/${s.devicesPerNode}`;
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  for (const [key, rows] of groups) {
    const fit = fits[String(rows[0]!.devicesPerNode)];
    if (rows[0]!.devicesPerNode === 1) {
      // One GPU per node: nothing in-node to fit; the ring is the NICs alone.
      const pure = { latencySeconds: 0, efficiency: 1 };
      crossNode[key] = mape(
        rows.map((s) => ({ predicted: predictAllReduce(pure, gpu, network, s), measured: s.seconds })),
      );
      continue;
    }
    if (fit === undefined) continue;
    const error = mape(rows.map((s) => ({ predicted: predictAllReduce(fit, gpu, network, s), measured: s.seconds })));
    if (key.includes('/')) crossNode[key] = error;
    else inNode[key] = error;
  }
  return { inNode, crossNode };
}
