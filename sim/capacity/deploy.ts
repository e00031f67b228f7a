// The winner as something to submit: a Run:ai distributed-inference creation body — one LWS group per replica, TP
// GPUs per pod, PP pods per group (a leader and PP − 1 workers) — running vLLM with the searched engine arguments.
import type { ReplicaShape } from './search.ts';

export interface CreationTarget {
  readonly name: string;
  readonly projectId: string;
  readonly clusterId: string;
  /** The model as the engine loads it (a Hugging Face id). */
  readonly modelId: string;
  readonly image?: string;
}

export function creationBody(shape: ReplicaShape, replicas: number, target: CreationTarget): Record<string, unknown> {
  const args = [
    target.modelId,
    `--tensor-parallel-size ${shape.tp}`,
    ...(shape.pp > 1 ? [`--pipeline-parallel-size ${shape.pp}`, '--distributed-executor-backend ray'] : []),
    ...(shape.maxNumSeqs !== undefined ? [`--max-num-seqs ${shape.maxNumSeqs}`] : []),
    ...(shape.maxNumBatchedTokens !== undefined ? [`--max-num-batched-tokens ${shape.maxNumBatchedTokens}`] : []),
  ].join(' ');
  const pod = (role: 'leader' | 'worker') => ({
    image: target.image ?? 'vllm/vllm-openai:latest',
    ...(role === 'leader' ? { command: 'vllm serve', args } : {}),
    compute: { gpuDevicesRequest: shape.tp },
  });
  return {
    name: target.name,
    projectId: target.projectId,
    clusterId: target.clusterId,
    spec: {
      replicas,
      workers: shape.pp - 1,
      leader: pod('leader'),
      ...(shape.pp > 1 ? { worker: pod('worker') } : {}),
      servingPort: { port: 8000 },
    },
  };
}
