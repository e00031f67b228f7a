// The price of one engine iteration: every kernel of a forward pass as a roofline with fitted efficiencies, the
// all-reduces of tensor parallelism, the sends between pipeline stages and the engine's own overhead.
import {
  collectiveFitFor,
  deviceFitFor,
  linkBytesPerSecond,
  type Calibration,
  type CollectiveFit,
  type DeviceFit,
  type GemmFit,
  type PointwiseOp,
} from './calibration.ts';
import { kvHeadsPerGpu, layersPerStage, type Deployment } from './deployment.ts';
import { ACTIVATION_BYTES, DTYPE_BYTES, tensorPeak } from './precision.ts';

/** A prefill chunk: `tokens` new prompt tokens after `cached` already in the KV cache (prefix hits, earlier chunks). */
export interface PrefillChunk {
  readonly tokens: number;
  readonly cached: number;
}

/** One iteration's batch: prefill chunks and the decode sequences' context lengths (tokens already cached). */
export interface Batch {
  readonly prefill: readonly PrefillChunk[];
  readonly decode: readonly number[];
}

/** The sums a price depends on; a caller that keeps them incrementally skips the per-sequence loop. */
export interface BatchShape {
  /** Tokens through the GEMMs: prefill tokens + one per decode. */
  tokens: number;
  /** Sequences that produce logits: one per chunk and per decode. */
  sequences: number;
  /** Σ over prefill chunks of query × key pairs under the causal mask: t·c + t(t+1)/2. */
  prefillPairs: number;
  /** Σ over prefill chunks of keys read: c + t. */
  prefillKeys: number;
  /** Σ over decodes of keys read: context + 1. */
  decodeKeys: number;
  decodes: number;
}

/** Adds a prefill chunk of `tokens` new tokens after `cached` ones to `shape`. */
export function addPrefill(shape: BatchShape, tokens: number, cached: number): void {
  shape.tokens += tokens;
  shape.sequences++;
  shape.prefillPairs += tokens * cached + (tokens * (tokens + 1)) / 2;
  shape.prefillKeys += cached + tokens;
}

/** Adds one decode over `context` cached tokens to `shape`. */
export function addDecode(shape: BatchShape, context: number): void {
  shape.tokens++;
  shape.sequences++;
  shape.decodes++;
  shape.decodeKeys += context + 1;
}

export function clearShape(shape: BatchShape): BatchShape {
  shape.tokens = shape.sequences = shape.prefillPairs = shape.prefillKeys = shape.decodeKeys = shape.decodes = 0;
  return shape;
}

/** The sums of `batch`, as `addPrefill` and `addDecode` would make them; locals keep the per-sequence loop fast. */
export function batchShape(batch: Batch, into: BatchShape = emptyShape()): BatchShape {
  let tokens = 0;
  let pairs = 0;
  let keys = 0;
  for (const { tokens: t, cached: c } of batch.prefill) {
    tokens += t;
    pairs += t * c + (t * (t + 1)) / 2;
    keys += c + t;
  }
  let decodeKeys = 0;
  for (const context of batch.decode) decodeKeys += context + 1;
  into.tokens = tokens + batch.decode.length;
  into.sequences = batch.prefill.length + batch.decode.length;
  into.prefillPairs = pairs;
  into.prefillKeys = keys;
  into.decodeKeys = decodeKeys;
  into.decodes = batch.decode.length;
  return into;
}

export function emptyShape(): BatchShape {
  return { tokens: 0, sequences: 0, prefillPairs: 0, prefillKeys: 0, decodeKeys: 0, decodes: 0 };
}

/** The terms an iteration's time is the sum of, in the order a breakdown lists them. */
export const COST_TERMS = ['gemm', 'attention', 'pointwise', 'allReduce', 'embedding', 'pipeline', 'engine'] as const;
export type CostTerm = (typeof COST_TERMS)[number];

export interface IterationPrice {
  /** Time for the batch to pass every stage, seconds: what a request in it waits. */
  readonly seconds: number;
  /** The slowest stage plus the engine's overhead: how often a pipelined engine can start a batch. */
  readonly stageSeconds: number;
  /** Seconds by term over all stages; they sum to `seconds`. */
  readonly terms: Readonly<Record<CostTerm, number>>;
}

/** One GEMM of M tokens × K inputs × N outputs with `weightBytes`-byte weights and 16-bit activations. */
export function gemmSeconds(
  g: GemmFit,
  peak: number,
  bandwidth: number,
  weightBytes: number,
  m: number,
  k: number,
  n: number,
): number {
  const flops = 2 * m * k * n;
  const bytes = k * n * weightBytes + (m * k + m * n) * ACTIVATION_BYTES;
  const compute = flops / (peak * g.peakEfficiency * (m / (m + g.halfTokens)));
  const memory = bytes / (bandwidth * g.memoryEfficiency);
  return (compute > memory ? compute : memory) + g.launchSeconds;
}

/** Bytes a memory-bound kernel moves per token on one rank, given the rank's shapes. */
export function pointwiseBytesPerToken(
  op: PointwiseOp,
  shape: { readonly hidden: number; readonly qkColumns: number; readonly ffnColumns: number },
): number {
  const a = ACTIVATION_BYTES;
  switch (op) {
    case 'norm':
    case 'embedding':
      return 2 * shape.hidden * a; // read a row, write a row
    case 'rope':
      return 2 * shape.qkColumns * a; // q and k rotated in place
    case 'act':
      return 3 * shape.ffnColumns * a; // gate and up in, their product out
    case 'add':
      return 3 * shape.hidden * a; // two operands in, the sum out
  }
}

/** An in-node ring all-reduce of `bytes` over `ranks` GPUs on links of `link` bytes/s. */
export function ringAllReduceSeconds(fit: CollectiveFit, link: number, ranks: number, bytes: number): number {
  if (ranks <= 1 || bytes === 0) return 0;
  return fit.latencySeconds + ((2 * (ranks - 1)) / ranks) * (bytes / (fit.efficiency * link));
}

/** Prices iterations of one deployment: everything that does not depend on the batch is computed once here. */
export class IterationPricer {
  private readonly fit: DeviceFit;
  private readonly peak: number;
  private readonly bandwidth: number;
  private readonly stageLayers: readonly number[];
  private readonly terms = new Float64Array(COST_TERMS.length);
  /** One layer's time for the batch `fill` last priced. */
  private layerSeconds = 0;
  private readonly shape = emptyShape();
  private readonly allReduceFit: CollectiveFit;
  private readonly link: number;
  // Per-rank shapes of one layer.
  private readonly qkvColumns: number;
  private readonly attnColumns: number;
  private readonly ffnColumns: number;
  private readonly weightBytes: number;
  private readonly kvBytesPerKey: number;
  private readonly headsPerGpu: number;
  private readonly pointwiseBytesPerToken: number;
  private readonly pointwiseLaunch: number;
  private readonly engineFixed: number;
  private readonly attentionPerSequence: number;
  private readonly engineRequest: number;
  private readonly attentionEfficiency: number;

  constructor(
    private readonly d: Deployment,
    calibration: Calibration,
  ) {
    const m = d.model;
    this.fit = deviceFitFor(calibration, d.gpu);
    this.peak = tensorPeak(d.gpu, d.weights) ?? 1;
    this.bandwidth = (d.gpu.memoryBandwidthTBs ?? 1) * 1e12;
    this.stageLayers = layersPerStage(d);
    const kvHeads = kvHeadsPerGpu(d);
    this.headsPerGpu = m.heads / d.tp;
    this.qkvColumns = (this.headsPerGpu + 2 * kvHeads) * m.headDim;
    this.attnColumns = this.headsPerGpu * m.headDim;
    this.ffnColumns = m.ffn / d.tp;
    this.weightBytes = DTYPE_BYTES[d.weights];
    this.kvBytesPerKey = 2 * kvHeads * m.headDim * DTYPE_BYTES[d.kv];
    // Per layer: two norms, rotary on q and k, the gated activation, two residual adds.
    const rank = { hidden: m.hidden, qkColumns: (this.headsPerGpu + kvHeads) * m.headDim, ffnColumns: this.ffnColumns };
    const bytes = (op: PointwiseOp): number => pointwiseBytesPerToken(op, rank);
    this.pointwiseBytesPerToken = 2 * bytes('norm') + bytes('rope') + bytes('act') + 2 * bytes('add');
    const launch = this.fit.pointwise.launchSeconds;
    this.pointwiseLaunch = 2 * launch.norm + launch.rope + launch.act + 2 * launch.add;
    const engine = calibration.engines[d.engine.name];
    const nccl = collectiveFitFor(this.fit, Math.min(d.tp, d.gpusPerNode));
    this.allReduceFit = { ...nccl, latencySeconds: Math.min(nccl.latencySeconds, engine.allReduceLatencySeconds) };
    this.link = linkBytesPerSecond(d.gpu);
    this.engineFixed = engine.iterationSeconds;
    this.attentionPerSequence = engine.attentionSequenceSeconds;
    this.engineRequest = engine.requestSeconds;
    this.attentionEfficiency = engine.attentionEfficiency;
  }

  /** The engine's per-request cost outside iterations (API server, tokenisation): part of every TTFT. */
  get requestSeconds(): number {
    return this.engineRequest;
  }

  get deployment(): Deployment {
    return this.d;
  }

  /** Seconds for `batch` to pass every stage. Allocation-free: the serving simulation calls it millions of times. */
  seconds(batch: Batch): number {
    return this.secondsOf(batchShape(batch, this.shape));
  }

  secondsOf(shape: BatchShape): number {
    this.fill(shape);
    let sum = 0;
    for (let i = 0; i < this.terms.length; i++) sum += this.terms[i]!;
    return sum;
  }

  /** The price with its breakdown by term. */
  price(batch: Batch): IterationPrice {
    const shape = batchShape(batch, emptyShape());
    const seconds = this.secondsOf(shape);
    const terms = Object.fromEntries(COST_TERMS.map((t, i) => [t, this.terms[i]!])) as Record<CostTerm, number>;
    return { seconds, stageSeconds: this.slowestStage(shape), terms };
  }

  /** The slowest stage — its layers, the embedding (first), LM head (last), the send onward — and the engine's overhead. */
  stageSecondsOf(shape: BatchShape): number {
    this.fill(shape);
    return this.slowestStage(shape);
  }

  /**
   * Each stage's seconds for `shape` into `out` (length pp) — its layers, the embedding (first, with the engine's
   * overhead: scheduling precedes the launch), the LM head (last) or the send onward — for a pipeline of
   * micro-batches. Returns their sum, `secondsOf(shape)`.
   */
  stagesOf(shape: BatchShape, out: Float64Array): number {
    this.fill(shape);
    const last = this.stageLayers.length - 1;
    let sum = 0;
    for (let s = 0; s <= last; s++) {
      const stage =
        this.stageLayers[s]! * this.layerSeconds +
        (s === 0 ? this.embedding(shape.tokens) + this.engine(shape) : 0) +
        (s === last ? this.lmHead(shape) : this.send(shape.tokens));
      out[s] = stage;
      sum += stage;
    }
    return sum;
  }

  /** The slowest stage of the batch `fill` last priced. */
  private slowestStage(shape: BatchShape): number {
    const last = this.stageLayers.length - 1;
    let slowest = 0;
    for (let s = 0; s <= last; s++) {
      const stage =
        this.stageLayers[s]! * this.layerSeconds +
        (s === 0 ? this.embedding(shape.tokens) : 0) +
        (s === last ? this.lmHead(shape) : this.send(shape.tokens));
      if (stage > slowest) slowest = stage;
    }
    return slowest + this.engine(shape);
  }

  /** Prices every term for `shape` into `terms`, and one layer's time into `layerSeconds`. */
  private fill(shape: BatchShape): void {
    const tokens = shape.tokens;
    const gemm = this.layerGemms(tokens);
    const attention = this.attention(shape);
    const pointwise = this.pointwiseLaunch + (tokens * this.pointwiseBytesPerToken) / this.memoryRate();
    const allReduce = 2 * this.allReduce(tokens * this.d.model.hidden * ACTIVATION_BYTES);
    this.layerSeconds = gemm + attention + pointwise + allReduce;
    const t = this.terms;
    const layers = this.d.model.layers;
    t[0] = layers * gemm;
    t[1] = layers * attention;
    t[2] = layers * pointwise;
    t[3] = layers * allReduce;
    t[4] = this.embedding(tokens) + this.lmHead(shape);
    t[5] = (this.d.pp - 1) * this.send(tokens);
    t[6] = this.engine(shape);
  }

  private memoryRate(): number {
    return this.bandwidth * this.fit.pointwise.memoryEfficiency;
  }

  /** QKV, attention output, gate+up and down projections of one layer on one rank (experts for MoE). */
  private layerGemms(tokens: number): number {
    if (tokens === 0) return 0;
    const { hidden, experts, activeExperts } = this.d.model;
    const attention = this.gemm(tokens, hidden, this.qkvColumns) + this.gemm(tokens, this.attnColumns, hidden);
    if (experts === 1)
      return attention + this.gemm(tokens, hidden, 2 * this.ffnColumns) + this.gemm(tokens, this.ffnColumns, hidden);
    // Tokens pick experts independently: E(1 − (1 − a/E)^T) distinct experts are read, each with its share of tokens.
    const hit = experts * (1 - Math.pow(1 - activeExperts / experts, tokens));
    const perExpert = (tokens * activeExperts) / hit;
    const expert = this.gemm(perExpert, hidden, 2 * this.ffnColumns) + this.gemm(perExpert, this.ffnColumns, hidden);
    return attention + this.gemm(tokens, hidden, experts) + hit * expert;
  }

  private gemm(m: number, k: number, n: number): number {
    return gemmSeconds(this.fit.gemm, this.peak, this.bandwidth, this.weightBytes, m, k, n);
  }

  /** Prefill attention is compute-bound (causal pairs), decode attention reads the KV cache. */
  private attention(shape: BatchShape): number {
    const prefillQueries = shape.tokens - shape.decodes;
    const prefill =
      prefillQueries > 0 ? this.attentionKernel(shape.prefillPairs, shape.prefillKeys, prefillQueries) : 0;
    const decode = shape.decodes > 0 ? this.attentionKernel(shape.decodeKeys, shape.decodeKeys, shape.decodes) : 0;
    return prefill + decode + this.attentionPerSequence * shape.sequences;
  }

  /** One attention kernel: `pairs` query × key products, `keys` cached keys and values read, `queries` rows out. */
  private attentionKernel(pairs: number, keys: number, queries: number): number {
    const g = this.fit.gemm;
    const flops = pairs * 4 * this.d.model.headDim * this.headsPerGpu;
    const compute = flops / (this.peakBf16() * g.peakEfficiency * this.attentionEfficiency);
    const bytes = keys * this.kvBytesPerKey + 2 * queries * this.attnColumns * ACTIVATION_BYTES;
    const memory = bytes / (this.bandwidth * g.memoryEfficiency * this.attentionEfficiency);
    return (compute > memory ? compute : memory) + g.launchSeconds;
  }

  private peakBf16(): number {
    return (this.d.gpu.bf16Tflops ?? 1) * 1e12;
  }

  /** The vocabulary-parallel embedding gather (first stage). */
  private embedding(tokens: number): number {
    const bytes =
      tokens * pointwiseBytesPerToken('embedding', { hidden: this.d.model.hidden, qkColumns: 0, ffnColumns: 0 });
    return this.fit.pointwise.launchSeconds.embedding + bytes / this.memoryRate();
  }

  /** The LM head: logits of each sequence's last token over this rank's vocabulary shard (last stage). */
  private lmHead(shape: BatchShape): number {
    if (shape.sequences === 0) return 0;
    return this.gemm(shape.sequences, this.d.model.hidden, this.d.model.vocab / this.d.tp);
  }

  /** A TP all-reduce of `bytes`: a ring inside the node, hierarchical (in-node + scale-out ring) across nodes. */
  private allReduce(bytes: number): number {
    const { tp, gpusPerNode, network } = this.d;
    if (tp === 1 || bytes === 0) return 0;
    const local = Math.min(tp, gpusPerNode);
    const inNode = ringAllReduceSeconds(this.allReduceFit, this.link, local, bytes);
    if (tp <= gpusPerNode) return inNode;
    const nodes = tp / gpusPerNode;
    const nic = (network.bandwidthGbps * 1e9) / 8;
    const ring = 2 * (nodes - 1) * network.latencyMicros * 1e-6 + ((2 * (nodes - 1)) / nodes) * (bytes / local / nic);
    return inNode + ring;
  }

  /** Activations of the batch from one stage to the next. */
  private send(tokens: number): number {
    const bytes = tokens * this.d.model.hidden * ACTIVATION_BYTES;
    const { network } = this.d;
    if (!this.d.stagesAcrossNodes) return this.allReduceFit.latencySeconds + bytes / this.link;
    return network.latencyMicros * 1e-6 + bytes / ((network.bandwidthGbps * 1e9) / 8);
  }

  private engine(shape: BatchShape): number {
    return shape.sequences === 0 ? 0 : this.engineFixed;
  }
}
