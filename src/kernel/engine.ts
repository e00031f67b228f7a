// The tensor/pipeline-parallel inference engine: one shared memory holding the whole LWS group's
// weights, caches and activations, and a piscina pool whose tasks run the ranks.

import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { tsxImport } from '../runtime/tsx-loader.ts';
import { Piscina } from 'piscina';
import { validateModel, type ModelConfig } from '../../sim/perf/model-config.ts';
import { validateParallelism } from '../../sim/perf/parallelism.ts';
import { DEFAULT_MODEL } from '../../sim/perf/presets.ts';
import { Clock, clockView, Ctl, AbortCode, raiseAbort, resetControl } from './control.ts';
import { EngineClosedError, GenerationAbortedError, RankFailedError } from './errors.ts';
import { planMemory, type MemoryPlan } from './layout.ts';
import { ranksOfGroup } from './partition.ts';
import type { EngineHandles, GenerateSpec, WorkerResult, WorkerTask } from './protocol.ts';
import { EOS } from './tokenizer.ts';
import { Wasm } from './wasm-api.ts';
import { kernelModules } from './wasm-modules.ts';
import { fillReplicated } from './weight-fill.ts';

export interface TpEngineOptions {
  readonly model?: ModelConfig;
  /** Tensor-parallel degree (ranks per pipeline stage): 1, 2, 4 or 8. */
  readonly tp?: number;
  /** Pipeline-parallel degree (stages, i.e. pods of the LWS group): 1, 2 or 4. */
  readonly pp?: number;
  /** Pool threads (`--kernel-threads`); ranks beyond it are multiplexed. Default: available cores. */
  readonly threads?: number;
  /** Weight seed. */
  readonly seed?: number;
  /** Most prompt tokens per forward pass (default min(maxSeq, 512), lowered to fit memory). */
  readonly prefillChunk?: number;
}

export interface GenerateOptions {
  /** Return the logits of every generated step ([steps x vocab]). */
  readonly returnLogits?: boolean;
  /** Stop at EOS (default true); the EOS itself is not returned. */
  readonly stopAtEos?: boolean;
  readonly signal?: AbortSignal;
  /** Test hook: make `rank` throw (or end its thread) at forward pass `step` (0 = the prefill). */
  readonly injectFault?: { readonly rank: number; readonly step?: number; readonly kind?: 'throw' | 'exit' };
}

export interface GenerateResult {
  readonly tokens: number[];
  readonly finishReason: 'stop' | 'length';
  readonly promptTokens: number;
  /** Prompt processing until the first token. */
  readonly prefillMs: number;
  /** Mean time per token after the first (0 when only one was generated). */
  readonly decodeMsPerToken: number;
  readonly logits?: Float32Array;
}

export interface TpEngine {
  readonly model: ModelConfig;
  readonly tp: number;
  readonly pp: number;
  /** Pool tasks that run the tp * pp ranks (min(threads, ranks)). */
  readonly threads: number;
  readonly plan: MemoryPlan;
  /** Greedy decoding; requests on one engine run one at a time, in call order. */
  generate(
    promptTokens: readonly number[],
    maxTokens: number,
    onToken?: (id: number) => void,
    options?: GenerateOptions,
  ): Promise<GenerateResult>;
  close(): Promise<void>;
}

type WaitAsync = (
  a: Int32Array,
  index: number,
  value: number,
) => { async: false; value: string } | { async: true; value: Promise<string> };
const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;

function validatePrompt(prompt: readonly number[], model: ModelConfig): void {
  if (prompt.length === 0) throw new RangeError('prompt must hold at least one token');
  if (prompt.length >= model.maxSeq)
    throw new RangeError(`prompt of ${prompt.length} tokens exceeds the context (${model.maxSeq - 1})`);
  for (const id of prompt) {
    if (!Number.isInteger(id) || id < 0 || id >= model.vocab) throw new RangeError(`token id ${id} out of vocabulary`);
  }
}

export async function createTpEngine(options: TpEngineOptions = {}): Promise<TpEngine> {
  const model = options.model ?? DEFAULT_MODEL;
  const tp = options.tp ?? 1;
  const pp = options.pp ?? 1;
  const threads = options.threads ?? availableParallelism();
  validateModel(model);
  validateParallelism(model, tp, pp);
  if (!Number.isInteger(threads) || threads < 1) throw new RangeError('threads must be a positive integer');
  const plan = planMemory(model, tp, pp, threads, options.seed ?? 0, options.prefillChunk);
  const memory = new Wasm.Memory({ initial: plan.pages, maximum: plan.pages, shared: true });
  fillReplicated(new Float32Array(memory.buffer), plan);
  const handles: EngineHandles = { engineId: randomUUID(), memory, modules: await kernelModules(), plan };
  const pool = new Piscina<WorkerTask, WorkerResult>({
    filename: new URL('./worker.ts', import.meta.url).href,
    execArgv: ['--import', tsxImport()],
    minThreads: plan.groups,
    maxThreads: plan.groups,
  });
  try {
    await Promise.all(Array.from({ length: plan.groups }, (_, group) => pool.run({ kind: 'init', handles, group })));
  } catch (err) {
    await pool.destroy();
    throw err;
  }
  return new Engine(handles, pool);
}

class Engine implements TpEngine {
  readonly model: ModelConfig;
  readonly tp: number;
  readonly pp: number;
  readonly threads: number;
  readonly plan: MemoryPlan;
  private readonly i32: Int32Array;
  private readonly f32: Float32Array;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly handles: EngineHandles,
    private readonly pool: Piscina<WorkerTask, WorkerResult>,
  ) {
    this.plan = handles.plan;
    this.model = this.plan.model;
    this.tp = this.plan.tp;
    this.pp = this.plan.pp;
    this.threads = this.plan.groups;
    this.i32 = new Int32Array(handles.memory.buffer);
    this.f32 = new Float32Array(handles.memory.buffer);
  }

  generate(
    prompt: readonly number[],
    maxTokens: number,
    onToken?: (id: number) => void,
    options: GenerateOptions = {},
  ): Promise<GenerateResult> {
    if (this.closed) return Promise.reject(new EngineClosedError());
    try {
      validatePrompt(prompt, this.model);
      if (!Number.isInteger(maxTokens) || maxTokens < 1) throw new RangeError('maxTokens must be a positive integer');
    } catch (err) {
      return Promise.reject(err);
    }
    const spec: GenerateSpec = {
      promptLength: prompt.length,
      maxTokens: Math.min(maxTokens, this.model.maxSeq - prompt.length),
      stopAtEos: options.stopAtEos ?? true,
      recordLogits: options.returnLogits ?? false,
      failRank: options.injectFault?.rank ?? -1,
      failStep: options.injectFault?.step ?? 0,
      failKind: options.injectFault?.kind ?? 'throw',
    };
    const run = this.queue.then(() => this.run(prompt, spec, onToken, options.signal));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async run(
    prompt: readonly number[],
    spec: GenerateSpec,
    onToken: ((id: number) => void) | undefined,
    signal: AbortSignal | undefined,
  ): Promise<GenerateResult> {
    if (this.closed) throw new EngineClosedError();
    if (signal?.aborted === true) throw new GenerationAbortedError();
    const ctl = this.plan.control;
    resetControl(this.i32, ctl);
    this.i32.set(prompt, this.plan.tokens);
    const abort = (code: typeof AbortCode.rankFailed | typeof AbortCode.cancelled): void =>
      raiseAbort(this.i32, ctl, code);
    const onAbort = (): void => abort(AbortCode.cancelled);
    signal?.addEventListener('abort', onAbort, { once: true });
    let callbackError: unknown;
    const deliver = (id: number): void => {
      if (callbackError !== undefined || onToken === undefined || (spec.stopAtEos && id === EOS)) return;
      try {
        onToken(id);
      } catch (err) {
        callbackError = err;
        abort(AbortCode.cancelled);
      }
    };
    try {
      const tasks = Array.from({ length: this.plan.groups }, (_, group) =>
        this.pool.run({ kind: 'generate', handles: this.handles, group, spec }).catch((err: unknown) => {
          abort(AbortCode.rankFailed); // wakes peers if this task died without raising the flag itself
          throw err;
        }),
      );
      const settled = await this.stream(tasks, prompt.length, deliver);
      if (callbackError !== undefined) throw callbackError;
      this.throwIfFailed(settled);
      return this.result(spec);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Hands tokens to `deliver` as the sampling rank publishes them, until every task has settled. */
  private async stream(
    tasks: Promise<WorkerResult>[],
    promptLength: number,
    deliver: (id: number) => void,
  ): Promise<PromiseSettledResult<WorkerResult>[]> {
    const word = this.plan.control + Ctl.tokenCount;
    let done = false;
    const all = Promise.allSettled(tasks).then((results) => {
      done = true;
      Atomics.notify(this.i32, word);
      return results;
    });
    let seen = 0;
    for (;;) {
      const count = Atomics.load(this.i32, word);
      for (; seen < count; seen++) deliver(this.i32[this.plan.tokens + promptLength + seen] ?? -1);
      if (done) return all;
      const wait = waitAsync(this.i32, word, seen);
      if (wait.async) await wait.value;
    }
  }

  private throwIfFailed(settled: PromiseSettledResult<WorkerResult>[]): void {
    const failures = settled.flatMap((s, group) =>
      s.status === 'rejected' ? [{ group, reason: s.reason as unknown }] : [],
    );
    if (failures.length === 0) return;
    const ctl = this.plan.control;
    if (Atomics.load(this.i32, ctl + Ctl.abort) === AbortCode.cancelled) throw new GenerationAbortedError();
    const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));
    const root = failures.find((f) => !message(f.reason).startsWith('aborted:')) ?? failures[0];
    let rank = Atomics.load(this.i32, ctl + Ctl.failedRank);
    let detail = message(root?.reason);
    if (rank < 0 && root !== undefined) {
      // The thread died before it could flag its rank: name the first rank its task was running.
      rank = ranksOfGroup(this.tp * this.pp, this.plan.groups, root.group)[0] ?? -1;
      detail = `its worker thread (pool task ${root.group}) died: ${detail}`;
    }
    throw new RankFailedError(rank, Math.floor(rank / this.tp), rank % this.tp, detail, root?.reason);
  }

  private result(spec: GenerateSpec): GenerateResult {
    const ctl = this.plan.control;
    const count = Atomics.load(this.i32, ctl + Ctl.tokenCount);
    const start = this.plan.tokens + spec.promptLength;
    const tokens = Array.from(this.i32.subarray(start, start + count));
    const stopped = spec.stopAtEos && tokens[tokens.length - 1] === EOS;
    if (stopped) tokens.pop();
    const clock = clockView(this.handles.memory.buffer, ctl);
    const first = clock[Clock.firstToken] ?? 0;
    const logits = spec.recordLogits
      ? this.f32.slice(this.plan.logitsHistory, this.plan.logitsHistory + count * this.model.vocab)
      : undefined;
    return {
      tokens,
      finishReason: stopped ? 'stop' : 'length',
      promptTokens: spec.promptLength,
      prefillMs: first - (clock[Clock.start] ?? 0),
      decodeMsPerToken: count > 1 ? ((clock[Clock.lastToken] ?? 0) - first) / (count - 1) : 0,
      ...(logits === undefined ? {} : { logits }),
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue;
    await this.pool.destroy();
  }
}
