// One pool task's share of a request: the ranks it owns, stepped cooperatively phase by phase.
// Every task walks the same phase list and meets the others at a barrier after each phase, so any
// number of ranks runs on any number of threads (down to one) without deadlock.

import { Barrier } from './barrier.ts';
import { Clock, clockView, Ctl } from './control.ts';
import type { WasmKernels } from './kernels.ts';
import type { MemoryPlan } from './layout.ts';
import { rankOf, ranksOfGroup, stageLayers, stageOfLayer } from './partition.ts';
import type { GenerateSpec } from './protocol.ts';
import { RankRunner } from './rank.ts';
import { EOS } from './tokenizer.ts';

/** Raised inside a rank; carries which rank so the engine can report it. */
export class RankError extends Error {
  constructor(
    readonly rank: number,
    cause: unknown,
  ) {
    super(`rank ${rank}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'RankError';
  }
}

export class GroupRunner {
  readonly ranks: readonly RankRunner[];
  private readonly barrier: Barrier;
  private readonly clock: Float64Array;
  /** The rank that samples (stage pp-1, tp rank 0), if this group owns it. */
  private readonly sampler: boolean;
  private forwards = 0;

  constructor(
    private readonly k: WasmKernels,
    private readonly plan: MemoryPlan,
    group: number,
    private readonly spec: GenerateSpec,
  ) {
    const owned = ranksOfGroup(plan.tp * plan.pp, plan.groups, group);
    this.ranks = owned.map((r) => {
      const slot = plan.ranks[r];
      if (slot === undefined) throw new Error(`plan has no rank ${r}`);
      return new RankRunner(k, plan, slot);
    });
    this.barrier = new Barrier(k.i32, plan.control, plan.groups);
    this.clock = clockView(k.memory.buffer, plan.control);
    this.sampler = owned.includes(rankOf(plan.tp, plan.pp - 1, 0));
  }

  /** Runs `fn` for each owned rank of `stage`, tagging failures with the rank. */
  private each(stage: number, fn: (r: RankRunner) => void): void {
    for (const r of this.ranks) {
      if (r.slot.stage !== stage) continue;
      try {
        if (r.slot.rank === this.spec.failRank && this.forwards === this.spec.failStep) {
          if (this.spec.failKind === 'exit') process.exit(70);
          throw new Error('injected fault');
        }
        fn(r);
      } catch (err) {
        throw err instanceof RankError ? err : new RankError(r.slot.rank, err);
      }
    }
  }

  /** One forward pass over n tokens at positions pos0..; the head runs only when logits are needed. */
  private forward(pos0: number, n: number, withHead: boolean): void {
    const { model, pp } = this.plan;
    for (let layer = 0; layer < model.layers; layer++) {
      const stage = stageOfLayer(model.layers, pp, layer);
      const index = layer - stageLayers(model.layers, pp, stage).first;
      this.each(stage, (r) => r.attention(index, pos0, n));
      this.barrier.wait();
      this.each(stage, (r) => r.mlp(index, n));
      this.barrier.wait();
    }
    if (withHead) {
      this.each(pp - 1, (r) => r.head(n));
      this.barrier.wait();
    }
    this.forwards++;
  }

  /** Greedy pick over the gathered logit slices; publishes the token and wakes the main thread. */
  private sample(pos: number): void {
    const { f32, i32 } = this.k;
    const { plan, spec } = this;
    const { vocab } = plan.model;
    let best = 0;
    let bestValue = -Infinity;
    // Rank t's slice starts at t * vocabCols, so the slices side by side are the logits in id order.
    for (let v = 0; v < vocab; v++) {
      const value = f32[plan.logits + v] ?? -Infinity;
      if (value > bestValue) [best, bestValue] = [v, value];
    }
    const ctl = plan.control;
    const count = Atomics.load(i32, ctl + Ctl.tokenCount) + 1;
    if (spec.recordLogits) f32.copyWithin(plan.logitsHistory + (count - 1) * vocab, plan.logits, plan.logits + vocab);
    i32[plan.tokens + pos] = best;
    const now = performance.timeOrigin + performance.now();
    if (count === 1) this.clock[Clock.firstToken] = now;
    this.clock[Clock.lastToken] = now;
    if (count >= spec.maxTokens || (spec.stopAtEos && best === EOS)) Atomics.store(i32, ctl + Ctl.stop, 1);
    Atomics.store(i32, ctl + Ctl.tokenCount, count);
    Atomics.notify(i32, ctl + Ctl.tokenCount);
  }

  /** Prefill in chunks, then decode one token per step until the sampler raises the stop word. */
  generate(): void {
    const { plan, spec } = this;
    this.barrier.wait();
    if (this.sampler) this.clock[Clock.start] = performance.timeOrigin + performance.now();
    let pos = 0;
    while (pos < spec.promptLength) {
      const n = Math.min(plan.chunk, spec.promptLength - pos);
      this.forward(pos, n, pos + n === spec.promptLength);
      pos += n;
    }
    for (;;) {
      if (this.sampler) this.sample(pos);
      this.barrier.wait();
      if (Atomics.load(this.k.i32, plan.control + Ctl.stop) === 1) return;
      this.forward(pos, 1, true);
      pos++;
    }
  }
}
