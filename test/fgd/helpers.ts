import type { OpenbNode, OpenbPod } from '../../sim/import/openb.ts';
import { FgdNode, PodKeys, type PodRequest } from '../../sim/fgd/index.ts';

/** A node with the given GPUs left (1000 = free) and cpu left. */
export function node(gpuLeft: number[], cpuLeft = 64_000, gpuType = 'T4', milliCpu = 96_000): FgdNode {
  const n = new FgdNode(spec(`n-${gpuLeft.join('-')}`, gpuLeft.length, gpuType, milliCpu));
  gpuLeft.forEach((left, g) => (n.gpuLeft[g] = left));
  n.cpuLeft = cpuLeft;
  return n;
}

export function spec(name: string, gpuCount: number, gpuType = 'T4', milliCpu = 96_000): OpenbNode {
  return { name, milliCpu, memoryMib: 262_144, gpuCount, gpuType };
}

const keys = new PodKeys();

export function pod(
  milliCpu: number,
  milliGpu: number,
  gpuNumber: number,
  gpuSpec: string[] = [],
  name = 'p',
): PodRequest {
  return keys.request(openbPod(name, milliCpu, milliGpu, gpuNumber, gpuSpec));
}

export function openbPod(
  name: string,
  milliCpu: number,
  milliGpu: number,
  gpuNumber: number,
  gpuSpec: string[] = [],
): OpenbPod {
  return { name, milliCpu, memoryMib: 1024, gpuNumber, milliGpu, gpuSpec, creationTime: 0, deletionTime: null };
}
