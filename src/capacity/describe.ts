// How a replica shape reads in a summary, a report or a log line.
import type { ReplicaShape } from '../../sim/capacity/index.ts';

/** `H100-SXM-80GB TP 2 (vllm, max_num_seqs 128, least-outstanding)`. */
export function shapeText(shape: ReplicaShape): string {
  return `${shape.gpu} TP ${shape.tp}${shape.pp > 1 ? ` PP ${shape.pp}` : ''} (${knobsText(shape)})`;
}

/** The engine, its knobs and the router: what distinguishes shapes of one GPU, TP and PP. */
export function knobsText(shape: ReplicaShape): string {
  return [
    shape.engine,
    ...(shape.maxNumSeqs !== undefined ? [`max_num_seqs ${shape.maxNumSeqs}`] : []),
    ...(shape.maxNumBatchedTokens !== undefined ? [`max_num_batched_tokens ${shape.maxNumBatchedTokens}`] : []),
    shape.router,
  ].join(', ');
}
