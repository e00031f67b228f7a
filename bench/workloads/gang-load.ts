/**
 * The scheduler benchmark's workload, as a function of cluster size: N nodes x 8 H100 in racks of 8, two node
 * pools (60/40), 20 projects in 4 departments with deserved quota, and 10 pods per node arriving as gangs of
 * 1-4 pods with per-pod requests from {0.5, 1, 2, 4, 8} GPUs, weighted so the total asks ~95% of capacity.
 * Deterministic for a seed.
 */
import { buildCluster, GIB, GPU_CATALOG, type ClusterSpec, type ClusterState } from '../../sim/cluster/index.ts';
import { Random } from '../../sim/engine/index.ts';
import { PRIORITY_CLASSES, type DepartmentSpec, type GangSpec } from '../../sim/scheduler/index.ts';

export const POD_GPUS = [0.5, 1, 2, 4, 8] as const;
/** Weights chosen so the mean request is ~0.76 GPU/pod: 10 pods per 8-GPU node is then ~95% of capacity. */
export const POD_GPU_WEIGHTS = [0.74, 0.2, 0.04, 0.015, 0.005] as const;

export interface GangLoad {
  readonly cluster: ClusterState;
  readonly departments: DepartmentSpec[];
  /** Arrival batches: each is submitted, then one scheduling cycle runs. */
  readonly batches: GangSpec[][];
  readonly pods: number;
  readonly requestedGpus: number;
}

export function gangLoad(nodeCount: number, seed = 7, batchCount = 100): GangLoad {
  const random = new Random(seed);
  const poolNodes = [Math.round(nodeCount * 0.6), nodeCount - Math.round(nodeCount * 0.6)];
  const spec: Omit<ClusterSpec, 'departments'> = {
    name: `bench-${nodeCount}`,
    id: '00000000-0000-4000-8000-00000000b001',
    gpuTypes: GPU_CATALOG,
    topologyLevels: [
      { name: 'zone', label: 'lwsim.io/topology.zone' },
      { name: 'rack', label: 'lwsim.io/topology.rack' },
    ],
    nodePools: ['pool-a', 'pool-b'].map((name, p) => ({
      name,
      placement: 'binpack' as const,
      nodes: [
        {
          count: poolNodes[p]!,
          gpu: { model: 'H100-SXM-80GB' as const, count: 8 },
          cpuMillis: 224_000,
          memoryBytes: 2048 * GIB,
          labels: {},
          taints: [],
          topology: { rack: 8, zone: 32 },
        },
      ],
    })),
  };
  const departments: DepartmentSpec[] = [0, 1, 2, 3].map((d) => ({
    name: `dept-${d}`,
    rank: 0,
    quotas: Object.fromEntries(['pool-a', 'pool-b'].map((pool, p) => [pool, { deserved: (poolNodes[p]! * 8) / 4 }])),
    projects: [0, 1, 2, 3, 4].map((j) => ({
      name: `proj-${d}-${j}`,
      rank: 0,
      quotas: Object.fromEntries(
        ['pool-a', 'pool-b'].map((pool, p) => [
          pool,
          { deserved: (poolNodes[p]! * 8) / 20, overQuotaWeight: 1 + (j % 3) },
        ]),
      ),
    })),
  }));

  const built = buildCluster({ ...spec, departments });
  if (!built.ok) throw new Error(built.errors.map((e) => e.message).join('; '));

  const targetPods = nodeCount * 10;
  const gangs: GangSpec[] = [];
  let pods = 0;
  let requestedGpus = 0;
  while (pods < targetPods) {
    const size = Math.min(random.int(1, 4), targetPods - pods);
    const gpus = random.weighted(POD_GPUS, POD_GPU_WEIGHTS);
    const inference = random.next() < 0.3;
    const project = `proj-${random.int(0, 3)}-${random.int(0, 4)}`;
    const first = random.next() < 0.6 ? 'pool-a' : 'pool-b';
    gangs.push({
      id: `g${gangs.length}`,
      project,
      priority: inference ? PRIORITY_CLASSES['very-high'] : PRIORITY_CLASSES.low,
      preemptible: !inference,
      pods: Array.from({ length: size }, (_, i) => ({
        role: i === 0 ? 'leader' : `worker-${i}`,
        resources: {
          gpu: Number.isInteger(gpus)
            ? { kind: 'devices' as const, count: gpus }
            : { kind: 'portion' as const, portion: gpus },
          cpuMillis: 4000,
          memoryBytes: 32 * GIB,
        },
      })),
      nodePools: random.next() < 0.5 ? [first] : [first, first === 'pool-a' ? 'pool-b' : 'pool-a'],
    });
    pods += size;
    requestedGpus += size * gpus;
  }
  const per = Math.ceil(gangs.length / batchCount);
  const batches = Array.from({ length: batchCount }, (_, b) => gangs.slice(b * per, (b + 1) * per)).filter(
    (b) => b.length > 0,
  );
  return { cluster: built.cluster, departments, batches, pods, requestedGpus };
}
