// One kernel engine per serving workload: created on its first request, closed when the workload stops
// serving or the server closes. The kernel runs one request at a time per engine.
import type { ModelConfig } from '../../sim/perf/model-config.ts';
import { createTpEngine, EngineClosedError, type TpEngine, type TpEngineOptions } from '../kernel/index.ts';

export type EngineFactory = (options: TpEngineOptions) => Promise<TpEngine>;

/** Same weights for every workload of a size, so answers do not depend on which workload served them. */
export const SERVING_WEIGHT_SEED = 0;

export interface EngineShape {
  readonly model: ModelConfig;
  readonly tp: number;
  readonly pp: number;
}

export interface EnginePoolOptions {
  /** Pool threads per engine (`--kernel-threads`); ranks beyond it are multiplexed. */
  readonly threads: number;
  readonly seed?: number;
  /** For tests: how engines are made. */
  readonly create?: EngineFactory;
}

export class EnginePool {
  // Promises, so concurrent first requests share one engine being created.
  private readonly engines = new Map<string, Promise<TpEngine>>();
  private readonly closing = new Set<Promise<void>>();
  private closed = false;
  private readonly create: EngineFactory;

  constructor(private readonly options: EnginePoolOptions) {
    if (!Number.isInteger(options.threads) || options.threads < 1)
      throw new RangeError(`kernel threads must be a positive integer, got ${options.threads}`);
    this.create = options.create ?? createTpEngine;
  }

  /** Workloads with an engine (being created or ready). */
  get size(): number {
    return this.engines.size;
  }

  has(workloadId: string): boolean {
    return this.engines.has(workloadId);
  }

  /**
   * The workload's engine, created now if it has none. The map entry is set synchronously, so a caller that
   * checked the workload is Running just before cannot race a release into leaking an engine.
   */
  acquire(workloadId: string, shape: EngineShape): Promise<TpEngine> {
    if (this.closed) return Promise.reject(new EngineClosedError());
    const existing = this.engines.get(workloadId);
    if (existing !== undefined) return existing;
    const created = this.create({
      model: shape.model,
      tp: shape.tp,
      pp: shape.pp,
      threads: this.options.threads,
      seed: this.options.seed ?? SERVING_WEIGHT_SEED,
    });
    this.engines.set(workloadId, created);
    // A failed creation is forgotten so the next request tries again.
    created.catch(() => {
      if (this.engines.get(workloadId) === created) this.engines.delete(workloadId);
    });
    return created;
  }

  /** Closes the workload's engine, if any; requests already queued on it finish first. Never rejects. */
  release(workloadId: string): Promise<void> {
    const entry = this.engines.get(workloadId);
    if (entry === undefined) return Promise.resolve();
    this.engines.delete(workloadId);
    const done = entry
      .then(
        (engine) => engine.close(),
        () => undefined,
      )
      .catch(() => undefined);
    this.closing.add(done);
    void done.finally(() => this.closing.delete(done));
    return done;
  }

  /** Closes every engine and refuses new ones (server shutdown). */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...[...this.engines.keys()].map((id) => this.release(id)), ...this.closing]);
  }
}
