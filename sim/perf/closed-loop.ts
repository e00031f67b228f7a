// Latencies of a closed-loop benchmark (fixed concurrency, fixed prompt and output lengths) from the iteration
// price: how the end-to-end calibration compares the model with measured deployments. The request-level serving
// simulation replays such loads request by request; this is its steady-state shortcut.
import type { BatchShape, IterationPricer } from './iteration.ts';
import { planMemory } from './memory.ts';

export interface ClosedLoopLoad {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly concurrency: number;
  /**
   * The share of requests that belong to the clients' first, synchronised round (all prompts at once, decoding in
   * lockstep); the rest see the steady state, clients drifted apart. A benchmark of k rounds has 1/k.
   */
  readonly burstFraction: number;
}

export interface ClosedLoopLatency {
  readonly ttftSeconds: number;
  readonly tpotSeconds: number;
  /** Requests the engine runs at once: the concurrency, or fewer when sequences or KV cache run out. */
  readonly running: number;
}

interface Phase {
  readonly ttft: number;
  readonly tpot: number;
}

function shape(tokens: number, sequences: number, pairs: number, keys: number, decodes: number, decodeKeys: number) {
  return { tokens, sequences, prefillPairs: pairs, prefillKeys: keys, decodes, decodeKeys } satisfies BatchShape;
}

/** All prompts at once, packed into full chunks: request j's first token comes with chunk ⌈(j+1)·isl/B⌉. */
function burst(pricer: IterationPricer, running: number, isl: number, osl: number): Phase {
  const budget = pricer.deployment.engine.maxNumBatchedTokens;
  const total = running * isl;
  const chunks = Math.ceil(total / budget);
  const chunkTokens = total / chunks;
  const perChunk = pricer.secondsOf(shape(chunkTokens, chunkTokens / isl, chunkTokens * (isl / 2), chunkTokens, 0, 0));
  let sum = 0;
  for (let j = 0; j < running; j++) sum += Math.ceil(((j + 1) * isl) / chunkTokens) * perChunk;
  const context = isl + osl / 2 + 1;
  return { ttft: sum / running, tpot: pricer.secondsOf(shape(running, running, 0, 0, running, running * context)) };
}

/**
 * Clients drifted apart: prompt tokens arrive at the rate requests complete. A `mixed` engine (vLLM, TensorRT-LLM)
 * puts them into the decodes' iterations as chunks; a `separate` one (SGLang by default) runs prefill batches
 * between decode steps, which stall meanwhile.
 */
function steady(pricer: IterationPricer, running: number, isl: number, osl: number): Phase {
  const { maxNumBatchedTokens: budget, prefillMixing } = pricer.deployment.engine;
  const decodeSteps = Math.max(1, osl - 1);
  const context = isl + osl / 2 + 1;
  // Each request spends n iterations in prefill and osl − 1 decoding; every iteration carries the same mix.
  let n = 1;
  while ((running * isl) / (n + decodeSteps) + (running * decodeSteps) / (n + decodeSteps) > budget && n < 64) n++;
  const cycle = n + decodeSteps;
  const prefilling = (running * n) / cycle;
  const decoding = (running * decodeSteps) / cycle;
  const chunk = isl / n;
  const ownPairs = (chunk * chunk * (n - 1)) / 2 + (chunk * (chunk + 1)) / 2;
  if (prefillMixing === 'separate') {
    // Per decode step, prefill batches of the arriving prompts' tokens run on their own.
    const decode = pricer.secondsOf(shape(running, running, 0, 0, running, running * context));
    const prompts = running / decodeSteps; // prompts arriving per decode step
    const batchTokens = Math.min(budget, Math.max(isl, prompts * isl));
    const batch = pricer.secondsOf(
      shape(batchTokens, batchTokens / isl, (batchTokens / isl) * ownPairs, batchTokens, 0, 0),
    );
    const prefillPerStep = ((prompts * isl) / batchTokens) * batch;
    return { ttft: decode / 2 + batch, tpot: decode + prefillPerStep };
  }
  const mix = (own: number): number =>
    pricer.secondsOf(
      shape(
        prefilling * chunk + decoding + own,
        prefilling + decoding + (own > 0 ? 1 : 0),
        prefilling * ownPairs + (own > 0 ? ownPairs : 0),
        prefilling * isl + (own > 0 ? isl : 0),
        decoding,
        decoding * context,
      ),
    );
  const background = mix(0);
  // A request arrives mid-iteration (half of one waited), then its chunks ride with the background mix.
  return { ttft: background / 2 + n * mix(chunk), tpot: background };
}

export function estimateClosedLoop(pricer: IterationPricer, load: ClosedLoopLoad): ClosedLoopLatency {
  const d = pricer.deployment;
  const { inputTokens: isl, outputTokens: osl, burstFraction: w } = load;
  const byKv = Math.max(1, Math.floor(planMemory(d).kvCacheTokens / (isl + osl)));
  const running = Math.max(1, Math.min(load.concurrency, d.engine.maxNumSeqs, byKv));
  const first = burst(pricer, running, isl, osl);
  const rest = steady(pricer, running, isl, osl);
  const ttft = w * first.ttft + (1 - w) * rest.ttft;
  const tpot = w * first.tpot + (1 - w) * rest.tpot;
  // Clients beyond what runs wait in the queue: a closed loop's Little's law.
  const service = ttft + Math.max(1, osl - 1) * tpot;
  const waiting = load.concurrency - running;
  const queue = waiting > 0 ? (waiting / running) * service : 0;
  return { ttftSeconds: ttft + queue + pricer.requestSeconds, tpotSeconds: tpot, running };
}
