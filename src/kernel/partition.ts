// How the model splits over an LWS group: pipeline stages (one per pod) own contiguous layer ranges;
// within a stage, tensor-parallel ranks own slices of heads, MLP columns and the vocabulary.

import { headDim, type ModelConfig } from '../../sim/perf/model-config.ts';
import { PANEL, roundUp } from './pack.ts';

/** Per-rank dimensions of one tensor-parallel shard (identical for every rank of every stage). */
export interface ShardDims {
  readonly hd: number;
  /** Query heads and KV heads on this rank. */
  readonly heads: number;
  readonly kvHeads: number;
  /** Query heads per KV head (grouped-query attention). */
  readonly group: number;
  /** Columns of this rank's Q, K (= V) outputs: heads*hd, kvHeads*hd. */
  readonly qCols: number;
  readonly kvCols: number;
  /** Fused Q|K|V output width. */
  readonly qkvCols: number;
  /** MLP columns on this rank; the fused gate|up output is twice this. */
  readonly mlpCols: number;
  /** Vocabulary columns per rank of the last stage (a whole number of panels; the tail is padding). */
  readonly vocabCols: number;
}

export function shardDims(model: ModelConfig, tp: number): ShardDims {
  const hd = headDim(model);
  const heads = model.heads / tp;
  const kvHeads = model.kvHeads / tp;
  return {
    hd,
    heads,
    kvHeads,
    group: model.heads / model.kvHeads,
    qCols: heads * hd,
    kvCols: kvHeads * hd,
    qkvCols: (heads + 2 * kvHeads) * hd,
    mlpCols: model.mlp / tp,
    vocabCols: roundUp(Math.ceil(model.vocab / tp), PANEL),
  };
}

/** Layers [first, end) of pipeline stage `stage`: as even a split as possible. */
export function stageLayers(layers: number, pp: number, stage: number): { first: number; end: number } {
  return { first: Math.floor((stage * layers) / pp), end: Math.floor(((stage + 1) * layers) / pp) };
}

export function stageOfLayer(layers: number, pp: number, layer: number): number {
  for (let s = 0; s < pp; s++) {
    if (layer < stageLayers(layers, pp, s).end) return s;
  }
  throw new RangeError(`layer ${layer} out of range`);
}

/** Rank r is (stage = floor(r / tp), tpRank = r % tp): stage-major, as LWS numbers pods then GPUs. */
export function rankOf(tp: number, stage: number, tpRank: number): number {
  return stage * tp + tpRank;
}

/**
 * Pool tasks ("groups") that run the ranks cooperatively: min(threads, ranks) of them, rank r in
 * group r % groups, so the ranks of any one stage (the only ones busy at a time) spread evenly.
 */
export function groupCount(ranks: number, threads: number): number {
  return Math.max(1, Math.min(ranks, threads));
}

export function ranksOfGroup(ranks: number, groups: number, group: number): number[] {
  const out: number[] = [];
  for (let r = group; r < ranks; r += groups) out.push(r);
  return out;
}
