/**
 * A full cluster with a backlog, for the cost of one scheduling cycle under contention: the scheduler benchmark's
 * 5,000 nodes (40,000 H100, two pools, 20 projects at their deserved quota) held by 20,000 running training gangs
 * of 2 GPUs, and 5,000 more gangs waiting (1 to 8 GPUs, some of two pods). Each step is what a busy cluster sees
 * between two cycles: one running gang ends and one more arrives.
 */
import { Random, type Micros } from '../../sim/engine/index.ts';
import { GIB } from '../../sim/cluster/index.ts';
import { PRIORITY_CLASSES, Scheduler, type GangSpec } from '../../sim/scheduler/index.ts';
import { gangLoad } from './gang-load.ts';

export const RUNNING = 20_000;
export const PENDING = 5_000;

export interface ContendedCycle {
  readonly scheduler: Scheduler;
  /** One gang ends and one arrives (not timed). */
  churn(): void;
  /** One scheduling cycle (timed). */
  cycle(): void;
}

export function contendedCycle(seed = 11): ContendedCycle {
  const load = gangLoad(5000, seed, 1);
  const scheduler = new Scheduler(load.cluster, load.departments);
  const random = new Random(seed);
  const projects = load.departments.flatMap((d) => d.projects.map((p) => p.name));
  let next = 0;
  let now: Micros = 0;
  const gang = (gpus: number, pods: number, project: string): GangSpec => ({
    id: `c${next++}`,
    project,
    priority: PRIORITY_CLASSES.low,
    preemptible: true,
    pods: Array.from({ length: pods }, (_, i) => ({
      role: i === 0 ? 'leader' : `worker-${i}`,
      resources: { gpu: { kind: 'devices' as const, count: gpus }, cpuMillis: 4000, memoryBytes: 32 * GIB },
    })),
    nodePools: [],
  });
  const waiting = (): GangSpec => {
    const gpus = random.weighted([1, 2, 4, 8], [2, 3, 3, 2]);
    return gang(gpus, gpus === 8 && random.next() < 0.5 ? 2 : 1, random.choice(projects));
  };
  for (let i = 0; i < RUNNING; i++) scheduler.submit(gang(2, 1, projects[i % projects.length]!), now);
  scheduler.cycle(now);
  for (let i = 0; i < PENDING; i++) scheduler.submit(waiting(), now);
  scheduler.cycle(now);
  const running = (): string[] => [...scheduler.allGangs()].filter((g) => g.phase === 'running').map((g) => g.spec.id);
  let ids = running();
  return {
    scheduler,
    churn() {
      now += 1_000_000;
      if (ids.length === 0) ids = running();
      const index = random.int(0, ids.length - 1);
      scheduler.remove(ids[index]!, now);
      ids[index] = ids[ids.length - 1]!;
      ids.pop();
      scheduler.submit(waiting(), now);
    },
    cycle() {
      scheduler.cycle(now);
    },
  };
}
