// Each policy's score and GPU choice on hand-made nodes, the expected values worked out by hand from the notes'
// formulas (fgd-simulator-notes.md §6).
import { describe, expect, it } from 'vitest';
import { Random } from '../../sim/engine/random.ts';
import { POLICIES, type TypicalPod } from '../../sim/fgd/index.ts';
import { bestFitScore } from '../../sim/fgd/policies/best-fit.ts';
import { dotProdScore } from '../../sim/fgd/policies/dot-prod.ts';
import { fgdScore } from '../../sim/fgd/policies/fgd.ts';
import { gpuClusteringScore } from '../../sim/fgd/policies/gpu-clustering.ts';
import { gpuPackingScore } from '../../sim/fgd/policies/gpu-packing.ts';
import { node, pod } from './helpers.ts';

// 8 GPUs, 6 of them free; Σ left = 6700; 64 cores left.
const busy = () => node([1000, 1000, 500, 200, 1000, 1000, 1000, 1000]);
const share = pod(8000, 400, 1);
const twoGpus = pod(8000, 1000, 2);
const cpuOnly = pod(8000, 0, 0);
const context = { typical: [] as TypicalPod[], rng: new Random(1) };

describe('DotProd', () => {
  it('scores 100·(1 − nv·pv/2), truncated', () => {
    // nv = [0.5, 0.8375], pv = [0.0625, 0.05]: dot 0.073125, 100·(1 − 0.0365625) = 96.34
    expect(dotProdScore(busy(), share)).toBe(96);
  });
  it('scores 0 where the cpu does not fit', () => {
    expect(dotProdScore(node([1000], 4000), share)).toBe(0);
  });
  it('puts a share pod on the fitting GPU with the least left', () => {
    expect(POLICIES.dotprod.gpus(busy(), share, context)).toEqual([2]);
  });
});

describe('BestFit', () => {
  it('scores 100·(1 − [0.5·cpu after/128000 + 0.5·gpu after/8000]), truncated, and normalises', () => {
    // 0.5·56000/128000 = 0.21875, 0.5·6300/8000 = 0.39375: 100·0.3875 = 38.75
    expect(bestFitScore(busy(), share)).toBe(38);
    expect(POLICIES.bestfit.normalize).toBe(true);
  });
  it('gives whole GPUs the lowest-index free ones', () => {
    expect(POLICIES.bestfit.gpus(node([200, 1000, 1000, 1000]), twoGpus, context)).toEqual([1, 2]);
  });
});

describe('GpuPacking', () => {
  it('case 1: a shared GPU that fits, 100 − ⌊left%⌋/10', () => {
    // the 500 GPU is the first fitting one in ascending order: 100 − 50/10
    expect(gpuPackingScore(busy(), share)).toBe(95);
  });
  it('case 2: free GPUs on a used node, 50 − the free GPUs taken', () => {
    expect(gpuPackingScore(busy(), twoGpus)).toBe(48);
  });
  it('case 3: an idle node, max(33 − free GPUs, free GPUs)', () => {
    expect(gpuPackingScore(node(new Array(8).fill(1000)), share)).toBe(25);
    expect(gpuPackingScore(node([1000, 1000]), share)).toBe(31);
  });
  it('scores CPU-only pods 0', () => {
    expect(gpuPackingScore(busy(), cpuOnly)).toBe(0);
  });
});

describe('GpuClustering', () => {
  // S = 25·(8000 − 6700)/8000 = 4 in integers
  it('favours nodes holding only pods of the same kind, then mixed, then empty, then others', () => {
    const only = busy();
    only.affinity.set('share-gpu', 2);
    const mixed = busy();
    mixed.affinity.set('share-gpu', 1).set('1-gpu', 1);
    const other = busy();
    other.affinity.set('2-gpu', 1);
    expect(gpuClusteringScore(only, share)).toBe(79);
    expect(gpuClusteringScore(mixed, share)).toBe(54);
    expect(gpuClusteringScore(busy(), share)).toBe(29);
    expect(gpuClusteringScore(other, share)).toBe(4);
    expect(gpuClusteringScore(other, twoGpus)).toBe(79);
    expect(gpuClusteringScore(only, cpuOnly)).toBe(0);
  });
  it('binding records the pod kind on the node', () => {
    const n = busy();
    n.bind(twoGpus, POLICIES['gpu-clustering'].gpus(n, twoGpus, context));
    expect([...n.affinity]).toEqual([['2-gpu', 1]]);
    expect(n.gpuLeft).toEqual([0, 0, 500, 200, 1000, 1000, 1000, 1000]);
  });
});

describe('Random', () => {
  it('favours one feasible node uniformly', () => {
    const rng = new Random(7);
    const seen = new Set(Array.from({ length: 200 }, () => POLICIES.random.prefer!(3, rng)));
    expect([...seen].sort()).toEqual([0, 1, 2]);
  });
  it('gives a share pod any GPU that fits it, and only those', () => {
    const rng = new Random(3);
    const n = node([1000, 300, 500, 1000]);
    const seen = new Set(Array.from({ length: 200 }, () => POLICIES.random.gpus(n, share, { typical: [], rng })[0]));
    expect([...seen].sort()).toEqual([0, 2, 3]);
    expect(POLICIES.random.gpus(n, twoGpus, { typical: [], rng })).toEqual([0, 3]);
  });
});

describe('FGD', () => {
  // Two typical pods, half each: a 500-milli share and a whole GPU, 1 core each.
  const typical: TypicalPod[] = [
    { milliCpu: 1000, milliGpu: 500, gpuNumber: 1, gpuSpec: [], frequency: 0.5 },
    { milliCpu: 1000, milliGpu: 1000, gpuNumber: 1, gpuSpec: [], frequency: 0.5 },
  ];
  // F(n) = 0.5·600 = 300 (the 600 GPU is too small for the whole-GPU typical pod).
  const n = () => node([1000, 600], 10_000);
  it('tries each fitting GPU for a share pod and keeps the best', () => {
    // GPU 0 → [700, 600]: no whole GPU left, F = 0.5·1300 = 650, sigmoid(−0.35)·100 = 41.3
    // GPU 1 → [1000, 300]: F = 0.5·300 + 0.5·300 = 300, sigmoid(0)·100 = 50
    const p = pod(1000, 300, 1);
    expect(fgdScore(n(), p, typical)).toBe(50);
    expect(POLICIES.fgd.gpus(n(), p, { typical, rng: new Random(1) })).toEqual([1]);
  });
  it('takes whole GPUs from the smallest fitting one, and gives the lowest-index free ones', () => {
    // [0, 600]: F = 0.5·600 = 300, unchanged: 50
    const p = pod(1000, 1000, 1);
    expect(fgdScore(n(), p, typical)).toBe(50);
    expect(POLICIES.fgd.gpus(n(), p, { typical, rng: new Random(1) })).toEqual([0]);
  });
  it('counts the cpu a CPU-only pod takes', () => {
    // 500 m left: both typical pods lack cpu (Q4), F = 1600: sigmoid(−1.3)·100 = 21.4
    expect(fgdScore(n(), pod(9500, 0, 0), typical)).toBe(21);
  });
  it('scores a pod that asks for nothing 100', () => {
    expect(fgdScore(n(), pod(0, 0, 0), typical)).toBe(100);
  });
});
