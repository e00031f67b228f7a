/** The scheduler's tunables change what it does: the cycle period, the action list and the search budgets. */
import { describe, expect, it } from 'vitest';
import { seconds } from '../../sim/engine/index.ts';
import {
  DEFAULT_SCHEDULER_CONFIG,
  resolvePriority,
  Scheduler,
  type SchedulerConfig,
} from '../../sim/scheduler/index.ts';
import type { SimulatedCluster } from '../../sim/simulator/simulated-cluster.ts';
import { makeCluster, nodes } from '../support/clusters.ts';
import { departments, gang } from '../support/scheduling.ts';
import { inference, model, template } from '../support/workloads.ts';

function single(m: SimulatedCluster, name: string, priority: ReturnType<typeof resolvePriority>) {
  const created = m.createWorkload({
    spec: inference({ name, workers: 0, worker: null, leader: template(8), priority }),
    useGivenNameAsPrefix: false,
    createdBy: 'test',
    request: '{}',
  });
  if (!created.ok) throw new Error(created.message);
  return created.value;
}

describe('scheduler config', () => {
  it('schedules at the next whole cycle period', () => {
    const at = (config: SchedulerConfig): number | null => {
      const m = model(1, 1, config);
      const w = single(m, 'w', resolvePriority('very-high'));
      m.advanceTo(seconds(30));
      return w.firstScheduledAt;
    };
    expect(at(DEFAULT_SCHEDULER_CONFIG)).toBe(seconds(1));
    expect(at({ ...DEFAULT_SCHEDULER_CONFIG, period: seconds(10) })).toBe(seconds(10));
  });

  it('runs only the actions listed: without preempt, a higher priority workload waits', () => {
    const outcome = (config: SchedulerConfig): string[] => {
      const m = model(1, 1, config);
      const low = single(m, 'low', resolvePriority('low'));
      m.advanceTo(seconds(5));
      const high = single(m, 'high', resolvePriority('very-high'));
      m.advanceTo(seconds(10));
      return [low.phase, high.phase];
    };
    expect(outcome(DEFAULT_SCHEDULER_CONFIG)).toEqual(['Pending', 'Initializing']);
    expect(outcome({ ...DEFAULT_SCHEDULER_CONFIG, actions: ['allocate'] })).toEqual(['Initializing', 'Pending']);
  });

  it('widens a preferred topology after trying as many domains as the budget allows', () => {
    // Rack a (the tighter, so tried first) has one tainted node and cannot take the gang; rack b can. With a
    // budget of one rack, the search gives up after rack a and bin-packs across the pool instead.
    const cluster = () =>
      makeCluster(
        {
          p: [
            nodes(1, { topology: { rack: 'rack-a' }, taints: [{ key: 'dedicated', effect: 'NoSchedule' }] }),
            nodes(1, { topology: { rack: 'rack-a' } }),
            nodes(2, { topology: { rack: 'rack-b' }, gpu: { model: 'H100-SXM-80GB', count: 16 } }),
          ],
        },
        ['rack'],
      );
    const placed = (config: SchedulerConfig): string[] => {
      const state = cluster();
      const scheduler = new Scheduler(state, departments({ d: { projects: { q: { deserved: { p: 32 } } } } }), {
        config,
      });
      const submitted = scheduler.submit(
        gang({ id: 'g', project: 'q', pods: [8, 8], topology: { key: 'lwsim.io/topology.rack', required: false } }),
        0,
      );
      if (!submitted.ok) throw new Error(submitted.reason);
      scheduler.cycle(0);
      const { layout } = state;
      return submitted.gang.bindings.map((b) => layout.domains[layout.nodes[b.node]!.domains[0]!]!.name);
    };
    expect(placed(DEFAULT_SCHEDULER_CONFIG)).toEqual(['rack-b', 'rack-b']);
    expect(placed({ ...DEFAULT_SCHEDULER_CONFIG, preferredDomainTries: 1 }).sort()).toEqual(['rack-a', 'rack-b']);
  });
});
