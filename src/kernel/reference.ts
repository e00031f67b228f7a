// Single-rank plain-TypeScript reference of the same model: full (unsplit) weights, float64 math
// where it is free, Math.exp. The tests hold every TP x PP configuration of the engine to it.

import { headDim, type ModelConfig } from '../../sim/perf/model-config.ts';
import { ropeTables, type RopeTables } from './rope-table.ts';
import { EOS } from './tokenizer.ts';
import { gemmTs } from './ts-gemm.ts';
import { globalTensor, layerTensor, materialize } from './weights.ts';

interface LayerWeights {
  attnNorm: Float32Array;
  wq: Float32Array;
  wk: Float32Array;
  wv: Float32Array;
  wo: Float32Array;
  mlpNorm: Float32Array;
  wGate: Float32Array;
  wUp: Float32Array;
  wDown: Float32Array;
}

export interface ReferenceResult {
  readonly tokens: number[];
  readonly finishReason: 'stop' | 'length';
  /** Logits of every generated step, [steps x vocab]. */
  readonly logits: Float32Array;
}

function rmsnorm(x: Float32Array, w: Float32Array, rows: number, n: number, eps: number): Float32Array {
  const out = new Float32Array(rows * n);
  for (let r = 0; r < rows; r++) {
    let ss = 0;
    for (let i = 0; i < n; i++) ss += (x[r * n + i] ?? 0) ** 2;
    const inv = 1 / Math.sqrt(ss / n + eps);
    for (let i = 0; i < n; i++) out[r * n + i] = (x[r * n + i] ?? 0) * inv * (w[i] ?? 0);
  }
  return out;
}

/** Rotates one head (hd floats at `at`) in place, pairing i with i + hd/2. */
function rope(v: Float32Array, at: number, hd: number, pos: number, t: RopeTables): void {
  const half = hd / 2;
  for (let i = 0; i < half; i++) {
    const c = t.cos[pos * half + i] ?? 1;
    const s = t.sin[pos * half + i] ?? 0;
    const x1 = v[at + i] ?? 0;
    const x2 = v[at + half + i] ?? 0;
    v[at + i] = x1 * c - x2 * s;
    v[at + half + i] = x2 * c + x1 * s;
  }
}

export class ReferenceModel {
  private readonly layers: LayerWeights[];
  private readonly embedding: Float32Array;
  private readonly finalNorm: Float32Array;
  private readonly lmHead: Float32Array;
  private readonly rope: RopeTables;
  private readonly hd: number;
  /** Per layer: K and V rows [maxSeq][kvHeads * hd]. */
  private readonly kCache: Float32Array[];
  private readonly vCache: Float32Array[];

  constructor(
    readonly model: ModelConfig,
    readonly seed: number,
  ) {
    const names = ['attnNorm', 'wq', 'wk', 'wv', 'wo', 'mlpNorm', 'wGate', 'wUp', 'wDown'] as const;
    this.layers = Array.from({ length: model.layers }, (_, l) => {
      const entries = names.map((n) => [n, materialize(layerTensor(model, seed, l, n))] as const);
      return Object.fromEntries(entries) as unknown as LayerWeights;
    });
    this.embedding = materialize(globalTensor(model, seed, 'embedding'));
    this.finalNorm = materialize(globalTensor(model, seed, 'finalNorm'));
    this.lmHead = materialize(globalTensor(model, seed, 'lmHead'));
    this.rope = ropeTables(model);
    this.hd = headDim(model);
    const kvRow = model.kvHeads * this.hd;
    this.kCache = this.layers.map(() => new Float32Array(model.maxSeq * kvRow));
    this.vCache = this.layers.map(() => new Float32Array(model.maxSeq * kvRow));
  }

  /** Runs tokens at positions pos0.. through the model (filling the KV cache); returns the last row's logits. */
  forward(tokens: readonly number[], pos0: number): Float32Array {
    const { hidden } = this.model;
    const n = tokens.length;
    const x = new Float32Array(n * hidden);
    tokens.forEach((id, t) => x.set(this.embedding.subarray(id * hidden, (id + 1) * hidden), t * hidden));
    this.layers.forEach((w, l) => {
      this.attention(x, w, l, n, pos0);
      this.mlp(x, w, n);
    });
    const last = rmsnorm(x.subarray((n - 1) * hidden), this.finalNorm, 1, hidden, this.model.normEps);
    const logits = new Float32Array(this.model.vocab);
    gemmTs(last, this.lmHead, logits, 1, hidden, this.model.vocab);
    return logits;
  }

  private attention(x: Float32Array, w: LayerWeights, layer: number, n: number, pos0: number): void {
    const { hidden, heads, kvHeads, normEps } = this.model;
    const hd = this.hd;
    const kvRow = kvHeads * hd;
    const xn = rmsnorm(x, w.attnNorm, n, hidden, normEps);
    const q = new Float32Array(n * heads * hd);
    const k = new Float32Array(n * kvRow);
    const v = new Float32Array(n * kvRow);
    gemmTs(xn, w.wq, q, n, hidden, heads * hd);
    gemmTs(xn, w.wk, k, n, hidden, kvRow);
    gemmTs(xn, w.wv, v, n, hidden, kvRow);
    const kc = this.kCache[layer] ?? new Float32Array(0);
    const vc = this.vCache[layer] ?? new Float32Array(0);
    for (let t = 0; t < n; t++) {
      for (let h = 0; h < heads; h++) rope(q, (t * heads + h) * hd, hd, pos0 + t, this.rope);
      for (let g = 0; g < kvHeads; g++) rope(k, (t * kvHeads + g) * hd, hd, pos0 + t, this.rope);
      kc.set(k.subarray(t * kvRow, (t + 1) * kvRow), (pos0 + t) * kvRow);
      vc.set(v.subarray(t * kvRow, (t + 1) * kvRow), (pos0 + t) * kvRow);
    }
    const out = new Float32Array(n * heads * hd);
    for (let t = 0; t < n; t++) {
      for (let h = 0; h < heads; h++) this.attendHead(q, kc, vc, out, t, h, pos0 + t + 1);
    }
    gemmTs(out, w.wo, x, n, heads * hd, hidden, true);
  }

  private attendHead(
    q: Float32Array,
    kc: Float32Array,
    vc: Float32Array,
    out: Float32Array,
    t: number,
    h: number,
    len: number,
  ): void {
    const { heads, kvHeads } = this.model;
    const hd = this.hd;
    const g = Math.floor(h / (heads / kvHeads));
    const qAt = (t * heads + h) * hd;
    const scores = new Float64Array(len);
    let max = -Infinity;
    for (let j = 0; j < len; j++) {
      let s = 0;
      for (let d = 0; d < hd; d++) s += (q[qAt + d] ?? 0) * (kc[(j * kvHeads + g) * hd + d] ?? 0);
      scores[j] = s / Math.sqrt(hd);
      max = Math.max(max, scores[j] ?? 0);
    }
    let sum = 0;
    for (let j = 0; j < len; j++) sum += scores[j] = Math.exp((scores[j] ?? 0) - max);
    for (let d = 0; d < hd; d++) {
      let acc = 0;
      for (let j = 0; j < len; j++) acc += (scores[j] ?? 0) * (vc[(j * kvHeads + g) * hd + d] ?? 0);
      out[qAt + d] = acc / sum;
    }
  }

  private mlp(x: Float32Array, w: LayerWeights, n: number): void {
    const { hidden, mlp, normEps } = this.model;
    const xn = rmsnorm(x, w.mlpNorm, n, hidden, normEps);
    const g = new Float32Array(n * mlp);
    const u = new Float32Array(n * mlp);
    gemmTs(xn, w.wGate, g, n, hidden, mlp);
    gemmTs(xn, w.wUp, u, n, hidden, mlp);
    for (let i = 0; i < n * mlp; i++) {
      const gi = g[i] ?? 0;
      g[i] = (gi / (1 + Math.exp(-gi))) * (u[i] ?? 0);
    }
    gemmTs(g, w.wDown, x, n, mlp, hidden, true);
  }

  /** Greedy decoding from a fresh cache, the same rules as the engine (EOS ends and is dropped). */
  generate(prompt: readonly number[], maxTokens: number, stopAtEos = true): ReferenceResult {
    const budget = Math.min(maxTokens, this.model.maxSeq - prompt.length);
    const steps: Float32Array[] = [];
    const tokens: number[] = [];
    let logits = this.forward(prompt, 0);
    for (;;) {
      steps.push(logits);
      const next = argmax(logits);
      if (stopAtEos && next === EOS) return { tokens, finishReason: 'stop', logits: concat(steps) };
      tokens.push(next);
      if (tokens.length >= budget) return { tokens, finishReason: 'length', logits: concat(steps) };
      logits = this.forward([next], prompt.length + tokens.length - 1);
    }
  }

  /** Logits for the last of `tokens`, recomputed from scratch (no earlier cache contents used). */
  recompute(tokens: readonly number[]): Float32Array {
    return this.forward(tokens, 0);
  }
}

export function argmax(v: Float32Array): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if ((v[i] ?? -Infinity) > (v[best] ?? -Infinity)) best = i;
  return best;
}

function concat(rows: Float32Array[]): Float32Array {
  const out = new Float32Array(rows.reduce((s, r) => s + r.length, 0));
  let at = 0;
  for (const r of rows) {
    out.set(r, at);
    at += r.length;
  }
  return out;
}
