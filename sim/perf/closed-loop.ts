// Steady-state latencies of a closed-loop benchmark (fixed concurrency, fixed prompt and output lengths) from the
// iteration price: how the end-to-end calibration compares the model with measured deployments before the
// request-level serving simulation exists to replay them.
import type { IterationPricer } from './iteration.ts';
import type { BatchShape } from './iteration.ts';
import { planMemory } from './memory.ts';

/**
 * How the benchmark's clients start. `wave`: together, so prompts arrive as one burst and decode in lockstep (the
 * harness waits for a whole round). `staggered`: clients drift apart and every iteration mixes prefill chunks into the
 * decodes in steady state.
 */
export const START_MODES = ['wave', 'staggered'] as const;
export type StartMode = (typeof START_MODES)[number];

export interface ClosedLoopLoad {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly concurrency: number;
  readonly mode: StartMode;
}

export interface ClosedLoopLatency {
  readonly ttftSeconds: number;
  readonly tpotSeconds: number;
  /** Requests the engine runs at once: the concurrency, or fewer when sequences or KV cache run out. */
  readonly running: number;
}

function shape(
  tokens: number,
  sequences: number,
  prefillPairs: number,
  prefillKeys: number,
  decodes: number,
  decodeKeys: number,
): BatchShape {
  return { tokens, sequences, prefillPairs, prefillKeys, decodes, decodeKeys };
}

export function estimateClosedLoop(pricer: IterationPricer, load: ClosedLoopLoad): ClosedLoopLatency {
  const d = pricer.deployment;
  const { inputTokens: isl, outputTokens: osl } = load;
  const memory = planMemory(d);
  const byKv = Math.max(1, Math.floor(memory.kvCacheTokens / (isl + osl)));
  const running = Math.max(1, Math.min(load.concurrency, d.engine.maxNumSeqs, byKv));
  const budget = d.engine.maxNumBatchedTokens;
  const meanContext = isl + osl / 2;
  const decodeSteps = Math.max(1, osl - 1);
  let ttft: number;
  let tpot: number;
  if (load.mode === 'wave') {
    // The burst's prompts packed into full chunks; request j's first token comes with chunk ⌈(j+1)·isl/B⌉.
    const total = running * isl;
    const chunks = Math.ceil(total / budget);
    const chunkTokens = total / chunks;
    const perChunk = pricer.secondsOf(
      shape(chunkTokens, chunkTokens / isl, chunkTokens * (isl / 2), chunkTokens, 0, 0),
    );
    let sum = 0;
    for (let j = 0; j < running; j++) sum += Math.ceil(((j + 1) * isl) / chunkTokens) * perChunk;
    ttft = sum / running;
    tpot = pricer.secondsOf(shape(running, running, 0, 0, running, running * (meanContext + 1)));
  } else {
    // Each request spends n iterations in prefill and osl − 1 decoding; every iteration carries the same mix.
    let n = 1;
    const perIteration = (iterations: number): number => (running * isl) / (iterations + decodeSteps);
    while (perIteration(n) + (running * decodeSteps) / (n + decodeSteps) > budget && n < 64) n++;
    const cycle = n + decodeSteps;
    const prefilling = (running * n) / cycle;
    const decoding = (running * decodeSteps) / cycle;
    const chunk = isl / n;
    const prefillTokens = prefilling * chunk;
    const ownPairs = (chunk * (chunk * (n - 1))) / 2 + (chunk * (chunk + 1)) / 2;
    const pairs = prefilling * ownPairs;
    const background = (extraChunk: number): number =>
      pricer.secondsOf(
        shape(
          prefillTokens + decoding + extraChunk,
          prefilling + decoding + (extraChunk > 0 ? 1 : 0),
          pairs + (extraChunk > 0 ? ownPairs : 0),
          prefilling * isl + (extraChunk > 0 ? isl : 0),
          decoding,
          decoding * (meanContext + 1),
        ),
      );
    const mixed = background(0);
    // A request arrives mid-iteration (half of one waited), then its own chunks ride with the background mix.
    ttft = mixed / 2 + n * background(chunk);
    tpot = mixed;
  }
  // Clients beyond what runs wait in the queue: a closed loop's Little's law.
  const serviceSeconds = ttft + decodeSteps * tpot;
  const waiting = load.concurrency - running;
  const queue = waiting > 0 ? (waiting / running) * serviceSeconds : 0;
  return { ttftSeconds: ttft + queue + pricer.requestSeconds, tpotSeconds: tpot, running };
}
