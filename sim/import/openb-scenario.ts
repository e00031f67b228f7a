/**
 * The openb pods as an lwsim scenario (plain data, for YAML): each pod a one-pod distributed inference created at
 * its creation time and deleted at its deletion time, whole GPUs as devices, a share of one GPU as a portion, and
 * `gpu_spec` as required node affinity on the GPU product label. CPU-only pods ask for no GPU.
 */
import { NODE_LABELS } from '../cluster/spec.ts';
import type { OpenbPod } from './openb.ts';

export interface ScenarioOptions {
  readonly name: string;
  /** The cluster file, relative to the scenario. */
  readonly cluster: string;
  readonly project: string;
}

export function scenarioDocument(pods: readonly OpenbPod[], options: ScenarioOptions): Record<string, unknown> {
  const steps: { at: number; order: number; item: Record<string, unknown> }[] = [];
  const names = new Set<string>();
  pods.forEach((pod, i) => {
    const name = uniqueName(workloadName(pod.name), names);
    steps.push({
      at: pod.creationTime,
      order: 2 * i,
      item: { at: `${pod.creationTime}s`, create: creation(pod, name, options.project) },
    });
    if (pod.deletionTime !== null) {
      const at = Math.max(pod.deletionTime, pod.creationTime);
      steps.push({ at, order: 2 * i + 1, item: { at: `${at}s`, delete: { name } } });
    }
  });
  steps.sort((a, b) => a.at - b.at || a.order - b.order);
  const until = Math.max(0, ...steps.map((s) => s.at)) + 3600;
  return {
    name: options.name,
    seed: 42,
    until: `${until}s`,
    cluster: options.cluster,
    timeline: steps.map((s) => s.item),
  };
}

function creation(pod: OpenbPod, name: string, project: string): Record<string, unknown> {
  const compute: Record<string, unknown> = {
    cpuCoreRequest: pod.milliCpu / 1000,
    cpuMemoryRequest: `${pod.memoryMib}Mi`,
  };
  if (pod.gpuNumber > 0 && pod.milliGpu >= 1000) compute.gpuDevicesRequest = pod.gpuNumber;
  else if (pod.gpuNumber > 0 && pod.milliGpu > 0) {
    compute.gpuDevicesRequest = 1;
    compute.gpuRequestType = 'portion';
    compute.gpuPortionRequest = pod.milliGpu / 1000;
  }
  const leader: Record<string, unknown> = { image: 'openb', compute };
  if (pod.gpuSpec.length > 0)
    leader.nodeAffinityRequired = {
      nodeSelectorTerms: [
        { matchExpressions: [{ key: NODE_LABELS.gpuProduct, operator: 'In', values: [...pod.gpuSpec] }] },
      ],
    };
  return { name, projectId: project, spec: { leader } };
}

/** A DNS-1123 label: lower case, "-" for anything else, starting with a letter, at most 63 characters. */
export function workloadName(raw: string): string {
  const cleaned = raw
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return cleaned === '' ? 'pod' : cleaned;
}

function uniqueName(name: string, taken: Set<string>): string {
  let candidate = name;
  for (let i = 2; taken.has(candidate); i++) candidate = `${name.slice(0, 60 - String(i).length)}-${i}`;
  taken.add(candidate);
  return candidate;
}
