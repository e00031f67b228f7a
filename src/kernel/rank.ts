// One tensor-parallel rank's share of a forward pass, Megatron-style. Each method is one phase: it
// first finishes the previous all-reduce (sums the peers' partials from shared memory into this
// rank's copy of the residual stream), then computes up to the next row-parallel partial sum.

import type { WasmKernels } from './kernels.ts';
import type { LayerSlot, MemoryPlan, RankSlot } from './layout.ts';
import { rankOf, stageOfLayer } from './partition.ts';

function at(offsets: readonly number[], i: number): number {
  const v = offsets[i];
  if (v === undefined) throw new RangeError(`no offset #${i}`);
  return v;
}

export class RankRunner {
  private readonly hidden: number;
  /** This rank's residual stream (shared by the same tensor-parallel index of every stage). */
  private readonly x: number;
  private readonly scale: number;

  constructor(
    private readonly k: WasmKernels,
    private readonly plan: MemoryPlan,
    readonly slot: RankSlot,
  ) {
    this.hidden = plan.model.hidden;
    this.x = at(plan.residual, slot.tpRank);
    this.scale = 1 / Math.sqrt(plan.dims.hd);
  }

  /** Offsets of one partial-sum buffer on every rank of `stage`, in rank order (a fixed summation order). */
  private partials(stage: number, which: 'pAttn' | 'pMlp'): number[] {
    const out: number[] = [];
    for (let t = 0; t < this.plan.tp; t++) {
      const peer = this.plan.ranks[rankOf(this.plan.tp, stage, t)];
      if (peer === undefined) throw new Error(`no rank ${t} in stage ${stage}`);
      out.push(peer[which]);
    }
    return out;
  }

  /** One-shot all-reduce over shared memory: x[rows] += sum of the peers' partials (tp > 1 only). */
  private allReduce(stage: number, which: 'pAttn' | 'pMlp', row0: number, rows: number): void {
    if (this.plan.tp === 1) return;
    const off = row0 * this.hidden;
    for (const p of this.partials(stage, which)) this.k.addInto(this.x + off, p + off, rows * this.hidden);
  }

  private layerSlot(index: number): LayerSlot {
    const slot = this.slot.layers[index];
    if (slot === undefined) throw new Error(`rank ${this.slot.rank} has no layer #${index}`);
    return slot;
  }

  /** Looks up token embeddings for positions pos0.. into the residual stream (first layer only). */
  private embed(pos0: number, n: number): void {
    const { f32, i32 } = this.k;
    const { embedding, tokens, model } = this.plan;
    for (let t = 0; t < n; t++) {
      const id = i32[tokens + pos0 + t] ?? 0;
      if (id < 0 || id >= model.vocab) throw new RangeError(`token id ${id} out of vocabulary`);
      f32.copyWithin(this.x + t * this.hidden, embedding + id * this.hidden, embedding + (id + 1) * this.hidden);
    }
  }

  /** Attention block of one layer for n tokens at positions pos0..: writes K/V to the cache. */
  attention(index: number, pos0: number, n: number): void {
    const L = this.layerSlot(index);
    const { model, dims: d, tp, pp } = this.plan;
    const k = this.k;
    if (L.layer === 0) this.embed(pos0, n);
    else this.allReduce(stageOfLayer(model.layers, pp, L.layer - 1), 'pMlp', 0, n);
    const h = this.hidden;
    k.rmsnorm({ at: this.x, ld: h }, at(this.plan.attnNorm, L.layer), { at: this.slot.xn, ld: h }, n, h, model.normEps);
    const s = this.slot;
    k.gemm(
      { at: s.xn, ld: h },
      L.wqkv,
      h,
      { at: s.qkv, ld: d.qkvCols },
      n,
      d.qkvCols,
      false,
      s.pack,
      this.plan.packFloats,
    );
    const half = d.hd / 2;
    const headStride = model.maxSeq * d.hd;
    for (let t = 0; t < n; t++) {
      const row = s.qkv + t * d.qkvCols;
      const pos = pos0 + t;
      const cos = this.plan.cos + pos * half;
      const sin = this.plan.sin + pos * half;
      k.rope(row, row, d.hd, d.heads, d.hd, cos, sin);
      k.rope(row + d.qCols, L.kCache + pos * d.hd, headStride, d.kvHeads, d.hd, cos, sin);
      k.scatterHeads(row + d.qCols + d.kvCols, L.vCache + pos * d.hd, headStride, d.kvHeads, d.hd);
    }
    k.attention(
      { at: s.qkv, ld: d.qkvCols },
      L.kCache,
      L.vCache,
      headStride,
      { at: s.attn, ld: d.qCols },
      n,
      pos0,
      d.heads,
      d.group,
      d.hd,
      s.scores,
      this.scale,
    );
    // Row-parallel output projection: with one rank it adds straight into the residual stream.
    const out = tp === 1 ? this.x : s.pAttn;
    k.gemm(
      { at: s.attn, ld: d.qCols },
      L.wo,
      d.qCols,
      { at: out, ld: h },
      n,
      h,
      tp === 1,
      s.pack,
      this.plan.packFloats,
    );
  }

  /** Gated MLP block of one layer. */
  mlp(index: number, n: number): void {
    const L = this.layerSlot(index);
    const { model, dims: d, tp } = this.plan;
    const k = this.k;
    const s = this.slot;
    const h = this.hidden;
    this.allReduce(s.stage, 'pAttn', 0, n);
    k.rmsnorm({ at: this.x, ld: h }, at(this.plan.mlpNorm, L.layer), { at: s.xn, ld: h }, n, h, model.normEps);
    const gu = { at: s.gu, ld: 2 * d.mlpCols };
    k.gemm({ at: s.xn, ld: h }, L.wgu, h, gu, n, 2 * d.mlpCols, false, s.pack, this.plan.packFloats);
    k.siluMul(gu, d.mlpCols, { at: s.act, ld: d.mlpCols }, n, d.mlpCols);
    const out = tp === 1 ? this.x : s.pMlp;
    k.gemm(
      { at: s.act, ld: d.mlpCols },
      L.wdown,
      d.mlpCols,
      { at: out, ld: h },
      n,
      h,
      tp === 1,
      s.pack,
      this.plan.packFloats,
    );
  }

  /** Final norm and this rank's vocabulary slice of the logits, for the last of n rows only. */
  head(n: number): void {
    const { model, dims: d, pp } = this.plan;
    const k = this.k;
    const s = this.slot;
    const h = this.hidden;
    this.allReduce(pp - 1, 'pMlp', n - 1, 1);
    const last = { at: this.x + (n - 1) * h, ld: h };
    k.rmsnorm(last, this.plan.finalNorm, { at: s.xn, ld: h }, 1, h, model.normEps);
    const logits = this.plan.logits + s.tpRank * d.vocabCols;
    k.gemm(
      { at: s.xn, ld: h },
      s.lmHead,
      h,
      { at: logits, ld: d.vocabCols },
      1,
      d.vocabCols,
      false,
      s.pack,
      this.plan.packFloats,
    );
  }
}
