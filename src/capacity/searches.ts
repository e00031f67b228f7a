// Capacity searches a server runs for its clients (`POST /sim/v1/capacity`): each on the shared pool of worker
// threads, so the event loop stays free; followed by id, with progress, until it answers. Nothing here touches a
// live cluster: a search is a pure function of its question.
import { randomUUID } from 'node:crypto';
import { searchCapacity, type CapacityAnswer, type CapacityQuestion } from '../../sim/capacity/index.ts';
import { capacityPool, type CapacityPool } from './pool.ts';
import { creationOf, type CreationNames } from './question.ts';

export type SearchStatus = 'running' | 'succeeded' | 'failed';

export interface CapacitySearch {
  readonly id: string;
  status: SearchStatus;
  /** Steps done of all (phase 1 rates each shape, phase 2 counts its replicas). */
  readonly progress: { done: number; total: number };
  readonly createdAt: string;
  finishedAt?: string;
  answer?: CapacityAnswer;
  creation?: Record<string, unknown>;
  error?: string;
}

/** Searches running at once; another is refused until one finishes. */
export const MAX_RUNNING = 4;
/** Finished searches kept for their clients to read, oldest dropped first. */
export const KEPT_FINISHED = 64;

export class CapacitySearches {
  private readonly searches = new Map<string, CapacitySearch>();
  private pool: CapacityPool | undefined;

  constructor(
    private readonly threads: number,
    private readonly now: () => Date = () => new Date(),
  ) {}

  get running(): number {
    let n = 0;
    for (const s of this.searches.values()) if (s.status === 'running') n++;
    return n;
  }

  /** Starts a search; undefined when MAX_RUNNING already run. */
  start(question: CapacityQuestion, names: CreationNames): CapacitySearch | undefined {
    if (this.running >= MAX_RUNNING) return undefined;
    const search: CapacitySearch = {
      id: randomUUID(),
      status: 'running',
      progress: { done: 0, total: 0 },
      createdAt: this.now().toISOString(),
    };
    this.searches.set(search.id, search);
    this.pool ??= capacityPool(this.threads);
    searchCapacity(question, {
      runner: this.pool,
      onProgress: (done, total) => Object.assign(search.progress, { done, total }),
    }).then(
      (answer) => {
        const creation = creationOf(question, answer, names);
        Object.assign(search, { status: 'succeeded', answer, ...(creation ? { creation } : {}) });
        this.finish(search);
      },
      (e: unknown) => {
        Object.assign(search, { status: 'failed', error: e instanceof Error ? e.message : String(e) });
        this.finish(search);
      },
    );
    return search;
  }

  get(id: string): CapacitySearch | undefined {
    return this.searches.get(id);
  }

  /** Waits for nothing: running searches end with the pool (their clients see the server go). */
  async close(): Promise<void> {
    await this.pool?.close();
    this.pool = undefined;
  }

  private finish(search: CapacitySearch): void {
    search.finishedAt = this.now().toISOString();
    const finished = [...this.searches.values()].filter((s) => s.status !== 'running');
    for (const old of finished.slice(0, Math.max(0, finished.length - KEPT_FINISHED))) this.searches.delete(old.id);
  }
}
