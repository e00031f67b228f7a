// One replica's engine: continuous batching over a paged KV cache, preemption by recompute when blocks run out, and
// with pipeline parallelism up to pp micro-batches in flight. Each micro-batch is priced by the performance model.
import type { EnginePreset } from '../perf/engines.ts';
import { addDecode, addPrefill, clearShape, emptyShape, type IterationPricer } from '../perf/iteration.ts';
import { PrefixCache } from './prefix-cache.ts';
import type { Request } from './request.ts';

/** A micro-batch: the requests it advances, by how many tokens each, and when it leaves the last stage. */
interface MicroBatch {
  /** The first `size` entries are this batch's (the arrays are reused, never truncated: that is costly). */
  readonly requests: Request[];
  readonly tokens: number[];
  size: number;
  end: number;
}

/** Which running requests a scheduling pass considers. */
const enum Phase {
  Any,
  Prefill,
  Decode,
}

export class Replica {
  /** FIFO of requests not yet admitted (preempted ones go back to the front). */
  private readonly waiting: Request[] = [];
  private waitingHead = 0;
  readonly running: Request[] = [];
  private freeBlocks: number;
  /** A ring of pp micro-batches; `inFlight` of them, oldest at `head`, are in the pipeline (they leave in order). */
  private readonly batches: MicroBatch[];
  private head = 0;
  private inFlight = 0;
  /** When each pipeline stage finishes the work it has; per-stage prices of the batch being launched. */
  private readonly stageFree: Float64Array;
  private readonly stageSeconds: Float64Array;
  private readonly shape = emptyShape();
  private preemptedThisPlan = false;
  /** When the oldest micro-batch in flight leaves the last stage; NaN when idle. */
  busyUntil = NaN;
  /** Serving: its LWS group is Ready. A replica that is down takes no requests. */
  up = true;
  preemptions = 0;
  /** Micro-batches launched, and the tokens they carried. */
  iterations = 0;
  batchTokens = 0;
  /** Seconds its GPUs computed (per GPU, a pipeline's stages averaged): DCGM's GPU utilisation is the busy share. */
  busySeconds = 0;
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
    const pp = pricer.deployment.pp;
    this.batches = Array.from({ length: pp }, () => ({ requests: [], tokens: [], size: 0, end: NaN }));
    this.stageFree = new Float64Array(pp);
    this.stageSeconds = new Float64Array(pp);
  }

  /** Prompt tokens served from the prefix cache, and prompt tokens looked up there. */
  get prefixHits(): { readonly hitTokens: number; readonly lookedUpTokens: number } {
    return this.prefixCache ?? { hitTokens: 0, lookedUpTokens: 0 };
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

  /** Micro-batches in the pipeline now. */
  get batchesInFlight(): number {
    return this.inFlight;
  }

  enqueue(request: Request): void {
    request.replica = this.index;
    this.waiting.push(request);
  }

  /**
   * The replica's group went away (scaled in, preempted, a node failed): everything it held is lost, its cache
   * with it. Returns the requests it had, waiting and running, for the caller to retry or fail.
   */
  goDown(): Request[] {
    const lost = [...this.running, ...this.waiting.slice(this.waitingHead)];
    this.running.length = 0;
    this.waiting.length = 0;
    this.waitingHead = 0;
    for (const batch of this.batches) batch.size = 0;
    this.inFlight = 0;
    this.head = 0;
    this.stageFree.fill(0);
    this.freeBlocks = this.totalBlocks;
    this.prefixCache?.clear();
    this.busyUntil = NaN;
    this.up = false;
    return lost;
  }

  /** Launches micro-batches at `now` while the pipeline has room and there is work not already in it. */
  launch(now: number): void {
    const pp = this.batches.length;
    while (this.inFlight < pp && this.outstanding > 0) {
      const batch = this.batches[(this.head + this.inFlight) % pp]!;
      this.plan(batch);
      // A plan that only preempted (admission waits a step after one) is planned again, so work never stalls.
      if (batch.size === 0 && this.preemptedThisPlan) this.plan(batch);
      if (batch.size === 0) break;
      batch.end = this.price(batch, now);
      this.inFlight++;
    }
    this.busyUntil = this.inFlight > 0 ? this.batches[this.head]!.end : NaN;
  }

  /**
   * The oldest micro-batch leaves the pipeline at `end`: computed tokens advance, a request whose whole sequence is
   * now cached samples a token, and a request with all its output leaves (its blocks freed).
   */
  complete(end: number, onFinish: (r: Request) => void, onToken: (r: Request, at: number) => void): void {
    const batch = this.batches[this.head]!;
    this.head = (this.head + 1) % this.batches.length;
    this.inFlight--;
    const { requests, tokens, size } = batch;
    let finished = false;
    for (let i = 0; i < size; i++) {
      const r = requests[i]!;
      r.busy = false;
      r.computed += tokens[i]!;
      if (r.computed === r.inputTokens + r.generated) {
        if (r.generated === 0 && r.prefixBlocks !== undefined) this.prefixCache?.insert(r.prefixBlocks);
        r.generated++;
        onToken(r, end);
        if (r.generated >= r.outputTokens) finished = true;
      }
    }
    batch.size = 0;
    if (finished) this.leave(end, onFinish);
    this.busyUntil = this.inFlight > 0 ? this.batches[this.head]!.end : NaN;
  }

  /** Requests with all their output leave the running list, their blocks freed. */
  private leave(end: number, onFinish: (r: Request) => void): void {
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
  }

  /**
   * Fills `batch` with the next iteration's work. `mixed` engines (vLLM, TensorRT-LLM): running requests first —
   * a prefill chunk within the token budget or one decode — then waiting ones while sequences, budget and blocks
   * allow (none after a preemption, as vLLM does). `separate` engines (SGLang): a prefill batch of chunked and
   * waiting prompts when there is one, else one decode step for every running request.
   */
  private plan(batch: MicroBatch): void {
    this.preemptedThisPlan = false;
    const budget = this.engine.maxNumBatchedTokens;
    if (this.engine.prefillMixing === 'mixed') {
      this.admit(batch, this.scheduleRunning(batch, budget, Phase.Any));
    } else {
      this.admit(batch, this.scheduleRunning(batch, budget, Phase.Prefill));
      if (batch.size === 0 && !this.preemptedThisPlan) this.scheduleRunning(batch, Infinity, Phase.Decode);
    }
    if (this.waitingHead > 1024 && this.waitingHead * 2 > this.waiting.length) {
      this.waiting.splice(0, this.waitingHead);
      this.waitingHead = 0;
    }
  }

  /** Schedules running requests of `phase` in order within `budget` tokens, preempting from the back for blocks. */
  private scheduleRunning(batch: MicroBatch, budget: number, phase: Phase): number {
    const blockSize = this.engine.blockSize;
    for (let i = 0; i < this.running.length && budget > 0; i++) {
      const r = this.running[i]!;
      if (r.busy) continue;
      const left = r.inputTokens + r.generated - r.computed;
      if (phase === Phase.Prefill ? r.computed >= r.inputTokens : phase === Phase.Decode && left !== 1) continue;
      const n = Math.min(left, budget);
      const need = Math.ceil((r.computed + n) / blockSize) - r.blocks;
      let freed = true;
      while (need > this.freeBlocks && freed) freed = this.preemptVictimAfter(i);
      if (need > this.freeBlocks) {
        // Nothing left to take blocks from: this request itself goes back to wait.
        this.running.splice(i, 1);
        this.preempt(r);
        break;
      }
      this.take(batch, r, need, n);
      budget -= n;
    }
    return budget;
  }

  /** Preempts the last running request after index `i` that is not in the pipeline; false when there is none. */
  private preemptVictimAfter(i: number): boolean {
    for (let j = this.running.length - 1; j > i; j--) {
      const victim = this.running[j]!;
      if (victim.busy) continue;
      this.running.splice(j, 1);
      this.preempt(victim);
      return true;
    }
    return false;
  }

  /** Admits waiting requests, in order, while sequences, `budget` and blocks allow and nothing was preempted. */
  private admit(batch: MicroBatch, budget: number): void {
    const { maxNumSeqs, blockSize } = this.engine;
    while (
      !this.preemptedThisPlan &&
      budget > 0 &&
      this.running.length < maxNumSeqs &&
      this.waitingHead < this.waiting.length
    ) {
      const r = this.waiting[this.waitingHead]!;
      this.lookUpPrefix(r);
      const n = Math.min(r.inputTokens + r.generated - r.computed, budget);
      const need = Math.ceil((r.computed + n) / blockSize) - r.blocks;
      if (need > this.freeBlocks) break;
      this.waitingHead++;
      this.running.push(r);
      this.take(batch, r, need, n);
      budget -= n;
    }
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

  private take(batch: MicroBatch, r: Request, blocks: number, tokens: number): void {
    if (blocks > 0) {
      r.blocks += blocks;
      this.freeBlocks -= blocks;
    }
    r.busy = true;
    batch.requests[batch.size] = r;
    batch.tokens[batch.size++] = tokens;
  }

  /** Recompute: the victim's cache is dropped and it waits at the front of the queue. */
  private preempt(r: Request): void {
    this.freeBlocks += r.blocks;
    r.blocks = 0;
    r.computed = 0;
    r.prefixHitTokens = -1;
    r.preemptions++;
    this.preemptions++;
    this.preemptedThisPlan = true;
    if (this.waitingHead > 0) this.waiting[--this.waitingHead] = r;
    else this.waiting.unshift(r);
  }

  /** Prices `batch` launched at `now` and returns when it leaves the last stage. */
  private price(batch: MicroBatch, now: number): number {
    const s = clearShape(this.shape);
    const { requests, tokens } = batch;
    for (let i = 0; i < batch.size; i++) {
      const c = requests[i]!.computed;
      const t = tokens[i]!;
      if (t === 1 && c > 0) addDecode(s, c);
      else addPrefill(s, t, c);
    }
    this.iterations++;
    this.batchTokens += s.tokens;
    if (this.stageFree.length === 1) {
      const seconds = this.pricer.secondsOf(s);
      this.busySeconds += seconds;
      return now + seconds;
    }
    // Each stage starts the batch when it is free and the stage before has handed it on.
    this.pricer.stagesOf(s, this.stageSeconds);
    let at = now;
    for (let stage = 0; stage < this.stageFree.length; stage++) {
      at = Math.max(at, this.stageFree[stage]!) + this.stageSeconds[stage]!;
      this.stageFree[stage] = at;
      this.busySeconds += this.stageSeconds[stage]! / this.stageFree.length;
    }
    return at;
  }
}
