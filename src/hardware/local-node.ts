import { GIB, type NodeSetSpec } from '../../sim/cluster/index.ts';
import { mapGpuName, type LocalMachine } from './machine.ts';

/**
 * This machine as one node of the `local` pool. Its NVIDIA GPUs when they are catalog models; otherwise the
 * `cpu` device class, one device standing for the CPU (that is where the serving kernel really runs).
 */
export function localNodeSet(machine: LocalMachine): NodeSetSpec {
  const models = new Set(machine.gpus.map((g) => mapGpuName(g.name)));
  const [model] = models;
  const gpu =
    machine.gpus.length > 0 && models.size === 1 && model !== undefined
      ? { model, count: machine.gpus.length, memoryBytes: Math.min(...machine.gpus.map((g) => g.memoryMiB)) * 2 ** 20 }
      : { model: 'cpu' as const, count: 1, memoryBytes: Math.floor(machine.memoryBytes / GIB) * GIB };
  return {
    count: 1,
    namePrefix: 'local-',
    gpu,
    cpuMillis: machine.cpu.cores * 1000,
    memoryBytes: machine.memoryBytes,
    labels: {
      'run.ai/type': 'local',
      'lwsim.io/local': 'true',
      'lwsim.io/hostname': machine.hostname
        .toLowerCase()
        .replace(/[^a-z0-9.-]/g, '-')
        .slice(0, 63),
    },
    taints: [],
    topology: {},
  };
}
