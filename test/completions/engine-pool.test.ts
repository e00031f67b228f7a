import { describe, expect, it } from 'vitest';
import { seconds } from '../../sim/engine/index.ts';
import { MODEL_PRESETS } from '../../sim/perf/presets.ts';
import { EngineClosedError, type TpEngine, type TpEngineOptions } from '../../src/kernel/index.ts';
import { closeEnginesWithWorkloads } from '../../src/completions/engine-lifecycle.ts';
import { EnginePool, SERVING_WEIGHT_SEED, type EngineFactory } from '../../src/completions/engine-pool.ts';
import { inference, model, READY_AFTER } from '../support/workloads.ts';

interface Fake {
  readonly options: TpEngineOptions;
  closed: number;
}

/** A factory of stand-in engines that record how they were made and closed. */
function fakes(fail = false): { create: EngineFactory; made: Fake[] } {
  const made: Fake[] = [];
  const create: EngineFactory = async (options) => {
    if (fail) throw new Error('no memory');
    const fake: Fake = { options, closed: 0 };
    made.push(fake);
    return { close: async () => void fake.closed++ } as unknown as TpEngine;
  };
  return { create, made };
}

const shape = { model: MODEL_PRESETS.tiny, tp: 2, pp: 2 };

describe('EnginePool', () => {
  it('makes one engine per workload, shared by concurrent first requests, with the pool threads and seed', async () => {
    const { create, made } = fakes();
    const pool = new EnginePool({ threads: 3, create });
    const [a, b] = await Promise.all([pool.acquire('w1', shape), pool.acquire('w1', shape)]);
    expect(a).toBe(b);
    await pool.acquire('w2', { ...shape, tp: 1 });
    expect(made.map((f) => f.options)).toEqual([
      { model: MODEL_PRESETS.tiny, tp: 2, pp: 2, threads: 3, seed: SERVING_WEIGHT_SEED },
      { model: MODEL_PRESETS.tiny, tp: 1, pp: 2, threads: 3, seed: SERVING_WEIGHT_SEED },
    ]);
    expect(pool.size).toBe(2);
  });

  it('closes on release (also an engine still being created) and makes a fresh one afterwards', async () => {
    const { create, made } = fakes();
    const pool = new EnginePool({ threads: 1, create });
    void pool.acquire('w', shape);
    await pool.release('w');
    expect(made[0]?.closed).toBe(1);
    expect(pool.has('w')).toBe(false);
    await pool.acquire('w', shape);
    expect(made).toHaveLength(2);
    await pool.release('unknown');
  });

  it('forgets a failed creation so the next request tries again', async () => {
    const pool = new EnginePool({ threads: 1, create: fakes(true).create });
    await expect(pool.acquire('w', shape)).rejects.toThrow('no memory');
    expect(pool.has('w')).toBe(false);
  });

  it('closes every engine on close and refuses new ones', async () => {
    const { create, made } = fakes();
    const pool = new EnginePool({ threads: 1, create });
    await Promise.all([pool.acquire('a', shape), pool.acquire('b', shape)]);
    await pool.close();
    expect(made.map((f) => f.closed)).toEqual([1, 1]);
    await expect(pool.acquire('c', shape)).rejects.toBeInstanceOf(EngineClosedError);
  });

  it('refuses a non-positive thread count', () => {
    expect(() => new EnginePool({ threads: 0 })).toThrow(/positive integer/);
  });
});

describe('closeEnginesWithWorkloads', () => {
  it('closes a workload engine when it leaves Running and when it is deleted, and stops listening on unsubscribe', async () => {
    const m = model();
    const { create, made } = fakes();
    const pool = new EnginePool({ threads: 1, create });
    const unsubscribe = closeEnginesWithWorkloads(pool, m.observers);
    const created = m.createWorkload({
      spec: inference({ replicas: 1 }),
      useGivenNameAsPrefix: false,
      createdBy: 't',
      request: '{}',
    });
    if (!created.ok) throw new Error(created.message);
    const w = created.value;
    m.advanceTo(seconds(READY_AFTER + 2));
    expect(w.phase).toBe('Running');
    await pool.acquire(w.id, shape);
    m.scaleWorkload(w.id, 0); // Running -> Updating/Stopped: no longer serving
    await Promise.resolve();
    expect(w.phase).not.toBe('Running');
    expect(pool.has(w.id)).toBe(false);
    await pool.close();
    expect(made[0]?.closed).toBe(1);

    const again = new EnginePool({ threads: 1, create });
    const off = closeEnginesWithWorkloads(again, m.observers);
    await again.acquire(w.id, shape);
    m.deleteWorkload(w.id);
    m.advanceTo(seconds(READY_AFTER + 60));
    expect(w.deletedAt).not.toBeNull();
    expect(again.has(w.id)).toBe(false);
    off();
    unsubscribe();
    expect(m.observers.listenerCount('workload-phase')).toBe(0);
    expect(m.observers.listenerCount('workload-deleted')).toBe(0);
  });
});
