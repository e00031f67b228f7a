// The shared-memory plan: where every weight, KV cache, activation buffer and control word of an
// engine lives in its one shared WebAssembly.Memory. A plain object, posted to every worker once.

import type { ModelConfig } from '../../sim/perf/model-config.ts';
import { PANEL, packedFloats, roundUp } from './pack.ts';
import { groupCount, rankOf, shardDims, stageLayers, type ShardDims } from './partition.ts';
import { MAX_PAGES, PAGE_BYTES } from './wasm-api.ts';

/** Float offsets of one layer's weights and KV cache on one rank. */
export interface LayerSlot {
  readonly layer: number;
  /** Packed [hidden x qkvCols]: this rank's Q heads, then K heads, then V heads. */
  readonly wqkv: number;
  /** Packed [qCols x hidden]: the rows of W_o that match this rank's heads. */
  readonly wo: number;
  /** Packed [hidden x 2*mlpCols]: this rank's gate columns, then its up columns. */
  readonly wgu: number;
  /** Packed [mlpCols x hidden]: the rows of W_down that match this rank's MLP columns. */
  readonly wdown: number;
  /** [kvHeads][maxSeq][hd] each. */
  readonly kCache: number;
  readonly vCache: number;
}

/** One rank (one simulated GPU): its weights, caches and private activation buffers. */
export interface RankSlot {
  readonly rank: number;
  readonly stage: number;
  readonly tpRank: number;
  readonly layers: readonly LayerSlot[];
  /** Packed [hidden x vocabCols] slice of the LM head on last-stage ranks, else -1. */
  readonly lmHead: number;
  readonly xn: number;
  readonly qkv: number;
  readonly attn: number;
  readonly gu: number;
  readonly act: number;
  /** Row-parallel partial sums read by the peers' all-reduce (tp > 1): attention output, MLP output. */
  readonly pAttn: number;
  readonly pMlp: number;
  readonly pack: number;
  readonly scores: number;
}

export interface MemoryPlan {
  readonly model: ModelConfig;
  readonly seed: number;
  readonly tp: number;
  readonly pp: number;
  /** Pool tasks that run the ranks; every barrier has this many participants. */
  readonly groups: number;
  readonly dims: ShardDims;
  /** Most tokens one forward pass takes (longer prompts prefill in chunks). */
  readonly chunk: number;
  readonly packFloats: number;
  readonly pages: number;
  /** Int32 index of the control block (see control.ts), and of the token history (maxSeq ids). */
  readonly control: number;
  readonly tokens: number;
  /** Current logits: tp slices of vocabCols; and an optional per-step history [maxSeq][vocab]. */
  readonly logits: number;
  readonly logitsHistory: number;
  /** Rotary tables [maxSeq][hd/2]. */
  readonly cos: number;
  readonly sin: number;
  readonly embedding: number;
  readonly finalNorm: number;
  readonly attnNorm: readonly number[];
  readonly mlpNorm: readonly number[];
  /** Residual stream per tensor-parallel index, [chunk][hidden]: handed from stage to stage. */
  readonly residual: readonly number[];
  readonly ranks: readonly RankSlot[];
}

export const CONTROL_WORDS = 64;

/** Bump allocator in floats, 64-byte aligned. */
class Arena {
  used = 0;
  take(floats: number): number {
    const at = this.used;
    this.used = roundUp(at + Math.max(floats, 1), 16);
    return at;
  }
}

function rankSlot(
  arena: Arena,
  model: ModelConfig,
  d: ShardDims,
  tp: number,
  pp: number,
  stage: number,
  tpRank: number,
  chunk: number,
  packFloats: number,
): RankSlot {
  const { first, end } = stageLayers(model.layers, pp, stage);
  const layers: LayerSlot[] = [];
  for (let layer = first; layer < end; layer++) {
    layers.push({
      layer,
      wqkv: arena.take(packedFloats(model.hidden, d.qkvCols)),
      wo: arena.take(packedFloats(d.qCols, model.hidden)),
      wgu: arena.take(packedFloats(model.hidden, 2 * d.mlpCols)),
      wdown: arena.take(packedFloats(d.mlpCols, model.hidden)),
      kCache: arena.take(d.kvHeads * model.maxSeq * d.hd),
      vCache: arena.take(d.kvHeads * model.maxSeq * d.hd),
    });
  }
  const partial = tp > 1 ? chunk * model.hidden : 0;
  return {
    rank: rankOf(tp, stage, tpRank),
    stage,
    tpRank,
    layers,
    lmHead: stage === pp - 1 ? arena.take(packedFloats(model.hidden, d.vocabCols)) : -1,
    xn: arena.take(chunk * model.hidden),
    qkv: arena.take(chunk * d.qkvCols),
    attn: arena.take(chunk * d.qCols),
    gu: arena.take(chunk * 2 * d.mlpCols),
    act: arena.take(chunk * d.mlpCols),
    pAttn: arena.take(partial),
    pMlp: arena.take(partial),
    pack: arena.take(packFloats),
    scores: arena.take(model.maxSeq + PANEL),
  };
}

function planWithChunk(
  model: ModelConfig,
  tp: number,
  pp: number,
  threads: number,
  seed: number,
  chunk: number,
): MemoryPlan {
  const d = shardDims(model, tp);
  const arena = new Arena();
  const kMax = Math.max(model.hidden, d.qCols, d.mlpCols);
  const packFloats = Math.max(1 << 17, 16 * kMax);
  const control = arena.take(CONTROL_WORDS);
  const tokens = arena.take(model.maxSeq);
  const logits = arena.take(tp * d.vocabCols);
  const logitsHistory = arena.take(model.maxSeq * model.vocab);
  const cos = arena.take(model.maxSeq * (d.hd / 2));
  const sin = arena.take(model.maxSeq * (d.hd / 2));
  const embedding = arena.take(model.vocab * model.hidden);
  const finalNorm = arena.take(model.hidden);
  const attnNorm = Array.from({ length: model.layers }, () => arena.take(model.hidden));
  const mlpNorm = Array.from({ length: model.layers }, () => arena.take(model.hidden));
  const residual = Array.from({ length: tp }, () => arena.take(chunk * model.hidden));
  const ranks: RankSlot[] = [];
  for (let stage = 0; stage < pp; stage++) {
    for (let t = 0; t < tp; t++) ranks.push(rankSlot(arena, model, d, tp, pp, stage, t, chunk, packFloats));
  }
  const pages = Math.ceil((arena.used * 4) / PAGE_BYTES);
  return {
    model,
    seed,
    tp,
    pp,
    groups: groupCount(tp * pp, threads),
    dims: d,
    chunk,
    packFloats,
    pages,
    control,
    tokens,
    logits,
    logitsHistory,
    cos,
    sin,
    embedding,
    finalNorm,
    attnNorm,
    mlpNorm,
    residual,
    ranks,
  };
}

/**
 * Lays out an engine. The prefill chunk starts at `chunk` (default min(maxSeq, 512)) and halves until
 * the whole plan fits one wasm32 memory; models too large even then are rejected.
 */
export function planMemory(
  model: ModelConfig,
  tp: number,
  pp: number,
  threads: number,
  seed: number,
  chunk?: number,
): MemoryPlan {
  let c = Math.max(1, Math.min(model.maxSeq, chunk ?? 512));
  for (;;) {
    const plan = planWithChunk(model, tp, pp, threads, seed, c);
    if (plan.pages <= MAX_PAGES - 1) return plan;
    if (c <= 16) {
      throw new RangeError(
        `model needs ${((plan.pages * PAGE_BYTES) / 2 ** 30).toFixed(2)} GiB of shared memory; wasm32 allows 4 GiB`,
      );
    }
    c = Math.floor(c / 2);
  }
}
