// One replica's engine: vLLM-V1-style continuous batching with chunked prefill over a paged KV cache, preemption
// by recompute when blocks run out. Each iteration is priced by the performance model.
import type { EnginePreset } from '../perf/engines.ts';
import { addDecode, addPrefill, clearShape, emptyShape, type IterationPricer } from '../perf/iteration.ts';
import { PrefixCache } from './prefix-cache.ts';
import type { Request } from './request.ts';

/** What one iteration did: the requests it advanced and by how many tokens, and what it cost. */
export interface Iteration {
  readonly seconds: number;
  readonly tokens: number;
  readonly sequences: number;
}

export class Replica {
  /** FIFO of requests not yet admitted (preempted ones go back to the front). */
  private readonly waiting: Request[] = [];
  private waitingHead = 0;
  readonly running: Request[] = [];
  private freeBlocks: number;
  private readonly scheduled: Request[] = [];
  private readonly scheduledTokens: number[] = [];
  private readonly shape = emptyShape();
  /** When the iteration in progress ends; NaN when idle. */
  busyUntil = NaN;
  preemptions = 0;
  /** Absent when prefix caching is off. */
  private prefixCache: PrefixCache | undefined;

  constructor(
    readonly index: number,
    private readonly pricer: IterationPricer,
    readonly engine: EnginePreset,
    readonly totalBlocks: number,
    private readonly prefixCaching = true,
  ) {
    this.freeBlocks = totalBlocks;
  }

  /** Prompt tokens served from the prefix cache, and prompt tokens looked up there. */
  get prefixHits(): { readonly hitTokens: number; readonly lookedUpTokens: number } {
    return this.prefixCache ?? { hitTokens: 0, lookedUpTokens: 0 };
  }

  /** On a first (or recomputed) admission: skip the prompt's cached prefix, keeping at least one token to compute. */
  private lookUpPrefix(r: Request): void {
    if (!this.prefixCaching || r.prefixBlocks === undefined || r.prefixHitTokens >= 0) return;
    this.prefixCache ??= new PrefixCache(
      Math.max(1, Math.floor((this.totalBlocks * this.engine.blockSize) / r.prefixBlockTokens)),
    );
    const hit = Math.min(this.prefixCache.match(r.prefixBlocks) * r.prefixBlockTokens, r.inputTokens - 1);
    this.prefixCache.hitTokens += hit;
    this.prefixCache.lookedUpTokens += r.inputTokens;
    r.computed = hit;
    r.prefixHitTokens = hit;
  }

  get waitingCount(): number {
    return this.waiting.length - this.waitingHead;
  }

  get outstanding(): number {
    return this.waitingCount + this.running.length;
  }

  get usedBlocks(): number {
    return this.totalBlocks - this.freeBlocks;
  }

  enqueue(request: Request): void {
    request.replica = this.index;
    this.waiting.push(request);
  }

  /** Plans and prices the next iteration; 0 sequences when there is nothing to run. */
  plan(): Iteration {
    const { maxNumBatchedTokens, maxNumSeqs, blockSize } = this.engine;
    let budget = maxNumBatchedTokens;
    this.scheduled.length = 0;
    this.scheduledTokens.length = 0;
    let preempted = false;
    // Running requests first, in order: each continues its prefill (a chunk within the budget) or decodes one token.
    for (let i = 0; i < this.running.length && budget > 0; i++) {
      const r = this.running[i]!;
      const n = Math.min(r.inputTokens + r.generated - r.computed, budget);
      const need = Math.ceil((r.computed + n) / blockSize) - r.blocks;
      while (need > this.freeBlocks && this.running.length - 1 > i) {
        this.preempt(this.running.pop()!);
        preempted = true;
      }
      if (need > this.freeBlocks) {
        // Nothing left to take blocks from: this request itself goes back to wait.
        this.running.splice(i, 1);
        this.preempt(r);
        preempted = true;
        break;
      }
      this.take(r, need, n);
      budget -= n;
    }
    // Then waiting requests, while sequences, budget and blocks allow (none after a preemption, as vLLM does).
    while (!preempted && budget > 0 && this.running.length < maxNumSeqs && this.waitingHead < this.waiting.length) {
      const r = this.waiting[this.waitingHead]!;
      this.lookUpPrefix(r);
      const n = Math.min(r.inputTokens + r.generated - r.computed, budget);
      const need = Math.ceil((r.computed + n) / blockSize) - r.blocks;
      if (need > this.freeBlocks) break;
      this.waitingHead++;
      this.running.push(r);
      this.take(r, need, n);
      budget -= n;
    }
    if (this.waitingHead > 1024 && this.waitingHead * 2 > this.waiting.length) {
      this.waiting.splice(0, this.waitingHead);
      this.waitingHead = 0;
    }
    return this.price();
  }

  private take(r: Request, blocks: number, tokens: number): void {
    if (blocks > 0) {
      r.blocks += blocks;
      this.freeBlocks -= blocks;
    }
    this.scheduled.push(r);
    this.scheduledTokens.push(tokens);
  }

  /** Recompute: the victim's cache is dropped and it waits at the front of the queue. */
  private preempt(r: Request): void {
    this.freeBlocks += r.blocks;
    r.blocks = 0;
    r.computed = 0;
    r.prefixHitTokens = -1;
    r.preemptions++;
    this.preemptions++;
    if (this.waitingHead > 0) this.waiting[--this.waitingHead] = r;
    else this.waiting.unshift(r);
  }

  private price(): Iteration {
    const s = clearShape(this.shape);
    for (let i = 0; i < this.scheduled.length; i++) {
      const c = this.scheduled[i]!.computed;
      const t = this.scheduledTokens[i]!;
      if (t === 1 && c > 0) addDecode(s, c);
      else addPrefill(s, t, c);
    }
    const seconds = s.sequences > 0 ? this.pricer.secondsOf(s) : 0;
    return { seconds, tokens: s.tokens, sequences: s.sequences };
  }

  /**
   * Applies the planned iteration, ending at `end`: computed tokens advance, a request whose whole sequence is now
   * cached samples a token, and a request with all its output leaves (its blocks freed). Calls `onFinish` for each.
   */
  complete(end: number, onFinish: (r: Request) => void, onToken: (r: Request, at: number) => void): void {
    for (let i = 0; i < this.scheduled.length; i++) {
      const r = this.scheduled[i]!;
      r.computed += this.scheduledTokens[i]!;
      if (r.computed === r.inputTokens + r.generated) {
        if (r.generated === 0 && r.prefixBlocks !== undefined) this.prefixCache?.insert(r.prefixBlocks);
        r.generated++;
        onToken(r, end);
      }
    }
    let kept = 0;
    for (let i = 0; i < this.running.length; i++) {
      const r = this.running[i]!;
      if (r.generated >= r.outputTokens) {
        this.freeBlocks += r.blocks;
        r.blocks = 0;
        r.finished = end;
        onFinish(r);
      } else this.running[kept++] = r;
    }
    this.running.length = kept;
    this.scheduled.length = 0;
    this.scheduledTokens.length = 0;
  }
}
