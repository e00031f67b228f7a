import { describe, expect, it } from 'vitest';
import { GPU_UNITS } from '../../sim/cluster/index.ts';
import fc from 'fast-check';
import {
  computeFairShare,
  FairShareCache,
  QueueTree,
  QueueUsage,
  type DepartmentSpec,
} from '../../sim/scheduler/index.ts';

/** Fair shares in GPUs by queue name, for one pool of `capacity` GPUs and the given requests. */
function shares(
  departments: DepartmentSpec[],
  capacity: number,
  requests: Record<string, number>,
): Record<string, number> {
  const tree = new QueueTree(departments, ['a']);
  const usage = new QueueUsage(tree);
  for (const [name, gpus] of Object.entries(requests)) usage.addPending(tree.project(name)!.index, 0, gpus * GPU_UNITS);
  const share = computeFairShare(tree, usage, [capacity * GPU_UNITS]);
  return Object.fromEntries(
    tree.queues.map((q) => [q.name, Math.round((share[tree.slot(q.index, 0)]! / GPU_UNITS) * 1000) / 1000]),
  );
}

const project = (name: string, deserved: number, overQuotaWeight = 1, rank = 0, limit: number | null = null) => ({
  name,
  rank,
  quotas: { a: { deserved, overQuotaWeight, limit } },
});
const department = (name: string, deserved: number, projects: ReturnType<typeof project>[], rank = 0) => ({
  name,
  rank,
  quotas: { a: { deserved } },
  projects,
});

describe('fair share (proportion)', () => {
  it('gives deserved first, bounded by what each queue asks for', () => {
    expect(shares([department('d', 10, [project('p', 4), project('q', 6)])], 10, { p: 2, q: 20 })).toMatchObject({
      d: 10,
      p: 2,
      q: 8,
    });
  });

  it('splits the surplus by over-quota weight, water-filling past satisfied queues', () => {
    // 12 GPUs: deserved 2 + 2, surplus 8 split 3:1 -> 6 and 2; p only wants 5 so q gets the rest.
    expect(
      shares([department('d', 12, [project('p', 2, 3), project('q', 2, 1)])], 12, { p: 100, q: 100 }),
    ).toMatchObject({ p: 8, q: 4 });
    expect(shares([department('d', 12, [project('p', 2, 3), project('q', 2, 1)])], 12, { p: 5, q: 100 })).toMatchObject(
      { p: 5, q: 7 },
    );
  });

  it('serves higher ranks first with the surplus, and gives weight 0 none of it', () => {
    expect(
      shares([department('d', 10, [project('hi', 2, 1, 1), project('lo', 2, 1, 0)])], 10, { hi: 100, lo: 100 }),
    ).toMatchObject({ hi: 8, lo: 2 });
    expect(
      shares([department('d', 10, [project('p', 2, 0), project('q', 2, 1)])], 10, { p: 100, q: 100 }),
    ).toMatchObject({ p: 2, q: 8 });
  });

  it('caps shares at limits', () => {
    expect(
      shares([department('d', 10, [project('p', 2, 1, 0, 3), project('q', 2)])], 10, { p: 100, q: 100 }),
    ).toMatchObject({ p: 3, q: 7 });
  });

  it('divides top-down: departments first, then their projects', () => {
    const out = shares(
      [department('d1', 8, [project('a1', 4), project('a2', 4)]), department('d2', 8, [project('b1', 8)])],
      24,
      { a1: 100, a2: 1, b1: 100 },
    );
    // Departments: 8 + 8 deserved, surplus 8 split evenly -> 12 each. d1's 12: a2 takes its 1, a1 the other 11.
    expect(out).toMatchObject({ d1: 12, d2: 12, a1: 11, a2: 1, b1: 12 });
  });

  it('gives a queue that asks for nothing no share', () => {
    expect(shares([department('d', 10, [project('idle', 5), project('busy', 5)])], 10, { busy: 3 })).toMatchObject({
      idle: 0,
      busy: 3,
    });
  });
});

describe('the fair-share cache', () => {
  it('always equals a fresh computation, through random changes of allocation, demand and capacity', () => {
    const departments = [
      department('d1', 20, [project('p1', 8, 1), project('p2', 4, 2), project('p3', 0, 1, 1)]),
      department('d2', 12, [project('q1', 6, 3, 0, 10), project('q2', 2)], 1),
    ];
    const change = fc.record({
      project: fc.constantFrom('p1', 'p2', 'p3', 'q1', 'q2'),
      pool: fc.nat(1),
      kind: fc.constantFrom('charge' as const, 'pending' as const, 'capacity' as const),
      gpus: fc.integer({ min: -8, max: 12 }),
    });
    fc.assert(
      fc.property(fc.array(fc.array(change, { maxLength: 4 }), { maxLength: 12 }), (cycles) => {
        const tree = new QueueTree(departments, ['a', 'b']);
        const usage = new QueueUsage(tree);
        const cache = new FairShareCache(tree);
        const capacity = [32 * GPU_UNITS, 16 * GPU_UNITS];
        for (const changes of cycles) {
          for (const c of changes) {
            const q = tree.project(c.project)!.index;
            if (c.kind === 'charge') usage.charge(q, c.pool, Math.max(0, c.gpus) * GPU_UNITS, c.gpus % 2 === 0);
            else if (c.kind === 'pending') usage.addPending(q, c.pool, Math.max(0, c.gpus) * GPU_UNITS);
            else capacity[c.pool] = Math.max(0, capacity[c.pool]! + c.gpus * GPU_UNITS);
          }
          expect([...cache.compute(usage, capacity)]).toEqual([...computeFairShare(tree, usage, capacity)]);
        }
      }),
      { numRuns: 200 },
    );
  });
});
