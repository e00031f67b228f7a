// Writes the model into shared memory: replicated tensors once (main thread), and each rank's
// shards straight into packed panels (in the rank's worker, so ranks initialise in parallel).

import type { MemoryPlan, RankSlot } from './layout.ts';
import { packColumns } from './pack.ts';
import { ropeTables } from './rope-table.ts';
import { globalTensor, layerTensor, type TensorSource } from './weights.ts';

function writeRowMajor(f32: Float32Array, dst: number, t: TensorSource): void {
  for (let r = 0; r < t.rows; r++) {
    for (let c = 0; c < t.cols; c++) f32[dst + r * t.cols + c] = t.at(r, c);
  }
}

/** Embedding, norm gains and rotary tables: read by every rank, stored once. */
export function fillReplicated(f32: Float32Array, plan: MemoryPlan): void {
  const { model, seed } = plan;
  writeRowMajor(f32, plan.embedding, globalTensor(model, seed, 'embedding'));
  writeRowMajor(f32, plan.finalNorm, globalTensor(model, seed, 'finalNorm'));
  for (let layer = 0; layer < model.layers; layer++) {
    writeRowMajor(f32, plan.attnNorm[layer] ?? -1, layerTensor(model, seed, layer, 'attnNorm'));
    writeRowMajor(f32, plan.mlpNorm[layer] ?? -1, layerTensor(model, seed, layer, 'mlpNorm'));
  }
  const { cos, sin } = ropeTables(model);
  f32.set(cos, plan.cos);
  f32.set(sin, plan.sin);
}

/**
 * One rank's shards. Column-parallel (Q/K/V, gate/up, LM head): this rank's columns of every row.
 * Row-parallel (attention output, down projection): this rank's rows of every column.
 */
export function fillRank(f32: Float32Array, plan: MemoryPlan, slot: RankSlot): void {
  const { model, seed, dims: d } = plan;
  const t = slot.tpRank;
  const h = model.hidden;
  const q = d.qCols;
  const kv = d.kvCols;
  const m = d.mlpCols;
  for (const L of slot.layers) {
    const src = (name: Parameters<typeof layerTensor>[3]): TensorSource => layerTensor(model, seed, L.layer, name);
    const [wq, wk, wv, wo, wg, wu, wd] = [
      src('wq'),
      src('wk'),
      src('wv'),
      src('wo'),
      src('wGate'),
      src('wUp'),
      src('wDown'),
    ];
    packColumns(f32, L.wqkv, h, d.qkvCols, (out, dst, stride, c, rows) => {
      if (c < q) wq.column(out, dst, stride, 0, t * q + c, rows);
      else if (c < q + kv) wk.column(out, dst, stride, 0, t * kv + c - q, rows);
      else wv.column(out, dst, stride, 0, t * kv + c - q - kv, rows);
    });
    packColumns(f32, L.wo, q, h, (out, dst, stride, c, rows) => wo.column(out, dst, stride, t * q, c, rows));
    packColumns(f32, L.wgu, h, 2 * m, (out, dst, stride, c, rows) => {
      if (c < m) wg.column(out, dst, stride, 0, t * m + c, rows);
      else wu.column(out, dst, stride, 0, t * m + c - m, rows);
    });
    packColumns(f32, L.wdown, m, h, (out, dst, stride, c, rows) => wd.column(out, dst, stride, t * m, c, rows));
  }
  if (slot.lmHead >= 0) {
    const lm = globalTensor(model, seed, 'lmHead');
    packColumns(f32, slot.lmHead, h, d.vocabCols, (out, dst, stride, c, rows) => {
      const col = t * d.vocabCols + c;
      if (col < model.vocab) lm.column(out, dst, stride, 0, col, rows);
      else for (let r = 0; r < rows; r++) out[dst + r * stride] = 0;
    });
  }
}
