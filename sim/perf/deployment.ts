// One replica's deployment — model, GPU, TP × PP, formats, engine — checked once, so pricing never re-validates.
import { GPU_CATALOG, type GpuType, type GpuTypeTable } from '../cluster/gpu-catalog.ts';
import { DEFAULT_SCALE_OUT_NETWORK, type ScaleOutNetwork } from '../cluster/spec.ts';
import { ARCHITECTURES, isArchitectureId, type LlmArchitecture } from './architectures.ts';
import { ENGINES, isEngineName, type EnginePreset } from './engines.ts';
import { isKvDtype, isWeightDtype, type KvDtype, type WeightDtype } from './precision.ts';

export interface Deployment {
  readonly model: LlmArchitecture;
  readonly gpu: GpuType;
  /** Tensor-parallel ranks per pipeline stage. */
  readonly tp: number;
  /** Pipeline stages (in an LWS group: the pods). */
  readonly pp: number;
  readonly weights: WeightDtype;
  readonly kv: KvDtype;
  readonly engine: EnginePreset;
  /** GPUs per node: a TP group larger than this spans nodes and all-reduces over the scale-out network. */
  readonly gpusPerNode: number;
  readonly network: ScaleOutNetwork;
  /** Pipeline stages on different nodes (LWS pods), so activations cross the scale-out network. */
  readonly stagesAcrossNodes: boolean;
}

/** What a caller names: strings and numbers as a CLI or an HTTP body gives them. */
export interface DeploymentRequest {
  readonly model: string;
  readonly gpu: string;
  readonly tp?: number;
  readonly pp?: number;
  readonly dtype?: string;
  /** Defaults to FP8 for FP8 and FP4 weights, else the weights' format. */
  readonly kvDtype?: string;
  readonly engine?: string;
  readonly gpuTypes?: GpuTypeTable;
  readonly gpusPerNode?: number;
  readonly network?: ScaleOutNetwork;
  readonly stagesAcrossNodes?: boolean;
  readonly engineOverrides?: Partial<
    Pick<EnginePreset, 'memoryFraction' | 'maxNumSeqs' | 'maxNumBatchedTokens' | 'blockSize'>
  >;
}

export type DeploymentCheck =
  | { readonly ok: true; readonly deployment: Deployment }
  | { readonly ok: false; readonly field: string; readonly message: string };

const positiveInteger = (n: number): boolean => Number.isInteger(n) && n >= 1;

/** Resolves names and checks that the model splits this way on this GPU; the first problem found is returned. */
export function checkDeployment(request: DeploymentRequest): DeploymentCheck {
  const fail = (field: string, message: string): DeploymentCheck => ({ ok: false, field, message });
  if (!isArchitectureId(request.model))
    return fail('model', `unknown model "${request.model}" (known: ${Object.keys(ARCHITECTURES).join(', ')})`);
  const model = ARCHITECTURES[request.model];
  const table: GpuTypeTable = request.gpuTypes ?? GPU_CATALOG;
  const gpu = Object.hasOwn(table, request.gpu) ? table[request.gpu] : undefined;
  if (gpu === undefined)
    return fail('gpu', `unknown GPU type "${request.gpu}" (known: ${Object.keys(table).join(', ')})`);
  if (gpu.bf16Tflops === null || gpu.memoryBandwidthTBs === null)
    return fail('gpu', `GPU type "${gpu.id}" states no bf16Tflops or memoryBandwidthTBs: it cannot be priced`);
  const { tp = 1, pp = 1, gpusPerNode = 8 } = request;
  if (!positiveInteger(tp)) return fail('tp', `tp must be a positive integer (got ${tp})`);
  if (!positiveInteger(pp)) return fail('pp', `pp must be a positive integer (got ${pp})`);
  if (!positiveInteger(gpusPerNode))
    return fail('gpusPerNode', `gpusPerNode must be a positive integer (got ${gpusPerNode})`);
  if (model.heads % tp !== 0)
    return fail('tp', `${model.displayName} has ${model.heads} attention heads: tp ${tp} does not divide them`);
  if (model.kvHeads % tp !== 0 && tp % model.kvHeads !== 0)
    return fail('tp', `${model.displayName} has ${model.kvHeads} KV heads: tp ${tp} neither divides nor is a multiple`);
  if (tp > gpusPerNode && tp % gpusPerNode !== 0)
    return fail('tp', `tp ${tp} spans nodes of ${gpusPerNode} GPUs: it must be a multiple of ${gpusPerNode}`);
  if (pp > model.layers) return fail('pp', `${model.displayName} has ${model.layers} layers: pp ${pp} exceeds them`);
  const dtype = request.dtype ?? 'bf16';
  if (!isWeightDtype(dtype)) return fail('dtype', `unknown dtype "${dtype}" (known: bf16, fp16, fp8, fp4)`);
  const kv = request.kvDtype ?? (dtype === 'fp8' || dtype === 'fp4' ? 'fp8' : dtype);
  if (!isKvDtype(kv)) return fail('kvDtype', `unknown KV-cache dtype "${kv}" (known: bf16, fp16, fp8)`);
  const engineName = request.engine ?? 'vllm';
  if (!isEngineName(engineName))
    return fail('engine', `unknown engine "${engineName}" (known: ${Object.keys(ENGINES).join(', ')})`);
  const overrides = request.engineOverrides ?? {};
  for (const key of ['maxNumSeqs', 'maxNumBatchedTokens', 'blockSize'] as const) {
    const value = overrides[key];
    if (value !== undefined && !positiveInteger(value))
      return fail(key, `${key} must be a positive integer (got ${value})`);
  }
  const fraction = overrides.memoryFraction;
  if (fraction !== undefined && !(fraction > 0 && fraction <= 1))
    return fail('memoryFraction', `memoryFraction must be in (0, 1] (got ${fraction})`);
  const network = request.network ?? DEFAULT_SCALE_OUT_NETWORK;
  if (!(network.bandwidthGbps > 0) || !(network.latencyMicros >= 0))
    return fail('network', 'network.bandwidthGbps must be > 0 and network.latencyMicros >= 0');
  return {
    ok: true,
    deployment: {
      model,
      gpu,
      tp,
      pp,
      weights: dtype,
      kv,
      engine: { ...ENGINES[engineName], ...overrides },
      gpusPerNode,
      network,
      stagesAcrossNodes: request.stagesAcrossNodes ?? true,
    },
  };
}

/** KV heads each rank holds: its share, or one replicated head when TP exceeds the KV heads. */
export function kvHeadsPerGpu(d: Deployment): number {
  return Math.max(1, d.model.kvHeads / d.tp);
}

/** Layers per stage, the first `layers mod pp` stages taking one more (vLLM's default partition). */
export function layersPerStage(d: Deployment): number[] {
  const base = Math.floor(d.model.layers / d.pp);
  const extra = d.model.layers % d.pp;
  return Array.from({ length: d.pp }, (_, s) => base + (s < extra ? 1 : 0));
}
